//! Labels (docs/engine-api.md#objects): names unique forever, soft-deleted.

use rusqlite::{Connection, ErrorCode, Row, params};
use serde::Serialize;

use super::new_id;
use crate::clock::Timestamp;
use crate::domain::pagination::Page;

/// A label.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Label {
    /// Opaque id.
    pub id: String,
    /// Unique name, 1..100 characters.
    pub name: String,
    /// Free-text colour.
    pub color: String,
    /// Creation time.
    pub created_at: String,
    /// Soft-delete time.
    pub deleted_at: Option<String>,
}

/// A label as embedded in issue detail.
#[derive(Debug, Serialize)]
pub struct LabelRef {
    /// Opaque id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Colour.
    pub color: String,
}

const COLUMNS: &str = "id, name, color, created_at, deleted_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Label> {
    Ok(Label {
        id: row.get(0)?,
        name: row.get(1)?,
        color: row.get(2)?,
        created_at: row.get(3)?,
        deleted_at: row.get(4)?,
    })
}

/// The table's live rows, as the shared queries read them.
const TABLE: super::Table<Label> = super::Table {
    name: "labels",
    columns: COLUMNS,
    read: from_row,
};

/// Creates a label; `None` if the name is taken (even by a deleted label).
pub fn insert(
    conn: &Connection,
    name: &str,
    color: &str,
    now: Timestamp,
) -> super::Result<Option<Label>> {
    let sql = format!(
        "INSERT INTO labels (id, name, color, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING {COLUMNS}"
    );
    Ok(match conn
        .prepare_cached(&sql)?
        .query_row(params![new_id(), name, color, now.to_string()], from_row)
    {
        Ok(label) => Ok(Some(label)),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::ConstraintViolation => {
            Ok(None)
        }
        Err(e) => Err(e),
    }?)
}

/// One page of live labels in insertion order, and how many there are.
pub fn list(conn: &Connection, page: Page) -> super::Result<(Vec<Label>, i64)> {
    super::live_page(conn, &TABLE, "rowid", page)
}

/// Marks the label deleted (again, if it already was); `false` if there is no such label.
pub fn soft_delete(conn: &Connection, id: &str, now: Timestamp) -> super::Result<bool> {
    let changed = conn
        .prepare_cached("UPDATE labels SET deleted_at = ?1 WHERE id = ?2")?
        .execute(params![now.to_string(), id])?;
    Ok(changed > 0)
}

/// The id of the label called `name` (deleted or not), creating it with `color` if no
/// label ever had that name.
pub fn find_or_create(
    conn: &Connection,
    name: &str,
    color: &str,
    now: Timestamp,
) -> super::Result<String> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO labels (id, name, color, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![new_id(), name, color, now.to_string()])?;
    Ok(conn
        .prepare_cached("SELECT id FROM labels WHERE name = ?1")?
        .query_row([name], |row| row.get(0))?)
}

/// `{name, color}` of every label linked to an issue, soft-deleted ones included (what
/// prompts and template conditions see).
pub fn all_of_issue(conn: &Connection, issue_id: &str) -> super::Result<Vec<LabelTag>> {
    Ok(conn
        .prepare_cached(
            "SELECT l.name, l.color FROM issue_labels il JOIN labels l ON l.id = il.label_id \
         WHERE il.issue_id = ?1 ORDER BY l.rowid",
        )?
        .query_map([issue_id], |row| {
            Ok(LabelTag {
                name: row.get(0)?,
                color: row.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// A label as prompts see it.
#[derive(Debug, Clone, Serialize)]
pub struct LabelTag {
    /// Name.
    pub name: String,
    /// Colour.
    pub color: String,
}

/// The live labels linked to an issue, in label insertion order.
pub fn of_issue(conn: &Connection, issue_id: &str) -> super::Result<Vec<LabelRef>> {
    Ok(conn
        .prepare_cached(
            "SELECT l.id, l.name, l.color FROM issue_labels il JOIN labels l ON l.id = il.label_id \
         WHERE il.issue_id = ?1 AND l.deleted_at IS NULL ORDER BY l.rowid",
        )?
        .query_map([issue_id], |row| {
            Ok(LabelRef {
                id: row.get(0)?,
                name: row.get(1)?,
                color: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}
