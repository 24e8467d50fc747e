//! The dashboard through real HTTP (docs/engine-api.md#dashboard; docs/decisions.md#closing-the-loop, docs/decisions.md#dashboard-numbers).

use crate::common;

use common::{TestServer, clocked, id};
use serde_json::{Value, json};

const HOUR: i64 = 3_600_000;

fn stats(server: &TestServer) -> Value {
    server.get("/api/dashboard/stats").json()["data"].clone()
}

#[test]
fn empty_database_shapes() {
    let server = TestServer::start();
    assert_eq!(
        stats(&server),
        json!({
            "issues": {"total": 0, "byStatus": {}, "byType": {}},
            "goals": {"total": 0, "active": 0, "achieved": 0},
            "dispatch": {"queueDepth": 0, "activeCount": 0, "completedLast24h": 0},
            "signOff": {"awaiting": 0, "approved": 0, "flagged": 0, "approvalRate": null}
        })
    );
    assert_eq!(
        server.get("/api/dashboard/activity").json(),
        json!({"data": [], "total": 0})
    );
}

#[test]
fn issue_and_goal_counts() {
    let server = TestServer::start();
    for (status, kind) in [
        ("triage", "signal"),
        ("todo", "signal"),
        ("in_progress", "task"),
        ("done", "task"),
        ("backlog", "plan"),
    ] {
        server.create(
            "/api/issues",
            json!({"title": status, "type": kind, "status": status}),
        );
    }
    let deleted = server.create(
        "/api/issues",
        json!({"title": "gone", "type": "task", "status": "todo"}),
    );
    server.delete(&format!("/api/issues/{}", id(&deleted)));
    let s = stats(&server);
    assert_eq!(s["issues"]["total"], 5);
    assert_eq!(
        s["issues"]["byStatus"],
        json!({"triage": 1, "todo": 1, "in_progress": 1, "done": 1, "backlog": 1})
    );
    assert_eq!(
        s["issues"]["byType"],
        json!({"signal": 2, "task": 2, "plan": 1})
    );
    assert_eq!(s["dispatch"]["queueDepth"], 2);
    assert_eq!(s["dispatch"]["activeCount"], 1);

    for status in ["active", "active", "achieved", "abandoned"] {
        server.create("/api/goals", json!({"title": status, "status": status}));
    }
    let gone = server.create("/api/goals", json!({"title": "gone"}));
    server.delete(&format!("/api/goals/{}", id(&gone)));
    assert_eq!(
        stats(&server)["goals"],
        json!({"total": 4, "active": 2, "achieved": 1})
    );
}

#[test]
fn counts_follow_every_change() {
    let server = TestServer::start();
    let issue = server.create(
        "/api/issues",
        json!({"title": "t", "type": "task", "status": "backlog"}),
    );
    let path = format!("/api/issues/{}", id(&issue));
    server.create(
        "/api/issues",
        json!({"title": "u", "type": "task", "status": "todo"}),
    );
    assert_eq!(stats(&server)["dispatch"]["queueDepth"], 2);
    server.patch(&path, json!({"status": "in_progress", "type": "plan"}));
    let s = stats(&server);
    assert_eq!(
        (
            s["dispatch"]["queueDepth"].as_i64(),
            s["dispatch"]["activeCount"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(s["issues"]["byType"], json!({"task": 1, "plan": 1}));
    server.get("/api/dispatch/next");
    assert_eq!(stats(&server)["dispatch"]["activeCount"], 2);
    server.delete(&path);
    let s = stats(&server);
    assert_eq!(
        (
            s["issues"]["total"].as_i64(),
            s["dispatch"]["activeCount"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(
        s["issues"]["byStatus"],
        json!({"in_progress": 1}),
        "zero counts are left out"
    );
    server.post(
        "/api/signals",
        json!({"source": "s", "type": "t", "severity": "low", "payload": {}}),
    );
    assert_eq!(stats(&server)["issues"]["byType"]["signal"], 1);
}

#[test]
fn completed_in_the_last_day() {
    let (server, clock) = clocked();
    let old = server.create(
        "/api/issues",
        json!({"title": "old", "type": "task", "status": "todo"}),
    );
    server.patch(
        &format!("/api/issues/{}", id(&old)),
        json!({"status": "done"}),
    );
    clock.advance(46 * HOUR);
    server.create(
        "/api/issues",
        json!({"title": "recent", "type": "task", "status": "done"}),
    );
    clock.advance(2 * HOUR);
    assert_eq!(stats(&server)["dispatch"]["completedLast24h"], 1);
    let reopened = server.create(
        "/api/issues",
        json!({"title": "reopened", "type": "task", "status": "done"}),
    );
    server.patch(
        &format!("/api/issues/{}", id(&reopened)),
        json!({"status": "todo"}),
    );
    assert_eq!(
        stats(&server)["dispatch"]["completedLast24h"],
        1,
        "leaving done clears completedAt"
    );
}

#[test]
fn activity_chains() {
    let (server, clock) = clocked();
    let oldest = server.issue("Oldest", "signal");
    clock.advance(HOUR);
    let middle = server.issue("Middle", "signal");
    clock.advance(HOUR);
    let newest = server.issue("Newest", "signal");
    clock.advance(HOUR);
    let titles = |body: &Value| -> Vec<String> {
        body["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["root"]["title"].as_str().map(str::to_owned))
            .collect()
    };
    let body = server.get("/api/dashboard/activity").json();
    assert_eq!(titles(&body), ["Newest", "Middle", "Oldest"]);
    assert_eq!(body["total"], 3);
    assert_eq!(body["data"][0]["children"], json!([]));
    assert_eq!(body["data"][0]["latestActivity"], newest["updatedAt"]);

    // A child's activity lifts its chain; children come oldest first with their relations.
    let child = server.create(
        "/api/issues",
        json!({"title": "child 1", "type": "task", "parentId": oldest["id"]}),
    );
    clock.advance(HOUR);
    let second = server.create(
        "/api/issues",
        json!({"title": "child 2", "type": "task", "parentId": oldest["id"]}),
    );
    server.create(
        &format!("/api/issues/{}/relations", id(&child)),
        json!({"type": "related", "relatedIssueId": middle["id"]}),
    );
    let body = server.get("/api/dashboard/activity").json();
    assert_eq!(titles(&body), ["Oldest", "Newest", "Middle"]);
    let chain = &body["data"][0];
    assert_eq!(chain["latestActivity"], second["updatedAt"]);
    assert_eq!(chain["children"].as_array().map(Vec::len), Some(2));
    assert_eq!(chain["children"][0]["issue"]["id"], child["id"]);
    assert_eq!(
        chain["children"][0]["relations"][0]["relatedIssueId"],
        middle["id"]
    );
    assert_eq!(chain["children"][1]["relations"], json!([]));
    assert_eq!(body["total"], 3, "children are not chains of their own");

    // Limits, and soft-deleted roots and children left out.
    assert_eq!(
        titles(&server.get("/api/dashboard/activity?limit=2").json()).len(),
        2
    );
    assert_eq!(
        server.get("/api/dashboard/activity?limit=0").json(),
        json!({"data": [], "total": 0})
    );
    server.delete(&format!("/api/issues/{}", id(&second)));
    server.delete(&format!("/api/issues/{}", id(&newest)));
    let body = server.get("/api/dashboard/activity").json();
    assert_eq!(titles(&body), ["Oldest", "Middle"]);
    assert_eq!(
        body["data"][0]["children"].as_array().map(Vec::len),
        Some(1)
    );
    for bad in ["limit=2.5", "limit=-1", "limit=abc", "limit=1&limit=2"] {
        assert_eq!(
            server.get(&format!("/api/dashboard/activity?{bad}")).status,
            400,
            "{bad}"
        );
    }
}

#[test]
fn activity_limits_have_no_upper_bound() {
    // docs/engine-api.md#dashboard: any whole limit is honoured, as in the original.
    let server = TestServer::start();
    let conn = rusqlite::Connection::open(server.db_path()).expect("open");
    conn.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250)
         INSERT INTO issues (id, title, type, status, priority, created_at, updated_at)
         SELECT 'root-' || i, 'root ' || i, 'task', 'todo', 3, '2026-01-01T00:00:00.000Z',
                strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || i || ' seconds') FROM n;",
    )
    .expect("bulk insert");
    loop_engine::testing::fill_dispatch_columns(&conn).expect("backfill");
    let chains = |query: &str| {
        let response = server.get(&format!("/api/dashboard/activity{query}"));
        assert_eq!(response.status, 200, "{query}: {}", response.text());
        let body = response.json();
        let titles: Vec<String> = body["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["root"]["title"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(body["total"].as_u64(), u64::try_from(titles.len()).ok());
        titles
    };
    assert_eq!(chains("").len(), 20);
    let some = chains("?limit=201");
    assert_eq!(some.len(), 201);
    assert_eq!(
        (
            some.first().map(String::as_str),
            some.last().map(String::as_str)
        ),
        (Some("root 250"), Some("root 50"))
    );
    assert_eq!(chains("?limit=100000").len(), 250);
}

fn template_entry(body: &Value, slug: &str) -> Value {
    body["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["template"]["slug"] == slug)
        .cloned()
        .unwrap_or(Value::Null)
}

#[test]
fn prompt_health() {
    let server = TestServer::start();
    let body = server.get("/api/dashboard/prompts").json();
    assert_eq!(
        body["data"].as_array().map(Vec::len),
        Some(5),
        "the defaults are listed"
    );
    assert!(body.get("total").is_none());
    let seed = template_entry(&body, "task-execution");
    for key in [
        "template",
        "activeVersion",
        "recentVersions",
        "reviewSummary",
        "needsAttention",
        "signOffByVersion",
    ] {
        assert!(seed.get(key).is_some(), "{key}");
    }
    assert_eq!(seed["activeVersion"]["id"], "ver_default_task_execution_v1");
    assert_eq!(
        seed["reviewSummary"],
        json!({"totalReviews": 0, "avgClarity": null, "avgCompleteness": null, "avgRelevance": null, "compositeScore": null})
    );
    assert_eq!(seed["needsAttention"], false);

    let bare = server.create("/api/templates", json!({"slug": "bare", "name": "Bare"}));
    let gone = server.create("/api/templates", json!({"slug": "gone", "name": "Gone"}));
    server.delete(&format!("/api/templates/{}", id(&gone)));
    let body = server.get("/api/dashboard/prompts").json();
    assert_eq!(body["data"].as_array().map(Vec::len), Some(6));
    let entry = template_entry(&body, "bare");
    assert_eq!(
        (
            entry["activeVersion"].clone(),
            entry["recentVersions"].clone()
        ),
        (Value::Null, json!([]))
    );
    assert_eq!(entry["reviewSummary"]["totalReviews"], 0);

    let versions = format!("/api/templates/{}/versions", id(&bare));
    for n in 1..=7 {
        server.create(
            &versions,
            json!({"content": format!("v{n}"), "authorType": "human", "authorName": "a"}),
        );
    }
    let entry = template_entry(&server.get("/api/dashboard/prompts").json(), "bare");
    let numbers: Vec<i64> = entry["recentVersions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["version"].as_i64())
        .collect();
    assert_eq!(numbers, [7, 6, 5, 4, 3]);
    assert_eq!(
        entry["activeVersion"],
        Value::Null,
        "version 1 is active but not among the five most recent"
    );

    let v2 = server.get(&format!("{versions}?limit=200")).json()["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["version"] == 7)
        .cloned()
        .unwrap_or(Value::Null);
    server.post(&format!("{versions}/{}/promote", id(&v2)), json!({}));
    let version_id = id(&v2);
    for scores in [(4, 5, 3), (2, 3, 5)] {
        server.post("/api/prompt-reviews", json!({"versionId": version_id, "issueId": "i", "clarity": scores.0, "completeness": scores.1, "relevance": scores.2}));
    }
    let entry = template_entry(&server.get("/api/dashboard/prompts").json(), "bare");
    assert_eq!(entry["activeVersion"]["version"], 7);
    let summary = &entry["reviewSummary"];
    assert_eq!(summary["totalReviews"], 2);
    assert_eq!(
        (
            summary["avgClarity"].as_f64(),
            summary["avgCompleteness"].as_f64(),
            summary["avgRelevance"].as_f64()
        ),
        (Some(3.0), Some(4.0), Some(4.0))
    );
    assert!(
        summary["avgClarity"].is_number(),
        "averages are JSON numbers"
    );
    assert_eq!(
        summary["compositeScore"],
        entry["activeVersion"]["reviewScore"]
    );

    // needsAttention (docs/engine-api.md#dashboard): a score below 3.0 or a completion rate below 0.5,
    // each only when present (the rate is only ever set in the database).
    let conn = rusqlite::Connection::open(server.db_path()).expect("open");
    for (score, rate, expected) in [
        (Some(2.5), Some(0.8), true),
        (Some(4.0), Some(0.3), true),
        (Some(4.2), Some(0.85), false),
        (Some(3.0), Some(0.5), false),
        (Some(2.999), Some(0.5), true),
        (Some(3.0), Some(0.499), true),
        (None, Some(0.2), true),
        (None, Some(0.5), false),
        (Some(2.0), None, true),
        (None, None, false),
    ] {
        conn.execute(
            "UPDATE prompt_versions SET review_score = ?1, completion_rate = ?2 WHERE id = ?3",
            rusqlite::params![score, rate, version_id],
        )
        .expect("update");
        let entry = template_entry(&server.get("/api/dashboard/prompts").json(), "bare");
        assert_eq!(entry["needsAttention"], expected, "{score:?} / {rate:?}");
        assert_eq!(entry["reviewSummary"]["compositeScore"].as_f64(), score);
    }
}
