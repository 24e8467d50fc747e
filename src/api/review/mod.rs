//! The human-review API (`/api/v1/*`, review-api.md): snake_case JSON, bare arrays for
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

use crate::clock::Timestamp;
use crate::domain::enums::WireEnum;
use crate::domain::review::input;
use crate::domain::validate::FieldError;
use crate::http::{ApiError, Request};

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
