//! Admin routes for a project's review credentials (docs/review-api.md#keys-and-signing-secret): its API keys
//! (shown once, stored hashed, revocable) and its webhook signing secret.

use serde_json::json;

use super::{PROJECT_NOT_FOUND, managed_project};
use crate::app::Ctx;
use crate::domain::review::input::opt_string;
use crate::http::{ApiError, Reply, Request};
use crate::service;
use crate::service::keys::{self, Created};
use crate::store::project_keys;
use crate::store::projects;

/// The name a key gets when none is given.
pub const DEFAULT_KEY_NAME: &str = "default";

/// `POST /api/v1/projects/{id}/keys` `{name?}`: a new key, shown in this answer only.
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let name = opt_string(&body, "", "name", 100)?.unwrap_or_else(|| DEFAULT_KEY_NAME.to_owned());
    let project_id = managed_project(ctx, request)?;
    let Created { record, key } = keys::create_for_project(ctx, &project_id, &name)?;
    Ok(Reply::json(
        201,
        &json!({"id": record.id, "name": record.name, "key": key, "prefix": record.prefix, "created_at": record.created_at}),
    ))
}

/// `GET /api/v1/projects/{id}/keys`: every key of the project (never the keys themselves).
pub fn list(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = managed_project(ctx, request)?;
    Ok(Reply::json(
        200,
        &project_keys::list_for_project(ctx.db(), &project_id)?,
    ))
}

/// `DELETE /api/v1/projects/{id}/keys/{key_id}`: revokes the key at once.
pub fn revoke(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = managed_project(ctx, request)?;
    keys::revoke_project_key(ctx, &project_id, request.param("key_id"))?;
    Ok(Reply::empty(204))
}

/// `GET /api/v1/projects/{id}/signing-secret`: the secret verdict webhooks are signed with.
pub fn signing_secret(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let settings =
        projects::review_settings(ctx.db(), request.param("id"))?.ok_or(PROJECT_NOT_FOUND)?;
    Ok(Reply::json(
        200,
        &json!({"secret": settings.signing_secret}),
    ))
}

/// `POST /api/v1/projects/{id}/signing-secret/rotate`: a new secret; every delivery
/// attempted from now on, retries included, is signed with it.
pub fn rotate_signing_secret(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let secret = service::projects::rotate_signing_secret(ctx, request.param("id"))?;
    Ok(Reply::json(200, &json!({"secret": secret})))
}
