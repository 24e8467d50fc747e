//! The review queue (docs/review-api.md#reviewing, docs/reviewer-quality.md): a
//! reviewer is dealt the next card (or gets back the one they hold) — a task, a golden
//! task mixed in, or a decoy, as the card's draw says — then decides it or skips it. A
//! decision is checked against the card's game, scored (golden tasks, decoys, streaks,
//! XP), appended to the project's audit chain and — for a task, once enough reviewers
//! agree — resolves the task, all in one transaction. Tasks and decoys answer in the
//! same shape, with ids of the same form, after the same lookups.

use rusqlite::Connection;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::app::Ctx;
use crate::clock::Timestamp;
use crate::domain::enums::{AuditKind, Module, ReviewMode, TaskStatus};
use crate::domain::review::audit::PlantedRecord;
use crate::domain::review::content::View;
use crate::domain::review::{decision, plant, resolution, scoring};
use crate::error::ApiError;
use crate::service::audit::{self, Judged, Recorded};
use crate::service::decoys;
use crate::service::verdicts::{self, view_of};
use crate::store::decoys::Decoy;
use crate::store::review_queue::{self, Assignment, Scope};
use crate::store::task_reviews::{self, NewReview};
use crate::store::users::User;
use crate::store::{decoys as decoy_store, review_tasks};

/// How long a reviewer holds a card before it goes back to the queue: five minutes.
pub const LEASE_MS: i64 = 5 * 60 * 1000;

/// A card dealt to a reviewer, task or decoy alike.
#[derive(Debug, Serialize)]
pub struct Card {
    /// The lease to decide or skip it under.
    pub assignment_id: String,
    /// When the lease ends.
    pub lease_expires_at: String,
    /// What to review.
    pub task: CardTask,
}

/// What a card shows: never whether it is golden or a decoy.
#[derive(Debug, Serialize)]
pub struct CardTask {
    /// The task's id (a decoy's own, of the same form).
    pub id: String,
    /// The task's module.
    pub module: Module,
    /// The game it is played as: the module, or swiper when the module's own inputs
    /// are missing.
    pub game: Module,
    /// Gate or monitor.
    pub mode: ReviewMode,
    /// Origin tag.
    pub source: Option<String>,
    /// Display hints as sent.
    pub card: Option<Box<RawValue>>,
    /// The game's inputs.
    pub view: View,
    /// Creation time.
    pub created_at: String,
    /// The gate deadline (`None` for monitor and calibration cards).
    pub deadline: Option<String>,
}

/// The reply to a decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    /// What it earned.
    pub recorded: Recorded,
    /// On a decoy: what the reviewer is told of it (`None` on a task).
    pub decoy: Option<DecoyFeedback>,
}

/// What a reviewer learns after deciding a decoy: whether they caught its planted
/// error, and what the error was, so that a miss teaches what to look for.
#[derive(Debug, Clone, PartialEq)]
pub struct DecoyFeedback {
    /// Whether the decision caught it (a flag that finds it; approvals and escalations
    /// do not).
    pub caught: bool,
    /// The error planted.
    pub change: plant::Change,
    /// The word it sits in, before and after ([`plant::in_context`]).
    pub in_context: Option<(String, String)>,
}

/// A reviewer's lease: on a task or on a decoy.
enum Lease {
    Task(Assignment),
    Decoy(Box<Decoy>),
}

impl Lease {
    fn owner(&self) -> &str {
        match self {
            Self::Task(a) => &a.user_id,
            Self::Decoy(d) => &d.user_id,
        }
    }

    fn live(&self, now: Timestamp) -> bool {
        let (state, expires) = match self {
            Self::Task(a) => (&a.state, &a.lease_expires_at),
            Self::Decoy(d) => (&d.state, &d.lease_expires_at),
        };
        state == "leased" && Timestamp::parse_canonical(expires).is_some_and(|end| end > now)
    }
}

/// The card of a task lease.
fn task_card(conn: &Connection, assignment: &Assignment) -> Result<Card, ApiError> {
    let task = review_tasks::find_by_id(conn, &assignment.task_id)?
        .ok_or_else(|| ApiError::Internal("a leased task vanished".to_owned()))?;
    let view = view_of(&task)?;
    Ok(Card {
        assignment_id: assignment.id.clone(),
        lease_expires_at: assignment.lease_expires_at.clone(),
        task: CardTask {
            id: task.id,
            module: task.module,
            game: view.game,
            mode: task.mode,
            source: task.source,
            card: task.card,
            view,
            created_at: task.created_at,
            deadline: if assignment.calibration {
                None
            } else {
                task.expires_at
            },
        },
    })
}

/// The card of a decoy lease.
fn decoy_card(decoy: &Decoy) -> Result<Card, ApiError> {
    let (shown, _) =
        decoys::stored(decoy)?.ok_or(ApiError::Conflict("the task is no longer pending"))?;
    let card = match &decoy.card {
        Some(card) => Some(
            RawValue::from_string(card.clone())
                .map_err(|e| ApiError::Internal(format!("stored card of decoy: {e}")))?,
        ),
        None => None,
    };
    Ok(Card {
        assignment_id: decoy.assignment_id.clone(),
        lease_expires_at: decoy.lease_expires_at.clone(),
        task: CardTask {
            id: decoy.id.clone(),
            module: decoy.module,
            game: decoy.game,
            mode: decoy.mode,
            source: decoy.source.clone(),
            card,
            view: shown.view,
            created_at: decoy.created_at.clone(),
            deadline: decoy.deadline.clone(),
        },
    })
}

/// The card the reviewer holds in `scope`, task or decoy (the older lease first).
fn held(conn: &Connection, scope: &Scope<'_>, now: Timestamp) -> Result<Option<Card>, ApiError> {
    let task = review_queue::live_lease(conn, scope, now)?;
    let decoy = decoy_store::live_lease(conn, scope.user_id, scope.project_id, scope.modules, now)?;
    match (task, decoy) {
        (Some(task), Some(decoy)) if decoy.leased_at < task.leased_at => {
            decoy_card(&decoy).map(Some)
        }
        (Some(task), _) => task_card(conn, &task).map(Some),
        (None, Some(decoy)) => decoy_card(&decoy).map(Some),
        (None, None) => Ok(None),
    }
}

/// Deals the next card in `scope` to its user, or gives back the card they hold; `None`
/// when there is none. The next pending task (gate tasks by deadline, then monitor tasks
/// oldest first) is dealt unless its draw makes the card a decoy (one can be planted) or
/// mixes in a golden task (one is waiting); with no pending task, a golden task to
/// calibrate on, if any.
pub fn next(ctx: &mut Ctx<'_>, scope: &Scope<'_>) -> Result<Option<Card>, ApiError> {
    ctx.write(|tx, now| {
        if let Some(card) = held(tx, scope, now)? {
            return Ok(Some(card));
        }
        let expires = now.plus_millis(LEASE_MS);
        let Some(queued) = review_queue::next_pending(tx, scope, now)? else {
            let Some(golden) = review_queue::next_calibration(tx, scope, now)? else {
                return Ok(None);
            };
            let drawn = decoys::draw_next(tx, &golden.project_id, scope.user_id)?;
            let lease = review_queue::lease(
                tx,
                &golden.task_id,
                scope.user_id,
                true,
                drawn.dealt,
                now,
                expires,
            )?;
            return task_card(tx, &lease).map(Some);
        };
        let drawn = decoys::draw_next(tx, &queued.project_id, scope.user_id)?;
        let sources = decoys::sources(tx, &queued.project_id, scope.user_id, scope)?;
        let next = review_tasks::find_by_id(tx, &queued.task_id)?
            .ok_or_else(|| ApiError::Internal("a queued task vanished".to_owned()))?;
        if drawn.dealt.probe
            && let Some(decoy) =
                decoys::plant_in_place_of(tx, &next, scope.user_id, &sources, &drawn, now, expires)?
        {
            return decoy_card(&decoy).map(Some);
        }
        let in_project = Scope {
            project_id: Some(&queued.project_id),
            ..scope.clone()
        };
        let golden = match drawn.golden {
            true => review_queue::next_calibration(tx, &in_project, now)?,
            false => None,
        };
        let (task_id, calibration) = match &golden {
            Some(golden) => (&golden.task_id, true),
            None => (&queued.task_id, false),
        };
        let lease = review_queue::lease(
            tx,
            task_id,
            scope.user_id,
            calibration,
            drawn.dealt,
            now,
            expires,
        )?;
        task_card(tx, &lease).map(Some)
    })
}

/// The lease `id`, on a task or a decoy: both are looked up whichever it is.
fn find_lease(conn: &Connection, id: &str) -> Result<Option<Lease>, ApiError> {
    let task = review_queue::find(conn, id)?;
    let decoy = decoy_store::find_by_assignment(conn, id)?;
    Ok(task
        .map(Lease::Task)
        .or_else(|| decoy.map(|d| Lease::Decoy(Box::new(d)))))
}

/// The reviewer's own live lease `id`: 404 if there is no such lease, 409 if it is
/// someone else's, or no longer live.
fn own_live_lease(
    conn: &Connection,
    id: &str,
    user: &User,
    now: Timestamp,
) -> Result<Lease, ApiError> {
    let lease = find_lease(conn, id)?.ok_or(ApiError::NotFound("assignment not found"))?;
    if lease.owner() != user.id {
        return Err(ApiError::Conflict(
            "this card is leased to another reviewer",
        ));
    }
    if !lease.live(now) {
        return Err(ApiError::Conflict(
            "the lease on this card has ended; ask for the next card",
        ));
    }
    Ok(lease)
}

/// Records `user`'s decision `body` on their lease `id`, scores it and appends it to the
/// audit chain; on a task, resolves it (waking the delivery thread) when the counted
/// decisions reach consensus; on a decoy, changes nothing else.
pub fn decide(
    ctx: &mut Ctx<'_>,
    user: &User,
    id: &str,
    body: &Map<String, Value>,
) -> Result<Decided, ApiError> {
    let (decided, queued) = ctx.write(|tx, now| match own_live_lease(tx, id, user, now)? {
        Lease::Task(assignment) => decide_task(tx, user, &assignment, body, now),
        Lease::Decoy(decoy) => decide_decoy(tx, user, &decoy, body, now),
    })?;
    ctx.app().outbox.notify(queued);
    Ok(decided)
}

/// A decision on a task: scored against a golden answer, counted towards consensus.
fn decide_task(
    tx: &Connection,
    user: &User,
    assignment: &Assignment,
    body: &Map<String, Value>,
    now: Timestamp,
) -> Result<(Decided, Vec<String>), ApiError> {
    let task = review_tasks::find_by_id(tx, &assignment.task_id)?
        .filter(|task| assignment.calibration || task.status == TaskStatus::Pending)
        .ok_or(ApiError::Conflict("the task is no longer pending"))?;
    let view = view_of(&task)?;
    let outcome = decision::parse(&view, body, true)?;
    let answer: Option<Value> = match (&task.answer, task.golden) {
        (Some(answer), true) => serde_json::from_str(answer.get()).ok(),
        _ => None,
    };
    let correct = answer
        .as_ref()
        .and_then(|answer| scoring::golden_correct(view.game, answer, &outcome));
    let recorded = audit::record(
        tx,
        &user.id,
        &Judged {
            project_id: &task.project_id,
            kind: AuditKind::Task,
            item_id: &task.id,
            source_task_id: None,
            assignment_id: &assignment.id,
            outcome: &outcome,
            golden: task.golden,
            correct,
            expected: answer.as_ref(),
            planted: None,
            dealt: assignment.dealt,
        },
        now,
    )?;
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
            xp: recorded.xp_awarded,
            streak: recorded.streak,
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
    Ok((
        Decided {
            recorded,
            decoy: None,
        },
        queued,
    ))
}

/// The right answer to a decoy: flag it.
const DECOY_EXPECTED: &str = "flag";

/// A decision on a decoy: scored on whether it caught the planted error, recorded in the
/// audit chain and the reviewer's scores only.
fn decide_decoy(
    tx: &Connection,
    user: &User,
    decoy: &Decoy,
    body: &Map<String, Value>,
    now: Timestamp,
) -> Result<(Decided, Vec<String>), ApiError> {
    let (shown, change) =
        decoys::stored(decoy)?.ok_or(ApiError::Conflict("the task is no longer pending"))?;
    let outcome = decision::parse(&shown.view, body, true)?;
    let caught = plant::caught(decoy.game, &change, &outcome);
    let expected = Value::String(DECOY_EXPECTED.to_owned());
    let digest = shown.digest();
    let recorded = audit::record(
        tx,
        &user.id,
        &Judged {
            project_id: &decoy.project_id,
            kind: AuditKind::Decoy,
            item_id: &decoy.id,
            source_task_id: Some(&decoy.source_task_id),
            assignment_id: &decoy.assignment_id,
            outcome: &outcome,
            golden: false,
            correct: caught,
            expected: Some(&expected),
            planted: Some(PlantedRecord {
                game: decoy.game,
                change: &change,
                shown_sha256: &digest,
            }),
            dealt: Some(review_queue::Dealt {
                seq: decoy.draw_seq,
                decoy_rate_ppm: decoy.decoy_rate_ppm,
                probe: true,
            }),
        },
        now,
    )?;
    decoy_store::end(tx, &decoy.assignment_id, "decided", now)?;
    Ok((
        Decided {
            recorded,
            decoy: Some(DecoyFeedback {
                caught: caught == Some(true),
                in_context: plant::in_context(&shown, &change),
                change,
            }),
        },
        Vec::new(),
    ))
}

/// `user` gives their lease `id` back (task or decoy); the card is not offered to them
/// again.
pub fn skip(ctx: &mut Ctx<'_>, user: &User, id: &str) -> Result<(), ApiError> {
    ctx.write(|tx, now| {
        match own_live_lease(tx, id, user, now)? {
            Lease::Task(assignment) => review_queue::end(tx, &assignment.id, "skipped", now)?,
            Lease::Decoy(decoy) => decoy_store::end(tx, &decoy.assignment_id, "skipped", now)?,
        }
        Ok(())
    })
}
