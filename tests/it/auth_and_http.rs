//! Authentication (docs/engine-api.md#authentication; docs/decisions.md#admin-keys) and the HTTP conventions every
//! route shares (docs/engine-api.md#conventions, docs/engine-api.md#cors; docs/decisions.md#no-500-for-a-clients-mistake, docs/decisions.md#errors, docs/decisions.md#cors-origins, docs/decisions.md#client-compatibility).

use crate::common;

use common::http::{Framing, read_response};
use common::{KEY, TestServer};
use serde_json::json;

#[test]
fn bearer_failures_have_the_exact_bodies() {
    let server = TestServer::start();
    let missing = json!({"error": "Missing or malformed Authorization header"});
    let invalid = json!({"error": "Invalid API key"});
    // (Trailing white space in a header value is stripped by HTTP itself, so only inner
    // differences can be tested.)
    let cases: [(&[(&str, &str)], &serde_json::Value); 5] = [
        (&[], &missing),
        (&[("Authorization", "Basic some-key")], &missing),
        (&[("Authorization", "bearer loop_test-api-key")], &missing),
        (&[("Authorization", "Bearer wrong-key")], &invalid),
        (&[("Authorization", "Bearer  loop_test-api-key")], &invalid),
    ];
    for (headers, body) in cases {
        let response = server.send("GET", "/api/issues", headers, b"");
        assert_eq!(response.status, 401, "{headers:?}");
        assert_eq!(response.json(), *body, "{headers:?}");
        assert_eq!(response.header("Content-Type"), Some("application/json"));
        assert_eq!(response.header("WWW-Authenticate"), None);
    }
    let auth = format!("Bearer {KEY}");
    assert_eq!(
        server
            .send("GET", "/api/issues", &[("Authorization", &auth)], b"")
            .status,
        200
    );
}

#[test]
fn every_engine_route_requires_the_key() {
    let server = TestServer::start();
    for (method, path) in [
        ("GET", "/api/issues"),
        ("POST", "/api/issues"),
        ("GET", "/api/issues/x"),
        ("PATCH", "/api/issues/x"),
        ("DELETE", "/api/issues/x"),
        ("POST", "/api/issues/x/relations"),
        ("DELETE", "/api/relations/x"),
        ("GET", "/api/issues/x/comments"),
        ("POST", "/api/issues/x/comments"),
        ("GET", "/api/labels"),
        ("POST", "/api/labels"),
        ("DELETE", "/api/labels/x"),
        ("GET", "/api/projects"),
        ("POST", "/api/projects"),
        ("GET", "/api/projects/x"),
        ("PATCH", "/api/projects/x"),
        ("DELETE", "/api/projects/x"),
        ("GET", "/api/goals"),
        ("POST", "/api/goals"),
        ("GET", "/api/goals/x"),
        ("PATCH", "/api/goals/x"),
        ("DELETE", "/api/goals/x"),
        ("POST", "/api/signals"),
        ("GET", "/api/templates"),
        ("POST", "/api/templates"),
        ("GET", "/api/templates/preview/x"),
        ("GET", "/api/templates/x"),
        ("PATCH", "/api/templates/x"),
        ("DELETE", "/api/templates/x"),
        ("GET", "/api/templates/x/versions"),
        ("POST", "/api/templates/x/versions"),
        ("POST", "/api/templates/x/versions/y/promote"),
        ("GET", "/api/templates/x/reviews"),
        ("POST", "/api/prompt-reviews"),
        ("GET", "/api/dispatch/next"),
        ("GET", "/api/dispatch/queue"),
        ("GET", "/api/dashboard/stats"),
        ("GET", "/api/dashboard/activity"),
        ("GET", "/api/dashboard/prompts"),
        // Unknown paths and wrong methods under /api also need the key first.
        ("GET", "/api/nothing-here"),
        ("PUT", "/api/issues"),
    ] {
        let response = server.send(method, path, &[], b"");
        assert_eq!(response.status, 401, "{method} {path}");
        let wrong = server.send(method, path, &[("Authorization", "Bearer wrong")], b"");
        assert_eq!(
            (wrong.status, wrong.json()),
            (401, json!({"error": "Invalid API key"})),
            "{method} {path}"
        );
    }
    // Nothing was claimed or created on the way.
    assert_eq!(server.get("/api/issues").json()["total"], 0);
}

#[test]
fn public_routes() {
    let server = TestServer::start();
    let health = server.send("GET", "/health", &[], b"");
    assert_eq!(health.status, 200);
    let body = health.json();
    assert_eq!(body["ok"], true);
    assert_eq!(body["service"], "loop-api");
    assert_eq!(body["timestamp"].as_str().map(str::len), Some(24));
    let root = server.send("GET", "/", &[], b"");
    assert_eq!(root.json(), json!({"name": "Loop API", "version": "0.1.0"}));
}

#[test]
fn a_generated_admin_key_works_and_only_its_hash_is_stored() {
    let server = TestServer::start_with(|c| c.api_key = None);
    let key = server
        .running()
        .generated_admin_key()
        .expect("a key is generated")
        .to_owned();
    assert!(key.starts_with("loop_") && key.len() == 69);
    let auth = format!("Bearer {key}");
    assert_eq!(
        server
            .send("GET", "/api/issues", &[("Authorization", &auth)], b"")
            .status,
        200
    );
    let old = format!("Bearer {KEY}");
    assert_eq!(
        server
            .send("GET", "/api/issues", &[("Authorization", &old)], b"")
            .status,
        401
    );
    let db = std::fs::read(server.db_path()).unwrap_or_default();
    assert!(
        !db.windows(key.len()).any(|w| w == key.as_bytes()),
        "the key itself is not stored"
    );
}

#[test]
fn no_key_is_generated_when_one_exists() {
    let mut server = TestServer::start_with(|c| c.api_key = None);
    assert!(server.running().generated_admin_key().is_some());
    server.restart();
    assert!(server.running().generated_admin_key().is_none());
    let with_env_key = TestServer::start();
    assert!(with_env_key.running().generated_admin_key().is_none());
}

#[test]
fn unknown_routes_are_json_404s_and_wrong_methods_405s() {
    let server = TestServer::start();
    for path in [
        "/api/nothing",
        "/api/issues/",
        "/api/issues/x/unknown",
        "/api",
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 404, "{path}");
        assert_eq!(response.json(), json!({"error": "Not found"}));
    }
    assert_eq!(server.send("GET", "/nothing", &[], b"").status, 404);
    let response = server.call("PUT", "/api/issues/x", Some(json!({})));
    assert_eq!(response.status, 405);
    assert_eq!(
        response.header("Allow"),
        Some("GET, HEAD, PATCH, DELETE, OPTIONS")
    );
    assert!(response.json()["error"].is_string());
    let response = server.send("POST", "/health", &[], b"");
    assert_eq!(response.status, 405);
    assert_eq!(response.header("Allow"), Some("GET, HEAD, OPTIONS"));
}

#[test]
fn head_answers_like_get_without_a_body() {
    let server = TestServer::start();
    let response = server.send("HEAD", "/health", &[], b"");
    assert_eq!(response.status, 200);
    assert!(response.body.is_empty());
    let auth = format!("Bearer {KEY}");
    assert_eq!(
        server
            .send("HEAD", "/api/issues", &[("Authorization", &auth)], b"")
            .status,
        200
    );
}

#[test]
fn oversized_bodies_get_413_and_store_nothing() {
    let server = TestServer::start_with(|c| c.max_body_bytes = 1024);
    let auth = format!("Bearer {KEY}");
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    let body = json!({"title": "x".repeat(2000), "type": "task"}).to_string();
    let response = server.send("POST", "/api/issues", &headers, body.as_bytes());
    assert_eq!(response.status, 413);
    assert!(
        response.json()["error"]
            .as_str()
            .is_some_and(|e| e.contains("1024"))
    );
    assert_eq!(server.get("/api/issues").json()["total"], 0);
}

#[test]
fn the_default_body_limit_is_one_mebibyte() {
    let server = TestServer::start();
    let auth = format!("Bearer {KEY}");
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    let big =
        json!({"title": "big", "type": "task", "description": "x".repeat(1024 * 1024)}).to_string();
    assert_eq!(
        server
            .send("POST", "/api/issues", &headers, big.as_bytes())
            .status,
        413
    );
    let fits = json!({"title": "fits", "type": "task", "description": "x".repeat(1000 * 1000)})
        .to_string();
    assert_eq!(
        server
            .send("POST", "/api/issues", &headers, fits.as_bytes())
            .status,
        201
    );
}

#[test]
fn cors_preflight_and_headers() {
    let server = TestServer::start();
    let preflight = server.send(
        "OPTIONS",
        "/api/issues",
        &[("Origin", "http://localhost:5668")],
        b"",
    );
    assert_eq!(preflight.status, 204);
    assert!(preflight.body.is_empty());
    assert_eq!(
        preflight.header("Access-Control-Allow-Origin"),
        Some("http://localhost:5668")
    );
    assert_eq!(preflight.header("Access-Control-Max-Age"), Some("86400"));
    assert!(
        preflight
            .header("Access-Control-Allow-Methods")
            .is_some_and(|m| m.contains("PATCH"))
    );
    let allowed_headers = preflight
        .header("Access-Control-Allow-Headers")
        .unwrap_or_default();
    for header in ["Authorization", "Content-Type", "Idempotency-Key"] {
        assert!(allowed_headers.contains(header), "{header}");
    }
    let foreign = server.send(
        "OPTIONS",
        "/anything",
        &[("Origin", "https://evil.example")],
        b"",
    );
    assert_eq!(foreign.status, 204);
    assert_eq!(foreign.header("Access-Control-Allow-Origin"), None);

    let auth = format!("Bearer {KEY}");
    let response = server.send(
        "GET",
        "/api/issues",
        &[
            ("Authorization", &auth),
            ("Origin", "https://app.looped.me"),
        ],
        b"",
    );
    assert_eq!(
        response.header("Access-Control-Allow-Origin"),
        Some("https://app.looped.me")
    );
    assert_eq!(response.header("Vary"), Some("Origin"));
    // Errors carry CORS headers too, so a browser can read them.
    let denied = server.send(
        "GET",
        "/api/issues",
        &[("Origin", "https://app.looped.me")],
        b"",
    );
    assert_eq!(denied.status, 401);
    assert_eq!(
        denied.header("Access-Control-Allow-Origin"),
        Some("https://app.looped.me")
    );
}

#[test]
fn cors_origins_are_configurable() {
    let server =
        TestServer::start_with(|c| c.cors_origins = vec!["https://mine.example".to_owned()]);
    let mine = server.send("GET", "/health", &[("Origin", "https://mine.example")], b"");
    assert_eq!(
        mine.header("Access-Control-Allow-Origin"),
        Some("https://mine.example")
    );
    let old = server.send(
        "GET",
        "/health",
        &[("Origin", "http://localhost:5668")],
        b"",
    );
    assert_eq!(old.header("Access-Control-Allow-Origin"), None);
}

#[test]
fn sdk_habits_are_accepted() {
    // The SDK sends a JSON content type on body-less requests and an Idempotency-Key on writes.
    let server = TestServer::start();
    let auth = format!("Bearer {KEY}");
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
        ("Idempotency-Key", "k-1"),
    ];
    assert_eq!(server.send("GET", "/api/issues", &headers, b"").status, 200);
    let body = json!({"title": "t", "type": "task"}).to_string();
    assert_eq!(
        server
            .send("POST", "/api/issues", &headers, body.as_bytes())
            .status,
        201
    );
    assert_eq!(
        server
            .send("POST", "/api/issues", &headers, body.as_bytes())
            .status,
        201,
        "the key is ignored on /api"
    );
    let id = server.get("/api/issues").json()["data"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        server
            .send("DELETE", &format!("/api/issues/{id}"), &headers, b"")
            .status,
        204
    );
}

#[test]
fn keep_alive_connections_serve_many_requests() {
    use std::io::{BufReader, Write};
    let server = TestServer::start();
    let mut stream = std::net::TcpStream::connect(server.running().addr()).expect("connect");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    for _ in 0..3 {
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            .expect("write");
        let response = read_response(&mut reader, Framing::KeepAlive).expect("an answer");
        assert_eq!(response.status, 200);
        assert!(response.text().contains("loop-api"));
    }
}
