//! The audit chain (docs/reviewer-quality.md, "The audit log"): records are appended,
//! never updated, except that deleting a task erases their `content`; and the metrics of
//! a project's reviewers, read from the chain itself so that the admin's numbers are the
//! audit log's.

use std::collections::HashMap;
use std::ops::ControlFlow;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::Value;

use super::task_reviews::{AGREES, IN_CONSENSUS};
use super::{enum_column, required_enum_column};
use crate::clock::Timestamp;
use crate::domain::enums::{AuditKind, Severity, WireEnum};
use crate::domain::review::audit::{Content, Record};
use crate::domain::review::scoring::{Scored, Tally};
use crate::store::users::User;

/// The number of the schema migration that brings reviewer quality (decoys, the audit
/// chain, reviewers' scores) and after which [`backfill`] runs: the one place besides
/// `schema.sql` to change when migrations landing before it take its number.
pub const MIGRATION: u32 = 13;

const COLUMNS: &str = "id, project_id, seq, at, reviewer_id, kind, item_id, source_task_id, \
     assignment_id, decision, verdict, golden, correct, xp, streak, draw_seq, decoy_rate_ppm, \
     probe, content, content_sha256, erased_at, prev_hash, hash";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Record> {
    Ok(Record {
        id: row.get(0)?,
        project_id: row.get(1)?,
        seq: row.get(2)?,
        at: row.get(3)?,
        reviewer_id: row.get(4)?,
        kind: required_enum_column(row, 5)?,
        item_id: row.get(6)?,
        source_task_id: row.get(7)?,
        assignment_id: row.get(8)?,
        decision: required_enum_column(row, 9)?,
        verdict: row.get(10)?,
        golden: row.get(11)?,
        correct: row.get(12)?,
        xp: row.get(13)?,
        streak: row.get(14)?,
        draw_seq: row.get(15)?,
        decoy_rate_ppm: row.get(16)?,
        probe: row.get(17)?,
        content: row.get(18)?,
        content_sha256: row.get(19)?,
        erased_at: row.get(20)?,
        prev_hash: row.get(21)?,
        hash: row.get(22)?,
    })
}

/// The number and hash of the last record of `project_id`'s chain, if it has one.
pub fn head(conn: &Connection, project_id: &str) -> super::Result<Option<(i64, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT seq, hash FROM audit_records WHERE project_id = ?1 ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([project_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?)
}

/// Appends `record` to its project's chain: numbers it, links it to the last record and
/// seals it ([`Record::link`]).
pub fn append(conn: &Connection, record: &mut Record) -> super::Result<()> {
    record.link(head(conn, &record.project_id)?);
    insert(conn, record)
}

/// Stores `record` as it is.
fn insert(conn: &Connection, record: &Record) -> super::Result<()> {
    let sql = format!(
        "INSERT INTO audit_records ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, \
         ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)"
    );
    conn.prepare_cached(&sql)?.execute(params![
        record.id,
        record.project_id,
        record.seq,
        record.at,
        record.reviewer_id,
        record.kind.as_str(),
        record.item_id,
        record.source_task_id,
        record.assignment_id,
        record.decision.as_str(),
        record.verdict,
        record.golden,
        record.correct,
        record.xp,
        record.streak,
        record.draw_seq,
        record.decoy_rate_ppm,
        record.probe,
        record.content,
        record.content_sha256,
        record.erased_at,
        record.prev_hash,
        record.hash,
    ])?;
    Ok(())
}

/// Erases the content of every record about task `task_id`, or about a decoy copied from
/// it (their ids, decisions and hashes stay).
pub fn erase_for_task(conn: &Connection, task_id: &str, now: Timestamp) -> super::Result<()> {
    conn.prepare_cached(
        "UPDATE audit_records SET content = NULL, erased_at = ?2 \
         WHERE (item_id = ?1 OR source_task_id = ?1) AND content IS NOT NULL",
    )?
    .execute(params![task_id, now.to_string()])?;
    Ok(())
}

/// A record with the handle of its reviewer.
pub type Listed = (Record, String);

/// Records of `project_id`'s chain in order, after record number `after`, made after
/// `since` when given, at most `limit`, each with its reviewer's handle.
pub fn list(
    conn: &Connection,
    project_id: &str,
    after: i64,
    since: Option<Timestamp>,
    limit: i64,
) -> super::Result<Vec<Listed>> {
    let sql = format!(
        "SELECT {COLUMNS}, (SELECT handle FROM users u WHERE u.id = a.reviewer_id) FROM audit_records a \
         WHERE project_id = ?1 AND seq > ?2 AND (?3 IS NULL OR at > ?3) ORDER BY seq LIMIT ?4"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_map(
            params![project_id, after, since.map(|t| t.to_string()), limit],
            |row| {
                Ok((
                    from_row(row)?,
                    row.get::<_, Option<String>>(23)?.unwrap_or_default(),
                ))
            },
        )?
        .collect::<rusqlite::Result<_>>()?)
}

/// The probes `reviewer_id` met in `project_id` (decoys and golden tasks), newest first,
/// at most `limit`, each with the reviewer's handle.
pub fn probes_of(
    conn: &Connection,
    project_id: &str,
    reviewer_id: &str,
    limit: i64,
) -> super::Result<Vec<Listed>> {
    let sql = format!(
        "SELECT {COLUMNS}, (SELECT handle FROM users u WHERE u.id = a.reviewer_id) FROM audit_records a \
         INDEXED BY audit_records_by_reviewer \
         WHERE project_id = ?1 AND reviewer_id = ?2 AND (kind = 'decoy' OR golden = 1) \
         ORDER BY seq DESC LIMIT ?3"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_map(params![project_id, reviewer_id, limit], |row| {
            Ok((
                from_row(row)?,
                row.get::<_, Option<String>>(23)?.unwrap_or_default(),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// Calls `visit` with each record of `project_id`'s chain in order, until it breaks or
/// fails; records are read one at a time, so a long chain is never held in memory.
pub fn for_each<E: From<super::StoreError>>(
    conn: &Connection,
    project_id: &str,
    mut visit: impl FnMut(Record) -> Result<ControlFlow<()>, E>,
) -> Result<(), E> {
    let sql = format!("SELECT {COLUMNS} FROM audit_records WHERE project_id = ?1 ORDER BY seq");
    let read = |e: rusqlite::Error| E::from(super::StoreError::from(e));
    let mut statement = conn.prepare_cached(&sql).map_err(read)?;
    let mut rows = statement.query([project_id]).map_err(read)?;
    while let Some(row) = rows.next().map_err(read)? {
        if visit(from_row(row).map_err(read)?)?.is_break() {
            break;
        }
    }
    Ok(())
}

/// The projects that have audit records, soft-deleted ones included.
pub fn project_ids(conn: &Connection) -> super::Result<Vec<String>> {
    Ok(conn
        .prepare_cached("SELECT DISTINCT project_id FROM audit_records ORDER BY project_id")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// One person's standing in a project: whether they are one of its reviewers, and the
/// tally of their records in its chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// The user.
    pub user: User,
    /// A reviewer of the project (owners and admins may decide without being one).
    pub member: bool,
    /// Their numbers in this project.
    pub tally: Tally,
}

/// Everyone who reviews `project_id` or has decided in it, with their tally there, in
/// one query: the chain grouped by reviewer, their latest record for the streak, and
/// their counted reviews of multi-review tasks against the final verdict for agreement.
/// Only `user_id` when given (the drill-down).
pub fn standings(
    conn: &Connection,
    project_id: &str,
    user_id: Option<&str>,
) -> super::Result<Vec<Standing>> {
    let sql = format!(
        "WITH chain AS (\
               SELECT reviewer_id, COUNT(*) AS reviews, SUM(xp) AS xp, MAX(streak) AS best_streak, \
                 SUM(golden AND correct IS NOT NULL) AS golden_scored, SUM(golden AND correct = 1) AS golden_correct, \
                 SUM(kind = 'decoy') AS decoys_seen, SUM(kind = 'decoy' AND correct IS NOT NULL) AS decoys_scored, \
                 SUM(kind = 'decoy' AND correct = 1) AS decoys_caught \
               FROM audit_records WHERE project_id = ?1 GROUP BY reviewer_id), \
             latest AS (\
               SELECT reviewer_id, MAX(seq), streak FROM audit_records WHERE project_id = ?1 GROUP BY reviewer_id), \
             agreement AS (\
               SELECT r.reviewer_id, COUNT(*) AS reviews, SUM({AGREES}) AS agreed \
               FROM task_reviews r JOIN review_tasks t ON t.id = r.task_id \
               WHERE r.project_id = ?1 AND {IN_CONSENSUS} GROUP BY r.reviewer_id), \
             people AS (\
               SELECT user_id, 1 AS member FROM project_reviewers WHERE project_id = ?1 \
               UNION ALL SELECT reviewer_id, 0 FROM chain) \
             SELECT u.id, u.email, u.handle, u.display_name, u.role, u.created_at, MAX(p.member), \
               COALESCE(c.reviews, 0), COALESCE(c.xp, 0), COALESCE(l.streak, 0), COALESCE(c.best_streak, 0), \
               COALESCE(c.golden_scored, 0), COALESCE(c.golden_correct, 0), COALESCE(c.decoys_seen, 0), \
               COALESCE(c.decoys_scored, 0), COALESCE(c.decoys_caught, 0), \
               COALESCE(g.reviews, 0), COALESCE(g.agreed, 0) \
             FROM people p JOIN users u ON u.id = p.user_id \
             LEFT JOIN chain c ON c.reviewer_id = p.user_id \
             LEFT JOIN latest l ON l.reviewer_id = p.user_id \
             LEFT JOIN agreement g ON g.reviewer_id = p.user_id \
             WHERE ?2 IS NULL OR p.user_id = ?2 \
             GROUP BY p.user_id ORDER BY u.created_at, u.rowid"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_map(params![project_id, user_id], |row| {
            Ok(Standing {
                user: super::users::from_row(row)?,
                member: row.get(6)?,
                tally: Tally {
                    reviews: row.get(7)?,
                    xp: row.get(8)?,
                    streak: row.get(9)?,
                    best_streak: row.get(10)?,
                    golden_scored: row.get(11)?,
                    golden_correct: row.get(12)?,
                    decoys_seen: row.get(13)?,
                    decoys_scored: row.get(14)?,
                    decoys_caught: row.get(15)?,
                    consensus_reviews: row.get(16)?,
                    consensus_agreed: row.get(17)?,
                },
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// Writes the chain of the decisions stored before the chain existed (run once, by the
/// migration that adds it): one record per review, oldest first, and each reviewer's
/// totals.
pub fn backfill(conn: &Connection) -> super::Result<()> {
    let mut heads: HashMap<String, (i64, String)> = HashMap::new();
    let mut totals: HashMap<String, Tally> = HashMap::new();
    let mut statement = conn.prepare(
        "SELECT r.task_id, r.assignment_id, r.project_id, r.reviewer_id, r.decision, r.verdict, r.choice, \
         r.reason, r.severity, r.golden_correct, r.xp, r.streak, r.reviewed_at, t.golden, t.answer \
         FROM task_reviews r JOIN review_tasks t ON t.id = r.task_id ORDER BY r.reviewed_at, r.rowid",
    )?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let choice: Option<String> = row.get(6)?;
        let reason: Option<String> = row.get(7)?;
        let golden: bool = row.get(13)?;
        let answer: Option<Value> = row
            .get::<_, Option<String>>(14)?
            .and_then(|text| serde_json::from_str(&text).ok());
        let content = Content {
            choice: choice.as_deref(),
            reason: reason.as_deref(),
            severity: enum_column::<Severity>(row, 8)?,
            expected: answer.as_ref().filter(|_| golden),
            planted: None,
        };
        let (content, content_sha256) = content.sealed();
        let mut record = Record {
            id: super::new_id(),
            project_id: row.get(2)?,
            seq: 0,
            at: row.get(12)?,
            reviewer_id: row.get(3)?,
            kind: AuditKind::Task,
            item_id: row.get(0)?,
            source_task_id: None,
            assignment_id: row.get(1)?,
            decision: required_enum_column(row, 4)?,
            verdict: row.get(5)?,
            golden,
            correct: row.get(9)?,
            xp: row.get(10)?,
            streak: row.get(11)?,
            draw_seq: None,
            decoy_rate_ppm: None,
            probe: None,
            content: Some(content),
            content_sha256,
            erased_at: None,
            prev_hash: String::new(),
            hash: String::new(),
        };
        record.link(heads.remove(&record.project_id));
        insert(conn, &record)?;
        let scored = Scored {
            decoy: false,
            golden: record.golden,
            correct: record.correct,
            xp: record.xp,
            streak: record.streak,
        };
        let tally = totals.remove(&record.reviewer_id).unwrap_or_default();
        totals.insert(record.reviewer_id.clone(), tally.after(&scored));
        heads.insert(record.project_id.clone(), (record.seq, record.hash));
    }
    for (user_id, tally) in totals {
        super::reviewer_scores::put(conn, &user_id, &tally)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{SCHEMA, migrate, migrations, reviewer_scores};

    /// A database at the schema before the audit chain, with two reviews by one reviewer
    /// in two projects and one golden review.
    fn before_the_chain() -> Connection {
        let conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        for step in migrations(SCHEMA)
            .unwrap_or_default()
            .iter()
            .filter(|m| m.version < MIGRATION)
        {
            conn.execute_batch(step.sql)
                .unwrap_or_else(|e| panic!("{e}"));
            conn.pragma_update(None, "user_version", step.version)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        conn.execute_batch(
            "INSERT INTO projects (id, name, status, health, created_at, updated_at) VALUES
               ('p1', 'One', 'active', 'on_track', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
               ('p2', 'Two', 'active', 'on_track', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
             INSERT INTO users (id, email, handle, role, password_hash, created_at)
               VALUES ('u1', 'u@x', 'u', 'reviewer', 'x', '2026-01-01T00:00:00.000Z');
             INSERT INTO review_tasks (id, project_id, module, mode, payload, reviews_required, golden, answer, status, created_at)
               VALUES ('t1', 'p1', 'swiper', 'monitor', '{}', 1, 0, NULL, 'reviewed', '2026-01-01T00:00:00.000Z'),
                      ('t2', 'p2', 'swiper', 'monitor', '{}', 1, 1, 'false', 'reviewed', '2026-01-01T00:00:00.000Z'),
                      ('t3', 'p1', 'swiper', 'monitor', '{}', 1, 0, NULL, 'reviewed', '2026-01-01T00:00:00.000Z');
             INSERT INTO review_assignments (id, task_id, user_id, state, leased_at, lease_expires_at)
               VALUES ('a1', 't1', 'u1', 'decided', '2026-01-01T00:00:00.000Z', '2026-01-01T00:05:00.000Z'),
                      ('a2', 't2', 'u1', 'decided', '2026-01-01T00:00:00.000Z', '2026-01-01T00:05:00.000Z'),
                      ('a3', 't3', 'u1', 'decided', '2026-01-01T00:00:00.000Z', '2026-01-01T00:05:00.000Z');
             INSERT INTO task_reviews (id, task_id, assignment_id, project_id, reviewer_id, decision, verdict, choice,
                 reason, severity, detail, decision_ms, counted, golden_correct, xp, streak, reviewed_at)
               VALUES ('r1', 't1', 'a1', 'p1', 'u1', 'approve', 1, NULL, NULL, NULL, NULL, 5, 1, NULL, 10, 1, '2026-01-01T00:01:00.000Z'),
                      ('r2', 't2', 'a2', 'p2', 'u1', 'approve', 1, NULL, NULL, NULL, NULL, 5, 1, 0, -25, 0, '2026-01-01T00:02:00.000Z'),
                      ('r3', 't3', 'a3', 'p1', 'u1', 'flag', 0, NULL, 'bad', 'high', NULL, 5, 1, NULL, 10, 1, '2026-01-01T00:03:00.000Z');",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        conn
    }

    #[test]
    fn the_migration_writes_the_chain_of_earlier_decisions() {
        let mut conn = before_the_chain();
        migrate(&mut conn, Timestamp::from_unix_millis(0)).unwrap_or_else(|e| panic!("{e}"));
        let mut chains: HashMap<String, Vec<Record>> = HashMap::new();
        for project in project_ids(&conn).unwrap_or_default() {
            let mut records = Vec::new();
            for_each(
                &conn,
                &project,
                |record| -> Result<_, crate::store::StoreError> {
                    records.push(record);
                    Ok(ControlFlow::Continue(()))
                },
            )
            .unwrap_or_else(|e| panic!("{e}"));
            chains.insert(project, records);
        }
        let p1 = &chains["p1"];
        assert_eq!(
            p1.iter()
                .map(|r| (r.seq, r.item_id.as_str()))
                .collect::<Vec<_>>(),
            [(1, "t1"), (2, "t3")]
        );
        assert_eq!(p1[1].prev_hash, p1[0].hash);
        let mut prev = crate::domain::review::audit::GENESIS.to_owned();
        for record in chains.values().flatten() {
            if record.seq == 1 {
                prev = crate::domain::review::audit::GENESIS.to_owned();
            }
            assert_eq!(record.problem(record.seq, &prev), None);
            prev.clone_from(&record.hash);
        }
        assert!(
            p1[1]
                .content
                .as_deref()
                .is_some_and(|c| c.contains("\"reason\":\"bad\""))
        );
        let golden = &chains["p2"][0];
        assert_eq!(
            (golden.golden, golden.correct, golden.xp),
            (true, Some(false), -25)
        );
        assert!(
            golden
                .content
                .as_deref()
                .is_some_and(|c| c.contains("\"expected\":false"))
        );
        let totals = reviewer_scores::get(&conn, "u1").unwrap_or_default();
        assert_eq!(
            (totals.reviews, totals.xp, totals.streak, totals.best_streak),
            (3, -5, 1, 1)
        );
        assert_eq!((totals.golden_scored, totals.golden_correct), (1, 0));
        let seeds: i64 = conn
            .query_row(
                "SELECT COUNT(DISTINCT decoy_seed) FROM projects WHERE length(decoy_seed) = 64",
                [],
                |row| row.get(0),
            )
            .unwrap_or_default();
        assert_eq!(
            seeds, 2,
            "each project older than the chain gets its own seed"
        );
    }
}
