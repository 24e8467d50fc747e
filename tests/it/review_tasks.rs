//! The review API's task routes through real HTTP (docs/review-api.md#tasks and
//! #the-task-object): ingest with every client's body, validation, idempotency, reads,
//! lists and deletion.

use crate::common;

use std::collections::HashSet;

use common::TestServer;
use serde_json::{Value, json};

fn post_task(server: &TestServer, key: &str, body: &Value) -> common::Response {
    server.review(key, "POST", "/api/v1/tasks", Some(body.clone()))
}

/// Asserts a 422 naming `field`.
fn assert_invalid(response: &common::Response, field: Option<&str>) {
    assert_eq!(response.status, 422, "{}", response.text());
    let body = response.json();
    assert_eq!(body["code"], "validation_failed", "{body}");
    assert!(body["error"].is_string());
    if let Some(field) = field {
        assert_eq!(body["field"], field, "{body}");
    }
}

#[test]
fn a_minimal_task_gets_the_documented_defaults() {
    let server = TestServer::start();
    let (_, key) = server.review_project("A");
    let response = post_task(
        &server,
        &key,
        &json!({"module": "swiper", "payload": {"content": "hi"}}),
    );
    assert_eq!(response.status, 201, "{}", response.text());
    let task = response.json();
    let id = task["id"].as_str().unwrap_or_default();
    assert_eq!(
        response.header("Location").unwrap_or_default(),
        format!("/api/v1/tasks/{id}")
    );
    assert_eq!(
        uuid::Uuid::parse_str(id)
            .map(|u| u.to_string())
            .ok()
            .as_deref(),
        Some(id)
    );
    assert_eq!(task["status"], "pending");
    assert_eq!(task["mode"], "monitor");
    assert_eq!(task["reviews_required"], 1);
    assert_eq!(task["expires_at"], Value::Null);
    let keys: Vec<&str> = task
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        [
            "id",
            "status",
            "module",
            "mode",
            "source",
            "external_id",
            "callback_url",
            "payload",
            "card",
            "reviews_required",
            "reviews_received",
            "timeout_seconds",
            "on_timeout",
            "golden",
            "answer",
            "verdict",
            "verdict_choice",
            "verdict_reason",
            "choice",
            "reason",
            "detail",
            "escalated",
            "timed_out",
            "reviewer",
            "reviews",
            "created_at",
            "expires_at",
            "reviewed_at"
        ]
    );
    // Case 33: a new task reads back pending with no outcome.
    let read = server.review(&key, "GET", &format!("/api/v1/tasks/{id}"), None);
    assert_eq!(read.status, 200);
    let read = read.json();
    for field in [
        "verdict",
        "verdict_choice",
        "choice",
        "reviewed_at",
        "reviewer",
    ] {
        assert_eq!(read[field], Value::Null, "{field}");
    }
    assert_eq!(
        (read["escalated"].clone(), read["timed_out"].clone()),
        (json!(false), json!(false))
    );
    assert_eq!(read["reviews"], json!([]));
    assert!(
        read["created_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
}

#[test]
fn the_public_reference_example_round_trips() {
    let server = TestServer::start();
    let (_, key) = server.review_project("A");
    let body = json!({"module":"swiper","source":"zendesk",
        "payload":{"ticket":4821,"predicted":"auto-approve"},
        "card":{"title":"Refund #4821","suggestion":{"label":"Auto-approve","confidence":0.96},
                "fields":[{"label":"Amount","value":"£2,400","highlight":true}]},
        "callback_url":"https://your-app.com/loopquest/verdict","reviews_required":2});
    let created = server.review_with(
        &key,
        "POST",
        "/api/v1/tasks",
        &[("idempotency-key", "order-4821")],
        body.to_string().as_bytes(),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap_or_default().to_owned();
    let task = server
        .review(&key, "GET", &format!("/api/v1/tasks/{id}"), None)
        .json();
    assert_eq!(task["card"], body["card"]);
    assert_eq!(task["payload"], body["payload"]);
    assert_eq!(task["source"], "zendesk");
    assert_eq!(task["reviews_required"], 2);
    assert_eq!(
        task["callback_url"],
        "https://your-app.com/loopquest/verdict"
    );
}

#[test]
fn invalid_fields_are_422_naming_the_field_and_store_nothing() {
    let server = TestServer::start();
    let (_, key) = server.review_project("A");
    let base = |extra: Value| {
        let mut body = json!({"module": "swiper", "payload": {"content": "x"}});
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            body[k] = v;
        }
        body
    };
    let cases: Vec<(Value, Option<&str>)> = vec![
        (json!({"payload": {}}), Some("module")),
        (json!({"module": "swiper"}), Some("payload")),
        (json!({"module": "swiper", "payload": "x"}), Some("payload")),
        (json!({"module": "swiper", "payload": [1]}), Some("payload")),
        (
            base(json!({"reviews_required": 0})),
            Some("reviews_required"),
        ),
        (
            base(json!({"reviews_required": 6})),
            Some("reviews_required"),
        ),
        (
            base(json!({"reviews_required": 2.5})),
            Some("reviews_required"),
        ),
        (
            base(json!({"timeout_seconds": 29})),
            Some("timeout_seconds"),
        ),
        (
            base(json!({"timeout_seconds": 2_592_001})),
            Some("timeout_seconds"),
        ),
        (base(json!({"mode": "block"})), Some("mode")),
        (base(json!({"on_timeout": "ignore"})), Some("on_timeout")),
        (
            base(json!({"callback_url": "ftp://x"})),
            Some("callback_url"),
        ),
        (
            base(json!({"callback_url": "not a url"})),
            Some("callback_url"),
        ),
        (base(json!({"source": "s".repeat(101)})), Some("source")),
        (
            base(json!({"external_id": "e".repeat(256)})),
            Some("external_id"),
        ),
        (base(json!({"card": "x"})), Some("card")),
        (base(json!({"card": {"title": 5}})), Some("card.title")),
        (
            base(json!({"card": {"suggestion": {"label": "x", "confidence": 2}}})),
            Some("card.suggestion"),
        ),
        (base(json!({"golden": true})), Some("answer")),
        (base(json!({"answer": true})), Some("answer")),
        (
            json!({"module": "grounding", "payload": {"claim": "c"}}),
            Some("payload.source"),
        ),
        (
            json!({"module": "versus", "payload": {"a": "x"}}),
            Some("payload.b"),
        ),
        (
            json!({"module": "detective", "payload": {"body": ""}}),
            Some("payload.body"),
        ),
        (
            json!({"module": "redact", "payload": {}}),
            Some("payload.body"),
        ),
        (
            json!({"module": "fixer", "payload": {}}),
            Some("payload.fields"),
        ),
        (
            json!({"module": "sorter", "payload": {"content": "x"}, "card": {"choices": ["Billing", "billing"]}}),
            Some("card.choices"),
        ),
        (
            json!({"module": "sorter", "payload": {"content": "x"}, "card": {"choices": ["Billing"]}, "golden": true, "answer": "Refunds"}),
            Some("answer"),
        ),
    ];
    for (body, field) in cases {
        let response = post_task(&server, &key, &body);
        assert_invalid(&response, field);
    }
    for legacy in ["arena", "decoy", "Swiper"] {
        let response = post_task(&server, &key, &json!({"module": legacy, "payload": {}}));
        assert_invalid(&response, Some("module"));
        let message = response.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        for module in common::GAMES {
            assert!(message.contains(module), "{message}");
        }
    }
    for raw in ["{not json", "[]", "null", "\"x\""] {
        let response = server.review_with(&key, "POST", "/api/v1/tasks", &[], raw.as_bytes());
        assert_eq!(response.status, 400, "{raw}");
        assert_eq!(response.json()["code"], "invalid_json");
    }
    assert_eq!(server.count_rows("review_tasks"), 0);
}

#[test]
fn boundaries_and_lenient_values_are_accepted() {
    let server = TestServer::start();
    let (_, key) = server.review_project("A");
    let ok = |body: Value| server.task(&key, body);
    assert_eq!(
        ok(json!({"module": "swiper", "payload": {}, "reviews_required": "3"}))["reviews_required"],
        3
    );
    assert_eq!(
        ok(json!({"module": "swiper", "payload": {}, "reviews_required": 5.0}))["reviews_required"],
        5
    );
    for timeout in [json!(30), json!(2_592_000), json!("600"), json!(600.0)] {
        let task = ok(
            json!({"module": "swiper", "payload": {}, "mode": "gate", "timeout_seconds": timeout}),
        );
        assert!(task["timeout_seconds"].is_i64(), "{task}");
    }
    assert_eq!(
        ok(json!({"module": "swiper", "payload": {}, "callback_url": ""}))["callback_url"],
        Value::Null
    );
    assert_eq!(
        ok(json!({"module": "swiper", "payload": {}, "golden": "false"}))["golden"],
        false
    );
    let unknown = ok(json!({"module": "swiper", "payload": {}, "priority": 1}));
    assert!(unknown.get("priority").is_none());
    assert_eq!(
        ok(json!({"module": "grounding", "payload": {"content": "c", "source": "s"}}))["module"],
        "grounding"
    );
    assert_eq!(
        ok(json!({"module": "versus", "payload": {"a": "x", "b": "y"}}))["module"],
        "versus"
    );
    assert_eq!(
        ok(json!({"module": "sorter", "payload": {"content": "x"}}))["module"],
        "sorter"
    );
    let golden = ok(
        json!({"module": "sorter", "payload": {"content": "x"}, "card": {"choices": ["Billing", "Spam"]},
        "golden": true, "answer": "Billing"}),
    );
    assert_eq!(
        (golden["golden"].clone(), golden["answer"].clone()),
        (json!(true), json!("Billing"))
    );
    let unknown_card_keys = ok(
        json!({"module": "swiper", "payload": {}, "card": {"title": "T", "theme": {"dark": true}}}),
    );
    assert_eq!(unknown_card_keys["card"]["theme"]["dark"], true);
}

#[test]
fn gate_deadlines_follow_the_timeout_and_monitor_tasks_have_none() {
    let server = TestServer::start();
    let (_, key) = server.review_project("A");
    let millis = |text: &Value| {
        loop_engine::clock::Timestamp::parse_rfc3339(text.as_str().unwrap_or_default())
            .map(loop_engine::clock::Timestamp::unix_millis)
            .unwrap_or_default()
    };
    let gate = server.task(
        &key,
        json!({"module": "swiper", "payload": {}, "mode": "gate", "timeout_seconds": 1800}),
    );
    assert_eq!(
        millis(&gate["expires_at"]) - millis(&gate["created_at"]),
        1_800_000
    );
    assert_eq!(gate["on_timeout"], "escalate");
    let default = server.task(
        &key,
        json!({"module": "swiper", "payload": {}, "mode": "gate"}),
    );
    assert_eq!(
        millis(&default["expires_at"]) - millis(&default["created_at"]),
        86_400_000
    );
    assert_eq!(default["timeout_seconds"], 86_400);
    let monitor = server.task(
        &key,
        json!({"module": "swiper", "payload": {}, "timeout_seconds": 600, "on_timeout": "approve"}),
    );
    assert_eq!(
        (
            monitor["timeout_seconds"].clone(),
            monitor["on_timeout"].clone(),
            monitor["expires_at"].clone()
        ),
        (Value::Null, Value::Null, Value::Null)
    );
}

/// Case 25: each known client's exact request body is accepted.
#[test]
fn every_clients_request_body_is_accepted() {
    let server = TestServer::start();
    let (_, key) = server.review_project("A");
    let generic = |module: &str, source: &str| {
        json!({"module": module, "payload": {"content": "Refund £40 to order 42", "body": "Refund £40 to order 42"},
               "source": source, "card": {"title": "Review"}})
    };
    let mut bodies = vec![
        // MCP: per-module payloads.
        json!({"module": "swiper", "payload": {"content": "Approve this reply?"}, "card": {"title": "Reply"}}),
        json!({"module": "versus", "payload": {"prompt": "Which is better?", "a": {"text": "A"}, "b": {"text": "B"}}}),
        json!({"module": "sorter", "payload": {"content": "Where does this go?"}, "card": {"choices": ["Billing", "Spam"]}}),
        json!({"module": "detective", "payload": {"body": "A long text with an error."}}),
        json!({"module": "fixer", "payload": {"fields": [{"label": "Amount", "value": "£2,400"}]}}),
        json!({"module": "redact", "payload": {"body": "Mail john@example.com"}}),
        json!({"module": "grounding", "payload": {"claim": "Sky is green", "source": "The sky is blue."}}),
        // Make: every mapped key, unset ones as "".
        json!({"module": "grounding", "mode": "gate", "source": "make", "external_id": "", "callback_url": "",
               "timeout_seconds": "", "on_timeout": "", "reviews_required": "",
               "payload": {"content": "c", "body": "c", "claim": "", "source": "s"}, "card": {"title": ""}}),
        // Dify create-and-wait and Flowise: gate defaults.
        json!({"module": "swiper", "mode": "gate", "timeout_seconds": 300, "on_timeout": "escalate",
               "payload": {"content": "x"}, "card": {"title": "Review"}, "reviews_required": 1}),
        json!({"module": "swiper", "mode": "gate", "timeout_seconds": 3600, "on_timeout": "escalate", "source": "flowise",
               "payload": {"content": "x", "body": "x"}, "card": {"title": "Review"}, "reviews_required": 1,
               "external_id": "flow-1"}),
    ];
    for (module, source) in [
        ("swiper", "zapier"),
        ("sorter", "zapier"),
        ("fixer", "pipedream"),
        ("detective", "activepieces"),
        ("redact", "pipedream"),
        ("swiper", "activepieces"),
    ] {
        bodies.push(generic(module, source));
    }
    let mut zapier = generic("swiper", "zapier");
    zapier["external_id"] = json!("order-42");
    zapier["callback_url"] = json!("https://hooks.zapier.com/hooks/standard/1/abc");
    zapier["mode"] = json!("monitor");
    zapier["reviews_required"] = json!(1);
    bodies.push(zapier);
    for body in &bodies {
        let response = post_task(&server, &key, body);
        assert_eq!(response.status, 201, "{body}: {}", response.text());
    }
}

#[test]
fn an_idempotency_key_replays_the_original_task() {
    let server = TestServer::start();
    let (_, key_a) = server.review_project("A");
    let (_, key_b) = server.review_project("B");
    let body = json!({"module": "swiper", "payload": {"content": "first"}});
    let send = |key: &str, header: &str, value: &str, body: &Value| {
        server.review_with(
            key,
            "POST",
            "/api/v1/tasks",
            &[(header, value)],
            body.to_string().as_bytes(),
        )
    };
    let first = send(&key_a, "Idempotency-Key", "k1", &body);
    assert_eq!(first.status, 201);
    assert_eq!(first.header("Idempotent-Replayed"), None);
    let id = first.json()["id"].clone();
    let again = send(&key_a, "Idempotency-Key", "k1", &body);
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["id"], id);
    assert_eq!(again.header("Idempotent-Replayed"), Some("true"));
    // A different body, and even an invalid one, is not looked at.
    let different = send(
        &key_a,
        "IDEMPOTENCY-KEY",
        "k1",
        &json!({"module": "versus", "payload": {"a": "second"}}),
    );
    assert_eq!(different.status, 200);
    assert_eq!(different.json()["payload"]["content"], "first");
    assert!(different.json()["payload"].get("a").is_none());
    assert_eq!(server.count_rows("review_tasks"), 1);
    // Another project's key gets its own task.
    let other = send(&key_b, "Idempotency-Key", "k1", &body);
    assert_eq!(other.status, 201);
    assert_ne!(other.json()["id"], id);
    // An empty key is no key.
    assert_eq!(send(&key_a, "Idempotency-Key", "", &body).status, 201);
    assert_eq!(send(&key_a, "Idempotency-Key", "", &body).status, 201);
    assert_eq!(server.count_rows("review_tasks"), 4);
    // A rejected request does not use its key up.
    let rejected = send(
        &key_a,
        "Idempotency-Key",
        "k3",
        &json!({"module": "nope", "payload": {}}),
    );
    assert_eq!(rejected.status, 422);
    assert_eq!(send(&key_a, "Idempotency-Key", "k3", &body).status, 201);
    // Keys are 1–255 printable ASCII characters.
    let long = "k".repeat(256);
    assert_invalid(
        &send(&key_a, "Idempotency-Key", &long, &body),
        Some("Idempotency-Key"),
    );
    assert_eq!(
        send(&key_a, "Idempotency-Key", &"k".repeat(255), &body).status,
        201
    );
}

#[test]
fn concurrent_first_requests_with_one_key_create_one_task() {
    let server = TestServer::start();
    let (_, key) = server.review_project("A");
    let body = json!({"module": "swiper", "payload": {"content": "once"}}).to_string();
    let answers: Vec<(u16, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..10)
            .map(|_| {
                scope.spawn(|| {
                    let response = server.review_with(
                        &key,
                        "POST",
                        "/api/v1/tasks",
                        &[("Idempotency-Key", "k2")],
                        body.as_bytes(),
                    );
                    (
                        response.status,
                        response.json()["id"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert_eq!(
        answers.iter().filter(|(status, _)| *status == 201).count(),
        1,
        "{answers:?}"
    );
    assert_eq!(
        answers.iter().filter(|(status, _)| *status == 200).count(),
        9,
        "{answers:?}"
    );
    let ids: HashSet<&String> = answers.iter().map(|(_, id)| id).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(server.count_rows("review_tasks"), 1);
}

#[test]
fn tasks_are_listed_newest_first_with_filters() {
    let server = TestServer::start();
    let (_, key) = server.review_project("A");
    let first = server.task(
        &key,
        json!({"module": "swiper", "payload": {}, "source": "zapier", "external_id": "e1"}),
    );
    let second = server.task(
        &key,
        json!({"module": "sorter", "payload": {}, "source": "make"}),
    );
    let third = server.task(
        &key,
        json!({"module": "swiper", "payload": {}, "source": "make", "external_id": "e1"}),
    );
    let ids = |path: &str| -> Vec<Value> {
        let response = server.review(&key, "GET", path, None);
        assert_eq!(response.status, 200, "{path}: {}", response.text());
        response
            .json()
            .as_array()
            .map(|a| a.iter().map(|t| t["id"].clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(
        ids("/api/v1/tasks"),
        [
            third["id"].clone(),
            second["id"].clone(),
            first["id"].clone()
        ]
    );
    assert_eq!(ids("/api/v1/tasks?limit=1"), [third["id"].clone()]);
    assert_eq!(ids("/api/v1/tasks?module=sorter"), [second["id"].clone()]);
    assert_eq!(
        ids("/api/v1/tasks?source=make"),
        [third["id"].clone(), second["id"].clone()]
    );
    assert_eq!(
        ids("/api/v1/tasks?external_id=e1"),
        [third["id"].clone(), first["id"].clone()]
    );
    assert_eq!(ids("/api/v1/tasks?status=pending&module=swiper").len(), 2);
    assert!(ids("/api/v1/tasks?status=reviewed").is_empty());
    let before = third["created_at"].as_str().unwrap_or_default();
    let listed_before = ids(&format!("/api/v1/tasks?before={before}"));
    assert!(!listed_before.contains(&third["id"]) && listed_before.contains(&first["id"]));
    for (bad, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=x", "limit"),
        ("status=done", "status"),
        ("module=arena", "module"),
        ("before=yesterday", "before"),
    ] {
        assert_invalid(
            &server.review(&key, "GET", &format!("/api/v1/tasks?{bad}"), None),
            Some(field),
        );
    }
}

#[test]
fn a_deleted_task_is_gone_and_frees_its_idempotency_key() {
    let server = TestServer::start();
    let (_, key) = server.review_project("A");
    let body = json!({"module": "swiper", "payload": {}}).to_string();
    let create = || {
        server.review_with(
            &key,
            "POST",
            "/api/v1/tasks",
            &[("Idempotency-Key", "del")],
            body.as_bytes(),
        )
    };
    let task = create().json();
    let path = format!("/api/v1/tasks/{}", task["id"].as_str().unwrap_or_default());
    let deleted = server.review(&key, "DELETE", &path, None);
    assert_eq!((deleted.status, deleted.body.len()), (204, 0));
    assert_eq!(server.review(&key, "GET", &path, None).status, 404);
    assert_eq!(server.review(&key, "DELETE", &path, None).status, 404);
    let recreated = create();
    assert_eq!(recreated.status, 201);
    assert_ne!(recreated.json()["id"], task["id"]);
}

#[test]
fn unknown_ids_routes_and_methods_are_json_errors() {
    let server = TestServer::start();
    let (_, key) = server.review_project("A");
    let missing = server.review(&key, "GET", "/api/v1/tasks/not-a-uuid", None);
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.json(),
        json!({"error": "task not found", "code": "not_found"})
    );
    let wrong_method = server.review(&key, "PUT", "/api/v1/tasks", None);
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.json()["code"], "method_not_allowed");
    assert!(
        wrong_method
            .header("Allow")
            .is_some_and(|a| a.contains("POST") && a.contains("GET"))
    );
    let unknown = server.review(&key, "GET", "/api/v1/nope", None);
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["code"], "not_found");
    // A single trailing slash is ignored.
    assert_eq!(
        server.review(&key, "GET", "/api/v1/tasks/", None).status,
        200
    );
    assert_eq!(server.review(&key, "GET", "/api/v1/me/", None).status, 200);
}

#[test]
fn bodies_over_one_mebibyte_are_refused_and_store_nothing() {
    let server = TestServer::start();
    let (_, key) = server.review_project("A");
    let big =
        json!({"module": "swiper", "payload": {"content": "x".repeat(1_100_000)}}).to_string();
    let response = server.review_with(&key, "POST", "/api/v1/tasks", &[], big.as_bytes());
    assert_eq!(response.status, 413);
    assert_eq!(response.json()["code"], "payload_too_large");
    assert_eq!(server.count_rows("review_tasks"), 0);
}
