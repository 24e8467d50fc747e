//! What the integration tests share: a real server on a free port with its own temporary
//! database, a raw HTTP client (which checks every answer against the OpenAPI document),
//! a manual clock, fixtures and the `loop` binary (run as a command, or serving as a
//! child process).

pub mod cli;
pub mod clock;
pub mod contract;
pub mod fixtures;
pub mod http;
pub mod process;
pub mod receiver;
pub mod server;

pub use clock::{START, clocked, clocked_with, manual_clock};
pub use fixtures::{GAMES, VERDICT_KEYS, golden_fixture, hmac_sha256_hex, id, keys_of};
pub use http::Response;
pub use server::{KEY, PASSWORD, TestServer, User};
