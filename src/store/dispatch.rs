//! Dispatch queries (docs/engine-api.md#dispatch, docs/decisions.md#dispatch-order, docs/decisions.md#claim-leases): finding the best unblocked
//! `todo` issue along the rank index, the queue preview, claims, and claim leases.

use std::collections::BinaryHeap;
use std::mem::replace;

use rusqlite::{Connection, params};

use super::comments::{self, NewComment};
use super::issues::{self, Issue};
use crate::clock::Timestamp;
use crate::domain::dispatch::{self, Breakdown};
use crate::domain::enums::{AuthorType, IssueStatus, WireEnum};
use crate::domain::pagination::Page;

/// Whether the issue row in scope has a live blocker that is not done or canceled.
const BLOCKED_SQL: &str = "EXISTS (SELECT 1 FROM issue_relations r JOIN issues b ON b.id = r.related_issue_id \
     WHERE r.issue_id = issues.id AND r.type = 'blocked_by' AND b.deleted_at IS NULL \
     AND b.status NOT IN ('done', 'canceled'))";

/// The number of the issue `/next` should claim at `now`, if any: the highest score
/// (whole days of age), then the oldest, then the smallest id, among unblocked
/// candidates. The number is the row's rowid, which the index holds anyway, so reading
/// the issue then takes no second index.
///
/// Issues with the same static score rank by age alone, so the winner is the oldest
/// unblocked issue of one of the few possible static scores: one short index probe per
/// static score finds it, however many issues wait and however many share a score.
pub fn next_candidate(
    conn: &Connection,
    project_id: Option<&str>,
    now: Timestamp,
) -> super::Result<Option<i64>> {
    let (index, filter) = if project_id.is_some() {
        ("issues_dispatch_by_project", "AND project_id = ?2")
    } else {
        ("issues_dispatch", "")
    };
    let sql = format!(
        "SELECT id, created_ms, {BLOCKED_SQL}, number FROM issues INDEXED BY {index} \
         WHERE status = 'todo' AND deleted_at IS NULL AND dispatch_static = ?1 {filter} ORDER BY created_ms, id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut heads: Vec<(i64, i64, String, i64)> = Vec::new();
    for class in dispatch::possible_static_scores() {
        let mut rows = match project_id {
            Some(project_id) => stmt.query(params![class, project_id])?,
            None => stmt.query([class])?,
        };
        while let Some(row) = rows.next()? {
            if !row.get::<_, bool>(2)? {
                heads.push((class, row.get(1)?, row.get(0)?, row.get(3)?));
                break;
            }
        }
    }
    let winner = dispatch::pick(
        heads.iter().map(|(s, c, id, _)| (*s, *c, id.as_str())),
        now.unix_millis(),
    );
    Ok(winner
        .and_then(|position| heads.get(position))
        .map(|head| head.3))
}

/// A queue candidate as ranking sees it: the [`dispatch::order_key`] parts, and the
/// static score its breakdown is derived from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Ranked {
    /// The score at `now`, reversed so that a smaller key ranks first.
    score: std::cmp::Reverse<i64>,
    created_ms: i64,
    id: String,
    /// Priority weight + type bonus + goal bonus.
    static_score: i64,
    /// The issue's number (its rowid), to read the row by.
    number: i64,
}

/// One page of the dispatch queue at `now`, and until when it holds.
pub struct QueuePage {
    /// The page's candidates in the order `/next` would take them, with their score
    /// breakdowns.
    pub rows: Vec<(Issue, Breakdown)>,
    /// How many candidates the queue holds.
    pub total: i64,
    /// Unless the data changes, the page (scores included) is the same at every moment
    /// before this one: until the first time an issue on it, or one that could move
    /// onto it, gains a day of age (at most a day after `now`).
    pub unchanged_until: Timestamp,
}

/// One page of the dispatch queue at `now`: the unblocked candidates in the order `/next`
/// would take them, with score breakdowns, and how many candidates there are.
///
/// The cost follows the page, not the queue (docs/design.md#dispatch-queue): issues of one
/// static score rank by age alone, so each static score's index range is already in
/// queue order, and the page is the first `offset + limit` of their merge. Ranges are
/// read from the highest static score down, each only while its issues can still enter
/// the page, and stop as soon as no lower static score can reach it even with the age
/// bonus of the oldest waiting issue and a day more. The total comes from counts kept by
/// triggers.
pub fn queue(
    conn: &Connection,
    project_id: Option<&str>,
    page: Page,
    now: Timestamp,
) -> super::Result<QueuePage> {
    let total = queue_total(conn, project_id)?;
    let offset = usize::try_from(page.offset).unwrap_or(usize::MAX);
    let limit = usize::try_from(page.limit).unwrap_or(0);
    let need = offset
        .saturating_add(limit)
        .min(usize::try_from(total).unwrap_or(0));
    let now_ms = now.unix_millis();
    let mut page = QueuePage {
        rows: Vec::new(),
        total,
        unchanged_until: now.plus_millis(dispatch::DAY_MS),
    };
    if offset >= need {
        return Ok(page);
    }
    let (best, unchanged_until_ms) = best_candidates(conn, project_id, need, now)?;
    page.unchanged_until = Timestamp::from_unix_millis(unchanged_until_ms);
    let page_rows = best.get(offset..).unwrap_or_default();
    let numbers: Vec<i64> = page_rows.iter().map(|c| c.number).collect();
    let mut issues = issues::find_by_numbers(conn, &numbers)?
        .into_iter()
        .peekable();
    page.rows.reserve(page_rows.len());
    for candidate in page_rows {
        if let Some(issue) = issues.next_if(|issue| issue.number == candidate.number) {
            let goal_bonus =
                candidate.static_score - dispatch::static_score(issue.priority, issue.kind, 0);
            let breakdown = Breakdown::of(
                issue.priority,
                issue.kind,
                goal_bonus,
                candidate.created_ms,
                now_ms,
            );
            page.rows.push((issue, breakdown));
        }
    }
    Ok(page)
}

/// The `need` best unblocked candidates at `now`, best first (see [`queue`]), and until
/// when they stay these, in this order, with these scores (Unix milliseconds).
///
/// Within one static score the order never changes (an older issue never has fewer
/// whole days of age), so only moments when an issue gains a day can change the page:
/// those of the issues kept, and of each range's next issue, the one that would enter
/// first. Ranges are read while even one more day of age could bring their issues in,
/// so the ranges left unread cannot enter before a day has passed.
fn best_candidates(
    conn: &Connection,
    project_id: Option<&str>,
    need: usize,
    now: Timestamp,
) -> super::Result<(Vec<Ranked>, i64)> {
    let now_ms = now.unix_millis();
    let mut until_ms = now_ms.saturating_add(dispatch::DAY_MS);
    // No issue waits longer than the oldest one, so none has a larger age bonus.
    let max_age_bonus = match oldest_todo_ms(conn)? {
        Some(oldest) => dispatch::age_bonus(oldest, now_ms),
        None => return Ok((Vec::new(), until_ms)),
    };
    let (index, filter) = if project_id.is_some() {
        ("issues_dispatch_by_project", "AND project_id = ?2")
    } else {
        ("issues_dispatch", "")
    };
    let sql = format!(
        "SELECT id, created_ms, number FROM issues INDEXED BY {index} \
         WHERE status = 'todo' AND deleted_at IS NULL AND dispatch_static = ?1 {filter} AND NOT {BLOCKED_SQL} \
         ORDER BY created_ms, id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut changes_at = |ranked: &Ranked| {
        until_ms = until_ms.min(dispatch::next_age_bonus_change(ranked.created_ms, now_ms));
    };
    // A max-heap: its top is the worst of the best `need` found so far.
    let mut best: BinaryHeap<Ranked> = BinaryHeap::with_capacity(need.saturating_add(1));
    for class in dispatch::possible_static_scores() {
        let reach = class
            .saturating_add(max_age_bonus)
            .saturating_add(dispatch::AGE_BONUS_PER_DAY);
        if best.len() == need && best.peek().is_some_and(|worst| reach < worst.score.0) {
            break;
        }
        let mut rows = match project_id {
            Some(project_id) => stmt.query(params![class, project_id])?,
            None => stmt.query([class])?,
        };
        while let Some(row) = rows.next()? {
            let created_ms: i64 = row.get(1)?;
            let candidate = Ranked {
                score: std::cmp::Reverse(class + dispatch::age_bonus(created_ms, now_ms)),
                created_ms,
                id: row.get(0)?,
                static_score: class,
                number: row.get(2)?,
            };
            if best.len() == need {
                // Later issues of this static score rank below this one.
                if best.peek().is_none_or(|worst| candidate >= *worst) {
                    changes_at(&candidate);
                    break;
                }
                if let Some(dropped) = best.pop() {
                    changes_at(&dropped);
                }
            }
            best.push(candidate);
        }
    }
    best.iter().for_each(&mut changes_at);
    Ok((best.into_sorted_vec(), until_ms))
}

/// When the oldest live `todo` issue was created (of any project: a bound, see [`queue`]).
fn oldest_todo_ms(conn: &Connection) -> super::Result<Option<i64>> {
    let oldest: Option<String> = conn
        .prepare_cached(
            "SELECT MIN(created_at) FROM issues WHERE status = 'todo' AND deleted_at IS NULL",
        )?
        .query_row([], |row| row.get(0))?;
    // Creation times are written canonical; one that is not gets no bound at all.
    Ok(oldest
        .map(|text| Timestamp::parse_canonical(&text).map_or(i64::MIN, Timestamp::unix_millis)))
}

/// How many unblocked candidates the queue holds: the live `todo` issues counted by
/// triggers (`todo_counts`), less those with a live blocker, which only issues that are
/// blocked at all can be.
fn queue_total(conn: &Connection, project_id: Option<&str>) -> super::Result<i64> {
    let (todo, blocked) = match project_id {
        Some(project_id) => (
            conn.prepare_cached(
                "SELECT COALESCE(SUM(n), 0) FROM todo_counts WHERE project_id = ?1",
            )?
            .query_row([project_id], |row| row.get::<_, i64>(0))?,
            conn.prepare_cached(&format!("{BLOCKED_TODO_SQL} AND issues.project_id = ?1"))?
                .query_row([project_id], |row| row.get::<_, i64>(0))?,
        ),
        None => (
            conn.prepare_cached("SELECT COALESCE(SUM(n), 0) FROM todo_counts")?
                .query_row([], |row| row.get::<_, i64>(0))?,
            conn.prepare_cached(BLOCKED_TODO_SQL)?
                .query_row([], |row| row.get::<_, i64>(0))?,
        ),
    };
    Ok(todo - blocked)
}

/// Counts the live `todo` issues that have a live blocker, starting from the blocking
/// relations (few) rather than from the issues (many): `CROSS JOIN` fixes that order,
/// which the planner, knowing no table sizes, would otherwise turn around.
const BLOCKED_TODO_SQL: &str = "SELECT COUNT(DISTINCT issues.id) FROM issue_relations r \
     CROSS JOIN issues ON issues.id = r.issue_id \
     CROSS JOIN issues b ON b.id = r.related_issue_id \
     WHERE r.type = 'blocked_by' AND issues.status = 'todo' AND issues.deleted_at IS NULL \
     AND b.deleted_at IS NULL AND b.status NOT IN ('done', 'canceled')";

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
    /// The columns the claim set, as they were before.
    before: ClaimColumns,
}

/// The columns of an issue a claim sets.
struct ClaimColumns {
    status: IssueStatus,
    updated_at: String,
    claimed_at: Option<String>,
    lease_seconds: Option<i64>,
    lease_expires_at: Option<String>,
    agent_session_id: Option<String>,
    prompt_version_id: Option<String>,
}

/// Marks `before` (the issue as just read in this transaction) claimed (`in_progress`)
/// at `now`, its work to be done with prompt version `prompt_version_id` (`None`: no
/// template applied), and answers the issue as claimed.
///
/// The answer is `before` with the columns the update sets, not read back with
/// `RETURNING`: SQLite collects a `RETURNING` statement's rows in a temporary table of
/// its own, whose page cache it allocates and frees each time, and that (page faults
/// included) was a quarter of the update's cost, under the writer lock.
pub fn claim(
    conn: &Connection,
    before: Issue,
    claim: Claim<'_>,
    prompt_version_id: Option<&str>,
    now: Timestamp,
) -> super::Result<Claimed> {
    let now_text = now.to_string();
    let expires = claim
        .lease_seconds
        .map(|s| dispatch::lease_expiry(now, s).to_string());
    let updated = conn
        .prepare_cached(
            "UPDATE issues SET status = 'in_progress', updated_at = ?1, claimed_at = ?1, lease_seconds = ?2, \
             lease_expires_at = ?3, agent_session_id = COALESCE(?4, agent_session_id), prompt_version_id = ?5 \
             WHERE number = ?6",
        )?
        .execute(params![
            now_text,
            claim.lease_seconds,
            expires,
            claim.agent_session_id,
            prompt_version_id,
            before.number
        ])?;
    if updated != 1 {
        return Err(rusqlite::Error::QueryReturnedNoRows.into());
    }
    let mut issue = before;
    let before = ClaimColumns {
        status: replace(&mut issue.status, IssueStatus::InProgress),
        updated_at: replace(&mut issue.updated_at, now_text.clone()),
        claimed_at: issue.claimed_at.replace(now_text),
        lease_seconds: replace(&mut issue.lease_seconds, claim.lease_seconds),
        lease_expires_at: replace(&mut issue.lease_expires_at, expires),
        agent_session_id: match claim.agent_session_id {
            Some(session) => issue.agent_session_id.replace(session.to_owned()),
            None => issue.agent_session_id.clone(),
        },
        prompt_version_id: replace(
            &mut issue.prompt_version_id,
            prompt_version_id.map(str::to_owned),
        ),
    };
    Ok(Claimed { issue, before })
}

/// Undoes a claim whose prompt could not be rendered: the issue gets back exactly the
/// status, claim fields and prompt version it had, unless something else changed it
/// meanwhile.
pub fn undo_claim(conn: &Connection, claimed: &Claimed) -> super::Result<()> {
    let (before, after) = (&claimed.before, &claimed.issue);
    conn.prepare_cached(
        "UPDATE issues SET status = ?1, updated_at = ?2, claimed_at = ?3, lease_seconds = ?4, \
         lease_expires_at = ?5, agent_session_id = ?6, prompt_version_id = ?10 \
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
        after.updated_at,
        before.prompt_version_id,
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

/// Whether any claim's lease lapsed by `now`: one probe of the `issues_leases` index, so
/// that an idle background round takes no writer lock.
pub fn any_lapsed_lease(conn: &Connection, now: Timestamp) -> super::Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM issues INDEXED BY issues_leases \
             WHERE status = 'in_progress' AND lease_expires_at IS NOT NULL AND lease_expires_at <= ?1 \
             LIMIT 1",
        )?
        .exists([now.to_string()])?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::enums::{IssueStatus, IssueType};

    /// A small deterministic generator (xorshift64*), so a failure replays from its seed.
    struct Random(u64);

    impl Random {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[usize::try_from(self.below(items.len() as u64)).unwrap_or(0)]
        }
    }

    const NOW_MS: i64 = 1_795_580_949_000;
    /// A prompt version the migrations create.
    const DEFAULT_VERSION: &str = "ver_default_task_execution_v1";
    const PROJECTS: [Option<&str>; 3] = [None, Some("p1"), Some("p2")];

    fn database() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        super::super::migrate(&mut conn, Timestamp::from_unix_millis(0))
            .unwrap_or_else(|e| panic!("{e}"));
        conn
    }

    /// Random issues (statuses, projects, goal bonuses, ages from 40 days to the future,
    /// shared creation times), blocking relations, and then changes that move issues in
    /// and out of the queue, as the counting triggers must follow.
    fn fill(conn: &Connection, random: &mut Random) {
        let count = random.below(400);
        for n in 0..count {
            let kind = *random.pick(IssueType::ALL);
            let status = if random.below(10) < 7 {
                IssueStatus::Todo
            } else {
                *random.pick(IssueStatus::ALL)
            };
            let priority = i64::try_from(random.below(6)).unwrap_or(0);
            let goal_bonus = if random.below(3) == 0 {
                dispatch::GOAL_ALIGNMENT_BONUS
            } else {
                0
            };
            // Few distinct times, so ties on age and on creation time are common.
            let step = i64::try_from(random.below(60)).unwrap_or(0);
            let created_ms = NOW_MS - step * dispatch::DAY_MS * 2 / 3 + dispatch::DAY_MS / 2;
            let deleted =
                (random.below(12) == 0).then(|| Timestamp::from_unix_millis(NOW_MS).to_string());
            conn.execute(
                "INSERT INTO issues (id, title, type, status, priority, project_id, created_at, updated_at, \
                 deleted_at, created_ms, goal_bonus, dispatch_static) VALUES (?1, 't', ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10)",
                params![
                    format!("i{:03}", random.below(1000) * 1000 + n),
                    kind.as_str(),
                    status.as_str(),
                    priority,
                    random.pick(&PROJECTS),
                    Timestamp::from_unix_millis(created_ms).to_string(),
                    deleted,
                    created_ms,
                    goal_bonus,
                    dispatch::static_score(priority, kind, goal_bonus),
                ],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        }
        let ids: Vec<String> = conn
            .prepare("SELECT id FROM issues")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .unwrap_or_else(|e| panic!("{e}"));
        if ids.is_empty() {
            return;
        }
        for n in 0..random.below(60) {
            let (issue, blocker) = (random.pick(&ids), random.pick(&ids));
            conn.execute(
                "INSERT INTO issue_relations (id, type, issue_id, related_issue_id, created_at) \
                 VALUES (?1, ?2, ?3, ?4, '2026-01-01T00:00:00.000Z')",
                params![
                    format!("r{n}"),
                    *random.pick(&["blocked_by", "blocks", "related"]),
                    issue,
                    blocker
                ],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        }
        for _ in 0..random.below(40) {
            let id = random.pick(&ids);
            let change = match random.below(4) {
                0 => "UPDATE issues SET status = 'in_progress' WHERE id = ?1",
                1 => "UPDATE issues SET status = 'todo' WHERE id = ?1",
                2 => "UPDATE issues SET deleted_at = '2026-01-01T00:00:00.000Z' WHERE id = ?1",
                _ => "UPDATE issues SET project_id = 'p2' WHERE id = ?1",
            };
            conn.execute(change, [id]).unwrap_or_else(|e| panic!("{e}"));
        }
        for _ in 0..random.below(5) {
            let id = random.pick(&ids);
            conn.execute(
                "DELETE FROM issue_relations WHERE issue_id = ?1 OR related_issue_id = ?1",
                [id],
            )
            .and_then(|_| conn.execute("DELETE FROM issues WHERE id = ?1", [id]))
            .unwrap_or_else(|e| panic!("{e}"));
        }
    }

    /// The queue as defined: every unblocked candidate scored and fully sorted.
    fn full_sort(
        conn: &Connection,
        project_id: Option<&str>,
        now_ms: i64,
    ) -> Vec<(String, Breakdown)> {
        let sql = format!(
            "SELECT id, priority, type, goal_bonus, created_ms FROM issues \
             WHERE status = 'todo' AND deleted_at IS NULL AND (?1 IS NULL OR project_id = ?1) AND NOT {BLOCKED_SQL}"
        );
        let mut all: Vec<(String, Breakdown, i64)> = conn
            .prepare(&sql)
            .and_then(|mut s| {
                s.query_map([project_id], |row| {
                    let kind: String = row.get(2)?;
                    let kind = IssueType::parse(&kind).unwrap_or(IssueType::Task);
                    let created_ms: i64 = row.get(4)?;
                    let breakdown =
                        Breakdown::of(row.get(1)?, kind, row.get(3)?, created_ms, now_ms);
                    Ok((row.get(0)?, breakdown, created_ms))
                })?
                .collect()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        all.sort_by(|(a, x, ca), (b, y, cb)| {
            dispatch::order_key(x.score(), *ca, a).cmp(&dispatch::order_key(y.score(), *cb, b))
        });
        all.into_iter()
            .map(|(id, breakdown, _)| (id, breakdown))
            .collect()
    }

    /// Items `offset..offset + limit` of the full sort at `now_ms`.
    fn full_sort_page(
        conn: &Connection,
        project_id: Option<&str>,
        page: Page,
        now_ms: i64,
    ) -> Vec<(String, Breakdown)> {
        full_sort(conn, project_id, now_ms)
            .into_iter()
            .skip(usize::try_from(page.offset).unwrap_or(0))
            .take(usize::try_from(page.limit).unwrap_or(0))
            .collect()
    }

    /// The moments after `NOW_MS`, up to a day later, at which some live `todo` issue
    /// gains a day of age: the only moments at which the full sort can change.
    fn age_changes(conn: &Connection) -> Vec<i64> {
        let created: Vec<i64> = conn
            .prepare("SELECT created_ms FROM issues WHERE status = 'todo' AND deleted_at IS NULL")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut moments: Vec<i64> = created
            .into_iter()
            .map(|created_ms| dispatch::next_age_bonus_change(created_ms, NOW_MS))
            .collect();
        moments.sort_unstable();
        moments.dedup();
        moments
    }

    /// A claim answers the row as stored (it is built from the row read before it, not
    /// read back), and undoing the claim gives the row back as it was, whether or not the
    /// claim takes a lease, names a session or records a prompt version, and whether or
    /// not the row still holds an earlier claim's columns.
    #[test]
    fn a_claim_answers_the_stored_row_and_undoing_it_restores_the_row() {
        let conn = database();
        let now = Timestamp::from_unix_millis(NOW_MS);
        let read = |id: &str| {
            issues::find_any(&conn, id)
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("issue {id}"))
        };
        // The lease length is not in the issue's JSON: compared apart.
        let stored = |issue: &Issue| {
            let json = serde_json::to_value(issue).unwrap_or_else(|e| panic!("{e}"));
            (json, issue.lease_seconds)
        };
        let earlier_claim = "UPDATE issues SET claimed_at = '2026-11-01T00:00:00.000Z', lease_seconds = 300, \
             lease_expires_at = '2026-11-01T00:05:00.000Z', prompt_version_id = ?1 WHERE id = ?2";
        let claims = [
            (false, None, None, None, Some(DEFAULT_VERSION)),
            (
                false,
                Some("earlier session"),
                Some(600),
                None,
                Some(DEFAULT_VERSION),
            ),
            (
                false,
                Some("earlier session"),
                Some(60),
                Some("new session"),
                None,
            ),
            (
                true,
                Some("earlier session"),
                None,
                Some("new session"),
                None,
            ),
            (true, None, Some(120), None, Some(DEFAULT_VERSION)),
        ];
        for (case, (claimed_before, session_before, lease_seconds, agent_session_id, version)) in
            claims.into_iter().enumerate()
        {
            let new = issues::NewIssue {
                hypothesis: Some(r#"{"statement":"s","confidence":0.5}"#.to_owned()),
                ..issues::NewIssue::new("work".to_owned(), IssueType::Task, IssueStatus::Todo, 2)
            };
            let id = issues::insert(&conn, &new, now.plus_millis(-86_400_000))
                .unwrap_or_else(|e| panic!("{e}"))
                .id;
            conn.execute(
                "UPDATE issues SET agent_session_id = ?1 WHERE id = ?2",
                params![session_before, id],
            )
            .unwrap_or_else(|e| panic!("{e}"));
            if claimed_before {
                conn.execute(earlier_claim, params![DEFAULT_VERSION, id])
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            let before = stored(&read(&id));
            let made = Claim {
                lease_seconds,
                agent_session_id,
            };
            let claimed =
                claim(&conn, read(&id), made, version, now).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(stored(&claimed.issue), stored(&read(&id)), "case {case}");
            assert_eq!(claimed.issue.status, IssueStatus::InProgress);
            undo_claim(&conn, &claimed).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(stored(&read(&id)), before, "case {case}");
        }
    }

    /// An issue of a static score too low to reach the page now, but one day short of
    /// it and older than the page's last issue, moves onto the page when it gains that
    /// day, before any issue on the page does: the page says it holds only until then.
    #[test]
    fn the_page_holds_until_an_issue_below_it_gains_the_day_it_lacks() {
        let conn = database();
        let insert = |id: &str, priority: i64, kind: IssueType, created_ms: i64| {
            conn.execute(
                "INSERT INTO issues (id, title, type, status, priority, created_at, updated_at, \
                 created_ms, dispatch_static) VALUES (?1, 't', ?2, 'todo', ?3, ?4, ?4, ?5, ?6)",
                params![
                    id,
                    kind.as_str(),
                    priority,
                    Timestamp::from_unix_millis(created_ms).to_string(),
                    created_ms,
                    dispatch::static_score(priority, kind, 0),
                ],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        };
        let day = dispatch::DAY_MS;
        // 100 + 20 and no day of age yet: 120, until half a day from now.
        insert("a", 1, IssueType::Task, NOW_MS - day / 2);
        // 100 + 10 and 9 days: 119, and 120 (older than a) a tenth of a day from now.
        insert("b", 1, IssueType::Monitor, NOW_MS - 9 * day - 9 * day / 10);
        let page = Page {
            offset: 0,
            limit: 1,
        };
        let at = queue(&conn, None, page, Timestamp::from_unix_millis(NOW_MS))
            .unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<&str> = at.rows.iter().map(|(issue, _)| issue.id.as_str()).collect();
        assert_eq!(ids, ["a"]);
        let overtaken = NOW_MS + day / 10;
        assert_eq!(at.unchanged_until.unix_millis(), overtaken);
        let then = queue(&conn, None, page, Timestamp::from_unix_millis(overtaken))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            then.rows.first().map(|(issue, _)| issue.id.as_str()),
            Some("b")
        );
    }

    /// The page is the full sort's, and stays the full sort's page (ages and scores
    /// included) at every moment before the one it says it holds until.
    #[test]
    fn the_queue_page_is_the_full_sort_page_on_random_data() {
        for seed in 1..=60_u64 {
            let conn = database();
            let mut random = Random(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            fill(&conn, &mut random);
            let moments = age_changes(&conn);
            for project in [None, Some("p1"), Some("p2"), Some("nobody")] {
                let sorted_later: Vec<(i64, Vec<(String, Breakdown)>)> = moments
                    .iter()
                    .map(|&moment| (moment, full_sort(&conn, project, moment)))
                    .collect();
                let candidates = full_sort(&conn, project, NOW_MS).len();
                for _ in 0..8 {
                    let page = Page {
                        offset: i64::try_from(random.below(300)).unwrap_or(0)
                            * i64::from(random.below(2) == 0),
                        limit: 1 + i64::try_from(random.below(200)).unwrap_or(0),
                    };
                    let at = queue(&conn, project, page, Timestamp::from_unix_millis(NOW_MS))
                        .unwrap_or_else(|e| panic!("{e}"));
                    let got: Vec<(String, Breakdown)> = at
                        .rows
                        .into_iter()
                        .map(|(issue, breakdown)| (issue.id, breakdown))
                        .collect();
                    let context = format!("seed {seed}, project {project:?}, {page:?}");
                    assert_eq!(
                        got,
                        full_sort_page(&conn, project, page, NOW_MS),
                        "{context}"
                    );
                    assert_eq!(
                        at.total,
                        i64::try_from(candidates).unwrap_or(0),
                        "{context}"
                    );
                    let until = at.unchanged_until.unix_millis();
                    assert!(
                        until > NOW_MS && until <= NOW_MS + dispatch::DAY_MS,
                        "{context}"
                    );
                    for (moment, sorted) in sorted_later.iter().filter(|(m, _)| *m < until) {
                        let later: Vec<(String, Breakdown)> = sorted
                            .iter()
                            .skip(usize::try_from(page.offset).unwrap_or(0))
                            .take(usize::try_from(page.limit).unwrap_or(0))
                            .cloned()
                            .collect();
                        assert_eq!(got, later, "{context}, {} ms later", moment - NOW_MS);
                    }
                }
            }
        }
    }
}
