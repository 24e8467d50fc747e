//! What the tools run on: the Loop API, reached either in-process (the server's own
//! request pipeline, for `POST /mcp` and `loop mcp --db`) or over HTTP (`loop mcp
//! --url`). Tools only ever make API requests, so they see the same validation, the same
//! errors and the same answers whichever way they reach the API, and the same as any
//! other client of it.

use std::time::Instant;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use crate::http::Method;

/// Which set of tools a key opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyClass {
    /// An engine admin key: the original Loop's tools (`/api/*`).
    Engine,
    /// A review-API project key (`lq_…`): the review tools (`/api/v1/*`).
    Review,
}

/// The tool sets a caller may use (a key of today is one kind or the other, but the
/// tool list is the union of whatever the key opens).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Classes {
    /// The engine tools.
    pub engine: bool,
    /// The review tools.
    pub review: bool,
}

impl Classes {
    /// Whether tools of `class` are open.
    pub fn allows(self, class: KeyClass) -> bool {
        match class {
            KeyClass::Engine => self.engine,
            KeyClass::Review => self.review,
        }
    }
}

/// One API request a tool makes.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    /// The method.
    pub method: Method,
    /// The path, each segment already percent-encoded (see [`segment`]).
    pub path: String,
    /// Query parameters, unencoded.
    pub query: Vec<(&'static str, String)>,
    /// The JSON body, if any.
    pub body: Option<Value>,
}

impl ApiRequest {
    /// A request without query or body.
    pub fn new(method: Method, path: String) -> Self {
        Self {
            method,
            path,
            query: Vec::new(),
            body: None,
        }
    }

    /// With a query parameter.
    #[must_use]
    pub fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    /// With a JSON body.
    #[must_use]
    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// The request target: the path and the encoded query.
    pub fn target(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                self.query
                    .iter()
                    .map(|(name, value)| (*name, value.as_str())),
            )
            .finish();
        format!("{}?{query}", self.path)
    }

    /// The body as bytes (empty without one).
    pub fn body_bytes(&self) -> Vec<u8> {
        self.body
            .as_ref()
            .map(|body| body.to_string().into_bytes())
            .unwrap_or_default()
    }
}

/// Everything but the characters `encodeURIComponent` leaves alone.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// `value` as one path segment: an id an agent typed cannot reach another route.
pub fn segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// What the API answered.
#[derive(Debug, Clone)]
pub struct ApiAnswer {
    /// The status code.
    pub status: u16,
    /// The body as sent.
    pub body: Vec<u8>,
}

impl ApiAnswer {
    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> Result<Value, String> {
        serde_json::from_slice(&self.body).map_err(|e| {
            format!(
                "the API answered {} with a body that is not JSON: {e}",
                self.status
            )
        })
    }

    /// Whether this is a 2xx answer carrying a review task still `pending`.
    pub fn is_pending_task(&self) -> bool {
        self.ok()
            && self
                .json()
                .is_ok_and(|task| task.get("status").and_then(Value::as_str) == Some("pending"))
    }

    /// The error message the API gave (`error`, or `message`), or the status alone.
    pub fn error_message(&self) -> String {
        let body: Option<Value> = serde_json::from_slice(&self.body).ok();
        body.as_ref()
            .and_then(|b| b.get("error").or_else(|| b.get("message")))
            .and_then(Value::as_str)
            .map_or_else(|| format!("HTTP {}", self.status), str::to_owned)
    }
}

/// The Loop API as the tools reach it. `Err` is a failure to reach it at all (the
/// network, the database), never an answer of the API's, which comes back as it is.
pub trait Backend {
    /// Which tool sets the caller's key opens.
    fn classes(&mut self) -> Result<Classes, String>;

    /// Makes one request as the caller.
    fn call(&mut self, request: &ApiRequest) -> Result<ApiAnswer, String>;

    /// Blocks while review task `task_id` is pending, until `deadline` at the latest
    /// (or sooner, when the server is shutting down). `Err` refuses the wait with a
    /// message for the agent (too many waits at once).
    fn wait_while_pending(&mut self, task_id: &str, deadline: Instant) -> Result<(), String>;
}

/// The tool sets `key` opens, found by asking the API: the review API's `GET /me`
/// answers only project keys, the engine's issue list only admin keys. The likelier
/// kind (by the key's prefix) is asked first, and the other only if it refuses.
pub fn probe_classes(backend: &mut dyn Backend, key: &str) -> Result<Classes, String> {
    let review = ApiRequest::new(Method::Get, "/api/v1/me".to_owned());
    let engine = ApiRequest::new(Method::Get, "/api/issues".to_owned()).query("limit", "1");
    let order = if key.starts_with("lq_") {
        [(review, KeyClass::Review), (engine, KeyClass::Engine)]
    } else {
        [(engine, KeyClass::Engine), (review, KeyClass::Review)]
    };
    let mut refusals = Vec::new();
    for (request, class) in order {
        let answer = backend.call(&request)?;
        if answer.ok() {
            return Ok(Classes {
                engine: class == KeyClass::Engine,
                review: class == KeyClass::Review,
            });
        }
        refusals.push(format!(
            "{} {}: {} {}",
            request.method.as_str(),
            request.path,
            answer.status,
            answer.error_message()
        ));
    }
    Err(format!(
        "Loop refused this key ({}); check --key or LOOP_API_KEY",
        refusals.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_targets_are_encoded() {
        assert_eq!(segment("a/b c?d"), "a%2Fb%20c%3Fd");
        assert_eq!(segment("iss_1-x.y~z"), "iss_1-x.y~z");
        let request = ApiRequest::new(Method::Get, "/api/issues".into())
            .query("status", "todo")
            .query("projectId", "a&b c");
        assert_eq!(
            request.target(),
            "/api/issues?status=todo&projectId=a%26b+c"
        );
        assert!(request.body_bytes().is_empty());
    }

    #[test]
    fn error_messages_come_from_the_body() {
        let answer = |status, body: &str| ApiAnswer {
            status,
            body: body.as_bytes().to_vec(),
        };
        assert_eq!(
            answer(404, r#"{"error":"Issue not found"}"#).error_message(),
            "Issue not found"
        );
        assert_eq!(answer(400, r#"{"message":"m"}"#).error_message(), "m");
        assert_eq!(answer(502, "<html>").error_message(), "HTTP 502");
        assert!(answer(204, "").ok());
        assert!(!answer(404, "").ok());
    }
}
