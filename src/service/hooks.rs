//! Verdict subscriptions (hooks): idempotent by URL, at most 50 per project.

use crate::app::Ctx;
use crate::domain::validate::FieldError;
use crate::error::ApiError;
use crate::store::review_hooks::{self, Hook};

/// Most subscriptions one project may have.
const MAX_HOOKS_PER_PROJECT: i64 = 50;

/// Subscribes project `project_id` to verdicts at `url`: the new hook and `true`, or
/// the existing one with exactly that URL and `false`.
pub fn subscribe(ctx: &mut Ctx<'_>, project_id: &str, url: &str) -> Result<(Hook, bool), ApiError> {
    ctx.write(|tx, now| {
        if let Some(existing) = review_hooks::find_by_url(tx, project_id, url)? {
            return Ok((existing, false));
        }
        if review_hooks::count(tx, project_id)? >= MAX_HOOKS_PER_PROJECT {
            return Err(
                FieldError::new("url", "a project can have at most 50 hook subscriptions").into(),
            );
        }
        Ok((review_hooks::insert(tx, project_id, url, now)?, true))
    })
}

/// Unsubscribes hook `id` of project `project_id`; 404 for an unknown id or another
/// project's hook.
pub fn unsubscribe(ctx: &mut Ctx<'_>, project_id: &str, id: &str) -> Result<(), ApiError> {
    if ctx.write(|tx, _| Ok(review_hooks::delete(tx, project_id, id)?))? {
        Ok(())
    } else {
        Err(ApiError::NotFound("hook not found"))
    }
}
