//! Pure domain logic: no HTTP, no SQL. Everything here is unit-tested on its own.

pub mod credentials;
pub mod dispatch;
pub mod entropy;
pub mod enums;
pub mod issue;
pub mod jsjson;
pub mod jsnum;
pub mod pagination;
pub mod prompt;
pub mod review;
pub mod sign_off;
pub mod signals;
pub mod signature;
pub mod stored_json;
pub mod thread;
pub mod validate;
