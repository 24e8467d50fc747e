//! The operator's queries: what `GET /metrics` reads at each scrape, what `loop check`
//! inspects, the consistent copy `loop backup` makes, and moving every stored time at
//! once (`loop seed --now`, `loop demo`).

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::clock::Timestamp;

/// Opens an existing database file without creating it and without changing it (no
/// journal-mode switch, no migration): for inspecting a file that may be damaged.
pub fn open_existing(path: &Path) -> super::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(conn)
}

/// The counts `GET /metrics` reports as gauges.
#[derive(Debug, Default)]
pub struct Gauges {
    /// Live issues in `todo`.
    pub todo: i64,
    /// Review tasks per status.
    pub review_tasks: Vec<(String, i64)>,
    /// Deliveries `pending` and `failed`, each present even at zero.
    pub deliveries: Vec<(String, i64)>,
}

/// Reads the gauges from the tables the triggers keep counted (and the deliveries,
/// which are few once delivered).
pub fn gauges(conn: &Connection) -> super::Result<Gauges> {
    let todo = conn
        .prepare_cached("SELECT COALESCE(SUM(n), 0) FROM issue_counts WHERE status = 'todo'")?
        .query_row([], |row| row.get(0))?;
    let review_tasks = conn
        .prepare_cached(
            "SELECT status, SUM(n) FROM review_task_counts GROUP BY status ORDER BY status",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let deliveries = conn
        .prepare_cached(
            "SELECT s.status, (SELECT COUNT(*) FROM deliveries d WHERE d.status = s.status) \
             FROM (SELECT 'pending' AS status UNION ALL SELECT 'failed') s",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Gauges {
        todo,
        review_tasks,
        deliveries,
    })
}

/// Writes a consistent, compacted copy of the database to `path` (which must not
/// exist) with `VACUUM INTO`: it reads inside one transaction, so the copy holds
/// exactly the writes committed before it began, and in WAL mode it never blocks the
/// writer.
pub fn vacuum_into(conn: &Connection, path: &Path) -> super::Result<()> {
    let target = path.to_string_lossy();
    conn.execute("VACUUM INTO ?1", [target.as_ref()])?;
    Ok(())
}

/// What `PRAGMA integrity_check` found wrong (nothing when it says `ok`).
pub fn integrity_problems(conn: &Connection) -> super::Result<Vec<String>> {
    let lines = conn
        .prepare("PRAGMA integrity_check")?
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(lines.into_iter().filter(|line| line != "ok").collect())
}

/// The rows whose foreign key points at nothing, described.
pub fn foreign_key_problems(conn: &Connection) -> super::Result<Vec<String>> {
    let rows = conn
        .prepare("PRAGMA foreign_key_check")?
        .query_map([], |row| {
            let table: String = row.get(0)?;
            let rowid: Option<i64> = row.get(1)?;
            let parent: String = row.get(2)?;
            Ok(format!(
                "{table} row {} refers to a missing {parent}",
                rowid.map_or_else(|| "?".to_owned(), |r| r.to_string())
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The schema version the database is at (`PRAGMA user_version`).
pub fn schema_version(conn: &Connection) -> super::Result<u32> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// The names of the database's own tables, in order.
pub fn table_names(conn: &Connection) -> super::Result<Vec<String>> {
    let names = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names)
}

/// How many rows each table holds, by name.
pub fn table_counts(conn: &Connection) -> super::Result<Vec<(String, i64)>> {
    table_names(conn)?
        .into_iter()
        .map(|name| {
            let count = conn.query_row(&format!("SELECT COUNT(*) FROM \"{name}\""), [], |row| {
                row.get(0)
            })?;
            Ok((name, count))
        })
        .collect()
}

/// Claims whose lease has lapsed at `now` but that are still `in_progress` (the
/// server's background round returns them to `todo` within a second while it runs).
pub fn expired_leases(conn: &Connection, now: Timestamp) -> super::Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COUNT(*) FROM issues INDEXED BY issues_leases \
             WHERE status = 'in_progress' AND lease_expires_at IS NOT NULL \
             AND lease_expires_at <= ?1",
        )?
        .query_row([now.to_string()], |row| row.get(0))?)
}

/// Moves every stored time by `millis` (negative moves back): each `…_at` column of
/// every table, and the issues' creation instant that dispatch ages by. Times are
/// stored in one canonical form (`2026-01-05T09:00:00.000Z`), which keeps its shape.
pub fn shift_times(conn: &Connection, millis: i64) -> super::Result<()> {
    let sign = if millis < 0 { '-' } else { '+' };
    let magnitude = millis.unsigned_abs();
    let seconds = format!("{sign}{}.{:03} seconds", magnitude / 1000, magnitude % 1000);
    for table in table_names(conn)? {
        let columns = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for column in columns.iter().filter(|c| c.ends_with("_at")) {
            conn.execute(
                &format!(
                    "UPDATE \"{table}\" SET \"{column}\" = strftime('%Y-%m-%dT%H:%M:%fZ', \"{column}\", ?1) \
                     WHERE \"{column}\" GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'"
                ),
                [&seconds],
            )?;
        }
    }
    conn.execute("UPDATE issues SET created_ms = created_ms + ?1", [millis])?;
    Ok(())
}

/// Leaves the database as one small self-contained file, for a file that is copied
/// around like the demo database: no write-ahead log beside it, no free pages, and
/// SQLite's smallest pages, 512 bytes (a demo database is mostly near-empty tables and
/// indexes, each of which takes at least one page, and rows of a few hundred bytes, of
/// which a 1 KiB page holds one and leaves the rest empty: 512-byte pages make the
/// example database a fifth smaller; a file this small reads as fast either way).
pub fn compact(conn: &Connection) -> super::Result<()> {
    conn.pragma_update(None, "journal_mode", "DELETE")?;
    conn.pragma_update(None, "page_size", 512)?;
    conn.execute_batch("VACUUM")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_every_time_and_keeps_its_form() {
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        crate::store::migrate(&mut conn, Timestamp::from_unix_millis(0))
            .unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(
            "INSERT INTO issues (id, title, type, status, priority, created_at, updated_at, \
             created_ms, lease_expires_at) VALUES ('a', 't', 'task', 'todo', 3, \
             '2026-01-05T09:00:00.250Z', '2026-01-31T23:59:59.900Z', 1767603600250, NULL)",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        shift_times(&conn, 86_400_000 + 150).unwrap_or_else(|e| panic!("{e}"));
        let row: (String, String, i64, Option<String>) = conn
            .query_row(
                "SELECT created_at, updated_at, created_ms, lease_expires_at FROM issues",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(row.0, "2026-01-06T09:00:00.400Z");
        assert_eq!(row.1, "2026-02-02T00:00:00.050Z");
        assert_eq!(row.2, 1_767_603_600_250 + 86_400_150);
        assert_eq!(row.3, None);
        shift_times(&conn, -86_400_150).unwrap_or_else(|e| panic!("{e}"));
        let created: String = conn
            .query_row("SELECT created_at FROM issues", [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(created, "2026-01-05T09:00:00.250Z");
    }
}
