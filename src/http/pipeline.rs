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
use crate::domain::signature::same_secret;
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
        let token = auth::bearer_token(request.header("Authorization"))?;
        authenticate_admin(&ctx, token)?;
        ctx.set_bearer(token);
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
fn authenticate_admin(ctx: &Ctx<'_>, token: &str) -> Result<(), ApiError> {
    if let Some(key) = &ctx.config().api_key
        && same_secret(token, key)
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
    cors::decorate(
        error.to_reply(),
        request.header("Origin"),
        &app.config.cors_origins,
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::SystemClock;
    use crate::config::Config;
    use crate::http::router::{Route, Router};

    fn boom(_: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
        panic!("boom")
    }

    fn fine(_: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
        Ok(Reply::empty(204))
    }

    fn app() -> App {
        let route = |pattern, handler| Route {
            method: Method::Get,
            pattern,
            access: Access::Public,
            handler,
        };
        let router = Router::new(vec![route("/boom", boom), route("/fine", fine)]);
        App::new(Config::new(":memory:"), Arc::new(SystemClock), router)
    }

    fn get(path: &str) -> Request {
        Request::new(Method::Get, path, Vec::new(), Vec::new())
    }

    #[test]
    fn a_panicking_handler_answers_500_and_the_worker_goes_on() {
        let app = app();
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        let reply = handle(&app, &mut conn, get("/boom"));
        assert_eq!(reply.status(), 500);
        assert_eq!(reply.body(), br#"{"error":"Internal server error"}"#);
        assert_eq!(handle(&app, &mut conn, get("/fine")).status(), 204);
    }

    #[test]
    fn api_paths_need_a_key_even_when_unknown() {
        let app = app();
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        crate::store::migrate(&mut conn, crate::clock::Timestamp::from_unix_millis(0))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(handle(&app, &mut conn, get("/api/unknown")).status(), 401);
        assert_eq!(handle(&app, &mut conn, get("/unknown")).status(), 404);
    }
}
