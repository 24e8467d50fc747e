//! Admin routes for escalated tasks (review-api.md §6.3, §15.3): the list waiting for a
//! person, and their resolution.

use super::query_limit;
use super::queue;
use super::tasks::{reply_task, reply_task_list_with_view};
use crate::app::Ctx;
use crate::domain::enums::TaskStatus;
use crate::domain::review::decision;
use crate::domain::review::resolution::Resolution;
use crate::http::{ApiError, Reply, Request};
use crate::store::{review_tasks, verdicts};

/// `GET /api/v1/review/escalations?project_id=&limit=`: escalated tasks (full Task
/// objects, with the card as reviewers see it so the web app can show it), oldest
/// escalation first.
pub fn list(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = request.query("project_id")?.filter(|p| !p.is_empty());
    let limit = query_limit(request, "limit", 1, 100, 50)?;
    let tasks = review_tasks::escalated(ctx.db(), project_id, limit)?;
    reply_task_list_with_view(ctx.db(), &tasks)
}

/// `POST /api/v1/review/tasks/{id}/resolve` `{decision: approve|flag, choice?, reason?}`:
/// an escalated task becomes reviewed (keeping `escalated: true`), and its verdict is
/// delivered again; 409 for a task that is not escalated.
pub fn resolve(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let id = request.param("id");
    let admin_id = ctx.manager().map(|user| user.id.clone());
    let resolved = ctx.write(|tx, now| {
        let task = review_tasks::find_by_id(tx, id)?.ok_or(ApiError::NotFound("task not found"))?;
        if task.status != TaskStatus::Escalated {
            return Err(ApiError::Conflict("only an escalated task can be resolved"));
        }
        let view = queue::view_of(&task)?;
        let outcome = decision::parse(&view, &body, false)?;
        let result = Resolution {
            status: TaskStatus::Reviewed,
            verdict: outcome.verdict,
            choice: outcome.choice,
            reason: outcome.reason,
            detail: outcome.detail,
            escalated: true,
            timed_out: task.timed_out,
        };
        verdicts::resolve(
            tx,
            id,
            TaskStatus::Escalated,
            &result,
            admin_id.as_deref(),
            now,
        )?
        .ok_or(ApiError::Conflict("only an escalated task can be resolved"))
    })?;
    ctx.app().outbox.notify(resolved.delivery_ids);
    reply_task(ctx.db(), 200, &resolved.task)
}
