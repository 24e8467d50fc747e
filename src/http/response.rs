//! [`Reply`]: a response as the handlers build it, before it is written to the socket.

use serde::Serialize;

/// The content type of JSON answers.
pub const JSON: &str = "application/json";

/// The content type of the review API's JSON answers, which declare their charset.
pub const JSON_UTF8: &str = "application/json; charset=utf-8";

/// A response: status, extra headers and an optional body.
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

/// `{"data": ...}`: the single-item envelope.
#[derive(Serialize)]
pub struct Data<T> {
    /// The item.
    pub data: T,
}

/// `{"data": [...], "total": N}`: the paginated-list envelope.
#[derive(Serialize)]
pub struct Listing<T> {
    /// This page's items.
    pub data: Vec<T>,
    /// How many items match the filters, over all pages.
    pub total: i64,
}

impl Reply {
    /// A JSON response with `Content-Type: application/json`.
    pub fn json(status: u16, value: &impl Serialize) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => Self {
                status,
                headers: vec![("Content-Type", JSON.to_owned())],
                body,
            },
            Err(_) => Self {
                status: 500,
                headers: vec![("Content-Type", JSON.to_owned())],
                body: br#"{"error":"Internal server error"}"#.to_vec(),
            },
        }
    }

    /// A response carrying `body` as `content_type` (files of the web app, answers kept
    /// already serialised).
    pub fn bytes(status: u16, content_type: &'static str, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type", content_type.to_owned())],
            body,
        }
    }

    /// A JSON response whose body is already serialised (`text` must be JSON).
    pub fn json_text(status: u16, text: &str) -> Self {
        Self {
            status,
            headers: vec![("Content-Type", JSON.to_owned())],
            body: text.as_bytes().to_vec(),
        }
    }

    /// 200 `{"data": value}`.
    pub fn data(value: impl Serialize) -> Self {
        Self::json(200, &Data { data: value })
    }

    /// 201 `{"data": value}`.
    pub fn created(value: impl Serialize) -> Self {
        Self::json(201, &Data { data: value })
    }

    /// 200 `{"data": items, "total": total}`.
    pub fn listing<T: Serialize>(data: Vec<T>, total: i64) -> Self {
        Self::json(200, &Listing { data, total })
    }

    /// A response with a body of this content type, as given.
    pub fn raw(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type", content_type.to_owned())],
            body,
        }
    }

    /// A response with no body and no content type (204 and friends).
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Sets header `name` to `value` alone, replacing any value it had.
    #[must_use]
    pub fn replacing_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.with_header(name, value)
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body bytes.
    #[cfg(test)]
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Takes the body out, for writing.
    pub fn into_parts(self) -> (u16, Vec<(&'static str, String)>, Vec<u8>) {
        (self.status, self.headers, self.body)
    }
}
