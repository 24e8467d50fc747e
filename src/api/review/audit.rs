//! The audit log of a project (docs/reviewer-quality.md, "The audit log"): its records,
//! decoys included, and a verification of its chain, for administrators.

use super::{managed_project, query_limit, query_time};
use crate::app::Ctx;
use crate::http::{ApiError, Reply, Request};
use crate::service::audit;

/// `GET /api/v1/projects/{id}/audit?since=&after=&limit=`: the project's records in
/// chain order, made after `since` (a time) when given and numbered after `after` (0
/// unless given), at most `limit` (100 unless given, up to 1000). Page with `after` = the last `seq` seen.
pub fn list(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let since = query_time(request, "since")?;
    let after = query_limit(request, "after", 0, i64::MAX, 0)?;
    let limit = query_limit(request, "limit", 1, 1000, 100)?;
    let project_id = managed_project(ctx, request)?;
    let entries = audit::entries(ctx.db(), &project_id, after, since, limit)?;
    Ok(Reply::json(200, &entries))
}

/// `GET /api/v1/projects/{id}/audit/verify`: recomputes the project's chain (hashes,
/// draws, planted errors) and says whether it is whole, naming the first bad record.
pub fn verify(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = managed_project(ctx, request)?;
    Ok(Reply::json(200, &audit::verify(ctx.db(), &project_id)?))
}
