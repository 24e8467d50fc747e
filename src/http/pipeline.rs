//! One request's path through the server: CORS preflight, routing, authentication and
//! rate limits, the handler (with panics contained), errors in the conventions of the
//! API the path belongs to, and the CORS headers on the way out.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rusqlite::Connection;
use serde_json::json;

use super::auth;
use super::cors;
use super::error::{ApiError, Style};
use super::request::{Method, Request};
use super::response::{JSON, JSON_UTF8, Reply};
use super::router::{Access, Resolution, Router};
use crate::answers::Answers;
use crate::app::{App, Caller, Ctx};
use crate::clock::Timestamp;
use crate::log::{self, Level};
use crate::rate_limit::Decision;
use crate::service::authentication;
use crate::service::sessions::SESSION_LIFETIME_S;
use crate::store::project_keys::ProjectKey;

/// Headers added to whatever the request ends with (rate-limit counters).
type ExtraHeaders = Vec<(&'static str, String)>;

/// What stands for the route of a request that no route pattern answered, in logs and
/// metrics: a CORS preflight, a page of the web app, or an unknown path.
pub const PREFLIGHT: &str = "(preflight)";
/// See [`PREFLIGHT`].
pub const WEB_APP: &str = "(web app)";
/// See [`PREFLIGHT`].
pub const UNMATCHED: &str = "(unmatched)";

/// An answered request and the route pattern that answered it (or a placeholder such
/// as [`UNMATCHED`]), for logs and metrics.
pub struct Handled {
    /// The answer.
    pub reply: Reply,
    /// The route pattern.
    pub route: &'static str,
}

/// Answers one request using the worker's connection, and the answers the worker keeps
/// beside it (if any) for reads that can be served again.
pub fn handle(
    app: &App,
    router: &Router,
    conn: &mut Connection,
    answers: Option<&Answers>,
    mut request: Request,
) -> Handled {
    let origin = request.header("Origin").map(str::to_owned);
    let allowed = &app.config.cors_origins;
    if request.method() == Method::Options {
        return Handled {
            reply: cors::preflight(origin.as_deref(), allowed),
            route: PREFLIGHT,
        };
    }
    if let Some(page) = router.page(&request) {
        return Handled {
            reply: page,
            route: WEB_APP,
        };
    }
    let style = style_of(&request);
    let mut extra = ExtraHeaders::new();
    let mut pattern = UNMATCHED;
    let reply = route(
        app,
        router,
        conn,
        answers,
        &mut request,
        &mut extra,
        &mut pattern,
    )
    .unwrap_or_else(|error| {
        if let ApiError::Internal(detail) = &error {
            log::event(
                app.config.log,
                app.clock.now(),
                Level::Warning,
                "internal_error",
                &format!("{} {}: {detail}", request.method().as_str(), request.path()),
                json!({"method": request.method().as_str(), "route": pattern, "detail": detail}),
            );
        }
        error.to_reply_in(style)
    });
    let reply = extra
        .into_iter()
        .fold(reply, |reply, (name, value)| reply.with_header(name, value));
    Handled {
        reply: cors::decorate(in_conventions(reply, style), origin.as_deref(), allowed),
        route: pattern,
    }
}

/// The answer in the wire conventions of its API: the review API's JSON declares its
/// charset, as LoopQuest's reference does; the engine API's is plain `application/json`
/// like the original's.
fn in_conventions(reply: Reply, style: Style) -> Reply {
    if style == Style::Review && reply.header("Content-Type") == Some(JSON) {
        reply.replacing_header("Content-Type", JSON_UTF8)
    } else {
        reply
    }
}

/// The error conventions of the API `request` belongs to.
pub(crate) fn style_of(request: &Request) -> Style {
    if request.is_review_path() {
        Style::Review
    } else {
        Style::Engine
    }
}

/// The path the router matches: on the review API a single trailing slash is ignored.
/// (`crate::route_pattern_of` resolves requests with it too.)
pub fn routing_path(request: &Request) -> &str {
    let path = request.path();
    match path.strip_suffix('/') {
        Some(trimmed) if request.is_review_path() && !trimmed.is_empty() => trimmed,
        _ => path,
    }
}

fn route(
    app: &App,
    router: &Router,
    conn: &mut Connection,
    answers: Option<&Answers>,
    request: &mut Request,
    extra: &mut ExtraHeaders,
    pattern: &mut &'static str,
) -> Result<Reply, ApiError> {
    let resolution = router.resolve(request.method(), routing_path(request));
    if let Resolution::Found(route, _) = &resolution {
        *pattern = route.pattern;
    }
    let access = match &resolution {
        Resolution::Found(route, _) => route.access,
        // The engine API needs a key even to learn that a route does not exist.
        _ if request.is_api_path() && !request.is_review_path() => Access::Admin,
        _ => Access::Public,
    };
    let mut ctx = Ctx::new(app, conn).with_answers(answers);
    match access {
        // The web app: an owner's or admin's session stands in for the admin key
        // (docs/engine-api.md#authentication). A request with a key is judged by its key.
        Access::Admin
            if request.header("Authorization").is_none()
                && auth::session_token(request.header("Cookie")).is_some() =>
        {
            let caller = authenticate_manager(&mut ctx, request, extra)?;
            ctx.set_caller(caller);
        }
        Access::Admin => {
            let header = request.header("Authorization");
            let token = match style_of(request) {
                Style::Engine => auth::bearer_token(header)?,
                Style::Review => auth::lenient_bearer_token(header)?,
            };
            authenticate_admin(&ctx, token)?;
            ctx.set_caller(Caller::Admin(token.to_owned()));
        }
        Access::ProjectKey => {
            let key = authenticate_project(&mut ctx, request, extra)?;
            ctx.set_caller(Caller::Project(key));
        }
        Access::Session => {
            let caller = authenticate_session(&mut ctx, request, extra)?;
            ctx.set_caller(caller);
        }
        Access::Manage if request.header("Authorization").is_some() => {
            let token = auth::lenient_bearer_token(request.header("Authorization"))?;
            authenticate_admin(&ctx, token)?;
            ctx.set_caller(Caller::Admin(token.to_owned()));
        }
        Access::Manage => {
            let caller = authenticate_manager(&mut ctx, request, extra)?;
            ctx.set_caller(caller);
        }
        Access::Key => {
            let caller = authenticate_any_key(&ctx, request)?;
            ctx.set_caller(caller);
        }
        Access::Metrics => {
            let token = auth::bearer_token(request.header("Authorization"))?;
            if !authentication::is_metrics_token(&ctx, token) {
                authenticate_admin(&ctx, token)?;
            }
        }
        Access::Public | Access::Signed => {}
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
    if authentication::is_admin_key(ctx, token)? {
        Ok(())
    } else {
        Err(auth::invalid_key())
    }
}

/// Checks a key of either kind: an admin key first, then a project key. A missing or
/// unknown key counts as a failed authentication of the client's address.
fn authenticate_any_key(ctx: &Ctx<'_>, request: &Request) -> Result<Caller, ApiError> {
    let refuse = |refusal| failed_authentication(ctx.app(), request, ctx.now(), refusal);
    let token = auth::lenient_bearer_token(request.header("Authorization")).map_err(refuse)?;
    match authenticate_admin(ctx, token) {
        Ok(()) => return Ok(Caller::Admin(token.to_owned())),
        Err(ApiError::Unauthorized(_)) => {}
        Err(other) => return Err(other),
    }
    match authentication::project_key(ctx, token)? {
        Some(key) => Ok(Caller::Project(key)),
        None => Err(refuse(auth::invalid_key())),
    }
}

/// Checks the session cookie (docs/review-api.md#people-and-sessions): an unexpired session of a live
/// user. A state-changing request must declare a JSON body, which `SameSite=Strict`
/// cookies make a CSRF guard. The expiry slides ([`authentication::extend`]), and the
/// cookie is then sent again.
fn authenticate_session(
    ctx: &mut Ctx<'_>,
    request: &Request,
    extra: &mut ExtraHeaders,
) -> Result<Caller, ApiError> {
    let token = auth::session_token(request.header("Cookie"))
        .ok_or(ApiError::Unauthorized("Sign in first"))?;
    let session = authentication::session(ctx, token)?.ok_or(ApiError::Unauthorized(
        "The session has expired; sign in again",
    ))?;
    let changes_state = !matches!(request.method(), Method::Get | Method::Head);
    let declares_json = request.header("Content-Type").is_some_and(|t| {
        t.trim_start()
            .to_ascii_lowercase()
            .starts_with("application/json")
    });
    if changes_state && !declares_json {
        return Err(ApiError::Forbidden(
            "requests that change something need Content-Type: application/json",
        ));
    }
    if authentication::extend(ctx, &session)? {
        extra.push((
            "Set-Cookie",
            auth::session_cookie(token, SESSION_LIFETIME_S, ctx.config().secure_cookies()),
        ));
    }
    Ok(Caller::User(session.user, session.token_hash))
}

/// Checks the session cookie of an owner or admin (reviewers and viewers get 403).
fn authenticate_manager(
    ctx: &mut Ctx<'_>,
    request: &Request,
    extra: &mut ExtraHeaders,
) -> Result<Caller, ApiError> {
    let caller = authenticate_session(ctx, request, extra)?;
    if matches!(&caller, Caller::User(user, _) if user.role.is_admin()) {
        Ok(caller)
    } else {
        Err(ApiError::Forbidden("only an owner or admin may do this"))
    }
}

/// Counts a failed authentication (a bad key, a wrong password) against the client's
/// address: the `refusal` itself while that address has budget left, a 429 once it
/// has used it up (docs/review-api.md#rate-limits).
pub fn failed_authentication(
    app: &App,
    request: &Request,
    now: Timestamp,
    refusal: ApiError,
) -> ApiError {
    let address = request.peer().map(|ip| ip.to_string()).unwrap_or_default();
    match app.auth_failures.admit(&address, now) {
        Decision::Limited { retry_after_s } => {
            app.metrics.rate_limited("auth_failures");
            ApiError::RateLimited(retry_after_s)
        }
        Decision::Allowed { .. } => refusal,
    }
}

/// Checks a project key (docs/review-api.md#conventions, docs/review-api.md#rate-limits) and counts the request against its
/// budget, adding the `X-RateLimit-*` headers. Failed attempts count against the
/// client's address instead; past that budget they get 429 rather than 401.
fn authenticate_project(
    ctx: &mut Ctx<'_>,
    request: &Request,
    extra: &mut ExtraHeaders,
) -> Result<ProjectKey, ApiError> {
    let app = ctx.app();
    let now = ctx.now();
    let found = match auth::lenient_bearer_token(request.header("Authorization")) {
        Ok(token) => authentication::project_key(ctx, token)?.ok_or_else(auth::invalid_key),
        Err(missing) => Err(missing),
    };
    let key = match found {
        Ok(key) => key,
        Err(refusal) => return Err(failed_authentication(app, request, now, refusal)),
    };
    let limit = app.key_limits.limit();
    let (remaining, reset_ms, refused) = match app.key_limits.admit(&key.id, now) {
        Decision::Allowed {
            remaining,
            reset_ms,
        } => (remaining, reset_ms, None),
        Decision::Limited { retry_after_s } => (
            0,
            now.unix_millis() + retry_after_s * 1000,
            Some(retry_after_s),
        ),
    };
    extra.push(("X-RateLimit-Limit", limit.to_string()));
    extra.push(("X-RateLimit-Remaining", remaining.to_string()));
    extra.push((
        "X-RateLimit-Reset",
        (reset_ms + 999).div_euclid(1000).to_string(),
    ));
    if let Some(retry_after_s) = refused {
        app.metrics.rate_limited("project_key");
        return Err(ApiError::RateLimited(retry_after_s));
    }
    authentication::note_key_use(ctx, &key)?;
    Ok(key)
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
    let style = style_of(request);
    cors::decorate(
        in_conventions(error.to_reply_in(style), style),
        request.header("Origin"),
        &app.config.cors_origins,
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::app::Outbox;
    use crate::clock::SystemClock;
    use crate::config::Config;
    use crate::http::router::Route;

    fn boom(_: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
        panic!("boom")
    }

    fn fine(_: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
        Ok(Reply::empty(204))
    }

    fn app() -> (App, Router) {
        let route = |pattern, handler| Route {
            method: Method::Get,
            pattern,
            access: Access::Public,
            handler,
            safe: true,
        };
        let router = Router::new(vec![route("/boom", boom), route("/fine", fine)]);
        let app = App::new(
            Config::new(":memory:"),
            Arc::new(SystemClock),
            Outbox::channel().0,
        );
        (app, router)
    }

    fn get(path: &str) -> Request {
        Request::new(Method::Get, path, Vec::new(), Vec::new())
    }

    #[test]
    fn a_panicking_handler_answers_500_and_the_worker_goes_on() {
        let (app, router) = app();
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        let reply = handle(&app, &router, &mut conn, None, get("/boom")).reply;
        assert_eq!(reply.status(), 500);
        assert_eq!(reply.body(), br#"{"error":"Internal server error"}"#);
        assert_eq!(
            handle(&app, &router, &mut conn, None, get("/fine"))
                .reply
                .status(),
            204
        );
    }

    #[test]
    fn review_answers_declare_their_charset() {
        let (app, router) = app();
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        let review = handle(&app, &router, &mut conn, None, get("/api/v1/unknown")).reply;
        assert_eq!(review.header("Content-Type"), Some(JSON_UTF8));
        let engine = handle(&app, &router, &mut conn, None, get("/unknown")).reply;
        assert_eq!(engine.header("Content-Type"), Some(JSON));
        let refused = refuse(&app, &get("/api/v1/tasks"), &ApiError::PayloadTooLarge(1));
        assert_eq!(refused.header("Content-Type"), Some(JSON_UTF8));
        assert_eq!(
            handle(&app, &router, &mut conn, None, get("/fine"))
                .reply
                .header("Content-Type"),
            None
        );
    }

    #[test]
    fn api_paths_need_a_key_even_when_unknown() {
        let (app, router) = app();
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        crate::store::migrate(&mut conn, crate::clock::Timestamp::from_unix_millis(0))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            handle(&app, &router, &mut conn, None, get("/api/unknown"))
                .reply
                .status(),
            401
        );
        assert_eq!(
            handle(&app, &router, &mut conn, None, get("/unknown"))
                .reply
                .status(),
            404
        );
    }
}
