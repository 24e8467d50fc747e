//! Verdicts (docs/review-api.md#consensus-and-escalation, docs/review-api.md#verdict-webhooks, docs/review-api.md#verdicts-into-the-engine): every resolution of a task — consensus,
//! escalation, an admin's resolution, a gate timeout — goes through [`resolve`], which
//! in the one transaction updates the task, queues its webhook deliveries in the outbox
//! and then either acts on the issue whose work the task signs off
//! ([`sign_off::settle`]) or, for other tasks' flags, escalations and timeouts, records
//! the engine signal. Whoever commits
//! a resolution then wakes the delivery thread with the queued ids.

use rusqlite::Connection;
use serde_json::{Map, Value};

use crate::app::Ctx;
use crate::clock::Timestamp;
use crate::domain::enums::TaskStatus;
use crate::domain::review::content::View;
use crate::domain::review::decision;
use crate::domain::review::record::{Task, VerdictPayload};
use crate::domain::review::resolution::{self, Resolution};
use crate::domain::review::verdict_signal;
use crate::domain::stored_json;
use crate::error::ApiError;
use crate::service::{sign_off, signals};
use crate::store::{deliveries, projects, review_tasks};

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
) -> Result<Option<Resolved>, ApiError> {
    let Some(task) = review_tasks::resolve(conn, id, from, outcome, reviewer_id, now)? else {
        return Ok(None);
    };
    let body = serde_json::to_string(&VerdictPayload::of(&task))
        .map_err(|e| ApiError::Internal(format!("verdict of {}: {e}", task.id)))?;
    let delivery_ids = deliveries::enqueue(
        conn,
        &task.project_id,
        &task.id,
        task.callback_url.as_deref(),
        &body,
        now,
    )?;
    if sign_off::settle(conn, &task, reviewer_id, now)? {
        return Ok(Some(Resolved { task, delivery_ids }));
    }
    let project_name = projects::find_any(conn, &task.project_id)?
        .map(|p| p.name)
        .unwrap_or_default();
    if let Some((draft, payload)) = verdict_signal::for_resolution(&task, &project_name) {
        signals::record_in(
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
/// (docs/review-api.md#modes-and-timeouts); answers the deliveries queued.
pub fn time_out_overdue_gates(
    conn: &Connection,
    now: Timestamp,
) -> Result<(usize, Vec<String>), ApiError> {
    let mut queued = Vec::new();
    let mut timed_out = 0;
    for task in review_tasks::overdue_gates(conn, now)? {
        let (Some(on_timeout), Some(seconds)) = (task.on_timeout, task.timeout_seconds) else {
            continue;
        };
        let outcome = resolution::timeout(on_timeout, seconds);
        if let Some(resolved) = resolve(conn, &task.id, TaskStatus::Pending, &outcome, None, now)? {
            timed_out += 1;
            queued.extend(resolved.delivery_ids);
        }
    }
    Ok((timed_out, queued))
}

/// What a reviewer (or an admin) is shown of `task`: the view its game's decisions are
/// checked against.
pub fn view_of(task: &Task) -> Result<View, ApiError> {
    let payload: Map<String, Value> = serde_json::from_str(task.payload.get())
        .map_err(|e| ApiError::Internal(format!("stored payload of {}: {e}", task.id)))?;
    let card: Option<Map<String, Value>> = match &task.card {
        Some(card) => serde_json::from_str(card.get()).ok(),
        None => None,
    };
    Ok(View::of(task.module, &payload, card.as_ref()))
}

/// An admin's resolution of escalated task `id` with the decision `body`
/// (`approve` or `flag`, checked against the task's game): the task becomes reviewed,
/// keeping `escalated: true`, and its verdict is delivered again; 409 for a task that
/// is not escalated.
pub fn resolve_escalation(
    ctx: &mut Ctx<'_>,
    id: &str,
    body: &Map<String, Value>,
) -> Result<Task, ApiError> {
    const NOT_ESCALATED: ApiError = ApiError::Conflict("only an escalated task can be resolved");
    let admin_id = ctx.manager().map(|user| user.id.clone());
    let resolved = ctx.write(|tx, now| {
        let task = review_tasks::find_by_id(tx, id)?.ok_or(ApiError::NotFound("task not found"))?;
        if task.status != TaskStatus::Escalated {
            return Err(NOT_ESCALATED);
        }
        let view = view_of(&task)?;
        let outcome = decision::parse(&view, body, false)?;
        let result = Resolution {
            status: TaskStatus::Reviewed,
            verdict: outcome.verdict,
            choice: outcome.choice,
            reason: outcome.reason,
            detail: outcome.detail,
            escalated: true,
            timed_out: task.timed_out,
        };
        resolve(
            tx,
            id,
            TaskStatus::Escalated,
            &result,
            admin_id.as_deref(),
            now,
        )?
        .ok_or(NOT_ESCALATED)
    })?;
    ctx.app().outbox.notify(resolved.delivery_ids);
    Ok(resolved.task)
}
