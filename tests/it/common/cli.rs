//! The `loop` binary, run as a user would.

use std::path::Path;
use std::process::{Command, Output};

/// The `loop` binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_loop");

/// Runs `loop args…` on the database `db` (through `LOOP_DB`) and waits for it; the
/// environment's password and key variables are left out so that only `args` count.
pub fn run_loop(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("LOOP_DB", db)
        .env_remove("LOOP_USER_PASSWORD")
        .env_remove("LOOP_API_KEY")
        .output()
        .expect("loop runs")
}
