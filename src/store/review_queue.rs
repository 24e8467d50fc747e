//! The reviewers' queue (docs/review-api.md#reviewing): tasks leased to one reviewer at a time,
//! gate tasks by deadline first, never a task a reviewer already decided or skipped,
//! and never more live leases on a task than the reviews it still needs.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::new_id;
use crate::clock::Timestamp;

/// A task leased to a reviewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Opaque id.
    pub id: String,
    /// The task.
    pub task_id: String,
    /// The reviewer.
    pub user_id: String,
    /// `leased`, `decided`, `skipped`.
    pub state: String,
    /// A resolved golden task served only to score the reviewer.
    pub calibration: bool,
    /// When the lease began.
    pub leased_at: String,
    /// When the lease ends unless decided.
    pub lease_expires_at: String,
    /// The draw that dealt it (`None` for leases made before draws existed).
    pub dealt: Option<Dealt>,
}

/// The draw that dealt a card (docs/reviewer-quality.md, "The draw").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dealt {
    /// The card's number in the reviewer's draws in its project, from 0.
    pub seq: i64,
    /// The project's decoy rate then (parts per million).
    pub decoy_rate_ppm: i64,
    /// Whether the draw made it a probe (a decoy, unless none could be planted).
    pub probe: bool,
}

const COLUMNS: &str = "id, task_id, user_id, state, calibration, leased_at, lease_expires_at, \
     draw_seq, decoy_rate_ppm, probe";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Assignment> {
    Ok(Assignment {
        id: row.get(0)?,
        task_id: row.get(1)?,
        user_id: row.get(2)?,
        state: row.get(3)?,
        calibration: row.get(4)?,
        leased_at: row.get(5)?,
        lease_expires_at: row.get(6)?,
        dealt: match (row.get(7)?, row.get(8)?, row.get(9)?) {
            (Some(seq), Some(decoy_rate_ppm), Some(probe)) => Some(Dealt {
                seq,
                decoy_rate_ppm,
                probe,
            }),
            _ => None,
        },
    })
}

/// Which tasks a reviewer may be given.
#[derive(Debug, Clone)]
pub struct Scope<'a> {
    /// The reviewer.
    pub user_id: &'a str,
    /// Whether they may review every project (owners and admins), not only their own.
    pub every_project: bool,
    /// Only this project.
    pub project_id: Option<&'a str>,
    /// Only these games (a JSON array of module names).
    pub modules: Option<&'a str>,
}

/// The conditions a task `t` must meet to be in `Scope` ?1 user, ?2 every project, ?3
/// project, ?4 modules.
const IN_SCOPE: &str = "EXISTS (SELECT 1 FROM projects p WHERE p.id = t.project_id AND p.deleted_at IS NULL) \
     AND (?2 OR EXISTS (SELECT 1 FROM project_reviewers pr WHERE pr.project_id = t.project_id AND pr.user_id = ?1)) \
     AND (?3 IS NULL OR t.project_id = ?3) \
     AND (?4 IS NULL OR t.module IN (SELECT value FROM json_each(?4)))";

/// ?1 (the reviewer) has not decided or skipped task `t` and holds no live lease on it
/// (?5: now).
const NOT_SEEN: &str = "NOT EXISTS (SELECT 1 FROM review_assignments a WHERE a.task_id = t.id AND a.user_id = ?1 \
     AND (a.state IN ('decided', 'skipped') OR (a.state = 'leased' AND a.lease_expires_at > ?5)))";

/// Task `t` has fewer live leases than reviews still needed (?5: now).
const ROOM_FOR_A_LEASE: &str = "(SELECT COUNT(*) FROM review_assignments a WHERE a.task_id = t.id \
     AND a.state = 'leased' AND a.lease_expires_at > ?5) \
     < t.reviews_required - (SELECT COUNT(*) FROM task_reviews r WHERE r.task_id = t.id AND r.counted = 1)";

/// The reviewer's live lease in scope, if they hold one (asking again for work gives
/// back the card already in hand).
pub fn live_lease(
    conn: &Connection,
    scope: &Scope<'_>,
    now: Timestamp,
) -> super::Result<Option<Assignment>> {
    let sql = format!(
        "SELECT a.id, a.task_id, a.user_id, a.state, a.calibration, a.leased_at, a.lease_expires_at, \
         a.draw_seq, a.decoy_rate_ppm, a.probe FROM review_assignments a JOIN review_tasks t ON t.id = a.task_id \
         WHERE a.user_id = ?1 AND a.state = 'leased' AND a.lease_expires_at > ?5 \
         AND (t.status = 'pending' OR a.calibration) AND {IN_SCOPE} \
         ORDER BY a.leased_at, a.rowid LIMIT 1"
    );
    Ok(scoped(conn, &sql, scope, now, from_row)?)
}

/// Runs `sql`, whose parameters are the scope's (?1–?4) and `now` (?5), for its first
/// row.
fn scoped<T>(
    conn: &Connection,
    sql: &str,
    scope: &Scope<'_>,
    now: Timestamp,
    read: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Option<T>> {
    conn.prepare_cached(sql)?
        .query_row(
            params![
                scope.user_id,
                scope.every_project,
                scope.project_id,
                scope.modules,
                now.to_string()
            ],
            read,
        )
        .optional()
}

/// A task the queue would deal next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// The task.
    pub task_id: String,
    /// Its project.
    pub project_id: String,
}

fn queued(row: &Row<'_>) -> rusqlite::Result<Queued> {
    Ok(Queued {
        task_id: row.get(0)?,
        project_id: row.get(1)?,
    })
}

/// The next pending task for the reviewer: gate tasks by deadline, then monitor tasks
/// oldest first.
pub fn next_pending(
    conn: &Connection,
    scope: &Scope<'_>,
    now: Timestamp,
) -> super::Result<Option<Queued>> {
    let gates = format!(
        "SELECT t.id, t.project_id FROM review_tasks t INDEXED BY review_tasks_gate_deadlines \
         WHERE t.status = 'pending' AND t.expires_at IS NOT NULL AND {IN_SCOPE} AND {NOT_SEEN} AND {ROOM_FOR_A_LEASE} \
         ORDER BY t.expires_at, t.rowid LIMIT 1"
    );
    if let Some(task) = scoped(conn, &gates, scope, now, queued)? {
        return Ok(Some(task));
    }
    let monitors = format!(
        "SELECT t.id, t.project_id FROM review_tasks t INDEXED BY review_tasks_pending_by_created \
         WHERE t.status = 'pending' AND t.expires_at IS NULL AND {IN_SCOPE} AND {NOT_SEEN} AND {ROOM_FOR_A_LEASE} \
         ORDER BY t.created_at, t.rowid LIMIT 1"
    );
    Ok(scoped(conn, &monitors, scope, now, queued)?)
}

/// A resolved golden task the reviewer has not seen, to calibrate them
/// (docs/review-api.md#golden-tasks: it keeps being mixed into other reviewers' queues,
/// each reviewer at most once): when no real work is waiting, or when the golden rate
/// draws one (docs/reviewer-quality.md#the-draw).
pub fn next_calibration(
    conn: &Connection,
    scope: &Scope<'_>,
    now: Timestamp,
) -> super::Result<Option<Queued>> {
    let sql = format!(
        "SELECT t.id, t.project_id FROM review_tasks t INDEXED BY review_tasks_golden_reviewed \
         WHERE t.golden = 1 AND t.status = 'reviewed' AND {IN_SCOPE} AND {NOT_SEEN} \
         ORDER BY t.created_at, t.rowid LIMIT 1"
    );
    Ok(scoped(conn, &sql, scope, now, queued)?)
}

/// The number of the next card dealt to `user_id` in `project_id` (from 0), counting it
/// as dealt.
pub fn next_draw(conn: &Connection, project_id: &str, user_id: &str) -> super::Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO reviewer_draws (project_id, user_id, next_seq) VALUES (?1, ?2, 1) \
             ON CONFLICT (project_id, user_id) DO UPDATE SET next_seq = next_seq + 1 \
             RETURNING next_seq - 1",
        )?
        .query_row([project_id, user_id], |row| row.get(0))?)
}

/// Leases task `task_id` to `user_id` until `expires_at`, as dealt by `dealt`.
pub fn lease(
    conn: &Connection,
    task_id: &str,
    user_id: &str,
    calibration: bool,
    dealt: Dealt,
    now: Timestamp,
    expires_at: Timestamp,
) -> super::Result<Assignment> {
    let sql = format!(
        "INSERT INTO review_assignments (id, task_id, user_id, state, calibration, leased_at, lease_expires_at, \
         draw_seq, decoy_rate_ppm, probe) VALUES (?1, ?2, ?3, 'leased', ?4, ?5, ?6, ?7, ?8, ?9) RETURNING {COLUMNS}"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(
        params![
            new_id(),
            task_id,
            user_id,
            calibration,
            now.to_string(),
            expires_at.to_string(),
            dealt.seq,
            dealt.decoy_rate_ppm,
            dealt.probe,
        ],
        from_row,
    )?)
}

/// The assignment `id`.
pub fn find(conn: &Connection, id: &str) -> super::Result<Option<Assignment>> {
    let sql = format!("SELECT {COLUMNS} FROM review_assignments WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], from_row)
        .optional()?)
}

/// Ends a live lease as `decided` or `skipped`.
pub fn end(conn: &Connection, id: &str, state: &str, now: Timestamp) -> super::Result<()> {
    conn.prepare_cached("UPDATE review_assignments SET state = ?2, ended_at = ?3 WHERE id = ?1 AND state = 'leased'")?
        .execute(params![id, state, now.to_string()])?;
    Ok(())
}
