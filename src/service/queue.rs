//! The review queue (docs/review-api.md#consensus-and-escalation, docs/review-api.md#reviewing): a reviewer leases the next card (or
//! gets back the one they hold), then decides it or skips it. A decision is checked
//! against the task's game, scored (golden tasks, streaks, XP), and — once enough
//! reviewers agree — resolves the task in the same transaction.

use serde_json::{Map, Value};

use crate::app::Ctx;
use crate::clock::Timestamp;
use crate::domain::enums::TaskStatus;
use crate::domain::review::{decision, resolution, scoring};
use crate::error::ApiError;
use crate::service::verdicts::{self, view_of};
use crate::store::review_queue::{self, Assignment, Scope};
use crate::store::review_tasks;
use crate::store::task_reviews::{self, NewReview};
use crate::store::users::User;

/// How long a reviewer holds a card before it goes back to the queue: five minutes.
pub const LEASE_MS: i64 = 5 * 60 * 1000;

/// What a decision earned.
pub struct Decided {
    /// XP awarded (negative for a missed golden task).
    pub xp: i64,
    /// The reviewer's streak after it.
    pub streak: i64,
}

/// Leases the next card in `scope` to its user, or gives back the lease they hold:
/// pending tasks first, then golden tasks to calibrate on; `None` when there is none.
pub fn next(ctx: &mut Ctx<'_>, scope: &Scope<'_>) -> Result<Option<Assignment>, ApiError> {
    ctx.write(|tx, now| {
        if let Some(held) = review_queue::live_lease(tx, scope, now)? {
            return Ok(Some(held));
        }
        let (task_id, calibration) = match review_queue::next_pending(tx, scope, now)? {
            Some(id) => (id, false),
            None => match review_queue::next_calibration(tx, scope, now)? {
                Some(id) => (id, true),
                None => return Ok(None),
            },
        };
        Ok(Some(review_queue::lease(
            tx,
            &task_id,
            scope.user_id,
            calibration,
            now,
            now.plus_millis(LEASE_MS),
        )?))
    })
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

/// Records `user`'s decision `body` on their lease `id`, scores it, and resolves the
/// task (waking the delivery thread) when the counted decisions reach consensus.
pub fn decide(
    ctx: &mut Ctx<'_>,
    user: &User,
    id: &str,
    body: &Map<String, Value>,
) -> Result<Decided, ApiError> {
    let (decided, queued) = ctx.write(|tx, now| {
        let assignment = own_live_assignment(tx, id, user, now)?;
        let task = review_tasks::find_by_id(tx, &assignment.task_id)?
            .filter(|task| assignment.calibration || task.status == TaskStatus::Pending)
            .ok_or(ApiError::Conflict("the task is no longer pending"))?;
        let view = view_of(&task)?;
        let outcome = decision::parse(&view, body, true)?;
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
        Ok((Decided { xp, streak }, queued))
    })?;
    ctx.app().outbox.notify(queued);
    Ok(decided)
}

/// `user` gives their lease `id` back; the card is not offered to them again.
pub fn skip(ctx: &mut Ctx<'_>, user: &User, id: &str) -> Result<(), ApiError> {
    ctx.write(|tx, now| {
        let assignment = own_live_assignment(tx, id, user, now)?;
        review_queue::end(tx, &assignment.id, "skipped", now)?;
        Ok(())
    })
}
