//! Dispatch queries (loop-api.md §6, DECISIONS 12 and 13): finding the best unblocked
//! `todo` issue along the rank index, the queue preview, claims, and claim leases.

use rusqlite::{Connection, Row, params};

use super::comments::{self, NewComment};
use super::issues::{self, Issue};
use crate::clock::Timestamp;
use crate::domain::dispatch::{self, Best, Breakdown};
use crate::domain::enums::AuthorType;
use crate::domain::pagination::Page;

/// Whether the issue row in scope has a live blocker that is not done or canceled.
const BLOCKED_SQL: &str = "EXISTS (SELECT 1 FROM issue_relations r JOIN issues b ON b.id = r.related_issue_id \
     WHERE r.issue_id = issues.id AND r.type = 'blocked_by' AND b.deleted_at IS NULL \
     AND b.status NOT IN ('done', 'canceled'))";

/// What ranking needs of a candidate.
struct Candidate {
    id: String,
    priority: i64,
    kind: String,
    goal_bonus: i64,
    created_ms: i64,
    rank: i64,
}

fn candidate(row: &Row<'_>) -> rusqlite::Result<(Candidate, bool)> {
    Ok((
        Candidate {
            id: row.get(0)?,
            priority: row.get(1)?,
            kind: row.get(2)?,
            goal_bonus: row.get(3)?,
            created_ms: row.get(4)?,
            rank: row.get(5)?,
        },
        row.get(6)?,
    ))
}

/// `todo`, live, optionally in one project, best rank first, with a `blocked` flag.
fn candidates_sql(project: bool) -> String {
    format!(
        "SELECT id, priority, type, goal_bonus, created_ms, dispatch_rank, {BLOCKED_SQL} FROM issues \
         WHERE status = 'todo' AND deleted_at IS NULL {} ORDER BY dispatch_rank DESC",
        if project { "AND project_id = ?1" } else { "" }
    )
}

/// The id of the issue `/next` should claim at `now`, if any: the highest score (whole
/// days of age), then the oldest, then the smallest id, among unblocked candidates. Only
/// the top of the rank index is read.
pub fn next_candidate(
    conn: &Connection,
    project_id: Option<&str>,
    now: Timestamp,
) -> rusqlite::Result<Option<String>> {
    let now_ms = now.unix_millis();
    let mut stmt = conn.prepare_cached(&candidates_sql(project_id.is_some()))?;
    let mut rows = match project_id {
        Some(project_id) => stmt.query([project_id])?,
        None => stmt.query([])?,
    };
    let mut best = Best::new();
    while let Some(row) = rows.next()? {
        let (c, blocked) = candidate(row)?;
        if !best.worth_checking(c.rank, now_ms) {
            break;
        }
        let score = Breakdown::of(c.priority, &c.kind, c.goal_bonus, c.created_ms, now_ms).score();
        if !blocked && best.would_improve(score, c.created_ms, &c.id) {
            best.take(score, c.created_ms, &c.id);
        }
    }
    Ok(best.winner())
}

/// One page of the dispatch queue at `now`: every unblocked candidate sorted as `/next`
/// would take them, with score breakdowns, and how many candidates there are.
pub fn queue(
    conn: &Connection,
    project_id: Option<&str>,
    page: Page,
    now: Timestamp,
) -> rusqlite::Result<(Vec<(Issue, Breakdown)>, i64)> {
    let now_ms = now.unix_millis();
    let mut stmt = conn.prepare_cached(&candidates_sql(project_id.is_some()))?;
    let rows = match project_id {
        Some(project_id) => stmt.query_map([project_id], candidate)?,
        None => stmt.query_map([], candidate)?,
    };
    let mut ranked: Vec<(Candidate, Breakdown)> = Vec::new();
    for row in rows {
        let (c, blocked) = row?;
        if !blocked {
            let breakdown = Breakdown::of(c.priority, &c.kind, c.goal_bonus, c.created_ms, now_ms);
            ranked.push((c, breakdown));
        }
    }
    ranked.sort_by(|(a, x), (b, y)| {
        dispatch::order_key(x.score(), a.created_ms, &a.id).cmp(&dispatch::order_key(
            y.score(),
            b.created_ms,
            &b.id,
        ))
    });
    let total = i64::try_from(ranked.len()).unwrap_or(i64::MAX);
    let start = usize::try_from(page.offset)
        .unwrap_or(usize::MAX)
        .min(ranked.len());
    let end = start
        .saturating_add(usize::try_from(page.limit).unwrap_or(0))
        .min(ranked.len());
    let page_rows = &ranked[start..end];
    let ids: Vec<&str> = page_rows.iter().map(|(c, _)| c.id.as_str()).collect();
    let mut issues = issues::find_many(conn, &ids)?;
    let mut out = Vec::with_capacity(page_rows.len());
    for (c, breakdown) in page_rows {
        if let Some(position) = issues.iter().position(|i| i.id == c.id) {
            out.push((issues.swap_remove(position), *breakdown));
        }
    }
    Ok((out, total))
}

/// How a claim is recorded.
#[derive(Debug, Clone, Copy)]
pub struct Claim<'a> {
    /// Lease length in seconds (`None`: no lease).
    pub lease_seconds: Option<i64>,
    /// The claiming agent's session, stored on the issue.
    pub agent_session_id: Option<&'a str>,
}

/// Marks `id` claimed (`in_progress`) at `now` and returns it.
pub fn claim(
    conn: &Connection,
    id: &str,
    claim: Claim<'_>,
    now: Timestamp,
) -> rusqlite::Result<Issue> {
    let expires = claim
        .lease_seconds
        .map(|s| dispatch::lease_expiry(now, s).to_string());
    conn.prepare_cached(
        "UPDATE issues SET status = 'in_progress', updated_at = ?1, claimed_at = ?1, lease_seconds = ?2, \
         lease_expires_at = ?3, agent_session_id = COALESCE(?4, agent_session_id) WHERE id = ?5",
    )?
    .execute(params![now.to_string(), claim.lease_seconds, expires, claim.agent_session_id, id])?;
    issues::find_any(conn, id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)
}

/// Renews the lease of a claimed issue after activity on it (a comment).
pub fn renew_lease(conn: &Connection, id: &str, now: Timestamp) -> rusqlite::Result<()> {
    let seconds: Option<i64> = conn
        .prepare_cached(
            "SELECT lease_seconds FROM issues WHERE id = ?1 AND status = 'in_progress'",
        )?
        .query_map([id], |row| row.get(0))?
        .next()
        .transpose()?
        .flatten();
    if let Some(seconds) = seconds {
        conn.prepare_cached("UPDATE issues SET lease_expires_at = ?1 WHERE id = ?2")?
            .execute(params![
                dispatch::lease_expiry(now, seconds).to_string(),
                id
            ])?;
    }
    Ok(())
}

/// Returns every claimed issue whose lease lapsed by `now` to `todo`, with a comment
/// saying so, and answers how many there were.
pub fn expire_leases(conn: &Connection, now: Timestamp) -> rusqlite::Result<usize> {
    let now_text = now.to_string();
    let expired: Vec<(String, String, Option<String>)> = conn
        .prepare_cached(
            "SELECT id, lease_expires_at, agent_session_id FROM issues \
             WHERE status = 'in_progress' AND lease_expires_at IS NOT NULL AND lease_expires_at <= ?1",
        )?
        .query_map([&now_text], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, expired_at, session) in &expired {
        conn.prepare_cached(
            "UPDATE issues SET status = 'todo', lease_expires_at = NULL, updated_at = ?1 WHERE id = ?2",
        )?
        .execute(params![now_text, id])?;
        let who = session
            .as_deref()
            .map_or_else(String::new, |s| format!(" by agent session {s}"));
        let body = format!(
            "The claim on this issue{who} expired at {expired_at} with no activity, so it went back to todo \
             for another agent. Work already pushed is kept; check comments and commits before starting over."
        );
        comments::insert(
            conn,
            &NewComment {
                issue_id: id,
                body: &body,
                author_name: "Loop",
                author_type: AuthorType::Agent,
                parent_id: None,
            },
            now,
        )?;
    }
    Ok(expired.len())
}
