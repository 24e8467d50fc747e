//! Browser sessions of users (docs/review-api.md#people-and-sessions): random tokens, of which only the
//! SHA-256 is stored, with a sliding expiry.

use rusqlite::{Connection, OptionalExtension, params};

use super::users::{self, User};
use crate::clock::Timestamp;

/// Starts a session for `user_id` that lasts until `expires_at`.
pub fn insert(
    conn: &Connection,
    token_hash: &str,
    user_id: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> super::Result<()> {
    conn.prepare_cached("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![token_hash, user_id, now.to_string(), expires_at.to_string()])?;
    Ok(())
}

/// The live user of an unexpired session, and when the session expires.
pub fn find_user(
    conn: &Connection,
    token_hash: &str,
    now: Timestamp,
) -> super::Result<Option<(User, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT u.id, u.email, u.handle, u.display_name, u.role, u.created_at, s.expires_at \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.deleted_at IS NULL",
        )?
        .query_row(params![token_hash, now.to_string()], |row| {
            Ok((users::from_row(row)?, row.get(6)?))
        })
        .optional()?)
}

/// Moves a session's expiry to `expires_at`.
pub fn extend(conn: &Connection, token_hash: &str, expires_at: Timestamp) -> super::Result<()> {
    conn.prepare_cached("UPDATE sessions SET expires_at = ?2 WHERE token_hash = ?1")?
        .execute(params![token_hash, expires_at.to_string()])?;
    Ok(())
}

/// Ends a session.
pub fn delete(conn: &Connection, token_hash: &str) -> super::Result<()> {
    conn.prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")?
        .execute([token_hash])?;
    Ok(())
}

/// Forgets sessions that expired by `now`.
pub fn delete_expired(conn: &Connection, now: Timestamp) -> super::Result<usize> {
    Ok(conn
        .prepare_cached("DELETE FROM sessions WHERE expires_at <= ?1")?
        .execute([now.to_string()])?)
}

/// Ends every session of user `user_id` (after a password reset, so that whoever knew the
/// old password is signed out too).
pub fn delete_for_user(conn: &Connection, user_id: &str) -> super::Result<usize> {
    Ok(conn
        .prepare_cached("DELETE FROM sessions WHERE user_id = ?1")?
        .execute([user_id])?)
}
