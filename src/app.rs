//! The state every worker shares ([`App`]) and what a handler gets for one request
//! ([`Ctx`]): the worker's own database connection, the clock and the settings.

use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender, unbounded};
use rusqlite::Connection;

use crate::answers::Answers;
use crate::clock::{Clock, Timestamp};
use crate::config::Config;
use crate::domain::prompt::render::Renderer;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;
use crate::store::project_keys::ProjectKey;
use crate::store::users::User;
use crate::store::{self, StoreError};
use crate::waiting::WaitRoom;
use crate::writer::Writer;

/// Shared, read-only after start-up (except for the writer lock).
pub struct App {
    /// Settings.
    pub config: Config,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// Compiled prompt versions, shared by every worker.
    pub renderer: Renderer,
    /// Requests per project key in the review API's rolling window.
    pub key_limits: RateLimiter,
    /// Failed review-API authentications per client address in the same window.
    pub auth_failures: RateLimiter,
    /// Wakes the verdict delivery thread after a commit that queued deliveries.
    pub outbox: Outbox,
    /// What `GET /metrics` reports that accumulates in memory.
    pub metrics: Arc<Metrics>,
    /// The requests allowed to hold their worker while they wait (MCP's
    /// `wait_for_verdict`).
    pub waits: WaitRoom,
    /// Serialises write transactions inside this process, on the connection the server
    /// gives it ([`App::with_writer`]). SQLite allows one writer at a time anyway;
    /// waiting here instead of in SQLite's busy handler (which sleeps and retries) keeps
    /// write latency low under contention. Readers never take it.
    writer: Writer,
}

impl App {
    /// Shared state for a server with these settings.
    pub fn new(config: Config, clock: Arc<dyn Clock>, outbox: Outbox) -> Self {
        let window_ms = config.rate_limit.window_seconds.saturating_mul(1000);
        Self {
            key_limits: RateLimiter::new(config.rate_limit.requests_per_key, window_ms),
            auth_failures: RateLimiter::new(config.rate_limit.failed_auths_per_address, window_ms),
            outbox,
            metrics: Arc::default(),
            waits: WaitRoom::for_workers(config.threads),
            config,
            clock,
            renderer: Renderer::new(),
            writer: Writer::on_callers_connection(),
        }
    }

    /// Runs every write on `conn`, a connection of its own, with group commit (see
    /// [`crate::writer`]), instead of on the caller's connection.
    ///
    /// In WAL mode a connection empties its page cache whenever it starts a transaction
    /// after another connection has committed. With writes spread over every worker's
    /// connection, each write began with a cold cache and read every b-tree page it
    /// touched back from the WAL or the file, all while holding the writer lock. The
    /// one connection that makes every write is never invalidated, so its cache stays
    /// warm. Workers still read on their own connections, beside the writer.
    ///
    /// `checkpoints` is the connection of the thread that does most of the WAL
    /// checkpoints, away from the writer lock.
    pub fn with_writer(self, conn: Connection, checkpoints: Connection) -> std::io::Result<Self> {
        Ok(Self {
            writer: Writer::on(conn, checkpoints, self.metrics.clone())?,
            ..self
        })
    }
}

impl App {
    /// Writes waiting for the writer lock, for `GET /metrics`.
    pub fn writer_queue_depth(&self) -> usize {
        self.writer.queued()
    }

    /// Runs `work` as one write: alone under the writer lock, inside a `BEGIN
    /// IMMEDIATE` transaction, its changes kept if it returns `Ok` and undone if it
    /// returns an error or panics; it returns once they are committed. The write runs
    /// on the writer connection ([`App::with_writer`]), or on `conn` when there is none.
    /// `work` gets the time read after the writer lock is taken, so timestamps follow
    /// commit order.
    pub fn write<T>(
        &self,
        conn: &mut Connection,
        work: impl FnOnce(&Connection, Timestamp) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.writer.write(conn, || self.clock.now(), work)
    }
}

/// Wakes the verdict delivery thread ([`crate::outbox`]) when deliveries are queued.
#[derive(Debug, Clone)]
pub struct Outbox {
    wake: Sender<Vec<String>>,
}

impl Outbox {
    /// A handle and the receiving end the dispatcher listens on.
    pub fn channel() -> (Self, Receiver<Vec<String>>) {
        let (wake, wakeups) = unbounded();
        (Self { wake }, wakeups)
    }

    /// Tells the dispatcher that these deliveries were committed (call after the
    /// transaction that queued them). Nothing is lost if nobody listens: the rows are
    /// in the database.
    pub fn notify(&self, delivery_ids: Vec<String>) {
        if !delivery_ids.is_empty() {
            let _ = self.wake.send(delivery_ids);
        }
    }
}

/// What a prompt rendered for a signed-in person (the web app's preview) shows where an
/// agent's prompt has the agent's own key: the environment variable an agent is
/// expected to hold it in, so that a prompt copied from the browser still works in a
/// shell that has it set.
pub const SESSION_KEY_PLACEHOLDER: &str = "$LOOP_API_KEY";

/// Who is making a request, as authentication established it.
#[derive(Debug, Clone, Default)]
pub enum Caller {
    /// Nobody in particular (public and signed routes).
    #[default]
    Anonymous,
    /// An engine admin, with the key it presented.
    Admin(String),
    /// A review-API client holding this project's key.
    Project(ProjectKey),
    /// A signed-in user, with the hash of their session token.
    User(User, String),
}

/// One request's view of the server.
pub struct Ctx<'a> {
    app: &'a App,
    conn: &'a mut Connection,
    caller: Caller,
    /// The answers kept beside this connection, if its worker keeps any.
    answers: Option<&'a Answers>,
}

impl<'a> Ctx<'a> {
    /// A context over a worker's connection.
    pub fn new(app: &'a App, conn: &'a mut Connection) -> Self {
        Self {
            app,
            conn,
            caller: Caller::Anonymous,
            answers: None,
        }
    }

    /// Serves reusable reads from `answers`, the ones kept beside this connection (see
    /// [`Ctx::read_reusable`]).
    #[must_use]
    pub fn with_answers(mut self, answers: Option<&'a Answers>) -> Self {
        self.answers = answers;
        self
    }

    /// Records who the request authenticated as.
    pub fn set_caller(&mut self, caller: Caller) {
        self.caller = caller;
    }

    /// The admin key the request authenticated with (prompts embed it so the agent
    /// calls back with its own key). A signed-in person has no key to embed (the browser
    /// never holds one): their prompts carry [`SESSION_KEY_PLACEHOLDER`] in its place.
    /// Empty for other callers.
    pub fn bearer(&self) -> &str {
        match &self.caller {
            Caller::Admin(key) => key,
            Caller::User(..) => SESSION_KEY_PLACEHOLDER,
            _ => "",
        }
    }

    /// The signed-in user of a session route. Routes that need one are only reached with
    /// one, so its absence is a server bug (500), never a panic.
    pub fn user(&self) -> Result<&User, ApiError> {
        match &self.caller {
            Caller::User(user, _) => Ok(user),
            _ => Err(ApiError::Internal(
                "a session route was reached without a session".to_owned(),
            )),
        }
    }

    /// The hash of the session token the request came with, if any.
    pub fn session_hash(&self) -> Option<&str> {
        match &self.caller {
            Caller::User(_, hash) => Some(hash),
            _ => None,
        }
    }

    /// The user acting on an administrator route: `None` for an engine admin key.
    pub fn manager(&self) -> Option<&User> {
        match &self.caller {
            Caller::User(user, _) => Some(user),
            _ => None,
        }
    }

    /// The project key of a review-API request. Routes that need one are only reached
    /// with one, so its absence is a server bug (500), never a panic.
    pub fn project_key(&self) -> Result<&ProjectKey, ApiError> {
        match &self.caller {
            Caller::Project(key) => Ok(key),
            _ => Err(ApiError::Internal(
                "a project-key route was reached without a project key".to_owned(),
            )),
        }
    }

    /// Who the request authenticated as.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// The shared state and the worker's connection together, to run further requests
    /// in-process on this worker (the MCP endpoint's tools call the API this way).
    pub fn parts(&mut self) -> (&'a App, &mut Connection) {
        (self.app, self.conn)
    }

    /// The shared prompt renderer.
    pub fn renderer(&self) -> &Renderer {
        &self.app.renderer
    }

    /// The shared state, for use while the connection is borrowed for a write.
    pub fn app(&self) -> &'a App {
        self.app
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        self.app.clock.now()
    }

    /// Settings.
    pub fn config(&self) -> &Config {
        &self.app.config
    }

    /// The connection, for reads.
    pub fn db(&self) -> &Connection {
        self.conn
    }

    /// Runs the reads of `work` in one read transaction: they see one snapshot (a page
    /// and its total agree) and take the WAL read lock once instead of once per query.
    pub fn read<T, E: From<StoreError>>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let snapshot = self
            .conn
            .unchecked_transaction()
            .map_err(StoreError::from)?;
        // Dropping the transaction ends it; a read has nothing to commit.
        work(&snapshot)
    }

    /// Like [`Ctx::read`], for a read whose answer (`work` returns it serialised, with
    /// the moment it stops holding) depends only on the data and on the time: the answer
    /// kept for `key` is served instead while no write has been committed since it was
    /// computed and `now` lies between the moment it was computed and that one (see
    /// [`crate::answers`]).
    pub fn read_reusable<E: From<StoreError>>(
        &self,
        key: &str,
        now: Timestamp,
        work: impl FnOnce(&Connection) -> Result<(Vec<u8>, Timestamp), E>,
    ) -> Result<Arc<[u8]>, E> {
        let Some(answers) = self.answers else {
            return self.read(|db| Ok(work(db)?.0.into()));
        };
        self.read(|db| {
            // The first read of the transaction: the version of the snapshot `work` sees.
            let version = (store::data_version(db)?, self.app.writer.written());
            let now_ms = now.unix_millis();
            if let Some(body) = answers.get(key, version, now_ms) {
                return Ok(body);
            }
            let (body, until) = work(db)?;
            let body: Arc<[u8]> = body.into();
            answers.keep(key, version, now_ms..until.unix_millis(), body.clone());
            Ok(body)
        })
    }

    /// Runs `work` as one write transaction (see [`App::write`]).
    pub fn write<T>(
        &mut self,
        work: impl FnOnce(&Connection, Timestamp) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.app.write(self.conn, work)
    }
}
