//! Verdict delivery (docs/review-api.md#verdict-webhooks, docs/decisions.md#delivery-retries): a dispatcher thread finds
//! deliveries that are due in the outbox table and hands them to a fixed pool of
//! workers, which POST them signed with the project's current secret and record how it
//! went. A slow or dead receiver occupies one worker at most, and API requests never
//! wait for any of it: they only wake the dispatcher after their transaction commits.
//! The table is the source of truth, so deliveries pending at a crash are simply found
//! again on the next start.

use std::collections::HashSet;
use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, select, unbounded};
use rusqlite::Connection;
use serde_json::json;

use crate::app::{App, Ctx};
use crate::domain::review::delivery;
use crate::log::{self, Level};
use crate::service::deliveries::{self, Answered};
use crate::store;
use crate::store::deliveries::{self as delivery_store, Attempt};

/// The `User-Agent` of verdict webhooks.
const USER_AGENT: &str = "Loop-Review-Webhook/1";

/// The running delivery threads.
pub struct Deliverer {
    stop: Sender<()>,
    dispatcher: JoinHandle<()>,
}

impl Deliverer {
    /// Stops dispatching and waits for the attempts in flight to finish.
    pub fn shutdown(self) {
        drop(self.stop);
        if self.dispatcher.join().is_err() {
            eprintln!("warning: the delivery thread ended abnormally");
        }
    }
}

/// The page cache of each delivery connection, in KiB: an attempt reads and writes a
/// few rows, and nine connections at SQLite's default of 2 MB each were the larger part
/// of what the server's memory could grow by.
const PAGE_CACHE_KIB: i64 = 256;

/// Starts the dispatcher and its workers, each with a database connection from `open`
/// (its page cache bounded to [`PAGE_CACHE_KIB`]).
pub fn start(
    app: &Arc<App>,
    wakeups: Receiver<Vec<String>>,
    open: &dyn Fn() -> Result<Connection, String>,
) -> Result<Deliverer, String> {
    let open = || {
        let conn = open()?;
        store::limit_page_cache(&conn, PAGE_CACHE_KIB)
            .map_err(|e| format!("cannot size the page cache: {e}"))?;
        Ok::<_, String>(conn)
    };
    let (jobs, job_queue) = unbounded::<Attempt>();
    let (done, finished) = unbounded::<String>();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(app.config.webhook_timeout))
        .max_redirects(0)
        .max_redirects_will_error(false)
        .http_status_as_error(false)
        .user_agent(USER_AGENT)
        .build()
        .into();
    let mut workers = Vec::new();
    for n in 0..app.config.delivery_workers.max(1) {
        let (app, conn, agent) = (app.clone(), open()?, agent.clone());
        let (job_queue, done) = (job_queue.clone(), done.clone());
        let worker = std::thread::Builder::new()
            .name(format!("loop-delivery-{n}"))
            .spawn(move || deliver(&app, conn, &agent, &job_queue, &done))
            .map_err(|e| format!("cannot start a delivery worker: {e}"))?;
        workers.push(worker);
    }
    let (stop, stopped) = unbounded::<()>();
    let (app, conn) = (app.clone(), open()?);
    let dispatcher = std::thread::Builder::new()
        .name("loop-dispatcher".to_owned())
        .spawn(move || {
            dispatch(&app, &conn, &wakeups, &stopped, &finished, jobs);
            for worker in workers {
                if worker.join().is_err() {
                    eprintln!("warning: a delivery worker ended abnormally");
                }
            }
        })
        .map_err(|e| format!("cannot start the delivery thread: {e}"))?;
    Ok(Deliverer { stop, dispatcher })
}

/// The dispatcher: whenever woken (a delivery was queued or finished) or every poll
/// interval, hands due deliveries to the workers, never more than there are workers
/// and never one already in flight.
fn dispatch(
    app: &App,
    conn: &Connection,
    wakeups: &Receiver<Vec<String>>,
    stop: &Receiver<()>,
    finished: &Receiver<String>,
    jobs: Sender<Attempt>,
) {
    let capacity = app.config.delivery_workers.max(1);
    let mut in_flight: HashSet<String> = HashSet::new();
    loop {
        let room = capacity.saturating_sub(in_flight.len());
        if room > 0 {
            let busy = store::json_array(&in_flight);
            match delivery_store::due(
                conn,
                app.clock.now(),
                &busy,
                i64::try_from(room).unwrap_or(1),
            ) {
                Ok(due) => {
                    for attempt in due {
                        in_flight.insert(attempt.id.clone());
                        if jobs.send(attempt).is_err() {
                            return;
                        }
                    }
                }
                Err(error) => log::event(
                    app.config.log,
                    app.clock.now(),
                    Level::Warning,
                    "deliveries_unreadable",
                    &format!("reading due deliveries failed: {error}"),
                    json!({"error": error.to_string()}),
                ),
            }
        }
        select! {
            recv(stop) -> _ => return,
            recv(wakeups) -> _ => {}
            recv(finished) -> id => {
                if let Ok(id) = id {
                    in_flight.remove(&id);
                }
            }
            default(app.config.delivery_poll_interval) => {}
        }
        while let Ok(id) = finished.try_recv() {
            in_flight.remove(&id);
        }
        while wakeups.try_recv().is_ok() {}
    }
}

/// A worker: makes each attempt it is handed and records the outcome.
fn deliver(
    app: &App,
    mut conn: Connection,
    agent: &ureq::Agent,
    jobs: &Receiver<Attempt>,
    done: &Sender<String>,
) {
    for attempt in jobs {
        let answered = post(agent, &attempt);
        let mut ctx = Ctx::new(app, &mut conn);
        let (level, outcome, message) =
            match deliveries::record_attempt(&mut ctx, &attempt, &answered) {
                Ok(outcome) => (
                    Level::Info,
                    outcome,
                    format!(
                        "delivery {} attempt {}: {outcome}",
                        attempt.id, attempt.number
                    ),
                ),
                Err(error) => (
                    Level::Warning,
                    "unrecorded",
                    format!("recording delivery {} failed: {error:?}", attempt.id),
                ),
            };
        log::event(
            app.config.log,
            app.clock.now(),
            level,
            "delivery_attempt",
            &message,
            json!({
                "deliveryId": attempt.id,
                "attempt": attempt.number,
                "outcome": outcome,
                "receiverStatus": answered.status,
                "error": (!answered.error.is_empty()).then_some(&answered.error),
            }),
        );
        if done.send(attempt.id).is_err() {
            return;
        }
    }
}

/// POSTs one attempt: the receiver's status and `Retry-After` seconds if it answered,
/// and a description of what went wrong (empty on success).
fn post(agent: &ureq::Agent, attempt: &Attempt) -> Answered {
    let signature = delivery::signature(&attempt.secret, attempt.body.as_bytes());
    let sent = agent
        .post(&attempt.url)
        .header("Content-Type", "application/json")
        .header("X-LoopQuest-Signature", &signature)
        .header("X-LoopQuest-Event", "verdict")
        .header("X-LoopQuest-Delivery", &attempt.id)
        .header("X-LoopQuest-Attempt", &attempt.number.to_string())
        .send(attempt.body.as_bytes());
    match sent {
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get("Retry-After")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<i64>().ok());
            let error = match status {
                200..=299 => String::new(),
                300..=399 => format!("HTTP {status}: redirects are not followed"),
                _ => format!("HTTP {status}"),
            };
            Answered {
                status: Some(status),
                retry_after,
                error,
            }
        }
        Err(ureq::Error::Timeout(_)) => Answered {
            status: None,
            retry_after: None,
            error: "the receiver did not answer in time".to_owned(),
        },
        Err(error) => Answered {
            status: None,
            retry_after: None,
            error: error.to_string(),
        },
    }
}
