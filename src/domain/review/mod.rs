//! The human-review side's pure rules: lenient input, task validation, what each game
//! shows, and how tasks resolve.

pub mod audit;
pub mod content;
pub mod decision;
pub mod delivery;
pub mod draw;
pub mod input;
pub mod plant;
pub mod record;
pub mod resolution;
pub mod scoring;
pub mod task;
pub mod verdict_signal;
