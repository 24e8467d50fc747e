//! [`ApiError`]: every way a request (or a command) can fail, as the use cases report
//! it. The HTTP layer turns it into a status and a JSON body (`http/error.rs`); the
//! command line into a message. Failures of the layers below have their own types
//! ([`StoreError`], and the writer's, which is the store's) and become a 500 here.

use crate::domain::validate::FieldError;
use crate::store::StoreError;

/// A failed request.
#[derive(Debug)]
pub enum ApiError {
    /// 400: the body or query failed validation; one entry per problem.
    Validation(Vec<FieldError>),
    /// 422: the body or query failed validation on a route whose contract answers 422
    /// for that (the labels routes, as the original's SDK expects); one
    /// entry per problem, as for [`ApiError::Validation`].
    InvalidEntity(Vec<FieldError>),
    /// 400: the request is unusable for another reason (e.g. malformed JSON).
    BadRequest(String),
    /// 401 with a fixed message.
    Unauthorized(&'static str),
    /// 404 with a message naming what was not found.
    NotFound(&'static str),
    /// 405: the path exists but not with this method; lists the allowed ones.
    MethodNotAllowed(String),
    /// 403: the caller is known but not allowed to do this.
    Forbidden(&'static str),
    /// 409: the request conflicts with stored state.
    Conflict(&'static str),
    /// 413: the body is larger than the server accepts.
    PayloadTooLarge(usize),
    /// 422: the request is well-formed but refers to something unusable.
    Unprocessable(&'static str),
    /// 429: the key used its request budget; retry after this many seconds.
    RateLimited(i64),
    /// 422: a stored template cannot be compiled or rendered (the message says why).
    TemplateError(String),
    /// 503: a setting the route needs is missing (the message names the environment
    /// variable). The operator's to fix, not a fault of the client or of the server.
    NotConfigured(&'static str),
    /// The HTTP layer refused the request before it could be routed, with this status:
    /// a head it cannot read (400, 414, 431), a client too slow (408), an unsupported
    /// expectation (417) or HTTP version (505), too many connections (503).
    Refused(u16, &'static str),
    /// 500: a fault of the server, not the client (logged, never detailed to the client).
    Internal(String),
}

impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> Self {
        Self::Validation(errors)
    }
}

impl From<FieldError> for ApiError {
    fn from(error: FieldError) -> Self {
        Self::Validation(vec![error])
    }
}

impl From<getrandom::Error> for ApiError {
    fn from(error: getrandom::Error) -> Self {
        Self::Internal(format!("no randomness: {error}"))
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        Self::Internal(error.to_string())
    }
}
