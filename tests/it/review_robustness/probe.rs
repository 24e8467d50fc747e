//! Raw requests, and the rules every answer of the review API must keep.

use std::net::SocketAddr;

use serde_json::Value;

use crate::common::Response;
use crate::common::http::exchange;

/// One request exactly as it goes on the wire (header values may be any bytes).
#[derive(Clone, Debug)]
pub(super) struct Req {
    pub(super) method: String,
    pub(super) target: String,
    pub(super) headers: Vec<(String, Vec<u8>)>,
    pub(super) body: Vec<u8>,
}

impl Req {
    pub(super) fn new(method: &str, target: &str) -> Self {
        Self {
            method: method.to_owned(),
            target: target.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub(super) fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.headers
            .push((name.to_owned(), value.as_ref().to_vec()));
        self
    }

    /// Drops every header called `name`.
    pub(super) fn without(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    pub(super) fn body(mut self, body: impl AsRef<[u8]>) -> Self {
        self.body = body.as_ref().to_vec();
        self
    }

    pub(super) fn to_bytes(&self, addr: SocketAddr) -> Vec<u8> {
        let mut out = format!(
            "{} {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n",
            self.method, self.target
        )
        .into_bytes();
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        let sends_length = !self.body.is_empty()
            || matches!(self.method.as_str(), "POST" | "PUT" | "PATCH")
                && !self
                    .headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case("Transfer-Encoding"));
        if sends_length {
            out.extend_from_slice(format!("Content-Length: {}\r\n", self.body.len()).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }

    /// `METHOD target` shortened for messages.
    pub(super) fn describe(&self) -> String {
        format!("{} {}", self.method, clip(&self.target, 90))
    }
}

/// `text`, cut to `max` characters for messages.
pub(super) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!(
            "{}…({} chars)",
            text.chars().take(max).collect::<String>(),
            text.chars().count()
        )
    }
}

/// The largest request head the server reads (`LOOP_MAX_HEAD_BYTES`' default): a header
/// value longer than this is answered 431 before any route sees it.
pub(super) const HEAD_LIMIT: usize = loop_engine::config::DEFAULT_MAX_HEAD_BYTES;

/// The error `code` of each status the review API may answer with (docs/review-api.md#errors).
pub(super) fn code_of(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "invalid_json",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        422 => "validation_failed",
        429 => "rate_limited",
        // A request head over the server's limit, refused before routing.
        431 => "headers_too_large",
        _ => return None,
    })
}

/// Sends requests and records every broken rule instead of stopping at the first.
pub(super) struct Probe {
    pub(super) addr: SocketAddr,
    pub(super) sent: usize,
    pub(super) failures: Vec<String>,
}

impl Probe {
    pub(super) fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            sent: 0,
            failures: Vec::new(),
        }
    }

    pub(super) fn fail(&mut self, req: &Req, what: &str, problem: String) {
        self.failures
            .push(format!("{} [{what}]: {problem}", req.describe()));
    }

    /// Sends `req` and checks the rules of docs/review-api.md#conventions, docs/review-api.md#errors; then, if `expect` is not empty,
    /// that the status is one of `expect`.
    pub(super) fn check(&mut self, what: &str, req: &Req, expect: &[u16]) -> Option<Response> {
        let answer = exchange(self.addr, &req.to_bytes(self.addr));
        self.verify(what, req, answer, expect)
    }

    /// The checks of [`Probe::check`] on an answer already received.
    pub(super) fn verify(
        &mut self,
        what: &str,
        req: &Req,
        answer: Option<Response>,
        expect: &[u16],
    ) -> Option<Response> {
        self.sent += 1;
        let Some(response) = answer else {
            self.fail(req, what, "no answer (connection closed)".to_owned());
            return None;
        };
        let status = response.status;
        let text = clip(&response.text(), 200);
        if status >= 500 {
            self.fail(req, what, format!("answered {status}: {text}"));
            return Some(response);
        }
        if !expect.is_empty() && !expect.contains(&status) {
            self.fail(
                req,
                what,
                format!("answered {status}, expected {expect:?}: {text}"),
            );
        }
        if req.method == "HEAD" {
            return Some(response);
        }
        if status == 204 {
            if !response.body.is_empty() {
                self.fail(req, what, format!("204 with a body: {text}"));
            }
            return Some(response);
        }
        let json_type = response
            .header("Content-Type")
            .is_some_and(|t| t.starts_with("application/json"));
        if !json_type {
            self.fail(
                req,
                what,
                format!("{status} without a JSON Content-Type: {text}"),
            );
        }
        let Ok(body) = serde_json::from_slice::<Value>(&response.body) else {
            self.fail(
                req,
                what,
                format!("{status} with a body that is not JSON: {text}"),
            );
            return Some(response);
        };
        if status >= 400 {
            let wanted = code_of(status);
            if wanted.is_none() {
                self.fail(
                    req,
                    what,
                    format!("unexpected error status {status}: {text}"),
                );
            }
            if !body["error"].is_string() || body["code"].as_str() != wanted {
                self.fail(
                    req,
                    what,
                    format!("{status} without a string error and code {wanted:?}: {text}"),
                );
            }
            if status == 405 && response.header("Allow").is_none() {
                self.fail(req, what, "405 without Allow".to_owned());
            }
            if status == 401 && response.header("WWW-Authenticate").is_none() {
                self.fail(req, what, "401 without WWW-Authenticate".to_owned());
            }
        }
        Some(response)
    }

    /// Like [`Probe::check`], returning the JSON body of an answer with status `status`.
    pub(super) fn expect_json(&mut self, what: &str, req: &Req, status: u16) -> Value {
        self.check(what, req, &[status])
            .filter(|r| r.status == status)
            .and_then(|r| serde_json::from_slice(&r.body).ok())
            .unwrap_or(Value::Null)
    }

    pub(super) fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "{} of {} requests broke the rules:\n{}",
            self.failures.len(),
            self.sent,
            self.failures.join("\n")
        );
    }
}
