//! All SQL lives here: opening and migrating the database, and one module per aggregate.
//! Functions take a `&Connection` (a `Transaction` derefs to one) and never commit: the
//! caller owns the transaction.

pub mod admin_keys;
pub mod audit;
pub mod comments;
pub mod dashboard;
pub mod decoys;
pub mod deliveries;
pub mod dispatch;
pub mod goals;
pub mod issues;
pub mod labels;
pub mod operations;
pub mod project_keys;
pub mod projects;
pub mod prompt_reviews;
pub mod relations;
pub mod review_hooks;
pub mod review_queue;
pub mod review_tasks;
pub mod reviewer_scores;
pub mod sessions;
pub mod sign_offs;
pub mod signals;
pub mod task_reviews;
pub mod templates;
pub mod users;

use std::path::Path;
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row};

use crate::clock::Timestamp;
use crate::domain::entropy;
use crate::domain::enums::WireEnum;
use crate::domain::pagination::Page;

/// A failed database operation, as the store reports it: the layers above handle this
/// type (the HTTP layer answers 500, the command line prints it) and never SQLite's
/// own, so that nothing outside the store depends on the database library's errors.
#[derive(Debug)]
pub enum StoreError {
    /// SQLite refused or failed a statement.
    Sqlite(rusqlite::Error),
    /// The commit a write shared with others failed (group commit, see `writer.rs`):
    /// every write of the group gets this message.
    Commit(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(error) => write!(f, "database: {error}"),
            Self::Commit(message) => write!(f, "database commit: {message}"),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Sqlite(error) => Some(error),
            Self::Commit(_) => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Sqlite(error)
    }
}

/// What the store's functions answer (`E` is [`StoreError`] unless said otherwise).
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The whole schema, as a sequence of numbered migrations.
pub const SCHEMA: &str = include_str!("../../schema.sql");

/// How long a connection waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens (creating if needed) the database at `path` with the settings every connection
/// uses: WAL, `synchronous=NORMAL`, foreign keys, a busy timeout, a statement cache
/// large enough for every query the server prepares, and plans that never depend on the
/// values bound to a statement.
///
/// That last one (SQLite's query planner stability guarantee) is for speed: a statement
/// whose plan looked at a bound value (any `LIMIT ?`, and some joins and partial-index
/// checks) is marked to be prepared again when that value changes, and rusqlite clears
/// the bindings of every statement it returns to its cache, so each use of such a
/// statement parsed and planned it anew (a tenth of the server's time in dispatch).
/// Every query that relies on a partial index names its literal value or the index.
pub fn open(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
}

/// Bounds `conn`'s page cache to `kib` KiB, for connections that read a few rows at a
/// time. Every connection may otherwise cache up to SQLite's default of about 2 MB of
/// pages, and the server holds sixteen; memory freed when a commit elsewhere empties a
/// cache stays with the allocator, so each cache costs its bound in resident memory.
pub fn limit_page_cache(conn: &Connection, kib: i64) -> Result<()> {
    conn.pragma_update(None, "cache_size", -kib)?;
    Ok(())
}

/// SQLite's `data_version` of `conn`: it changes whenever another connection (of this
/// process or another) commits, and not for the connection's own commits. Read first
/// in a transaction, it is the version of the snapshot the transaction sees.
pub fn data_version(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("PRAGMA data_version")?
        .query_row([], |row| row.get(0))?)
}

/// A migration: the `user_version` it brings the database to, and its SQL.
#[derive(Debug, PartialEq, Eq)]
pub struct Migration<'a> {
    /// The version after this migration.
    pub version: u32,
    /// Statements to run.
    pub sql: &'a str,
}

/// Splits a schema into its `-- migrate:N` sections (text before the first is ignored).
pub fn migrations(schema: &str) -> Result<Vec<Migration<'_>>, String> {
    let mut out: Vec<Migration<'_>> = Vec::new();
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in schema.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("-- migrate:") {
            let number = rest.split_whitespace().next().unwrap_or_default();
            let version: u32 = number
                .parse()
                .map_err(|_| format!("bad migration header: {}", line.trim_end()))?;
            starts.push((version, offset + line.len(), offset));
        }
        offset += line.len();
    }
    for (i, &(version, body_start, _)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(schema.len(), |next| next.2);
        if out.last().is_some_and(|m| m.version + 1 != version) || (out.is_empty() && version != 1)
        {
            return Err(format!("migration {version} is out of sequence"));
        }
        out.push(Migration {
            version,
            sql: &schema[body_start..end],
        });
    }
    Ok(out)
}

/// The schema version of the newest migration this binary carries.
pub fn latest_version() -> u32 {
    migrations(SCHEMA)
        .ok()
        .and_then(|steps| steps.last().map(|m| m.version))
        .unwrap_or(0)
}

/// Brings the database up to the newest schema, one transaction per migration (with the
/// data some migrations seed, stamped `now`). A database newer than this binary is
/// refused rather than misread.
pub fn migrate(conn: &mut Connection, now: Timestamp) -> Result<(), String> {
    let steps = migrations(SCHEMA)?;
    let latest = steps.last().map_or(0, |m| m.version);
    let current: u32 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|e| format!("cannot read the schema version: {e}"))?;
    if current > latest {
        return Err(format!(
            "the database is at schema version {current}, newer than this binary's {latest}; \
             use a newer loop binary"
        ));
    }
    for step in steps.iter().filter(|m| m.version > current) {
        let tx = conn
            .transaction()
            .map_err(|e| format!("migration {}: {e}", step.version))?;
        let applied = tx
            .execute_batch(step.sql)
            .map_err(StoreError::from)
            .and_then(|()| seed(&tx, step.version, now))
            .and_then(|()| Ok(tx.pragma_update(None, "user_version", step.version)?))
            .and_then(|()| Ok(tx.commit()?));
        applied.map_err(|e| format!("migration {}: {e}", step.version))?;
    }
    Ok(())
}

/// The rows a migration brings with it.
fn seed(conn: &Connection, version: u32, now: Timestamp) -> Result<()> {
    match version {
        3 => templates::seed_defaults(conn, now),
        4 => issues::backfill_dispatch_columns(conn),
        audit::MIGRATION => audit::backfill(conn),
        _ => Ok(()),
    }
}

/// A table of soft-deletable rows: its name, the columns a row is read from, and how.
struct Table<T> {
    name: &'static str,
    columns: &'static str,
    read: fn(&Row<'_>) -> rusqlite::Result<T>,
}

/// Applies `assignments` to the live row `id` of `table` (stamping `updated_at`) and
/// reads it back; `None` if there is no such live row. Nothing to change reads the row
/// as it is, with `unchanged` (an empty PATCH answers the row untouched).
fn update_live<T>(
    conn: &Connection,
    table: &Table<T>,
    assignments: Vec<(&'static str, SqlValue)>,
    id: &str,
    now: Timestamp,
    unchanged: impl FnOnce() -> Result<Option<T>>,
) -> Result<Option<T>> {
    if assignments.is_empty() {
        return unchanged();
    }
    let mut sets = Vec::with_capacity(assignments.len() + 1);
    let mut args = Vec::with_capacity(assignments.len() + 2);
    for (column, value) in assignments {
        sets.push(format!("{column} = ?"));
        args.push(value);
    }
    sets.push("updated_at = ?".to_owned());
    args.push(SqlValue::Text(now.to_string()));
    args.push(SqlValue::Text(id.to_owned()));
    let sql = format!(
        "UPDATE {} SET {} WHERE id = ? AND deleted_at IS NULL RETURNING {}",
        table.name,
        sets.join(", "),
        table.columns
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(args.iter()), table.read)
        .optional()?)
}

/// One page of the live rows of `table` in `order`, and how many live rows there are.
fn live_page<T>(
    conn: &Connection,
    table: &Table<T>,
    order: &'static str,
    page: Page,
) -> Result<(Vec<T>, i64)> {
    let Table {
        name,
        columns,
        read,
    } = table;
    let total = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM {name} WHERE deleted_at IS NULL"
        ))?
        .query_row([], |row| row.get(0))?;
    let sql = format!(
        "SELECT {columns} FROM {name} WHERE deleted_at IS NULL ORDER BY {order} LIMIT ?1 OFFSET ?2"
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params![page.limit, page.offset], *read)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((rows, total))
}

/// Soft-deletes the live row `id` of `table` (stamping `deleted_at` and `updated_at`);
/// `false` if there was none.
fn soft_delete(
    table: &'static str,
    conn: &Connection,
    id: &str,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    let sql = format!(
        "UPDATE {table} SET deleted_at = ?1, updated_at = ?1 WHERE id = ?2 AND deleted_at IS NULL"
    );
    let changed = conn
        .prepare_cached(&sql)?
        .execute(rusqlite::params![now.to_string(), id])?;
    Ok(changed > 0)
}

/// A new row id: a lowercase hyphenated UUIDv7 (see [`entropy::new_id`]).
pub fn new_id() -> String {
    entropy::new_id()
}

/// A row id of the same form as [`new_id`] whose time is `at` rather than now: a
/// decoy's id carries the creation time the decoy shows, as a task's id carries its own.
/// Its random bits come from [`entropy::fill`], so that `loop seed`'s decoys are the
/// same every time too.
pub fn id_at(at: Timestamp) -> Result<String, getrandom::Error> {
    let mut random = [0u8; 10];
    entropy::fill(&mut random)?;
    let millis = u64::try_from(at.unix_millis()).unwrap_or(0);
    Ok(uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .to_string())
}

/// Ids bound per statement when a list is passed as `IN (…)`: far below SQLite's limit
/// on bound parameters (32766), which a long list (e.g. every root issue for an activity
/// `limit` of 100000) would otherwise exceed.
const IDS_PER_STATEMENT: usize = 500;

/// Runs `query` on consecutive slices of `ids` small enough for one statement and
/// concatenates the results (so any order is per slice).
pub fn in_slices<T>(
    ids: &[&str],
    mut query: impl FnMut(&[&str]) -> rusqlite::Result<Vec<T>>,
) -> rusqlite::Result<Vec<T>> {
    let mut out = Vec::new();
    for slice in ids.chunks(IDS_PER_STATEMENT) {
        out.extend(query(slice)?);
    }
    Ok(out)
}

/// `ids` as the JSON array text that `json_each(?)` reads: one bound parameter for a
/// list of any length.
pub fn json_array<S: AsRef<str>>(ids: impl IntoIterator<Item = S>) -> String {
    serde_json::Value::from(
        ids.into_iter()
            .map(|id| id.as_ref().to_owned())
            .collect::<Vec<_>>(),
    )
    .to_string()
}

/// JSON text as [`json_column`] reads it back, for answers made from what was just
/// written rather than read back: text that is not JSON is refused as reading it would be.
fn json_as_read(text: Option<&str>) -> rusqlite::Result<Option<Box<serde_json::value::RawValue>>> {
    text.map(|text| raw_json(text.to_owned(), 0)).transpose()
}

/// Reads column `index` holding JSON text as a raw JSON value (written verbatim into
/// responses without re-parsing into a tree).
pub fn json_column(
    row: &Row<'_>,
    index: usize,
) -> rusqlite::Result<Option<Box<serde_json::value::RawValue>>> {
    let text: Option<String> = row.get(index)?;
    text.map(|text| raw_json(text, index)).transpose()
}

/// `text` as a raw JSON value; text that is not JSON is a conversion failure of column
/// `index`.
fn raw_json(text: String, index: usize) -> rusqlite::Result<Box<serde_json::value::RawValue>> {
    serde_json::value::RawValue::from_string(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Reads column `index` holding the wire spelling of an `E` (`NULL` is `None`).
pub fn enum_column<E: WireEnum>(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<E>> {
    let text: Option<String> = row.get(index)?;
    text.map(|t| {
        E::parse(&t).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                index,
                rusqlite::types::Type::Text,
                format!("unknown value {t:?}").into(),
            )
        })
    })
    .transpose()
}

/// Reads column `index` holding the wire spelling of an `E` that is never `NULL`.
pub fn required_enum_column<E: WireEnum>(row: &Row<'_>, index: usize) -> rusqlite::Result<E> {
    enum_column(row, index)?.ok_or(rusqlite::Error::InvalidColumnType(
        index,
        "enum".to_owned(),
        rusqlite::types::Type::Null,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_numbered_sections() {
        let schema = "-- header\n-- migrate:1 first\nCREATE TABLE a(x);\n-- migrate:2 second\nCREATE TABLE b(y);\n";
        let steps = migrations(schema).unwrap_or_default();
        assert_eq!(
            steps,
            vec![
                Migration {
                    version: 1,
                    sql: "CREATE TABLE a(x);\n"
                },
                Migration {
                    version: 2,
                    sql: "CREATE TABLE b(y);\n"
                },
            ]
        );
    }

    #[test]
    fn rejects_gaps_and_bad_headers() {
        assert!(migrations("-- migrate:1 a\n-- migrate:3 c\n").is_err());
        assert!(migrations("-- migrate:2 b\n").is_err());
        assert!(migrations("-- migrate:x\n").is_err());
    }

    #[test]
    fn the_embedded_schema_applies_and_is_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        migrate(&mut conn, Timestamp::from_unix_millis(0)).unwrap_or_else(|e| panic!("{e}"));
        migrate(&mut conn, Timestamp::from_unix_millis(0)).unwrap_or_else(|e| panic!("{e}"));
        let version: u32 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap_or_default();
        assert_eq!(
            Some(version),
            migrations(SCHEMA)
                .ok()
                .and_then(|m| m.last().map(|m| m.version))
        );
    }

    #[test]
    fn id_lists_longer_than_sqlites_parameter_limit_are_queried_in_slices() {
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        migrate(&mut conn, Timestamp::from_unix_millis(0)).unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200)
             INSERT INTO issues (id, title, type, status, priority, parent_id, created_at, updated_at)
             SELECT 'child-' || i, 'c', 'task', 'todo', 3, 'root-' || (i % 40000), '2026-01-01T00:00:00.000Z',
                    '2026-01-01T00:00:00.000Z' FROM n;",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let roots: Vec<String> = (0..40_000).map(|i| format!("root-{i}")).collect();
        let roots: Vec<&str> = roots.iter().map(String::as_str).collect();
        let children = issues::children_of_many(&conn, &roots).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(children.len(), 1200);
        let child_ids: Vec<String> = (0..40_000).map(|i| format!("child-{i}")).collect();
        let child_ids: Vec<&str> = child_ids.iter().map(String::as_str).collect();
        assert!(relations::outgoing_of_many(&conn, &child_ids).is_ok_and(|r| r.is_empty()));
    }

    #[test]
    fn refuses_a_newer_database() {
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        conn.pragma_update(None, "user_version", 999)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            migrate(&mut conn, Timestamp::from_unix_millis(0))
                .unwrap_err()
                .contains("newer")
        );
    }
}
