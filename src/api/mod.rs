//! The URL space: one module per resource, and the routing table that ties paths to
//! handlers. A handler parses and validates its input, calls one use case of
//! [`crate::service`] (or, for a plain read, one store query) and shapes the answer.

mod comments;
mod dashboard;
mod dispatch;
mod goals;
mod issues;
mod keys;
mod labels;
mod mcp;
mod operations;
mod projects;
mod prompt_reviews;
mod relations;
mod review;
mod signals;
mod system;
mod templates;

use crate::domain::pagination::Page;
use std::sync::LazyLock;

use crate::http::router::{Access, Handler, Route, Router};
use crate::http::{ApiError, Method, Request};

/// No length limit on free-text fields beyond the request body limit.
const ANY_LENGTH: usize = usize::MAX;

/// The routing table of every endpoint (with the web app answering browsers' page
/// requests before it), built once: the server's workers and the
/// in-process MCP backend route through the same table.
pub fn router() -> &'static Router {
    static ROUTER: LazyLock<Router> =
        LazyLock::new(|| Router::new(routes()).with_pages(crate::ui::serve));
    &ROUTER
}

/// Every route, one row each, in matching order (literal paths before parameterised
/// ones).
#[rustfmt::skip]
fn routes() -> Vec<Route> {
    use Access::{Admin, Key, Manage, Metrics, ProjectKey, Public, Session, Signed};
    use Method::{Delete, Get, Patch, Post, Put};
    use review::{
        account, audit, deliveries, escalations, hooks, project_keys,
        projects as review_projects, queue, sessions, tasks, users, verdicts,
    };
    let route = |method, pattern, access, handler: Handler| Route { method, pattern, access, handler, safe: true };
    vec![
        route(Get,    "/health",                                                  Public,     system::health),
        route(Get,    "/",                                                        Public,     system::root),
        route(Post,   "/mcp",                                                     Key,        mcp::handle),
        route(Get,    "/api/openapi.json",                                        Public,     system::openapi),
        route(Get,    "/metrics",                                                 Metrics,    operations::metrics),
        route(Post,   "/api/admin/backup",                                        Admin,      operations::backup),
        route(Get,    "/api/issues",                                              Admin,      issues::list),
        route(Post,   "/api/issues",                                              Admin,      issues::create),
        route(Get,    "/api/issues/{id}",                                         Admin,      issues::detail),
        route(Patch,  "/api/issues/{id}",                                         Admin,      issues::update),
        route(Delete, "/api/issues/{id}",                                         Admin,      issues::delete),
        route(Post,   "/api/issues/{id}/relations",                               Admin,      relations::create),
        route(Post,   "/api/issues/{id}/review-request",                          Manage,     issues::review_request),
        route(Delete, "/api/relations/{id}",                                      Admin,      relations::delete),
        route(Get,    "/api/issues/{id}/comments",                                Admin,      comments::list),
        route(Post,   "/api/issues/{id}/comments",                                Admin,      comments::create),
        route(Get,    "/api/labels",                                              Admin,      labels::list),
        route(Post,   "/api/labels",                                              Admin,      labels::create),
        route(Delete, "/api/labels/{id}",                                         Admin,      labels::delete),
        route(Get,    "/api/projects",                                            Admin,      projects::list),
        route(Post,   "/api/projects",                                            Admin,      projects::create),
        route(Get,    "/api/projects/{id}",                                       Admin,      projects::detail),
        route(Patch,  "/api/projects/{id}",                                       Admin,      projects::update),
        route(Delete, "/api/projects/{id}",                                       Admin,      projects::delete),
        route(Get,    "/api/goals",                                               Admin,      goals::list),
        route(Post,   "/api/goals",                                               Admin,      goals::create),
        route(Get,    "/api/goals/{id}",                                          Admin,      goals::detail),
        route(Patch,  "/api/goals/{id}",                                          Admin,      goals::update),
        route(Delete, "/api/goals/{id}",                                          Admin,      goals::delete),
        route(Get,    "/api/signals",                                             Admin,      signals::list),
        route(Post,   "/api/signals",                                             Admin,      signals::ingest),
        route(Post,   "/api/signals/github",                                      Signed,     signals::github),
        route(Post,   "/api/signals/sentry",                                      Signed,     signals::sentry),
        route(Post,   "/api/signals/posthog",                                     Signed,     signals::posthog),
        route(Get,    "/api/templates",                                           Admin,      templates::list),
        route(Post,   "/api/templates",                                           Admin,      templates::create),
        route(Get,    "/api/templates/preview/{issueId}",                         Admin,      templates::preview),
        route(Get,    "/api/templates/{id}",                                      Admin,      templates::detail),
        route(Patch,  "/api/templates/{id}",                                      Admin,      templates::update),
        route(Delete, "/api/templates/{id}",                                      Admin,      templates::delete),
        route(Get,    "/api/templates/{id}/versions",                             Admin,      templates::versions),
        route(Post,   "/api/templates/{id}/versions",                             Admin,      templates::create_version),
        route(Post,   "/api/templates/{id}/versions/{versionId}/promote",         Admin,      templates::promote),
        route(Get,    "/api/templates/{id}/reviews",                              Admin,      templates::reviews),
        route(Post,   "/api/prompt-reviews",                                      Admin,      prompt_reviews::create),
        // Claims the issue it returns: a GET by contract, but never answered to HEAD.
        route(Get,    "/api/dispatch/next",                                       Admin,      dispatch::next).changes_state(),
        route(Get,    "/api/dispatch/queue",                                      Admin,      dispatch::queue),
        route(Get,    "/api/dashboard/stats",                                     Admin,      dashboard::stats),
        route(Get,    "/api/dashboard/activity",                                  Admin,      dashboard::activity),
        route(Get,    "/api/dashboard/prompts",                                   Admin,      dashboard::prompts),
        route(Get,    "/api/dashboard/setup",                                     Admin,      dashboard::setup),
        route(Post,   "/api/keys",                                                Admin,      keys::create),
        route(Get,    "/api/v1/me",                                               ProjectKey, account::me),
        route(Post,   "/api/v1/tasks",                                            ProjectKey, tasks::create),
        route(Get,    "/api/v1/tasks",                                            ProjectKey, tasks::list),
        route(Get,    "/api/v1/tasks/{id}",                                       ProjectKey, tasks::detail),
        route(Delete, "/api/v1/tasks/{id}",                                       ProjectKey, tasks::delete),
        route(Post,   "/api/v1/hooks",                                            ProjectKey, hooks::create),
        route(Get,    "/api/v1/hooks",                                            ProjectKey, hooks::list),
        route(Delete, "/api/v1/hooks/{id}",                                       ProjectKey, hooks::delete),
        route(Get,    "/api/v1/verdicts",                                         ProjectKey, verdicts::list),
        route(Get,    "/api/v1/deliveries",                                       ProjectKey, deliveries::list),
        route(Post,   "/api/v1/deliveries/{id}/redeliver",                        ProjectKey, deliveries::redeliver),
        route(Get,    "/api/v1/projects",                                         Manage,     review_projects::list),
        route(Post,   "/api/v1/projects",                                         Manage,     review_projects::create),
        route(Get,    "/api/v1/projects/{id}",                                    Manage,     review_projects::detail),
        route(Patch,  "/api/v1/projects/{id}",                                    Manage,     review_projects::update),
        route(Get,    "/api/v1/projects/{id}/tasks",                              Manage,     tasks::list_in_project),
        route(Get,    "/api/v1/projects/{id}/tasks/{task_id}",                    Manage,     tasks::detail_in_project),
        route(Get,    "/api/v1/projects/{id}/hooks",                              Manage,     hooks::list_in_project),
        route(Post,   "/api/v1/projects/{id}/hooks",                              Manage,     hooks::create_in_project),
        route(Delete, "/api/v1/projects/{id}/hooks/{hook_id}",                    Manage,     hooks::delete_in_project),
        route(Get,    "/api/v1/projects/{id}/deliveries",                         Manage,     deliveries::list_in_project),
        route(Post,   "/api/v1/projects/{id}/deliveries/{delivery_id}/redeliver", Manage,     deliveries::redeliver_in_project),
        route(Post,   "/api/v1/projects/{id}/keys",                               Manage,     project_keys::create),
        route(Get,    "/api/v1/projects/{id}/keys",                               Manage,     project_keys::list),
        route(Delete, "/api/v1/projects/{id}/keys/{key_id}",                      Manage,     project_keys::revoke),
        route(Get,    "/api/v1/projects/{id}/signing-secret",                     Manage,     project_keys::signing_secret),
        route(Post,   "/api/v1/projects/{id}/signing-secret/rotate",              Manage,     project_keys::rotate_signing_secret),
        route(Get,    "/api/v1/projects/{id}/reviewers",                          Manage,     users::project_reviewers),
        route(Get,    "/api/v1/projects/{id}/reviewers/{user_id}",                Manage,     users::project_reviewer),
        route(Put,    "/api/v1/projects/{id}/reviewers/{user_id}",                Manage,     users::add_reviewer),
        route(Delete, "/api/v1/projects/{id}/reviewers/{user_id}",                Manage,     users::remove_reviewer),
        route(Get,    "/api/v1/projects/{id}/audit",                              Manage,     audit::list),
        route(Get,    "/api/v1/projects/{id}/audit/verify",                       Manage,     audit::verify),
        route(Post,   "/api/v1/auth/login",                                       Public,     sessions::login),
        route(Post,   "/api/v1/auth/logout",                                      Session,    sessions::logout),
        route(Get,    "/api/v1/auth/session",                                     Session,    sessions::session),
        route(Post,   "/api/v1/users",                                            Manage,     users::create),
        route(Get,    "/api/v1/users",                                            Manage,     users::list),
        route(Patch,  "/api/v1/users/{id}",                                       Manage,     users::update),
        route(Delete, "/api/v1/users/{id}",                                       Manage,     users::delete),
        route(Post,   "/api/v1/users/{id}/reset-password",                        Manage,     users::reset_password),
        route(Get,    "/api/v1/review/projects",                                  Session,    review_projects::reviewable),
        route(Post,   "/api/v1/review/next",                                      Session,    queue::next),
        route(Post,   "/api/v1/review/assignments/{id}/decision",                 Session,    queue::decide),
        route(Post,   "/api/v1/review/assignments/{id}/skip",                     Session,    queue::skip),
        route(Get,    "/api/v1/review/stats",                                     Session,    queue::stats),
        route(Get,    "/api/v1/review/escalations",                               Manage,     escalations::list),
        route(Post,   "/api/v1/review/tasks/{id}/resolve",                        Manage,     escalations::resolve),
    ]
}

/// The page a list request asks for (`limit` with `offset` or `page`).
fn page(request: &Request) -> Result<Page, ApiError> {
    Ok(Page::from_query(
        request.query("limit")?,
        request.query("offset")?,
        request.query("page")?,
    )?)
}

/// A value that validation guarantees is present; its absence is a server bug, reported
/// as a 500 rather than a panic.
fn validated<T>(value: Option<T>, field: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::Internal(format!("validated field {field} is missing")))
}
