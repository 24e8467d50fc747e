//! Pure domain logic: no HTTP, no SQL. Everything here is unit-tested on its own.

pub mod enums;
pub mod issue;
pub mod jsnum;
pub mod pagination;
pub mod thread;
pub mod validate;
