//! The reviewers' routes (docs/review-api.md#reviewing): take the next card, decide
//! it or skip it (see [`queue`]), and see one's own score.

use serde_json::{Map, Value, json};

use crate::app::Ctx;
use crate::domain::enums::{Module, WireEnum as _};
use crate::domain::review::input::{opt_string, present};
use crate::domain::review::scoring;
use crate::domain::validate::FieldError;
use crate::http::{ApiError, Reply, Request};
use crate::service::queue::{self, Decided};
use crate::service::verdicts;
use crate::store::review_queue::Scope;
use crate::store::review_tasks;
use crate::store::task_reviews::{self, Tally};
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

/// `POST /api/v1/review/next` `{project_id?, modules?}`: leases the next card to the
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
    let leased = queue::next(ctx, &scope)?;
    let Some(assignment) = leased else {
        return Ok(Reply::empty(204));
    };
    let task = review_tasks::find_by_id(ctx.db(), &assignment.task_id)?
        .ok_or_else(|| ApiError::Internal("a leased task vanished".to_owned()))?;
    let view = verdicts::view_of(&task)?;
    Ok(Reply::json(
        200,
        &json!({
            "assignment_id": assignment.id,
            "lease_expires_at": assignment.lease_expires_at,
            "task": {
                "id": task.id,
                "module": task.module,
                "game": view.game,
                "mode": task.mode,
                "source": task.source,
                "card": task.card,
                "view": view,
                "created_at": task.created_at,
                "deadline": if assignment.calibration { None } else { task.expires_at.clone() },
            }
        }),
    ))
}

/// `POST /api/v1/review/assignments/{id}/decision`: records the decision, scores it,
/// and resolves the task when consensus is reached.
pub fn decide(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let user = reviewer(ctx)?;
    let body = request.json_object()?;
    let Decided { xp, streak } = queue::decide(ctx, &user, request.param("id"), &body)?;
    Ok(Reply::json(
        200,
        &json!({"accepted": true, "xp_awarded": xp, "streak": streak, "feedback": null}),
    ))
}

/// `POST /api/v1/review/assignments/{id}/skip`: gives the card back; it is not offered
/// to this reviewer again.
pub fn skip(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let user = reviewer(ctx)?;
    queue::skip(ctx, &user, request.param("id"))?;
    Ok(Reply::empty(204))
}

/// A reviewer's metrics (docs/review-api.md#scoring, docs/review-api.md#reviewing). Decoys are not planted yet, so `catch_rate` is
/// `null` and the trust score rests on golden tasks alone.
pub fn stats_json(tally: &Tally) -> Value {
    json!({
        "xp": tally.xp,
        "level": scoring::level(tally.xp),
        "streak": tally.streak,
        "best_streak": tally.best_streak,
        "reviews": tally.reviews,
        "accuracy": scoring::ratio(tally.golden_correct, tally.golden_scored),
        "catch_rate": null,
        "agreement": scoring::ratio(tally.consensus_agreed, tally.consensus_reviews),
        "trust_score": scoring::trust_score(tally.golden_correct, tally.golden_scored),
        "badges": []
    })
}

/// `GET /api/v1/review/stats`: the signed-in user's own metrics.
pub fn stats(ctx: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    let tally = task_reviews::tally(ctx.db(), &ctx.user()?.id, None)?;
    Ok(Reply::json(200, &stats_json(&tally)))
}
