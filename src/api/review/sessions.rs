//! `/api/v1/auth/*` (docs/review-api.md#people-and-sessions): signing users in and out with a session
//! cookie.

use serde_json::json;

use crate::app::Ctx;
use crate::domain::review::input::opt_string;
use crate::domain::validate::FieldError;
use crate::http::pipeline;
use crate::http::{ApiError, Reply, Request, auth};
use crate::service::sessions::{self, SESSION_LIFETIME_S};
use crate::store::users::{self, User};

/// The same answer for an unknown email and a wrong password, so that neither leaks.
const BAD_CREDENTIALS: ApiError = ApiError::Unauthorized("Wrong email or password");

/// What a user sees of themselves.
fn user_json(user: &User) -> serde_json::Value {
    json!({"id": user.id, "email": user.email, "handle": user.handle,
           "display_name": user.display_name, "role": user.role})
}

/// `POST /api/v1/auth/login` `{email, password}`: 200 with the user and the session
/// cookie. Failed attempts count against the client's address like failed key checks.
pub fn login(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let email = opt_string(&body, "", "email", 320)?
        .ok_or_else(|| FieldError::new("email", "email is required"))?;
    let password = opt_string(&body, "", "password", 1024)?
        .ok_or_else(|| FieldError::new("password", "password is required"))?;
    let Some((user, token)) = sessions::login(ctx, &email, &password)? else {
        return Err(pipeline::failed_authentication(
            ctx.app(),
            request,
            ctx.now(),
            BAD_CREDENTIALS,
        ));
    };
    Ok(
        Reply::json(200, &json!({"user": user_json(&user)})).with_header(
            "Set-Cookie",
            auth::session_cookie(&token, SESSION_LIFETIME_S, ctx.config().secure_cookies()),
        ),
    )
}

/// `POST /api/v1/auth/logout`: ends the session and clears its cookie.
pub fn logout(ctx: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    if let Some(hash) = ctx.session_hash().map(str::to_owned) {
        sessions::logout(ctx, &hash)?;
    }
    let secure = ctx.config().secure_cookies();
    Ok(Reply::empty(204).with_header("Set-Cookie", auth::session_cookie("", 0, secure)))
}

/// `GET /api/v1/auth/session`: the signed-in user and what they may do where.
pub fn session(ctx: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    let user = ctx.user()?;
    let project_ids = users::project_ids(ctx.db(), &user.id)?;
    Ok(Reply::json(
        200,
        &json!({
            "user": user_json(user),
            "memberships": [{
                "workspace_id": super::account::WORKSPACE_ID,
                "workspace": ctx.config().instance_name,
                "role": user.role,
                "project_ids": project_ids
            }]
        }),
    ))
}
