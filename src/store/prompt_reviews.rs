//! Agents' and people's reviews of prompt versions (docs/engine-api.md#objects).

use rusqlite::{Connection, Row, params};
use serde::Serialize;

use super::new_id;
use crate::clock::Timestamp;
use crate::domain::enums::{AuthorType, WireEnum};
use crate::domain::pagination::Page;

/// A review.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    /// Opaque id.
    pub id: String,
    /// The version reviewed.
    pub version_id: String,
    /// The issue it was used for (not validated).
    pub issue_id: String,
    /// 1..5.
    pub clarity: i64,
    /// 1..5.
    pub completeness: i64,
    /// 1..5.
    pub relevance: i64,
    /// Free text.
    pub feedback: Option<String>,
    /// `human` or `agent`.
    pub author_type: String,
    /// Creation time.
    pub created_at: String,
}

/// What a review stores.
#[derive(Debug, Clone)]
pub struct NewReview {
    /// The version reviewed (already checked to exist).
    pub version_id: String,
    /// The issue.
    pub issue_id: String,
    /// 1..5.
    pub clarity: i64,
    /// 1..5.
    pub completeness: i64,
    /// 1..5.
    pub relevance: i64,
    /// Free text.
    pub feedback: Option<String>,
    /// Who reviewed.
    pub author_type: AuthorType,
}

const COLUMNS: &str = "r.id, r.version_id, r.issue_id, r.clarity, r.completeness, r.relevance, r.feedback, \
    r.author_type, r.created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Review> {
    Ok(Review {
        id: row.get(0)?,
        version_id: row.get(1)?,
        issue_id: row.get(2)?,
        clarity: row.get(3)?,
        completeness: row.get(4)?,
        relevance: row.get(5)?,
        feedback: row.get(6)?,
        author_type: row.get(7)?,
        created_at: row.get(8)?,
    })
}

/// Stores a review.
pub fn insert(conn: &Connection, new: &NewReview, now: Timestamp) -> super::Result<Review> {
    let sql = format!(
        "INSERT INTO prompt_reviews AS r (id, version_id, issue_id, clarity, completeness, relevance, feedback, \
         author_type, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING {}",
        COLUMNS.replace("r.", "")
    );
    Ok(conn.prepare_cached(&sql)?.query_row(
        params![
            new_id(),
            new.version_id,
            new.issue_id,
            new.clarity,
            new.completeness,
            new.relevance,
            new.feedback,
            new.author_type.as_str(),
            now.to_string()
        ],
        from_row,
    )?)
}

/// How many reviews a version has.
pub fn count_for_version(conn: &Connection, version_id: &str) -> super::Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*) FROM prompt_reviews WHERE version_id = ?1")?
        .query_row([version_id], |row| row.get(0))?)
}

/// One page of the reviews of every version of a template, newest first, and how many
/// there are.
pub fn list_for_template(
    conn: &Connection,
    template_id: &str,
    page: Page,
) -> super::Result<(Vec<Review>, i64)> {
    let total = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM prompt_reviews r JOIN prompt_versions v ON v.id = r.version_id \
             WHERE v.template_id = ?1",
        )?
        .query_row([template_id], |row| row.get(0))?;
    let sql = format!(
        "SELECT {COLUMNS} FROM prompt_reviews r JOIN prompt_versions v ON v.id = r.version_id \
         WHERE v.template_id = ?1 ORDER BY r.created_at DESC, r.rowid DESC LIMIT ?2 OFFSET ?3"
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params![template_id, page.limit, page.offset], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((rows, total))
}
