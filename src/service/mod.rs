//! The use cases: one function per thing a user, an agent, an automation or the command
//! line does. A handler parses the request, calls one use case and shapes the answer; a
//! use case opens the write (`Ctx::write`), applies the rules with the pure functions of
//! [`crate::domain`] and reads and writes through [`crate::store`], which only runs
//! SQL. Steps that several use cases share inside one transaction take the
//! transaction's connection and the time instead of a context (e.g.
//! [`verdicts::resolve`], [`signals::record_in`]).

pub mod accounts;
pub mod audit;
pub mod authentication;
pub mod comments;
pub mod decoys;
pub mod deliveries;
pub mod dispatch;
pub mod goals;
pub mod hooks;
pub mod issues;
pub mod keys;
pub mod labels;
pub mod maintenance;
pub mod operations;
pub mod projects;
pub mod prompt_reviews;
pub mod prompting;
pub mod queue;
pub mod relations;
pub mod review_tasks;
pub mod sessions;
pub mod sign_off;
pub mod signals;
pub mod templates;
pub mod verdicts;
