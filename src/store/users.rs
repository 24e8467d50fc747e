//! People who review or administer (docs/review-api.md#people-and-sessions, docs/decisions.md#users-and-roles): one
//! instance role each, a password hash, and membership of the projects they review.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::{new_id, required_enum_column};
use crate::clock::Timestamp;
use crate::domain::enums::{UserRole, WireEnum};

/// A user as the API shows them (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Opaque id.
    pub id: String,
    /// Login name, unique (case-insensitive).
    pub email: String,
    /// Public name shown to other reviewers, unique (case-insensitive).
    pub handle: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Instance role.
    pub role: UserRole,
    /// Creation time.
    pub created_at: String,
}

const COLUMNS: &str = "id, email, handle, display_name, role, created_at";

/// Reads a user from the first six columns of `row` (in `COLUMNS` order).
pub(super) fn from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: row.get(0)?,
        email: row.get(1)?,
        handle: row.get(2)?,
        display_name: row.get(3)?,
        role: required_enum_column(row, 4)?,
        created_at: row.get(5)?,
    })
}

/// A user about to be stored.
pub struct NewUser<'a> {
    /// Login name.
    pub email: &'a str,
    /// Public name.
    pub handle: &'a str,
    /// Display name.
    pub display_name: Option<&'a str>,
    /// Instance role.
    pub role: UserRole,
    /// PHC string of the password's Argon2id hash.
    pub password_hash: &'a str,
}

/// Stores a new user.
pub fn insert(conn: &Connection, user: &NewUser<'_>, now: Timestamp) -> super::Result<User> {
    let sql = format!(
        "INSERT INTO users (id, email, handle, display_name, role, password_hash, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING {COLUMNS}"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(
        params![
            new_id(),
            user.email,
            user.handle,
            user.display_name,
            user.role.as_str(),
            user.password_hash,
            now.to_string()
        ],
        from_row,
    )?)
}

/// The live user `id`.
pub fn find(conn: &Connection, id: &str) -> super::Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = ?1 AND deleted_at IS NULL");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], from_row)
        .optional()?)
}

/// The live user with this email (any case) and their password hash, for logging in.
pub fn find_for_login(conn: &Connection, email: &str) -> super::Result<Option<(User, String)>> {
    let sql = format!(
        "SELECT {COLUMNS}, password_hash FROM users WHERE email = ?1 COLLATE NOCASE AND deleted_at IS NULL"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([email], |row| Ok((from_row(row)?, row.get(6)?)))
        .optional()?)
}

/// Whether a live user other than `except` has this email or handle (any case).
pub fn taken(
    conn: &Connection,
    column: Unique,
    value: &str,
    except: Option<&str>,
) -> super::Result<bool> {
    let sql = format!(
        "SELECT 1 FROM users WHERE {} = ?1 COLLATE NOCASE AND deleted_at IS NULL AND (?2 IS NULL OR id != ?2)",
        column.name()
    );
    Ok(conn.prepare_cached(&sql)?.exists(params![value, except])?)
}

/// The columns that must be unique among live users.
#[derive(Debug, Clone, Copy)]
pub enum Unique {
    /// `email`.
    Email,
    /// `handle`.
    Handle,
}

impl Unique {
    fn name(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Handle => "handle",
        }
    }
}

/// Every live user, oldest first.
pub fn list(conn: &Connection) -> super::Result<Vec<User>> {
    let sql =
        format!("SELECT {COLUMNS} FROM users WHERE deleted_at IS NULL ORDER BY created_at, rowid");
    Ok(conn
        .prepare_cached(&sql)?
        .query_map([], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// How many live owners there are.
pub fn owner_count(conn: &Connection) -> super::Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*) FROM users WHERE role = 'owner' AND deleted_at IS NULL")?
        .query_row([], |row| row.get(0))?)
}

/// Whether any user exists (deleted ones included).
pub fn any(conn: &Connection) -> super::Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM users LIMIT 1")?
        .exists([])?)
}

/// The changes a `PATCH` makes; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct UserChanges {
    /// New role.
    pub role: Option<UserRole>,
    /// New handle.
    pub handle: Option<String>,
    /// New display name.
    pub display_name: Option<String>,
    /// New password hash.
    pub password_hash: Option<String>,
}

/// Applies `changes` to the live user `id`.
pub fn update(conn: &Connection, id: &str, changes: &UserChanges) -> super::Result<Option<User>> {
    let sql = format!(
        "UPDATE users SET role = COALESCE(?2, role), handle = COALESCE(?3, handle), \
         display_name = COALESCE(?4, display_name), password_hash = COALESCE(?5, password_hash) \
         WHERE id = ?1 AND deleted_at IS NULL RETURNING {COLUMNS}"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(
            params![
                id,
                changes.role.map(WireEnum::as_str),
                changes.handle,
                changes.display_name,
                changes.password_hash
            ],
            from_row,
        )
        .optional()?)
}

/// Soft-deletes the live user `id`, ending their sessions and project memberships;
/// `false` if there was none. Their past reviews stay.
pub fn delete(conn: &Connection, id: &str, now: Timestamp) -> super::Result<bool> {
    let deleted = conn
        .prepare_cached("UPDATE users SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL")?
        .execute(params![id, now.to_string()])?;
    if deleted == 0 {
        return Ok(false);
    }
    super::sessions::delete_for_user(conn, id)?;
    conn.prepare_cached("DELETE FROM project_reviewers WHERE user_id = ?1")?
        .execute([id])?;
    Ok(true)
}

/// Makes user `user_id` a reviewer of `project_id`; `false` if they already were.
pub fn add_to_project(
    conn: &Connection,
    project_id: &str,
    user_id: &str,
    now: Timestamp,
) -> super::Result<bool> {
    let added = conn
        .prepare_cached(
            "INSERT INTO project_reviewers (project_id, user_id, created_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![project_id, user_id, now.to_string()])?;
    Ok(added > 0)
}

/// Removes user `user_id` from the reviewers of `project_id`; `false` if they were not one.
pub fn remove_from_project(
    conn: &Connection,
    project_id: &str,
    user_id: &str,
) -> super::Result<bool> {
    let removed = conn
        .prepare_cached("DELETE FROM project_reviewers WHERE project_id = ?1 AND user_id = ?2")?
        .execute([project_id, user_id])?;
    Ok(removed > 0)
}

/// The live projects user `user_id` reviews.
pub fn project_ids(conn: &Connection, user_id: &str) -> super::Result<Vec<String>> {
    Ok(conn.prepare_cached(
        "SELECT pr.project_id FROM project_reviewers pr JOIN projects p ON p.id = pr.project_id \
         WHERE pr.user_id = ?1 AND p.deleted_at IS NULL ORDER BY pr.created_at",
    )?
    .query_map([user_id], |row| row.get(0))?
    .collect::<rusqlite::Result<_>>()?)
}

/// The live projects each user reviews, by user id, in one query (for the people list).
pub fn all_project_ids(
    conn: &Connection,
) -> super::Result<std::collections::HashMap<String, Vec<String>>> {
    let mut by_user: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    let rows = conn
        .prepare_cached(
            "SELECT pr.user_id, pr.project_id FROM project_reviewers pr \
             JOIN projects p ON p.id = pr.project_id WHERE p.deleted_at IS NULL \
             ORDER BY pr.created_at, pr.project_id",
        )?
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (user_id, project_id) in rows {
        by_user.entry(user_id).or_default().push(project_id);
    }
    Ok(by_user)
}
