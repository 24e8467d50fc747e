//! The reviewers' routes (docs/review-api.md#reviewing): take the next card, decide
//! it or skip it (see [`queue`]), and see one's own score.

use serde_json::{Map, Value, json};

use crate::app::Ctx;
use crate::domain::enums::{Module, WireEnum as _};
use crate::domain::review::input::{opt_string, present};
use crate::domain::review::scoring;
use crate::domain::validate::FieldError;
use crate::http::{ApiError, Reply, Request};
use crate::service::audit;
use crate::service::queue::{self, Decided};
use crate::store::review_queue::Scope;
use crate::store::users::User;

const NOT_A_REVIEWER: ApiError = ApiError::Forbidden("viewers cannot review");

/// The signed-in user, if their role may decide tasks.
pub(super) fn reviewer(ctx: &Ctx<'_>) -> Result<User, ApiError> {
    let user = ctx.user()?;
    if user.role.may_review() {
        Ok(user.clone())
    } else {
        Err(NOT_A_REVIEWER)
    }
}

/// The `modules` filter of `/review/next`: a list of game names, as JSON text.
fn modules_filter(body: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    let Some(modules) = present(body, "modules") else {
        return Ok(None);
    };
    let valid = modules.as_array().is_some_and(|items| {
        !items.is_empty()
            && items
                .iter()
                .all(|m| m.as_str().and_then(Module::parse).is_some())
    });
    if valid {
        Ok(Some(modules.to_string()))
    } else {
        Err(FieldError::new(
            "modules",
            "modules must be a list of game names (swiper, versus, …)",
        )
        .into())
    }
}

/// `POST /api/v1/review/next` `{project_id?, modules?}`: deals the next card to the
/// reviewer (or gives back the one they hold); 204 when there is none.
pub fn next(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let user = reviewer(ctx)?;
    let body = request.json_object()?;
    let project_id = opt_string(&body, "", "project_id", 200)?;
    let modules = modules_filter(&body)?;
    let scope = Scope {
        user_id: &user.id,
        every_project: user.role.is_admin(),
        project_id: project_id.as_deref(),
        modules: modules.as_deref(),
    };
    match queue::next(ctx, &scope)? {
        Some(card) => Ok(Reply::json(200, &card)),
        None => Ok(Reply::empty(204)),
    }
}

/// `POST /api/v1/review/assignments/{id}/decision`: records the decision, scores it,
/// and resolves the task when consensus is reached. On a decoy, `feedback` says whether
/// the reviewer caught its planted error and what it was.
pub fn decide(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let user = reviewer(ctx)?;
    let body = request.json_object()?;
    let Decided { recorded, decoy } = queue::decide(ctx, &user, request.param("id"), &body)?;
    let feedback = decoy.map(|d| {
        json!({
            "decoy": true,
            "caught": d.caught,
            "planted": {
                "field": d.change.field,
                "original": d.change.original,
                "planted": d.change.planted,
                "in_context": d.in_context.map(|(original, planted)| json!({"original": original, "planted": planted})),
            },
        })
    });
    Ok(Reply::json(
        200,
        &json!({
            "accepted": true,
            "xp_awarded": recorded.xp_awarded,
            "streak": recorded.streak,
            "feedback": feedback,
            "xp": recorded.totals.xp,
            "level": scoring::level(recorded.totals.xp),
            "badges": scoring::badges(&recorded.totals),
            "new_badges": recorded.new_badges,
        }),
    ))
}

/// `POST /api/v1/review/assignments/{id}/skip`: gives the card back; it is not offered
/// to this reviewer again.
pub fn skip(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let user = reviewer(ctx)?;
    queue::skip(ctx, &user, request.param("id"))?;
    Ok(Reply::empty(204))
}

/// `GET /api/v1/review/stats`: the signed-in user's own metrics over every project.
pub fn stats(ctx: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    let stats = audit::own_stats(ctx.db(), &ctx.user()?.id)?;
    Ok(Reply::json(200, &stats))
}
