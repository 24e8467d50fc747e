//! The reviewers' routes (review-api.md §14.2–14.3, §15.2): take the next card, decide
//! it or skip it, and see one's own score. Decisions are checked against the task's game
//! and, once enough agree (§6), resolve the task in the same transaction.

use serde_json::{Map, Value, json};

use crate::app::Ctx;
use crate::clock::Timestamp;
use crate::domain::enums::{Module, TaskStatus, WireEnum as _};
use crate::domain::review::content::View;
use crate::domain::review::decision;
use crate::domain::review::input::{opt_string, present};
use crate::domain::review::record::Task;
use crate::domain::review::{resolution, scoring};
use crate::domain::validate::FieldError;
use crate::http::{ApiError, Reply, Request};
use crate::store::review_queue::{self, Assignment, Scope};
use crate::store::task_reviews::{self, NewReview, Tally};
use crate::store::users::User;
use crate::store::{review_tasks, verdicts};

/// How long a reviewer holds a card before it goes back to the queue: five minutes.
pub const LEASE_MS: i64 = 5 * 60 * 1000;

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

/// What a reviewer is shown of `task`.
pub(super) fn view_of(task: &Task) -> Result<View, ApiError> {
    let payload: Map<String, Value> = serde_json::from_str(task.payload.get())
        .map_err(|e| ApiError::Internal(format!("stored payload of {}: {e}", task.id)))?;
    let card: Option<Map<String, Value>> = match &task.card {
        Some(card) => serde_json::from_str(card.get()).ok(),
        None => None,
    };
    Ok(View::of(task.module, &payload, card.as_ref()))
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
    let leased = ctx.write(|tx, now| {
        if let Some(held) = review_queue::live_lease(tx, &scope, now)? {
            return Ok(Some(held));
        }
        let (task_id, calibration) = match review_queue::next_pending(tx, &scope, now)? {
            Some(id) => (id, false),
            None => match review_queue::next_calibration(tx, &scope, now)? {
                Some(id) => (id, true),
                None => return Ok(None),
            },
        };
        Ok(Some(review_queue::lease(
            tx,
            &task_id,
            &user.id,
            calibration,
            now,
            now.plus_millis(LEASE_MS),
        )?))
    })?;
    let Some(assignment) = leased else {
        return Ok(Reply::empty(204));
    };
    let task = review_tasks::find_by_id(ctx.db(), &assignment.task_id)?
        .ok_or_else(|| ApiError::Internal("a leased task vanished".to_owned()))?;
    let view = view_of(&task)?;
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

/// The reviewer's own live lease `id`: 404 if there is no such assignment, 409 if it is
/// someone else's, or no longer live.
fn own_live_assignment(
    conn: &rusqlite::Connection,
    id: &str,
    user: &User,
    now: Timestamp,
) -> Result<Assignment, ApiError> {
    let assignment =
        review_queue::find(conn, id)?.ok_or(ApiError::NotFound("assignment not found"))?;
    if assignment.user_id != user.id {
        return Err(ApiError::Conflict(
            "this card is leased to another reviewer",
        ));
    }
    let live = assignment.state == "leased"
        && Timestamp::parse_canonical(&assignment.lease_expires_at).is_some_and(|end| end > now);
    if !live {
        return Err(ApiError::Conflict(
            "the lease on this card has ended; ask for the next card",
        ));
    }
    Ok(assignment)
}

/// `POST /api/v1/review/assignments/{id}/decision`: records the decision, scores it,
/// and resolves the task when consensus is reached.
pub fn decide(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let user = reviewer(ctx)?;
    let body = request.json_object()?;
    let id = request.param("id");
    let (xp, streak, queued) = ctx.write(|tx, now| {
        let assignment = own_live_assignment(tx, id, &user, now)?;
        let task = review_tasks::find_by_id(tx, &assignment.task_id)?
            .filter(|task| assignment.calibration || task.status == TaskStatus::Pending)
            .ok_or(ApiError::Conflict("the task is no longer pending"))?;
        let view = view_of(&task)?;
        let outcome = decision::parse(&view, &body, true)?;
        let correct = match (&task.answer, task.golden) {
            (Some(answer), true) => serde_json::from_str::<Value>(answer.get())
                .ok()
                .and_then(|answer| scoring::golden_correct(view.game, &answer, &outcome)),
            _ => None,
        };
        let (xp, streak) = scoring::award(task_reviews::current_streak(tx, &user.id)?, correct);
        let leased_at = Timestamp::parse_canonical(&assignment.leased_at).unwrap_or(now);
        task_reviews::insert(
            tx,
            &NewReview {
                task_id: &task.id,
                assignment_id: &assignment.id,
                project_id: &task.project_id,
                reviewer_id: &user.id,
                outcome: &outcome,
                decision_ms: (now.unix_millis() - leased_at.unix_millis()).max(0),
                counted: !assignment.calibration,
                golden_correct: correct,
                xp,
                streak,
            },
            now,
        )?;
        review_queue::end(tx, &assignment.id, "decided", now)?;
        let mut queued = Vec::new();
        if !assignment.calibration {
            let outcomes = task_reviews::counted_outcomes(tx, &task.id)?;
            let text = view.text.as_deref().unwrap_or_default();
            if let Some(result) =
                resolution::consensus(view.game, task.reviews_required, text, &outcomes)
            {
                let decider = (task.reviews_required == 1).then_some(user.id.as_str());
                let resolved =
                    verdicts::resolve(tx, &task.id, TaskStatus::Pending, &result, decider, now)?;
                queued = resolved.map(|r| r.delivery_ids).unwrap_or_default();
            }
        }
        Ok((xp, streak, queued))
    })?;
    ctx.app().outbox.notify(queued);
    Ok(Reply::json(
        200,
        &json!({"accepted": true, "xp_awarded": xp, "streak": streak, "feedback": null}),
    ))
}

/// `POST /api/v1/review/assignments/{id}/skip`: gives the card back; it is not offered
/// to this reviewer again.
pub fn skip(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let user = reviewer(ctx)?;
    let id = request.param("id");
    ctx.write(|tx, now| {
        let assignment = own_live_assignment(tx, id, &user, now)?;
        review_queue::end(tx, &assignment.id, "skipped", now)?;
        Ok(())
    })?;
    Ok(Reply::empty(204))
}

/// A reviewer's metrics (§14.6, §15.2). Decoys are not planted yet, so `catch_rate` is
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
