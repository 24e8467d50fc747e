//! Review tasks as automations submit them: an `Idempotency-Key` makes a retried
//! submission return the original task instead of storing a second one, also when two
//! first submissions race; deleting a task frees its key, drops its pending deliveries,
//! erases its content from the audit log and withdraws the review of an issue that
//! waited on it.

use serde_json::{Map, Value};

use crate::app::Ctx;
use crate::domain::review::record::Task;
use crate::domain::review::task;
use crate::error::ApiError;
use crate::service::sign_off;
use crate::store::{audit, decoys, projects, review_tasks};

const NOT_FOUND: ApiError = ApiError::NotFound("task not found");

/// A submission's outcome.
pub enum Submitted {
    /// A new task.
    Created(Task),
    /// The task stored earlier with the same `Idempotency-Key`.
    Replayed(Task),
}

/// The task stored earlier by project `project_id` with `key`, if any: a replay needs
/// no body at all.
pub fn earlier(ctx: &Ctx<'_>, project_id: &str, key: &str) -> Result<Option<Task>, ApiError> {
    Ok(review_tasks::find_by_idempotency_key(
        ctx.db(),
        project_id,
        key,
    )?)
}

/// Stores the task `body` describes for project `project_id` (with `key`, when given),
/// unless a concurrent first submission with the same key committed meanwhile.
pub fn submit(
    ctx: &mut Ctx<'_>,
    project_id: &str,
    key: Option<&str>,
    body: &Map<String, Value>,
) -> Result<Submitted, ApiError> {
    let settings = projects::review_settings(ctx.db(), project_id)?.ok_or(NOT_FOUND)?;
    let new_task = task::parse(body, settings.default_gate_timeout_seconds)?;
    ctx.write(|tx, now| {
        if let Some(key) = key
            && let Some(existing) = review_tasks::find_by_idempotency_key(tx, project_id, key)?
        {
            return Ok(Submitted::Replayed(existing));
        }
        let task = review_tasks::insert(tx, project_id, &new_task, key, now)?;
        Ok(Submitted::Created(task))
    })
}

/// Deletes task `id` of project `project_id`; 404 when there is none. Its audit records,
/// and those of decoys copied from it, keep their ids and decisions but lose their
/// content (choice, reason, expectation, planted error), as the decoys lose what they
/// showed; an issue that waited on its review has the review withdrawn.
pub fn delete(ctx: &mut Ctx<'_>, project_id: &str, id: &str) -> Result<(), ApiError> {
    let deleted = ctx.write(|tx, now| {
        let deleted = review_tasks::delete(tx, project_id, id)?;
        if deleted {
            sign_off::withdraw(tx, id, now)?;
            audit::erase_for_task(tx, id, now)?;
            decoys::erase_for_source(tx, id)?;
        }
        Ok(deleted)
    })?;
    if deleted { Ok(()) } else { Err(NOT_FOUND) }
}
