//! A real server on a free port with its own temporary database, and the requests the
//! tests make of it: as an admin, with a project key, or as a signed-in user.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use loop_engine::clock::{Clock, SystemClock};
use loop_engine::config::Config;
use loop_engine::server::{self, Running};
use serde_json::Value;

use super::http::{Response, send_to};

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
    /// API: `(project id, key)`. Its reviewers meet no decoys, so that every card is the
    /// task a test expects ([`TestServer::review_project_with_decoys`] keeps them).
    pub fn review_project(&self, name: &str) -> (String, String) {
        self.review_project_with_decoys(name, 0.0)
    }

    /// Like [`TestServer::review_project`], with decoys at `decoy_rate` (0 to 1).
    pub fn review_project_with_decoys(&self, name: &str, decoy_rate: f64) -> (String, String) {
        let project = self.create("/api/projects", serde_json::json!({"name": name}));
        let project_id = project["id"].as_str().expect("project id").to_owned();
        self.set_rates(&project_id, serde_json::json!({"decoy_rate": decoy_rate}));
        (project_id.clone(), self.project_key(&project_id))
    }

    /// Sets a project's `decoy_rate` and `golden_rate` (as given in `rates`).
    pub fn set_rates(&self, project_id: &str, rates: Value) {
        let response = self.patch(&format!("/api/v1/projects/{project_id}"), rates);
        assert_eq!(response.status, 200, "{}", response.text());
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

    /// A review task as its project reads it (`GET /api/v1/tasks/{id}` with `key`).
    pub fn read_task(&self, key: &str, id: &str) -> Value {
        self.review(key, "GET", &format!("/api/v1/tasks/{id}"), None)
            .json()
    }

    /// How many rows `table` holds, read straight from the database file.
    pub fn count_rows(&self, table: &str) -> i64 {
        let conn = rusqlite::Connection::open(self.db_path()).expect("open the database");
        conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
            row.get(0)
        })
        .expect("count")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown();
        }
    }
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
