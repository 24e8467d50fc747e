//! Dealing cards (docs/reviewer-quality.md, "The draw" and "Decoys"): every new card a
//! reviewer is dealt in a project gets the next number of their draws there, and the
//! draw decides whether it is a decoy (a copy of a recent card of the project with one
//! planted error), a golden task mixed in, or the next task of the queue. A decoy takes
//! the place of that task in the queue and looks exactly like a task on the wire.

use rusqlite::Connection;
use serde_json::{Map, Value};

use crate::clock::Timestamp;
use crate::domain::enums::WireEnum;
use crate::domain::review::content::View;
use crate::domain::review::draw::{self, Draw};
use crate::domain::review::plant::{self, Change, DECOY_GAMES, Shown};
use crate::domain::review::record::Task;
use crate::error::ApiError;
use crate::service::verdicts::view_of;
use crate::store::decoys::{self, Candidate, Decoy};
use crate::store::projects;
use crate::store::review_queue::{Dealt, Scope};
use crate::store::{id_at, json_array, new_id, review_tasks};

/// How many of the recent cards a decoy may copy are considered.
const POOL: usize = 20;

/// A card's draw, and the project settings it was drawn under.
pub struct Drawn {
    /// The numbers drawn.
    pub draw: Draw,
    /// What the lease records of it.
    pub dealt: Dealt,
    /// Whether to mix in a golden task.
    pub golden: bool,
}

/// Draws the next card `user_id` is dealt in `project_id`, counting it as dealt.
pub fn draw_next(conn: &Connection, project_id: &str, user_id: &str) -> Result<Drawn, ApiError> {
    let settings = projects::quality_settings(conn, project_id)?
        .ok_or(ApiError::NotFound("project not found"))?;
    let seq = crate::store::review_queue::next_draw(conn, project_id, user_id)?;
    let draw = draw::draw(&settings.decoy_seed, project_id, user_id, seq);
    Ok(Drawn {
        dealt: Dealt {
            seq,
            decoy_rate_ppm: settings.decoy_rate_ppm,
            probe: draw.is_probe(settings.decoy_rate_ppm),
        },
        golden: draw.is_golden(settings.golden_rate_ppm),
        draw,
    })
}

/// The games a decoy may be planted in for `scope`: the decoy games it asks for.
fn games(scope: &Scope<'_>) -> Result<String, ApiError> {
    let wanted: Option<Vec<String>> = match scope.modules {
        Some(modules) => Some(
            serde_json::from_str(modules)
                .map_err(|e| ApiError::Internal(format!("modules filter: {e}")))?,
        ),
        None => None,
    };
    let games = DECOY_GAMES
        .iter()
        .map(|game| game.as_str())
        .filter(|game| wanted.as_ref().is_none_or(|w| w.iter().any(|m| m == game)));
    Ok(json_array(games))
}

/// The recent cards of `project_id` a decoy for `user_id` may copy: those the reviewer
/// has never been dealt when there are any (they cannot compare), else the others;
/// newest first, at most [`POOL`]. Looked up for every card dealt, decoy or not, so that
/// dealing a decoy takes no more work than dealing a task.
pub fn sources(
    conn: &Connection,
    project_id: &str,
    user_id: &str,
    scope: &Scope<'_>,
) -> Result<Vec<Candidate>, ApiError> {
    let all = decoys::candidates(conn, project_id, user_id, &games(scope)?)?;
    let unseen = all.iter().any(|c| c.unseen);
    Ok(all
        .into_iter()
        .filter(|c| c.unseen || !unseen)
        .take(POOL)
        .collect())
}

/// What a reviewer is shown of `task`.
pub fn shown(task: &Task) -> Result<Shown, ApiError> {
    let card: Option<Map<String, Value>> = match &task.card {
        Some(card) => serde_json::from_str(card.get()).ok(),
        None => None,
    };
    Ok(Shown {
        card,
        view: view_of(task)?,
    })
}

/// A decoy copied from `source` with the error `draw` plants, if it has one to plant.
pub fn planted(source: &Task, draw: &Draw) -> Result<Option<(Shown, Change)>, ApiError> {
    Ok(plant::plant(&shown(source)?, draw))
}

/// Plants a decoy for `user_id` in the place of `next` (the task the queue would deal),
/// copying the first of `sources` the draw picks (going on round them) that has
/// something to change; leased to the reviewer until `lease_expires_at`. `None` when no
/// source has.
pub fn plant_in_place_of(
    conn: &Connection,
    next: &Task,
    user_id: &str,
    sources: &[Candidate],
    drawn: &Drawn,
    now: Timestamp,
    lease_expires_at: Timestamp,
) -> Result<Option<Decoy>, ApiError> {
    let start = draw::index(drawn.draw.pick, sources.len());
    for k in 0..sources.len() {
        let Some(candidate) = sources.get((start + k) % sources.len()) else {
            continue;
        };
        let Some(source) = review_tasks::find_by_id(conn, &candidate.task_id)? else {
            continue;
        };
        let Some((shown, change)) = planted(&source, &drawn.draw)? else {
            continue;
        };
        // It sits where `next` does in the queue: shown a moment older, with its deadline.
        let age = 1 + i64::try_from(drawn.draw.pick % 1000).unwrap_or(0);
        let created_at = Timestamp::parse_canonical(&next.created_at)
            .unwrap_or(now)
            .plus_millis(-age);
        let decoy = Decoy {
            id: id_at(created_at)?,
            assignment_id: new_id(),
            project_id: next.project_id.clone(),
            user_id: user_id.to_owned(),
            draw_seq: drawn.dealt.seq,
            decoy_rate_ppm: drawn.dealt.decoy_rate_ppm,
            source_task_id: source.id.clone(),
            module: source.module,
            game: shown.view.game,
            mode: next.mode,
            source: source.source.clone(),
            card: shown
                .card
                .as_ref()
                .map(|card| Value::Object(card.clone()).to_string()),
            view: Some(json_text(&shown.view)?),
            planted: Some(json_text(&change)?),
            created_at: created_at.to_string(),
            deadline: next.expires_at.clone(),
            state: "leased".to_owned(),
            leased_at: now.to_string(),
            lease_expires_at: lease_expires_at.to_string(),
        };
        decoys::insert(conn, &decoy)?;
        return Ok(Some(decoy));
    }
    Ok(None)
}

/// `value` as compact JSON text.
fn json_text(value: &impl serde::Serialize) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(format!("decoy JSON: {e}")))
}

/// What a decoy shows and plants, read back (`None` once erased).
pub fn stored(decoy: &Decoy) -> Result<Option<(Shown, Change)>, ApiError> {
    let (Some(view), Some(planted)) = (&decoy.view, &decoy.planted) else {
        return Ok(None);
    };
    let read = |what: &str, e: serde_json::Error| {
        ApiError::Internal(format!("stored {what} of decoy {}: {e}", decoy.id))
    };
    let card = match &decoy.card {
        Some(card) => Some(serde_json::from_str(card).map_err(|e| read("card", e))?),
        None => None,
    };
    let mut view: View = serde_json::from_str(view).map_err(|e| read("view", e))?;
    view.game = decoy.game;
    Ok(Some((
        Shown { card, view },
        serde_json::from_str(planted).map_err(|e| read("planted error", e))?,
    )))
}
