//! Project API keys of the review API (docs/review-api.md#keys-and-signing-secret, docs/decisions.md#project-keys): each reaches
//! one project's data only. Only the SHA-256 of a key is stored.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::new_id;
use crate::clock::Timestamp;

/// A project key's record (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectKey {
    /// Opaque id, used to revoke it.
    pub id: String,
    /// The project it belongs to.
    #[serde(skip)]
    pub project_id: String,
    /// A human label.
    pub name: String,
    /// `lq_` and the next four characters, to recognise it by.
    pub prefix: String,
    /// Creation time.
    pub created_at: String,
    /// The last time it authenticated a request (to the minute).
    pub last_used_at: Option<String>,
    /// When it stopped working.
    pub revoked_at: Option<String>,
}

const COLUMNS: &str = "id, project_id, name, prefix, created_at, last_used_at, revoked_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<ProjectKey> {
    Ok(ProjectKey {
        id: row.get(0)?,
        project_id: row.get(1)?,
        name: row.get(2)?,
        prefix: row.get(3)?,
        created_at: row.get(4)?,
        last_used_at: row.get(5)?,
        revoked_at: row.get(6)?,
    })
}

/// The key being created: what is stored of it.
pub struct NewProjectKey<'a> {
    /// The project it will reach.
    pub project_id: &'a str,
    /// A human label.
    pub name: &'a str,
    /// Its first characters.
    pub prefix: &'a str,
    /// SHA-256 of the key, lowercase hex.
    pub key_hash: &'a str,
}

/// Stores a new key.
pub fn insert(
    conn: &Connection,
    key: &NewProjectKey<'_>,
    now: Timestamp,
) -> super::Result<ProjectKey> {
    let sql = format!(
        "INSERT INTO project_keys (id, project_id, name, prefix, key_hash, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING {COLUMNS}"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(
        params![
            new_id(),
            key.project_id,
            key.name,
            key.prefix,
            key.key_hash,
            now.to_string()
        ],
        from_row,
    )?)
}

/// The unrevoked key with this hash, if its project is live.
pub fn find_active(conn: &Connection, key_hash: &str) -> super::Result<Option<ProjectKey>> {
    Ok(conn.prepare_cached(
        "SELECT k.id, k.project_id, k.name, k.prefix, k.created_at, k.last_used_at, k.revoked_at \
         FROM project_keys k JOIN projects p ON p.id = k.project_id \
         WHERE k.key_hash = ?1 AND k.revoked_at IS NULL AND p.deleted_at IS NULL",
    )?
    .query_row([key_hash], from_row)
    .optional()?)
}

/// Records that key `id` was used at `now`.
pub fn touch(conn: &Connection, id: &str, now: Timestamp) -> super::Result<()> {
    conn.prepare_cached("UPDATE project_keys SET last_used_at = ?2 WHERE id = ?1")?
        .execute(params![id, now.to_string()])?;
    Ok(())
}

/// The keys of one project (revoked ones too), oldest first.
pub fn list_for_project(conn: &Connection, project_id: &str) -> super::Result<Vec<ProjectKey>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM project_keys WHERE project_id = ?1 ORDER BY created_at, rowid"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_map([project_id], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Every project key of every project, oldest first (for the CLI).
pub fn list_all(conn: &Connection) -> super::Result<Vec<ProjectKey>> {
    let sql = format!("SELECT {COLUMNS} FROM project_keys ORDER BY created_at, rowid");
    Ok(conn
        .prepare_cached(&sql)?
        .query_map([], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Revokes key `id` (of `project_id` when given); `false` if there is no such unrevoked
/// key.
pub fn revoke(
    conn: &Connection,
    id: &str,
    project_id: Option<&str>,
    now: Timestamp,
) -> super::Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE project_keys SET revoked_at = ?1 \
             WHERE id = ?2 AND (?3 IS NULL OR project_id = ?3) AND revoked_at IS NULL",
        )?
        .execute(params![now.to_string(), id, project_id])?;
    Ok(changed > 0)
}
