//! Loop: a self-hostable engine that closes the feedback loop between software in
//! production, AI agents and humans — one binary, one SQLite file.
//!
//! The library exists so that tests (and the `loop` binary) can start a real server:
//!
//! ```no_run
//! let mut config = loop_engine::config::Config::new("/tmp/loop-example.db");
//! config.port = 0; // any free port
//! let server = loop_engine::server::start(config).expect("server starts");
//! println!("listening on {}", server.url());
//! server.shutdown();
//! ```

pub mod accounts;
pub mod api;
pub mod app;
pub mod clock;
pub mod config;
pub mod domain;
pub mod http;
pub mod outbox;
pub mod prompting;
pub mod server;
pub mod store;
pub mod ui;
pub mod writer;
