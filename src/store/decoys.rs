//! Decoys (docs/reviewer-quality.md, "Decoys"): copies of recent cards with one planted
//! error, each dealt to one reviewer and leased like a task. They live apart from review
//! tasks, so no read of tasks, verdicts, deliveries or signals can ever meet one.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::required_enum_column;
use crate::clock::Timestamp;
use crate::domain::enums::{Module, ReviewMode, WireEnum};

/// A decoy as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoy {
    /// The card id the reviewer sees.
    pub id: String,
    /// The lease id the reviewer sees.
    pub assignment_id: String,
    /// The project it was drawn in.
    pub project_id: String,
    /// The reviewer it was dealt to.
    pub user_id: String,
    /// The card's number in the reviewer's draws in the project.
    pub draw_seq: i64,
    /// The decoy rate it was drawn at (parts per million).
    pub decoy_rate_ppm: i64,
    /// The task it copies.
    pub source_task_id: String,
    /// The source task's module, shown as the card's.
    pub module: Module,
    /// The game the source task is played as, and the decoy with it.
    pub game: Module,
    /// Shown as the task's mode.
    pub mode: ReviewMode,
    /// The source task's origin tag.
    pub source: Option<String>,
    /// The card shown (JSON; `None` when it had none, or once erased).
    pub card: Option<String>,
    /// The view shown (JSON; `None` once erased).
    pub view: Option<String>,
    /// The planted change (JSON; `None` once erased).
    pub planted: Option<String>,
    /// Shown as the task's creation time.
    pub created_at: String,
    /// Shown as the task's deadline.
    pub deadline: Option<String>,
    /// `leased`, `decided` or `skipped`.
    pub state: String,
    /// When the lease began.
    pub leased_at: String,
    /// When the lease ends unless decided.
    pub lease_expires_at: String,
}

const COLUMNS: &str = "id, assignment_id, project_id, user_id, draw_seq, decoy_rate_ppm, source_task_id, \
     module, game, mode, source, card, view, planted, created_at, deadline, state, leased_at, lease_expires_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Decoy> {
    Ok(Decoy {
        id: row.get(0)?,
        assignment_id: row.get(1)?,
        project_id: row.get(2)?,
        user_id: row.get(3)?,
        draw_seq: row.get(4)?,
        decoy_rate_ppm: row.get(5)?,
        source_task_id: row.get(6)?,
        module: required_enum_column(row, 7)?,
        game: required_enum_column(row, 8)?,
        mode: required_enum_column(row, 9)?,
        source: row.get(10)?,
        card: row.get(11)?,
        view: row.get(12)?,
        planted: row.get(13)?,
        created_at: row.get(14)?,
        deadline: row.get(15)?,
        state: row.get(16)?,
        leased_at: row.get(17)?,
        lease_expires_at: row.get(18)?,
    })
}

/// Stores a new decoy, leased to its reviewer.
pub fn insert(conn: &Connection, decoy: &Decoy) -> super::Result<()> {
    let sql = format!(
        "INSERT INTO decoys ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, \
         ?13, ?14, ?15, ?16, ?17, ?18, ?19)"
    );
    conn.prepare_cached(&sql)?.execute(params![
        decoy.id,
        decoy.assignment_id,
        decoy.project_id,
        decoy.user_id,
        decoy.draw_seq,
        decoy.decoy_rate_ppm,
        decoy.source_task_id,
        decoy.module.as_str(),
        decoy.game.as_str(),
        decoy.mode.as_str(),
        decoy.source,
        decoy.card,
        decoy.view,
        decoy.planted,
        decoy.created_at,
        decoy.deadline,
        decoy.state,
        decoy.leased_at,
        decoy.lease_expires_at,
    ])?;
    Ok(())
}

/// The decoy leased as `assignment_id`.
pub fn find_by_assignment(conn: &Connection, assignment_id: &str) -> super::Result<Option<Decoy>> {
    let sql = format!("SELECT {COLUMNS} FROM decoys WHERE assignment_id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([assignment_id], from_row)
        .optional()?)
}

/// The decoy `user_id` holds a live lease on, of `project_id` when given: a reviewer who
/// asks again for work gets back the card in hand, decoy or not.
pub fn live_lease(
    conn: &Connection,
    user_id: &str,
    project_id: Option<&str>,
    modules: Option<&str>,
    now: Timestamp,
) -> super::Result<Option<Decoy>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM decoys INDEXED BY decoys_by_user \
         WHERE user_id = ?1 AND state = 'leased' AND lease_expires_at > ?2 \
         AND (?3 IS NULL OR project_id = ?3) AND (?4 IS NULL OR module IN (SELECT value FROM json_each(?4))) \
         ORDER BY leased_at, rowid LIMIT 1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(
            params![user_id, now.to_string(), project_id, modules],
            from_row,
        )
        .optional()?)
}

/// Ends the live lease `assignment_id` as `decided` or `skipped`.
pub fn end(
    conn: &Connection,
    assignment_id: &str,
    state: &str,
    now: Timestamp,
) -> super::Result<()> {
    conn.prepare_cached(
        "UPDATE decoys SET state = ?2, ended_at = ?3 WHERE assignment_id = ?1 AND state = 'leased'",
    )?
    .execute(params![assignment_id, state, now.to_string()])?;
    Ok(())
}

/// Erases what decoys copied from task `task_id` showed (ids and draws stay).
pub fn erase_for_source(conn: &Connection, task_id: &str) -> super::Result<()> {
    conn.prepare_cached(
        "UPDATE decoys SET card = NULL, view = NULL, planted = NULL, source = NULL WHERE source_task_id = ?1",
    )?
    .execute([task_id])?;
    Ok(())
}

/// A task a decoy may copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The task.
    pub task_id: String,
    /// Whether the reviewer has never been dealt it (preferred: they cannot compare).
    pub unseen: bool,
}

/// How far back decoys look for a card to copy.
const RECENT: i64 = 50;

/// The recent tasks of `project_id` a decoy for `user_id` may copy, newest first: not
/// golden, in one of `modules` (a JSON array), and either no longer pending or already
/// dealt to the reviewer (so the copy does not come before the card it copies).
pub fn candidates(
    conn: &Connection,
    project_id: &str,
    user_id: &str,
    modules: &str,
) -> super::Result<Vec<Candidate>> {
    Ok(conn
        .prepare_cached(
            "SELECT t.id, NOT EXISTS (SELECT 1 FROM review_assignments a WHERE a.task_id = t.id AND a.user_id = ?2) \
             FROM review_tasks t INDEXED BY review_tasks_by_project \
             WHERE t.project_id = ?1 AND t.golden = 0 AND t.module IN (SELECT value FROM json_each(?3)) \
             AND (t.status != 'pending' OR EXISTS (SELECT 1 FROM review_assignments a WHERE a.task_id = t.id \
                  AND a.user_id = ?2 AND a.state IN ('decided', 'skipped'))) \
             ORDER BY t.created_at DESC, t.rowid DESC LIMIT ?4",
        )?
        .query_map(params![project_id, user_id, modules, RECENT], |row| {
            Ok(Candidate {
                task_id: row.get(0)?,
                unseen: row.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}
