//! API keys: engine admin keys and review-API project keys. A key is shown once, when it
//! is created; only its SHA-256 is stored, so a lost key is revoked and replaced, never
//! recovered.

use rusqlite::Connection;

use crate::app::Ctx;
use crate::clock::Timestamp;
use crate::domain::credentials;
use crate::error::ApiError;
use crate::store::admin_keys::{self, AdminKey};
use crate::store::project_keys::{self, NewProjectKey, ProjectKey};
use crate::store::projects;

/// A key just created: its record and the key itself, which is never shown again.
#[derive(Debug, Clone)]
pub struct Created<K> {
    /// What is stored about it.
    pub record: K,
    /// The key, for this one answer.
    pub key: String,
}

/// Creates an engine admin key named `name`.
pub fn create_admin_key(
    conn: &Connection,
    name: &str,
    now: Timestamp,
) -> Result<Created<AdminKey>, ApiError> {
    let key = credentials::generate_admin_key()?;
    let record = admin_keys::insert(conn, name, &credentials::key_hash(&key), now)?;
    Ok(Created { record, key })
}

/// Creates an engine admin key named `name` (the engine API, for the web app).
pub fn create_admin_key_now(ctx: &mut Ctx<'_>, name: &str) -> Result<Created<AdminKey>, ApiError> {
    ctx.write(|tx, now| create_admin_key(tx, name, now))
}

/// Creates a review-API key named `name` for project `project_id`.
pub fn create_project_key(
    conn: &Connection,
    project_id: &str,
    name: &str,
    now: Timestamp,
) -> Result<Created<ProjectKey>, ApiError> {
    let key = credentials::generate_project_key()?;
    let new_key = NewProjectKey {
        project_id,
        name,
        prefix: &credentials::key_prefix(&key),
        key_hash: &credentials::key_hash(&key),
    };
    let record = project_keys::insert(conn, &new_key, now)?;
    Ok(Created { record, key })
}

/// Creates a review-API key for the live project whose id, or else name, is
/// `id_or_name` (the command line names projects either way).
pub fn create_project_key_for(
    conn: &Connection,
    id_or_name: &str,
    name: &str,
    now: Timestamp,
) -> Result<Created<ProjectKey>, ApiError> {
    let project = projects::find_live_by_id_or_name(conn, id_or_name)?
        .ok_or(ApiError::NotFound("no project with this id or name"))?;
    create_project_key(conn, &project.id, name, now)
}

/// Every admin key and every project key, oldest first (never the keys themselves).
pub fn list_all(conn: &Connection) -> Result<(Vec<AdminKey>, Vec<ProjectKey>), ApiError> {
    Ok((admin_keys::list(conn)?, project_keys::list_all(conn)?))
}

/// Revokes the admin or project key with this id; `false` when there is no such active
/// key.
pub fn revoke_any(conn: &Connection, id: &str, now: Timestamp) -> Result<bool, ApiError> {
    Ok(admin_keys::revoke(conn, id, now)? || project_keys::revoke(conn, id, None, now)?)
}

/// Creates a review-API key named `name` for project `project_id` (the admin API).
pub fn create_for_project(
    ctx: &mut Ctx<'_>,
    project_id: &str,
    name: &str,
) -> Result<Created<ProjectKey>, ApiError> {
    ctx.write(|tx, now| create_project_key(tx, project_id, name, now))
}

/// Revokes key `key_id` of project `project_id` at once; 404 when there is no such
/// active key.
pub fn revoke_project_key(
    ctx: &mut Ctx<'_>,
    project_id: &str,
    key_id: &str,
) -> Result<(), ApiError> {
    if ctx.write(|tx, now| Ok(project_keys::revoke(tx, key_id, Some(project_id), now)?))? {
        Ok(())
    } else {
        Err(ApiError::NotFound("key not found"))
    }
}
