//! `GET /api/v1/verdicts` (docs/review-api.md#hooks-and-verdicts): the project's latest resolutions as a
//! bare array of verdict payloads (Zapier's sample data).

use super::{query_limit, query_time};
use crate::app::Ctx;
use crate::domain::review::record::VerdictPayload;
use crate::http::{ApiError, Reply, Request};
use crate::store::review_tasks;

/// Newest resolution first; `limit` 1–100 (default 25), `since` an RFC 3339 time.
pub fn list(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let limit = query_limit(request, "limit", 1, 100, 25)?;
    let since = query_time(request, "since")?;
    let tasks = review_tasks::resolved(ctx.db(), &ctx.project_key()?.project_id, since, limit)?;
    Ok(Reply::json(
        200,
        &tasks.iter().map(VerdictPayload::of).collect::<Vec<_>>(),
    ))
}
