//! `GET /health` and `GET /` (docs/engine-api.md#system), and `GET /api/openapi.json`:
//! public, never touch the database.

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

/// The OpenAPI 3.1 document of every route the server answers, as stored in
/// `src/api/openapi.json`. The tests keep it true: every route of [`super::router`] is in
/// it and nothing else, and every answer the integration suite receives matches it.
const OPENAPI_DOCUMENT: &str = include_str!("openapi.json");

/// The OpenAPI document, for client generators, API clients and no-code tools.
pub fn openapi(_: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    Ok(Reply::json_text(200, OPENAPI_DOCUMENT))
}
