//! One request's path through the server: CORS preflight, routing, authentication, the
//! handler (with panics contained), and the CORS headers on the way out.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rusqlite::Connection;

use super::auth;
use super::cors;
use super::error::ApiError;
use super::request::{Method, Request};
use super::response::Reply;
use super::router::{Access, Resolution};
use crate::app::{App, Ctx};
use crate::store::admin_keys;

/// Answers one request using the worker's connection.
pub fn handle(app: &App, conn: &mut Connection, mut request: Request) -> Reply {
    let origin = request.header("Origin").map(str::to_owned);
    let allowed = &app.config.cors_origins;
    if request.method() == Method::Options {
        return cors::preflight(origin.as_deref(), allowed);
    }
    let reply = route(app, conn, &mut request).unwrap_or_else(|error| {
        if let ApiError::Internal(detail) = &error {
            eprintln!(
                "error: {} {}: {detail}",
                request.method().as_str(),
                request.path()
            );
        }
        error.to_reply()
    });
    cors::decorate(reply, origin.as_deref(), allowed)
}

fn route(app: &App, conn: &mut Connection, request: &mut Request) -> Result<Reply, ApiError> {
    let resolution = app.router.resolve(request.method(), request.path());
    let access = match &resolution {
        Resolution::Found(route, _) => route.access,
        _ if request.is_api_path() => Access::Admin,
        _ => Access::Public,
    };
    let mut ctx = Ctx::new(app, conn);
    if access == Access::Admin {
        authenticate_admin(&ctx, request.header("Authorization"))?;
    }
    match resolution {
        Resolution::Found(route, params) => {
            request.set_params(params);
            let handler = route.handler;
            match catch_unwind(AssertUnwindSafe(|| handler(&mut ctx, request))) {
                Ok(result) => result,
                Err(panic) => Err(ApiError::Internal(format!(
                    "handler panicked: {}",
                    panic_message(panic.as_ref())
                ))),
            }
        }
        Resolution::WrongMethod(allow) => Err(ApiError::MethodNotAllowed(allow)),
        Resolution::NotFound => Err(ApiError::NotFound("Not found")),
    }
}

/// Checks an engine admin bearer key: `LOOP_API_KEY`, or a stored admin key.
fn authenticate_admin(ctx: &Ctx<'_>, header: Option<&str>) -> Result<(), ApiError> {
    let token = auth::bearer_token(header)?;
    if let Some(key) = &ctx.config().api_key
        && auth::same_secret(token, key)
    {
        return Ok(());
    }
    if admin_keys::is_active(ctx.db(), &auth::key_hash(token))? {
        return Ok(());
    }
    Err(auth::invalid_key())
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown panic")
}

/// Answers a request that failed before it could be routed (e.g. an oversized body),
/// with the same CORS headers as any other answer.
pub fn refuse(app: &App, request: &Request, error: &ApiError) -> Reply {
    cors::decorate(error.to_reply(), request.header("Origin"), &app.config.cors_origins)
}
