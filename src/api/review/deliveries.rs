//! `/api/v1/deliveries` (docs/review-api.md#delivery-log): the project's verdict webhook
//! log, and manual redelivery; for an owner or admin also under
//! `/api/v1/projects/{id}/deliveries`.

use super::{key_project, managed_project, query_limit, query_text};
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
    let project_id = key_project(ctx)?;
    log(ctx, request, &project_id)
}

/// `GET /api/v1/projects/{id}/deliveries`: [`list`] for an owner or admin.
pub fn list_in_project(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = managed_project(ctx, request)?;
    log(ctx, request, &project_id)
}

/// The deliveries of `project_id` the query asks for.
fn log(ctx: &Ctx<'_>, request: &Request, project_id: &str) -> Result<Reply, ApiError> {
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
    let listed = deliveries::list(ctx.db(), project_id, &filter)?;
    Ok(Reply::json(200, &listed))
}

/// `POST /{id}/redeliver`: 202, and a new series of attempts with the same body,
/// signed with the project's current secret.
pub fn redeliver(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = key_project(ctx)?;
    let delivery = service::deliveries::redeliver(ctx, &project_id, request.param("id"))?;
    Ok(Reply::json(202, &delivery))
}

/// `POST /api/v1/projects/{id}/deliveries/{delivery_id}/redeliver`: [`redeliver`] for an
/// owner or admin.
pub fn redeliver_in_project(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = managed_project(ctx, request)?;
    let delivery = service::deliveries::redeliver(ctx, &project_id, request.param("delivery_id"))?;
    Ok(Reply::json(202, &delivery))
}
