//! The integration tests, one binary: each module drives one area of a real server
//! (started on a free port with its own temporary database) through real HTTP, or the
//! `loop` binary itself. The suite builds and links the crate once.

// Tests (and their helpers) stop loudly where an expectation fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth_and_http;
mod browser;
mod cli;
mod common;
mod dashboard;
mod demo;
mod dispatch;
mod engine_web;
mod hardening;
mod issues;
mod layers;
mod mcp;
mod mcp_client;
mod openapi;
mod operations;
mod prompts;
mod review_access;
mod review_admin;
mod review_robustness;
mod review_tasks;
mod review_timeouts;
mod reviewer_quality;
mod reviewers;
mod sign_off;
mod signals;
mod verdict_delivery;
mod work_items;
