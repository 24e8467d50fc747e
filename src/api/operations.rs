//! `GET /metrics` and `POST /api/admin/backup` (docs/operations.md): what an operator
//! monitors a running server with, and how they copy its database without stopping it.

use serde_json::json;

use crate::app::Ctx;
use crate::http::{ApiError, Reply, Request};
use crate::metrics;
use crate::service::operations;

/// The metrics in the OpenMetrics text format, which Prometheus scrapes.
pub fn metrics(ctx: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    let text = operations::metrics_text(ctx)?;
    Ok(Reply::raw(200, metrics::CONTENT_TYPE, text.into_bytes()))
}

/// Backs the database up into the backup directory; answers where, how large, and how
/// long it took.
pub fn backup(ctx: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    let backup = operations::backup_now(ctx)?;
    Ok(Reply::created(json!({
        "path": backup.path.display().to_string(),
        "bytes": backup.bytes,
        "durationMs": backup.duration_ms,
    })))
}
