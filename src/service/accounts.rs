//! User accounts and who reviews which project. Creating an account (shared by the
//! admin API and `loop users add`) validates it and hashes its password first (slow, so
//! outside any transaction), then checks uniqueness and inserts it inside the write.
//! Only an owner (or an engine admin key) may create, change or remove owners, and the
//! last owner can be neither removed nor demoted.

use rusqlite::Connection;

use crate::app::Ctx;
use crate::clock::Timestamp;
use crate::domain::credentials;
use crate::domain::enums::UserRole;
use crate::domain::validate::FieldError;
use crate::error::ApiError;
use crate::store::sessions;
use crate::store::users::{self, NewUser, Unique, User, UserChanges};

/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 8;

/// Longest email, handle or display name accepted.
const MAX_TEXT: usize = 200;

/// An account ready to store: validated, its password hashed.
#[derive(Debug, Clone)]
pub struct Prepared {
    email: String,
    handle: Option<String>,
    display_name: Option<String>,
    role: UserRole,
    password_hash: String,
}

const USER_NOT_FOUND: ApiError = ApiError::NotFound("user not found");
const OWNERS_ONLY: ApiError = ApiError::Forbidden("only an owner may change owners");
const LAST_OWNER: ApiError = ApiError::Conflict("the last owner cannot be removed or demoted");

/// Checks a password's length.
pub fn check_password(password: &str) -> Result<(), FieldError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(FieldError::new(
            "password",
            format!("password must be at least {MIN_PASSWORD} characters"),
        ));
    }
    Ok(())
}

/// Checks a handle: 1–200 letters, digits, `.`, `_` or `-`.
pub fn check_handle(handle: &str) -> Result<(), FieldError> {
    let valid = !handle.is_empty()
        && handle.chars().count() <= MAX_TEXT
        && handle
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(())
    } else {
        Err(FieldError::new(
            "handle",
            "handle must be letters, digits, '.', '_' or '-'",
        ))
    }
}

/// Validates an account and hashes its password.
pub fn prepare(
    email: &str,
    password: &str,
    role: UserRole,
    display_name: Option<&str>,
    handle: Option<&str>,
) -> Result<Prepared, ApiError> {
    let email = email.trim();
    let valid_email = email.chars().count() <= MAX_TEXT
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
        && !email.chars().any(char::is_whitespace);
    if !valid_email {
        return Err(
            FieldError::new("email", "email must be an address like ana@example.com").into(),
        );
    }
    check_password(password)?;
    if let Some(handle) = handle {
        check_handle(handle)?;
    }
    if display_name.is_some_and(|n| n.chars().count() > MAX_TEXT) {
        return Err(FieldError::new(
            "display_name",
            "display_name must be at most 200 characters",
        )
        .into());
    }
    Ok(Prepared {
        email: email.to_owned(),
        handle: handle.map(str::to_owned),
        display_name: display_name.map(str::to_owned),
        role,
        password_hash: credentials::hash_password(password).map_err(ApiError::Internal)?,
    })
}

/// Stores a prepared account: 409 when its email (or chosen handle) is taken. Without a
/// chosen handle it gets the email's local part, numbered if someone has it already.
pub fn store(conn: &Connection, account: &Prepared, now: Timestamp) -> Result<User, ApiError> {
    if users::taken(conn, Unique::Email, &account.email, None)? {
        return Err(ApiError::Conflict("a user with this email exists"));
    }
    let handle = match &account.handle {
        Some(handle) if users::taken(conn, Unique::Handle, handle, None)? => {
            return Err(ApiError::Conflict("a user with this handle exists"));
        }
        Some(handle) => handle.clone(),
        None => free_handle(conn, &account.email)?,
    };
    let new_user = NewUser {
        email: &account.email,
        handle: &handle,
        display_name: account.display_name.as_deref(),
        role: account.role,
        password_hash: &account.password_hash,
    };
    Ok(users::insert(conn, &new_user, now)?)
}

/// The email's local part as a handle (invalid characters dropped), numbered 2, 3, …
/// until free.
fn free_handle(conn: &Connection, email: &str) -> Result<String, ApiError> {
    let local = email.split('@').next().unwrap_or_default();
    let mut base: String = local
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .take(MAX_TEXT - 8)
        .collect();
    if base.is_empty() {
        base = "reviewer".to_owned();
    }
    let mut candidate = base.clone();
    let mut n = 1;
    while users::taken(conn, Unique::Handle, &candidate, None)? {
        n += 1;
        candidate = format!("{base}{n}");
    }
    Ok(candidate)
}

/// Whether the caller may create, change or remove owners: an owner, or an engine admin
/// key.
fn may_manage_owners(ctx: &Ctx<'_>) -> bool {
    ctx.manager()
        .is_none_or(|user| user.role == UserRole::Owner)
}

/// Creates the account `account` was prepared from.
pub fn create(ctx: &mut Ctx<'_>, account: &Prepared) -> Result<User, ApiError> {
    if account.role == UserRole::Owner && !may_manage_owners(ctx) {
        return Err(OWNERS_ONLY);
    }
    ctx.write(|tx, now| store(tx, account, now))
}

/// What an admin may change about a user; the password in clear, hashed here.
pub struct Change {
    /// A new role.
    pub role: Option<UserRole>,
    /// A new handle (checked).
    pub handle: Option<String>,
    /// A new display name.
    pub display_name: Option<String>,
    /// A new password (checked, then hashed).
    pub password: Option<String>,
}

/// Changes user `id`.
pub fn update(ctx: &mut Ctx<'_>, id: &str, change: Change) -> Result<User, ApiError> {
    if let Some(handle) = &change.handle {
        check_handle(handle)?;
    }
    let password_hash = match &change.password {
        Some(password) => {
            check_password(password)?;
            Some(credentials::hash_password(password).map_err(ApiError::Internal)?)
        }
        None => None,
    };
    let changes = UserChanges {
        role: change.role,
        handle: change.handle,
        display_name: change.display_name,
        password_hash,
    };
    let owners_allowed = may_manage_owners(ctx);
    ctx.write(|tx, _| {
        let current = users::find(tx, id)?.ok_or(USER_NOT_FOUND)?;
        let touches_owner =
            current.role == UserRole::Owner || changes.role == Some(UserRole::Owner);
        if touches_owner && !owners_allowed {
            return Err(OWNERS_ONLY);
        }
        let demoted =
            current.role == UserRole::Owner && changes.role.is_some_and(|r| r != UserRole::Owner);
        if demoted && users::owner_count(tx)? <= 1 {
            return Err(LAST_OWNER);
        }
        if let Some(handle) = &changes.handle
            && users::taken(tx, Unique::Handle, handle, Some(id))?
        {
            return Err(ApiError::Conflict("a user with this handle exists"));
        }
        users::update(tx, id, &changes)?.ok_or(USER_NOT_FOUND)
    })
}

/// Removes user `id`: they can no longer sign in; their reviews stay.
pub fn delete(ctx: &mut Ctx<'_>, id: &str) -> Result<(), ApiError> {
    let owners_allowed = may_manage_owners(ctx);
    ctx.write(|tx, now| {
        let current = users::find(tx, id)?.ok_or(USER_NOT_FOUND)?;
        if current.role == UserRole::Owner {
            if !owners_allowed {
                return Err(OWNERS_ONLY);
            }
            if users::owner_count(tx)? <= 1 {
                return Err(LAST_OWNER);
            }
        }
        users::delete(tx, id, now)?;
        Ok(())
    })
}

/// Makes user `user_id` a reviewer of project `project_id`: `true` when new, `false`
/// Gives user `id` a new generated password and ends their sessions, so that whoever
/// knew the old one is signed out too; answers the password, to be shown once. Only an
/// owner (or an engine admin key) resets an owner's password.
pub fn reset_password(ctx: &mut Ctx<'_>, id: &str) -> Result<String, ApiError> {
    let password = credentials::generate_password()?;
    let changes = UserChanges {
        password_hash: Some(credentials::hash_password(&password).map_err(ApiError::Internal)?),
        ..UserChanges::default()
    };
    let owners_allowed = may_manage_owners(ctx);
    ctx.write(|tx, _| {
        let current = users::find(tx, id)?.ok_or(USER_NOT_FOUND)?;
        if current.role == UserRole::Owner && !owners_allowed {
            return Err(OWNERS_ONLY);
        }
        users::update(tx, id, &changes)?.ok_or(USER_NOT_FOUND)?;
        sessions::delete_for_user(tx, id)?;
        Ok(())
    })?;
    Ok(password)
}

/// when they already were.
pub fn add_reviewer(ctx: &mut Ctx<'_>, project_id: &str, user_id: &str) -> Result<bool, ApiError> {
    ctx.write(|tx, now| Ok(users::add_to_project(tx, project_id, user_id, now)?))
}

/// User `user_id` stops reviewing project `project_id`; 404 when they did not.
pub fn remove_reviewer(ctx: &mut Ctx<'_>, project_id: &str, user_id: &str) -> Result<(), ApiError> {
    if ctx.write(|tx, _| Ok(users::remove_from_project(tx, project_id, user_id)?))? {
        Ok(())
    } else {
        Err(ApiError::NotFound(
            "the user is not a reviewer of this project",
        ))
    }
}
