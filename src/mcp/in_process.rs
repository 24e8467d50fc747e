//! The API reached in-process: each tool request runs through the server's own request
//! pipeline (authentication, rate limits, handlers, errors) on the worker's connection,
//! exactly as if it had come over HTTP with the caller's key, but without leaving the
//! process. `POST /mcp` uses it on the worker that received the request; `loop mcp
//! --db` on a connection of its own.

use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::backend::{ApiAnswer, ApiRequest, Backend, Classes, probe_classes};
use crate::app::{App, Outbox};
use crate::clock::SystemClock;
use crate::config::Config;
use crate::domain::credentials;
use crate::domain::enums::TaskStatus;
use crate::http::router::Router;
use crate::http::{Request, pipeline};
use crate::store::review_tasks;

/// How often a wait looks at the task again (one indexed read on the worker's own
/// connection).
const POLL: Duration = Duration::from_millis(250);

/// The API of this process, as one caller.
pub struct InProcess<'a> {
    app: &'a App,
    router: &'a Router,
    conn: &'a mut Connection,
    key: String,
    peer: Option<IpAddr>,
    classes: Option<Classes>,
}

impl<'a> InProcess<'a> {
    /// The API as the holder of `key`, who connected from `peer`; `classes` are the
    /// tool sets the key opens, when already known (otherwise they are asked of the
    /// API when first needed).
    pub fn new(
        app: &'a App,
        router: &'a Router,
        conn: &'a mut Connection,
        key: String,
        peer: Option<IpAddr>,
        classes: Option<Classes>,
    ) -> Self {
        Self {
            app,
            router,
            conn,
            key,
            peer,
            classes,
        }
    }
}

impl Backend for InProcess<'_> {
    fn classes(&mut self) -> Result<Classes, String> {
        if let Some(classes) = self.classes {
            return Ok(classes);
        }
        let key = self.key.clone();
        let classes = probe_classes(self, &key)?;
        self.classes = Some(classes);
        Ok(classes)
    }

    fn call(&mut self, request: &ApiRequest) -> Result<ApiAnswer, String> {
        let headers = vec![
            ("Authorization".to_owned(), format!("Bearer {}", self.key)),
            ("Content-Type".to_owned(), "application/json".to_owned()),
        ];
        let request = Request::new(
            request.method,
            &request.target(),
            headers,
            request.body_bytes(),
        )
        .with_peer(self.peer);
        let (status, _, body) = pipeline::handle(self.app, self.router, self.conn, None, request)
            .reply
            .into_parts();
        Ok(ApiAnswer { status, body })
    }

    fn wait_while_pending(&mut self, task_id: &str, deadline: Instant) -> Result<(), String> {
        let Some(seat) = self.app.waits.enter() else {
            return Err(format!(
                "This server is already holding {} wait(s), as many as it allows at once. Poll \
                 get_task_status instead, or call wait_for_verdict again in a little while.",
                self.app.waits.seats()
            ));
        };
        loop {
            let pending = review_tasks::find_by_id(self.conn, task_id)
                .map_err(|e| format!("cannot read the task: {e}"))?
                .is_some_and(|task| task.status == TaskStatus::Pending);
            let left = deadline.saturating_duration_since(Instant::now());
            if !pending || left.is_zero() || !seat.pause(left.min(POLL)) {
                return Ok(());
            }
        }
    }
}

/// Serves MCP over stdio on the database at `db` directly (opened as `conn`), routing
/// tool requests through `router`, for one local user. With `key`, tools run as that
/// key (and open what it opens); without, as an admin with a key that exists only in
/// this process. `url` is the address prompts tell agents to call back.
pub fn serve_stdio_on_database(
    db: &Path,
    mut conn: Connection,
    router: &Router,
    key: Option<String>,
    url: String,
) -> Result<(), String> {
    let mut config = Config::new(db);
    config.threads = 1;
    config.loop_url = Some(url);
    let (key, classes) = match key {
        Some(key) => (key, None),
        None => {
            let key =
                credentials::generate_admin_key().map_err(|e| format!("no randomness: {e}"))?;
            config.api_key = Some(key.clone());
            let engine = Classes {
                engine: true,
                review: false,
            };
            (key, Some(engine))
        }
    };
    // Verdict deliveries this process queues wait in the database for a running
    // server's deliverer, which looks for due deliveries on its own.
    let app = App::new(config, Arc::new(SystemClock), Outbox::channel().0);
    let mut backend = InProcess::new(&app, router, &mut conn, key, None, classes);
    super::stdio::serve_process(&mut backend)
}
