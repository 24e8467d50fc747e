//! Hostile input on every `/api/v1` route (review-api.md §2, §12): malformed and
//! wrongly typed JSON, odd paths, queries, methods and headers, and broken decisions
//! for each game. Whatever a client sends, the answer is never a 5xx, every answer but
//! a 204 is a JSON body (errors with a string `error` and the `code` of their status),
//! and what was stored before reads back unchanged, also after a restart.
//!
//! The cases are fixed lists plus values made by a xorshift generator with a fixed seed,
//! so every run sends the same requests. Failures are collected and reported together.
//!
//! Regression cases of bugs this battery found: numbers in a payload read back exactly
//! as sent (the default serde_json float parser was one unit in the last place off),
//! callback and hook URLs the deliverer cannot send to are a 422, and absolute-form
//! request targets (`GET http://host/api/v1/me`) reach their route.

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use common::{KEY, Response, TestServer, User};
use loop_engine::clock::{ManualClock, Timestamp};
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------------------
// Deterministic generator
// ---------------------------------------------------------------------------------------

/// xorshift64*: small, fast and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }

    /// One of `items`.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A string of up to `max` characters drawn from an alphabet of troublemakers.
    fn string(&mut self, max: usize) -> String {
        const ALPHABET: [char; 24] = [
            'a', 'Z', '0', ' ', '"', '\\', '/', '\u{0}', '\u{1}', '\u{1f}', '\u{7f}', '\n', '\t',
            'é', 'ß', '✓', '😀', '\u{202e}', '\u{feff}', '\u{fffd}', '%', '&', '=', '{',
        ];
        let len = self.below(max + 1);
        (0..len).map(|_| *self.pick(&ALPHABET)).collect()
    }

    /// A JSON value of any type, nested at most `depth` levels.
    fn value(&mut self, depth: usize) -> Value {
        match self.below(if depth == 0 { 6 } else { 8 }) {
            0 => Value::Null,
            1 => Value::Bool(self.below(2) == 0),
            2 => json!(i64::try_from(self.next() >> 1).unwrap_or(0) - (1 << 62)),
            3 => json!(f64::from(u32::try_from(self.next() >> 40).unwrap_or(0)) / 7.0),
            4 | 5 => Value::String(self.string(12)),
            6 => Value::Array((0..self.below(4)).map(|_| self.value(depth - 1)).collect()),
            _ => Value::Object(
                (0..self.below(4))
                    .map(|_| (self.string(6), self.value(depth - 1)))
                    .collect(),
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Raw HTTP: requests the helpers of `common` cannot send, answers that may be missing
// ---------------------------------------------------------------------------------------

/// One request exactly as it goes on the wire (header values may be any bytes).
#[derive(Clone, Debug)]
struct Req {
    method: String,
    target: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Req {
    fn new(method: &str, target: &str) -> Self {
        Self {
            method: method.to_owned(),
            target: target.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.headers
            .push((name.to_owned(), value.as_ref().to_vec()));
        self
    }

    /// Drops every header called `name`.
    fn without(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    fn body(mut self, body: impl AsRef<[u8]>) -> Self {
        self.body = body.as_ref().to_vec();
        self
    }

    fn to_bytes(&self, addr: SocketAddr) -> Vec<u8> {
        let mut out = format!(
            "{} {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n",
            self.method, self.target
        )
        .into_bytes();
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        let sends_length = !self.body.is_empty()
            || matches!(self.method.as_str(), "POST" | "PUT" | "PATCH")
                && !self
                    .headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case("Transfer-Encoding"));
        if sends_length {
            out.extend_from_slice(format!("Content-Length: {}\r\n", self.body.len()).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }

    /// `METHOD target` shortened for messages.
    fn describe(&self) -> String {
        format!("{} {}", self.method, clip(&self.target, 90))
    }
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!(
            "{}…({} chars)",
            text.chars().take(max).collect::<String>(),
            text.chars().count()
        )
    }
}

/// Sends raw bytes on a fresh connection; `None` when the server closed it without an
/// answer.
fn exchange(addr: SocketAddr, raw: &[u8]) -> Option<Response> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    // The server may answer (e.g. 413) and close before reading the whole request.
    let _ = stream.write_all(raw);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    parse_answer(&answer)
}

fn parse_answer(raw: &[u8]) -> Option<Response> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Some(Response {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    })
}

// ---------------------------------------------------------------------------------------
// The rules every answer must keep
// ---------------------------------------------------------------------------------------

/// The largest request head the server reads (`LOOP_MAX_HEAD_BYTES`' default): a header
/// value longer than this is answered 431 before any route sees it.
const HEAD_LIMIT: usize = loop_engine::config::DEFAULT_MAX_HEAD_BYTES;

/// The error `code` of each status the review API may answer with (§12).
fn code_of(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "invalid_json",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        422 => "validation_failed",
        429 => "rate_limited",
        // A request head over the server's limit (16 KiB), refused before routing.
        431 => "headers_too_large",
        _ => return None,
    })
}

/// Sends requests and records every broken rule instead of stopping at the first.
struct Probe {
    addr: SocketAddr,
    sent: usize,
    failures: Vec<String>,
}

impl Probe {
    fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            sent: 0,
            failures: Vec::new(),
        }
    }

    fn fail(&mut self, req: &Req, what: &str, problem: String) {
        self.failures
            .push(format!("{} [{what}]: {problem}", req.describe()));
    }

    /// Sends `req` and checks the rules of §2 and §12; then, if `expect` is not empty,
    /// that the status is one of `expect`.
    fn check(&mut self, what: &str, req: &Req, expect: &[u16]) -> Option<Response> {
        let answer = exchange(self.addr, &req.to_bytes(self.addr));
        self.verify(what, req, answer, expect)
    }

    /// The checks of [`Probe::check`] on an answer already received.
    fn verify(
        &mut self,
        what: &str,
        req: &Req,
        answer: Option<Response>,
        expect: &[u16],
    ) -> Option<Response> {
        self.sent += 1;
        let Some(response) = answer else {
            self.fail(req, what, "no answer (connection closed)".to_owned());
            return None;
        };
        let status = response.status;
        let text = clip(&response.text(), 200);
        if status >= 500 {
            self.fail(req, what, format!("answered {status}: {text}"));
            return Some(response);
        }
        if !expect.is_empty() && !expect.contains(&status) {
            self.fail(
                req,
                what,
                format!("answered {status}, expected {expect:?}: {text}"),
            );
        }
        if req.method == "HEAD" {
            return Some(response);
        }
        if status == 204 {
            if !response.body.is_empty() {
                self.fail(req, what, format!("204 with a body: {text}"));
            }
            return Some(response);
        }
        let json_type = response
            .header("Content-Type")
            .is_some_and(|t| t.starts_with("application/json"));
        if !json_type {
            self.fail(
                req,
                what,
                format!("{status} without a JSON Content-Type: {text}"),
            );
        }
        let Ok(body) = serde_json::from_slice::<Value>(&response.body) else {
            self.fail(
                req,
                what,
                format!("{status} with a body that is not JSON: {text}"),
            );
            return Some(response);
        };
        if status >= 400 {
            let wanted = code_of(status);
            if wanted.is_none() {
                self.fail(
                    req,
                    what,
                    format!("unexpected error status {status}: {text}"),
                );
            }
            if !body["error"].is_string() || body["code"].as_str() != wanted {
                self.fail(
                    req,
                    what,
                    format!("{status} without a string error and code {wanted:?}: {text}"),
                );
            }
            if status == 405 && response.header("Allow").is_none() {
                self.fail(req, what, "405 without Allow".to_owned());
            }
            if status == 401 && response.header("WWW-Authenticate").is_none() {
                self.fail(req, what, "401 without WWW-Authenticate".to_owned());
            }
        }
        Some(response)
    }

    /// Like [`Probe::check`], returning the JSON body of an answer with status `status`.
    fn expect_json(&mut self, what: &str, req: &Req, status: u16) -> Value {
        self.check(what, req, &[status])
            .filter(|r| r.status == status)
            .and_then(|r| serde_json::from_slice(&r.body).ok())
            .unwrap_or(Value::Null)
    }

    fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "{} of {} requests broke the rules:\n{}",
            self.failures.len(),
            self.sent,
            self.failures.join("\n")
        );
    }
}

// ---------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------

/// What a raw JSON value is, to tell which answers are right for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Not JSON (or too deep to read): 400 wherever a body is read.
    Unreadable,
    /// `null` or `""`: an absent optional field.
    Absent,
    Str,
    Number,
    Bool,
    Array,
    Object,
}

/// A value as raw JSON text, since some (`1e400`, `"\ud800"`) have no `Value`.
#[derive(Clone, Debug)]
struct Hostile {
    raw: String,
    class: Class,
}

/// How deep `raw` nests arrays and objects (outside strings).
fn nesting(raw: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0_usize, 0, false, false);
    for c in raw.chars() {
        match (in_string, c) {
            (true, _) if escaped => escaped = false,
            (true, '\\') => escaped = true,
            (_, '"') => in_string = !in_string,
            (false, '[' | '{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

fn classify(value: &Value) -> Class {
    match value {
        Value::Null => Class::Absent,
        Value::String(s) if s.is_empty() => Class::Absent,
        Value::String(_) => Class::Str,
        Value::Number(_) => Class::Number,
        Value::Bool(_) => Class::Bool,
        Value::Array(_) => Class::Array,
        Value::Object(_) => Class::Object,
    }
}

/// The fixed list of hostile field values, then `generated` values from the generator.
fn hostile_values(rng: &mut Rng, generated: usize) -> Vec<Hostile> {
    use Class::*;
    let long = format!("\"{}\"", "x".repeat(100_000));
    let deep = format!("{}{}", "[".repeat(150), "]".repeat(150));
    // As deep as a body may nest where the field sits at the top (100 levels in all).
    let deepest = format!("{}{}", "[".repeat(99), "]".repeat(99));
    let mut values: Vec<Hostile> = [
        ("0", Number),
        ("-1", Number),
        ("-0", Number),
        ("1.5", Number),
        ("600.0", Number),
        ("1e308", Number),
        ("-1e308", Number),
        ("1e400", Unreadable),
        ("-1e400", Unreadable),
        ("123456789012345678901234567890", Number),
        ("18446744073709551616", Number),
        ("9007199254740993", Number),
        ("true", Bool),
        ("false", Bool),
        ("null", Absent),
        ("\"\"", Absent),
        ("\"true\"", Str),
        ("\"false\"", Str),
        ("\"0\"", Str),
        ("\"-1\"", Str),
        ("\"600\"", Str),
        ("\"1e400\"", Str),
        ("[]", Array),
        ("[[[[]]]]", Array),
        ("[\"approve\",\"swiper\"]", Array),
        ("{}", Object),
        ("{\"a\":{\"b\":[1,{\"c\":null}]}}", Object),
        (long.as_str(), Str),
        ("\"a\\u0000b\"", Str),
        ("\"\\u0001\\u001f\\u007f\\u0085\"", Str),
        ("\"\\ud800\"", Unreadable),
        ("\"\\udc00\\ud800x\"", Unreadable),
        ("\"\\u12\"", Unreadable),
        ("\"a\u{1}b\"", Unreadable),
        ("\"😀\"", Str),
        ("\"\\ud83d\\ude00\"", Str),
        ("\" \"", Str),
        ("\"\\n\\t\\r\"", Str),
        ("\"approve \"", Str),
        ("\"APPROVE\"", Str),
        ("\"SWIPER\"", Str),
        ("\"\\u202e\\ufeff\"", Str),
        ("\"<script>alert(1)</script>\"", Str),
        ("\"' OR 1=1 --\"", Str),
        ("\"%00%ff../..\"", Str),
        (deep.as_str(), Unreadable),
        (deepest.as_str(), Array),
    ]
    .iter()
    .map(|(raw, class)| Hostile {
        raw: (*raw).to_owned(),
        class: *class,
    })
    .collect();
    for _ in 0..generated {
        let value = rng.value(3);
        values.push(Hostile {
            raw: value.to_string(),
            class: classify(&value),
        });
    }
    values
}

/// Bodies that are not a JSON object: 400 wherever a body is read.
fn malformed_bodies(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut bodies: Vec<Vec<u8>> = [
        "{",
        "}",
        "{\"a\":}",
        "{'a':1}",
        "{\"a\":1,}",
        "[1,2",
        "nul",
        "\"unterminated",
        "{\"a\":1} trailing",
        "{}{}",
        "\u{feff}{}",
        "\u{0}",
        "{\"a\":1e400}",
        "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"\u{1}\"}",
        "null",
        "[]",
        "[{}]",
        "\"x\"",
        "42",
        "true",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    bodies.push(vec![0xff, 0xfe, b'{', b'}']);
    bodies.push(b"{\"a\":\"\xff\xfe\"}".to_vec());
    bodies.push("[".repeat(100_000).into_bytes());
    bodies.push("{\"a\":".repeat(20_000).into_bytes());
    // A valid object with random bytes overwritten: mostly no longer JSON.
    let valid = br#"{"module":"swiper","payload":{"content":"hi"},"decision":"approve"}"#;
    for _ in 0..6 {
        let mut body = valid.to_vec();
        for _ in 0..3 {
            let at = rng.below(body.len());
            body[at] = *rng.pick(b"{}[]\",:\\\x00\xff");
        }
        if serde_json::from_slice::<Map<String, Value>>(&body).is_err() {
            bodies.push(body);
        }
    }
    bodies
}

/// Path segments that name nothing (already percent-encoded for the wire).
fn hostile_ids(real: &str) -> Vec<String> {
    let mut ids: Vec<String> = [
        "0",
        "-1",
        "null",
        "undefined",
        "true",
        "%00",
        "%2e%2e",
        "..",
        ".",
        "%2F",
        "a%2Fb",
        "%ff",
        "%",
        "%zz",
        "%25",
        "%C3%A9",
        "%F0%9F%98%80",
        "%E2%80%AE",
        "%ED%A0%80",
        "%EF%BF%BF",
        "'%20OR%201=1--",
        "*",
        "1e400",
        "99999999999999999999999999",
        "00000000-0000-0000-0000-000000000000",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    ids.push(real.to_uppercase());
    ids.push(format!("{real}x"));
    ids.push(format!("{real}%20"));
    ids.push(format!("%20{real}"));
    ids.push(format!("{real}%00"));
    ids.push("a".repeat(10_000));
    ids
}

// ---------------------------------------------------------------------------------------
// The world the requests run against
// ---------------------------------------------------------------------------------------

/// How a route authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Auth {
    Public,
    ProjectKey,
    Session,
    Manage,
}

/// What a body field must be, to know which wrong values get a 422.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Whatever is sent, only the general rules apply.
    Any,
    Str,
    /// One of these exact strings.
    Enum(&'static [&'static str]),
    Int,
    Bool,
    Object,
    Array,
}

impl Kind {
    /// The statuses `value` may get when sent as this field, or `None` when only the
    /// general rules apply.
    fn expect(self, value: &Hostile) -> Option<Vec<u16>> {
        use Class::*;
        if value.class == Unreadable {
            return Some(vec![400]);
        }
        let wrong = match (self, value.class) {
            (_, Absent) | (Kind::Any, _) => false,
            (Kind::Str, class) => class != Str,
            (Kind::Enum(allowed), Str) => {
                let text: Value = serde_json::from_str(&value.raw).unwrap_or(Value::Null);
                !allowed.contains(&text.as_str().unwrap_or_default())
            }
            (Kind::Enum(_), _) => true,
            (Kind::Int, class) => matches!(class, Bool | Array | Object),
            (Kind::Bool, class) => matches!(class, Number | Array | Object),
            (Kind::Object, class) => class != Object,
            (Kind::Array, class) => class != Array,
        };
        wrong.then(|| vec![422])
    }
}

/// One route of the table, as the battery drives it.
struct Case {
    method: &'static str,
    pattern: &'static str,
    auth: Auth,
    /// The path parameters' real values.
    params: Vec<(&'static str, String)>,
    /// The project key (ProjectKey routes).
    key: String,
    /// The session cookie (Session routes).
    cookie: String,
    /// A body the route accepts (or, for routes that must stay usable, a body it
    /// refuses for its content but reads completely).
    base: Option<Value>,
    /// Body fields and what they must be (dotted paths for nested fields).
    fields: Vec<(&'static str, Kind)>,
    /// Whether the route reads the body (malformed JSON → 400).
    reads_body: bool,
    /// Query parameters the route reads.
    query: Vec<&'static str>,
    /// Whether a valid request uses the target up (later ones then get 404 or 409).
    consumable: bool,
}

impl Case {
    fn path_with(&self, params: &[(&str, String)]) -> String {
        let mut path = self.pattern.to_owned();
        for (name, value) in params {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        path
    }

    fn path(&self) -> String {
        let params: Vec<(&str, String)> =
            self.params.iter().map(|(n, v)| (*n, v.clone())).collect();
        self.path_with(&params)
    }

    /// The request with valid credentials, `Content-Type: application/json` and the
    /// base body, to `target`.
    fn request_to(&self, method: &str, target: &str) -> Req {
        let mut req = Req::new(method, target).header("Content-Type", "application/json");
        req = match self.auth {
            Auth::Public => req,
            Auth::ProjectKey => req.header("Authorization", format!("Bearer {}", self.key)),
            Auth::Session => req.header("Cookie", &self.cookie),
            Auth::Manage => req.header("Authorization", format!("Bearer {KEY}")),
        };
        match &self.base {
            Some(body) => req.body(body.to_string()),
            None => req,
        }
    }

    fn request(&self) -> Req {
        self.request_to(self.method, &self.path())
    }

    /// Statuses allowed besides the expected ones once the target may be used up.
    fn used_up(&self) -> &'static [u16] {
        match (self.consumable, self.auth) {
            (false, _) => &[],
            // A route that ends its session (logout) leaves it signed out.
            (true, Auth::Session) => &[401, 404, 409],
            (true, _) => &[404, 409],
        }
    }

    fn expecting(&self, statuses: &[u16]) -> Vec<u16> {
        let mut all = statuses.to_vec();
        all.extend_from_slice(self.used_up());
        all
    }
}

/// The base body with `field` (a dotted path) replaced by the raw JSON `raw`.
fn body_with(base: &Value, field: &str, raw: &str) -> Vec<u8> {
    const MARK: &str = "__hostile_value_goes_here__";
    let mut body = base.clone();
    let mut at = &mut body;
    let parts: Vec<&str> = field.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if !at.is_object() {
            *at = json!({});
        }
        let object = at.as_object_mut().expect("an object");
        if i + 1 == parts.len() {
            object.insert((*part).to_owned(), json!(MARK));
            break;
        }
        at = object
            .entry((*part).to_owned())
            .or_insert_with(|| json!({}));
    }
    body.to_string()
        .replace(&format!("\"{MARK}\""), raw)
        .into_bytes()
}

/// Everything the battery needs: the server, its projects, keys and people.
struct World {
    server: TestServer,
    /// The server's clock, moved on only to let gate tasks time out.
    clock: Arc<ManualClock>,
    /// The ingest project (no reviewers) and its key.
    project_p: String,
    key_p: String,
    /// The review project (the reviewers work here) and its key.
    project_q: String,
    key_q: String,
    /// A scratch project for key, secret and membership changes.
    project_s: String,
    reviewer: User,
    reviewer2: User,
    viewer: User,
    admin: User,
}

impl World {
    fn new() -> Self {
        let clock = Arc::new(ManualClock::new(Timestamp::from_unix_millis(
            1_800_000_000_000,
        )));
        let server = TestServer::start_with_clock(
            |config| {
                config.rate_limit.requests_per_key = 1_000_000;
                config.rate_limit.failed_auths_per_address = 1_000_000;
            },
            clock.clone(),
        );
        let (project_p, key_p) = server.review_project("Ingest");
        let (project_q, key_q) = server.review_project("Review");
        let (project_s, _) = server.review_project("Scratch");
        let reviewer = server.user("rita@example.com", "reviewer");
        let reviewer2 = server.user("rolf@example.com", "reviewer");
        let viewer = server.user("vera@example.com", "viewer");
        let admin = server.user("adam@example.com", "admin");
        server.add_reviewer(&project_q, &reviewer);
        server.add_reviewer(&project_q, &reviewer2);
        server.add_reviewer(&project_q, &viewer);
        Self {
            server,
            clock,
            project_p,
            key_p,
            project_q,
            key_q,
            project_s,
            reviewer,
            reviewer2,
            viewer,
            admin,
        }
    }

    fn addr(&self) -> SocketAddr {
        self.server.running().addr()
    }

    /// A task in the review project, for `module`, whose verdict goes nowhere useful.
    fn review_task(&self, body: Value) -> String {
        let mut body = body;
        body["callback_url"] = json!("http://127.0.0.1:9/verdict");
        self.server.task(&self.key_q, body)["id"]
            .as_str()
            .expect("task id")
            .to_owned()
    }

    /// `user` takes the next card of `module`.
    fn card(&self, user: &User, module: &str) -> (String, Value) {
        let response = self.server.as_user(
            user,
            "POST",
            "/api/v1/review/next",
            Some(json!({"modules": [module]})),
        );
        assert_eq!(response.status, 200, "next {module}: {}", response.text());
        let body = response.json();
        (
            body["assignment_id"]
                .as_str()
                .expect("assignment")
                .to_owned(),
            body["task"].clone(),
        )
    }

    /// A task as its project reads it.
    fn read_task(&self, key: &str, id: &str) -> Value {
        let response = self
            .server
            .review(key, "GET", &format!("/api/v1/tasks/{id}"), None);
        assert_eq!(response.status, 200, "{}", response.text());
        response.json()
    }

    /// A fresh session of `email` (for routes that end sessions).
    fn cookie(&self, email: &str) -> String {
        self.server.login(email, common::PASSWORD)
    }

    /// A user made only to be changed or removed.
    fn victim(&self, email: &str) -> String {
        let response = self.server.post(
            "/api/v1/users",
            json!({"email": email, "password": "password-123", "role": "reviewer"}),
        );
        assert_eq!(response.status, 201, "{}", response.text());
        response.json()["id"].as_str().expect("id").to_owned()
    }
}

// ---------------------------------------------------------------------------------------
// Stored data that must survive
// ---------------------------------------------------------------------------------------

/// What is read back to prove nothing stored was lost or changed.
#[derive(Debug, PartialEq)]
struct Snapshot {
    keeper: Value,
    keeper_by_external_id: Value,
    decided: Vec<Value>,
    hook: Value,
    keys: Vec<Value>,
    secret: Value,
    reviewers: Vec<Value>,
    users: Vec<Value>,
}

fn snapshot(world: &World, keeper: &str, hook: &str, decided: &[String]) -> Snapshot {
    let server = &world.server;
    let hooks = server
        .review(&world.key_p, "GET", "/api/v1/hooks", None)
        .json();
    let hook = hooks
        .as_array()
        .and_then(|all| all.iter().find(|h| h["id"] == hook).cloned())
        .unwrap_or(Value::Null);
    let keys = server
        .get(&format!("/api/v1/projects/{}/keys", world.project_p))
        .json()
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        // `last_used_at` moves whenever the key is used.
        .map(|k| {
            json!([
                k["id"],
                k["name"],
                k["prefix"],
                k["created_at"],
                k["revoked_at"]
            ])
        })
        .collect();
    let reviewers = server
        .get(&format!("/api/v1/projects/{}/reviewers", world.project_q))
        .json()
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|r| r["user"].clone())
        .collect();
    let people: BTreeSet<&str> = [
        &world.reviewer,
        &world.reviewer2,
        &world.viewer,
        &world.admin,
    ]
    .iter()
    .map(|u| u.id.as_str())
    .collect();
    let users = server
        .get("/api/v1/users")
        .json()
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|u| u["id"].as_str().is_some_and(|id| people.contains(id)))
        .collect();
    let by_external_id = server
        .review(
            &world.key_p,
            "GET",
            "/api/v1/tasks?external_id=keeper%20%F0%9F%98%80&limit=100",
            None,
        )
        .json();
    Snapshot {
        keeper: world.read_task(&world.key_p, keeper),
        keeper_by_external_id: by_external_id,
        decided: decided
            .iter()
            .map(|id| world.read_task(&world.key_q, id))
            .collect(),
        hook,
        keys,
        secret: server
            .get(&format!(
                "/api/v1/projects/{}/signing-secret",
                world.project_p
            ))
            .json(),
        reviewers,
        users,
    }
}

/// The task stored first, whose every odd character must read back as sent.
fn keeper_body() -> Value {
    json!({
        "module": "swiper",
        "payload": {
            "content": "keeper 😀 \u{0} \u{1} \"quotes\" \\ back \u{202e} ✓",
            "nested": {"deep": [1, 2.5, -0.0, 1e300, "x", null, {"k": [true]}]},
            // Doubles the default serde_json parser reads one unit in the last place off.
            "floats": [954_580.714_285_714_3, 470_639.142_857_142_84, 0.1, 5e-324, 1.797_693_134_862_315_7e308],
            "big": 12_345_678_901_234_567_890_u64
        },
        "card": {"title": "Keeper ✓", "fields": [{"label": "A", "value": null, "highlight": true}]},
        "source": "keeper",
        "external_id": "keeper 😀",
        "mode": "monitor"
    })
}

// ---------------------------------------------------------------------------------------
// The batteries
// ---------------------------------------------------------------------------------------

const METHODS: [&str; 12] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "FOO", "get",
    "M-SEARCH",
];

/// Every hostile request for one route.
fn battery(probe: &mut Probe, world: &World, case: &Case, rng: &mut Rng, values: &[Hostile]) {
    let path = case.path();
    let baseline = probe
        .check("baseline", &case.request(), &[])
        .map_or(0, |r| r.status);
    let ok = |status: u16| (200..300).contains(&status);

    // Methods the path does not have.
    let table = loop_engine::api::router();
    let allowed: Vec<&str> = table
        .routes()
        .iter()
        .filter(|r| r.pattern == case.pattern)
        .map(|r| r.method.as_str())
        .collect();
    if case.method == "GET" {
        let expect = if case.consumable {
            vec![]
        } else {
            vec![baseline]
        };
        let head = probe.check("HEAD", &case.request_to("HEAD", &path), &expect);
        if head.is_some_and(|r| !r.body.is_empty()) {
            probe.fail(&case.request_to("HEAD", &path), "HEAD", "a body".to_owned());
        }
    }
    for method in METHODS {
        if allowed.contains(&method) || method == "HEAD" && allowed.contains(&"GET") {
            continue;
        }
        let expect: &[u16] = if method == "OPTIONS" { &[204] } else { &[405] };
        probe.check("wrong method", &case.request_to(method, &path), expect);
    }

    // Credentials.
    auth_battery(probe, world, case);

    // Path parameters.
    for (name, real) in &case.params {
        for id in hostile_ids(real) {
            let params: Vec<(&str, String)> = case
                .params
                .iter()
                .map(|(n, v)| (*n, if n == name { id.clone() } else { v.clone() }))
                .collect();
            let target = case.path_with(&params);
            probe.check(
                &format!("{name} = {}", clip(&id, 30)),
                &case.request_to(case.method, &target),
                &case.expecting(&[404]),
            );
        }
        // Segments that change the shape of the path: only the general rules.
        for odd in ["", "a/b", "../..", "%2e%2e/%2e%2e", "x?y=1", "x#frag"] {
            let params: Vec<(&str, String)> = case
                .params
                .iter()
                .map(|(n, v)| (*n, if n == name { odd.to_owned() } else { v.clone() }))
                .collect();
            probe.check(
                &format!("{name} = {odd:?}"),
                &case.request_to(case.method, &case.path_with(&params)),
                &[],
            );
        }
    }
    for target in [
        format!("{path}/"),
        format!("{path}//"),
        format!("{path}/."),
        format!("{path}/x"),
        path.replacen("/api/v1/", "/api/v1//", 1),
        path.replacen("/api/v1/", "/api/v1/./", 1),
        path.replacen("/api/v1/", "/api/v1/%2e%2e/v1/", 1),
        format!("{path}?"),
        format!("{path}#fragment"),
    ] {
        probe.check("odd path", &case.request_to(case.method, &target), &[]);
    }
    // The absolute form proxies send (RFC 9112 §3.2.2) reaches the same route.
    let absolute = case.request_to(case.method, &format!("http://localhost:4242{path}"));
    let same: Vec<u16> = if ok(baseline) && !case.consumable && case.method == "GET" {
        vec![baseline]
    } else {
        vec![]
    };
    let answer = probe.check("absolute-form target", &absolute, &same);
    if answer.is_some_and(|r| r.status == 404) && baseline != 404 && !case.consumable {
        probe.fail(&absolute, "absolute-form target", "not routed".to_owned());
    }

    // Query strings.
    let mut names = case.query.clone();
    names.push("unknown");
    let values_of_query = [
        "",
        "%00",
        "%ff",
        "-1",
        "0",
        "1",
        "101",
        "1.5",
        "1e2",
        "abc",
        "%F0%9F%98%80",
        "+1",
        "%201",
        "0x10",
        "99999999999999999999",
        "-9223372036854775809",
        "9223372036854775807",
        "2026-13-01T00:00:00Z",
        "2026-02-30T00:00:00Z",
        "2026-01-01",
        "2026-01-01T00:00:00",
        "2026-01-01T24:00:00Z",
        "9999-12-31T23:59:60Z",
        "0000-01-01T00:00:00Z",
        "2026-01-01T00:00:00%2B99:99",
        "2026-01-01T00:00:00.1234567891234Z",
        "pending",
        "swiper",
        "null",
    ];
    // Only list routes read their query: elsewhere a few values are enough.
    let values_of_query = if case.method == "GET" {
        &values_of_query[..]
    } else {
        &values_of_query[..4]
    };
    for name in &names {
        for value in values_of_query {
            let target = format!("{path}?{name}={value}");
            probe.check(
                &format!("query {name}={value}"),
                &case.request_to(case.method, &target),
                &[],
            );
        }
        let long = format!("{path}?{name}={}", "9".repeat(5000));
        probe.check("long query", &case.request_to(case.method, &long), &[]);
        let repeated = format!("{path}?{name}=1&{name}=2");
        let expect: Vec<u16> = if case.query.contains(name) && !case.consumable {
            vec![422]
        } else {
            vec![]
        };
        probe.check(
            "repeated query parameter",
            &case.request_to(case.method, &repeated),
            &expect,
        );
        let random: String = (0..rng.below(20))
            .map(|_| *rng.pick(&["%", "&", "=", "a", "1", "-", "+", "%2", "%C3", ";", "?"]))
            .collect();
        probe.check(
            "random query",
            &case.request_to(case.method, &format!("{path}?{name}={random}")),
            &[],
        );
    }
    for query in [
        "?&&&",
        "?=x",
        "?==",
        "?limit",
        "?limit;limit=2",
        "?%zz=1",
        "??limit=1",
    ] {
        probe.check(
            "odd query",
            &case.request_to(case.method, &format!("{path}{query}")),
            &[],
        );
    }

    // Bodies.
    let body_expect = |case: &Case| -> Vec<u16> {
        if case.reads_body {
            case.expecting(&[400])
        } else {
            vec![]
        }
    };
    for body in malformed_bodies(rng) {
        let req = case.request().body(&body);
        probe.check(
            &format!(
                "malformed body {}",
                clip(&String::from_utf8_lossy(&body), 30)
            ),
            &req,
            &body_expect(case),
        );
    }
    let too_large = case.request().body(vec![b' '; 1024 * 1024 + 1]);
    probe.check("body over 1 MiB", &too_large, &[413]);
    let blank = case.request().body(vec![b' '; 1024 * 1024]);
    probe.check("1 MiB of blanks", &blank, &[]);
    if let Some(base) = &case.base {
        for (field, kind) in &case.fields {
            for value in values {
                let body = body_with(base, field, &value.raw);
                // The body's own levels count towards the 100 a body may nest.
                let too_deep = nesting(&value.raw) + field.split('.').count() > 100;
                let expect = if too_deep {
                    vec![400]
                } else {
                    kind.expect(value)
                        .map(|statuses| case.expecting(&statuses))
                        .unwrap_or_default()
                };
                probe.check(
                    &format!("{field} = {}", clip(&value.raw, 40)),
                    &case.request().body(body),
                    &expect,
                );
            }
        }
        for value in values
            .iter()
            .filter(|v| v.class != Class::Unreadable)
            .take(12)
        {
            let body = body_with(base, "unknown_field", &value.raw);
            probe.check(
                &format!("unknown_field = {}", clip(&value.raw, 40)),
                &case.request().body(body),
                &[],
            );
        }
    }

    // Content types: state-changing session requests must declare JSON (a CSRF guard).
    let session_write =
        matches!(case.auth, Auth::Session | Auth::Manage) && !matches!(case.method, "GET" | "HEAD");
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some(""),
        Some("json"),
        Some("application/json; charset=utf-8"),
        Some(" APPLICATION/JSON"),
        Some("application/json\u{1}"),
    ] {
        let mut req = case.request().without("Content-Type");
        if let Some(value) = content_type {
            req = req.header("Content-Type", value);
        }
        let refused = session_write
            && !content_type.is_some_and(|t| {
                t.trim()
                    .to_ascii_lowercase()
                    .starts_with("application/json")
            });
        let expect = if refused && case.auth == Auth::Session {
            case.expecting(&[403])
        } else {
            Vec::new()
        };
        probe.check(&format!("Content-Type {content_type:?}"), &req, &expect);
        if refused {
            // The same with a signed-in admin instead of an admin key.
            let as_admin = req
                .without("Authorization")
                .without("Cookie")
                .header("Cookie", &world.admin.cookie);
            probe.check("session without JSON Content-Type", &as_admin, &[403]);
        }
    }

    // A baseline that succeeded still succeeds (nothing above broke the route).
    if ok(baseline) && !case.consumable && case.method == "GET" {
        probe.check("baseline again", &case.request(), &[baseline]);
    }
}

/// Credentials: missing, malformed, of the wrong kind, or odd but valid.
fn auth_battery(probe: &mut Probe, world: &World, case: &Case) {
    let bare = case.request().without("Authorization").without("Cookie");
    let valid_key = match case.auth {
        Auth::ProjectKey => case.key.clone(),
        _ => KEY.to_owned(),
    };
    let refused: &[u16] = match case.auth {
        Auth::Public => &[],
        _ => &[401],
    };
    probe.check("no credentials", &bare, refused);
    let long = "a".repeat(100_000);
    let bad_headers = [
        String::new(),
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        "Bearer    ".to_owned(),
        format!("Bearer {valid_key} extra"),
        format!("Basic {valid_key}"),
        format!("Token {valid_key}"),
        valid_key.clone(),
        format!("Bearer {valid_key}\u{1}"),
        format!("Bearer \u{0}{valid_key}"),
        format!("Bearer {}", valid_key.to_uppercase()),
        format!("Bearer {}", &valid_key[..valid_key.len() - 1]),
        format!("Bearer {long}"),
        "Bearer lq_".to_owned(),
        "Bearer loop_".to_owned(),
        format!("Bearer {valid_key}\t{valid_key}"),
    ];
    let session_only = case.auth == Auth::Session;
    for header in &bad_headers {
        let req = bare.clone().header("Authorization", header);
        probe.check(
            &format!("Authorization {}", clip(header, 30)),
            &req,
            if header.len() > HEAD_LIMIT {
                &[431]
            } else if session_only || case.auth == Auth::Public {
                refused
            } else {
                &[401]
            },
        );
    }
    // The wrong kind of key.
    let wrong_key = match case.auth {
        Auth::ProjectKey => KEY.to_owned(),
        _ => world.key_p.clone(),
    };
    if case.auth != Auth::Public {
        let req = bare
            .clone()
            .header("Authorization", format!("Bearer {wrong_key}"));
        probe.check("the wrong kind of key", &req, &[401]);
    }
    // Leniently valid forms: scheme in any case, padding.
    if matches!(case.auth, Auth::ProjectKey | Auth::Manage) {
        for header in [
            format!("bearer {valid_key}"),
            format!("BEARER   {valid_key}  "),
        ] {
            let req = bare.clone().header("Authorization", &header);
            let status = probe
                .check("lenient Authorization", &req, &[])
                .map(|r| r.status);
            if matches!(status, Some(401 | 403)) {
                probe.fail(
                    &req,
                    "lenient Authorization",
                    format!("refused: {status:?}"),
                );
            }
        }
        // Two Authorization headers: the first counts.
        let req = bare
            .clone()
            .header("Authorization", format!("Bearer {valid_key}"))
            .header("Authorization", "Bearer nope");
        probe.check("two Authorization headers", &req, &[]);
    }
    // Cookies.
    let cookie = match case.auth {
        Auth::Session => case.cookie.clone(),
        _ => world.admin.cookie.clone(),
    };
    let token = cookie.trim_start_matches("loop_session=").to_owned();
    let bad_cookies = [
        String::new(),
        "loop_session=".to_owned(),
        "loop_session".to_owned(),
        "loop_session=junk".to_owned(),
        format!("LOOP_SESSION={token}"),
        format!("loop_session={}", token.to_uppercase()),
        format!("loop_session={token}x"),
        format!("loop_session=\u{1}{token}"),
        format!("loop_session=junk; loop_session={token}"),
        ";;;=;=".to_owned(),
        format!("loop_session={}", "f".repeat(100_000)),
        format!("other={token}"),
    ];
    if matches!(case.auth, Auth::Session | Auth::Manage) {
        for value in &bad_cookies {
            let req = bare.clone().header("Cookie", value);
            let expect: &[u16] = if value.len() > HEAD_LIMIT {
                &[431]
            } else {
                &[401]
            };
            probe.check(&format!("Cookie {}", clip(value, 30)), &req, expect);
        }
        for value in [
            format!("a=b; loop_session={token}"),
            format!("loop_session={token}; loop_session=junk"),
            format!("loop_session={token};;"),
        ] {
            if case.consumable && case.auth == Auth::Session {
                break;
            }
            let req = bare.clone().header("Cookie", &value);
            let status = probe
                .check("odd but valid Cookie", &req, &[])
                .map(|r| r.status);
            if status == Some(401) {
                probe.fail(&req, "odd but valid Cookie", "refused".to_owned());
            }
        }
    }
    match case.auth {
        Auth::Session => {
            // Keys are no sessions.
            for key in [KEY, world.key_q.as_str()] {
                let req = bare
                    .clone()
                    .header("Authorization", format!("Bearer {key}"));
                probe.check("a key instead of a session", &req, &[401]);
            }
            // Viewers may not review.
            if case.pattern.starts_with("/api/v1/review/") && case.method == "POST" {
                let req = bare.clone().header("Cookie", &world.viewer.cookie);
                probe.check("a viewer", &req, &[403]);
            }
        }
        Auth::Manage => {
            for user in [&world.reviewer2, &world.viewer] {
                let req = bare.clone().header("Cookie", &user.cookie);
                probe.check("a session without the admin role", &req, &[403]);
            }
            // A bad Authorization header is not rescued by a good cookie.
            let req = bare
                .clone()
                .header("Authorization", "Bearer nope")
                .header("Cookie", &world.admin.cookie);
            probe.check("bad key with an admin cookie", &req, &[401]);
        }
        Auth::ProjectKey => {
            let req = bare.clone().header("Cookie", &world.admin.cookie);
            probe.check("a session instead of a key", &req, &[401]);
        }
        Auth::Public => {}
    }
}

// ---------------------------------------------------------------------------------------
// Decisions per game
// ---------------------------------------------------------------------------------------

/// Decision bodies every game refuses (422).
fn broken_decisions_for_any_game() -> Vec<Value> {
    vec![
        json!({}),
        json!({"decision": null}),
        json!({"decision": ""}),
        json!({"decision": "APPROVE"}),
        json!({"decision": "approved"}),
        json!({"decision": 1}),
        json!({"decision": true}),
        json!({"decision": ["approve"]}),
        json!({"decision": {"approve": true}}),
        json!({"decision": "flag"}),
        json!({"decision": "flag", "reason": "   "}),
        json!({"decision": "flag", "reason": "\n\t"}),
        json!({"decision": "flag", "reason": "x".repeat(501)}),
        json!({"decision": "flag", "reason": 5}),
        json!({"decision": "flag", "reason": ["r"]}),
        json!({"decision": "flag", "reason": "r", "severity": "urgent"}),
        json!({"decision": "flag", "reason": "r", "severity": 2}),
        json!({"decision": "flag", "reason": "r", "severity": "HIGH"}),
        json!({"decision": "approve", "detail": [1]}),
        json!({"decision": "approve", "detail": "x"}),
        json!({"decision": "approve", "detail": 5}),
        json!({"decision": "approve", "detail": true}),
        json!({"decision": "approve", "choice": {"a": 1}}),
        json!({"decision": "approve", "choice": 1.5}),
        json!({"decision": "approve", "choice": "x".repeat(101)}),
        json!({"decision": "approve", "reason": "x".repeat(100_000)}),
        json!({"decision": "escalate", "reason": 7}),
    ]
}

/// Span lists that are out of range, reversed, overlapping or not numbers, for a text
/// of `length` characters; `label` is added to each span when given.
fn broken_spans(length: usize, label: Option<&str>, rng: &mut Rng) -> Vec<Value> {
    let n = length as u64;
    let mut lists = vec![
        json!([{"start": 0, "end": n + 1}]),
        json!([{"start": n, "end": n + 5}]),
        json!([{"start": 3, "end": 3}]),
        json!([{"start": 5, "end": 2}]),
        json!([{"start": -1, "end": 2}]),
        json!([{"start": 0, "end": -1}]),
        json!([{"start": 0.5, "end": 2}]),
        json!([{"start": 0, "end": 2.0000001}]),
        json!([{"start": "0", "end": "2"}]),
        json!([{"start": null, "end": 2}]),
        json!([{"start": true, "end": 2}]),
        json!([{"start": 0}]),
        json!([{"end": 2}]),
        json!([{"start": 0, "end": 1e20}]),
        json!([{"start": 0, "end": 18_446_744_073_709_551_615_u64}]),
        json!([{"start": 0, "end": 4}, {"start": 2, "end": 6}]),
        json!([{"start": 0, "end": 4}, {"start": 0, "end": 4}]),
        json!([{"start": 4, "end": 8}, {"start": 0, "end": 5}]),
        json!([[0, 4]]),
        json!([4]),
        json!([null]),
        json!(["0-4"]),
        json!({"start": 0, "end": 4}),
        json!("0-4"),
        json!(5),
    ];
    // Generated: random offsets broken in one of five ways.
    for _ in 0..12 {
        let a = rng.below(length.max(1)) as i64;
        let b = a + 1 + rng.below(3) as i64;
        let far = length as i64 + 1 + rng.below(1000) as i64;
        lists.push(match rng.below(5) {
            0 => json!([{"start": a, "end": far}]),
            1 => json!([{"start": b, "end": a}]),
            2 => json!([{"start": a, "end": b + 2}, {"start": b, "end": b + 3}]),
            3 => json!([{"start": -a - 1, "end": b}]),
            _ => json!([{"start": a as f64 + 0.25, "end": b}]),
        });
    }
    if let Some(label) = label {
        for list in &mut lists {
            if let Some(items) = list.as_array_mut() {
                for item in items.iter_mut().filter(|i| i.is_object()) {
                    item["label"] = json!(label);
                }
            }
        }
        // Valid offsets with broken labels.
        for bad in [
            json!("ssn"),
            json!("EMAIL"),
            json!("email "),
            json!(1),
            json!(null),
            json!(["email"]),
            json!(""),
        ] {
            lists.push(json!([{"start": 0, "end": 2, "label": bad}]));
        }
        lists.push(json!([{"start": 0, "end": 2}]));
    }
    lists
}

/// Takes a card of `module`, sends every broken decision (each must be refused without
/// using the lease up), then `valid`; returns the task id.
fn game(
    probe: &mut Probe,
    world: &World,
    module: &str,
    task: Value,
    broken: Vec<Value>,
    valid: Value,
) -> String {
    let task_id = world.review_task(task);
    let (assignment, _) = world.card(&world.reviewer, module);
    let target = format!("/api/v1/review/assignments/{assignment}/decision");
    let decide = |body: &[u8], cookie: &str| {
        Req::new("POST", &target)
            .header("Content-Type", "application/json")
            .header("Cookie", cookie)
            .body(body)
    };
    for body in broken {
        probe.check(
            &format!("{module} decision {}", clip(&body.to_string(), 60)),
            &decide(body.to_string().as_bytes(), &world.reviewer.cookie),
            &[422],
        );
    }
    for body in [&b"{"[..], b"[]", b"{\"decision\":\"approve\",}"] {
        probe.check(
            &format!("{module} malformed decision"),
            &decide(body, &world.reviewer.cookie),
            &[400],
        );
    }
    // Someone else's lease, and a viewer.
    let body = valid.to_string();
    probe.check(
        &format!("{module} decision on another reviewer's lease"),
        &decide(body.as_bytes(), &world.reviewer2.cookie),
        &[409],
    );
    probe.check(
        &format!("{module} decision by a viewer"),
        &decide(body.as_bytes(), &world.viewer.cookie),
        &[403],
    );
    probe.check(
        &format!("{module} valid decision after the broken ones"),
        &decide(body.as_bytes(), &world.reviewer.cookie),
        &[200],
    );
    probe.check(
        &format!("{module} second decision"),
        &decide(body.as_bytes(), &world.reviewer.cookie),
        &[409],
    );
    task_id
}

/// Every game gets broken decisions; the valid one that follows resolves the task as
/// it should. Returns the decided tasks and the id of an escalated one.
fn games(probe: &mut Probe, world: &World, rng: &mut Rng) -> (Vec<String>, String) {
    let common = broken_decisions_for_any_game();
    let with = |extra: Vec<Value>| common.iter().cloned().chain(extra).collect::<Vec<_>>();
    let mut decided = Vec::new();

    let reason = "nul \u{0} emoji 😀 ctrl \u{1} \u{202e}";
    let swiper = game(
        probe,
        world,
        "swiper",
        json!({"module": "swiper", "payload": {"content": "Refund £2,400 😀"}, "card": {"title": "Refund"}}),
        with(vec![]),
        json!({"decision": "flag", "reason": reason, "severity": "critical", "unknown": [1]}),
    );
    let task = world.read_task(&world.key_q, &swiper);
    assert_eq!(
        (
            &task["status"],
            &task["verdict"],
            &task["reason"],
            &task["detail"]
        ),
        (
            &json!("reviewed"),
            &json!(false),
            &json!(reason),
            &json!({"severity": "critical"})
        ),
        "{task}"
    );
    decided.push(swiper);

    let versus = game(
        probe,
        world,
        "versus",
        json!({"module": "versus", "payload": {"prompt": "p", "a": {"text": "A"}, "b": "B"}}),
        with(vec![
            json!({"decision": "approve"}),
            json!({"decision": "approve", "choice": "c"}),
            json!({"decision": "approve", "choice": "A"}),
            json!({"decision": "approve", "choice": "tie "}),
            json!({"decision": "approve", "choice": 1}),
            json!({"decision": "approve", "choice": ["a"]}),
            json!({"decision": "approve", "choice": ""}),
        ]),
        json!({"decision": "approve", "choice": "tie"}),
    );
    let task = world.read_task(&world.key_q, &versus);
    assert_eq!(
        (&task["verdict"], &task["choice"]),
        (&json!(true), &json!("tie"))
    );
    decided.push(versus);

    let sorter = game(
        probe,
        world,
        "sorter",
        json!({"module": "sorter", "payload": {"content": "x"}, "card": {"choices": ["Billing", "Bug", "Other"]}}),
        with(vec![
            json!({"decision": "approve"}),
            json!({"decision": "approve", "choice": "Refund"}),
            json!({"decision": "approve", "choice": "   "}),
            json!({"decision": "approve", "choice": 3}),
            json!({"decision": "approve", "choice": ["Bug"]}),
            json!({"decision": "approve", "choice": "Bug\u{0}"}),
        ]),
        json!({"decision": "approve", "choice": " bug "}),
    );
    let task = world.read_task(&world.key_q, &sorter);
    assert_eq!(
        (&task["verdict"], &task["choice"]),
        (&json!(true), &json!("Bug"))
    );
    decided.push(sorter);

    let text = "The sky is green. Water is wet. 😀 done";
    let length = text.chars().count();
    let detective_broken = broken_spans(length, None, rng)
        .into_iter()
        .map(|spans| json!({"decision": "flag", "reason": "r", "detail": {"spans": spans}}))
        .collect();
    let detective = game(
        probe,
        world,
        "detective",
        json!({"module": "detective", "payload": {"body": text}}),
        with(detective_broken),
        json!({"decision": "flag", "reason": "wrong colour", "detail": {"spans": [{"start": 11, "end": 16}]}}),
    );
    let task = world.read_task(&world.key_q, &detective);
    assert_eq!(
        (&task["verdict"], &task["choice"], &task["detail"]),
        (
            &json!(false),
            &json!("green"),
            &json!({"spans": [{"start": 11, "end": 16, "text": "green"}]})
        ),
        "{task}"
    );
    decided.push(detective);

    let fixer_broken = [
        json!([]),
        json!([{"value": "x"}]),
        json!([{"value": "x"}, {"value": 1}, {"value": 2}]),
        json!([{"value": {}}, {"value": 1}]),
        json!([{"value": "x"}, {"value": [1]}]),
        json!([{"value": {"nested": {"deep": 1}}}, {"value": 1}]),
        json!(["x", "y"]),
        json!([null, null]),
        json!([{"v": 1}, {"value": 2}]),
        json!([{"value": "x"}, 3]),
        json!({"value": "x"}),
        json!("x"),
        json!(5),
        json!(true),
    ]
    .into_iter()
    .map(|fields| json!({"decision": "approve", "detail": {"fields": fields}}))
    .collect();
    let fixer = game(
        probe,
        world,
        "fixer",
        json!({"module": "fixer", "payload": {"fields": [{"label": "Amount", "value": "£2,400"}, {"label": "Count", "value": 3, "key": "n"}]}}),
        with(fixer_broken),
        json!({"decision": "approve", "detail": {"fields": [{"value": "£2,500 \u{0}"}, {"value": 3}]}}),
    );
    let task = world.read_task(&world.key_q, &fixer);
    assert_eq!(
        (&task["choice"], &task["detail"]["fields"][0]["value"]),
        (&json!("corrected"), &json!("£2,500 \u{0}")),
        "{task}"
    );
    decided.push(fixer);

    let text = "Mail ana@example.com or call 555-0100 😀";
    let length = text.chars().count();
    let redact_broken = broken_spans(length, Some("email"), rng)
        .into_iter()
        .map(|spans| json!({"decision": "approve", "detail": {"spans": spans}}))
        .collect();
    let redact = game(
        probe,
        world,
        "redact",
        json!({"module": "redact", "payload": {"body": text}}),
        with(redact_broken),
        json!({"decision": "approve", "detail": {"spans": [{"start": 5, "end": 20, "label": "email"}]}}),
    );
    let task = world.read_task(&world.key_q, &redact);
    assert_eq!(
        (&task["choice"], &task["detail"]["redacted_text"]),
        (
            &json!("redacted"),
            &json!("Mail [REDACTED] or call 555-0100 😀")
        ),
        "{task}"
    );
    decided.push(redact);

    let escalated = game(
        probe,
        world,
        "grounding",
        json!({"module": "grounding", "payload": {"claim": "c", "source": "s"}}),
        with(vec![
            json!({"decision": "approve", "choice": "unsupported"}),
            json!({"decision": "flag", "reason": "r", "choice": "supported"}),
            json!({"decision": "flag", "reason": "r"}),
            json!({"decision": "flag", "reason": "r", "choice": "Contradicted"}),
            json!({"decision": "flag", "reason": "r", "choice": 7}),
            json!({"decision": "approve", "detail": {"evidence": 5}}),
            json!({"decision": "approve", "detail": {"evidence": ["q"]}}),
            json!({"decision": "approve", "detail": {"evidence": "x".repeat(2001)}}),
        ]),
        json!({"decision": "escalate", "reason": "unsure 😀"}),
    );
    let task = world.read_task(&world.key_q, &escalated);
    assert_eq!(task["status"], "escalated", "{task}");
    (decided, escalated)
}

/// An admin's resolution of an escalated task refuses what does not fit the game and
/// takes the valid one once.
fn resolution(probe: &mut Probe, world: &World, escalated: &str) {
    let target = format!("/api/v1/review/tasks/{escalated}/resolve");
    let resolve = |body: String| {
        Req::new("POST", &target)
            .header("Content-Type", "application/json")
            .header("Cookie", &world.admin.cookie)
            .body(body)
    };
    let mut broken = broken_decisions_for_any_game();
    broken.extend([
        json!({"decision": "escalate"}),
        json!({"decision": "approve", "choice": "contradicted"}),
        json!({"decision": "flag", "reason": "r"}),
        json!({"decision": "flag", "reason": "r", "choice": "supported"}),
        json!({"decision": "approve", "detail": {"evidence": 5}}),
    ]);
    for body in broken {
        probe.check(
            &format!("resolve {}", clip(&body.to_string(), 60)),
            &resolve(body.to_string()),
            &[422],
        );
    }
    let valid = json!({"decision": "flag", "reason": "wrong", "choice": "contradicted", "detail": {"evidence": "quote 😀 \u{0}"}});
    probe.check("valid resolve", &resolve(valid.to_string()), &[200]);
    probe.check("second resolve", &resolve(valid.to_string()), &[409]);
    let task = world.read_task(&world.key_q, escalated);
    assert_eq!(
        (
            &task["status"],
            &task["verdict"],
            &task["choice"],
            &task["detail"]
        ),
        (
            &json!("reviewed"),
            &json!(false),
            &json!("contradicted"),
            &json!({"evidence": "quote 😀 \u{0}"})
        ),
        "{task}"
    );
}

/// A value a client might send where a game looks for its text.
fn random_text(rng: &mut Rng) -> Value {
    match rng.below(5) {
        0 => json!(""),
        1 => rng.value(2),
        2 => json!({"text": rng.string(20)}),
        _ => json!(rng.string(40)),
    }
}

/// A task of `module` with a payload and card made by the generator: mostly accepted,
/// often odd (empty texts, duplicate buckets, fields of every type).
fn random_task(rng: &mut Rng, module: &str) -> Value {
    let mut payload = Map::new();
    for key in [
        "content", "body", "text", "claim", "source", "context", "prompt", "a", "b",
    ] {
        if rng.below(2) == 0 {
            payload.insert(key.to_owned(), random_text(rng));
        }
    }
    if rng.below(3) == 0 {
        let choices: Vec<Value> = (0..rng.below(5))
            .map(|_| match rng.below(4) {
                0 => json!("Same"),
                1 => rng.value(1),
                _ => json!(rng.string(8)),
            })
            .collect();
        payload.insert("choices".to_owned(), Value::Array(choices));
    }
    if rng.below(2) == 0 {
        let fields: Vec<Value> = (0..rng.below(4))
            .map(|_| match rng.below(4) {
                0 => rng.value(1),
                1 => json!({"label": rng.string(8), "value": rng.value(1), "key": rng.string(4)}),
                _ => json!({"label": rng.string(8), "value": rng.string(10)}),
            })
            .collect();
        payload.insert("fields".to_owned(), Value::Array(fields));
    }
    let mut task =
        json!({"module": module, "payload": payload, "reviews_required": 1 + rng.below(3)});
    if rng.below(2) == 0 {
        task["mode"] = json!("gate");
    }
    if rng.below(2) == 0 {
        let mut card = Map::new();
        if rng.below(2) == 0 {
            card.insert("title".to_owned(), json!(rng.string(10)));
        }
        if rng.below(3) == 0 {
            card.insert("body".to_owned(), json!(rng.string(30)));
        }
        if rng.below(2) == 0 {
            let n = 1 + rng.below(4);
            let choices: Vec<String> = (0..n).map(|i| format!("{i}{}", rng.string(6))).collect();
            card.insert("choices".to_owned(), json!(choices));
        }
        task["card"] = Value::Object(card);
    }
    if rng.below(7) == 0 {
        task["golden"] = json!(true);
        task["answer"] = rng
            .pick(&[
                json!(true),
                json!(false),
                json!("a"),
                json!("supported"),
                json!("contradicted"),
                json!("confirmed"),
                json!("redacted"),
                json!("Same"),
                json!({"verdict": false}),
                json!({"verdict": true, "choice": "tie"}),
            ])
            .clone();
    }
    task
}

/// Spans over a text of `length` characters, mostly inside it.
fn random_spans(rng: &mut Rng, length: usize, labelled: bool) -> Value {
    let spans: Vec<Value> = (0..rng.below(4))
        .map(|_| {
            let start = rng.below(length + 2);
            let end = start + rng.below(6);
            let mut span = json!({"start": start, "end": end});
            if labelled {
                span["label"] = json!(rng.pick(&["email", "name", "other", "card", "bogus"]));
            }
            span
        })
        .collect();
    Value::Array(spans)
}

/// A decision shaped after the card a reviewer was shown: valid often enough to reach
/// consensus, merging and scoring, wrong often enough to be refused.
fn random_decision(rng: &mut Rng, task: &Value) -> Value {
    let view = &task["view"];
    let decision = *rng.pick(&["approve", "approve", "flag", "flag", "escalate", "bogus"]);
    let mut body = json!({"decision": decision});
    if rng.below(4) > 0 {
        body["reason"] = json!(format!("r{}", rng.string(20)));
    }
    let buckets: Vec<Value> = view["choices"].as_array().cloned().unwrap_or_default();
    let mut choices = vec![
        Value::Null,
        json!("a"),
        json!("b"),
        json!("tie"),
        json!("supported"),
        json!("unsupported"),
        json!("contradicted"),
        json!(rng.string(10)),
    ];
    choices.extend(buckets);
    let choice = rng.pick(&choices).clone();
    if !choice.is_null() {
        body["choice"] = choice;
    }
    if rng.below(3) == 0 {
        body["severity"] = json!(rng.pick(&["low", "high", "critical", "bogus"]));
    }
    let length = view["text"].as_str().map_or(0, |t| t.chars().count());
    let fields = view["fields"].as_array().map_or(0, Vec::len);
    let labelled = task["module"] == "redact";
    match rng.below(4) {
        0 => {}
        1 => body["detail"] = json!({"spans": random_spans(rng, length, labelled)}),
        2 => {
            let count = fields + usize::from(rng.below(5) == 0);
            let values: Vec<Value> = (0..count)
                .map(|_| json!({"value": if rng.below(2) == 0 { rng.value(0) } else { json!(rng.string(6)) }}))
                .collect();
            body["detail"] = json!({"fields": values});
        }
        _ => body["detail"] = json!({"evidence": rng.string(30)}),
    }
    body
}

/// Random tasks of every game, decided by three reviewers with random decisions shaped
/// after what they were shown, so that consensus, merged spans and corrections, golden
/// scoring and admin resolutions all meet odd but accepted data. Every task then reads
/// back with the payload it was sent with.
fn random_games(probe: &mut Probe, world: &World, rng: &mut Rng) {
    let server = &world.server;
    let (project, key) = server.review_project("Games");
    let players: Vec<User> = (0..3)
        .map(|i| {
            let user = server.user(&format!("player{i}@example.com"), "reviewer");
            server.add_reviewer(&project, &user);
            user
        })
        .collect();
    let post = |target: &str, cookie: &str, body: String| {
        Req::new("POST", target)
            .header("Content-Type", "application/json")
            .header("Cookie", cookie)
            .body(body)
    };
    let mut created: Vec<(String, Value)> = Vec::new();
    for _ in 0..60 {
        let module = *rng.pick(MODULES);
        let task = random_task(rng, module);
        let req = Req::new("POST", "/api/v1/tasks")
            .header("Authorization", format!("Bearer {key}"))
            .header("Content-Type", "application/json")
            .body(task.to_string());
        if let Some(response) = probe.check(&format!("random {module} task"), &req, &[201, 422])
            && response.status == 201
            && let Ok(body) = serde_json::from_slice::<Value>(&response.body)
        {
            let id = body["id"].as_str().unwrap_or_default().to_owned();
            created.push((id, task["payload"].clone()));
        }
        for player in &players {
            let next = post(
                "/api/v1/review/next",
                &player.cookie,
                json!({"project_id": project}).to_string(),
            );
            let Some(card) = probe.check("random next", &next, &[200, 204]) else {
                continue;
            };
            let Ok(card) = serde_json::from_slice::<Value>(&card.body) else {
                continue;
            };
            let assignment = card["assignment_id"].as_str().unwrap_or_default();
            let decision = random_decision(rng, &card["task"]);
            let decided = probe.check(
                &format!("random decision {}", clip(&decision.to_string(), 80)),
                &post(
                    &format!("/api/v1/review/assignments/{assignment}/decision"),
                    &player.cookie,
                    decision.to_string(),
                ),
                &[200, 422],
            );
            if decided.is_none_or(|r| r.status != 200) {
                probe.check(
                    "skip after a refused decision",
                    &post(
                        &format!("/api/v1/review/assignments/{assignment}/skip"),
                        &player.cookie,
                        String::new(),
                    ),
                    &[204],
                );
            }
        }
    }
    let escalated = probe.expect_json(
        "escalations",
        &Req::new(
            "GET",
            &format!("/api/v1/review/escalations?project_id={project}&limit=100"),
        )
        .header("Authorization", format!("Bearer {KEY}")),
        200,
    );
    for task in escalated.as_array().cloned().unwrap_or_default() {
        let id = task["id"].as_str().unwrap_or_default();
        let mut shown = task.clone();
        shown["view"] =
            json!({"text": task["payload"]["body"], "fields": task["payload"]["fields"]});
        let body = random_decision(rng, &shown);
        probe.check(
            &format!("random resolve {}", clip(&body.to_string(), 80)),
            &post(
                &format!("/api/v1/review/tasks/{id}/resolve"),
                &world.admin.cookie,
                body.to_string(),
            ),
            &[200, 422],
        );
    }
    for (id, payload) in &created {
        let read = probe.expect_json(
            "random task reads back",
            &Req::new("GET", &format!("/api/v1/tasks/{id}"))
                .header("Authorization", format!("Bearer {key}")),
            200,
        );
        if read["payload"] != *payload {
            probe.failures.push(format!(
                "task {id}: payload {} read back as {}",
                clip(&payload.to_string(), 200),
                clip(&read["payload"].to_string(), 200)
            ));
        }
    }
    let with_key =
        |target: &str| Req::new("GET", target).header("Authorization", format!("Bearer {key}"));
    for target in [
        "/api/v1/tasks?limit=100",
        "/api/v1/verdicts?limit=100",
        "/api/v1/deliveries?limit=100",
    ] {
        probe.check("random games read", &with_key(target), &[200]);
    }
    for player in &players {
        let stats = Req::new("GET", "/api/v1/review/stats").header("Cookie", &player.cookie);
        probe.check("random games stats", &stats, &[200]);
    }
    let reviewers = Req::new("GET", &format!("/api/v1/projects/{project}/reviewers"))
        .header("Authorization", format!("Bearer {KEY}"));
    probe.check("random games reviewers", &reviewers, &[200]);
}

// ---------------------------------------------------------------------------------------
// The route table
// ---------------------------------------------------------------------------------------

const MODULES: &[&str] = &[
    "swiper",
    "versus",
    "sorter",
    "detective",
    "fixer",
    "redact",
    "grounding",
];
const ROLES: &[&str] = &["owner", "admin", "reviewer", "viewer"];
const DECISIONS: &[&str] = &["approve", "flag", "escalate"];

/// A case with the common defaults.
fn case(method: &'static str, pattern: &'static str, auth: Auth) -> Case {
    Case {
        method,
        pattern,
        auth,
        params: Vec::new(),
        key: String::new(),
        cookie: String::new(),
        base: None,
        fields: Vec::new(),
        reads_body: false,
        query: Vec::new(),
        consumable: false,
    }
}

/// One case per `/api/v1` route, each aimed at data it may change or use up.
fn cases(world: &World, targets: &Targets) -> Vec<Case> {
    use Auth::*;
    use Kind::*;
    let p = |case: Case, params: &[(&'static str, &str)]| Case {
        params: params.iter().map(|(n, v)| (*n, (*v).to_owned())).collect(),
        ..case
    };
    let key_p = |case: Case| Case {
        key: world.key_p.clone(),
        ..case
    };
    let key_q = |case: Case| Case {
        key: world.key_q.clone(),
        ..case
    };
    let session = |case: Case, cookie: &str| Case {
        cookie: cookie.to_owned(),
        ..case
    };
    let task_fields = vec![
        ("module", Enum(MODULES)),
        ("payload", Object),
        ("mode", Enum(&["gate", "monitor"])),
        ("timeout_seconds", Int),
        ("on_timeout", Enum(&["escalate", "reject", "approve"])),
        ("source", Str),
        ("external_id", Str),
        ("callback_url", Str),
        ("card", Object),
        ("reviews_required", Int),
        ("golden", Bool),
        ("answer", Any),
        ("card.title", Str),
        ("card.subtitle", Str),
        ("card.body", Str),
        ("card.suggestion", Object),
        ("card.suggestion.confidence", Any),
        ("card.fields", Array),
        ("card.choices", Array),
        ("payload.content", Any),
        ("payload.fields", Any),
    ];
    vec![
        key_p(case("GET", "/api/v1/me", ProjectKey)),
        key_p(Case {
            base: Some(json!({
                "module": "swiper", "payload": {"content": "hello"}, "card": {"title": "t", "suggestion": {"label": "ok", "confidence": 0.5}},
                "mode": "gate", "timeout_seconds": 2_592_000, "on_timeout": "reject", "source": "fuzz",
                "external_id": "e", "callback_url": "http://127.0.0.1:9/cb", "reviews_required": 1, "golden": false
            })),
            fields: task_fields,
            reads_body: true,
            ..case("POST", "/api/v1/tasks", ProjectKey)
        }),
        key_p(Case {
            query: vec![
                "status",
                "module",
                "source",
                "external_id",
                "before",
                "limit",
            ],
            ..case("GET", "/api/v1/tasks", ProjectKey)
        }),
        key_p(p(
            case("GET", "/api/v1/tasks/{id}", ProjectKey),
            &[("id", &targets.keeper)],
        )),
        key_p(p(
            Case {
                consumable: true,
                ..case("DELETE", "/api/v1/tasks/{id}", ProjectKey)
            },
            &[("id", &targets.doomed_task)],
        )),
        key_p(Case {
            base: Some(json!({"url": "http://127.0.0.1:9/hook", "event": "verdict"})),
            fields: vec![("url", Str), ("event", Enum(&["verdict"]))],
            reads_body: true,
            ..case("POST", "/api/v1/hooks", ProjectKey)
        }),
        key_p(case("GET", "/api/v1/hooks", ProjectKey)),
        key_p(p(
            Case {
                consumable: true,
                ..case("DELETE", "/api/v1/hooks/{id}", ProjectKey)
            },
            &[("id", &targets.doomed_hook)],
        )),
        key_q(Case {
            query: vec!["limit", "since"],
            ..case("GET", "/api/v1/verdicts", ProjectKey)
        }),
        key_q(Case {
            query: vec!["task_id", "status", "limit"],
            ..case("GET", "/api/v1/deliveries", ProjectKey)
        }),
        key_q(p(
            case("POST", "/api/v1/deliveries/{id}/redeliver", ProjectKey),
            &[("id", &targets.delivery)],
        )),
        p(
            Case {
                base: Some(json!({"name": "fuzz"})),
                fields: vec![("name", Str)],
                reads_body: true,
                ..case("POST", "/api/v1/projects/{id}/keys", Manage)
            },
            &[("id", &world.project_s)],
        ),
        p(
            case("GET", "/api/v1/projects/{id}/keys", Manage),
            &[("id", &world.project_p)],
        ),
        p(
            Case {
                consumable: true,
                ..case("DELETE", "/api/v1/projects/{id}/keys/{key_id}", Manage)
            },
            &[("id", &world.project_s), ("key_id", &targets.doomed_key)],
        ),
        p(
            case("GET", "/api/v1/projects/{id}/signing-secret", Manage),
            &[("id", &world.project_p)],
        ),
        p(
            case(
                "POST",
                "/api/v1/projects/{id}/signing-secret/rotate",
                Manage,
            ),
            &[("id", &world.project_s)],
        ),
        p(
            case("GET", "/api/v1/projects/{id}/reviewers", Manage),
            &[("id", &world.project_q)],
        ),
        p(
            case("PUT", "/api/v1/projects/{id}/reviewers/{user_id}", Manage),
            &[("id", &world.project_s), ("user_id", &targets.member)],
        ),
        p(
            Case {
                consumable: true,
                ..case(
                    "DELETE",
                    "/api/v1/projects/{id}/reviewers/{user_id}",
                    Manage,
                )
            },
            &[("id", &world.project_s), ("user_id", &targets.member)],
        ),
        Case {
            base: Some(json!({"email": "rolf@example.com", "password": common::PASSWORD})),
            fields: vec![("email", Str), ("password", Str)],
            reads_body: true,
            ..case("POST", "/api/v1/auth/login", Public)
        },
        session(
            Case {
                consumable: true,
                ..case("POST", "/api/v1/auth/logout", Session)
            },
            &targets.doomed_session,
        ),
        session(
            case("GET", "/api/v1/auth/session", Session),
            &world.reviewer2.cookie,
        ),
        Case {
            base: Some(
                json!({"email": "new@example.com", "password": "password-123", "role": "viewer",
                              "display_name": "New", "handle": "new-user"}),
            ),
            fields: vec![
                ("email", Str),
                ("password", Str),
                ("role", Enum(ROLES)),
                ("display_name", Str),
                ("handle", Str),
            ],
            reads_body: true,
            ..case("POST", "/api/v1/users", Manage)
        },
        case("GET", "/api/v1/users", Manage),
        p(
            Case {
                base: Some(json!({"display_name": "Changed", "role": "viewer"})),
                fields: vec![
                    ("role", Enum(ROLES)),
                    ("display_name", Str),
                    ("handle", Str),
                    ("password", Str),
                ],
                reads_body: true,
                ..case("PATCH", "/api/v1/users/{id}", Manage)
            },
            &[("id", &targets.patched_user)],
        ),
        p(
            Case {
                consumable: true,
                ..case("DELETE", "/api/v1/users/{id}", Manage)
            },
            &[("id", &targets.doomed_user)],
        ),
        session(
            Case {
                base: Some(json!({"project_id": world.project_q, "modules": ["versus", "swiper"]})),
                fields: vec![("project_id", Str), ("modules", Array)],
                reads_body: true,
                ..case("POST", "/api/v1/review/next", Session)
            },
            &world.reviewer2.cookie,
        ),
        session(
            p(
                Case {
                    // A choice versus does not offer: refused for its content, so the
                    // lease stays live for every other case.
                    base: Some(json!({"decision": "approve", "choice": "neither"})),
                    fields: vec![
                        ("decision", Enum(DECISIONS)),
                        ("choice", Str),
                        ("reason", Str),
                        ("detail", Object),
                        ("severity", Any),
                    ],
                    reads_body: true,
                    consumable: true,
                    ..case("POST", "/api/v1/review/assignments/{id}/decision", Session)
                },
                &[("id", &targets.decision_assignment)],
            ),
            &world.reviewer2.cookie,
        ),
        session(
            p(
                Case {
                    consumable: true,
                    ..case("POST", "/api/v1/review/assignments/{id}/skip", Session)
                },
                &[("id", &targets.skip_assignment)],
            ),
            &world.reviewer2.cookie,
        ),
        session(
            case("GET", "/api/v1/review/stats", Session),
            &world.reviewer2.cookie,
        ),
        Case {
            query: vec!["project_id", "limit"],
            ..case("GET", "/api/v1/review/escalations", Manage)
        },
        p(
            Case {
                // Escalating is not a resolution: refused for its content, so the task
                // stays escalated for every other case.
                base: Some(json!({"decision": "escalate"})),
                fields: vec![
                    ("decision", Enum(&["approve", "flag"])),
                    ("choice", Str),
                    ("reason", Str),
                    ("detail", Object),
                    ("severity", Any),
                ],
                reads_body: true,
                consumable: true,
                ..case("POST", "/api/v1/review/tasks/{id}/resolve", Manage)
            },
            &[("id", &targets.escalated)],
        ),
    ]
}

/// The ids the cases aim at.
struct Targets {
    keeper: String,
    doomed_task: String,
    doomed_hook: String,
    delivery: String,
    doomed_key: String,
    member: String,
    doomed_session: String,
    patched_user: String,
    doomed_user: String,
    decision_assignment: String,
    skip_assignment: String,
    escalated: String,
}

// ---------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------

#[test]
fn no_hostile_input_breaks_a_review_route_or_loses_data() {
    let mut world = World::new();
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut probe = Probe::new(world.addr());
    let server = &world.server;

    // Stored first: a task full of odd characters, and a hook.
    let keeper = server.review_with(
        &world.key_p,
        "POST",
        "/api/v1/tasks",
        &[("Idempotency-Key", "keeper-key")],
        keeper_body().to_string().as_bytes(),
    );
    assert_eq!(keeper.status, 201, "{}", keeper.text());
    let keeper = keeper.json()["id"].as_str().expect("id").to_owned();
    let read = server.review(
        &world.key_p,
        "GET",
        &format!("/api/v1/tasks/{keeper}"),
        None,
    );
    for number in ["954580.7142857143", "470639.14285714284"] {
        assert!(
            read.text().contains(number),
            "{number} reads back as sent: {}",
            read.text()
        );
    }
    let hook = server.review(
        &world.key_p,
        "POST",
        "/api/v1/hooks",
        Some(json!({"url": "http://127.0.0.1:9/keeper"})),
    );
    assert_eq!(hook.status, 201, "{}", hook.text());
    let hook = hook.json()["id"].as_str().expect("id").to_owned();

    // Each game with broken decisions, then a valid one.
    let (decided, escalated) = games(&mut probe, &world, &mut rng);
    resolution(&mut probe, &world, &escalated);
    random_games(&mut probe, &world, &mut rng);
    let mut decided = decided;
    decided.push(escalated);
    let before = snapshot(&world, &keeper, &hook, &decided);
    assert_eq!(
        before.keeper["payload"],
        keeper_body()["payload"],
        "the keeper's payload reads back as sent"
    );

    // Targets that may be changed or used up.
    let doomed_task = server.task(&world.key_p, json!({"module": "swiper", "payload": {}}))["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let doomed_hook = server
        .review(
            &world.key_p,
            "POST",
            "/api/v1/hooks",
            Some(json!({"url": "http://127.0.0.1:9/doomed"})),
        )
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let deliveries = server
        .review(&world.key_q, "GET", "/api/v1/deliveries", None)
        .json();
    let delivery = deliveries[0]["id"].as_str().expect("a delivery").to_owned();
    let doomed_key = server
        .post(
            &format!("/api/v1/projects/{}/keys", world.project_s),
            json!({"name": "doomed"}),
        )
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let member = world.victim("member@example.com");
    let patched_user = world.victim("patched@example.com");
    let doomed_user = world.victim("doomed@example.com");
    let doomed_session = world.cookie("rolf@example.com");
    world.review_task(json!({"module": "versus", "payload": {"a": "A", "b": "B"}}));
    let (decision_assignment, _) = world.card(&world.reviewer2, "versus");
    world.review_task(json!({"module": "swiper", "payload": {"content": "skip me"}}));
    let (skip_assignment, _) = world.card(&world.reviewer2, "swiper");
    let escalated_too = world.review_task(json!({"module": "swiper", "payload": {"content": "e"}}));
    let (assignment, _) = world.card(&world.reviewer, "swiper");
    let escalation = world.server.decide(
        &world.reviewer,
        &assignment,
        json!({"decision": "escalate", "reason": "second opinion"}),
    );
    assert_eq!(escalation.status, 200, "{}", escalation.text());
    let targets = Targets {
        keeper: keeper.clone(),
        doomed_task,
        doomed_hook,
        delivery,
        doomed_key,
        member,
        doomed_session,
        patched_user,
        doomed_user,
        decision_assignment,
        skip_assignment,
        escalated: escalated_too,
    };

    // Every /api/v1 route of the table has a case.
    let cases = cases(&world, &targets);
    let covered: BTreeSet<(String, String)> = cases
        .iter()
        .map(|c| (c.method.to_owned(), c.pattern.to_owned()))
        .collect();
    let routed: BTreeSet<(String, String)> = loop_engine::api::router()
        .routes()
        .iter()
        .filter(|r| r.pattern.starts_with("/api/v1/"))
        .map(|r| (r.method.as_str().to_owned(), r.pattern.to_owned()))
        .collect();
    assert_eq!(covered, routed, "every /api/v1 route needs a case");

    let values = hostile_values(&mut rng, 10);
    for case in &cases {
        battery(&mut probe, &world, case, &mut rng, &values);
    }
    idempotency_keys(&mut probe, &world, &keeper);
    urls(&mut probe, &world);
    races(&mut probe, &world);
    timeouts(&world);

    // Nothing stored before was lost or changed, also after a restart.
    let after = snapshot(&world, &keeper, &hook, &decided);
    assert_eq!(before, after, "stored data changed under hostile input");
    world.server.restart();
    probe.addr = world.addr();
    let restarted = snapshot(&world, &keeper, &hook, &decided);
    assert_eq!(before, restarted, "stored data changed across a restart");
    probe.finish();
}

/// Sends `req` from eight threads at once and checks every answer.
fn race(probe: &mut Probe, what: &str, req: &Req, expect: &[u16]) -> Vec<Value> {
    let addr = probe.addr;
    let raw = req.to_bytes(addr);
    let answers: Vec<Option<Response>> = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..8)
            .map(|_| scope.spawn(|| exchange(addr, &raw)))
            .collect();
        racers
            .into_iter()
            .map(|racer| racer.join().ok().flatten())
            .collect()
    });
    answers
        .into_iter()
        .filter_map(|answer| probe.verify(what, req, answer, expect))
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}

/// Concurrent first requests with one `Idempotency-Key` create one task (§3.3), one
/// hook URL makes one subscription (§10.1), and a reviewer asking for work from many
/// tabs holds one lease (§14.2).
fn races(probe: &mut Probe, world: &World) {
    let with_key = |method: &str, target: &str, body: Value| {
        Req::new(method, target)
            .header("Authorization", format!("Bearer {}", world.key_p))
            .header("Content-Type", "application/json")
            .body(body.to_string())
    };
    let same_id = |probe: &mut Probe, what: &str, answers: &[Value]| {
        let ids: BTreeSet<String> = answers.iter().map(|a| a["id"].to_string()).collect();
        if ids.len() != 1 {
            probe
                .failures
                .push(format!("{what}: {} different ids: {ids:?}", ids.len()));
        }
    };
    let task = with_key(
        "POST",
        "/api/v1/tasks",
        json!({"module": "swiper", "payload": {"content": "race"}}),
    )
    .header("Idempotency-Key", "race-key");
    let answers = race(probe, "racing Idempotency-Key", &task, &[200, 201]);
    same_id(probe, "racing Idempotency-Key", &answers);
    let hook = with_key(
        "POST",
        "/api/v1/hooks",
        json!({"url": "http://127.0.0.1:9/race"}),
    );
    let answers = race(probe, "racing hook", &hook, &[200, 201]);
    same_id(probe, "racing hook", &answers);
    let next = Req::new("POST", "/api/v1/review/next")
        .header("Content-Type", "application/json")
        .header("Cookie", &world.reviewer.cookie)
        .body(json!({"modules": ["sorter"]}).to_string());
    world.review_task(json!({"module": "sorter", "payload": {"content": "race"}}));
    let answers = race(probe, "racing next", &next, &[200]);
    let leases: BTreeSet<String> = answers
        .iter()
        .map(|a| a["assignment_id"].to_string())
        .collect();
    if leases.len() != 1 {
        probe
            .failures
            .push(format!("racing next: {} leases: {leases:?}", leases.len()));
    }
}

/// Once their deadline passes, every gate task the batteries left pending resolves by
/// its `on_timeout`, whatever odd data it holds: no task stalls the sweeper for the
/// others (review-api.md §5).
fn timeouts(world: &World) {
    let pending_gates = || -> i64 {
        let conn = rusqlite::Connection::open(world.server.db_path()).expect("database");
        conn.query_row(
            "SELECT COUNT(*) FROM review_tasks WHERE status = 'pending' AND expires_at IS NOT NULL",
            [],
            |row| row.get(0),
        )
        .expect("count")
    };
    assert!(pending_gates() > 0, "the batteries left gate tasks pending");
    world.clock.advance(31 * 86_400 * 1000);
    world.server.run_background_work();
    assert_eq!(pending_gates(), 0, "every overdue gate task timed out");
}

/// URLs a verdict is delivered to (§3.1 `callback_url`, §10.1 hooks): an unparsable
/// one, or one whose port the deliverer would drop, is a 422, not a task whose every
/// delivery fails.
fn urls(probe: &mut Probe, world: &World) {
    let refused = [
        "http://[::1",
        "http://a%zz/",
        "http://x:y@/",
        "http://😀.invalid/",
        "http://a\\b/",
        "http://:80/",
        "http://a:99999/",
        "http://[::1]:70000/",
        "http://a:-1/",
        "http://a:b/",
        "http://a:0/",
        "http:///x",
        "http:/a",
        "http:a",
        "//a",
        "ftp://a/",
        "javascript:alert(1)",
        "http://a b/",
        "http://a\u{0}b/",
        "http://a/\u{85}x",
    ];
    // Local and refused at once: verdicts are posted to every hook of the project.
    let accepted = [
        "http://127.0.0.1:9/x?y=1#z",
        "HTTPS://127.0.0.1:9/UPPER",
        "http://[::1]:9/",
        "http://127.0.0.1:9/%F0%9F%98%80",
        "http://user:pw@127.0.0.1:9/",
        "  http://127.0.0.1:9/padded  ",
    ];
    let post = |target: &str, body: Value| {
        Req::new("POST", target)
            .header("Authorization", format!("Bearer {}", world.key_p))
            .header("Content-Type", "application/json")
            .body(body.to_string())
    };
    for (urls, status) in [(&refused[..], 422), (&accepted[..], 201)] {
        for url in urls {
            let task = json!({"module": "swiper", "payload": {}, "callback_url": url});
            let body = probe.expect_json("callback_url", &post("/api/v1/tasks", task), status);
            if status == 422 && body["field"] != "callback_url" {
                probe.failures.push(format!("callback_url {url:?}: {body}"));
            }
            let hook = json!({"url": url});
            probe.expect_json("hook url", &post("/api/v1/hooks", hook), status);
        }
    }
}

/// `Idempotency-Key` values (§3.3): printable ASCII up to 255 characters; anything else
/// is a 422 that stores nothing; a replay returns the original whatever the body.
fn idempotency_keys(probe: &mut Probe, world: &World, keeper: &str) {
    let post = |key: &str, body: &[u8]| {
        Req::new("POST", "/api/v1/tasks")
            .header("Authorization", format!("Bearer {}", world.key_p))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .body(body)
    };
    let valid = json!({"module": "swiper", "payload": {"content": "idempotent"}}).to_string();
    let refused = [
        "\u{1}abc".to_owned(),
        "abc\u{7f}".to_owned(),
        "a\tb".to_owned(),
        "a\u{0}b".to_owned(),
        "k".repeat(256),
        "k".repeat(100_000),
    ];
    for key in &refused {
        let expect: &[u16] = if key.len() > HEAD_LIMIT {
            &[431]
        } else {
            &[422]
        };
        probe.check(
            &format!("Idempotency-Key {}", clip(key, 20)),
            &post(key, valid.as_bytes()),
            expect,
        );
    }
    let max = "k".repeat(255);
    for key in [max.as_str(), "\"';-- <>{}%00", "   padded   "] {
        let first = probe.check("new Idempotency-Key", &post(key, valid.as_bytes()), &[201]);
        let id = first
            .and_then(|r| serde_json::from_slice::<Value>(&r.body).ok())
            .map(|b| b["id"].clone());
        let replay = probe.check("replayed Idempotency-Key", &post(key, b"{garbage"), &[200]);
        let replayed = replay
            .as_ref()
            .and_then(|r| serde_json::from_slice::<Value>(&r.body).ok())
            .map(|b| b["id"].clone());
        assert_eq!(id, replayed, "a replay returns the original task");
    }
    // The keeper's key replays the keeper, whatever the body says.
    let replay = probe.expect_json(
        "keeper replay",
        &post("keeper-key", b"{\"module\": 5}"),
        200,
    );
    assert_eq!(replay["id"], keeper);
}

/// Transport oddities below the API. tiny_http handles some before the server sees
/// them: a request line that is not ASCII or is malformed gets a JSON 400, and header
/// values outside ASCII reach the API decoded as UTF-8. Whatever happens, the server
/// stays up, answers no 5xx, and stores only what it acknowledged.
#[test]
fn transport_oddities_leave_the_server_serving() {
    let server = TestServer::start();
    let (_, key) = server.review_project("A");
    let addr = server.running().addr();
    let body = json!({"module": "swiper", "payload": {}}).to_string();
    let head = |extra: &str| {
        format!(
            "POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    };
    let mut odd: Vec<Vec<u8>> = vec![
        head("Idempotency-Key: ключ\r\n"),
        head("Idempotency-Key: \u{e9}\r\n"),
        {
            let mut raw = head("Idempotency-Key: x\r\n");
            let at = raw
                .windows(18)
                .position(|w| w == b"Idempotency-Key: x")
                .expect("key")
                + 17;
            raw[at] = 0xff;
            raw
        },
        head("X-Broken-Header\r\n"),
        head("Bad Name: x\r\n"),
        head(": no name\r\n"),
        b"GARBAGE\r\n\r\n".to_vec(),
        b"GET /api/v1/me\r\n\r\n".to_vec(),
        "GET /api/v1/tasks/é HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            .as_bytes()
            .to_vec(),
        b"GET /api/v1/tasks/a b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
    ];
    odd.push(
        format!(
            "POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {key}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n"
        )
        .into_bytes(),
    );
    odd.push(
        format!(
            "POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {key}\r\nContent-Length: 3000000\r\n\r\n{{}}"
        )
        .into_bytes(),
    );
    let mut accepted = 0;
    for raw in &odd {
        let shown = clip(&String::from_utf8_lossy(&raw[..raw.len().min(120)]), 120);
        if let Some(response) = exchange(addr, raw) {
            if response.status == 201 {
                accepted += 1;
            }
            assert!(
                response.status < 500,
                "{shown}: answered {} {}",
                response.status,
                response.text()
            );
        }
        let alive = server.review(&key, "GET", "/api/v1/me", None);
        assert_eq!(alive.status, 200, "after {shown}: {}", alive.text());
    }
    let listed = server.review(&key, "GET", "/api/v1/tasks", None).json();
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(accepted),
        "only requests answered 201 stored a task"
    );
}
