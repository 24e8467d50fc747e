//! Projects as the review side sees them: the administrators' list with review-task
//! counts, creation, renaming and review settings (`/api/v1/projects`), and the
//! reviewers' project picker (`/api/v1/review/projects`). A review project is an engine
//! project (one `projects` table), so creating one here creates it for both halves; its
//! review settings include the sign-off policy of its agents' work (docs/sign-off.md).

use serde_json::json;

use super::PROJECT_NOT_FOUND;
use super::queue::reviewer;
use crate::app::Ctx;
use crate::domain::enums::SignOffMode;
use crate::domain::review::input::{opt_enum, opt_integer, opt_rate, opt_string, present};
use crate::domain::review::task::{MAX_TIMEOUT_SECONDS, MIN_TIMEOUT_SECONDS};
use crate::domain::validate::FieldError;
use crate::http::{ApiError, Reply, Request};
use crate::service;
use crate::service::projects::ReviewSettingsChange;
use crate::store::projects::{self, ProjectFields, ReviewProject};

/// Longest project name (the engine API's limit).
const MAX_NAME: usize = 500;

/// `GET /api/v1/projects`: every live project with its pending, escalated and reviewed
/// task counts, oldest first.
pub fn list(ctx: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    Ok(Reply::json(
        200,
        &projects::with_review_counts(ctx.db(), None, None)?,
    ))
}

/// The live project `id` with its counts, or 404.
fn find(ctx: &Ctx<'_>, id: &str) -> Result<ReviewProject, ApiError> {
    projects::with_review_counts(ctx.db(), None, Some(id))?
        .into_iter()
        .next()
        .ok_or(PROJECT_NOT_FOUND)
}

/// `GET /api/v1/projects/{id}`.
pub fn detail(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    Ok(Reply::json(200, &find(ctx, request.param("id"))?))
}

/// The `default_gate_timeout_seconds` of a body, if given (30 s to 30 days, like a
/// task's own timeout).
fn gate_timeout(
    body: &serde_json::Map<String, serde_json::Value>,
) -> Result<Option<i64>, ApiError> {
    Ok(opt_integer(
        body,
        "default_gate_timeout_seconds",
        MIN_TIMEOUT_SECONDS,
        MAX_TIMEOUT_SECONDS,
    )?)
}

/// `POST /api/v1/projects` `{name, default_gate_timeout_seconds?}`: 201 with the new
/// project (and its webhook signing secret made).
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let name = opt_string(&body, "", "name", MAX_NAME)?
        .filter(|name| !name.trim().is_empty())
        .ok_or_else(|| FieldError::new("name", "name is required (1 to 500 characters)"))?;
    let timeout = gate_timeout(&body)?;
    let fields = ProjectFields {
        name: Some(name.trim().to_owned()),
        ..ProjectFields::default()
    };
    let id = service::projects::create_with_gate_timeout(ctx, &fields, timeout)?.id;
    Ok(
        Reply::json(201, &find(ctx, &id)?)
            .with_header("Location", format!("/api/v1/projects/{id}")),
    )
}

/// The `sign_off_rate` of a body, if given: a number from 0 to 1.
fn sign_off_rate(
    body: &serde_json::Map<String, serde_json::Value>,
) -> Result<Option<f64>, ApiError> {
    match present(body, "sign_off_rate") {
        None => Ok(None),
        Some(value) => match value.as_f64() {
            Some(rate) if (0.0..=1.0).contains(&rate) => Ok(Some(rate)),
            _ => Err(FieldError::new(
                "sign_off_rate",
                "sign_off_rate must be a number from 0 to 1",
            )
            .into()),
        },
    }
}

/// `PATCH /api/v1/projects/{id}` `{name?, default_gate_timeout_seconds?, decoy_rate?,
/// golden_rate?, sign_off?, sign_off_rate?}`: renames the project or changes its review
/// settings — the decoy and golden rates are shares of cards from 0 to 1
/// (docs/reviewer-quality.md#settings), the sign-off policy is its agents' work's
/// (docs/sign-off.md); nothing given leaves it as it is.
pub fn update(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let name = match opt_string(&body, "", "name", MAX_NAME)? {
        Some(name) if name.trim().is_empty() => {
            return Err(FieldError::new("name", "name cannot be blank").into());
        }
        name => name.map(|n| n.trim().to_owned()),
    };
    let change = ReviewSettingsChange {
        name,
        gate_timeout_seconds: gate_timeout(&body)?,
        decoy_rate_ppm: opt_rate(&body, "decoy_rate")?,
        golden_rate_ppm: opt_rate(&body, "golden_rate")?,
        sign_off: opt_enum::<SignOffMode>(&body, "sign_off")?,
        sign_off_rate: sign_off_rate(&body)?,
    };
    let id = request.param("id");
    service::projects::update_review_settings(ctx, id, change)?;
    Ok(Reply::json(200, &find(ctx, id)?))
}

/// `GET /api/v1/review/projects`: the projects the signed-in reviewer may take cards
/// from (owners and admins: all of them), each with its pending count, for the review
/// game's project picker.
pub fn reviewable(ctx: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    let user = reviewer(ctx)?;
    let only_theirs = (!user.role.is_admin()).then_some(user.id.as_str());
    let listed: Vec<serde_json::Value> = projects::with_review_counts(ctx.db(), only_theirs, None)?
        .into_iter()
        .map(|p| json!({"id": p.id, "name": p.name, "pending": p.pending}))
        .collect();
    Ok(Reply::json(200, &listed))
}
