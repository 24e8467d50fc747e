//! Verdict hook subscriptions (docs/review-api.md#hooks-and-verdicts): URLs that receive every verdict of
//! their project, idempotent by URL.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::new_id;
use crate::clock::Timestamp;

/// A subscription, as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hook {
    /// Opaque id, used to unsubscribe.
    pub id: String,
    /// Where verdicts are posted.
    pub url: String,
    /// Always `verdict`.
    pub event: String,
    /// Subscription time.
    pub created_at: String,
}

const COLUMNS: &str = "id, url, event, created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Hook> {
    Ok(Hook {
        id: row.get(0)?,
        url: row.get(1)?,
        event: row.get(2)?,
        created_at: row.get(3)?,
    })
}

/// The subscription of `project_id` to exactly `url`.
pub fn find_by_url(conn: &Connection, project_id: &str, url: &str) -> super::Result<Option<Hook>> {
    let sql = format!("SELECT {COLUMNS} FROM review_hooks WHERE project_id = ?1 AND url = ?2");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([project_id, url], from_row)
        .optional()?)
}

/// How many subscriptions `project_id` has.
pub fn count(conn: &Connection, project_id: &str) -> super::Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*) FROM review_hooks WHERE project_id = ?1")?
        .query_row([project_id], |row| row.get(0))?)
}

/// Subscribes `project_id` to verdicts at `url`.
pub fn insert(
    conn: &Connection,
    project_id: &str,
    url: &str,
    now: Timestamp,
) -> super::Result<Hook> {
    let sql = format!(
        "INSERT INTO review_hooks (id, project_id, url, event, created_at) \
         VALUES (?1, ?2, ?3, 'verdict', ?4) RETURNING {COLUMNS}"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(
        params![new_id(), project_id, url, now.to_string()],
        from_row,
    )?)
}

/// The subscriptions of `project_id`, oldest first.
pub fn list(conn: &Connection, project_id: &str) -> super::Result<Vec<Hook>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM review_hooks WHERE project_id = ?1 ORDER BY created_at, rowid"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_map([project_id], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Removes subscription `id` of `project_id`; `false` if there was none.
pub fn delete(conn: &Connection, project_id: &str, id: &str) -> super::Result<bool> {
    let deleted = conn
        .prepare_cached("DELETE FROM review_hooks WHERE id = ?1 AND project_id = ?2")?
        .execute([id, project_id])?;
    Ok(deleted > 0)
}

/// Removes subscription `id` whatever its project (its receiver answered 410 Gone).
pub fn delete_by_id(conn: &Connection, id: &str) -> super::Result<()> {
    conn.prepare_cached("DELETE FROM review_hooks WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}
