//! Reviewers' decisions (docs/review-api.md#consensus-and-escalation, docs/review-api.md#golden-tasks, docs/review-api.md#the-task-object, docs/review-api.md#scoring): what each reviewer decided
//! on each task, how it scored, and the per-reviewer metrics built from them.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::Value;

use super::{enum_column, new_id, required_enum_column};
use crate::clock::Timestamp;
use crate::domain::enums::{Decision, Severity, WireEnum};
use crate::domain::review::decision::Outcome;

/// A decision about to be stored.
pub struct NewReview<'a> {
    /// The task.
    pub task_id: &'a str,
    /// The lease it was made under.
    pub assignment_id: &'a str,
    /// The task's project.
    pub project_id: &'a str,
    /// Who decided.
    pub reviewer_id: &'a str,
    /// What they decided.
    pub outcome: &'a Outcome,
    /// Milliseconds from lease to decision.
    pub decision_ms: i64,
    /// Whether it takes part in the task's consensus.
    pub counted: bool,
    /// For golden tasks: whether it matched the answer (`None`: abstained or not golden).
    pub golden_correct: Option<bool>,
    /// XP earned.
    pub xp: i64,
    /// The reviewer's streak after it.
    pub streak: i64,
}

/// Stores a decision.
pub fn insert(conn: &Connection, review: &NewReview<'_>, now: Timestamp) -> super::Result<()> {
    let outcome = review.outcome;
    conn.prepare_cached(
        "INSERT INTO task_reviews (id, task_id, assignment_id, project_id, reviewer_id, decision, verdict, \
         choice, reason, severity, detail, decision_ms, counted, golden_correct, xp, streak, reviewed_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        new_id(),
        review.task_id,
        review.assignment_id,
        review.project_id,
        review.reviewer_id,
        outcome.decision.as_str(),
        outcome.verdict,
        outcome.choice,
        outcome.reason,
        outcome.severity.map(WireEnum::as_str),
        outcome.detail.as_ref().map(Value::to_string),
        review.decision_ms,
        review.counted,
        review.golden_correct,
        review.xp,
        review.streak,
        now.to_string(),
    ])?;
    Ok(())
}

/// The outcomes of the reviews that count towards task `task_id`'s consensus, oldest
/// first.
pub fn counted_outcomes(conn: &Connection, task_id: &str) -> super::Result<Vec<Outcome>> {
    Ok(conn
        .prepare_cached(
            "SELECT decision, verdict, choice, reason, severity, detail FROM task_reviews \
         WHERE task_id = ?1 AND counted = 1 ORDER BY reviewed_at, rowid",
        )?
        .query_map([task_id], |row| {
            let detail: Option<String> = row.get(5)?;
            Ok(Outcome {
                decision: required_enum_column::<Decision>(row, 0)?,
                verdict: row.get(1)?,
                choice: row.get(2)?,
                reason: row.get(3)?,
                severity: enum_column::<Severity>(row, 4)?,
                detail: detail.and_then(|d| serde_json::from_str(&d).ok()),
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// The reviewer's current streak (after their latest decision).
pub fn current_streak(conn: &Connection, reviewer_id: &str) -> super::Result<i64> {
    Ok(conn.prepare_cached(
        "SELECT streak FROM task_reviews WHERE reviewer_id = ?1 ORDER BY reviewed_at DESC, rowid DESC LIMIT 1",
    )?
    .query_row([reviewer_id], |row| row.get(0))
    .optional()
    .map(Option::unwrap_or_default)?)
}

/// A user as other people see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRef {
    /// Opaque id.
    pub id: String,
    /// Public name.
    pub handle: String,
}

/// One review as task reads show it (docs/review-api.md#the-task-object).
#[derive(Debug, Clone, Serialize)]
pub struct ReviewEntry {
    /// Who decided.
    pub reviewer: UserRef,
    /// What they decided.
    pub decision: Decision,
    /// `true` approved, `false` flagged, `None` escalated.
    pub verdict: Option<bool>,
    /// The module's choice.
    pub choice: Option<String>,
    /// Why it was flagged or escalated.
    pub reason: Option<String>,
    /// How bad a flagged problem is.
    pub severity: Option<Severity>,
    /// When.
    pub reviewed_at: String,
    /// Milliseconds from lease to decision.
    pub decision_ms: i64,
    #[serde(skip)]
    task_id: String,
}

fn entry(row: &Row<'_>) -> rusqlite::Result<ReviewEntry> {
    Ok(ReviewEntry {
        task_id: row.get(0)?,
        reviewer: UserRef {
            id: row.get(1)?,
            handle: row.get(2)?,
        },
        decision: required_enum_column(row, 3)?,
        verdict: row.get(4)?,
        choice: row.get(5)?,
        reason: row.get(6)?,
        severity: enum_column(row, 7)?,
        reviewed_at: row.get(8)?,
        decision_ms: row.get(9)?,
    })
}

/// The counted reviews of each of `task_ids`, oldest first, in one query.
pub fn for_tasks(
    conn: &Connection,
    task_ids: &[&str],
) -> super::Result<HashMap<String, Vec<ReviewEntry>>> {
    let mut out: HashMap<String, Vec<ReviewEntry>> = HashMap::new();
    if task_ids.is_empty() {
        return Ok(out);
    }
    let ids = super::json_array(task_ids);
    let rows = conn
        .prepare_cached(
            "SELECT r.task_id, u.id, u.handle, r.decision, r.verdict, r.choice, r.reason, r.severity, \
             r.reviewed_at, r.decision_ms FROM task_reviews r JOIN users u ON u.id = r.reviewer_id \
             WHERE r.task_id IN (SELECT value FROM json_each(?1)) AND r.counted = 1 \
             ORDER BY r.reviewed_at, r.rowid",
        )?
        .query_map([ids], entry)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for review in rows {
        out.entry(review.task_id.clone()).or_default().push(review);
    }
    Ok(out)
}

/// The public names of `user_ids` (deleted users included: their reviews stay).
pub fn user_refs(conn: &Connection, user_ids: &[&str]) -> super::Result<HashMap<String, UserRef>> {
    if user_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids = super::json_array(user_ids);
    Ok(conn
        .prepare_cached(
            "SELECT id, handle FROM users WHERE id IN (SELECT value FROM json_each(?1))",
        )?
        .query_map([ids], |row| {
            let user = UserRef {
                id: row.get(0)?,
                handle: row.get(1)?,
            };
            Ok((user.id.clone(), user))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// Raw counts behind a reviewer's metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Decisions made.
    pub reviews: i64,
    /// XP earned in total.
    pub xp: i64,
    /// The streak after the latest decision.
    pub streak: i64,
    /// The longest streak.
    pub best_streak: i64,
    /// Golden reviews scored (escalations abstain).
    pub golden_scored: i64,
    /// Golden reviews that matched the answer.
    pub golden_correct: i64,
    /// Counted reviews on multi-review tasks with a final verdict reached by people.
    pub consensus_reviews: i64,
    /// Of those, the ones matching that verdict.
    pub consensus_agreed: i64,
}

/// The tally of `reviewer_id`'s decisions, in `project_id` only when given.
pub fn tally(
    conn: &Connection,
    reviewer_id: &str,
    project_id: Option<&str>,
) -> super::Result<Tally> {
    let mut tally = conn
        .prepare_cached(
            "SELECT COUNT(*), COALESCE(SUM(xp), 0), COALESCE(MAX(streak), 0), \
             COALESCE(SUM(golden_correct IS NOT NULL), 0), COALESCE(SUM(golden_correct = 1), 0) \
             FROM task_reviews WHERE reviewer_id = ?1 AND (?2 IS NULL OR project_id = ?2)",
        )?
        .query_row(params![reviewer_id, project_id], |row| {
            Ok(Tally {
                reviews: row.get(0)?,
                xp: row.get(1)?,
                best_streak: row.get(2)?,
                golden_scored: row.get(3)?,
                golden_correct: row.get(4)?,
                ..Tally::default()
            })
        })?;
    tally.streak = current_streak(conn, reviewer_id)?;
    (tally.consensus_reviews, tally.consensus_agreed) = conn
        .prepare_cached(
            "SELECT COUNT(*), COALESCE(SUM(r.verdict = t.verdict AND \
               CASE WHEN t.module = 'sorter' THEN lower(trim(r.choice)) IS lower(trim(t.verdict_choice)) \
                    ELSE r.choice IS t.verdict_choice END), 0) \
             FROM task_reviews r JOIN review_tasks t ON t.id = r.task_id \
             WHERE r.reviewer_id = ?1 AND (?2 IS NULL OR r.project_id = ?2) AND r.counted = 1 \
             AND t.reviews_required > 1 AND t.verdict IS NOT NULL AND t.timed_out = 0",
        )?
        .query_row(params![reviewer_id, project_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(tally)
}
