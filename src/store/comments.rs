//! Comments on issues (docs/engine-api.md#objects): immutable, one level of replies.

use rusqlite::{Connection, Row, params};
use serde::Serialize;

use super::new_id;
use crate::clock::Timestamp;
use crate::domain::enums::{AuthorType, WireEnum};

/// A comment.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    /// Opaque id.
    pub id: String,
    /// Text.
    pub body: String,
    /// The issue it is on.
    pub issue_id: String,
    /// Who wrote it.
    pub author_name: String,
    /// `human` or `agent`.
    pub author_type: String,
    /// The comment it replies to.
    pub parent_id: Option<String>,
    /// Creation time.
    pub created_at: String,
}

/// What adding a comment stores.
#[derive(Debug, Clone)]
pub struct NewComment<'a> {
    /// The issue.
    pub issue_id: &'a str,
    /// Text.
    pub body: &'a str,
    /// Author.
    pub author_name: &'a str,
    /// Author type.
    pub author_type: AuthorType,
    /// The comment replied to (already checked to exist).
    pub parent_id: Option<&'a str>,
}

const COLUMNS: &str = "id, body, issue_id, author_name, author_type, parent_id, created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Comment> {
    Ok(Comment {
        id: row.get(0)?,
        body: row.get(1)?,
        issue_id: row.get(2)?,
        author_name: row.get(3)?,
        author_type: row.get(4)?,
        parent_id: row.get(5)?,
        created_at: row.get(6)?,
    })
}

/// Stores a comment.
pub fn insert(conn: &Connection, new: &NewComment<'_>, now: Timestamp) -> super::Result<Comment> {
    let sql = format!(
        "INSERT INTO comments (id, body, issue_id, author_name, author_type, parent_id, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING {COLUMNS}"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(
        params![
            new_id(),
            new.body,
            new.issue_id,
            new.author_name,
            new.author_type.as_str(),
            new.parent_id,
            now.to_string()
        ],
        from_row,
    )?)
}

/// Whether a comment with this id exists (on any issue).
pub fn exists(conn: &Connection, id: &str) -> super::Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM comments WHERE id = ?1")?
        .exists([id])?)
}

/// Every comment on an issue, oldest first.
pub fn of_issue(conn: &Connection, issue_id: &str) -> super::Result<Vec<Comment>> {
    let sql =
        format!("SELECT {COLUMNS} FROM comments WHERE issue_id = ?1 ORDER BY created_at, rowid");
    Ok(conn
        .prepare_cached(&sql)?
        .query_map([issue_id], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}
