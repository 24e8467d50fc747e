//! The one place that turns an [`ApiError`] into a status code and a JSON body, in the
//! conventions of the API the request belongs to: `{"error", "details"?}` on the engine
//! API, `{"error", "code", "field"?}` on the review API.

use serde::Serialize;

use super::response::Reply;
use crate::domain::validate::FieldError;
pub use crate::error::ApiError;

/// Which API's error conventions apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `/api/*`: `{"error", "details"?}`, validation failures are 400
    /// (docs/decisions.md#errors) except on the labels routes (422).
    Engine,
    /// `/api/v1/*`: `{"error", "code", "field"?}`, validation failures are 422
    /// (docs/review-api.md#errors).
    Review,
}

#[derive(Serialize)]
struct EngineBody<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a [FieldError]>,
}

#[derive(Serialize)]
struct ReviewBody<'a> {
    error: &'a str,
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    /// The HTTP status code under the engine API's conventions.
    pub fn status(&self) -> u16 {
        match self {
            Self::Validation(_) | Self::BadRequest(_) => 400,
            Self::Forbidden(_) => 403,
            Self::RateLimited(_) => 429,
            Self::Unauthorized(_) => 401,
            Self::NotFound(_) => 404,
            Self::MethodNotAllowed(_) => 405,
            Self::Conflict(_) => 409,
            Self::PayloadTooLarge(_) => 413,
            Self::InvalidEntity(_) | Self::Unprocessable(_) | Self::TemplateError(_) => 422,
            Self::NotConfigured(_) => 503,
            Self::Internal(_) => 500,
            Self::Refused(status, _) => *status,
        }
    }

    /// The review API's status and error code.
    fn review_status_and_code(&self) -> (u16, &'static str) {
        match self {
            Self::Validation(_)
            | Self::InvalidEntity(_)
            | Self::Unprocessable(_)
            | Self::TemplateError(_) => (422, "validation_failed"),
            Self::BadRequest(_) => (400, "invalid_json"),
            Self::Unauthorized(_) => (401, "unauthorized"),
            Self::Forbidden(_) => (403, "forbidden"),
            Self::NotFound(_) => (404, "not_found"),
            Self::MethodNotAllowed(_) => (405, "method_not_allowed"),
            Self::Conflict(_) => (409, "conflict"),
            Self::PayloadTooLarge(_) => (413, "payload_too_large"),
            Self::RateLimited(_) => (429, "rate_limited"),
            Self::NotConfigured(_) => (503, "not_configured"),
            Self::Internal(_) => (500, "internal"),
            Self::Refused(status, _) => (*status, refusal_code(*status)),
        }
    }

    /// The response a client sees, in the conventions of `style`.
    pub fn to_reply_in(&self, style: Style) -> Reply {
        match style {
            Style::Engine => self.to_reply(),
            Style::Review => {
                let (status, code) = self.review_status_and_code();
                let (message, field) = match self {
                    Self::Validation(errors) | Self::InvalidEntity(errors) => {
                        match errors.first() {
                            Some(first) => (first.message.clone(), Some(first.path.as_str())),
                            None => ("Validation failed".to_owned(), None),
                        }
                    }
                    other => (other.message(), None),
                };
                let reply = Reply::json(
                    status,
                    &ReviewBody {
                        error: &message,
                        code,
                        field,
                    },
                );
                self.with_headers(reply, style)
            }
        }
    }

    /// The same failure answered as a 422 when it is a validation failure (routes whose
    /// contract says so); any other error is unchanged.
    #[must_use]
    pub fn into_unprocessable(self) -> Self {
        match self {
            Self::Validation(errors) => Self::InvalidEntity(errors),
            other => other,
        }
    }

    /// The human-readable message.
    fn message(&self) -> String {
        match self {
            Self::Validation(errors) | Self::InvalidEntity(errors) => validation_summary(errors),
            Self::BadRequest(message) | Self::TemplateError(message) => message.clone(),
            Self::Unauthorized(message) | Self::NotFound(message) | Self::Forbidden(message) => {
                (*message).to_owned()
            }
            Self::Conflict(message)
            | Self::Unprocessable(message)
            | Self::NotConfigured(message)
            | Self::Refused(_, message) => (*message).to_owned(),
            Self::MethodNotAllowed(_) => "Method not allowed".to_owned(),
            Self::PayloadTooLarge(limit) => format!("Request body is larger than {limit} bytes"),
            Self::RateLimited(seconds) => format!("Rate limit exceeded; retry in {seconds} s"),
            Self::Internal(_) => "Internal server error".to_owned(),
        }
    }

    /// Headers some errors carry: `Allow`, `Retry-After`, and for the review API
    /// `WWW-Authenticate`.
    fn with_headers(&self, reply: Reply, style: Style) -> Reply {
        match self {
            Self::MethodNotAllowed(allow) => reply.with_header("Allow", allow.clone()),
            Self::RateLimited(seconds) => reply.with_header("Retry-After", seconds.to_string()),
            Self::Unauthorized(_) if style == Style::Review => {
                reply.with_header("WWW-Authenticate", "Bearer")
            }
            _ => reply,
        }
    }

    /// The response a client of the engine API sees.
    pub fn to_reply(&self) -> Reply {
        let message = self.message();
        let details = match self {
            Self::Validation(errors) | Self::InvalidEntity(errors) => Some(errors.as_slice()),
            _ => None,
        };
        let reply = Reply::json(
            self.status(),
            &EngineBody {
                error: &message,
                details,
            },
        );
        self.with_headers(reply, Style::Engine)
    }
}

/// The review API's `code` of an answer the HTTP layer gave before routing.
fn refusal_code(status: u16) -> &'static str {
    match status {
        408 => "request_timeout",
        414 => "uri_too_long",
        417 => "expectation_failed",
        431 => "headers_too_large",
        503 => "unavailable",
        505 => "http_version_not_supported",
        _ => "bad_request",
    }
}

/// `Validation failed: title: Too small…` (plus how many more problems there are).
fn validation_summary(errors: &[FieldError]) -> String {
    match errors {
        [] => "Validation failed".to_owned(),
        [only] => format!("Validation failed: {}: {}", only.path, only.message),
        [first, rest @ ..] => format!(
            "Validation failed: {}: {} (and {} more)",
            first.path,
            first.message,
            rest.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(error: &ApiError) -> serde_json::Value {
        serde_json::from_slice(error.to_reply().body()).unwrap_or_default()
    }

    #[test]
    fn statuses() {
        let cases = [
            (ApiError::Validation(vec![]), 400),
            (ApiError::InvalidEntity(vec![]), 422),
            (ApiError::BadRequest("x".into()), 400),
            (ApiError::Unauthorized("x"), 401),
            (ApiError::Forbidden("x"), 403),
            (ApiError::NotFound("x"), 404),
            (ApiError::MethodNotAllowed("GET".into()), 405),
            (ApiError::Conflict("x"), 409),
            (ApiError::PayloadTooLarge(1), 413),
            (ApiError::Unprocessable("x"), 422),
            (ApiError::TemplateError("x".into()), 422),
            (ApiError::RateLimited(1), 429),
            (ApiError::NotConfigured("X not configured"), 503),
            (ApiError::Internal("x".into()), 500),
            (ApiError::Refused(505, "x"), 505),
        ];
        for (error, status) in cases {
            assert_eq!(error.status(), status);
            assert_eq!(error.to_reply().status(), status);
        }
    }

    #[test]
    fn validation_lists_details() {
        let error = ApiError::Validation(vec![
            FieldError::new("title", "Too small"),
            FieldError::new("type", "Invalid option"),
        ]);
        assert_eq!(
            body(&error),
            serde_json::json!({
                "error": "Validation failed: title: Too small (and 1 more)",
                "details": [
                    {"path": "title", "message": "Too small"},
                    {"path": "type", "message": "Invalid option"}
                ]
            })
        );
        let unprocessable = error.into_unprocessable();
        assert_eq!(unprocessable.status(), 422);
        assert_eq!(
            body(&unprocessable)["details"][1],
            serde_json::json!({"path": "type", "message": "Invalid option"})
        );
        assert!(matches!(
            ApiError::BadRequest("x".into()).into_unprocessable(),
            ApiError::BadRequest(_)
        ));
    }

    #[test]
    fn internal_details_stay_private() {
        let error = ApiError::Internal("database: disk I/O error".into());
        assert_eq!(
            body(&error),
            serde_json::json!({"error": "Internal server error"})
        );
    }

    fn review_body(error: &ApiError) -> (u16, serde_json::Value) {
        let reply = error.to_reply_in(Style::Review);
        (
            reply.status(),
            serde_json::from_slice(reply.body()).unwrap_or_default(),
        )
    }

    #[test]
    fn review_errors_carry_a_code_and_one_field() {
        let error = ApiError::Validation(vec![
            FieldError::new("module", "module is required"),
            FieldError::new("payload", "payload is required"),
        ]);
        assert_eq!(
            review_body(&error),
            (
                422,
                serde_json::json!({"error": "module is required", "code": "validation_failed", "field": "module"})
            )
        );
        assert_eq!(
            review_body(&ApiError::BadRequest(
                "Malformed JSON in request body".into()
            )),
            (
                400,
                serde_json::json!({"error": "Malformed JSON in request body", "code": "invalid_json"})
            )
        );
        for (error, status, code) in [
            (ApiError::Unauthorized("x"), 401, "unauthorized"),
            (ApiError::Forbidden("x"), 403, "forbidden"),
            (ApiError::NotFound("x"), 404, "not_found"),
            (
                ApiError::MethodNotAllowed("GET".into()),
                405,
                "method_not_allowed",
            ),
            (ApiError::Conflict("x"), 409, "conflict"),
            (ApiError::PayloadTooLarge(1), 413, "payload_too_large"),
            (ApiError::RateLimited(3), 429, "rate_limited"),
            (ApiError::Refused(431, "x"), 431, "headers_too_large"),
            (
                ApiError::Refused(505, "x"),
                505,
                "http_version_not_supported",
            ),
            (ApiError::Internal("secret detail".into()), 500, "internal"),
        ] {
            let (got_status, body) = review_body(&error);
            assert_eq!((got_status, body["code"].as_str()), (status, Some(code)));
            assert!(!body.to_string().contains("secret detail"));
        }
        let limited = ApiError::RateLimited(7).to_reply_in(Style::Review);
        assert_eq!(limited.header("Retry-After"), Some("7"));
        let unauthorized = ApiError::Unauthorized("x").to_reply_in(Style::Review);
        assert_eq!(unauthorized.header("WWW-Authenticate"), Some("Bearer"));
        assert_eq!(
            ApiError::Unauthorized("x")
                .to_reply()
                .header("WWW-Authenticate"),
            None
        );
    }

    #[test]
    fn method_not_allowed_lists_methods() {
        let reply = ApiError::MethodNotAllowed("GET, HEAD".into()).to_reply();
        assert_eq!(reply.header("Allow"), Some("GET, HEAD"));
        assert_eq!(
            body(&ApiError::NotFound("Issue not found")),
            serde_json::json!({"error": "Issue not found"})
        );
    }
}
