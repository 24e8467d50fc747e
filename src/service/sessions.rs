//! Browser sessions: signing in with an email and password starts a session whose token
//! only the browser holds (its SHA-256 is stored); signing out ends it. Expired sessions
//! are swept whenever someone signs in.

use crate::app::Ctx;
use crate::domain::credentials;
use crate::error::ApiError;
use crate::store::sessions;
use crate::store::users::{self, User};

/// How long a session lasts without use: 14 days (each use slides it, see the pipeline).
pub const SESSION_LIFETIME_S: i64 = 14 * 86_400;

/// Signs `email` in with `password`: the user and their new session token, or `None`
/// for an unknown email or a wrong password (the caller answers both alike).
pub fn login(
    ctx: &mut Ctx<'_>,
    email: &str,
    password: &str,
) -> Result<Option<(User, String)>, ApiError> {
    let user = match users::find_for_login(ctx.db(), email.trim())? {
        Some((user, hash)) if credentials::verify_password(password, &hash) => user,
        _ => return Ok(None),
    };
    let token = credentials::generate_session_token()?;
    let hash = credentials::key_hash(&token);
    ctx.write(|tx, now| {
        sessions::delete_expired(tx, now)?;
        sessions::insert(
            tx,
            &hash,
            &user.id,
            now,
            now.plus_millis(SESSION_LIFETIME_S * 1000),
        )?;
        Ok(())
    })?;
    Ok(Some((user, token)))
}

/// Ends the session whose token hashes to `token_hash`.
pub fn logout(ctx: &mut Ctx<'_>, token_hash: &str) -> Result<(), ApiError> {
    ctx.write(|tx, _| Ok(sessions::delete(tx, token_hash)?))?;
    Ok(())
}
