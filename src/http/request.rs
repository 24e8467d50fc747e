//! [`Request`]: what a handler sees of an HTTP request, independent of the socket library.

use std::borrow::Cow;
use std::net::IpAddr;

use serde_json::{Map, Value};

use super::error::ApiError;
use crate::domain::jsjson;

/// The HTTP methods the router knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// HEAD (answered like the GET of a safe route, without a body)
    Head,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
    /// OPTIONS (CORS preflight)
    Options,
    /// Anything else.
    Other,
}

impl Method {
    /// Parses a method token (case-sensitive, as HTTP defines it).
    pub fn parse(token: &str) -> Self {
        match token {
            "GET" => Self::Get,
            "HEAD" => Self::Head,
            "POST" => Self::Post,
            "PUT" => Self::Put,
            "PATCH" => Self::Patch,
            "DELETE" => Self::Delete,
            "OPTIONS" => Self::Options,
            _ => Self::Other,
        }
    }

    /// The method token.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Head => "HEAD",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
            Self::Options => "OPTIONS",
            Self::Other => "OTHER",
        }
    }
}

/// An HTTP request with its body already read.
#[derive(Debug, Clone)]
pub struct Request {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    params: Vec<(&'static str, String)>,
    peer: Option<IpAddr>,
}

impl Request {
    /// Builds a request from the request target (`/path?query`, or the absolute form
    /// `http://host/path?query`), header pairs and body.
    pub fn new(
        method: Method,
        target: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Self {
        let target = origin_form(target);
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        Self {
            method,
            path: path.to_owned(),
            query: form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
            headers,
            body,
            params: Vec::new(),
            peer: None,
        }
    }

    /// Records the client's address.
    #[must_use]
    pub fn with_peer(mut self, peer: Option<IpAddr>) -> Self {
        self.peer = peer;
        self
    }

    /// The client's address, when known.
    pub fn peer(&self) -> Option<IpAddr> {
        self.peer
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The path, without the query string, still percent-encoded.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether the path is under the engine API prefix `/api` (the review API's
    /// `/api/v1` included).
    pub fn is_api_path(&self) -> bool {
        self.path == "/api" || self.path.starts_with("/api/")
    }

    /// Whether the path is under the review API prefix `/api/v1`.
    pub fn is_review_path(&self) -> bool {
        self.path == "/api/v1" || self.path.starts_with("/api/v1/")
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The query parameter `name`, if given. Giving it twice is a 400: the server would
    /// otherwise have to guess which one was meant.
    pub fn query(&self, name: &str) -> Result<Option<&str>, ApiError> {
        let mut values = self.query.iter().filter(|(n, _)| n == name);
        let first = values.next().map(|(_, v)| v.as_str());
        if values.next().is_some() {
            return Err(ApiError::Validation(vec![
                crate::domain::validate::FieldError::new(
                    name,
                    "Query parameter given more than once",
                ),
            ]));
        }
        Ok(first)
    }

    /// Sets the path parameters captured by the router.
    pub fn set_params(&mut self, params: Vec<(&'static str, String)>) {
        self.params = params;
    }

    /// The path parameter `name` captured by the router (percent-decoded); empty if the
    /// route has no such parameter.
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The raw body bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as a JSON object. An empty body is an empty object whatever the
    /// `Content-Type` (clients send a JSON content type on body-less requests); text that
    /// is not JSON, JSON nested too deep to read, or JSON that is not an object, is a 400.
    pub fn json_object(&self) -> Result<Map<String, Value>, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Map::new());
        }
        if jsjson::nests_too_deep(&self.body) {
            return Err(too_deeply_nested());
        }
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(ApiError::BadRequest(
                "Request body must be a JSON object".to_owned(),
            )),
            Err(_) => Err(ApiError::BadRequest(
                "Malformed JSON in request body".to_owned(),
            )),
        }
    }
}

/// The origin form (`/path?query`) of a request target. The absolute form
/// (`http://host/path?query`), which clients send through proxies, loses its scheme and
/// authority: RFC 9112 §3.2.2 requires servers to accept it, and without this it would
/// match no route, not even in the API's error conventions.
fn origin_form(target: &str) -> Cow<'_, str> {
    let Some((scheme, rest)) = target.split_once("://") else {
        return Cow::Borrowed(target);
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Cow::Borrowed(target);
    }
    match rest.find(['/', '?']) {
        Some(at) if rest[at..].starts_with('/') => Cow::Borrowed(&rest[at..]),
        Some(at) => Cow::Owned(format!("/{}", &rest[at..])),
        None => Cow::Borrowed("/"),
    }
}

/// The 400 for a body nested deeper than [`jsjson::MAX_NESTING`] arrays and objects:
/// whatever is stored must stay readable, in the store and in responses.
pub fn too_deeply_nested() -> ApiError {
    ApiError::BadRequest(format!(
        "JSON nested more than {} levels deep is not accepted",
        jsjson::MAX_NESTING
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(target: &str, body: &str) -> Request {
        Request::new(
            Method::Post,
            target,
            vec![("Content-Type".into(), "application/json".into())],
            body.as_bytes().to_vec(),
        )
    }

    #[test]
    fn splits_and_decodes_the_query() {
        let req = request("/api/issues?status=todo%2Cdone&projectId=a+b", "");
        assert_eq!(req.path(), "/api/issues");
        assert_eq!(req.query("status").ok().flatten(), Some("todo,done"));
        assert_eq!(req.query("projectId").ok().flatten(), Some("a b"));
        assert_eq!(req.query("type").ok().flatten(), None);
        assert_eq!(req.header("content-type"), Some("application/json"));
    }

    #[test]
    fn numbers_read_back_exactly() {
        // The default serde_json parser reads these one unit in the last place off.
        let body = request("/", r#"{"a":954580.7142857143,"b":470639.14285714284}"#)
            .json_object()
            .unwrap_or_default();
        assert_eq!(body["a"].as_f64(), Some(954_580.714_285_714_3));
        assert_eq!(body["b"].as_f64(), Some(470_639.142_857_142_84));
        assert_eq!(
            serde_json::Value::Object(body).to_string(),
            r#"{"a":954580.7142857143,"b":470639.14285714284}"#
        );
    }

    #[test]
    fn absolute_form_targets_lose_scheme_and_authority() {
        for (target, path, limit) in [
            (
                "http://localhost:4242/api/v1/me?limit=2",
                "/api/v1/me",
                Some("2"),
            ),
            ("HTTPS://user@host/api/v1/tasks", "/api/v1/tasks", None),
            ("http://host?limit=3", "/", Some("3")),
            ("http://host", "/", None),
            ("/a://b?limit=4", "/a://b", Some("4")),
            ("ftp://host/x", "ftp://host/x", None),
        ] {
            let req = request(target, "");
            assert_eq!(req.path(), path, "{target}");
            assert_eq!(req.query("limit").ok().flatten(), limit, "{target}");
        }
    }

    #[test]
    fn repeated_query_parameters_are_rejected() {
        let req = request("/x?limit=1&limit=2", "");
        assert!(matches!(req.query("limit"), Err(ApiError::Validation(_))));
    }

    #[test]
    fn bodies() {
        assert_eq!(
            request("/", "").json_object().map(|m| m.len()).ok(),
            Some(0)
        );
        assert_eq!(
            request("/", " \n").json_object().map(|m| m.len()).ok(),
            Some(0)
        );
        assert_eq!(
            request("/", r#"{"a":1}"#)
                .json_object()
                .map(|m| m.len())
                .ok(),
            Some(1)
        );
        for bad in ["{", "null", "[1]", "\"x\"", "{\"a\":1} x"] {
            let error = request("/", bad).json_object().err();
            assert!(matches!(error, Some(ApiError::BadRequest(_))), "{bad}");
        }
        let nest = |levels: usize| {
            format!(
                "{{\"a\":{}{}}}",
                "[".repeat(levels - 1),
                "]".repeat(levels - 1)
            )
        };
        assert!(
            request("/", &nest(jsjson::MAX_NESTING))
                .json_object()
                .is_ok()
        );
        let error = request("/", &nest(jsjson::MAX_NESTING + 1))
            .json_object()
            .err();
        assert!(
            matches!(&error, Some(ApiError::BadRequest(m)) if m.contains("nested more than")),
            "{error:?}"
        );
    }
}
