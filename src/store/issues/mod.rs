//! Issues: the unit of work (docs/engine-api.md#objects), with their labels links.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use serde::Serialize;
use serde_json::value::RawValue;

use super::{enum_column, in_slices, json_as_read, json_column, new_id, required_enum_column};
use crate::clock::Timestamp;
use crate::domain::dispatch::{self, GOAL_ALIGNMENT_BONUS};
use crate::domain::enums::{IssueStatus, IssueType, ReviewStatus, WireEnum};

mod listing;

pub use listing::{
    Filter, Sort, SortKey, catch_up_search_index, list, search_error, search_index_is_behind,
};

/// An issue as the API returns it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Issue {
    /// Opaque id.
    pub id: String,
    /// Global sequence number, from 1.
    pub number: i64,
    /// Title, 1..500 characters.
    pub title: String,
    /// Free text.
    pub description: Option<String>,
    /// What kind of work it is.
    #[serde(rename = "type")]
    pub kind: IssueType,
    /// Where it is in its life.
    pub status: IssueStatus,
    /// 0 (none), 1 (urgent) .. 4 (low).
    pub priority: i64,
    /// The parent issue's id.
    pub parent_id: Option<String>,
    /// The project's id (never validated).
    pub project_id: Option<String>,
    /// Where the signal came from.
    pub signal_source: Option<String>,
    /// The signal's data (a JSON object).
    pub signal_payload: Option<Box<RawValue>>,
    /// `HypothesisData`.
    pub hypothesis: Option<Box<RawValue>>,
    /// The agent session working on it.
    pub agent_session_id: Option<String>,
    /// What the agent reported.
    pub agent_summary: Option<String>,
    /// `CommitRef[]`.
    pub commits: Option<Box<RawValue>>,
    /// `PullRequestRef[]`.
    pub pull_requests: Option<Box<RawValue>>,
    /// When the status last became `done` (null when not done).
    pub completed_at: Option<String>,
    /// When dispatch last handed it to an agent.
    pub claimed_at: Option<String>,
    /// When the current claim lapses unless renewed (null: no lease).
    pub lease_expires_at: Option<String>,
    /// The prompt version dispatch rendered at the latest claim: the one a review of
    /// the work scores.
    pub prompt_version_id: Option<String>,
    /// Where the latest review of the work stands (null: none requested).
    pub review_status: Option<ReviewStatus>,
    /// The review task of the latest review requested.
    pub review_task_id: Option<String>,
    /// The fields a fixer reviewer corrected when approving (`[{label, key?, original,
    /// value, changed}]`).
    pub review_correction: Option<Box<RawValue>>,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// Soft-delete time.
    pub deleted_at: Option<String>,
    /// The lease length of the current claim, in seconds.
    #[serde(skip)]
    pub lease_seconds: Option<i64>,
}

/// The columns [`from_row`] reads, in its order.
pub(super) const COLUMNS: &str = "id, number, title, description, type, status, priority, parent_id, \
    project_id, signal_source, signal_payload, hypothesis, agent_session_id, agent_summary, \
    commits, pull_requests, completed_at, claimed_at, lease_expires_at, created_at, updated_at, \
    deleted_at, lease_seconds, prompt_version_id, review_status, review_task_id, review_correction";

/// 20 points when the issue's project exists (even soft-deleted) and some goal of that
/// project (by the goal's own `projectId`, even soft-deleted) is active; in SQL, for a
/// row of `issues`.
fn goal_bonus_sql() -> String {
    format!(
        "(CASE WHEN issues.project_id IS NOT NULL \
           AND EXISTS (SELECT 1 FROM projects p WHERE p.id = issues.project_id) \
           AND EXISTS (SELECT 1 FROM goals g WHERE g.project_id = issues.project_id AND g.status = 'active') \
         THEN {GOAL_ALIGNMENT_BONUS} ELSE 0 END)"
    )
}

/// An issue from a row of [`COLUMNS`].
pub(super) fn from_row(row: &Row<'_>) -> rusqlite::Result<Issue> {
    Ok(Issue {
        id: row.get(0)?,
        number: row.get(1)?,
        title: row.get(2)?,
        description: row.get(3)?,
        kind: required_enum_column(row, 4)?,
        status: required_enum_column(row, 5)?,
        priority: row.get(6)?,
        parent_id: row.get(7)?,
        project_id: row.get(8)?,
        signal_source: row.get(9)?,
        signal_payload: json_column(row, 10)?,
        hypothesis: json_column(row, 11)?,
        agent_session_id: row.get(12)?,
        agent_summary: row.get(13)?,
        commits: json_column(row, 14)?,
        pull_requests: json_column(row, 15)?,
        completed_at: row.get(16)?,
        claimed_at: row.get(17)?,
        lease_expires_at: row.get(18)?,
        created_at: row.get(19)?,
        updated_at: row.get(20)?,
        deleted_at: row.get(21)?,
        lease_seconds: row.get(22)?,
        prompt_version_id: row.get(23)?,
        review_status: enum_column(row, 24)?,
        review_task_id: row.get(25)?,
        review_correction: json_column(row, 26)?,
    })
}

/// The table's live rows, as the shared queries read them.
const TABLE: super::Table<Issue> = super::Table {
    name: "issues",
    columns: COLUMNS,
    read: from_row,
};

/// What creating an issue stores.
#[derive(Debug, Clone)]
pub struct NewIssue {
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Type.
    pub kind: IssueType,
    /// Initial status.
    pub status: IssueStatus,
    /// Priority 0..4.
    pub priority: i64,
    /// Parent id (already checked by the caller).
    pub parent_id: Option<String>,
    /// Project id.
    pub project_id: Option<String>,
    /// Signal source.
    pub signal_source: Option<String>,
    /// Signal payload, JSON object text.
    pub signal_payload: Option<String>,
    /// Hypothesis, JSON text.
    pub hypothesis: Option<String>,
    /// Completion time (set when created as `done`).
    pub completed_at: Option<Timestamp>,
}

impl NewIssue {
    /// An issue with this title, type, status and priority and nothing else set: what
    /// the engine itself opens (signal triage issues, prompt improvement tasks).
    pub fn new(title: String, kind: IssueType, status: IssueStatus, priority: i64) -> Self {
        Self {
            title,
            description: None,
            kind,
            status,
            priority,
            parent_id: None,
            project_id: None,
            signal_source: None,
            signal_payload: None,
            hypothesis: None,
            completed_at: None,
        }
    }
}

/// Inserts an issue with the next number and returns it.
///
/// The answer is made from `new` and the number SQLite gave the row rather than read
/// back with `RETURNING`, whose temporary table (opened, filled, read and closed for
/// each row) cost a sixth of the insert, under the writer lock.
pub fn insert(conn: &Connection, new: &NewIssue, now: Timestamp) -> super::Result<Issue> {
    let created_ms = now.unix_millis();
    let static_score = dispatch::static_score(new.priority, new.kind, 0);
    let now = now.to_string();
    let id = new_id();
    let completed_at = new.completed_at.map(|t| t.to_string());
    conn.prepare_cached(
        "INSERT INTO issues (id, title, description, type, status, priority, parent_id, \
         project_id, signal_source, signal_payload, hypothesis, completed_at, created_at, updated_at, \
         created_ms, dispatch_static) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15)",
    )?
    .execute(params![
        id,
        new.title,
        new.description,
        new.kind.as_str(),
        new.status.as_str(),
        new.priority,
        new.parent_id,
        new.project_id,
        new.signal_source,
        new.signal_payload,
        new.hypothesis,
        completed_at,
        now,
        created_ms,
        static_score,
    ])?;
    let issue = Issue {
        id,
        number: conn.last_insert_rowid(),
        title: new.title.clone(),
        description: new.description.clone(),
        kind: new.kind,
        status: new.status,
        priority: new.priority,
        parent_id: new.parent_id.clone(),
        project_id: new.project_id.clone(),
        signal_source: new.signal_source.clone(),
        signal_payload: json_as_read(new.signal_payload.as_deref())?,
        hypothesis: json_as_read(new.hypothesis.as_deref())?,
        agent_session_id: None,
        agent_summary: None,
        commits: None,
        pull_requests: None,
        completed_at,
        claimed_at: None,
        lease_expires_at: None,
        created_at: now.clone(),
        updated_at: now,
        deleted_at: None,
        lease_seconds: None,
        prompt_version_id: None,
        review_status: None,
        review_task_id: None,
        review_correction: None,
    };
    if issue.project_id.is_some() {
        refresh_static_score(conn, &issue)?;
    }
    Ok(issue)
}

/// Recomputes an issue's goal bonus and static dispatch score from its current
/// priority, type and project.
fn refresh_static_score(conn: &Connection, issue: &Issue) -> rusqlite::Result<()> {
    let base = dispatch::static_score(issue.priority, issue.kind, 0);
    let bonus = goal_bonus_sql();
    let sql = format!(
        "UPDATE issues SET goal_bonus = {bonus}, dispatch_static = ?1 + {bonus} WHERE id = ?2"
    );
    conn.prepare_cached(&sql)?
        .execute(params![base, issue.id])?;
    Ok(())
}

/// Recomputes the goal bonus of every issue of `project_id`, after a goal or project
/// change that may have given or taken it.
pub fn refresh_goal_bonus(conn: &Connection, project_id: &str) -> super::Result<()> {
    let bonus = goal_bonus_sql();
    let sql = format!(
        "UPDATE issues SET dispatch_static = dispatch_static + {bonus} - goal_bonus, goal_bonus = {bonus} \
         WHERE project_id = ?1"
    );
    conn.prepare_cached(&sql)?.execute([project_id])?;
    Ok(())
}

/// Fills in the dispatch columns of issues stored before they existed (migration 4).
pub fn backfill_dispatch_columns(conn: &Connection) -> super::Result<()> {
    let rows: Vec<(String, String)> = conn
        .prepare("SELECT id, created_at FROM issues")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, created_at) in rows {
        let created_ms = Timestamp::parse_canonical(&created_at).map_or(0, Timestamp::unix_millis);
        conn.execute(
            "UPDATE issues SET created_ms = ?1 WHERE id = ?2",
            params![created_ms, id],
        )?;
        if let Some(issue) = find_any(conn, &id)? {
            refresh_static_score(conn, &issue)?;
        }
    }
    Ok(())
}

/// Links `label_ids` to an issue; repeated ids are stored once.
pub fn add_labels(conn: &Connection, issue_id: &str, label_ids: &[String]) -> super::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO issue_labels (issue_id, label_id) VALUES (?1, ?2)",
    )?;
    for label_id in label_ids {
        stmt.execute(params![issue_id, label_id])?;
    }
    Ok(())
}

/// Makes `label_ids` the issue's labels, replacing those it had; repeated ids are stored
/// once.
pub fn set_labels(conn: &Connection, issue_id: &str, label_ids: &[String]) -> super::Result<()> {
    conn.prepare_cached("DELETE FROM issue_labels WHERE issue_id = ?1")?
        .execute([issue_id])?;
    add_labels(conn, issue_id, label_ids)
}

/// The issue with this id, soft-deleted or not.
pub fn find_any(conn: &Connection, id: &str) -> super::Result<Option<Issue>> {
    let sql = format!("SELECT {COLUMNS} FROM issues WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], from_row)
        .optional()?)
}

/// The issue with this id unless it is soft-deleted.
pub fn find_live(conn: &Connection, id: &str) -> super::Result<Option<Issue>> {
    let sql = format!("SELECT {COLUMNS} FROM issues WHERE id = ?1 AND deleted_at IS NULL");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], from_row)
        .optional()?)
}

/// The issues with these numbers (soft-deleted or not), in the order given; a number
/// no issue has is skipped. The number is the table's rowid, so each is one seek of the
/// table itself, with no index between: the dispatch queue reads its page this way,
/// with the numbers its index gives.
pub fn find_by_numbers(conn: &Connection, numbers: &[i64]) -> super::Result<Vec<Issue>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM issues WHERE number = ?1"))?;
    let mut out = Vec::with_capacity(numbers.len());
    for number in numbers {
        if let Some(issue) = stmt.query_row([number], from_row).optional()? {
            out.push(issue);
        }
    }
    Ok(out)
}

/// Whether any issue row (even soft-deleted) has this id.
pub fn exists(conn: &Connection, id: &str) -> super::Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM issues WHERE id = ?1")?
        .exists([id])?)
}

/// Live issues whose parent is `id`, oldest first.
pub fn children(conn: &Connection, id: &str) -> super::Result<Vec<Issue>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM issues WHERE parent_id = ?1 AND deleted_at IS NULL ORDER BY created_at, number"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_map([id], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// The `limit` most recently updated live issues without a parent (a negative limit:
/// all of them).
pub fn recent_roots(conn: &Connection, limit: i64) -> super::Result<Vec<Issue>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM issues INDEXED BY issues_live_roots_by_update \
         WHERE deleted_at IS NULL AND parent_id IS NULL ORDER BY updated_at DESC, number DESC LIMIT ?1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_map([limit], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Live children of any of `parent_ids` (as many as there are), each parent's oldest
/// first.
pub fn children_of_many(conn: &Connection, parent_ids: &[&str]) -> super::Result<Vec<Issue>> {
    Ok(in_slices(parent_ids, |slice| {
        let marks = vec!["?"; slice.len()].join(", ");
        let sql = format!(
            "SELECT {COLUMNS} FROM issues WHERE parent_id IN ({marks}) AND deleted_at IS NULL \
             ORDER BY created_at, number"
        );
        conn.prepare(&sql)?
            .query_map(params_from_iter(slice.iter()), from_row)?
            .collect()
    })?)
}

/// Live issues other than `issue_id` that share its parent `parent_id`, oldest first.
pub fn siblings(conn: &Connection, issue_id: &str, parent_id: &str) -> super::Result<Vec<Issue>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM issues WHERE parent_id = ?1 AND id != ?2 AND deleted_at IS NULL \
         ORDER BY created_at, number"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_map([parent_id, issue_id], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Whether a live issue under `parent_id` was canceled with an agent summary (a failed
/// agent session among the siblings).
pub fn has_failed_sibling(conn: &Connection, parent_id: &str) -> super::Result<bool> {
    Ok(conn.prepare_cached(
        "SELECT 1 FROM issues WHERE parent_id = ?1 AND deleted_at IS NULL AND status = 'canceled' \
         AND agent_summary IS NOT NULL",
    )?
    .exists([parent_id])?)
}

/// Whether a live issue that is neither done nor canceled has a title starting with
/// `prefix` (case-sensitive).
pub fn open_with_title_prefix(conn: &Connection, prefix: &str) -> super::Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM issues WHERE substr(title, 1, length(?1)) = ?1 AND deleted_at IS NULL \
         AND status NOT IN ('done', 'canceled')",
        )?
        .exists([prefix])?)
}

/// `{id, number, title}` of the issues this issue relates to with relations of `kind`
/// (whatever their status or deletion), in relation order.
pub fn related_refs(conn: &Connection, issue_id: &str, kind: &str) -> super::Result<Vec<IssueRef>> {
    Ok(conn.prepare_cached(
        "SELECT i.id, i.number, i.title FROM issue_relations r JOIN issues i ON i.id = r.related_issue_id \
         WHERE r.issue_id = ?1 AND r.type = ?2 ORDER BY r.rowid",
    )?
    .query_map([issue_id, kind], |row| {
        Ok(IssueRef {
            id: row.get(0)?,
            number: row.get(1)?,
            title: row.get(2)?,
        })
    })?
    .collect::<rusqlite::Result<_>>()?)
}

/// A short reference to an issue, as prompts list blockers.
#[derive(Debug, Clone, Serialize)]
pub struct IssueRef {
    /// Opaque id.
    pub id: String,
    /// Number.
    pub number: i64,
    /// Title.
    pub title: String,
}

/// A partial update: `None` leaves a field alone; for nullable fields `Some(None)` clears it.
#[derive(Debug, Default, Clone)]
pub struct Changes {
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New type.
    pub kind: Option<IssueType>,
    /// New status.
    pub status: Option<IssueStatus>,
    /// New priority.
    pub priority: Option<i64>,
    /// New parent.
    pub parent_id: Option<Option<String>>,
    /// New project.
    pub project_id: Option<Option<String>>,
    /// New signal source.
    pub signal_source: Option<String>,
    /// New signal payload (JSON object text).
    pub signal_payload: Option<String>,
    /// New hypothesis (JSON text).
    pub hypothesis: Option<Option<String>>,
    /// New agent session.
    pub agent_session_id: Option<Option<String>>,
    /// New agent summary.
    pub agent_summary: Option<Option<String>>,
    /// New commits (JSON text).
    pub commits: Option<Option<String>>,
    /// New pull requests (JSON text).
    pub pull_requests: Option<Option<String>>,
    /// New completion time.
    pub completed_at: Option<Option<Timestamp>>,
    /// New lease expiry.
    pub lease_expires_at: Option<Option<Timestamp>>,
}

impl Changes {
    /// The `(column, value)` pairs this update writes.
    fn assignments(&self) -> Vec<(&'static str, SqlValue)> {
        fn text(value: Option<&str>) -> SqlValue {
            value.map_or(SqlValue::Null, |v| SqlValue::Text(v.to_owned()))
        }
        let mut out = Vec::new();
        let mut set = |column: &'static str, value: Option<SqlValue>| {
            if let Some(value) = value {
                out.push((column, value));
            }
        };
        set("title", self.title.as_deref().map(|v| text(Some(v))));
        set(
            "description",
            self.description.as_deref().map(|v| text(Some(v))),
        );
        set("type", self.kind.map(|v| text(Some(v.as_str()))));
        set("status", self.status.map(|v| text(Some(v.as_str()))));
        set("priority", self.priority.map(SqlValue::Integer));
        set(
            "parent_id",
            self.parent_id.as_ref().map(|v| text(v.as_deref())),
        );
        set(
            "project_id",
            self.project_id.as_ref().map(|v| text(v.as_deref())),
        );
        set(
            "signal_source",
            self.signal_source.as_deref().map(|v| text(Some(v))),
        );
        set(
            "signal_payload",
            self.signal_payload.as_deref().map(|v| text(Some(v))),
        );
        set(
            "hypothesis",
            self.hypothesis.as_ref().map(|v| text(v.as_deref())),
        );
        set(
            "agent_session_id",
            self.agent_session_id.as_ref().map(|v| text(v.as_deref())),
        );
        set(
            "agent_summary",
            self.agent_summary.as_ref().map(|v| text(v.as_deref())),
        );
        set("commits", self.commits.as_ref().map(|v| text(v.as_deref())));
        set(
            "pull_requests",
            self.pull_requests.as_ref().map(|v| text(v.as_deref())),
        );
        let time = |v: Option<Timestamp>| text(v.map(|t| t.to_string()).as_deref());
        set("completed_at", self.completed_at.map(time));
        set("lease_expires_at", self.lease_expires_at.map(time));
        out
    }
}

/// Applies `changes` to the live issue `id` and returns the updated row (`None` if there
/// is no such live issue). With nothing to change, the row is returned untouched.
pub fn update(
    conn: &Connection,
    id: &str,
    changes: &Changes,
    now: Timestamp,
) -> super::Result<Option<Issue>> {
    let updated = super::update_live(conn, &TABLE, changes.assignments(), id, now, || {
        find_live(conn, id)
    })?;
    let rank_inputs_changed =
        changes.priority.is_some() || changes.kind.is_some() || changes.project_id.is_some();
    if let Some(issue) = &updated
        && rank_inputs_changed
    {
        refresh_static_score(conn, issue)?;
    }
    Ok(updated)
}

/// Puts the live issue `id` under review by task `task_id`: `in_progress` with no lease
/// (a person, not a lapsed claim, decides what happens next), the review `pending`, and
/// `summary` (when given) as its agent summary. Answers the issue as it is now.
pub fn start_review(
    conn: &Connection,
    id: &str,
    task_id: &str,
    summary: Option<&str>,
    now: Timestamp,
) -> super::Result<Option<Issue>> {
    let sql = format!(
        "UPDATE issues SET status = 'in_progress', completed_at = NULL, lease_expires_at = NULL, \
         lease_seconds = NULL, review_status = 'pending', review_task_id = ?1, \
         agent_summary = COALESCE(?2, agent_summary), updated_at = ?3 \
         WHERE id = ?4 AND deleted_at IS NULL RETURNING {COLUMNS}"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![task_id, summary, now.to_string(), id], from_row)
        .optional()?)
}

/// What a person's verdict does to the issue whose review it settles.
#[derive(Debug, Clone, Copy)]
pub enum Settlement<'a> {
    /// Approved: `done` (completed now unless it already was), with the fields a fixer
    /// reviewer corrected (JSON text), if any.
    Approved {
        /// The corrected fields.
        correction: Option<&'a str>,
    },
    /// Flagged: back to `todo` for another agent, without a lease.
    Flagged,
}

/// Settles the pending review of the live issue `id` by task `task_id`; `false` when
/// the issue is not (or no longer) waiting on that task.
pub fn settle_review(
    conn: &Connection,
    id: &str,
    task_id: &str,
    settlement: Settlement<'_>,
    now: Timestamp,
) -> super::Result<bool> {
    let changed = match settlement {
        Settlement::Approved { correction } => conn
            .prepare_cached(
                "UPDATE issues SET status = 'done', completed_at = CASE WHEN status = 'done' \
                 THEN completed_at ELSE ?1 END, review_status = 'approved', review_correction = ?2, \
                 lease_expires_at = NULL, lease_seconds = NULL, updated_at = ?1 \
                 WHERE id = ?3 AND review_task_id = ?4 AND review_status = 'pending' AND deleted_at IS NULL",
            )?
            .execute(params![now.to_string(), correction, id, task_id])?,
        Settlement::Flagged => conn
            .prepare_cached(
                "UPDATE issues SET status = 'todo', completed_at = NULL, review_status = 'flagged', \
                 lease_expires_at = NULL, lease_seconds = NULL, updated_at = ?1 \
                 WHERE id = ?2 AND review_task_id = ?3 AND review_status = 'pending' AND deleted_at IS NULL",
            )?
            .execute(params![now.to_string(), id, task_id])?,
    };
    Ok(changed > 0)
}

/// Withdraws the pending review whose task `task_id` is going away: the issue keeps its
/// status and may request review again. Answers the id of the issue that was waiting.
pub fn withdraw_review(
    conn: &Connection,
    task_id: &str,
    now: Timestamp,
) -> super::Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "UPDATE issues SET review_status = NULL, review_task_id = NULL, updated_at = ?1 \
             WHERE review_task_id = ?2 AND review_status = 'pending' AND deleted_at IS NULL RETURNING id",
        )?
        .query_row(params![now.to_string(), task_id], |row| row.get(0))
        .optional()?)
}

/// Soft-deletes the live issue `id`; `false` if there was none.
pub fn soft_delete(conn: &Connection, id: &str, now: Timestamp) -> super::Result<bool> {
    Ok(super::soft_delete("issues", conn, id, now)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pagination::Page;

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        super::super::migrate(&mut conn, Timestamp::from_unix_millis(0))
            .unwrap_or_else(|e| panic!("{e}"));
        conn
    }

    /// A database with every migration before `version` applied, and `user_version`
    /// saying so.
    fn db_before(version: u32) -> Connection {
        let conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        let steps = super::super::migrations(super::super::SCHEMA).unwrap_or_default();
        for step in steps.iter().filter(|m| m.version < version) {
            conn.execute_batch(step.sql)
                .unwrap_or_else(|e| panic!("{e}"));
            conn.pragma_update(None, "user_version", step.version)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        conn
    }

    fn add(conn: &Connection, title: &str, description: Option<&str>, at: i64) -> Issue {
        let mut new = NewIssue::new(title.to_owned(), IssueType::Task, IssueStatus::Todo, 3);
        new.description = description.map(str::to_owned);
        insert(conn, &new, Timestamp::from_unix_millis(at)).unwrap_or_else(|e| panic!("{e}"))
    }

    /// An insert answers the row as stored (it is made from what was inserted, not read
    /// back), with every optional column given and with none.
    #[test]
    fn an_insert_answers_the_stored_row() {
        let conn = db();
        let at = Timestamp::from_unix_millis(1_795_580_949_000);
        let parent = add(&conn, "parent", None, 0);
        let full = NewIssue {
            description: Some("what happened".to_owned()),
            parent_id: Some(parent.id.clone()),
            project_id: Some("prj_checkout".to_owned()),
            signal_source: Some("sentry".to_owned()),
            signal_payload: Some(r#"{"event": {"id": 7}}"#.to_owned()),
            hypothesis: Some(r#"{"statement":"s","confidence":0.7}"#.to_owned()),
            completed_at: Some(at),
            ..NewIssue::new("full".to_owned(), IssueType::Signal, IssueStatus::Done, 1)
        };
        let bare = NewIssue::new("bare".to_owned(), IssueType::Task, IssueStatus::Todo, 3);
        for new in [full, bare] {
            let inserted = insert(&conn, &new, at).unwrap_or_else(|e| panic!("{e}"));
            let stored = find_any(&conn, &inserted.id)
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("{} is stored", inserted.id));
            let json =
                |issue: &Issue| serde_json::to_value(issue).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(json(&inserted), json(&stored), "{}", new.title);
        }
    }

    /// The titles a search finds once the index has caught up, as the service searches.
    fn search(conn: &Connection, query: &str) -> Vec<String> {
        catch_up_search_index(conn, u32::MAX).unwrap_or_else(|e| panic!("{e}"));
        search_as_is(conn, query)
    }

    /// The titles a search finds in the index as it stands.
    fn search_as_is(conn: &Connection, query: &str) -> Vec<String> {
        let filter = Filter {
            search: Some(query.to_owned()),
            ..Filter::default()
        };
        let page = Page {
            limit: 50,
            offset: 0,
        };
        let (rows, total) =
            list(conn, &filter, Sort::default(), page).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(usize::try_from(total).ok(), Some(rows.len()));
        rows.into_iter().map(|i| i.title).collect()
    }

    #[test]
    fn the_index_follows_inserts_updates_and_soft_deletes() {
        let conn = db();
        let first = add(&conn, "Checkout crashes", Some("Safari only"), 1);
        add(&conn, "Slow search", None, 2);
        assert_eq!(search(&conn, "crash"), ["Checkout crashes"], "stemmed");
        assert_eq!(search(&conn, "SAFARI"), ["Checkout crashes"]);
        let changes = Changes {
            title: Some("Payment page freezes".to_owned()),
            ..Changes::default()
        };
        update(&conn, &first.id, &changes, Timestamp::from_unix_millis(3))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            search(&conn, "checkout").is_empty(),
            "the old title is gone"
        );
        assert_eq!(search(&conn, "freeze"), ["Payment page freezes"]);
        assert_eq!(search(&conn, "safari"), ["Payment page freezes"]);
        let described = Changes {
            description: Some("Firefox too".to_owned()),
            ..Changes::default()
        };
        update(&conn, &first.id, &described, Timestamp::from_unix_millis(4))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(search(&conn, "safari").is_empty());
        assert_eq!(search(&conn, "firefox"), ["Payment page freezes"]);
        assert!(soft_delete(&conn, &first.id, Timestamp::from_unix_millis(5)).unwrap_or(false));
        assert!(search(&conn, "freezes").is_empty(), "deleted issues leave");
        assert_eq!(search(&conn, "slow"), ["Slow search"]);
    }

    #[test]
    fn writes_wait_until_the_index_catches_up_oldest_first() {
        let conn = db();
        let behind =
            |conn: &Connection| search_index_is_behind(conn).unwrap_or_else(|e| panic!("{e}"));
        let catch_up = |conn: &Connection, limit| {
            catch_up_search_index(conn, limit).unwrap_or_else(|e| panic!("{e}"))
        };
        assert!(!behind(&conn));
        let first = add(&conn, "Checkout crashes", None, 1);
        add(&conn, "Login crashes", None, 2);
        assert!(behind(&conn));
        assert!(
            search_as_is(&conn, "crash").is_empty(),
            "nothing indexed yet"
        );
        assert_eq!(catch_up(&conn, 1), 1);
        assert_eq!(
            search_as_is(&conn, "crash"),
            ["Checkout crashes"],
            "oldest first"
        );
        assert_eq!(catch_up(&conn, 10), 1);
        assert!(!behind(&conn));
        assert_eq!(catch_up(&conn, 10), 0);
        assert!(soft_delete(&conn, &first.id, Timestamp::from_unix_millis(3)).unwrap_or(false));
        assert!(behind(&conn), "a deletion is queued too");
        assert_eq!(
            search_as_is(&conn, "crash").len(),
            1,
            "the deleted issue is not listed"
        );
        assert_eq!(catch_up(&conn, 10), 1);
        assert_eq!(search_as_is(&conn, "crash"), ["Login crashes"]);
    }

    #[test]
    fn title_matches_rank_above_description_matches() {
        let conn = db();
        add(&conn, "Cache warmup", Some("The login page is slow"), 1);
        add(&conn, "Login is slow", None, 2);
        add(&conn, "Unrelated", Some("nothing here"), 3);
        assert_eq!(search(&conn, "login"), ["Login is slow", "Cache warmup"]);
        assert_eq!(search(&conn, "log*"), ["Login is slow", "Cache warmup"]);
        assert_eq!(search(&conn, "\"page is slow\""), ["Cache warmup"]);
    }

    #[test]
    fn malformed_queries_are_named_not_failed() {
        let conn = db();
        add(&conn, "Anything", None, 1);
        for bad in ["\"unterminated", "AND", "a:b", "(x", "foo-bar"] {
            let problem = search_error(&conn, bad).unwrap_or_else(|e| panic!("{bad}: {e}"));
            assert!(problem.is_some(), "{bad} should be refused");
        }
        assert_eq!(search_error(&conn, "\"foo-bar\" any*").ok(), Some(None));
    }

    #[test]
    fn issues_stored_before_the_index_are_backfilled() {
        let mut conn = db_before(11);
        conn.execute_batch(
            "INSERT INTO issues (id, title, description, type, status, priority, created_at, updated_at, deleted_at) VALUES
             ('a', 'Old crash', 'from before', 'task', 'todo', 3, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', NULL),
             ('b', 'Old deleted crash', NULL, 'task', 'todo', 3, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z');",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        super::super::migrate(&mut conn, Timestamp::from_unix_millis(0))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(search(&conn, "crash"), ["Old crash"]);
    }

    /// A new issue changed before the index first reads it is both new and queued; a
    /// batch that takes it from the queue but stops short of it among the new issues
    /// leaves it to be read again as new. Either way it is indexed once, as it now is.
    #[test]
    fn an_issue_both_new_and_queued_is_indexed_once() {
        let conn = db();
        let catch_up =
            |limit| catch_up_search_index(&conn, limit).unwrap_or_else(|e| panic!("{e}"));
        add(&conn, "Checkout crashes", None, 1);
        add(&conn, "Login crashes", None, 2);
        let third = add(&conn, "Search crashes", None, 3);
        let changes = Changes {
            title: Some("Search freezes".to_owned()),
            ..Changes::default()
        };
        update(&conn, &third.id, &changes, Timestamp::from_unix_millis(4))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(catch_up(1), 2, "the queued third and the first new one");
        assert_eq!(search_as_is(&conn, "freezes"), ["Search freezes"]);
        assert_eq!(search_as_is(&conn, "crashes"), ["Checkout crashes"]);
        assert_eq!(catch_up(10), 2, "the second and, again, the third");
        assert_eq!(search_as_is(&conn, "freezes"), ["Search freezes"]);
        assert_eq!(
            search_as_is(&conn, "crashes"),
            ["Checkout crashes", "Login crashes"]
        );
        let indexed: i64 = conn
            .query_row("SELECT COUNT(*) FROM issues_fts", [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(indexed, 3, "one entry each");
        assert!(!search_index_is_behind(&conn).unwrap_or(true));
    }

    /// Issues created before migration 16 and not yet indexed were queued by the insert
    /// trigger it drops: they stay queued, and issues created after it are found by
    /// number.
    #[test]
    fn issues_queued_before_new_ones_were_found_by_number_are_indexed() {
        let mut conn = db_before(16);
        add(&conn, "Indexed crash", None, 1);
        // As migration 15's catch-up indexed it.
        conn.execute_batch(
            "INSERT INTO issues_fts (rowid, title, description) SELECT number, title, '' FROM issues;
             DELETE FROM issues_fts_pending;",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        add(&conn, "Queued crash", None, 2);
        super::super::migrate(&mut conn, Timestamp::from_unix_millis(0))
            .unwrap_or_else(|e| panic!("{e}"));
        add(&conn, "New crash", None, 3);
        assert!(search_index_is_behind(&conn).unwrap_or(false));
        assert_eq!(
            catch_up_search_index(&conn, 10).unwrap_or_else(|e| panic!("{e}")),
            2,
            "the queued one and the new one, not the one indexed before"
        );
        let mut found = search(&conn, "crash");
        found.sort();
        assert_eq!(found, ["Indexed crash", "New crash", "Queued crash"]);
        let queued: i64 = conn
            .query_row("SELECT COUNT(*) FROM issues_fts_pending", [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(queued, 0, "new issues are not queued");
    }

    #[test]
    fn sorting_by_a_key_and_reversed() {
        let conn = db();
        let urgent = add(&conn, "b urgent", None, 1);
        let none = add(&conn, "a none", None, 2);
        let low = add(&conn, "c low", None, 3);
        for (issue, priority) in [(&urgent, 1), (&none, 0), (&low, 4)] {
            let changes = Changes {
                priority: Some(priority),
                ..Changes::default()
            };
            update(&conn, &issue.id, &changes, Timestamp::from_unix_millis(9))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let titles = |key, descending| {
            let page = Page {
                limit: 50,
                offset: 0,
            };
            let sort = Sort {
                key: Some(key),
                descending,
            };
            list(&conn, &Filter::default(), sort, page)
                .unwrap_or_else(|e| panic!("{e}"))
                .0
                .into_iter()
                .map(|i| i.title)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            titles(SortKey::Title, false),
            ["a none", "b urgent", "c low"]
        );
        assert_eq!(
            titles(SortKey::Title, true),
            ["c low", "b urgent", "a none"]
        );
        assert_eq!(
            titles(SortKey::Priority, false),
            ["b urgent", "c low", "a none"],
            "urgent first, none last"
        );
        assert_eq!(
            titles(SortKey::Priority, true),
            ["a none", "c low", "b urgent"]
        );
    }
}
