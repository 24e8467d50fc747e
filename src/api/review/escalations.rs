//! Admin routes for escalated tasks (docs/review-api.md#consensus-and-escalation, docs/review-api.md#administration): the list waiting for a
//! person, and their resolution.

use super::query_limit;
use super::tasks::{reply_task, reply_task_list_with_view};
use crate::app::Ctx;
use crate::http::{ApiError, Reply, Request};
use crate::service::verdicts;
use crate::store::review_tasks;

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
/// see [`verdicts::resolve_escalation`].
pub fn resolve(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let task = verdicts::resolve_escalation(ctx, request.param("id"), &body)?;
    reply_task(ctx.db(), 200, &task)
}
