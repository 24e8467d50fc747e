//! The human-review API (`/api/v1/*`, docs/review-api.md): snake_case JSON, bare arrays for
//! lists, errors as `{error, code, field?}`. Ingest routes act for the project of the
//! key they were called with, and never reach another project's data.

pub mod account;
pub mod audit;
pub mod deliveries;
pub mod escalations;
pub mod hooks;
pub mod project_keys;
pub mod projects;
pub mod queue;
pub mod sessions;
pub mod tasks;
pub mod users;
pub mod verdicts;

use crate::app::Ctx;
use crate::clock::Timestamp;
use crate::domain::enums::WireEnum;
use crate::domain::review::input;
use crate::domain::validate::FieldError;
use crate::http::{ApiError, Request};
use crate::store;

/// The 404 of a project that does not exist (or was deleted).
const PROJECT_NOT_FOUND: ApiError = ApiError::NotFound("project not found");

/// The id of the live project named by the `{id}` of an administrator's route
/// (`/api/v1/projects/{id}/…`).
fn managed_project(ctx: &Ctx<'_>, request: &Request) -> Result<String, ApiError> {
    let project =
        store::projects::find_live(ctx.db(), request.param("id"))?.ok_or(PROJECT_NOT_FOUND)?;
    Ok(project.id)
}

/// The project an ingest route acts in: the one of the key it was called with.
fn key_project(ctx: &Ctx<'_>) -> Result<String, ApiError> {
    Ok(ctx.project_key()?.project_id.clone())
}

/// The query parameter `name`, absent when missing or empty.
fn query_text<'r>(request: &'r Request, name: &str) -> Result<Option<&'r str>, ApiError> {
    Ok(request.query(name)?.filter(|v| !v.is_empty()))
}

/// The query parameter `name` as a member of `E`, if given.
fn query_enum<E: WireEnum>(request: &Request, name: &str) -> Result<Option<E>, ApiError> {
    match query_text(request, name)? {
        None => Ok(None),
        Some(raw) => E::parse(raw)
            .map(Some)
            .ok_or_else(|| input::not_one_of::<E>(name).into()),
    }
}

/// The query parameter `name` as a whole number in `min..=max` (`default` when absent or
/// empty).
fn query_limit(
    request: &Request,
    name: &str,
    min: i64,
    max: i64,
    default: i64,
) -> Result<i64, ApiError> {
    match query_text(request, name)? {
        None => Ok(default),
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| {
                FieldError::new(
                    name,
                    format!("{name} must be a whole number from {min} to {max}"),
                )
                .into()
            }),
    }
}

/// The query parameter `name` as an RFC 3339 time, if given.
fn query_time(request: &Request, name: &str) -> Result<Option<Timestamp>, ApiError> {
    match query_text(request, name)? {
        None => Ok(None),
        Some(raw) => Timestamp::parse_rfc3339(raw).map(Some).ok_or_else(|| {
            FieldError::new(
                name,
                format!("{name} must be an RFC 3339 time such as 2026-01-01T00:00:00Z"),
            )
            .into()
        }),
    }
}
