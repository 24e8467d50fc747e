//! A minimal HTTP/1.1 client that can send anything (bad JSON, odd headers, huge bodies,
//! bytes that are not HTTP at all), and the one parser of the answers it gets.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::Value;

/// A response as received.
#[derive(Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Header pairs in order.
    pub headers: Vec<(String, String)>,
    /// Body bytes (de-chunked).
    pub body: Vec<u8>,
}

impl Response {
    /// The body as JSON (panics with the body text if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The first value of a header (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Where a response's body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// At the end of the stream: the connection closes after one answer, and anything
    /// the server sent after the head counts (so a stray byte is seen).
    UntilClose,
    /// After `Content-Length` bytes (or the last chunk): the connection stays open for
    /// the next request.
    KeepAlive,
}

/// Reads one response from `reader`; `None` when the stream ends before a complete head.
pub fn read_response(reader: &mut impl BufRead, framing: Framing) -> Option<Response> {
    let mut lines = Vec::new();
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line).ok()? == 0 {
            return None;
        }
        if line == b"\r\n" {
            break;
        }
        let text = String::from_utf8_lossy(&line);
        lines.push(text.trim_end_matches(['\r', '\n']).to_owned());
    }
    let mut lines = lines.into_iter();
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| {
            line.split_once(':')
                .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        })
        .collect();
    let mut response = Response {
        status,
        headers,
        body: Vec::new(),
    };
    let chunked = response
        .header("Transfer-Encoding")
        .is_some_and(|v| v.contains("chunked"));
    let length = response
        .header("Content-Length")
        .and_then(|v| v.parse::<u64>().ok());
    response.body = match (framing, chunked, length) {
        (Framing::KeepAlive, false, Some(length)) => {
            let mut body = Vec::new();
            let _ = reader.take(length).read_to_end(&mut body);
            body
        }
        _ => {
            let mut rest = Vec::new();
            let _ = reader.read_to_end(&mut rest);
            if chunked { dechunk(&rest) } else { rest }
        }
    };
    Some(response)
}

/// Sends raw bytes on a fresh connection and reads the answer; `None` when the server
/// refused the connection or closed it without an answer.
pub fn exchange(addr: SocketAddr, raw: &[u8]) -> Option<Response> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    // The server may answer (e.g. 413) and close before reading the whole request.
    let _ = stream.write_all(raw);
    read_response(&mut BufReader::new(stream), Framing::UntilClose)
}

/// Sends one request on a fresh connection and reads the whole answer, which must keep
/// the OpenAPI document ([`super::contract::check`]).
pub fn send_to(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    try_send_to(addr, method, path, headers, body).expect("a complete response")
}

/// [`send_to`] for a server that may be gone (killed, restarting): `None` when no answer
/// came, or only part of one.
pub fn try_send_to(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<Response> {
    let mut raw = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || matches!(method, "POST" | "PATCH" | "PUT") {
        raw.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    raw.push_str("\r\n");
    let mut raw = raw.into_bytes();
    raw.extend_from_slice(body);
    let response = exchange(addr, &raw)?;
    if method != "HEAD" && is_truncated(&response) {
        return None;
    }
    super::contract::check(method, path, &response);
    Some(response)
}

/// Whether the body is shorter than its `Content-Length`: the server went away (killed,
/// say) between writing the head and the end of the body, so there is no answer to judge.
fn is_truncated(response: &Response) -> bool {
    response
        .header("Content-Length")
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|length| response.body.len() < length)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&data[..end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            return out;
        }
        let start = end + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
}
