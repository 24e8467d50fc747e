//! Review tasks (docs/review-api.md#tasks, docs/review-api.md#modes-and-timeouts, docs/review-api.md#the-task-object): what automations submit for a human to
//! decide, scoped to the project whose key submitted them.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{enum_column, json_column, new_id, required_enum_column};
use crate::clock::Timestamp;
use crate::domain::enums::{Module, TaskStatus, WireEnum};
use crate::domain::review::record::Task;
use crate::domain::review::resolution::Resolution;
use crate::domain::review::task::NewTask;

const COLUMNS: &str = "id, project_id, module, mode, source, external_id, callback_url, payload, \
     card, reviews_required, timeout_seconds, on_timeout, golden, answer, status, verdict, \
     verdict_choice, verdict_reason, detail, escalated, timed_out, reviewer_id, created_at, \
     expires_at, reviewed_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Task> {
    Ok(Task {
        id: row.get(0)?,
        project_id: row.get(1)?,
        module: required_enum_column(row, 2)?,
        mode: required_enum_column(row, 3)?,
        source: row.get(4)?,
        external_id: row.get(5)?,
        callback_url: row.get(6)?,
        payload: json_column(row, 7)?.ok_or(rusqlite::Error::InvalidColumnType(
            7,
            "payload".to_owned(),
            rusqlite::types::Type::Null,
        ))?,
        card: json_column(row, 8)?,
        reviews_required: row.get(9)?,
        timeout_seconds: row.get(10)?,
        on_timeout: enum_column(row, 11)?,
        golden: row.get(12)?,
        answer: json_column(row, 13)?,
        status: required_enum_column(row, 14)?,
        verdict: row.get(15)?,
        choice: row.get(16)?,
        reason: row.get(17)?,
        detail: json_column(row, 18)?,
        escalated: row.get(19)?,
        timed_out: row.get(20)?,
        reviewer_id: row.get(21)?,
        created_at: row.get(22)?,
        expires_at: row.get(23)?,
        reviewed_at: row.get(24)?,
    })
}

/// Stores a new pending task; a gate task's deadline is `now` + its timeout.
pub fn insert(
    conn: &Connection,
    project_id: &str,
    task: &NewTask,
    idempotency_key: Option<&str>,
    now: Timestamp,
) -> super::Result<Task> {
    let expires_at = task
        .timeout_seconds
        .map(|seconds| now.plus_millis(seconds.saturating_mul(1000)).to_string());
    let sql = format!(
        "INSERT INTO review_tasks (id, project_id, module, mode, source, external_id, callback_url, \
         payload, card, reviews_required, timeout_seconds, on_timeout, golden, answer, status, \
         idempotency_key, created_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'pending', ?15, ?16, ?17) \
         RETURNING {COLUMNS}"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(
        params![
            new_id(),
            project_id,
            task.module.as_str(),
            task.mode.as_str(),
            task.source,
            task.external_id,
            task.callback_url,
            task.payload,
            task.card,
            task.reviews_required,
            task.timeout_seconds,
            task.on_timeout.map(WireEnum::as_str),
            task.golden,
            task.answer,
            idempotency_key,
            now.to_string(),
            expires_at,
        ],
        from_row,
    )?)
}

/// The task `id` of `project_id`.
pub fn find(conn: &Connection, project_id: &str, id: &str) -> super::Result<Option<Task>> {
    let sql = format!("SELECT {COLUMNS} FROM review_tasks WHERE id = ?1 AND project_id = ?2");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id, project_id], from_row)
        .optional()?)
}

/// The task `id`, whatever its project (reviewer and admin routes check access
/// themselves).
pub fn find_by_id(conn: &Connection, id: &str) -> super::Result<Option<Task>> {
    let sql = format!("SELECT {COLUMNS} FROM review_tasks WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], from_row)
        .optional()?)
}

/// Escalated tasks awaiting an admin, of `project_id` when given, oldest escalation
/// first.
pub fn escalated(
    conn: &Connection,
    project_id: Option<&str>,
    limit: i64,
) -> super::Result<Vec<Task>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM review_tasks WHERE status = 'escalated' AND (?1 IS NULL OR project_id = ?1) \
         ORDER BY reviewed_at, rowid LIMIT ?2"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_map(params![project_id, limit], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// The task of `project_id` created with this `Idempotency-Key`.
pub fn find_by_idempotency_key(
    conn: &Connection,
    project_id: &str,
    key: &str,
) -> super::Result<Option<Task>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM review_tasks WHERE project_id = ?1 AND idempotency_key = ?2"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([project_id, key], from_row)
        .optional()?)
}

/// Which tasks `GET /api/v1/tasks` returns.
#[derive(Debug, Default, Clone)]
pub struct TaskFilter {
    /// Only in this status.
    pub status: Option<TaskStatus>,
    /// Only of this game.
    pub module: Option<Module>,
    /// Only with this origin tag.
    pub source: Option<String>,
    /// Only with this correlation id.
    pub external_id: Option<String>,
    /// Only created strictly before this time.
    pub before: Option<Timestamp>,
    /// At most this many.
    pub limit: i64,
}

/// The tasks of `project_id` matching `filter`, newest first.
pub fn list(conn: &Connection, project_id: &str, filter: &TaskFilter) -> super::Result<Vec<Task>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM review_tasks WHERE project_id = ?1 \
         AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR module = ?3) \
         AND (?4 IS NULL OR source = ?4) AND (?5 IS NULL OR external_id = ?5) \
         AND (?6 IS NULL OR created_at < ?6) \
         ORDER BY created_at DESC, rowid DESC LIMIT ?7"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_map(
            params![
                project_id,
                filter.status.map(WireEnum::as_str),
                filter.module.map(WireEnum::as_str),
                filter.source,
                filter.external_id,
                filter.before.map(|t| t.to_string()),
                filter.limit,
            ],
            from_row,
        )?
        .collect::<rusqlite::Result<_>>()?)
}

/// The resolved tasks of `project_id`, latest resolution first, resolved strictly after
/// `since` when given.
pub fn resolved(
    conn: &Connection,
    project_id: &str,
    since: Option<Timestamp>,
    limit: i64,
) -> super::Result<Vec<Task>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM review_tasks INDEXED BY review_tasks_resolved \
         WHERE project_id = ?1 AND status != 'pending' AND (?2 IS NULL OR reviewed_at > ?2) \
         ORDER BY reviewed_at DESC, rowid DESC LIMIT ?3"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_map(
            params![project_id, since.map(|t| t.to_string()), limit],
            from_row,
        )?
        .collect::<rusqlite::Result<_>>()?)
}

/// Deletes the task `id` of `project_id` (its idempotency key becomes free); `false` if
/// there was none.
pub fn delete(conn: &Connection, project_id: &str, id: &str) -> super::Result<bool> {
    let deleted = conn
        .prepare_cached("DELETE FROM review_tasks WHERE id = ?1 AND project_id = ?2")?
        .execute([id, project_id])?;
    if deleted > 0 {
        super::deliveries::drop_pending_for_task(conn, id)?;
    }
    Ok(deleted > 0)
}

/// Pending gate tasks whose deadline is at or before `now`, earliest first.
pub fn overdue_gates(conn: &Connection, now: Timestamp) -> super::Result<Vec<Task>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM review_tasks INDEXED BY review_tasks_gate_deadlines \
         WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= ?1 \
         ORDER BY expires_at, rowid"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_map([now.to_string()], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Whether any pending gate task is overdue at `now` (a cheap read before a write).
pub fn any_overdue_gate(conn: &Connection, now: Timestamp) -> super::Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM review_tasks INDEXED BY review_tasks_gate_deadlines \
         WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= ?1 LIMIT 1",
        )?
        .exists([now.to_string()])?)
}

/// Writes `outcome` onto task `id` if it is still in status `from`, stamping
/// `reviewed_at` with `now`; the updated task, or `None` when it had already moved on
/// (so a resolution happens exactly once). `service::verdicts::resolve` calls this and
/// queues the deliveries with it; only the seed escalates tasks without them.
pub(crate) fn resolve(
    conn: &Connection,
    id: &str,
    from: TaskStatus,
    outcome: &Resolution,
    reviewer_id: Option<&str>,
    now: Timestamp,
) -> super::Result<Option<Task>> {
    let sql = format!(
        "UPDATE review_tasks SET status = ?3, verdict = ?4, verdict_choice = ?5, verdict_reason = ?6, \
         detail = ?7, escalated = ?8, timed_out = ?9, reviewer_id = ?10, reviewed_at = ?11 \
         WHERE id = ?1 AND status = ?2 RETURNING {COLUMNS}"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(
            params![
                id,
                from.as_str(),
                outcome.status.as_str(),
                outcome.verdict,
                outcome.choice,
                outcome.reason,
                outcome.detail.as_ref().map(serde_json::Value::to_string),
                outcome.escalated,
                outcome.timed_out,
                reviewer_id,
                now.to_string(),
            ],
            from_row,
        )
        .optional()?)
}
