//! Dispatch queries (docs/engine-api.md#dispatch, docs/decisions.md#dispatch-order, docs/decisions.md#claim-leases): finding the best unblocked
//! `todo` issue along the rank index, the queue preview, claims, and claim leases.

use rusqlite::{Connection, Row, params};

use super::comments::{self, NewComment};
use super::issues::{self, Issue};
use crate::clock::Timestamp;
use crate::domain::dispatch::{self, Breakdown};
use crate::domain::enums::{AuthorType, IssueType, WireEnum};
use crate::domain::pagination::Page;

/// Whether the issue row in scope has a live blocker that is not done or canceled.
const BLOCKED_SQL: &str = "EXISTS (SELECT 1 FROM issue_relations r JOIN issues b ON b.id = r.related_issue_id \
     WHERE r.issue_id = issues.id AND r.type = 'blocked_by' AND b.deleted_at IS NULL \
     AND b.status NOT IN ('done', 'canceled'))";

/// The id of the issue `/next` should claim at `now`, if any: the highest score (whole
/// days of age), then the oldest, then the smallest id, among unblocked candidates.
///
/// Issues with the same static score rank by age alone, so the winner is the oldest
/// unblocked issue of one of the few possible static scores: one short index probe per
/// static score finds it, however many issues wait and however many share a score.
pub fn next_candidate(
    conn: &Connection,
    project_id: Option<&str>,
    now: Timestamp,
) -> super::Result<Option<String>> {
    let (index, filter) = if project_id.is_some() {
        ("issues_dispatch_by_project", "AND project_id = ?2")
    } else {
        ("issues_dispatch", "")
    };
    let sql = format!(
        "SELECT id, created_ms, {BLOCKED_SQL} FROM issues INDEXED BY {index} \
         WHERE status = 'todo' AND deleted_at IS NULL AND dispatch_static = ?1 {filter} ORDER BY created_ms, id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut heads: Vec<(i64, i64, String)> = Vec::new();
    for class in dispatch::possible_static_scores() {
        let mut rows = match project_id {
            Some(project_id) => stmt.query(params![class, project_id])?,
            None => stmt.query([class])?,
        };
        while let Some(row) = rows.next()? {
            if !row.get::<_, bool>(2)? {
                heads.push((class, row.get(1)?, row.get(0)?));
                break;
            }
        }
    }
    let winner = dispatch::pick(
        heads.iter().map(|(s, c, id)| (*s, *c, id.as_str())),
        now.unix_millis(),
    );
    Ok(winner.map(str::to_owned))
}

/// What ranking needs of a candidate.
struct Candidate {
    id: String,
    priority: i64,
    kind: IssueType,
    goal_bonus: i64,
    created_ms: i64,
}

/// Every `todo`, live, unblocked issue (optionally of one project).
fn candidates(conn: &Connection, project_id: Option<&str>) -> rusqlite::Result<Vec<Candidate>> {
    let filter = if project_id.is_some() {
        "AND project_id = ?1"
    } else {
        ""
    };
    let sql = format!(
        "SELECT id, priority, type, goal_bonus, created_ms FROM issues \
         WHERE status = 'todo' AND deleted_at IS NULL {filter} AND NOT {BLOCKED_SQL}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let read = |row: &Row<'_>| {
        Ok(Candidate {
            id: row.get(0)?,
            priority: row.get(1)?,
            kind: super::required_enum_column(row, 2)?,
            goal_bonus: row.get(3)?,
            created_ms: row.get(4)?,
        })
    };
    match project_id {
        Some(project_id) => stmt.query_map([project_id], read)?.collect(),
        None => stmt.query_map([], read)?.collect(),
    }
}

/// One page of the dispatch queue at `now`: every unblocked candidate sorted as `/next`
/// would take them, with score breakdowns, and how many candidates there are.
pub fn queue(
    conn: &Connection,
    project_id: Option<&str>,
    page: Page,
    now: Timestamp,
) -> super::Result<(Vec<(Issue, Breakdown)>, i64)> {
    let now_ms = now.unix_millis();
    let mut ranked: Vec<(Candidate, Breakdown)> = candidates(conn, project_id)?
        .into_iter()
        .map(|c| {
            let breakdown = Breakdown::of(c.priority, c.kind, c.goal_bonus, c.created_ms, now_ms);
            (c, breakdown)
        })
        .collect();
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

/// A claim as made: the issue after it, and what it replaced (to undo it).
pub struct Claimed {
    /// The issue, now `in_progress`.
    pub issue: Issue,
    /// The issue as it was before.
    before: Issue,
}

/// Marks `id` claimed (`in_progress`) at `now`.
pub fn claim(
    conn: &Connection,
    id: &str,
    claim: Claim<'_>,
    now: Timestamp,
) -> super::Result<Claimed> {
    let before = issues::find_any(conn, id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    let expires = claim
        .lease_seconds
        .map(|s| dispatch::lease_expiry(now, s).to_string());
    conn.prepare_cached(
        "UPDATE issues SET status = 'in_progress', updated_at = ?1, claimed_at = ?1, lease_seconds = ?2, \
         lease_expires_at = ?3, agent_session_id = COALESCE(?4, agent_session_id) WHERE id = ?5",
    )?
    .execute(params![now.to_string(), claim.lease_seconds, expires, claim.agent_session_id, id])?;
    let issue = issues::find_any(conn, id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    Ok(Claimed { issue, before })
}

/// Undoes a claim whose prompt could not be rendered: the issue gets back exactly the
/// status and claim fields it had, unless something else changed it meanwhile.
pub fn undo_claim(conn: &Connection, claimed: &Claimed) -> super::Result<()> {
    let (before, after) = (&claimed.before, &claimed.issue);
    conn.prepare_cached(
        "UPDATE issues SET status = ?1, updated_at = ?2, claimed_at = ?3, lease_seconds = ?4, \
         lease_expires_at = ?5, agent_session_id = ?6 \
         WHERE id = ?7 AND status = 'in_progress' AND claimed_at = ?8 AND updated_at = ?9",
    )?
    .execute(params![
        before.status.as_str(),
        before.updated_at,
        before.claimed_at,
        before.lease_seconds,
        before.lease_expires_at,
        before.agent_session_id,
        after.id,
        after.claimed_at,
        after.updated_at
    ])?;
    Ok(())
}

/// Renews the lease of a claimed issue after activity on it (a comment).
pub fn renew_lease(conn: &Connection, id: &str, now: Timestamp) -> super::Result<()> {
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
pub fn expire_leases(conn: &Connection, now: Timestamp) -> super::Result<usize> {
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
