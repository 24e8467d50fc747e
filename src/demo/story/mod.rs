//! The demo's story, three weeks of a small team's work told through the API, one act
//! per module, in the order they happen (the story's clock only moves forward, and every
//! id, key and secret comes from one seeded generator, so the acts must run in this
//! order to write the same rows every time):
//!
//! - [`setup`] (days 0–1): labels, projects with goals at every stage, and signals from
//!   every provider arriving and being triaged;
//! - [`incident`] (days 1–6): a checkout incident worked by agents, and a prompt
//!   template rewritten after poor reviews;
//! - [`experiment`] (days 7–8): an onboarding experiment, and finished and shelved work;
//! - [`review`] (days 9–12): two review projects where people check what automations
//!   produce (every game, every outcome, webhooks that succeed, retry and fail);
//! - [`sign_off`] (days 13–15): the checkout project starts requiring a person's sign-off
//!   of agents' work, the onboarding project samples it;
//! - [`quality`] (days 16–19): a calibration week of decoys and golden tasks, which
//!   reviewers catch and miss;
//! - [`last_day`] (day 20): agents mid-claim, an agent's plan awaiting sign-off, work
//!   queued, cards of every game waiting.
//!
//! Every step is a real API call or use case at a set time, so the database holds
//! exactly what real use would. The calls themselves are in [`calls`] (the engine's)
//! and [`reviewing`] (the review half's).

mod calls;
mod experiment;
mod incident;
mod last_day;
mod quality;
mod review;
mod reviewing;
mod setup;
mod sign_off;

use std::cell::Cell;

use serde_json::Value;

use super::EPOCH;
use super::client::Client;
use crate::clock::Timestamp;

/// The secrets the story's signal webhooks are signed with (set only while seeding).
pub const GITHUB_SECRET: &str = "demo-github-secret";
/// See [`GITHUB_SECRET`].
pub const SENTRY_SECRET: &str = "demo-sentry-secret";
/// See [`GITHUB_SECRET`].
pub const POSTHOG_SECRET: &str = "demo-posthog-secret";

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Day `day` of the story at `hour`:`minute` (UTC).
fn at(day: i64, hour: i64, minute: i64) -> Timestamp {
    EPOCH.plus_millis(day * DAY + (hour - 9) * HOUR + minute * MINUTE)
}

/// The id of a created object.
fn id(value: &Value) -> Result<String, String> {
    value["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no id in {value}"))
}

/// The people of the review half: `(email, display name, role)`.
pub const PEOPLE: &[(&str, &str, &str)] = &[
    ("owner@example.com", "Olivia Park", "owner"),
    ("admin@example.com", "Sam Rivera", "admin"),
    ("ana@example.com", "Ana Souza", "reviewer"),
    ("ben@example.com", "Ben Okafor", "reviewer"),
    ("chen@example.com", "Chen Wei", "reviewer"),
    ("viewer@example.com", "Vic Turner", "viewer"),
];

/// The story, told to `client`.
pub fn tell(client: &mut Client) -> Result<(), String> {
    let mut story = Story {
        c: client,
        golden: Vec::new(),
    };
    let setup = story.setup()?;
    let incident = story.incident(&setup)?;
    let experiment = story.experiment(&setup)?;
    let review = story.review()?;
    story.sign_off(&setup, &incident, &review)?;
    story.quality(&review)?;
    story.last_day(&setup, &incident, &experiment, &review)
}

/// A signed-in person of the review half.
struct Person {
    /// Their user id.
    id: String,
    /// Their `Cookie` header.
    cookie: String,
    /// How many of the probes they meet from now on (decoys, golden tasks mixed in) they
    /// will get wrong before they learn to look closer.
    slips: Cell<u32>,
}

/// The storyteller: the client the story is told to, and what it must remember to play
/// its people's part (a reviewer cannot tell a golden task from a real one, but the
/// story knows which of its tasks are golden and what their answers are).
struct Story<'c> {
    c: &'c mut Client,
    /// The golden tasks submitted so far: `(task id, expected verdict)`.
    golden: Vec<(String, bool)>,
}
