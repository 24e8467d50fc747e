//! A real server on a free port with its own temporary database, and a minimal HTTP/1.1
//! client that can send anything (bad JSON, odd headers, huge bodies).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

use std::sync::Arc;

use loop_engine::clock::{Clock, SystemClock};
use loop_engine::config::Config;
use loop_engine::server::{self, Running};
use serde_json::Value;

/// The bearer key every test server accepts (the original suite's key).
pub const KEY: &str = "loop_test-api-key";

/// A running server and the directory holding its database.
pub struct TestServer {
    running: Option<Running>,
    config: Config,
    clock: Arc<dyn Clock>,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// A server with `LOOP_API_KEY` = [`KEY`].
    pub fn start() -> Self {
        Self::start_with(|_| {})
    }

    /// A server whose config `configure` may adjust first.
    pub fn start_with(configure: impl FnOnce(&mut Config)) -> Self {
        Self::start_with_clock(configure, Arc::new(SystemClock))
    }

    /// A server with its own clock (e.g. a [`loop_engine::clock::ManualClock`]).
    pub fn start_with_clock(configure: impl FnOnce(&mut Config), clock: Arc<dyn Clock>) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut config = Config::new(dir.path().join("loop.db"));
        config.port = 0;
        config.threads = 4;
        config.api_key = Some(KEY.to_owned());
        configure(&mut config);
        let running =
            server::start_with_clock(config.clone(), clock.clone()).expect("server starts");
        let addr = running.addr();
        Self {
            running: Some(running),
            config,
            clock,
            addr,
            _dir: dir,
        }
    }

    /// The running server (e.g. for its generated admin key).
    pub fn running(&self) -> &Running {
        self.running.as_ref().expect("server is running")
    }

    /// The database file.
    pub fn db_path(&self) -> PathBuf {
        self.config.db_path.clone()
    }

    /// Stops the server and starts it again on the same database (new port).
    pub fn restart(&mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown();
        }
        let running = server::start_with_clock(self.config.clone(), self.clock.clone())
            .expect("server restarts");
        self.addr = running.addr();
        self.running = Some(running);
    }

    /// Sends a raw request; `headers` are added as given.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        send_to(self.addr, method, path, headers, body)
    }

    /// An authenticated request with a JSON body (or none).
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Response {
        let auth = format!("Bearer {KEY}");
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        self.send(
            method,
            path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        )
    }

    /// Authenticated GET.
    pub fn get(&self, path: &str) -> Response {
        self.call("GET", path, None)
    }

    /// Authenticated POST of a JSON body.
    pub fn post(&self, path: &str, body: Value) -> Response {
        self.call("POST", path, Some(body))
    }

    /// Authenticated PATCH of a JSON body.
    pub fn patch(&self, path: &str, body: Value) -> Response {
        self.call("PATCH", path, Some(body))
    }

    /// Authenticated DELETE.
    pub fn delete(&self, path: &str) -> Response {
        self.call("DELETE", path, None)
    }

    /// POSTs and returns `data` of a 201, failing the test otherwise.
    pub fn create(&self, path: &str, body: Value) -> Value {
        let response = self.post(path, body);
        assert_eq!(response.status, 201, "POST {path}: {}", response.text());
        response.json()["data"].clone()
    }

    /// Runs the server's background work now (lapsed claims, gate timeouts).
    pub fn run_background_work(&self) {
        self.running()
            .run_background_work()
            .expect("background work runs");
    }

    /// Creates a project named `name` and a review-API key for it, through the admin
    /// API: `(project id, key)`.
    pub fn review_project(&self, name: &str) -> (String, String) {
        let project = self.create("/api/projects", serde_json::json!({"name": name}));
        let project_id = project["id"].as_str().expect("project id").to_owned();
        (project_id.clone(), self.project_key(&project_id))
    }

    /// A new review-API key for project `project_id`.
    pub fn project_key(&self, project_id: &str) -> String {
        let response = self.post(
            &format!("/api/v1/projects/{project_id}/keys"),
            serde_json::json!({"name": "test"}),
        );
        assert_eq!(response.status, 201, "{}", response.text());
        response.json()["key"].as_str().expect("key").to_owned()
    }

    /// A review-API request with project key `key` and a JSON body (or none).
    pub fn review(&self, key: &str, method: &str, path: &str, body: Option<Value>) -> Response {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        self.review_with(key, method, path, &[], body.as_bytes())
    }

    /// A review-API request with project key `key`, extra headers and a raw body.
    pub fn review_with(
        &self,
        key: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        let auth = format!("Bearer {key}");
        let mut all = vec![
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
        ];
        all.extend_from_slice(headers);
        self.send(method, path, &all, body)
    }

    /// Submits a review task with `key` and returns it, failing the test unless 201.
    pub fn task(&self, key: &str, body: Value) -> Value {
        let response = self.review(key, "POST", "/api/v1/tasks", Some(body));
        assert_eq!(
            response.status,
            201,
            "POST /api/v1/tasks: {}",
            response.text()
        );
        response.json()
    }

    /// Creates a user through the admin API (password `password-123`) and signs them in.
    pub fn user(&self, email: &str, role: &str) -> User {
        let created = self.post(
            "/api/v1/users",
            serde_json::json!({"email": email, "password": PASSWORD, "role": role}),
        );
        assert_eq!(created.status, 201, "{}", created.text());
        let id = created.json()["id"].as_str().expect("user id").to_owned();
        let cookie = self.login(email, PASSWORD);
        User { id, cookie }
    }

    /// Signs in and returns the `Cookie` header value of the session.
    pub fn login(&self, email: &str, password: &str) -> String {
        let response = self.send(
            "POST",
            "/api/v1/auth/login",
            &[("Content-Type", "application/json")],
            serde_json::json!({"email": email, "password": password})
                .to_string()
                .as_bytes(),
        );
        assert_eq!(response.status, 200, "login: {}", response.text());
        let set_cookie = response.header("Set-Cookie").expect("a session cookie");
        set_cookie.split(';').next().unwrap_or_default().to_owned()
    }

    /// A request as a signed-in user, with a JSON body (or none).
    pub fn as_user(&self, user: &User, method: &str, path: &str, body: Option<Value>) -> Response {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        self.send(
            method,
            path,
            &[
                ("Cookie", user.cookie.as_str()),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        )
    }

    /// Makes `user` a reviewer of project `project_id`.
    pub fn add_reviewer(&self, project_id: &str, user: &User) {
        let response = self.call(
            "PUT",
            &format!("/api/v1/projects/{project_id}/reviewers/{}", user.id),
            None,
        );
        assert!(matches!(response.status, 200 | 201), "{}", response.text());
    }

    /// `user` takes the next card: `(assignment id, the card's task)`, or `None` on 204.
    pub fn next_card(&self, user: &User) -> Option<(String, Value)> {
        let response = self.as_user(
            user,
            "POST",
            "/api/v1/review/next",
            Some(serde_json::json!({})),
        );
        match response.status {
            204 => None,
            200 => {
                let body = response.json();
                Some((
                    body["assignment_id"]
                        .as_str()
                        .expect("assignment")
                        .to_owned(),
                    body["task"].clone(),
                ))
            }
            other => panic!("/review/next answered {other}: {}", response.text()),
        }
    }

    /// `user` decides assignment `assignment` with `body`.
    pub fn decide(&self, user: &User, assignment: &str, body: Value) -> Response {
        self.as_user(
            user,
            "POST",
            &format!("/api/v1/review/assignments/{assignment}/decision"),
            Some(body),
        )
    }

    /// Creates an issue with this title and type and returns it.
    pub fn issue(&self, title: &str, kind: &str) -> Value {
        self.create(
            "/api/issues",
            serde_json::json!({"title": title, "type": kind}),
        )
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown();
        }
    }
}

/// The fixture of loop-api.md appendix C, written through SQL with its fixed ids and
/// numbers (the dispatch columns are then filled in as the store would).
pub fn golden_fixture(server: &TestServer) {
    use loop_engine::domain::stored_json;
    use serde_json::json;
    let conn = rusqlite::Connection::open(server.db_path()).expect("open the database");
    let hypothesis = stored_json::to_text(json!({
        "statement": "OAuth redirect broke", "confidence": 0.75, "evidence": ["a", "b"], "validationCriteria": "conv back to 3.6%"
    }));
    let payload = stored_json::to_text(json!({"metric": "signup", "change": -0.12}));
    conn.execute_batch(&format!(
        "INSERT INTO projects (id, name, description, status, health, created_at, updated_at)
           VALUES ('proj_1', 'Onboarding', 'Improve onboarding', 'active', 'on_track', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
         INSERT INTO goals (id, title, status, target_value, current_value, unit, project_id, created_at, updated_at)
           VALUES ('goal_1', 'Raise conversion', 'active', 4, 3.2, '%', 'proj_1', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
         INSERT INTO issues (number, id, title, description, type, status, priority, hypothesis, created_at, updated_at)
           VALUES (10, 'iss_parent', 'Signups dropped', 'Conversion fell <12%> & \"more\"', 'signal', 'done', 0, '{hypothesis}', '2026-01-01T00:00:01.000Z', '2026-01-01T00:00:01.000Z');
         INSERT INTO issues (number, id, title, description, type, status, priority, parent_id, project_id, agent_summary, created_at, updated_at)
           VALUES (11, 'iss_task', 'Fix redirect', 'Fix the OAuth redirect', 'task', 'todo', 2, 'iss_parent', 'proj_1', 'Tried X, failed', '2026-01-01T00:00:02.000Z', '2026-01-01T00:00:02.000Z');
         INSERT INTO issues (number, id, title, type, status, priority, parent_id, created_at, updated_at)
           VALUES (12, 'iss_sib1', 'Add spinner', 'task', 'done', 0, 'iss_parent', '2026-01-01T00:00:03.000Z', '2026-01-01T00:00:03.000Z');
         INSERT INTO issues (number, id, title, type, status, priority, parent_id, agent_summary, created_at, updated_at)
           VALUES (13, 'iss_sib2', 'Old attempt', 'task', 'canceled', 0, 'iss_parent', 'gave up', '2026-01-01T00:00:04.000Z', '2026-01-01T00:00:04.000Z');
         INSERT INTO issues (number, id, title, type, status, priority, signal_source, signal_payload, created_at, updated_at)
           VALUES (14, 'iss_signal', 'PostHog: signup -12% (24h)', 'signal', 'todo', 0, 'posthog', '{payload}', '2026-01-01T00:00:05.000Z', '2026-01-01T00:00:05.000Z');
         INSERT INTO labels (id, name, color, created_at) VALUES ('lbl_1', 'frontend', '#f00', '2026-01-01T00:00:00.000Z');
         INSERT INTO issue_labels (issue_id, label_id) VALUES ('iss_task', 'lbl_1');
         INSERT INTO issue_relations (id, type, issue_id, related_issue_id, created_at)
           VALUES ('rel_1', 'blocked_by', 'iss_task', 'iss_sib1', '2026-01-01T00:00:06.000Z'),
                  ('rel_2', 'blocks', 'iss_task', 'iss_sib2', '2026-01-01T00:00:06.000Z');"
    ))
    .expect("fixture inserted");
    loop_engine::store::issues::backfill_dispatch_columns(&conn).expect("dispatch columns filled");
}

/// The keys of a verdict payload, in order (review-api.md §11.1, then Loop's extensions).
pub const VERDICT_KEYS: [&str; 13] = [
    "task_id",
    "external_id",
    "source",
    "module",
    "verdict",
    "choice",
    "reason",
    "escalated",
    "timed_out",
    "reviewed_at",
    "status",
    "mode",
    "detail",
];

/// The keys of a JSON object, in order (none for anything else).
pub fn keys_of(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// The password of users made by [`TestServer::user`].
pub const PASSWORD: &str = "password-123";

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct User {
    /// Their id.
    pub id: String,
    /// The `Cookie` header value of their session.
    pub cookie: String,
}

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

/// Sends one request on a fresh connection and reads the whole answer.
pub fn send_to(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    try_send_to(addr, method, path, headers, body)
        .unwrap_or_else(|| panic!("{method} {path}: no answer from {addr}"))
}

/// [`send_to`] for a server that may be gone (refused, reset or closed without an
/// answer): `None` then.
pub fn try_send_to(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<Response> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || matches!(method, "POST" | "PATCH" | "PUT") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).ok()?;
    // The server may answer (e.g. 413) and close before reading the whole body.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse_response(&raw)
}

/// The response in `raw`, if it holds a complete head.
pub fn parse_response(raw: &[u8]) -> Option<Response> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok())?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Some(Response {
        status,
        headers,
        body,
    })
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

/// The `loop` binary serving as a child process, for what a test can only see from
/// outside the server: its threads and memory, a crash, a restart after `SIGKILL`. It
/// listens on a free port (`--port 0`; the port is read from the line it prints on
/// start) with the database given, `LOOP_API_KEY` = [`KEY`] and nothing else from the
/// environment; its standard error goes to `<database>.log`.
pub struct ServerProcess {
    child: std::process::Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts `loop serve` on `db` with the extra `args`, waiting until it listens.
    pub fn start(db: &std::path::Path, args: &[&str]) -> Self {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        let log = db.with_extension("log");
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("server log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_loop"))
            .arg("serve")
            .args(["--port", "0", "--db"])
            .arg(db)
            .args(args)
            .env_clear()
            .env("LOOP_API_KEY", KEY)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("loop serve starts");
        let stdout = child.stdout.take().expect("standard output");
        let mut lines = std::io::BufReader::new(stdout).lines();
        // "Loop listening on http://127.0.0.1:PORT with database …"
        let addr = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                let rest = line.strip_prefix("Loop listening on http://")?;
                rest.split_whitespace().next()?.parse().ok()
            })
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!(
                    "loop serve did not start: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            });
        // Whatever else it prints is drained, so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, addr, log }
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A number from `/proc/<pid>/status`, e.g. `Threads`, or `VmHWM` (peak resident
    /// memory, in kB); `None` once the process is gone.
    pub fn status(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        status.lines().find_map(|line| {
            let value = line.strip_prefix(field)?.strip_prefix(':')?;
            value.split_whitespace().next()?.parse().ok()
        })
    }

    /// Whether it is still running (not exited, not killed).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// What it wrote to standard error so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Kills it with `SIGKILL`, as a crash or the OOM killer would, and reaps it.
    pub fn kill(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.stop();
    }
}
