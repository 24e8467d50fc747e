//! Reviewers' decisions (docs/review-api.md#consensus-and-escalation, docs/review-api.md#golden-tasks, docs/review-api.md#the-task-object, docs/review-api.md#scoring): what each reviewer decided
//! on each task, how it scored, and the per-reviewer metrics built from them.

use std::collections::HashMap;

use rusqlite::{Connection, Row, params};
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

/// Whether review `r` matches the final verdict of its task `t` (same verdict and
/// choice; sorter labels compared trimmed and without case), for agreement.
pub(super) const AGREES: &str = "r.verdict = t.verdict AND \
     CASE WHEN t.module = 'sorter' THEN lower(trim(r.choice)) IS lower(trim(t.verdict_choice)) \
     ELSE r.choice IS t.verdict_choice END";

/// Whether review `r` counts for agreement: it took part in the consensus of a
/// multi-review task `t` whose final verdict people reached.
pub(super) const IN_CONSENSUS: &str =
    "r.counted = 1 AND t.reviews_required > 1 AND t.verdict IS NOT NULL AND t.timed_out = 0";

/// `reviewer_id`'s reviews that count for agreement, over every project, and how many
/// matched the final verdict: `(reviews, agreed)`.
pub fn agreement(conn: &Connection, reviewer_id: &str) -> super::Result<(i64, i64)> {
    let sql = format!(
        "SELECT COUNT(*), COALESCE(SUM({AGREES}), 0) FROM task_reviews r \
         JOIN review_tasks t ON t.id = r.task_id WHERE r.reviewer_id = ?1 AND {IN_CONSENSUS}"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([reviewer_id], |row| Ok((row.get(0)?, row.get(1)?)))?)
}
