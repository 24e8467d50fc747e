//! Engine admin keys (docs/decisions.md#admin-keys): only their SHA-256 is stored.

use rusqlite::{Connection, Row, params};

use super::new_id;
use crate::clock::Timestamp;

/// An admin key's record (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminKey {
    /// Opaque id, used to revoke it.
    pub id: String,
    /// A human label.
    pub name: String,
    /// Creation time.
    pub created_at: String,
    /// When it stopped working.
    pub revoked_at: Option<String>,
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<AdminKey> {
    Ok(AdminKey {
        id: row.get(0)?,
        name: row.get(1)?,
        created_at: row.get(2)?,
        revoked_at: row.get(3)?,
    })
}

/// Stores the hash of a new key.
pub fn insert(
    conn: &Connection,
    name: &str,
    key_hash: &str,
    now: Timestamp,
) -> super::Result<AdminKey> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO admin_keys (id, name, key_hash, created_at) VALUES (?1, ?2, ?3, ?4) \
         RETURNING id, name, created_at, revoked_at",
        )?
        .query_row(params![new_id(), name, key_hash, now.to_string()], from_row)?)
}

/// Whether an unrevoked key has this hash.
pub fn is_active(conn: &Connection, key_hash: &str) -> super::Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM admin_keys WHERE key_hash = ?1 AND revoked_at IS NULL")?
        .exists([key_hash])?)
}

/// Whether any admin key was ever created (revoked ones count: a database whose keys were
/// all revoked must not silently get a fresh one).
pub fn any(conn: &Connection) -> super::Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM admin_keys LIMIT 1")?
        .exists([])?)
}

/// Every admin key, oldest first.
pub fn list(conn: &Connection) -> super::Result<Vec<AdminKey>> {
    Ok(conn
        .prepare_cached("SELECT id, name, created_at, revoked_at FROM admin_keys ORDER BY rowid")?
        .query_map([], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Revokes a key; `false` if there is no such unrevoked key.
pub fn revoke(conn: &Connection, id: &str, now: Timestamp) -> super::Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE admin_keys SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
        )?
        .execute(params![now.to_string(), id])?;
    Ok(changed > 0)
}
