//! Administration from the command line, on a database file: API keys, user accounts
//! and the verification of audit chains. `loop keys …` and `loop users add` call these; each opens (and migrates)
//! the database, runs one use case and answers with what to print, or a message that
//! says what went wrong.

use std::path::Path;

use rusqlite::Connection;

use crate::clock::{Clock, SystemClock};
use crate::domain::credentials;
use crate::domain::enums::{UserRole, WireEnum};
use crate::error::ApiError;
use crate::service::accounts;
use crate::service::audit;
use crate::service::keys;
use crate::service::operations;
use crate::store::{self, projects, users};

/// One key as `loop keys list` shows it (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    /// The id to revoke it by.
    pub id: String,
    /// `admin`, or `project <id> (<prefix>…)`.
    pub kind: String,
    /// When it was created.
    pub created_at: String,
    /// Whether it still works.
    pub active: bool,
    /// Its label.
    pub name: String,
}

/// A user just added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedUser {
    /// Their id.
    pub id: String,
    /// Their email, as stored.
    pub email: String,
    /// Their handle.
    pub handle: String,
    /// Their role.
    pub role: String,
    /// The password generated for them, when none was given: shown once.
    pub generated_password: Option<String>,
}

/// Opens the database at `path`, creating and migrating it as needed.
pub fn open_database(path: &Path) -> Result<Connection, String> {
    let mut conn = store::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    store::migrate(&mut conn, SystemClock.now()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(conn)
}

/// Serves MCP over stdio on the database at `db` directly (`loop mcp --db`): see
/// [`crate::mcp::serve_stdio_on_database`].
pub fn serve_mcp_on_database(db: &Path, key: Option<String>, url: String) -> Result<(), String> {
    let conn = open_database(db)?;
    crate::mcp::serve_stdio_on_database(db, conn, crate::api::router(), key, url)
}

/// Creates an engine admin key and returns it.
pub fn create_admin_key(db: &Path, name: &str) -> Result<String, String> {
    let conn = open_database(db)?;
    let created = keys::create_admin_key(&conn, name, SystemClock.now()).map_err(describe)?;
    Ok(created.key)
}

/// Creates a review-API key for the project with this id or name and returns it.
pub fn create_project_key(db: &Path, project: &str, name: &str) -> Result<String, String> {
    let conn = open_database(db)?;
    match keys::create_project_key_for(&conn, project, name, SystemClock.now()) {
        Ok(created) => Ok(created.key),
        Err(ApiError::NotFound(_)) => Err(format!(
            "no project with id or name {project:?} (create one with POST /api/projects)"
        )),
        Err(other) => Err(describe(other)),
    }
}

/// Every key, admin keys first.
pub fn list_keys(db: &Path) -> Result<Vec<KeyRow>, String> {
    let conn = open_database(db)?;
    let (admin, project) = keys::list_all(&conn).map_err(describe)?;
    let admin = admin.into_iter().map(|key| KeyRow {
        id: key.id,
        kind: "admin".to_owned(),
        created_at: key.created_at,
        active: key.revoked_at.is_none(),
        name: key.name,
    });
    let project = project.into_iter().map(|key| KeyRow {
        kind: format!("project {} ({}…)", key.project_id, key.prefix),
        id: key.id,
        created_at: key.created_at,
        active: key.revoked_at.is_none(),
        name: key.name,
    });
    Ok(admin.chain(project).collect())
}

/// Revokes the key with this id; an error when there is no such active key.
pub fn revoke_key(db: &Path, id: &str) -> Result<(), String> {
    let conn = open_database(db)?;
    if keys::revoke_any(&conn, id, SystemClock.now()).map_err(describe)? {
        Ok(())
    } else {
        Err(format!("no active key with id {id}"))
    }
}

/// Adds a user with this role (`owner`, `admin`, `reviewer` or `viewer`); without a
/// password one is generated and returned.
pub fn add_user(
    db: &Path,
    email: &str,
    role: &str,
    password: Option<String>,
    name: Option<&str>,
) -> Result<AddedUser, String> {
    let role = UserRole::parse(role).ok_or_else(|| format!("unknown role {role}"))?;
    let generated = password.is_none();
    let password = match password {
        Some(password) => password,
        None => credentials::generate_password().map_err(|e| format!("no randomness: {e}"))?,
    };
    let account = accounts::prepare(email, &password, role, name, None).map_err(describe)?;
    let conn = open_database(db)?;
    let user = accounts::store(&conn, &account, SystemClock.now()).map_err(describe)?;
    Ok(AddedUser {
        id: user.id,
        email: user.email,
        handle: user.handle,
        role: role.as_str().to_owned(),
        generated_password: generated.then_some(password),
    })
}

/// What `loop audit verify` found in one project's audit chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheck {
    /// The project.
    pub project_id: String,
    /// Its name (empty if the project is gone).
    pub project_name: String,
    /// Records checked (up to the first break).
    pub records: i64,
    /// The last good record's number and hash, to keep outside the database.
    pub head: Option<(i64, String)>,
    /// Draws recomputed from the project's seed.
    pub draws: i64,
    /// Decoys whose planted error was recomputed from their source task.
    pub plants: i64,
    /// Decoys whose source task was deleted since.
    pub plants_erased: i64,
    /// The first bad record: its number, its id and what is wrong with it.
    pub first_break: Option<(i64, String, String)>,
}

/// Verifies the audit chain of the project with this id or name, or of every project
/// that has one (`docs/reviewer-quality.md`): hashes and links, the content they cover,
/// the draws that made probes and the errors planted in decoys.
pub fn verify_audit(db: &Path, project: Option<&str>) -> Result<Vec<AuditCheck>, String> {
    let conn = open_database(db)?;
    let verifications = match project {
        Some(id_or_name) => {
            let project = projects::find_live_by_id_or_name(&conn, id_or_name)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no project with id or name {id_or_name:?}"))?;
            vec![audit::verify(&conn, &project.id).map_err(describe)?]
        }
        None => audit::verify_all(&conn).map_err(describe)?,
    };
    verifications
        .into_iter()
        .map(|v| {
            let project_name = projects::find_any(&conn, &v.project_id)
                .map_err(|e| e.to_string())?
                .map(|p| p.name)
                .unwrap_or_default();
            Ok(AuditCheck {
                project_name,
                records: v.records,
                head: v.head.map(|h| (h.seq, h.hash)),
                draws: v.draws_recomputed,
                plants: v.plants_recomputed,
                plants_erased: v.plants_erased,
                first_break: v.first_break.map(|b| (b.seq, b.record_id, b.problem)),
                project_id: v.project_id,
            })
        })
        .collect()
}

/// Whether the database has any user account yet.
pub fn has_users(db: &Path) -> Result<bool, String> {
    users::any(&open_database(db)?).map_err(|e| e.to_string())
}

/// The message of an error, for the command line.
fn describe(error: ApiError) -> String {
    match error {
        ApiError::Validation(errors) => errors
            .into_iter()
            .map(|e| e.message)
            .collect::<Vec<_>>()
            .join("; "),
        ApiError::Conflict(message) => message.to_owned(),
        other => format!("{other:?}"),
    }
}

/// Backs the existing database at `db` up into `target` (`loop backup`): see
/// [`operations::backup`].
pub fn backup(db: &Path, target: &Path) -> Result<operations::Backup, String> {
    let conn = open_existing(db)?;
    operations::backup(&conn, target).map_err(|e| e.to_string())
}

/// Checks the existing database at `db` (`loop check`) without changing it.
pub fn check(db: &Path) -> Result<operations::CheckReport, String> {
    let conn = open_existing(db)?;
    Ok(operations::check(&conn, SystemClock.now()))
}

/// Opens a database file that must exist already, without migrating it.
fn open_existing(path: &Path) -> Result<Connection, String> {
    if !path.is_file() {
        return Err(format!("no database at {}", path.display()));
    }
    store::operations::open_existing(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))
}
