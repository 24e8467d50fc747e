//! Admin routes for people (review-api.md §15.3, DECISIONS 20): user accounts with an
//! instance role, and which projects each reviewer works on.

use serde_json::json;

use super::query_limit;
use crate::app::Ctx;
use crate::domain::enums::UserRole;
use crate::domain::review::input::{opt_enum, opt_string};
use crate::domain::validate::FieldError;
use crate::http::{ApiError, Reply, Request};
use crate::service::accounts::{self, Change};
use crate::service::audit;
use crate::store::projects;
use crate::store::users::{self, User};

const USER_NOT_FOUND: ApiError = ApiError::NotFound("user not found");
const PROJECT_NOT_FOUND: ApiError = ApiError::NotFound("project not found");

/// `POST /api/v1/users` `{email, password, role, display_name?, handle?}`.
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let email = opt_string(&body, "", "email", 320)?
        .ok_or_else(|| FieldError::new("email", "email is required"))?;
    let password = opt_string(&body, "", "password", 1024)?
        .ok_or_else(|| FieldError::new("password", "password is required"))?;
    let role = opt_enum::<UserRole>(&body, "role")?.ok_or_else(|| {
        FieldError::new("role", "role is required: owner, admin, reviewer or viewer")
    })?;
    let display_name = opt_string(&body, "", "display_name", 200)?;
    let handle = opt_string(&body, "", "handle", 200)?;
    let account = accounts::prepare(
        &email,
        &password,
        role,
        display_name.as_deref(),
        handle.as_deref(),
    )?;
    let user = accounts::create(ctx, &account)?;
    Ok(Reply::json(201, &user))
}

/// `GET /api/v1/users`: every user, oldest first.
pub fn list(ctx: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    Ok(Reply::json(200, &users::list(ctx.db())?))
}

/// `PATCH /api/v1/users/{id}` `{role?, display_name?, handle?, password?}`.
pub fn update(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let change = Change {
        role: opt_enum(&body, "role")?,
        handle: opt_string(&body, "", "handle", 200)?,
        display_name: opt_string(&body, "", "display_name", 200)?,
        password: opt_string(&body, "", "password", 1024)?,
    };
    let user = accounts::update(ctx, request.param("id"), change)?;
    Ok(Reply::json(200, &user))
}

/// `DELETE /api/v1/users/{id}`: the user can no longer sign in; their reviews stay.
pub fn delete(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    accounts::delete(ctx, request.param("id"))?;
    Ok(Reply::empty(204))
}

/// The live project and live user named by the path.
fn project_and_user(ctx: &Ctx<'_>, request: &Request) -> Result<(String, User), ApiError> {
    let project = projects::find_live(ctx.db(), request.param("id"))?.ok_or(PROJECT_NOT_FOUND)?;
    let user = users::find(ctx.db(), request.param("user_id"))?.ok_or(USER_NOT_FOUND)?;
    Ok((project.id, user))
}

/// `PUT /api/v1/projects/{id}/reviewers/{user_id}`: the user reviews the project (201
/// when new, 200 when they already did).
pub fn add_reviewer(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let (project_id, user) = project_and_user(ctx, request)?;
    let added = accounts::add_reviewer(ctx, &project_id, &user.id)?;
    Ok(Reply::json(
        if added { 201 } else { 200 },
        &json!({"project_id": project_id, "user_id": user.id}),
    ))
}

/// `DELETE /api/v1/projects/{id}/reviewers/{user_id}`: the user stops reviewing it.
pub fn remove_reviewer(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let (project_id, user) = project_and_user(ctx, request)?;
    accounts::remove_reviewer(ctx, &project_id, &user.id)?;
    Ok(Reply::empty(204))
}

/// `GET /api/v1/projects/{id}/reviewers`: everyone who reviews the project or has
/// decided in it, with their metrics there (docs/reviewer-quality.md), read from its
/// audit chain in one query.
pub fn project_reviewers(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project = projects::find_live(ctx.db(), request.param("id"))?.ok_or(PROJECT_NOT_FOUND)?;
    Ok(Reply::json(200, &audit::reviewers(ctx.db(), &project.id)?))
}

/// `GET /api/v1/projects/{id}/reviewers/{user_id}?limit=`: one person's metrics in the
/// project and the probes they met (decoys and golden tasks, newest first, at most
/// `limit`, 100 unless given).
pub fn project_reviewer(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let limit = query_limit(request, "limit", 1, 1000, 100)?;
    let project = projects::find_live(ctx.db(), request.param("id"))?.ok_or(PROJECT_NOT_FOUND)?;
    let detail = audit::reviewer(ctx.db(), &project.id, request.param("user_id"), limit)?
        .ok_or(USER_NOT_FOUND)?;
    Ok(Reply::json(200, &detail))
}
