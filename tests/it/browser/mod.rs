//! The web app in a real browser (Debian's chromium over the DevTools protocol): every
//! review game played with the keyboard against a real server, escalations resolved in
//! the admin pages, keys created there, decoys met and audited, the engine dashboard, the
//! API reference, phone widths, and no console errors or Content-Security-Policy
//! violations anywhere. Screenshots land in `target/screenshots/`.

mod admin;
mod docs;
mod engine;
mod games;
mod harness;
mod quality;
mod shell;
mod sign_off;
mod site;
