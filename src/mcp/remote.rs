//! The API of a Loop server reached over HTTP, for `loop mcp --url … --key …`: the
//! agent's machine runs the MCP server, the Loop server may be anywhere.

use std::io::Read;
use std::thread;
use std::time::{Duration, Instant};

use super::backend::{ApiAnswer, ApiRequest, Backend, Classes, probe_classes};
use crate::http::Method;

/// How long one API request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest answer read (a page of issues is far smaller).
const MAX_ANSWER_BYTES: u64 = 16 * 1024 * 1024;

/// How often a wait asks for the task again: each asking is a request against the
/// key's budget (a five-minute wait costs a quarter of one minute's budget).
const POLL: Duration = Duration::from_secs(2);

/// A Loop server's API, as one key.
pub struct Remote {
    agent: ureq::Agent,
    base: String,
    key: String,
    classes: Option<Classes>,
}

impl Remote {
    /// The server at `url` (`http://` or `https://`), as `key`.
    pub fn new(url: &str, key: &str) -> Result<Self, String> {
        let base = url.trim_end_matches('/');
        let scheme_ok = ["http://", "https://"].iter().any(|scheme| {
            base.len() > scheme.len() && base.to_ascii_lowercase().starts_with(scheme)
        });
        if !scheme_ok {
            return Err(format!(
                "--url must be a server's http:// or https:// address, not {url:?}"
            ));
        }
        if key.is_empty() {
            return Err(
                "a key is needed: --key or LOOP_API_KEY (an admin key, or a project's lq_… key)"
                    .to_owned(),
            );
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(REQUEST_TIMEOUT))
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(concat!("loop-mcp/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Self {
            agent,
            base: base.to_owned(),
            key: key.to_owned(),
            classes: None,
        })
    }
}

/// A request with the key and the JSON content type every API request carries.
fn with_headers<B>(
    builder: ureq::RequestBuilder<B>,
    authorization: &str,
) -> ureq::RequestBuilder<B> {
    builder
        .header("Authorization", authorization)
        .header("Content-Type", "application/json")
}

impl Backend for Remote {
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
        let url = format!("{}{}", self.base, request.target());
        let auth = format!("Bearer {}", self.key);
        let body = request.body_bytes();
        let sent = match request.method {
            Method::Get => with_headers(self.agent.get(&url), &auth).call(),
            Method::Delete => with_headers(self.agent.delete(&url), &auth).call(),
            Method::Post => with_headers(self.agent.post(&url), &auth).send(&body[..]),
            Method::Patch => with_headers(self.agent.patch(&url), &auth).send(&body[..]),
            Method::Put => with_headers(self.agent.put(&url), &auth).send(&body[..]),
            other => return Err(format!("{} is not a method the tools use", other.as_str())),
        };
        let mut response = sent.map_err(|e| format!("cannot reach Loop at {}: {e}", self.base))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(MAX_ANSWER_BYTES)
            .read_to_end(&mut body)
            .map_err(|e| format!("reading Loop's answer failed: {e}"))?;
        Ok(ApiAnswer { status, body })
    }

    fn wait_while_pending(&mut self, task_id: &str, deadline: Instant) -> Result<(), String> {
        let request = ApiRequest::new(
            Method::Get,
            format!("/api/v1/tasks/{}", super::backend::segment(task_id)),
        );
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            thread::sleep(left.min(POLL));
            let answer = self.call(&request)?;
            // Over budget (429): keep waiting; any other refusal is for the final read to show.
            if !(answer.status == 429 || answer.is_pending_task()) {
                return Ok(());
            }
        }
    }
}
