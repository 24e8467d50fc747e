//! The prompt engine's pure parts: template conditions and selection, the default
//! templates, source adaptation, rendering (with the built-in partials spliced in), and the review score (EWMA).

pub mod conditions;
pub mod context;
pub mod defaults;
pub mod inline;
pub mod render;
pub mod review;
pub mod selection;
pub mod source;
