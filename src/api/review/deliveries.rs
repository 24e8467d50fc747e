//! `/api/v1/deliveries` (review-api.md §15.6): the project's verdict webhook log, and
//! manual redelivery.

use super::{query_limit, query_text};
use crate::app::Ctx;
use crate::domain::validate::FieldError;
use crate::http::{ApiError, Reply, Request};
use crate::service;
use crate::store::deliveries::{self, Filter};

/// The statuses a delivery can have.
const STATUSES: [&str; 3] = ["pending", "succeeded", "failed"];

/// `GET`: the project's deliveries, newest first; filters `task_id`, `status`, `limit`
/// (1–100, default 50).
pub fn list(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let status = query_text(request, "status")?;
    if status.is_some_and(|s| !STATUSES.contains(&s)) {
        return Err(FieldError::new(
            "status",
            "status must be one of: pending, succeeded, failed",
        )
        .into());
    }
    let filter = Filter {
        task_id: query_text(request, "task_id")?.map(str::to_owned),
        status: status.map(str::to_owned),
        limit: query_limit(request, "limit", 1, 100, 50)?,
    };
    let listed = deliveries::list(ctx.db(), &ctx.project_key()?.project_id, &filter)?;
    Ok(Reply::json(200, &listed))
}

/// `POST /{id}/redeliver`: 202, and a new series of attempts with the same body,
/// signed with the project's current secret.
pub fn redeliver(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = ctx.project_key()?.project_id.clone();
    let delivery = service::deliveries::redeliver(ctx, &project_id, request.param("id"))?;
    Ok(Reply::json(202, &delivery))
}
