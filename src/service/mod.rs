//! The use cases: one function per thing a user (or the command line) does. A handler
//! parses the request, calls one use case and shapes the answer; a use case opens the
//! write, calls the pure domain functions and the store. This is the only layer that
//! decides what a write contains.

pub mod keys;
