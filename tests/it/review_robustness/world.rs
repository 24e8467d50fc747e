//! The world the requests run against, and the stored data that must survive them.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;

use loop_engine::clock::ManualClock;
use serde_json::{Value, json};

use crate::common::{self, TestServer, User, clocked_with};

/// Everything the battery needs: the server, its projects, keys and people.
pub(super) struct World {
    pub(super) server: TestServer,
    /// The server's clock, moved on only to let gate tasks time out.
    pub(super) clock: Arc<ManualClock>,
    /// The ingest project (no reviewers) and its key.
    pub(super) project_p: String,
    pub(super) key_p: String,
    /// The review project (the reviewers work here) and its key.
    pub(super) project_q: String,
    pub(super) key_q: String,
    /// A scratch project for key, secret and membership changes.
    pub(super) project_s: String,
    pub(super) reviewer: User,
    pub(super) reviewer2: User,
    pub(super) viewer: User,
    pub(super) admin: User,
}

impl World {
    pub(super) fn new() -> Self {
        let (server, clock) = clocked_with(|config| {
            config.rate_limit.requests_per_key = 1_000_000;
            config.rate_limit.failed_auths_per_address = 1_000_000;
        });
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

    pub(super) fn addr(&self) -> SocketAddr {
        self.server.running().addr()
    }

    /// A task in the review project, for `module`, whose verdict goes nowhere useful.
    pub(super) fn review_task(&self, body: Value) -> String {
        let mut body = body;
        body["callback_url"] = json!("http://127.0.0.1:9/verdict");
        self.server.task(&self.key_q, body)["id"]
            .as_str()
            .expect("task id")
            .to_owned()
    }

    /// `user` takes the next card of `module`.
    pub(super) fn card(&self, user: &User, module: &str) -> (String, Value) {
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
    pub(super) fn read_task(&self, key: &str, id: &str) -> Value {
        let response = self
            .server
            .review(key, "GET", &format!("/api/v1/tasks/{id}"), None);
        assert_eq!(response.status, 200, "{}", response.text());
        response.json()
    }

    /// A fresh session of `email` (for routes that end sessions).
    pub(super) fn cookie(&self, email: &str) -> String {
        self.server.login(email, common::PASSWORD)
    }

    /// A task of the review project that a reviewer decided (a flag with a detail), whose
    /// verdict queued a delivery.
    pub(super) fn decided_task(&self) -> String {
        let id = self.review_task(json!({"module": "swiper", "payload": {"content": "decided"}}));
        let (assignment, _) = self.card(&self.reviewer, "swiper");
        let decided = self.server.decide(
            &self.reviewer,
            &assignment,
            json!({"decision": "flag", "reason": "kept", "severity": "high"}),
        );
        assert_eq!(decided.status, 200, "{}", decided.text());
        id
    }

    /// A user made only to be changed or removed.
    pub(super) fn victim(&self, email: &str) -> String {
        let response = self.server.post(
            "/api/v1/users",
            json!({"email": email, "password": "password-123", "role": "reviewer"}),
        );
        assert_eq!(response.status, 201, "{}", response.text());
        response.json()["id"].as_str().expect("id").to_owned()
    }
}

/// What is read back to prove nothing stored was lost or changed.
#[derive(Debug, PartialEq)]
pub(super) struct Snapshot {
    pub(super) keeper: Value,
    pub(super) keeper_by_external_id: Value,
    pub(super) decided: Vec<Value>,
    pub(super) hook: Value,
    pub(super) keys: Vec<Value>,
    pub(super) secret: Value,
    pub(super) reviewers: Vec<Value>,
    pub(super) users: Vec<Value>,
}

/// Reads back what `stored` holds.
pub(super) fn snapshot(world: &World, stored: &Stored) -> Snapshot {
    let Stored {
        keeper,
        hook,
        decided,
    } = stored;
    let server = &world.server;
    let hooks = server
        .review(&world.key_p, "GET", "/api/v1/hooks", None)
        .json();
    let hook = hooks
        .as_array()
        .and_then(|all| all.iter().find(|h| h["id"] == hook.as_str()).cloned())
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
pub(super) fn keeper_body() -> Value {
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

/// What is stored before the batteries run, and must read back unchanged after them.
pub(super) struct Stored {
    /// A task full of odd characters (stored with the `Idempotency-Key` `keeper-key`).
    pub(super) keeper: String,
    /// A hook of the ingest project.
    pub(super) hook: String,
    /// Tasks of the review project that were decided.
    pub(super) decided: Vec<String>,
}

impl Stored {
    /// The keeper and the hook; `decided` are tasks decided before.
    pub(super) fn new(world: &World, decided: Vec<String>) -> Self {
        let server = &world.server;
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
        Self {
            keeper,
            hook,
            decided,
        }
    }

    /// A snapshot of the stored data, checking that the keeper reads back as sent.
    pub(super) fn snapshot(&self, world: &World) -> Snapshot {
        let taken = snapshot(world, self);
        assert_eq!(
            taken.keeper["payload"],
            keeper_body()["payload"],
            "the keeper's payload reads back as sent"
        );
        taken
    }
}

/// The ids the cases aim at.
pub(super) struct Targets {
    pub(super) keeper: String,
    pub(super) doomed_task: String,
    pub(super) doomed_hook: String,
    pub(super) delivery: String,
    pub(super) doomed_key: String,
    pub(super) member: String,
    pub(super) doomed_session: String,
    pub(super) patched_user: String,
    pub(super) doomed_user: String,
    pub(super) decision_assignment: String,
    pub(super) skip_assignment: String,
    pub(super) escalated: String,
}

impl Targets {
    /// Targets that may be changed or used up, made in `world` after `stored`.
    pub(super) fn new(world: &World, stored: &Stored) -> Self {
        let server = &world.server;
        let doomed_task =
            server.task(&world.key_p, json!({"module": "swiper", "payload": {}}))["id"]
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
        let escalated = world.review_task(json!({"module": "swiper", "payload": {"content": "e"}}));
        let (assignment, _) = world.card(&world.reviewer, "swiper");
        let escalation = server.decide(
            &world.reviewer,
            &assignment,
            json!({"decision": "escalate", "reason": "second opinion"}),
        );
        assert_eq!(escalation.status, 200, "{}", escalation.text());
        Self {
            keeper: stored.keeper.clone(),
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
            escalated,
        }
    }
}
