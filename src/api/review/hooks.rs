//! `/api/v1/hooks` (docs/review-api.md#hooks-and-verdicts): verdict subscriptions,
//! idempotent by URL. The same subscriptions are managed from the web app under
//! `/api/v1/projects/{id}/hooks` by an owner or admin.

use super::{key_project, managed_project};
use crate::app::Ctx;
use crate::domain::review::input::{opt_string, opt_url, present};
use crate::domain::validate::FieldError;
use crate::http::{ApiError, Reply, Request};
use crate::service::hooks;
use crate::store::review_hooks;

/// `POST`: subscribes `{url, event?}`; 201 when new, 200 with the existing subscription
/// when the project already has one with exactly that URL.
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = key_project(ctx)?;
    subscribe(ctx, request, project_id)
}

/// `POST /api/v1/projects/{id}/hooks`: [`create`] for an owner or admin.
pub fn create_in_project(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = managed_project(ctx, request)?;
    subscribe(ctx, request, project_id)
}

/// Subscribes the body's URL to the verdicts of `project_id`.
fn subscribe(ctx: &mut Ctx<'_>, request: &Request, project_id: String) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let url = opt_url(&body, "url")?
        .ok_or_else(|| FieldError::new("url", "url is required (an absolute http or https URL)"))?;
    if present(&body, "event").is_some()
        && opt_string(&body, "", "event", 20)?.as_deref() != Some("verdict")
    {
        return Err(FieldError::new("event", "event must be \"verdict\"").into());
    }
    let (hook, created) = hooks::subscribe(ctx, &project_id, &url)?;
    Ok(Reply::json(if created { 201 } else { 200 }, &hook))
}

/// `GET`: the project's subscriptions, oldest first.
pub fn list(ctx: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    let hooks = review_hooks::list(ctx.db(), &key_project(ctx)?)?;
    Ok(Reply::json(200, &hooks))
}

/// `GET /api/v1/projects/{id}/hooks`: [`list`] for an owner or admin.
pub fn list_in_project(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let hooks = review_hooks::list(ctx.db(), &managed_project(ctx, request)?)?;
    Ok(Reply::json(200, &hooks))
}

/// `DELETE /{id}`: unsubscribes; 404 for an unknown id or another project's hook.
pub fn delete(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = key_project(ctx)?;
    hooks::unsubscribe(ctx, &project_id, request.param("id"))?;
    Ok(Reply::empty(204))
}

/// `DELETE /api/v1/projects/{id}/hooks/{hook_id}`: [`delete`] for an owner or admin.
pub fn delete_in_project(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = managed_project(ctx, request)?;
    hooks::unsubscribe(ctx, &project_id, request.param("hook_id"))?;
    Ok(Reply::empty(204))
}
