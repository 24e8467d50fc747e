//! `GET /health` and `GET /` (docs/engine-api.md#system): public, never touch the database.

use serde_json::json;

use crate::app::Ctx;
use crate::http::{ApiError, Reply, Request};

/// `{"ok": true, "service": "loop-api", "timestamp": now}`.
pub fn health(ctx: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    Ok(Reply::json(
        200,
        &json!({"ok": true, "service": "loop-api", "timestamp": ctx.now().to_string()}),
    ))
}

/// `{"name": "Loop API", "version": "0.1.0"}`.
pub fn root(_: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    Ok(Reply::json(
        200,
        &json!({"name": "Loop API", "version": "0.1.0"}),
    ))
}
