//! Admin routes for people (docs/review-api.md#administration, docs/decisions.md#users-and-roles): user accounts with an
//! instance role, and which projects each reviewer works on.

use serde_json::{Value, json};

use super::{managed_project, query_limit};
use crate::app::Ctx;
use crate::domain::credentials;
use crate::domain::enums::UserRole;
use crate::domain::review::input::{opt_enum, opt_string};
use crate::domain::validate::FieldError;
use crate::http::{ApiError, Reply, Request};
use crate::service::accounts::{self, Change};
use crate::service::audit;
use crate::store::users::{self, User};

const USER_NOT_FOUND: ApiError = ApiError::NotFound("user not found");

/// `POST /api/v1/users` `{email, password?, role, display_name?, handle?}`. Without a
/// password one is generated and returned in this answer only (`password`), for the
/// admin to hand over.
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let email = opt_string(&body, "", "email", 320)?
        .ok_or_else(|| FieldError::new("email", "email is required"))?;
    let chosen = opt_string(&body, "", "password", 1024)?;
    let generated = match chosen {
        Some(_) => None,
        None => Some(credentials::generate_password()?),
    };
    let password = chosen.or_else(|| generated.clone()).unwrap_or_default();
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
    let mut answer = json!(user);
    if let (Some(generated), Some(fields)) = (generated, answer.as_object_mut()) {
        fields.insert("password".to_owned(), Value::String(generated));
    }
    Ok(Reply::json(201, &answer))
}

/// `GET /api/v1/users`: every user, oldest first, each with the projects they review
/// (`project_ids`).
pub fn list(ctx: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    let mut memberships = users::all_project_ids(ctx.db())?;
    let listed: Vec<Value> = users::list(ctx.db())?
        .into_iter()
        .map(|user| {
            let project_ids = memberships.remove(&user.id).unwrap_or_default();
            let mut row = json!(user);
            if let Some(fields) = row.as_object_mut() {
                fields.insert("project_ids".to_owned(), json!(project_ids));
            }
            row
        })
        .collect();
    Ok(Reply::json(200, &listed))
}

/// `POST /api/v1/users/{id}/reset-password`: a new generated password, returned in this
/// answer only; the user's sessions end, so whoever knew the old one is signed out.
/// Only an owner may reset an owner's password.
pub fn reset_password(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let password = accounts::reset_password(ctx, request.param("id"))?;
    Ok(Reply::json(200, &json!({"password": password})))
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
    let project_id = managed_project(ctx, request)?;
    let user = users::find(ctx.db(), request.param("user_id"))?.ok_or(USER_NOT_FOUND)?;
    Ok((project_id, user))
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
/// decided in it, with their metrics there (docs/reviewer-quality.md#scores), read from
/// its audit chain in one query.
pub fn project_reviewers(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = managed_project(ctx, request)?;
    Ok(Reply::json(200, &audit::reviewers(ctx.db(), &project_id)?))
}

/// `GET /api/v1/projects/{id}/reviewers/{user_id}?limit=`: one person's metrics in the
/// project and the probes they met (decoys and golden tasks, newest first, at most
/// `limit`, 100 unless given).
pub fn project_reviewer(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let limit = query_limit(request, "limit", 1, 1000, 100)?;
    let project_id = managed_project(ctx, request)?;
    let detail = audit::reviewer(ctx.db(), &project_id, request.param("user_id"), limit)?
        .ok_or(USER_NOT_FOUND)?;
    Ok(Reply::json(200, &detail))
}
