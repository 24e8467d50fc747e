//! `/api/v1/hooks` (review-api.md §10.1–10.3): verdict subscriptions, idempotent by URL.

use crate::app::Ctx;
use crate::domain::review::input::{opt_string, opt_url, present};
use crate::domain::validate::FieldError;
use crate::http::{ApiError, Reply, Request};
use crate::service::hooks;
use crate::store::review_hooks;

/// `POST`: subscribes `{url, event?}`; 201 when new, 200 with the existing subscription
/// when the project already has one with exactly that URL.
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = ctx.project_key()?.project_id.clone();
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
    let hooks = review_hooks::list(ctx.db(), &ctx.project_key()?.project_id)?;
    Ok(Reply::json(200, &hooks))
}

/// `DELETE /{id}`: unsubscribes; 404 for an unknown id or another project's hook.
pub fn delete(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = ctx.project_key()?.project_id.clone();
    hooks::unsubscribe(ctx, &project_id, request.param("id"))?;
    Ok(Reply::empty(204))
}
