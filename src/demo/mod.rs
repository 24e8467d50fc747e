//! Demo data: `loop seed` writes a realistic, coherent story into a new database (see
//! [`story`]), the same rows every time; `loop.db.example` at the repository's top level
//! is that database, embedded in the binary, which `loop demo` unpacks into a temporary
//! directory with its times moved to now.

mod client;
mod story;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::app::{App, Outbox};
use crate::clock::{ManualClock, Timestamp};
use crate::config::{Config, RateLimitConfig, WebhookSecrets};
use crate::domain::entropy;
use crate::store::{self, issues, operations};

pub use story::PEOPLE;

/// When the story begins: Monday 5 January 2026, 09:00 UTC.
pub const EPOCH: Timestamp = Timestamp::from_unix_millis(1_767_603_600_000);

/// When the story ends, three weeks later: the "now" of an unshifted seeded database.
pub const END: Timestamp = EPOCH.plus_millis(21 * 86_400_000);

/// The seed of every id, key, secret and salt the story makes.
const SEED: u64 = 0x4C4F_4F50_4445_4D4F;

/// The password of every demo account (demo only: the accounts are public knowledge).
pub const DEMO_PASSWORD: &str = "loop-demo";

/// The seeded database, as committed at the repository's top level.
pub const EXAMPLE: &[u8] = include_bytes!("../../loop.db.example");

/// The admin key the story is told with; it is a setting, never stored.
const STORY_KEY: &str = "loop_demo-story";

/// Writes the story into a new database at `path`: with `now`, every time moved so that
/// the story ends at `now`; without, it ends at [`END`]. Fails rather than touch an
/// existing file.
pub fn seed(path: &Path, now: Option<Timestamp>) -> Result<(), String> {
    if path.exists() {
        return Err(format!(
            "{} exists already; seed writes a new database",
            path.display()
        ));
    }
    let written = write_story(path, now);
    if written.is_err() {
        // Half a story is no use to anyone.
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
    }
    written
}

/// Tells the story into a new database at `path` (see [`seed`]).
fn write_story(path: &Path, now: Option<Timestamp>) -> Result<(), String> {
    let clock = Arc::new(ManualClock::new(EPOCH));
    let mut conn = store::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    store::migrate(&mut conn, EPOCH)?;
    let mut config = Config::new(path);
    config.api_key = Some(STORY_KEY.to_owned());
    config.loop_url = Some("http://localhost:4242".to_owned());
    config.webhook_secrets = WebhookSecrets {
        github: Some(story::GITHUB_SECRET.to_owned()),
        sentry: Some(story::SENTRY_SECRET.to_owned()),
        posthog: Some(story::POSTHOG_SECRET.to_owned()),
    };
    config.rate_limit = RateLimitConfig {
        requests_per_key: 1_000_000,
        failed_auths_per_address: 1_000_000,
        window_seconds: 60,
    };
    let app = App::new(config, clock.clone(), Outbox::channel().0);
    let mut client = client::Client::new(app, conn, clock, STORY_KEY);
    let epoch_millis = u64::try_from(EPOCH.unix_millis()).unwrap_or(0);
    entropy::seeded(SEED, epoch_millis, || story::tell(&mut client))?;
    let conn = client.into_connection();
    // The story's issues go into the search index now rather than at the first start.
    let indexing = |e: &dyn std::fmt::Display| format!("indexing the story for search: {e}");
    let tx = conn.unchecked_transaction().map_err(|e| indexing(&e))?;
    issues::catch_up_search_index(&tx, u32::MAX).map_err(|e| indexing(&e))?;
    tx.commit().map_err(|e| indexing(&e))?;
    if let Some(now) = now {
        operations::shift_times(&conn, now.unix_millis() - END.unix_millis())
            .map_err(|e| format!("moving the story to now: {e}"))?;
    }
    operations::compact(&conn).map_err(|e| format!("compacting: {e}"))
}

/// Writes the embedded example database into `dir` as `loop.db`, with its times moved so
/// that its story ends at `now`; answers the file's path.
pub fn unpack(dir: &Path, now: Timestamp) -> Result<PathBuf, String> {
    let path = dir.join("loop.db");
    std::fs::write(&path, EXAMPLE).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let conn = store::open(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    operations::shift_times(&conn, now.unix_millis() - END.unix_millis())
        .map_err(|e| format!("moving the demo to now: {e}"))?;
    Ok(path)
}
