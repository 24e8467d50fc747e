//! Servers on a manual clock, for everything that depends on time passing: leases,
//! deadlines, sessions, rate-limit windows, retries.

use std::sync::Arc;
use std::time::Duration;

use loop_engine::clock::{ManualClock, Timestamp};
use loop_engine::config::Config;

use super::server::TestServer;

/// Where every manual clock starts (2027-01-15T08:00:00Z), in Unix milliseconds.
pub const START: i64 = 1_800_000_000_000;

/// The background tick of a clocked server comes only after an hour: tests that move
/// the clock run the background work themselves ([`TestServer::run_background_work`])
/// exactly when they mean to, so nothing sleeps and a lease lapses or a gate times out
/// only when a test says so.
pub const NO_TICK: Duration = Duration::from_secs(3600);

/// A manual clock standing at [`START`].
pub fn manual_clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Timestamp::from_unix_millis(START)))
}

/// A server on a manual clock at [`START`], its background tick out of the way.
pub fn clocked() -> (TestServer, Arc<ManualClock>) {
    clocked_with(|_| {})
}

/// Like [`clocked`], with settings `configure` may adjust.
pub fn clocked_with(configure: impl FnOnce(&mut Config)) -> (TestServer, Arc<ManualClock>) {
    let clock = manual_clock();
    let server = TestServer::start_with_clock(
        |config| {
            config.maintenance_interval = NO_TICK;
            configure(config);
        },
        clock.clone(),
    );
    (server, clock)
}
