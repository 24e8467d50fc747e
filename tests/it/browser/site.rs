//! A review service to test the web app against: a real server on a free port, a project
//! with an API key, a local receiver subscribed to its verdicts, and people to sign in.

use std::time::Duration;

use loop_engine::config::RetrySchedule;
use serde_json::{Value, json};

use super::harness::{Chromium, Page};
use crate::common::receiver::{Answer, Received, Receiver};
use crate::common::{PASSWORD, TestServer, User, hmac_sha256_hex};

/// The server, its project and where the project's verdicts arrive.
pub struct Site {
    pub server: TestServer,
    pub project: String,
    pub key: String,
    pub hook: Receiver,
    pub secret: String,
}

impl Site {
    /// A server with one project ("Support"), a key for it and a webhook receiver.
    /// Deliveries are retried at once (three attempts), so a failing receiver's
    /// deliveries fail within the test.
    pub fn new() -> Self {
        let server = TestServer::start_with(|config| {
            config.webhook_retry_schedule = RetrySchedule::parse("0,0").expect("schedule");
            config.delivery_poll_interval = Duration::from_millis(20);
            config.webhook_timeout = Duration::from_secs(2);
            config.rate_limit.requests_per_key = 1_000_000;
        });
        let (project, key) = server.review_project("Support");
        let hook = Receiver::start(|_| Answer::Status(200));
        let subscribed = server.review(
            &key,
            "POST",
            "/api/v1/hooks",
            Some(json!({"url": hook.url})),
        );
        assert_eq!(subscribed.status, 201, "{}", subscribed.text());
        let secret = server
            .get(&format!("/api/v1/projects/{project}/signing-secret"))
            .json()["secret"]
            .as_str()
            .expect("secret")
            .to_owned();
        Self {
            server,
            project,
            key,
            hook,
            secret,
        }
    }

    /// The app's address.
    pub fn base(&self) -> String {
        self.server.running().url()
    }

    /// A person with `role` who reviews the project.
    pub fn person(&self, email: &str, role: &str) -> User {
        let user = self.server.user(email, role);
        self.server.add_reviewer(&self.project, &user);
        user
    }

    /// A page signed in as `email` in `chromium`.
    pub fn signed_in(&self, chromium: &Chromium, email: &str, name: &str) -> Page {
        let page = chromium.page(&self.base(), name);
        page.sign_in(email, PASSWORD);
        page
    }

    /// Submits a task with the project's key.
    pub fn task(&self, body: Value) -> Value {
        self.server.task(&self.key, body)
    }

    /// The task as the key holder reads it.
    pub fn read(&self, id: &str) -> Value {
        self.server
            .review(&self.key, "GET", &format!("/api/v1/tasks/{id}"), None)
            .json()
    }

    /// Waits for the `n`-th verdict webhook and checks its signature; its body.
    pub fn verdict(&self, n: usize) -> Value {
        let got = self.hook.wait_for(n);
        assert!(
            got.len() >= n,
            "expected {n} verdict webhooks, got {}",
            got.len()
        );
        let delivery: &Received = &got[n - 1];
        let expected = format!(
            "sha256={}",
            hmac_sha256_hex(self.secret.as_bytes(), &delivery.body)
        );
        assert_eq!(
            delivery.header("X-LoopQuest-Signature"),
            Some(expected.as_str()),
            "the webhook is signed with the project's secret"
        );
        serde_json::from_slice(&delivery.body).expect("verdict JSON")
    }
}
