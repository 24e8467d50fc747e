//! Loop: a self-hostable engine that closes the feedback loop between software in
//! production, AI agents and humans — one binary, one SQLite file.
//!
//! The library exists for the `loop` binary, the integration tests and the load
//! generator, and exports only what they use; everything else is private to the crate,
//! so that the compiler reports code nothing calls. Start a real server like this:
//!
//! ```no_run
//! let mut config = loop_engine::config::Config::new("/tmp/loop-example.db");
//! config.port = 0; // any free port
//! let server = loop_engine::server::start(config).expect("server starts");
//! println!("listening on {}", server.url());
//! server.shutdown();
//! ```

pub mod admin;
pub mod clock;
pub mod config;
pub mod demo;
pub mod log;
pub mod mcp;
pub mod seed;
pub mod server;

mod answers;
mod api;
mod app;
mod domain;
mod error;
mod http;
mod metrics;
mod outbox;
mod rate_limit;
mod service;
mod store;
mod ui;
mod waiting;
mod writer;

/// Every route the server answers, as `(method, path pattern)` in matching order (GET
/// routes also answer HEAD): for checks that documentation and tests cover them all.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    api::router()
        .routes()
        .iter()
        .map(|route| (route.method.as_str(), route.pattern))
        .collect()
}

pub use http::router::Access;

/// Every route with who may call it, as `(method, path pattern, access)`: for checks that
/// the API's documentation states each route's security.
pub fn route_access() -> Vec<(&'static str, &'static str, Access)> {
    api::router()
        .routes()
        .iter()
        .map(|route| (route.method.as_str(), route.pattern, route.access))
        .collect()
}

/// The path pattern of the route that answers `method` on `target` (`/path?query`),
/// resolved exactly as the server resolves it (`HEAD` as `GET`, a trailing slash on the
/// review API ignored); `None` when no route does. For checks that every answer keeps
/// what the documentation says of its route.
pub fn route_pattern_of(method: &str, target: &str) -> Option<&'static str> {
    let method = http::Method::parse(method);
    let request = http::Request::new(method, target, Vec::new(), Vec::new());
    match api::router().resolve(method, http::pipeline::routing_path(&request)) {
        http::router::Resolution::Found(route, _) => Some(route.pattern),
        _ => None,
    }
}

/// What the integration tests reach below the HTTP API: not part of the library's
/// interface.
#[doc(hidden)]
pub mod testing {
    pub use crate::domain::stored_json::to_text as stored_json_text;
    pub use crate::store::issues::backfill_dispatch_columns as fill_dispatch_columns;
}
