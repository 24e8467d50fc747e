//! [`ApiError`]: every way a request can fail, and the one place that turns a failure
//! into a status code and a JSON body (`{"error": "...", "details"?: [...]}`).

use serde::Serialize;

use super::response::Reply;
use crate::domain::validate::FieldError;

/// A failed request.
#[derive(Debug)]
pub enum ApiError {
    /// 400: the body or query failed validation; one entry per problem.
    Validation(Vec<FieldError>),
    /// 400: the request is unusable for another reason (e.g. malformed JSON).
    BadRequest(String),
    /// 401 with a fixed message.
    Unauthorized(&'static str),
    /// 404 with a message naming what was not found.
    NotFound(&'static str),
    /// 405: the path exists but not with this method; lists the allowed ones.
    MethodNotAllowed(String),
    /// 409: the request conflicts with stored state.
    Conflict(&'static str),
    /// 413: the body is larger than the server accepts.
    PayloadTooLarge(usize),
    /// 422: the request is well-formed but refers to something unusable.
    Unprocessable(&'static str),
    /// 422: a stored template cannot be compiled or rendered (the message says why).
    TemplateError(String),
    /// 500: a setting the route needs is missing (the message names it).
    NotConfigured(&'static str),
    /// 500: a fault of the server, not the client (logged, never detailed to the client).
    Internal(String),
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a [FieldError]>,
}

impl ApiError {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            Self::Validation(_) | Self::BadRequest(_) => 400,
            Self::Unauthorized(_) => 401,
            Self::NotFound(_) => 404,
            Self::MethodNotAllowed(_) => 405,
            Self::Conflict(_) => 409,
            Self::PayloadTooLarge(_) => 413,
            Self::Unprocessable(_) | Self::TemplateError(_) => 422,
            Self::NotConfigured(_) | Self::Internal(_) => 500,
        }
    }

    /// The response a client sees.
    pub fn to_reply(&self) -> Reply {
        let summary;
        let (message, details): (&str, Option<&[FieldError]>) = match self {
            Self::Validation(errors) => {
                summary = validation_summary(errors);
                (&summary, Some(errors))
            }
            Self::BadRequest(message) | Self::TemplateError(message) => (message, None),
            Self::Unauthorized(message) | Self::NotFound(message) => (message, None),
            Self::Conflict(message) | Self::Unprocessable(message) => (message, None),
            Self::NotConfigured(message) => (message, None),
            Self::MethodNotAllowed(_) => ("Method not allowed", None),
            Self::PayloadTooLarge(limit) => {
                summary = format!("Request body is larger than {limit} bytes");
                (&summary, None)
            }
            Self::Internal(_) => ("Internal server error", None),
        };
        let reply = Reply::json(
            self.status(),
            &ErrorBody {
                error: message,
                details,
            },
        );
        match self {
            Self::MethodNotAllowed(allow) => reply.with_header("Allow", allow.clone()),
            _ => reply,
        }
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

impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> Self {
        Self::Validation(errors)
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Internal(format!("database: {error}"))
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
            (ApiError::BadRequest("x".into()), 400),
            (ApiError::Unauthorized("x"), 401),
            (ApiError::NotFound("x"), 404),
            (ApiError::MethodNotAllowed("GET".into()), 405),
            (ApiError::Conflict("x"), 409),
            (ApiError::PayloadTooLarge(1), 413),
            (ApiError::Unprocessable("x"), 422),
            (ApiError::TemplateError("x".into()), 422),
            (ApiError::NotConfigured("X not configured"), 500),
            (ApiError::Internal("x".into()), 500),
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
    }

    #[test]
    fn internal_details_stay_private() {
        let error = ApiError::Internal("database: disk I/O error".into());
        assert_eq!(
            body(&error),
            serde_json::json!({"error": "Internal server error"})
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
