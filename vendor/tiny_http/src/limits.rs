//! (Loop patch) What one connection may cost the server. Upstream has no limits at all:
//! a client that stops sending in the middle of a request, or never sends the next one,
//! holds a thread for ever.

use std::io::Cursor;
use std::time::Duration;

use crate::{Response, StatusCode};

/// Renders an answer the server gives by itself, before any application code sees the
/// request (a head it cannot read, a timeout, too many connections): the status, a short
/// reason in English, and the request target as far as it was read (none when not even
/// that much arrived), so that the page can take the shape its part of the site uses.
pub type ErrorPage = fn(StatusCode, &'static str, Option<&str>) -> Response<Cursor<Vec<u8>>>;

/// Time and size limits on each connection. [`Limits::default`] suits a server on the open
/// network; tests shorten the times.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long a client has to send a complete request head (request line and headers):
    /// from the connection's start for its first request, from the request's first byte
    /// after that. A head still incomplete then is answered 408 and the connection closed.
    pub head_timeout: Duration,
    /// How long a request body may pause between two bytes. A slow upload keeps going as
    /// long as bytes keep coming; a stalled one is answered 408 and the connection closed.
    pub body_gap_timeout: Duration,
    /// How long a kept-alive connection may wait for its next request before it is closed
    /// (without an answer: nothing was asked).
    pub idle_timeout: Duration,
    /// How long writing a response may wait for the client to take more bytes. A write
    /// that times out closes the connection.
    pub write_timeout: Duration,
    /// The largest request body read. A body declared longer is not read at all (a
    /// chunked one is read up to this much): the request is handed over with
    /// `body_too_large` set, and the connection closes after its answer.
    pub max_body_bytes: usize,
    /// How much of what a client still sends after an answer that ends its connection
    /// (e.g. the rest of a body too large to read) is read and thrown away before the
    /// connection is closed. Closing with unread bytes would reset the connection, and the
    /// client could lose the answer before reading it.
    pub linger_bytes: usize,
    /// How long that reading may last.
    pub linger_time: Duration,
    /// The largest request head (request line and headers, line ends included): a longer
    /// request line is answered 414, longer headers 431.
    pub max_head_bytes: usize,
    /// The most connections served at once, each on a thread of its own. A connection
    /// beyond that is answered 503 and closed at once, so the thread count stays bounded
    /// whatever clients do.
    pub max_connections: usize,
    /// The answers the server gives by itself (default: the reason as plain text).
    pub error_page: ErrorPage,
}

impl Default for Limits {
    /// 10 s for a head, 10 s between body bytes, 60 s of idle keep-alive, 10 s per write;
    /// bodies up to 1 MiB, heads up to 16 KiB; at most 64 KiB and 2 s of lingering; 256
    /// connections (each takes two file descriptors, well within the usual 1,024).
    fn default() -> Self {
        Limits {
            head_timeout: Duration::from_secs(10),
            body_gap_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(10),
            max_body_bytes: 1024 * 1024,
            linger_bytes: 64 * 1024,
            linger_time: Duration::from_secs(2),
            max_head_bytes: 16 * 1024,
            max_connections: 256,
            error_page: plain_error_page,
        }
    }
}

/// The default [`ErrorPage`]: the reason as plain text.
pub fn plain_error_page(
    status: StatusCode,
    reason: &'static str,
    _target: Option<&str>,
) -> Response<Cursor<Vec<u8>>> {
    Response::from_string(reason).with_status_code(status)
}
