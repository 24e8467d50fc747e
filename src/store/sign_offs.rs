//! Sign-offs: each review an issue's work was sent to, with the prompt version that
//! produced the work and, once settled, the verdict (the approval rate per version is
//! counted from these).

use rusqlite::{Connection, OptionalExtension, params};

use super::enum_column;
use crate::clock::Timestamp;
use crate::domain::enums::{ReviewStatus, WireEnum};

/// One review requested for an issue's work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOff {
    /// The review task.
    pub task_id: String,
    /// The issue whose work it reviews.
    pub issue_id: String,
    /// The prompt version that produced the work (`None`: no template applied).
    pub prompt_version_id: Option<String>,
    /// `Approved` or `Flagged` once settled.
    pub outcome: Option<ReviewStatus>,
}

/// Records that task `task_id` reviews the work `prompt_version_id` produced on issue
/// `issue_id`.
pub fn insert(
    conn: &Connection,
    task_id: &str,
    issue_id: &str,
    prompt_version_id: Option<&str>,
    now: Timestamp,
) -> super::Result<()> {
    conn.prepare_cached(
        "INSERT INTO sign_offs (task_id, issue_id, prompt_version_id, requested_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![task_id, issue_id, prompt_version_id, now.to_string()])?;
    Ok(())
}

/// The sign-off task `task_id` belongs to, if it is one.
pub fn find(conn: &Connection, task_id: &str) -> super::Result<Option<SignOff>> {
    Ok(conn
        .prepare_cached(
            "SELECT task_id, issue_id, prompt_version_id, outcome FROM sign_offs WHERE task_id = ?1",
        )?
        .query_row([task_id], |row| {
            Ok(SignOff {
                task_id: row.get(0)?,
                issue_id: row.get(1)?,
                prompt_version_id: row.get(2)?,
                outcome: enum_column(row, 3)?,
            })
        })
        .optional()?)
}

/// Records the verdict (`Approved` or `Flagged`) that settled sign-off `task_id`.
pub fn settle(
    conn: &Connection,
    task_id: &str,
    outcome: ReviewStatus,
    now: Timestamp,
) -> super::Result<()> {
    conn.prepare_cached("UPDATE sign_offs SET outcome = ?1, settled_at = ?2 WHERE task_id = ?3")?
        .execute(params![outcome.as_str(), now.to_string(), task_id])?;
    Ok(())
}
