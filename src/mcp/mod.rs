//! The Model Context Protocol server, in the same binary as the API: agents reach
//! Loop's tools over Streamable HTTP at `POST /mcp`, or over stdio by launching `loop
//! mcp`. It offers the original Loop MCP server's nine engine tools (plus
//! `loop_request_review`, for human sign-off) to an admin key and LoopQuest's review
//! tools (plus `wait_for_verdict`) to a project key.
//!
//! The parts, each with one job: `jsonrpc` reads and writes messages; `protocol` is the
//! server (versions, methods, batches); `schema` declares tool parameters; `tools` are
//! the tools, which only make API requests through a `backend`; the backends reach the
//! API in-process (`in_process`) or over HTTP (`remote`); the transports
//! (`streamable_http`, `stdio`) carry the messages. `docs/mcp.md` describes it all from
//! the outside.

mod backend;
mod in_process;
mod jsonrpc;
mod protocol;
mod remote;
mod schema;
mod stdio;
pub mod streamable_http;
mod tools;

pub use in_process::serve_stdio_on_database;

/// Serves MCP over this process's stdin and stdout against the Loop server at `url`
/// (`http://…` or `https://…`), as `key`: `loop mcp --url … --key …`.
pub fn serve_stdio_over_http(url: &str, key: &str) -> Result<(), String> {
    let mut backend = remote::Remote::new(url, key)?;
    stdio::serve_process(&mut backend)
}
