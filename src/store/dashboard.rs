//! The dashboard's aggregate queries (docs/engine-api.md#dashboard): a handful of queries per
//! endpoint, never one per row.

use std::collections::HashMap;

use rusqlite::{Connection, params_from_iter};
use serde_json::{Map, Value};

use super::issues::{self, Issue};
use super::relations::{self, Relation};
use super::templates::{self, Template, Version};
use crate::clock::Timestamp;

/// Live issues counted by status and by type, and the dispatch gauges.
#[derive(Debug, Default)]
pub struct IssueStats {
    /// Live issues.
    pub total: i64,
    /// Status → count (only statuses with any).
    pub by_status: Map<String, Value>,
    /// Type → count (only types with any).
    pub by_type: Map<String, Value>,
    /// `todo` + `backlog`.
    pub queue_depth: i64,
    /// `in_progress`.
    pub active: i64,
}

/// Counts live issues (from the trigger-kept `issue_counts`).
pub fn issue_stats(conn: &Connection) -> super::Result<IssueStats> {
    let mut stats = IssueStats::default();
    let mut stmt = conn.prepare_cached(
        "SELECT status, type, n FROM issue_counts WHERE n > 0 ORDER BY status, type",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let (status, kind, n): (String, String, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
        stats.total += n;
        match status.as_str() {
            "todo" | "backlog" => stats.queue_depth += n,
            "in_progress" => stats.active += n,
            _ => {}
        }
        add(&mut stats.by_status, status, n);
        add(&mut stats.by_type, kind, n);
    }
    Ok(stats)
}

fn add(counts: &mut Map<String, Value>, key: String, n: i64) {
    let entry = counts.entry(key).or_insert(Value::from(0));
    *entry = Value::from(entry.as_i64().unwrap_or(0) + n);
}

/// How far a server is from a working loop (the first-run checklist).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SetupProgress {
    /// Live issues.
    pub issues: i64,
    /// Signals ever received.
    pub signals: i64,
    /// Issues ever claimed by an agent (live or not).
    pub claims: i64,
}

/// Counts what the first-run checklist ticks off.
pub fn setup_progress(conn: &Connection) -> super::Result<SetupProgress> {
    Ok(conn.prepare_cached(
        "SELECT (SELECT COALESCE(SUM(n), 0) FROM issue_counts), (SELECT COUNT(*) FROM signals), \
         (SELECT COUNT(*) FROM issues WHERE claimed_at IS NOT NULL)",
    )?
    .query_row([], |row| {
        Ok(SetupProgress {
            issues: row.get(0)?,
            signals: row.get(1)?,
            claims: row.get(2)?,
        })
    })?)
}

/// Live goals: `(total, active, achieved)`.
pub fn goal_stats(conn: &Connection) -> super::Result<(i64, i64, i64)> {
    Ok(conn.prepare_cached(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 'active'), COUNT(*) FILTER (WHERE status = 'achieved') \
         FROM goals WHERE deleted_at IS NULL",
    )?
    .query_row([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?)
}

/// Live `done` issues completed at or after `since`.
pub fn completed_since(conn: &Connection, since: Timestamp) -> super::Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COUNT(*) FROM issues INDEXED BY issues_done_by_completion \
         WHERE status = 'done' AND deleted_at IS NULL AND completed_at >= ?1",
        )?
        .query_row([since.to_string()], |row| row.get(0))?)
}

/// A root issue with its live children and their outgoing relations.
pub struct Chain {
    /// The root.
    pub root: Issue,
    /// Children (oldest first), each with its relations.
    pub children: Vec<(Issue, Vec<Relation>)>,
}

/// The `limit` most recently updated live root issues (`None`: all), with their live
/// children and the children's relations, in three queries.
pub fn chains(conn: &Connection, limit: Option<i64>) -> super::Result<Vec<Chain>> {
    let roots = issues::recent_roots(conn, limit.unwrap_or(-1))?;
    let root_ids: Vec<&str> = roots.iter().map(|r| r.id.as_str()).collect();
    let children = issues::children_of_many(conn, &root_ids)?;
    let child_ids: Vec<&str> = children.iter().map(|c| c.id.as_str()).collect();
    let mut relations_by_issue: HashMap<String, Vec<Relation>> = HashMap::new();
    for relation in relations::outgoing_of_many(conn, &child_ids)? {
        relations_by_issue
            .entry(relation.issue_id.clone())
            .or_default()
            .push(relation);
    }
    let mut children_by_root: HashMap<String, Vec<(Issue, Vec<Relation>)>> = HashMap::new();
    for child in children {
        let relations = relations_by_issue.remove(&child.id).unwrap_or_default();
        let parent = child.parent_id.clone().unwrap_or_default();
        children_by_root
            .entry(parent)
            .or_default()
            .push((child, relations));
    }
    Ok(roots
        .into_iter()
        .map(|root| {
            let children = children_by_root.remove(&root.id).unwrap_or_default();
            Chain { root, children }
        })
        .collect())
}

/// One template's health figures.
pub struct TemplateHealth {
    /// The template.
    pub template: Template,
    /// Its five highest-numbered versions, newest first.
    pub recent_versions: Vec<Version>,
    /// Reviews across all its versions.
    pub total_reviews: i64,
    /// Mean clarity, completeness and relevance (`None` without reviews).
    pub averages: Option<(f64, f64, f64)>,
}

/// Every live template with its recent versions and review averages, in three queries.
pub fn template_health(conn: &Connection) -> super::Result<Vec<TemplateHealth>> {
    let all = templates::all_live(conn)?;
    let ids: Vec<&str> = all.iter().map(|t| t.id.as_str()).collect();
    let mut versions: HashMap<String, Vec<Version>> = HashMap::new();
    for version in templates::recent_versions_of_many(conn, &ids, 5)? {
        versions
            .entry(version.template_id.clone())
            .or_default()
            .push(version);
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = format!(
        "SELECT v.template_id, COUNT(*), AVG(r.clarity), AVG(r.completeness), AVG(r.relevance) \
         FROM prompt_reviews r JOIN prompt_versions v ON v.id = r.version_id \
         WHERE v.template_id IN ({marks}) GROUP BY v.template_id"
    );
    let mut reviews: HashMap<String, (i64, f64, f64, f64)> = HashMap::new();
    if !ids.is_empty() {
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(ids.iter()))?;
        while let Some(row) = rows.next()? {
            reviews.insert(
                row.get(0)?,
                (row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?),
            );
        }
    }
    Ok(all
        .into_iter()
        .map(|template| {
            let summary = reviews.remove(&template.id);
            TemplateHealth {
                recent_versions: versions.remove(&template.id).unwrap_or_default(),
                total_reviews: summary.map_or(0, |s| s.0),
                averages: summary.map(|s| (s.1, s.2, s.3)),
                template,
            }
        })
        .collect())
}

/// The sign-off gauges: live issues waiting for a person, and settled sign-offs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SignOffStats {
    /// Live issues whose review is pending (escalated ones included).
    pub awaiting: i64,
    /// Sign-offs a person approved.
    pub approved: i64,
    /// Sign-offs a person flagged.
    pub flagged: i64,
}

/// Counts issues awaiting sign-off (along their partial index) and settled sign-offs.
pub fn sign_off_stats(conn: &Connection) -> super::Result<SignOffStats> {
    let awaiting = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM issues INDEXED BY issues_awaiting_sign_off \
             WHERE review_status = 'pending' AND deleted_at IS NULL",
        )?
        .query_row([], |row| row.get(0))?;
    let (approved, flagged) = conn
        .prepare_cached(
            "SELECT COUNT(*) FILTER (WHERE outcome = 'approved'), COUNT(*) FILTER (WHERE outcome = 'flagged') \
             FROM sign_offs INDEXED BY sign_offs_settled_by_version WHERE outcome IS NOT NULL",
        )?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(SignOffStats {
        awaiting,
        approved,
        flagged,
    })
}

/// The settled sign-offs of one prompt version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionSignOffs {
    /// The version's template.
    pub template_id: String,
    /// The version.
    pub version_id: String,
    /// Its number.
    pub version: i64,
    /// Work it produced that a person approved.
    pub approved: i64,
    /// Work it produced that a person flagged.
    pub flagged: i64,
}

/// The settled sign-offs of every prompt version that has any, each template's newest
/// version first.
pub fn sign_offs_by_version(conn: &Connection) -> super::Result<Vec<VersionSignOffs>> {
    Ok(conn
        .prepare_cached(
            "SELECT v.template_id, v.id, v.version, COUNT(*) FILTER (WHERE s.outcome = 'approved'), \
             COUNT(*) FILTER (WHERE s.outcome = 'flagged') \
             FROM sign_offs s INDEXED BY sign_offs_settled_by_version \
             JOIN prompt_versions v ON v.id = s.prompt_version_id \
             WHERE s.outcome IS NOT NULL GROUP BY v.id ORDER BY v.template_id, v.version DESC",
        )?
        .query_map([], |row| {
            Ok(VersionSignOffs {
                template_id: row.get(0)?,
                version_id: row.get(1)?,
                version: row.get(2)?,
                approved: row.get(3)?,
                flagged: row.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}
