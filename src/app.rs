//! The state every worker shares ([`App`]) and what a handler gets for one request
//! ([`Ctx`]): the worker's own database connection, the clock and the settings.

use std::sync::{Arc, Mutex};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::clock::{Clock, Timestamp};
use crate::config::Config;
use crate::domain::prompt::render::Renderer;
use crate::http::ApiError;
use crate::http::router::Router;

/// Shared, read-only after start-up (except for the writer lock).
pub struct App {
    /// Settings.
    pub config: Config,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// The routing table.
    pub router: Router,
    /// Compiled prompt versions, shared by every worker.
    pub renderer: Renderer,
    /// Serialises write transactions inside this process. SQLite allows one writer at a
    /// time anyway; waiting here instead of in SQLite's busy handler (which sleeps and
    /// retries) keeps write latency low under contention. Readers never take it.
    write_lock: Mutex<()>,
}

impl App {
    /// Shared state for a server with these settings.
    pub fn new(config: Config, clock: Arc<dyn Clock>, router: Router) -> Self {
        Self {
            config,
            clock,
            router,
            renderer: Renderer::new(),
            write_lock: Mutex::new(()),
        }
    }
}

impl App {
    /// Runs `work` on `conn` in one `BEGIN IMMEDIATE` transaction: committed if it
    /// returns `Ok`, rolled back (nothing stored) if it returns an error or panics.
    /// `work` gets the time read after the writer lock is taken, so timestamps follow
    /// commit order.
    pub fn write<T>(
        &self,
        conn: &mut Connection,
        work: impl FnOnce(&Transaction<'_>, Timestamp) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let _writer = self
            .write_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&tx, self.clock.now())?;
        tx.commit()?;
        Ok(value)
    }
}

/// One request's view of the server.
pub struct Ctx<'a> {
    app: &'a App,
    conn: &'a mut Connection,
    bearer: Option<String>,
}

impl<'a> Ctx<'a> {
    /// A context over a worker's connection.
    pub fn new(app: &'a App, conn: &'a mut Connection) -> Self {
        Self {
            app,
            conn,
            bearer: None,
        }
    }

    /// Records the admin key the request authenticated with.
    pub fn set_bearer(&mut self, token: &str) {
        self.bearer = Some(token.to_owned());
    }

    /// The admin key the request authenticated with (prompts embed it so the agent
    /// calls back with its own key).
    pub fn bearer(&self) -> &str {
        self.bearer.as_deref().unwrap_or_default()
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

    /// Runs `work` in one write transaction on this worker's connection (see
    /// [`App::write`]).
    pub fn write<T>(
        &mut self,
        work: impl FnOnce(&Transaction<'_>, Timestamp) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.app.write(self.conn, work)
    }
}
