//! A project's review settings (review-api.md §15.3): how long gate tasks wait by
//! default, and how its reviewers are probed — the decoy rate and the golden rate
//! (docs/reviewer-quality.md).

use serde_json::{Value, json};

use crate::app::Ctx;
use crate::domain::review::input::opt_rate;
use crate::http::{ApiError, Reply, Request};
use crate::service;
use crate::service::audit::rate;
use crate::store::projects;

const PROJECT_NOT_FOUND: ApiError = ApiError::NotFound("project not found");

/// The review settings of the live project `id`, as the admin API shows them.
fn settings(ctx: &Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let project = projects::find_live(ctx.db(), id)?.ok_or(PROJECT_NOT_FOUND)?;
    let review = projects::review_settings(ctx.db(), id)?.ok_or(PROJECT_NOT_FOUND)?;
    let quality = projects::quality_settings(ctx.db(), id)?.ok_or(PROJECT_NOT_FOUND)?;
    Ok(json!({
        "id": project.id,
        "name": project.name,
        "default_gate_timeout_seconds": review.default_gate_timeout_seconds,
        "decoy_rate": rate(quality.decoy_rate_ppm),
        "golden_rate": rate(quality.golden_rate_ppm),
    }))
}

/// `GET /api/v1/projects/{id}`: the project's review settings.
pub fn detail(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    Ok(Reply::json(200, &settings(ctx, request.param("id"))?))
}

/// `PATCH /api/v1/projects/{id}` `{decoy_rate?, golden_rate?}`: each a share of cards
/// from 0 to 1 (decoys default to 0.05, one card in 20; 0 turns either off); nothing
/// given leaves them as they are.
pub fn update(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let decoy_rate = opt_rate(&body, "decoy_rate")?;
    let golden_rate = opt_rate(&body, "golden_rate")?;
    let id = request.param("id");
    service::projects::set_rates(ctx, id, decoy_rate, golden_rate)?;
    Ok(Reply::json(200, &settings(ctx, id)?))
}
