//! The API, called in-process: each call goes through the same pipeline as a request
//! from the network (authentication, parsing, the use case, the answer), on one
//! connection and one thread, with a clock the story moves. Seeded rows are therefore
//! exactly what real use writes.

use std::sync::Arc;

use rusqlite::Connection;
use serde_json::Value;

use crate::app::{App, Ctx};
use crate::clock::{Clock, ManualClock, Timestamp};
use crate::http::{Method, Request, pipeline};

/// Who a call is made as.
#[derive(Debug, Clone, Copy)]
pub enum As<'a> {
    /// Nobody (signed webhooks, sign-in).
    Anonymous,
    /// The engine admin key the story runs with.
    Admin,
    /// A review-API project key.
    Key(&'a str),
    /// A signed-in person, by their `Cookie` header.
    Person(&'a str),
}

/// An answer.
#[derive(Debug)]
pub struct Answer {
    /// Its status.
    pub status: u16,
    /// Its headers.
    pub headers: Vec<(&'static str, String)>,
    /// Its body as JSON (`null` when empty).
    pub json: Value,
}

/// The in-process API of one database.
pub struct Client {
    app: App,
    conn: Connection,
    clock: Arc<ManualClock>,
    admin_key: String,
}

impl Client {
    /// A client over `conn` for `app`, whose clock is `clock`, authenticating admin calls
    /// with `admin_key` (the app's `LOOP_API_KEY`).
    pub fn new(app: App, conn: Connection, clock: Arc<ManualClock>, admin_key: &str) -> Self {
        Self {
            app,
            conn,
            clock,
            admin_key: admin_key.to_owned(),
        }
    }

    /// The story's time.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Moves the story's time to `at` (never back).
    pub fn move_to(&self, at: Timestamp) {
        let ahead = at.unix_millis() - self.now().unix_millis();
        self.clock.advance(ahead.max(0));
    }

    /// A context for calling use cases directly (what the server's background threads
    /// do: delivery attempts, gate timeouts).
    pub fn ctx(&mut self) -> Ctx<'_> {
        Ctx::new(&self.app, &mut self.conn)
    }

    /// The connection, for the story's last steps (compacting, moving times).
    pub fn into_connection(self) -> Connection {
        self.conn
    }

    /// Makes a call; any answer (even an error status) is returned.
    pub fn call(
        &mut self,
        who: As<'_>,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Answer {
        let mut all: Vec<(String, String)> = headers
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        let credential = match who {
            As::Anonymous => None,
            As::Admin => Some(("Authorization", format!("Bearer {}", self.admin_key))),
            As::Key(key) => Some(("Authorization", format!("Bearer {key}"))),
            As::Person(cookie) => Some(("Cookie", cookie.to_owned())),
        };
        if let Some((name, value)) = credential {
            all.push((name.to_owned(), value));
        }
        if !body.is_empty() {
            all.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        let request = Request::new(Method::parse(method), target, all, body.to_vec());
        let handled = pipeline::handle(
            &self.app,
            crate::api::router(),
            &mut self.conn,
            None,
            request,
        );
        let (status, headers, body) = handled.reply.into_parts();
        let json = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&body).unwrap_or(Value::Null)
        };
        Answer {
            status,
            headers,
            json,
        }
    }

    /// Sends `body` as JSON and expects a 2xx; answers the JSON, or says what went
    /// wrong.
    pub fn send(
        &mut self,
        who: As<'_>,
        method: &str,
        target: &str,
        body: &Value,
    ) -> Result<Value, String> {
        let bytes = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        let answer = self.call(who, method, target, &[], &bytes);
        if (200..300).contains(&answer.status) {
            Ok(answer.json)
        } else {
            Err(format!(
                "{method} {target} answered {}: {}",
                answer.status, answer.json
            ))
        }
    }

    /// POSTs as an admin and answers `data` (engine API envelope) or the body.
    pub fn admin(&mut self, method: &str, target: &str, body: &Value) -> Result<Value, String> {
        let answer = self.send(As::Admin, method, target, body)?;
        Ok(match answer.get("data") {
            Some(data) => data.clone(),
            None => answer,
        })
    }
}
