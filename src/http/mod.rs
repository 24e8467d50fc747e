//! HTTP plumbing shared by every route: requests, responses, errors, routing, CORS and
//! authentication. Nothing here knows about issues or projects.

pub mod auth;
pub mod cors;
pub mod error;
pub mod pipeline;
pub mod request;
pub mod response;
pub mod router;

pub use error::ApiError;
pub use request::{Method, Request};
pub use response::Reply;
