//! The verdict outbox (docs/review-api.md#verdict-webhooks, docs/review-api.md#delivery-log): one row per POST to make, written in
//! the transaction of the verdict that causes it, then attempted by the delivery
//! workers until it succeeds or its attempts run out.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::new_id;
use crate::clock::Timestamp;

/// A delivery as the delivery log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// Opaque id, sent as `X-LoopQuest-Delivery`.
    pub id: String,
    /// The resolved task.
    pub task_id: String,
    /// Where it is posted.
    pub url: String,
    /// `callback` (the task's `callback_url`) or `hook` (a subscription).
    pub kind: String,
    /// The subscription, for `hook` deliveries.
    pub hook_id: Option<String>,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    /// Attempts made in the current series.
    pub attempts: i64,
    /// The receiver's last HTTP status.
    pub last_status_code: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: Option<String>,
    /// When the verdict was recorded.
    pub created_at: String,
    /// When a receiver accepted it.
    pub delivered_at: Option<String>,
}

const COLUMNS: &str = "id, task_id, url, kind, hook_id, status, attempts, last_status_code, last_error, \
     next_attempt_at, created_at, delivered_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Delivery> {
    Ok(Delivery {
        id: row.get(0)?,
        task_id: row.get(1)?,
        url: row.get(2)?,
        kind: row.get(3)?,
        hook_id: row.get(4)?,
        status: row.get(5)?,
        attempts: row.get(6)?,
        last_status_code: row.get(7)?,
        last_error: row.get(8)?,
        next_attempt_at: row.get(9)?,
        created_at: row.get(10)?,
        delivered_at: row.get(11)?,
    })
}

/// Queues `body` (a task's verdict) for its `callback_url` and every hook subscription
/// of `project_id`, once per distinct URL; answers the new deliveries' ids.
pub fn enqueue(
    conn: &Connection,
    project_id: &str,
    task_id: &str,
    callback_url: Option<&str>,
    body: &str,
    now: Timestamp,
) -> super::Result<Vec<String>> {
    let hooks: Vec<(String, String)> = conn
        .prepare_cached(
            "SELECT id, url FROM review_hooks WHERE project_id = ?1 ORDER BY created_at, rowid",
        )?
        .query_map([project_id], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut targets: Vec<(&str, &str, Option<&str>)> = Vec::new();
    for (hook_id, url) in &hooks {
        targets.push((url, "hook", Some(hook_id)));
    }
    if let Some(url) = callback_url.filter(|url| !hooks.iter().any(|(_, hook_url)| hook_url == url))
    {
        targets.insert(0, (url, "callback", None));
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO deliveries (id, project_id, task_id, url, kind, hook_id, body, status, created_at, next_attempt_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?8)",
    )?;
    let now = now.to_string();
    let mut ids = Vec::with_capacity(targets.len());
    for (url, kind, hook_id) in targets {
        let id = new_id();
        insert.execute(params![
            id, project_id, task_id, url, kind, hook_id, body, now
        ])?;
        ids.push(id);
    }
    Ok(ids)
}

/// A delivery ready for an attempt, with what signing it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The delivery.
    pub id: String,
    /// Where to post.
    pub url: String,
    /// The exact bytes to send.
    pub body: String,
    /// The project's current signing secret.
    pub secret: String,
    /// This attempt's number in its series (1-based).
    pub number: i64,
    /// The subscription, for `hook` deliveries.
    pub hook_id: Option<String>,
}

/// Up to `limit` pending deliveries due by `now`, oldest due first, leaving out
/// `in_flight` (ids already being attempted, as [`super::json_array`] writes them).
pub fn due(
    conn: &Connection,
    now: Timestamp,
    in_flight: &str,
    limit: i64,
) -> super::Result<Vec<Attempt>> {
    Ok(conn
        .prepare_cached(
            "SELECT d.id, d.url, d.body, COALESCE(p.signing_secret, ''), d.attempts + 1, d.hook_id \
         FROM deliveries d INDEXED BY deliveries_due JOIN projects p ON p.id = d.project_id \
         WHERE d.status = 'pending' AND d.next_attempt_at <= ?1 \
         AND d.id NOT IN (SELECT value FROM json_each(?2)) \
         ORDER BY d.next_attempt_at, d.rowid LIMIT ?3",
        )?
        .query_map(params![now.to_string(), in_flight, limit], |row| {
            Ok(Attempt {
                id: row.get(0)?,
                url: row.get(1)?,
                body: row.get(2)?,
                secret: row.get(3)?,
                number: row.get(4)?,
                hook_id: row.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// A 2xx: delivered.
    Delivered(u16),
    /// Failed; try again at this time.
    Retry {
        /// The receiver's status, if it answered.
        status: Option<u16>,
        /// Why it failed.
        error: String,
        /// When to try again.
        at: Timestamp,
    },
    /// Failed for good (attempts exhausted, or 410 Gone).
    Failed {
        /// The receiver's status, if it answered.
        status: Option<u16>,
        /// Why it failed.
        error: String,
    },
}

/// Records attempt number `number` of delivery `id`: the attempt count, and its status,
/// error and next due time.
pub fn record(
    conn: &Connection,
    id: &str,
    number: i64,
    result: &AttemptOutcome,
    now: Timestamp,
) -> super::Result<()> {
    let (status, code, error, next, delivered) = match result {
        AttemptOutcome::Delivered(code) => {
            ("succeeded", Some(*code), None, None, Some(now.to_string()))
        }
        AttemptOutcome::Retry { status, error, at } => (
            "pending",
            *status,
            Some(error.as_str()),
            Some(at.to_string()),
            None,
        ),
        AttemptOutcome::Failed { status, error } => {
            ("failed", *status, Some(error.as_str()), None, None)
        }
    };
    conn.prepare_cached(
        "UPDATE deliveries SET status = ?2, attempts = ?3, last_status_code = ?4, last_error = ?5, \
         next_attempt_at = ?6, delivered_at = COALESCE(?7, delivered_at) WHERE id = ?1 AND status = 'pending'",
    )?
    .execute(params![id, status, number, code, error, next, delivered])?;
    Ok(())
}

/// Which deliveries the log lists.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only for this task.
    pub task_id: Option<String>,
    /// Only in this status.
    pub status: Option<String>,
    /// At most this many.
    pub limit: i64,
}

/// The project's deliveries matching `filter`, newest first.
pub fn list(conn: &Connection, project_id: &str, filter: &Filter) -> super::Result<Vec<Delivery>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM deliveries WHERE project_id = ?1 AND (?2 IS NULL OR task_id = ?2) \
         AND (?3 IS NULL OR status = ?3) ORDER BY created_at DESC, rowid DESC LIMIT ?4"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_map(
            params![project_id, filter.task_id, filter.status, filter.limit],
            from_row,
        )?
        .collect::<rusqlite::Result<_>>()?)
}

/// Starts a new attempt series for delivery `id` of `project_id`, due now (a manual
/// redelivery); the delivery, or `None` if the project has no such delivery.
pub fn redeliver(
    conn: &Connection,
    project_id: &str,
    id: &str,
    now: Timestamp,
) -> super::Result<Option<Delivery>> {
    let sql = format!(
        "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?3, last_error = NULL \
         WHERE id = ?1 AND project_id = ?2 RETURNING {COLUMNS}"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![id, project_id, now.to_string()], from_row)
        .optional()?)
}

/// Drops the pending deliveries of a deleted task.
pub fn drop_pending_for_task(conn: &Connection, task_id: &str) -> super::Result<()> {
    conn.prepare_cached("DELETE FROM deliveries WHERE task_id = ?1 AND status = 'pending'")?
        .execute([task_id])?;
    Ok(())
}
