//! `GET /api/v1/me` (docs/review-api.md#connection-check): the connection check every client runs first.

use serde_json::json;

use crate::app::Ctx;
use crate::http::{ApiError, Reply, Request};
use crate::store::projects;

/// The single workspace's id (docs/decisions.md#one-workspace-one-projects-table: the running server is the workspace).
pub const WORKSPACE_ID: &str = "default";

/// The workspace (this instance), the key's project, the key and its rate limit.
pub fn me(ctx: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    let key = ctx.project_key()?;
    let project = projects::find_live(ctx.db(), &key.project_id)?
        .ok_or(ApiError::NotFound("project not found"))?;
    let config = ctx.config();
    Ok(Reply::json(
        200,
        &json!({
            "workspace": config.instance_name,
            "workspace_id": WORKSPACE_ID,
            "project": project.name,
            "project_id": project.id,
            "key": {"id": key.id, "name": key.name, "prefix": key.prefix},
            "rate_limit": {
                "limit": config.rate_limit.requests_per_key,
                "window_seconds": config.rate_limit.window_seconds
            }
        }),
    ))
}
