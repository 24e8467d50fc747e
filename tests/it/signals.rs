//! Signal intake through real HTTP (docs/engine-api.md#signals; docs/decisions.md#no-500-for-a-clients-mistake, docs/decisions.md#webhooks-without-a-bearer-key):
//! payloads are signed in the test exactly as each provider signs them.

use crate::common;

use common::{TestServer, hmac_sha256_hex};
use loop_engine::config::WebhookSecrets;
use serde_json::{Value, json};

const GITHUB_SECRET: &str = "gh-secret";
const SENTRY_SECRET: &str = "sentry-secret";
const POSTHOG_SECRET: &str = "posthog-secret";

fn server() -> TestServer {
    TestServer::start_with(|c| {
        c.webhook_secrets = WebhookSecrets {
            github: Some(GITHUB_SECRET.to_owned()),
            sentry: Some(SENTRY_SECRET.to_owned()),
            posthog: Some(POSTHOG_SECRET.to_owned()),
        };
    })
}

fn github(server: &TestServer, event: &str, body: &str, secret: &str) -> common::Response {
    let signature = format!(
        "sha256={}",
        hmac_sha256_hex(secret.as_bytes(), body.as_bytes())
    );
    server.send(
        "POST",
        "/api/signals/github",
        &[
            ("X-GitHub-Event", event),
            ("X-Hub-Signature-256", &signature),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    )
}

/// Sentry signs `JSON.stringify(JSON.parse(body))`; `canonical` is that string, computed
/// here by hand so the test does not trust the server's own canonicaliser.
fn sentry(server: &TestServer, body: &str, canonical: &str, secret: &str) -> common::Response {
    let signature = hmac_sha256_hex(secret.as_bytes(), canonical.as_bytes());
    server.send(
        "POST",
        "/api/signals/sentry",
        &[("Sentry-Hook-Signature", &signature)],
        body.as_bytes(),
    )
}

fn posthog(server: &TestServer, body: &Value, secret: &str) -> common::Response {
    server.send(
        "POST",
        "/api/signals/posthog",
        &[
            ("X-PostHog-Secret", secret),
            ("Content-Type", "application/json"),
        ],
        body.to_string().as_bytes(),
    )
}

fn data(response: &common::Response) -> Value {
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()["data"].clone()
}

#[test]
fn generic_signal_creates_a_linked_triage_issue() {
    let server = server();
    let recorded = data(&server.post("/api/signals", json!({
        "source": "test-source", "type": "error", "severity": "medium",
        "payload": {"message": "Something broke", "n": 1.0}, "sourceId": "ext-id-456", "projectId": "proj_123"
    })));
    let (signal, issue) = (&recorded["signal"], &recorded["issue"]);
    assert_eq!(
        (
            signal["source"].as_str(),
            signal["type"].as_str(),
            signal["severity"].as_str()
        ),
        (Some("test-source"), Some("error"), Some("medium"))
    );
    assert_eq!(signal["sourceId"], "ext-id-456");
    assert_eq!(
        signal["payload"],
        json!({"message": "Something broke", "n": 1})
    );
    assert_eq!(signal["issueId"], issue["id"]);
    assert_eq!(issue["type"], "signal");
    assert_eq!(issue["status"], "triage");
    assert_eq!(issue["priority"], 3);
    assert_eq!(issue["title"], "[test-source] error: Something broke");
    assert_eq!(issue["projectId"], "proj_123");
    assert_eq!(issue["signalSource"], "test-source");
    assert_eq!(issue["signalPayload"], signal["payload"]);
    let stored = server.get(&format!(
        "/api/issues/{}",
        issue["id"].as_str().unwrap_or_default()
    ));
    assert_eq!(stored.status, 200, "the issue is stored");
    // And so is the signal row beside it (there is no route that reads signals back).
    let conn = rusqlite::Connection::open(server.db_path()).expect("open the database");
    let row: (
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        String,
    ) = conn
        .query_row(
            "SELECT id, source, type, severity, source_id, payload, issue_id FROM signals",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            },
        )
        .expect("exactly one signal row");
    assert_eq!(Some(row.0.as_str()), signal["id"].as_str());
    assert_eq!(
        (
            row.1.as_str(),
            row.2.as_str(),
            row.3.as_str(),
            row.4.as_deref()
        ),
        ("test-source", "error", "medium", Some("ext-id-456"))
    );
    assert_eq!(
        serde_json::from_str::<Value>(&row.5).ok(),
        Some(json!({"message": "Something broke", "n": 1}))
    );
    assert_eq!(Some(row.6.as_str()), issue["id"].as_str());
}

#[test]
fn generic_titles_and_priorities() {
    let server = server();
    let title = |payload: Value| {
        data(&server.post(
            "/api/signals",
            json!({"source": "s", "type": "t", "severity": "low", "payload": payload}),
        ))["issue"]["title"]
            .clone()
    };
    assert_eq!(
        title(json!({"title": "Dependabot security alert"})),
        "[s] t: Dependabot security alert"
    );
    assert_eq!(title(json!({})), "[s] t: t");
    assert_eq!(title(json!({"message": 42, "title": "T"})), "[s] t: T");
    for (severity, priority) in [("critical", 1), ("high", 2), ("medium", 3), ("low", 4)] {
        let issue = data(&server.post(
            "/api/signals",
            json!({"source": "s", "type": "t", "severity": severity, "payload": {}}),
        ))["issue"]
            .clone();
        assert_eq!(issue["priority"], priority, "{severity}");
    }
}

#[test]
fn generic_validation() {
    let server = server();
    let valid = json!({"source": "s", "type": "t", "severity": "low", "payload": {}});
    for (field, bad) in [
        ("source", Value::Null),
        ("type", Value::Null),
        ("severity", json!("ultra")),
        ("payload", Value::Null),
        ("payload", json!([1])),
        ("payload", json!("x")),
        ("source", json!("")),
        ("sourceId", json!(5)),
    ] {
        let mut body = valid.clone();
        if bad.is_null() {
            body.as_object_mut().map(|o| o.remove(field));
        } else {
            body[field] = bad.clone();
        }
        assert_eq!(
            server.post("/api/signals", body.clone()).status,
            400,
            "{body}"
        );
    }
    assert_eq!(
        server
            .post(
                "/api/signals",
                json!({"source": "s", "type": "t", "severity": "low", "payload": null})
            )
            .status,
        400
    );
    assert_eq!(
        server.get("/api/issues").json()["total"],
        0,
        "nothing stored by rejected signals"
    );
    assert_eq!(
        server
            .send("POST", "/api/signals", &[], valid.to_string().as_bytes())
            .status,
        401,
        "the generic route needs the key"
    );
}

#[test]
fn github_webhooks() {
    let server = server();
    let body =
        json!({"repository": {"full_name": "dork-labs/loop"}, "sender": {"login": "octocat"}})
            .to_string();
    let push = data(&github(&server, "push", &body, GITHUB_SECRET));
    assert_eq!(
        (
            push["signal"]["source"].as_str(),
            push["signal"]["type"].as_str()
        ),
        (Some("github"), Some("push"))
    );
    assert_eq!(
        push["issue"]["title"],
        "GitHub: push on dork-labs/loop by octocat"
    );
    assert_eq!(push["issue"]["priority"], 4);
    assert_eq!(push["issue"]["projectId"], Value::Null);

    let opened = json!({"action": "opened", "issue": {"number": 1}, "repository": {"full_name": "dork-labs/loop"}, "sender": {"login": "octocat"}}).to_string();
    let issues = data(&github(&server, "issues", &opened, GITHUB_SECRET));
    assert_eq!(
        issues["issue"]["title"],
        "GitHub: issues on dork-labs/loop by octocat"
    );
    assert_eq!(issues["signal"]["sourceId"], "issues.opened");
    assert_eq!(issues["signal"]["severity"], "medium");
    let advisory = data(&github(&server, "security_advisory", "{}", GITHUB_SECRET));
    assert_eq!(
        (
            advisory["signal"]["severity"].as_str(),
            advisory["issue"]["priority"].as_i64()
        ),
        (Some("critical"), Some(1))
    );
    let ping = data(&github(
        &server,
        "ping",
        r#"{"zen":"Keep it logically awesome."}"#,
        GITHUB_SECRET,
    ));
    assert_eq!(ping["issue"]["title"], "GitHub: ping on unknown by unknown");

    // The signature covers the raw bytes, whitespace and all.
    let spaced = "{ \"action\" : \"closed\" }";
    assert_eq!(github(&server, "issues", spaced, GITHUB_SECRET).status, 201);
}

#[test]
fn github_rejections() {
    let server = server();
    let body = r#"{"action":"opened"}"#;
    let wrong = github(&server, "issues", body, "wrong-secret");
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json(), json!({"error": "Invalid webhook signature"}));
    let invalid = server.send(
        "POST",
        "/api/signals/github",
        &[("X-Hub-Signature-256", "sha256=invalid-signature")],
        body.as_bytes(),
    );
    assert_eq!(
        invalid.json(),
        json!({"error": "Invalid webhook signature"})
    );
    let missing = server.send(
        "POST",
        "/api/signals/github",
        &[("X-GitHub-Event", "issues")],
        body.as_bytes(),
    );
    assert_eq!(missing.status, 401);
    assert_eq!(
        missing.json(),
        json!({"error": "Missing X-Hub-Signature-256 header"})
    );
    // A body tampered with after signing.
    let signature = format!(
        "sha256={}",
        hmac_sha256_hex(GITHUB_SECRET.as_bytes(), body.as_bytes())
    );
    let tampered = server.send(
        "POST",
        "/api/signals/github",
        &[("X-Hub-Signature-256", &signature)],
        br#"{"action":"closed"}"#,
    );
    assert_eq!(tampered.status, 401);
    // Upper-case hex is not what GitHub sends.
    let upper = format!(
        "sha256={}",
        hmac_sha256_hex(GITHUB_SECRET.as_bytes(), body.as_bytes()).to_uppercase()
    );
    assert_eq!(
        server
            .send(
                "POST",
                "/api/signals/github",
                &[("X-Hub-Signature-256", &upper)],
                body.as_bytes()
            )
            .status,
        401
    );
    // Correctly signed but not JSON, or JSON null: 400, never 500.
    assert_eq!(
        github(&server, "issues", "not json", GITHUB_SECRET).status,
        400
    );
    assert_eq!(github(&server, "issues", "null", GITHUB_SECRET).status, 400);
    // An array is accepted and stored as the payload.
    let array = data(&github(&server, "push", "[1,2]", GITHUB_SECRET));
    assert_eq!(array["signal"]["payload"], json!([1, 2]));
    assert_eq!(server.get("/api/issues").json()["total"], 1);
}

#[test]
fn sentry_webhooks() {
    let server = server();
    let body = r#"{ "action": "created", "data": { "issue": { "id": "12345", "title": "ReferenceError: foo is not defined", "count": 15.0, "level": "error" } } }"#;
    let canonical = r#"{"action":"created","data":{"issue":{"id":"12345","title":"ReferenceError: foo is not defined","count":15,"level":"error"}}}"#;
    let recorded = data(&sentry(&server, body, canonical, SENTRY_SECRET));
    assert_eq!(
        (
            recorded["signal"]["source"].as_str(),
            recorded["signal"]["type"].as_str()
        ),
        (Some("sentry"), Some("created"))
    );
    assert_eq!(recorded["signal"]["sourceId"], "12345");
    assert_eq!(
        recorded["issue"]["title"],
        "Sentry: ReferenceError: foo is not defined (15 events)"
    );
    assert_eq!(recorded["issue"]["priority"], 2);

    for (level, count, severity, priority) in [
        ("fatal", 1, "critical", 1),
        ("error", 150, "critical", 1),
        ("warning", 1, "medium", 3),
        ("info", 1, "low", 4),
    ] {
        let text =
            format!(r#"{{"data":{{"issue":{{"level":"{level}","count":{count},"id":"99999"}}}}}}"#);
        let recorded = data(&sentry(&server, &text, &text, SENTRY_SECRET));
        assert_eq!(
            (
                recorded["signal"]["severity"].as_str(),
                recorded["issue"]["priority"].as_i64()
            ),
            (Some(severity), Some(priority)),
            "{level}"
        );
        assert_eq!(recorded["signal"]["sourceId"], "99999");
    }

    // Signed over JavaScript's canonical form: unicode, escapes, floats, duplicate keys.
    let tricky = "{\"data\":{\"issue\":{\"title\":\"Caf\\u00e9 \\/ \\u2028 \\ud83d\\ude00\",\"count\":1.50,\"big\":1e21,\"z\":-0,\"a\":1,\"a\":2}},\"msg\":\"tab\\there\\u0001\"}";
    let tricky_canonical = "{\"data\":{\"issue\":{\"title\":\"Café / \u{2028} 😀\",\"count\":1.5,\"big\":1e+21,\"z\":0,\"a\":2}},\"msg\":\"tab\\there\\u0001\"}";
    let recorded = data(&sentry(&server, tricky, tricky_canonical, SENTRY_SECRET));
    assert_eq!(
        recorded["issue"]["title"],
        "Sentry: Café / \u{2028} 😀 (1.5 events)"
    );
    // Signing the raw body instead of the canonical form fails.
    assert_eq!(sentry(&server, tricky, tricky, SENTRY_SECRET).status, 401);
}

#[test]
fn sentry_rejections() {
    let server = server();
    let body = r#"{"action":"created"}"#;
    let wrong = sentry(&server, body, body, "wrong");
    assert_eq!(wrong.json(), json!({"error": "Invalid webhook signature"}));
    let invalid = server.send(
        "POST",
        "/api/signals/sentry",
        &[("Sentry-Hook-Signature", "invalid-signature")],
        body.as_bytes(),
    );
    assert_eq!(invalid.status, 401);
    // A signature made for one body does not pass another.
    let signed = r#"{"action":"created","data":{"issue":{"title":"Harmless","level":"info"}}}"#;
    let tampered = r#"{"action":"created","data":{"issue":{"title":"Harmless","level":"fatal"}}}"#;
    let tampered_response = sentry(&server, tampered, signed, SENTRY_SECRET);
    assert_eq!(
        (tampered_response.status, tampered_response.json()),
        (401, json!({"error": "Invalid webhook signature"}))
    );
    assert_eq!(
        sentry(&server, signed, signed, SENTRY_SECRET).status,
        201,
        "the same signature passes with the body it was made for"
    );
    let missing = server.send("POST", "/api/signals/sentry", &[], body.as_bytes());
    assert_eq!(
        missing.json(),
        json!({"error": "Missing Sentry-Hook-Signature header"})
    );
    assert_eq!(sentry(&server, "{oops", "{oops", SENTRY_SECRET).status, 400);
    assert_eq!(sentry(&server, "null", "null", SENTRY_SECRET).status, 400);
    let issues = server.get("/api/issues").json();
    assert_eq!(issues["total"], 1, "only the genuine delivery was recorded");
    assert_eq!(issues["data"][0]["title"], "Sentry: Harmless (1 events)");
}

#[test]
fn posthog_webhooks() {
    let server = server();
    let recorded = data(&posthog(
        &server,
        &json!({"name": "page_load_time", "value": 30, "timeframe": "24h"}),
        POSTHOG_SECRET,
    ));
    assert_eq!(
        (
            recorded["signal"]["source"].as_str(),
            recorded["signal"]["type"].as_str()
        ),
        (Some("posthog"), Some("metric_change"))
    );
    assert_eq!(
        (
            recorded["issue"]["type"].as_str(),
            recorded["issue"]["status"].as_str()
        ),
        (Some("signal"), Some("triage"))
    );
    assert_eq!(recorded["signal"]["issueId"], recorded["issue"]["id"]);
    assert_eq!(recorded["signal"]["sourceId"], Value::Null);
    let error_rate = data(&posthog(
        &server,
        &json!({"name": "error_rate", "value": 55, "timeframe": "1h"}),
        POSTHOG_SECRET,
    ));
    assert_eq!(error_rate["issue"]["title"], "PostHog: error_rate 55% (1h)");
    assert_eq!(
        data(&posthog(&server, &json!({"value": 60}), POSTHOG_SECRET))["issue"]["priority"],
        1
    );
    assert_eq!(
        data(&posthog(&server, &json!({"value": 5}), POSTHOG_SECRET))["signal"]["severity"],
        "low"
    );
    let signup = data(&posthog(
        &server,
        &json!({"event": {"name": "signup"}, "value": -12.5}),
        POSTHOG_SECRET,
    ));
    assert_eq!(
        (
            signup["issue"]["title"].as_str(),
            signup["issue"]["priority"].as_i64()
        ),
        (Some("PostHog: signup -12.5% (recent)"), Some(3))
    );

    let wrong = posthog(&server, &json!({"value": 5}), "wrong-secret");
    assert_eq!(
        (wrong.status, wrong.json()),
        (401, json!({"error": "Invalid webhook secret"}))
    );
    let missing = server.send("POST", "/api/signals/posthog", &[], b"{}");
    assert_eq!(
        missing.json(),
        json!({"error": "Missing X-PostHog-Secret header"})
    );
    let bad = server.send(
        "POST",
        "/api/signals/posthog",
        &[("X-PostHog-Secret", POSTHOG_SECRET)],
        b"nope",
    );
    assert_eq!(bad.status, 400);
}

#[test]
fn webhooks_need_no_bearer_but_a_configured_secret() {
    let server = TestServer::start();
    for (path, variable) in [
        ("/api/signals/github", "GITHUB_WEBHOOK_SECRET"),
        ("/api/signals/sentry", "SENTRY_CLIENT_SECRET"),
        ("/api/signals/posthog", "POSTHOG_WEBHOOK_SECRET"),
    ] {
        let response = server.send("POST", path, &[], b"{}");
        assert_eq!(response.status, 503, "{path}");
        assert_eq!(
            response.json(),
            json!({"error": format!("{variable} not configured")})
        );
    }
    // With a secret, a valid delivery needs no Authorization header at all (checked above),
    // and a bearer key is no substitute for the provider signature.
    let server = self::server();
    let auth = format!("Bearer {}", common::KEY);
    assert_eq!(
        server
            .send(
                "POST",
                "/api/signals/github",
                &[("Authorization", &auth)],
                b"{}"
            )
            .status,
        401
    );
}

/// `levels` arrays nested inside each other.
fn nested(levels: usize) -> String {
    "[".repeat(levels) + &"]".repeat(levels)
}

#[test]
fn payloads_nested_too_deep_to_read_back_are_refused_at_intake() {
    let server = server();
    let too_deep = json!({"error": "JSON nested more than 100 levels deep is not accepted"});
    let raw_posthog = |body: &str| {
        server.send(
            "POST",
            "/api/signals/posthog",
            &[("X-PostHog-Secret", POSTHOG_SECRET)],
            body.as_bytes(),
        )
    };
    // A generic signal whose whole body nests `levels` deep.
    let raw_generic = |levels: usize| {
        let body = format!(
            r#"{{"source":"s","type":"t","severity":"low","payload":{{"deep":{}}}}}"#,
            nested(levels - 2)
        );
        let auth = format!("Bearer {}", common::KEY);
        server.send(
            "POST",
            "/api/signals",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        )
    };
    for levels in [101, 200] {
        let refused = raw_posthog(&nested(levels));
        assert_eq!(
            (refused.status, refused.json()),
            (400, too_deep.clone()),
            "{levels}"
        );
        let generic = raw_generic(levels);
        assert_eq!(
            (generic.status, generic.json()),
            (400, too_deep.clone()),
            "{levels}"
        );
    }
    assert_eq!(server.get("/api/issues").json()["total"], 0);
    assert_eq!(
        raw_generic(100).status,
        201,
        "the body itself may nest 100 levels"
    );

    // The deepest accepted payload is stored and stays readable everywhere, even inside
    // the deepest response envelope.
    let issue = data(&raw_posthog(&nested(100)))["issue"].clone();
    let path = format!("/api/issues/{}", issue["id"].as_str().unwrap_or_default());
    assert_eq!(server.get(&path).status, 200);
    let preview = server.get(&format!(
        "/api/templates/preview/{}",
        issue["id"].as_str().unwrap_or_default()
    ));
    assert_eq!(preview.status, 200, "{}", preview.text());
    server.patch(&path, json!({"status": "todo"}));
    let claimed = server.get("/api/dispatch/next");
    assert_eq!(claimed.status, 200, "{}", claimed.text());
    assert_eq!(claimed.json()["issue"]["id"], issue["id"]);
    for path in ["/api/issues", "/api/dashboard/activity"] {
        let response = server.get(path);
        assert_eq!(response.status, 200, "{path}");
        assert!(response.json()["data"].is_array(), "{path}");
    }
}
