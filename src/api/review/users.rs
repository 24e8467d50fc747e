//! Admin routes for people (review-api.md §15.3, DECISIONS 20): user accounts with an
//! instance role, and which projects each reviewer works on.

use serde_json::{Value, json};

use super::managed_project;
use super::queue::stats_json;
use crate::accounts;
use crate::app::Ctx;
use crate::domain::enums::UserRole;
use crate::domain::review::input::{opt_enum, opt_string};
use crate::domain::validate::FieldError;
use crate::http::{ApiError, Reply, Request, auth};
use crate::store::users::{self, Unique, User, UserChanges};
use crate::store::{sessions, task_reviews};

const USER_NOT_FOUND: ApiError = ApiError::NotFound("user not found");
const OWNERS_ONLY: ApiError = ApiError::Forbidden("only an owner may change owners");
const LAST_OWNER: ApiError = ApiError::Conflict("the last owner cannot be removed or demoted");

/// Whether the caller may create, change or remove owners: an owner, or an engine admin
/// key.
fn may_manage_owners(ctx: &Ctx<'_>) -> bool {
    ctx.manager()
        .is_none_or(|user| user.role == UserRole::Owner)
}

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
        None => Some(auth::generate_password()?),
    };
    let password = chosen.or_else(|| generated.clone()).unwrap_or_default();
    let role = opt_enum::<UserRole>(&body, "role")?.ok_or_else(|| {
        FieldError::new("role", "role is required: owner, admin, reviewer or viewer")
    })?;
    if role == UserRole::Owner && !may_manage_owners(ctx) {
        return Err(OWNERS_ONLY);
    }
    let display_name = opt_string(&body, "", "display_name", 200)?;
    let handle = opt_string(&body, "", "handle", 200)?;
    let account = accounts::prepare(
        &email,
        &password,
        role,
        display_name.as_deref(),
        handle.as_deref(),
    )?;
    let user = ctx.write(|tx, now| accounts::store(tx, &account, now))?;
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
    let password = auth::generate_password()?;
    let hash = auth::hash_password(&password).map_err(ApiError::Internal)?;
    let owners_allowed = may_manage_owners(ctx);
    let id = request.param("id");
    ctx.write(|tx, _| {
        let current = users::find(tx, id)?.ok_or(USER_NOT_FOUND)?;
        if current.role == UserRole::Owner && !owners_allowed {
            return Err(OWNERS_ONLY);
        }
        let changes = UserChanges {
            password_hash: Some(hash),
            ..UserChanges::default()
        };
        users::update(tx, id, &changes)?.ok_or(USER_NOT_FOUND)?;
        sessions::delete_for_user(tx, id)?;
        Ok(())
    })?;
    Ok(Reply::json(200, &json!({"password": password})))
}

/// `PATCH /api/v1/users/{id}` `{role?, display_name?, handle?, password?}`.
pub fn update(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let handle = opt_string(&body, "", "handle", 200)?;
    if let Some(handle) = &handle {
        accounts::check_handle(handle)?;
    }
    let password_hash = match opt_string(&body, "", "password", 1024)? {
        Some(password) => {
            accounts::check_password(&password)?;
            Some(auth::hash_password(&password).map_err(ApiError::Internal)?)
        }
        None => None,
    };
    let changes = UserChanges {
        role: opt_enum(&body, "role")?,
        handle,
        display_name: opt_string(&body, "", "display_name", 200)?,
        password_hash,
    };
    let owners_allowed = may_manage_owners(ctx);
    let id = request.param("id");
    let user = ctx.write(|tx, _| {
        let current = users::find(tx, id)?.ok_or(USER_NOT_FOUND)?;
        let touches_owner =
            current.role == UserRole::Owner || changes.role == Some(UserRole::Owner);
        if touches_owner && !owners_allowed {
            return Err(OWNERS_ONLY);
        }
        let demoted =
            current.role == UserRole::Owner && changes.role.is_some_and(|r| r != UserRole::Owner);
        if demoted && users::owner_count(tx)? <= 1 {
            return Err(LAST_OWNER);
        }
        if let Some(handle) = &changes.handle
            && users::taken(tx, Unique::Handle, handle, Some(id))?
        {
            return Err(ApiError::Conflict("a user with this handle exists"));
        }
        users::update(tx, id, &changes)?.ok_or(USER_NOT_FOUND)
    })?;
    Ok(Reply::json(200, &user))
}

/// `DELETE /api/v1/users/{id}`: the user can no longer sign in; their reviews stay.
pub fn delete(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let owners_allowed = may_manage_owners(ctx);
    let id = request.param("id");
    ctx.write(|tx, now| {
        let current = users::find(tx, id)?.ok_or(USER_NOT_FOUND)?;
        if current.role == UserRole::Owner {
            if !owners_allowed {
                return Err(OWNERS_ONLY);
            }
            if users::owner_count(tx)? <= 1 {
                return Err(LAST_OWNER);
            }
        }
        users::delete(tx, id, now)?;
        Ok(())
    })?;
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
    let added = ctx.write(|tx, now| Ok(users::add_to_project(tx, &project_id, &user.id, now)?))?;
    Ok(Reply::json(
        if added { 201 } else { 200 },
        &json!({"project_id": project_id, "user_id": user.id}),
    ))
}

/// `DELETE /api/v1/projects/{id}/reviewers/{user_id}`: the user stops reviewing it.
pub fn remove_reviewer(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let (project_id, user) = project_and_user(ctx, request)?;
    if ctx.write(|tx, _| Ok(users::remove_from_project(tx, &project_id, &user.id)?))? {
        Ok(Reply::empty(204))
    } else {
        Err(ApiError::NotFound(
            "the user is not a reviewer of this project",
        ))
    }
}

/// `GET /api/v1/projects/{id}/reviewers`: each reviewer of the project with their
/// metrics in it (§14.6).
pub fn project_reviewers(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = managed_project(ctx, request)?;
    let reviewers = users::reviewers_of(ctx.db(), &project_id)?;
    let rows = reviewers
        .into_iter()
        .map(|user| {
            let tally = task_reviews::tally(ctx.db(), &user.id, Some(&project_id))?;
            Ok(json!({"user": user, "stats": stats_json(&tally)}))
        })
        .collect::<Result<Vec<Value>, ApiError>>()?;
    Ok(Reply::json(200, &rows))
}
