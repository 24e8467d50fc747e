//! Who reaches what on the review API (docs/review-api.md#conventions,
//! #keys-and-signing-secret, #hooks-and-verdicts, #connection-check and #rate-limits):
//! project keys and their admin routes, project scoping, hook subscriptions, the
//! connection check and rate limits.

use serde_json::{Value, json};

use crate::common::cli::run_loop;
use crate::common::{KEY, TestServer, clocked_with};

fn swiper() -> Value {
    json!({"module": "swiper", "payload": {"content": "hi"}})
}

#[test]
fn ingest_needs_a_valid_unrevoked_project_key() {
    let server = TestServer::start();
    let (project_id, key) = server.review_project("A");
    let body = swiper().to_string();
    let unauthenticated = server.send("POST", "/api/v1/tasks", &[], body.as_bytes());
    assert_eq!(unauthenticated.status, 401);
    assert_eq!(unauthenticated.json()["code"], "unauthorized");
    assert!(unauthenticated.json()["error"].is_string());
    assert_eq!(unauthenticated.header("WWW-Authenticate"), Some("Bearer"));
    for header in [
        "Bearer lq_unknown",
        "Basic abc",
        &format!("Bearer {KEY}"), // an engine admin key is not a project key
        &format!("Token {key}"),
    ] {
        let response = server.send(
            "POST",
            "/api/v1/tasks",
            &[("Authorization", header)],
            body.as_bytes(),
        );
        assert_eq!(response.status, 401, "{header}");
    }
    let lower = server.send(
        "POST",
        "/api/v1/tasks",
        &[("authorization", &format!("bearer {key}"))],
        body.as_bytes(),
    );
    assert_eq!(lower.status, 201, "{}", lower.text());

    let listed = server
        .get(&format!("/api/v1/projects/{project_id}/keys"))
        .json();
    let key_id = listed[0]["id"].as_str().unwrap_or_default().to_owned();
    assert!(listed[0].get("key").is_none() && listed[0].get("key_hash").is_none());
    assert_eq!(listed[0]["prefix"], key[..7]);
    assert!(listed[0]["last_used_at"].is_string(), "{listed}");
    let revoked = server.delete(&format!("/api/v1/projects/{project_id}/keys/{key_id}"));
    assert_eq!(revoked.status, 204);
    assert_eq!(server.review(&key, "GET", "/api/v1/me", None).status, 401);
    assert!(
        server
            .get(&format!("/api/v1/projects/{project_id}/keys"))
            .json()[0]["revoked_at"]
            .is_string()
    );
    assert_eq!(
        server
            .delete(&format!("/api/v1/projects/{project_id}/keys/{key_id}"))
            .status,
        404
    );
    assert_eq!(server.count_rows("review_tasks"), 1);
}

#[test]
fn key_administration_needs_an_admin_key() {
    let server = TestServer::start();
    let (project_id, key) = server.review_project("A");
    let created = server.post(
        &format!("/api/v1/projects/{project_id}/keys"),
        json!({"name": "zapier"}),
    );
    assert_eq!(created.status, 201);
    let created = created.json();
    assert!(
        created["key"]
            .as_str()
            .is_some_and(|k| k.starts_with("lq_") && k.len() == 46)
    );
    assert_eq!(created["name"], "zapier");
    for path in [
        format!("/api/v1/projects/{project_id}/keys"),
        format!("/api/v1/projects/{project_id}/signing-secret"),
    ] {
        assert_eq!(
            server.review(&key, "GET", &path, None).status,
            401,
            "{path}"
        );
        assert_eq!(server.send("GET", &path, &[], b"").status, 401, "{path}");
    }
    assert_eq!(
        server.post("/api/v1/projects/nope/keys", json!({})).status,
        404
    );
    assert_eq!(
        server.get("/api/v1/projects/nope/signing-secret").json()["code"],
        "not_found"
    );
    assert_eq!(
        server
            .post(
                &format!("/api/v1/projects/{project_id}/keys"),
                json!({"name": 5})
            )
            .status,
        422
    );
    // A deleted project's keys stop working.
    assert_eq!(
        server.delete(&format!("/api/projects/{project_id}")).status,
        204
    );
    assert_eq!(server.review(&key, "GET", "/api/v1/me", None).status, 401);
}

#[test]
fn signing_secrets_are_per_project_and_rotate() {
    let server = TestServer::start();
    let (a, _) = server.review_project("A");
    let (b, _) = server.review_project("B");
    let secret = |id: &str| {
        server
            .get(&format!("/api/v1/projects/{id}/signing-secret"))
            .json()["secret"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let first = secret(&a);
    assert!(first.starts_with("whsec_") && first.len() == 70, "{first}");
    assert!(
        first[6..]
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_ne!(first, secret(&b));
    let rotated = server.post(
        &format!("/api/v1/projects/{a}/signing-secret/rotate"),
        json!({}),
    );
    assert_eq!(rotated.status, 200);
    let rotated = rotated.json()["secret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_ne!(rotated, first);
    assert_eq!(secret(&a), rotated);
}

#[test]
fn me_names_the_workspace_the_project_and_the_key() {
    let server = TestServer::start_with(|c| c.instance_name = "Acme Review".to_owned());
    let (project_id, key) = server.review_project("Support bot");
    let me = server.review(&key, "GET", "/api/v1/me", None);
    assert_eq!(me.status, 200);
    let me = me.json();
    assert_eq!(me["workspace"], "Acme Review");
    assert_eq!(me["project"], "Support bot");
    assert_eq!(me["project_id"], project_id.as_str());
    assert_eq!(me["key"]["prefix"], key[..7]);
    assert_eq!(
        me["rate_limit"],
        json!({"limit": 120, "window_seconds": 60})
    );
    assert_eq!(server.send("GET", "/api/v1/me", &[], b"").status, 401);
}

#[test]
fn a_key_only_reaches_its_own_projects_data() {
    let server = TestServer::start();
    let (project_a, key_a) = server.review_project("A");
    let (_, key_b) = server.review_project("B");
    let key_a2 = server.project_key(&project_a);
    let task = server.task(&key_a, swiper());
    let path = format!("/api/v1/tasks/{}", task["id"].as_str().unwrap_or_default());
    let foreign = server.review(&key_b, "GET", &path, None);
    assert_eq!(foreign.status, 404);
    assert_eq!(foreign.json()["code"], "not_found");
    assert_eq!(server.review(&key_b, "DELETE", &path, None).status, 404);
    assert_eq!(server.review(&key_a, "GET", &path, None).status, 200);
    assert_eq!(server.review(&key_a2, "GET", &path, None).status, 200);
    assert_eq!(
        server.review(&key_b, "GET", "/api/v1/tasks", None).json(),
        json!([])
    );

    let hook = server
        .review(
            &key_a,
            "POST",
            "/api/v1/hooks",
            Some(json!({"url": "https://h.test/a"})),
        )
        .json();
    let hook_path = format!("/api/v1/hooks/{}", hook["id"].as_str().unwrap_or_default());
    assert_eq!(
        server.review(&key_b, "DELETE", &hook_path, None).status,
        404
    );
    assert_eq!(
        server.review(&key_b, "GET", "/api/v1/hooks", None).json(),
        json!([])
    );
    assert_eq!(
        server
            .review(&key_a, "GET", "/api/v1/hooks", None)
            .json()
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[test]
fn hooks_are_idempotent_by_url() {
    let server = TestServer::start();
    let (_, key) = server.review_project("A");
    let subscribe = |body: Value| server.review(&key, "POST", "/api/v1/hooks", Some(body));
    let created = subscribe(json!({"url": "https://h.test/a"}));
    assert_eq!(created.status, 201);
    let hook = created.json();
    assert_eq!(hook["url"], "https://h.test/a");
    assert_eq!(hook["event"], "verdict");
    assert!(hook["id"].is_string() && hook["created_at"].is_string());
    let again = subscribe(json!({"url": " https://h.test/a ", "event": "verdict"}));
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["id"], hook["id"]);
    assert_eq!(
        server.review(&key, "GET", "/api/v1/hooks", None).json(),
        json!([hook])
    );
    for (body, field) in [
        (json!({}), "url"),
        (json!({"url": "nope"}), "url"),
        (
            json!({"url": "https://h.test/b", "event": "created"}),
            "event",
        ),
    ] {
        let response = subscribe(body);
        assert_eq!(response.status, 422);
        assert_eq!(response.json()["field"], field);
    }
    let path = format!("/api/v1/hooks/{}", hook["id"].as_str().unwrap_or_default());
    let deleted = server.review(&key, "DELETE", &path, None);
    assert_eq!((deleted.status, deleted.body.len()), (204, 0));
    assert_eq!(server.review(&key, "DELETE", &path, None).status, 404);
    assert_eq!(
        server.review(&key, "GET", "/api/v1/hooks", None).json(),
        json!([])
    );
    for n in 0..50 {
        assert_eq!(
            subscribe(json!({"url": format!("https://h.test/{n}")})).status,
            201
        );
    }
    assert_eq!(
        subscribe(json!({"url": "https://h.test/one-too-many"})).status,
        422
    );
}

#[test]
fn verdicts_start_as_an_empty_array() {
    let server = TestServer::start();
    let (_, key) = server.review_project("A");
    server.task(&key, swiper());
    let verdicts = server.review(&key, "GET", "/api/v1/verdicts", None);
    assert_eq!(verdicts.status, 200);
    assert_eq!(verdicts.json(), json!([]));
    for bad in ["limit=0", "limit=101", "since=soon"] {
        assert_eq!(
            server
                .review(&key, "GET", &format!("/api/v1/verdicts?{bad}"), None)
                .status,
            422,
            "{bad}"
        );
    }
}

fn limited_server(
    requests_per_key: u32,
) -> (TestServer, std::sync::Arc<loop_engine::clock::ManualClock>) {
    clocked_with(|c| c.rate_limit.requests_per_key = requests_per_key)
}

#[test]
fn each_key_has_its_own_rolling_budget() {
    let (server, clock) = limited_server(5);
    let (project_id, key) = server.review_project("A");
    let key_2 = server.project_key(&project_id);
    for n in 0..5 {
        let response = server.review(&key, "GET", "/api/v1/me", None);
        assert_eq!(response.status, 200);
        assert_eq!(response.header("X-RateLimit-Limit"), Some("5"));
        assert_eq!(
            response.header("X-RateLimit-Remaining"),
            Some((4 - n).to_string().as_str())
        );
        let reset: i64 = response
            .header("X-RateLimit-Reset")
            .and_then(|r| r.parse().ok())
            .unwrap_or_default();
        assert_eq!(reset, 1_800_000_060);
        clock.advance(1000);
    }
    let refused = server.review(&key, "POST", "/api/v1/tasks", Some(swiper()));
    assert_eq!(refused.status, 429);
    assert_eq!(refused.json()["code"], "rate_limited");
    let retry: i64 = refused
        .header("Retry-After")
        .and_then(|r| r.parse().ok())
        .unwrap_or_default();
    assert_eq!(
        retry, 55,
        "the oldest request leaves the window 55 s from now"
    );
    assert_eq!(refused.header("X-RateLimit-Remaining"), Some("0"));
    assert_eq!(
        server.count_rows("review_tasks"),
        0,
        "a refused request does nothing"
    );
    // Another key of the same project has its own budget.
    assert_eq!(server.review(&key_2, "GET", "/api/v1/me", None).status, 200);
    clock.advance(retry * 1000);
    assert_eq!(
        server
            .review(&key, "POST", "/api/v1/tasks", Some(swiper()))
            .status,
        201
    );
    // The admin routes are not counted.
    for _ in 0..10 {
        assert_eq!(
            server
                .get(&format!("/api/v1/projects/{project_id}/keys"))
                .status,
            200
        );
    }
}

#[test]
fn the_default_budget_is_120_requests_a_minute() {
    let (server, _) = limited_server(120);
    let (_, key) = server.review_project("A");
    for _ in 0..120 {
        assert_eq!(
            server.review(&key, "GET", "/api/v1/verdicts", None).status,
            200
        );
    }
    let refused = server.review(&key, "GET", "/api/v1/verdicts", None);
    assert_eq!(refused.status, 429);
    let retry: i64 = refused
        .header("Retry-After")
        .and_then(|r| r.parse().ok())
        .unwrap_or_default();
    assert!((1..=60).contains(&retry), "{retry}");
}

#[test]
fn repeated_failed_authentication_from_one_address_is_throttled() {
    let (server, clock) = limited_server(120);
    for _ in 0..60 {
        assert_eq!(
            server.review("lq_wrong", "GET", "/api/v1/me", None).status,
            401
        );
    }
    let throttled = server.review("lq_wrong", "GET", "/api/v1/me", None);
    assert_eq!(throttled.status, 429);
    assert!(throttled.header("Retry-After").is_some());
    clock.advance(60_000);
    assert_eq!(
        server.review("lq_wrong", "GET", "/api/v1/me", None).status,
        401
    );
}

#[test]
fn the_cli_creates_lists_and_revokes_project_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cli.db");
    let run = |args: &[&str]| run_loop(&db, args);
    let missing = run(&["keys", "create", "--project", "Support"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no project"));
    let server = TestServer::start_with(|c| c.db_path = db.clone());
    let project = server.create("/api/projects", json!({"name": "Support"}));
    for project_ref in ["Support", project["id"].as_str().unwrap_or_default()] {
        let created = run(&["keys", "create", "--project", project_ref, "--name", "zap"]);
        assert!(
            created.status.success(),
            "{}",
            String::from_utf8_lossy(&created.stderr)
        );
        let key = String::from_utf8_lossy(&created.stdout).trim().to_owned();
        assert!(key.starts_with("lq_") && key.len() == 46, "{key}");
        assert_eq!(
            server.review(&key, "GET", "/api/v1/me", None).json()["project"],
            "Support"
        );
    }
    let listed = String::from_utf8_lossy(&run(&["keys", "list"]).stdout).into_owned();
    let id = listed
        .lines()
        .find(|line| line.contains("project"))
        .and_then(|line| line.split_whitespace().next())
        .unwrap_or_default()
        .to_owned();
    assert!(run(&["keys", "revoke", &id]).status.success());
    assert!(String::from_utf8_lossy(&run(&["keys", "list"]).stdout).contains("revoked"));
    assert!(
        !run(&["keys", "create"]).status.success(),
        "--admin or --project is required"
    );
}
