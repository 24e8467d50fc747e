//! Recording a verdict (review-api.md §6, §11, §15.8): every resolution of a task —
//! consensus, escalation, an admin's resolution, a gate timeout — goes through
//! [`resolve`], which in the one transaction updates the task, queues its webhook
//! deliveries and, for flags, escalations and timeouts, records the engine signal.

use rusqlite::Connection;

use super::{deliveries, projects, review_tasks, signals};
use crate::clock::Timestamp;
use crate::domain::enums::TaskStatus;
use crate::domain::review::record::{Task, VerdictPayload};
use crate::domain::review::resolution::{self, Resolution};
use crate::domain::review::verdict_signal;
use crate::domain::stored_json;

/// A task that has just resolved, and the deliveries its verdict queued.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The task in its new state.
    pub task: Task,
    /// The queued deliveries.
    pub delivery_ids: Vec<String>,
}

/// Resolves task `id` with `outcome` if it is still in status `from` (so each
/// resolution happens exactly once); `None` when it had moved on.
pub fn resolve(
    conn: &Connection,
    id: &str,
    from: TaskStatus,
    outcome: &Resolution,
    reviewer_id: Option<&str>,
    now: Timestamp,
) -> rusqlite::Result<Option<Resolved>> {
    let Some(task) = review_tasks::resolve(conn, id, from, outcome, reviewer_id, now)? else {
        return Ok(None);
    };
    let body = serde_json::to_string(&VerdictPayload::of(&task))
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let delivery_ids = deliveries::enqueue(
        conn,
        &task.project_id,
        &task.id,
        task.callback_url.as_deref(),
        &body,
        now,
    )?;
    let project_name = projects::find_any(conn, &task.project_id)?
        .map(|p| p.name)
        .unwrap_or_default();
    if let Some((draft, payload)) = verdict_signal::for_resolution(&task, &project_name) {
        signals::record(
            conn,
            &draft,
            &stored_json::to_text(payload),
            Some(&task.project_id),
            now,
        )?;
    }
    Ok(Some(Resolved { task, delivery_ids }))
}

/// Applies `on_timeout` to every pending gate task whose deadline passed by `now`
/// (review-api.md §5); answers the deliveries queued.
pub fn time_out_overdue_gates(conn: &Connection, now: Timestamp) -> rusqlite::Result<Vec<String>> {
    let mut queued = Vec::new();
    for task in review_tasks::overdue_gates(conn, now)? {
        let (Some(on_timeout), Some(seconds)) = (task.on_timeout, task.timeout_seconds) else {
            continue;
        };
        let outcome = resolution::timeout(on_timeout, seconds);
        if let Some(resolved) = resolve(conn, &task.id, TaskStatus::Pending, &outcome, None, now)? {
            queued.extend(resolved.delivery_ids);
        }
    }
    Ok(queued)
}
