//! Creating user accounts, shared by the admin API and `loop users add`: validation and
//! password hashing first (slow, so outside any transaction), then the uniqueness
//! checks and the insert inside the caller's transaction.

use rusqlite::Connection;

use crate::clock::Timestamp;
use crate::domain::enums::UserRole;
use crate::domain::validate::FieldError;
use crate::http::{ApiError, auth};
use crate::store::users::{self, NewUser, Unique, User};

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
        password_hash: auth::hash_password(password).map_err(ApiError::Internal)?,
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
