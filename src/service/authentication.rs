//! Who a request comes from: an engine admin key (`LOOP_API_KEY`, compared in constant
//! time, or a stored admin key), a review-API project key, or a browser session. Only
//! hashes are stored, so a presented key or token is hashed and looked up. Using a
//! credential leaves a trace: a project key's `last_used_at` (at most once a minute, so
//! that reads do not all become writes) and a session's sliding expiry (at most once
//! an hour).

use crate::app::Ctx;
use crate::clock::Timestamp;
use crate::domain::credentials;
use crate::domain::signature::same_secret;
use crate::error::ApiError;
use crate::service::sessions::SESSION_LIFETIME_S;
use crate::store::admin_keys;
use crate::store::project_keys::{self, ProjectKey};
use crate::store::sessions;
use crate::store::users::User;

/// How stale a project key's `last_used_at` may get before a request refreshes it.
const LAST_USED_RESOLUTION_MS: i64 = 60_000;

/// How much of a session's lifetime may pass before a request extends it.
const SESSION_REFRESH_MS: i64 = 3_600_000;

/// Whether `token` is an engine admin key.
pub fn is_admin_key(ctx: &Ctx<'_>, token: &str) -> Result<bool, ApiError> {
    if let Some(key) = &ctx.config().api_key
        && same_secret(token, key)
    {
        return Ok(true);
    }
    Ok(admin_keys::is_active(
        ctx.db(),
        &credentials::key_hash(token),
    )?)
}

/// Whether `token` is the metrics scraper's `LOOP_METRICS_TOKEN`.
pub fn is_metrics_token(ctx: &Ctx<'_>, token: &str) -> bool {
    ctx.config()
        .metrics_token
        .as_deref()
        .is_some_and(|expected| same_secret(token, expected))
}

/// The active project key `token` is, if any.
pub fn project_key(ctx: &Ctx<'_>, token: &str) -> Result<Option<ProjectKey>, ApiError> {
    Ok(project_keys::find_active(
        ctx.db(),
        &credentials::key_hash(token),
    )?)
}

/// Notes that `key` was used now, unless that was noted less than a minute ago.
pub fn note_key_use(ctx: &mut Ctx<'_>, key: &ProjectKey) -> Result<(), ApiError> {
    let now = ctx.now();
    let stale = key
        .last_used_at
        .as_deref()
        .and_then(Timestamp::parse_canonical)
        .is_none_or(|used| now.unix_millis() - used.unix_millis() >= LAST_USED_RESOLUTION_MS);
    if stale {
        ctx.write(|tx, now| Ok(project_keys::touch(tx, &key.id, now)?))?;
    }
    Ok(())
}

/// A live session.
pub struct Session {
    /// Whose it is.
    pub user: User,
    /// The SHA-256 of its token (what ends it at sign-out).
    pub token_hash: String,
    /// When it expires unless used.
    pub expires_at: String,
}

/// The unexpired session of a live user that `token` opens, if any.
pub fn session(ctx: &Ctx<'_>, token: &str) -> Result<Option<Session>, ApiError> {
    let token_hash = credentials::key_hash(token);
    let found = sessions::find_user(ctx.db(), &token_hash, ctx.now())?;
    Ok(found.map(|(user, expires_at)| Session {
        user,
        token_hash,
        expires_at,
    }))
}

/// Slides `session`'s expiry to a full lifetime from now when less than that (less an
/// hour) is left; whether it did (its cookie should then be sent again).
pub fn extend(ctx: &mut Ctx<'_>, session: &Session) -> Result<bool, ApiError> {
    let lifetime_ms = SESSION_LIFETIME_S * 1000;
    let now = ctx.now();
    let remaining = Timestamp::parse_canonical(&session.expires_at)
        .map_or(0, |t| t.unix_millis() - now.unix_millis());
    if remaining >= lifetime_ms - SESSION_REFRESH_MS {
        return Ok(false);
    }
    ctx.write(|tx, now| {
        Ok(sessions::extend(
            tx,
            &session.token_hash,
            now.plus_millis(lifetime_ms),
        )?)
    })?;
    Ok(true)
}
