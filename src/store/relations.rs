//! Issue relations (docs/engine-api.md#objects): directed, hard-deleted.

use rusqlite::{Connection, Row, params};
use serde::Serialize;

use super::{in_slices, new_id};
use crate::clock::Timestamp;
use crate::domain::enums::{RelationType, WireEnum};

/// "`issueId` <type> `relatedIssueId`".
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Relation {
    /// Opaque id.
    pub id: String,
    /// Relation type (wire spelling).
    #[serde(rename = "type")]
    pub kind: String,
    /// The issue the relation belongs to.
    pub issue_id: String,
    /// The other issue.
    pub related_issue_id: String,
    /// Creation time.
    pub created_at: String,
}

const COLUMNS: &str = "id, type, issue_id, related_issue_id, created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Relation> {
    Ok(Relation {
        id: row.get(0)?,
        kind: row.get(1)?,
        issue_id: row.get(2)?,
        related_issue_id: row.get(3)?,
        created_at: row.get(4)?,
    })
}

/// Records a relation between two existing issues.
pub fn insert(
    conn: &Connection,
    issue_id: &str,
    kind: RelationType,
    related_issue_id: &str,
    now: Timestamp,
) -> super::Result<Relation> {
    let sql = format!(
        "INSERT INTO issue_relations (id, type, issue_id, related_issue_id, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING {COLUMNS}"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(
        params![
            new_id(),
            kind.as_str(),
            issue_id,
            related_issue_id,
            now.to_string()
        ],
        from_row,
    )?)
}

/// Every relation whose `issueId` is `issue_id`, in insertion order.
pub fn outgoing(conn: &Connection, issue_id: &str) -> super::Result<Vec<Relation>> {
    let sql = format!("SELECT {COLUMNS} FROM issue_relations WHERE issue_id = ?1 ORDER BY rowid");
    Ok(conn
        .prepare_cached(&sql)?
        .query_map([issue_id], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Every relation whose `issueId` is one of `issue_ids` (as many as there are), each
/// issue's in insertion order.
pub fn outgoing_of_many(conn: &Connection, issue_ids: &[&str]) -> super::Result<Vec<Relation>> {
    Ok(in_slices(issue_ids, |slice| {
        let marks = vec!["?"; slice.len()].join(", ");
        let sql = format!(
            "SELECT {COLUMNS} FROM issue_relations WHERE issue_id IN ({marks}) ORDER BY rowid"
        );
        conn.prepare(&sql)?
            .query_map(rusqlite::params_from_iter(slice.iter()), from_row)?
            .collect()
    })?)
}

/// Deletes a relation; `false` if there was none.
pub fn delete(conn: &Connection, id: &str) -> super::Result<bool> {
    let changed = conn
        .prepare_cached("DELETE FROM issue_relations WHERE id = ?1")?
        .execute([id])?;
    Ok(changed > 0)
}
