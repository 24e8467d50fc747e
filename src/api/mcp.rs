//! `POST /mcp`: the Model Context Protocol over Streamable HTTP (see [`crate::mcp`]).
//! The handler lives with the route table because the tools run through that same
//! table in-process.

use crate::app::Ctx;
use crate::http::{ApiError, Reply, Request};
use crate::mcp::streamable_http;

/// Answers one MCP POST; its tool calls are routed by this server's own table.
pub fn handle(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    streamable_http::handle(ctx, request, super::router())
}
