//! Dispatch through real HTTP (docs/engine-api.md#dispatch; docs/decisions.md#dispatch-order, docs/decisions.md#claim-leases, docs/decisions.md#client-compatibility):
//! ordering, blocking, atomic claims under concurrency, prompts, and claim leases with a
//! controlled clock.

use crate::common;

use std::collections::HashSet;

use common::{TestServer, clocked, clocked_with, id};
use loop_engine::clock::Timestamp;
use serde_json::{Value, json};

const DAY: i64 = 86_400_000;

fn todo(server: &TestServer, title: &str, kind: &str, priority: i64) -> Value {
    server.create(
        "/api/issues",
        json!({"title": title, "type": kind, "priority": priority, "status": "todo"}),
    )
}

fn next(server: &TestServer) -> common::Response {
    server.get("/api/dispatch/next")
}

fn claimed_title(server: &TestServer) -> String {
    let response = next(server);
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()["issue"]["title"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn relate(server: &TestServer, from: &Value, kind: &str, to: &Value) {
    server.create(
        &format!("/api/issues/{}/relations", id(from)),
        json!({"type": kind, "relatedIssueId": to["id"]}),
    );
}

fn status(server: &TestServer, path: &str) -> String {
    server.get(path).json()["data"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn claims_the_highest_priority_with_its_prompt() {
    let server = TestServer::start();
    todo(&server, "low", "task", 4);
    todo(&server, "urgent", "task", 1);
    todo(&server, "medium", "task", 3);
    let response = next(&server).json();
    assert_eq!(response["issue"]["title"], "urgent");
    assert_eq!(response["issue"]["status"], "in_progress");
    let keys: Vec<&String> = response["issue"]
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        ["id", "number", "title", "type", "priority", "status"]
    );
    assert!(
        response["prompt"]
            .as_str()
            .is_some_and(|p| p.starts_with("# Task Execution: urgent"))
    );
    assert_eq!(
        response["meta"],
        json!({
            "templateSlug": "task-execution", "templateId": "tpl_default_task_execution",
            "versionId": "ver_default_task_execution_v1", "versionNumber": 1, "reviewUrl": "POST /api/prompt-reviews"
        })
    );
    assert!(response.get("data").is_none(), "the answer is unwrapped");
    let stored = server
        .get(&format!(
            "/api/issues/{}",
            response["issue"]["id"].as_str().unwrap_or_default()
        ))
        .json()["data"]
        .clone();
    assert_eq!(stored["status"], "in_progress");
    assert!(stored["claimedAt"].is_string());
    assert_eq!(claimed_title(&server), "medium");
    assert_eq!(claimed_title(&server), "low");
    let empty = next(&server);
    assert_eq!(empty.status, 204);
    assert!(empty.body.is_empty());
}

#[test]
fn only_todo_issues_are_candidates() {
    let server = TestServer::start();
    for status in ["triage", "backlog", "in_progress", "done", "canceled"] {
        server.create(
            "/api/issues",
            json!({"title": status, "type": "task", "priority": 1, "status": status}),
        );
    }
    assert_eq!(next(&server).status, 204);
    let deleted = todo(&server, "deleted", "task", 1);
    server.delete(&format!("/api/issues/{}", id(&deleted)));
    assert_eq!(next(&server).status, 204);
    assert_eq!(
        server.get("/api/dispatch/queue").json(),
        json!({"data": [], "total": 0})
    );
}

#[test]
fn each_score_component_orders_claims() {
    let (server, clock) = clocked();
    // Type: signal 50 > hypothesis 40 > plan 30 > task 20 > monitor 10 (same priority).
    for kind in ["monitor", "task", "plan", "hypothesis", "signal"] {
        todo(&server, kind, kind, 3);
    }
    let order: Vec<String> = (0..5).map(|_| claimed_title(&server)).collect();
    assert_eq!(order, ["signal", "hypothesis", "plan", "task", "monitor"]);

    // Priority weights: 1 100, 2 75, 3 50, 4 25, 0 10.
    for priority in [0, 4, 3, 2, 1] {
        todo(&server, &format!("p{priority}"), "task", priority);
    }
    let order: Vec<String> = (0..5).map(|_| claimed_title(&server)).collect();
    assert_eq!(order, ["p1", "p2", "p3", "p4", "p0"]);

    // Age: one point per whole day, so a 26-day-old low task (25 + 20 + 26 = 71) beats
    // a new medium one (50 + 20 = 70).
    let old = todo(&server, "old low", "task", 4);
    clock.advance(26 * DAY);
    todo(&server, "new medium", "task", 3);
    assert_eq!(claimed_title(&server), "old low");
    assert_eq!(claimed_title(&server), "new medium");

    // Goal: +20 when the project has an active goal (by the goal's projectId).
    let project = server.create("/api/projects", json!({"name": "P"}));
    todo(&server, "plain", "task", 3);
    let aligned = server.create("/api/issues", json!({"title": "aligned", "type": "task", "priority": 3, "status": "todo", "projectId": project["id"]}));
    assert_eq!(
        server.get("/api/dispatch/queue").json()["data"][0]["issue"]["title"],
        "plain",
        "no goal yet: a tie, the older first"
    );
    let goal = server.create(
        "/api/goals",
        json!({"title": "G", "projectId": project["id"]}),
    );
    let queue = server.get("/api/dispatch/queue").json();
    assert_eq!(queue["data"][0]["issue"]["id"], aligned["id"], "{queue}");
    assert_eq!(
        queue["data"][0]["breakdown"],
        json!({"priorityWeight": 50, "goalBonus": 20, "ageBonus": 0, "typeBonus": 20})
    );
    assert_eq!(queue["data"][0]["score"], 90);
    server.patch(
        &format!("/api/goals/{}", id(&goal)),
        json!({"status": "achieved"}),
    );
    assert_eq!(
        server.get("/api/dispatch/queue").json()["data"][0]["issue"]["title"],
        "plain",
        "an achieved goal gives no bonus"
    );
    server.patch(
        &format!("/api/goals/{}", id(&goal)),
        json!({"status": "active"}),
    );
    assert_eq!(claimed_title(&server), "aligned");
    assert_eq!(old["priority"], 4);
}

#[test]
fn ties_go_to_the_oldest_then_the_smallest_id() {
    let (server, clock) = clocked();
    let first = todo(&server, "first", "task", 2);
    clock.advance(1000);
    todo(&server, "second", "task", 2);
    assert_eq!(claimed_title(&server), "first");
    assert_eq!(claimed_title(&server), "second");
    // Same millisecond: the smaller id wins.
    let a = todo(&server, "a", "task", 2);
    let b = todo(&server, "b", "task", 2);
    let expected = if id(&a) < id(&b) { "a" } else { "b" };
    assert_eq!(claimed_title(&server), expected);
    assert!(first["createdAt"].is_string());
}

#[test]
fn blocked_by_semantics() {
    let server = TestServer::start();
    let a = todo(&server, "A", "task", 1);
    todo(&server, "C", "task", 4);
    for (status, blocks) in [
        ("triage", true),
        ("backlog", true),
        ("todo", true),
        ("in_progress", true),
        ("done", false),
        ("canceled", false),
    ] {
        let b = server.create(
            "/api/issues",
            json!({"title": format!("B {status}"), "type": "task", "status": status}),
        );
        relate(&server, &a, "blocked_by", &b);
        let first = server.get("/api/dispatch/queue").json()["data"][0]["issue"]["title"].clone();
        let expected = if blocks { "C" } else { "A" };
        assert_eq!(first, expected, "blocker {status}");
        // Clear the blocker for the next case.
        server.patch(
            &format!("/api/issues/{}", id(&b)),
            json!({"status": "done"}),
        );
    }
    // A deleted blocker never blocks; a missing one cannot exist.
    let d = todo(&server, "D", "task", 0);
    relate(&server, &a, "blocked_by", &d);
    assert_eq!(
        server.get("/api/dispatch/queue").json()["data"][0]["issue"]["title"],
        "C"
    );
    server.delete(&format!("/api/issues/{}", id(&d)));
    assert_eq!(
        server.get("/api/dispatch/queue").json()["data"][0]["issue"]["title"],
        "A"
    );
    // `blocks` relations do not block the target.
    let e = server.create(
        "/api/issues",
        json!({"title": "E", "type": "task", "status": "backlog"}),
    );
    relate(&server, &e, "blocks", &a);
    assert_eq!(claimed_title(&server), "A");
    assert_eq!(claimed_title(&server), "C");
}

#[test]
fn project_filter() {
    let server = TestServer::start();
    let pa = server.create("/api/projects", json!({"name": "A"}));
    let pb = server.create("/api/projects", json!({"name": "B"}));
    server.create("/api/issues", json!({"title": "in A", "type": "task", "priority": 1, "status": "todo", "projectId": pa["id"]}));
    server.create("/api/issues", json!({"title": "in B", "type": "task", "priority": 1, "status": "todo", "projectId": pb["id"]}));
    let response = server
        .get(&format!("/api/dispatch/next?projectId={}", id(&pb)))
        .json();
    assert_eq!(response["issue"]["title"], "in B");
    assert_eq!(
        server.get("/api/dispatch/next?projectId=unknown").status,
        204
    );
    assert_eq!(
        server
            .get(&format!("/api/dispatch/queue?projectId={}", id(&pa)))
            .json()["total"],
        1
    );
    assert_eq!(
        server.get("/api/dispatch/queue?projectId=").json()["total"],
        1,
        "empty means no filter"
    );
    assert_eq!(
        server
            .get("/api/dispatch/next?projectId=a&projectId=b")
            .status,
        400
    );
}

#[test]
fn custom_templates_and_missing_ones() {
    let server = TestServer::start();
    let template = server.create("/api/templates", json!({"slug": "signal-handler", "name": "S", "conditions": {"type": "signal"}, "specificity": 20}));
    server.create(&format!("/api/templates/{}/versions", id(&template)), json!({"content": "Investigate signal: {{issue.title}}", "authorType": "human", "authorName": "a"}));
    todo(&server, "Latency spike", "signal", 1);
    let response = next(&server).json();
    assert_eq!(response["prompt"], "Investigate signal: Latency spike");
    assert_eq!(response["meta"]["templateSlug"], "signal-handler");
    let usage = server
        .get(&format!("/api/templates/{}", id(&template)))
        .json()["data"]["activeVersion"]["usageCount"]
        .clone();
    assert_eq!(usage, 1);

    for template in server.get("/api/templates?limit=200").json()["data"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        server.delete(&format!("/api/templates/{}", id(&template)));
    }
    todo(&server, "No template", "task", 1);
    let response = next(&server);
    assert_eq!(response.status, 200);
    let body = response.json();
    assert_eq!(
        (body["prompt"].clone(), body["meta"].clone()),
        (Value::Null, Value::Null)
    );
    assert_eq!(body["issue"]["title"], "No template");
}

#[test]
fn usage_counts_once_per_claim() {
    let server = TestServer::start();
    for i in 0..3 {
        todo(&server, &format!("t{i}"), "task", 2);
    }
    for _ in 0..3 {
        assert_eq!(next(&server).status, 200);
    }
    let version = server
        .get("/api/templates/tpl_default_task_execution")
        .json()["data"]["activeVersion"]
        .clone();
    assert_eq!(version["usageCount"], 3);
}

#[test]
fn a_prompt_that_cannot_render_undoes_the_claim() {
    let server = TestServer::start();
    let template = server.create(
        "/api/templates",
        json!({"slug": "fragile", "name": "F", "conditions": {"type": "plan"}, "specificity": 50}),
    );
    server.create(
        &format!("/api/templates/{}/versions", id(&template)),
        json!({"content": "{{#if children}}never closed", "authorType": "human", "authorName": "a"}),
    );
    let plan = todo(&server, "Plan", "plan", 1);
    let response = next(&server);
    assert_eq!(response.status, 422, "{}", response.text());
    assert!(
        response.json()["error"]
            .as_str()
            .is_some_and(|e| e.contains("fragile"))
    );
    let stored = server.get(&format!("/api/issues/{}", id(&plan))).json()["data"].clone();
    assert_eq!(stored["status"], "todo", "the claim was rolled back");
    assert_eq!(stored["claimedAt"], Value::Null);
    let version = server
        .get(&format!("/api/templates/{}", id(&template)))
        .json()["data"]["activeVersion"]
        .clone();
    assert_eq!(version["usageCount"], 0, "the use was not counted");
}

#[test]
fn the_queue_sorts_everything_before_paging() {
    let server = TestServer::start();
    let urgent_signal = todo(&server, "urgent signal", "signal", 1);
    todo(&server, "medium task", "task", 3);
    todo(&server, "low monitor", "monitor", 4);
    let queue = server.get("/api/dispatch/queue").json();
    assert_eq!(queue["total"], 3);
    let scores: Vec<i64> = queue["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["score"].as_i64())
        .collect();
    assert_eq!(scores, [150, 70, 35]);
    assert_eq!(queue["data"][0]["issue"]["id"], urgent_signal["id"]);
    assert_eq!(
        queue["data"][0]["issue"]["signalPayload"],
        Value::Null,
        "full issue objects"
    );

    for i in 0..5 {
        todo(&server, &format!("eq{i}"), "plan", 2);
    }
    let first = server.get("/api/dispatch/queue?limit=2&offset=0").json();
    let second = server.get("/api/dispatch/queue?limit=2&offset=2").json();
    assert_eq!(
        (first["total"].as_i64(), second["total"].as_i64()),
        (Some(8), Some(8))
    );
    assert_eq!(
        first["data"][0]["issue"]["title"], "urgent signal",
        "the best candidate is first whatever the page size"
    );
    assert_eq!(first["data"][1]["issue"]["title"], "eq0");
    assert_eq!(second["data"][0]["issue"]["title"], "eq1");
    // The first queue item is exactly what /next claims.
    let head = server.get("/api/dispatch/queue?limit=1").json()["data"][0]["issue"]["id"].clone();
    assert_eq!(next(&server).json()["issue"]["id"], head);
    assert_eq!(server.get("/api/dispatch/queue?limit=0").status, 400);
}

/// The queue's answer as every worker would give it: asked more times than there are
/// workers, so that each keeps (and then serves) an answer of its own, and all the same.
fn queue_everywhere(server: &TestServer) -> Value {
    let first = server.get("/api/dispatch/queue").json();
    for _ in 0..12 {
        assert_eq!(server.get("/api/dispatch/queue").json(), first);
    }
    first
}

fn ranked(queue: &Value) -> Vec<(String, i64)> {
    queue["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let title = e["issue"]["title"].as_str().unwrap_or_default().to_owned();
            (title, e["breakdown"]["ageBonus"].as_i64().unwrap_or(-1))
        })
        .collect()
}

/// Workers serve the queue's answer again while nothing changes (docs/design.md#dispatch-queue);
/// a write through the server, a write by another process, a day of age and a clock set
/// back each change it at once.
#[test]
fn the_queue_answer_follows_writes_other_processes_and_the_days() {
    let (server, clock) = clocked();
    todo(&server, "older", "task", 3);
    clock.advance(60_000);
    todo(&server, "newer", "task", 3);
    let ranks = |list: &[(&str, i64)]| -> Vec<(String, i64)> {
        list.iter().map(|(t, a)| ((*t).to_owned(), *a)).collect()
    };
    assert_eq!(
        ranked(&queue_everywhere(&server)),
        ranks(&[("older", 0), ("newer", 0)])
    );

    // A day after "older" was created it gains a point; "newer" a minute later.
    clock.advance(DAY - 60_001);
    assert_eq!(
        ranked(&queue_everywhere(&server)),
        ranks(&[("older", 0), ("newer", 0)])
    );
    clock.advance(1);
    assert_eq!(
        ranked(&queue_everywhere(&server)),
        ranks(&[("older", 1), ("newer", 0)])
    );
    // A clock set back is not served the answer of its future.
    clock.advance(-1);
    assert_eq!(
        ranked(&queue_everywhere(&server)),
        ranks(&[("older", 0), ("newer", 0)])
    );
    clock.advance(1);
    clock.advance(60_000);
    assert_eq!(
        ranked(&queue_everywhere(&server)),
        ranks(&[("older", 1), ("newer", 1)])
    );

    // Written by the server: the urgent issue leads at once.
    todo(&server, "urgent", "task", 1);
    assert_eq!(
        ranked(&queue_everywhere(&server)),
        ranks(&[("urgent", 0), ("older", 1), ("newer", 1)])
    );

    // Written by another process, straight into the database file.
    let conn = rusqlite::Connection::open(server.db_path()).expect("open the database");
    conn.execute(
        "UPDATE issues SET deleted_at = updated_at WHERE title = 'urgent'",
        [],
    )
    .expect("delete behind the server's back");
    let queue = queue_everywhere(&server);
    assert_eq!(ranked(&queue), ranks(&[("older", 1), ("newer", 1)]));
    assert_eq!(queue["total"], 2);
}

#[test]
fn the_spec_ranking_example() {
    let (server, clock) = clocked();
    let old = todo(&server, "old p3 task", "task", 3);
    clock.advance(DAY * 26 / 10);
    let project = server.create("/api/projects", json!({"name": "P"}));
    server.create(
        "/api/goals",
        json!({"title": "G", "projectId": project["id"]}),
    );
    server.create("/api/issues", json!({"title": "new p3 task in goal project", "type": "task", "priority": 3, "status": "todo", "projectId": project["id"]}));
    let queue = server.get("/api/dispatch/queue").json();
    assert_eq!(queue["data"][1]["issue"]["id"], old["id"]);
    assert_eq!(queue["data"][1]["breakdown"]["ageBonus"], 2);
    assert_eq!(queue["data"][1]["score"], 72);
    assert_eq!(claimed_title(&server), "new p3 task in goal project");
}

#[test]
fn sixteen_claimers_never_share_an_issue() {
    let server = TestServer::start_with(|c| c.threads = 8);
    let conn = rusqlite::Connection::open(server.db_path()).expect("open");
    // Many issues quickly: through SQL, then with the dispatch columns filled as the store would.
    conn.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
         INSERT INTO issues (id, title, type, status, priority, created_at, updated_at)
         SELECT 'bulk-' || i, 'bulk ' || i, 'task', 'todo', i % 5, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM n;",
    )
    .expect("bulk insert");
    loop_engine::testing::fill_dispatch_columns(&conn).expect("backfill");
    let claimed: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..16)
            .map(|_| {
                let server = &server;
                scope.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let response = next(server);
                        match response.status {
                            200 => mine.push(
                                response.json()["issue"]["id"]
                                    .as_str()
                                    .unwrap_or_default()
                                    .to_owned(),
                            ),
                            204 => return mine,
                            other => panic!("unexpected {other}: {}", response.text()),
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    assert_eq!(claimed.len(), 300);
    assert_eq!(
        claimed.iter().collect::<HashSet<_>>().len(),
        300,
        "no issue claimed twice"
    );
}

#[test]
fn claims_carry_leases_that_lapse_back_to_todo() {
    let (server, clock) = clocked();
    let issue = todo(&server, "work", "task", 1);
    let path = format!("/api/issues/{}", id(&issue));
    let response = server.get("/api/dispatch/next?leaseSeconds=600&agentSessionId=session-7");
    assert_eq!(response.status, 200);
    let claimed = server.get(&path).json()["data"].clone();
    assert_eq!(claimed["agentSessionId"], "session-7");
    let claimed_at = Timestamp::parse_canonical(claimed["claimedAt"].as_str().unwrap_or_default())
        .map(Timestamp::unix_millis);
    let expires =
        Timestamp::parse_canonical(claimed["leaseExpiresAt"].as_str().unwrap_or_default())
            .map(Timestamp::unix_millis);
    assert_eq!(expires.zip(claimed_at).map(|(e, c)| e - c), Some(600_000));

    // Activity renews the lease: a comment at 9 minutes, a PATCH at 18 (so it now ends
    // at 28 minutes).
    clock.advance(9 * 60_000);
    server.run_background_work();
    assert_eq!(status(&server, &path), "in_progress", "within the lease");
    server.create(
        &format!("{path}/comments"),
        json!({"body": "progress", "authorName": "agent", "authorType": "agent"}),
    );
    clock.advance(9 * 60_000);
    server.run_background_work();
    assert_eq!(
        status(&server, &path),
        "in_progress",
        "the comment renewed the lease past its first 10 minutes"
    );
    server.patch(&path, json!({"agentSummary": "halfway"}));
    clock.advance(10 * 60_000 - 1);
    server.run_background_work();
    assert_eq!(
        status(&server, &path),
        "in_progress",
        "one millisecond before the renewed lease ends"
    );

    // Silence to the end of the lease: back to todo, with a comment saying why.
    clock.advance(1);
    server.run_background_work();
    let stored = server.get(&path).json()["data"].clone();
    assert_eq!(
        stored["status"], "todo",
        "the lapsed claim returned to todo"
    );
    assert_eq!(stored["leaseExpiresAt"], Value::Null);
    let comments = server.get(&format!("{path}/comments")).json()["data"].clone();
    let last = comments
        .as_array()
        .and_then(|c| c.last())
        .cloned()
        .unwrap_or_default();
    assert!(
        last["body"]
            .as_str()
            .is_some_and(|b| b.contains("expired") && b.contains("session-7")),
        "{last}"
    );
    // And it can be claimed again.
    assert_eq!(claimed_title(&server), "work");
}

#[test]
fn finishing_ends_the_lease_and_default_leases_apply() {
    let (server, clock) = clocked();
    let quick = todo(&server, "quick", "task", 1);
    let slow = todo(&server, "slow", "task", 2);
    let (quick_path, slow_path) = (
        format!("/api/issues/{}", id(&quick)),
        format!("/api/issues/{}", id(&slow)),
    );
    assert_eq!(claimed_title(&server), "quick");
    assert_eq!(claimed_title(&server), "slow");
    let leased = server.get(&quick_path).json()["data"].clone();
    let claimed_at = Timestamp::parse_canonical(leased["claimedAt"].as_str().unwrap_or_default())
        .map(Timestamp::unix_millis);
    let expires = Timestamp::parse_canonical(leased["leaseExpiresAt"].as_str().unwrap_or_default())
        .map(Timestamp::unix_millis);
    assert_eq!(
        expires.zip(claimed_at).map(|(e, c)| e - c),
        Some(2 * 3600 * 1000),
        "the default lease is two hours"
    );
    let done = server.patch(&quick_path, json!({"status": "done"})).json()["data"].clone();
    assert_eq!(done["leaseExpiresAt"], Value::Null);
    clock.advance(3 * 3600 * 1000);
    server.run_background_work();
    assert_eq!(
        status(&server, &quick_path),
        "done",
        "a finished issue keeps its status"
    );
    assert_eq!(
        status(&server, &slow_path),
        "todo",
        "the same round returned the unfinished claim"
    );
    for bad in [
        "leaseSeconds=59",
        "leaseSeconds=86401",
        "leaseSeconds=abc",
        "leaseSeconds=1.5",
    ] {
        assert_eq!(
            server.get(&format!("/api/dispatch/next?{bad}")).status,
            400,
            "{bad}"
        );
    }
}

#[test]
fn leases_can_be_turned_off() {
    let (server, clock) = clocked_with(|c| c.claim_lease_seconds = None);
    let forever = todo(&server, "forever", "task", 1);
    let asked = todo(&server, "asked for a lease", "task", 2);
    assert_eq!(claimed_title(&server), "forever");
    let response = server.get("/api/dispatch/next?leaseSeconds=60");
    assert_eq!(response.json()["issue"]["id"], asked["id"]);
    clock.advance(400 * DAY);
    server.run_background_work();
    let stored = server.get(&format!("/api/issues/{}", id(&forever))).json()["data"].clone();
    assert_eq!(
        (stored["status"].as_str(), stored["leaseExpiresAt"].clone()),
        (Some("in_progress"), Value::Null)
    );
    assert_eq!(
        status(&server, &format!("/api/issues/{}", id(&asked))),
        "todo",
        "an explicit lease still lapses in the same round"
    );
}

#[test]
fn golden_dispatch_prompt() {
    let server = TestServer::start_with(|c| c.loop_url = Some("http://localhost:5667".to_owned()));
    common::golden_fixture(&server);
    let response = next(&server).json();
    assert_eq!(response["issue"]["id"], "iss_task");
    let expected = include_str!("fixtures/golden_task_execution.txt").replacen(
        "Status: todo",
        "Status: in_progress",
        1,
    );
    assert_eq!(response["prompt"].as_str().unwrap_or_default(), expected);
    assert_eq!(
        response["meta"],
        json!({
            "templateSlug": "task-execution", "templateId": "tpl_default_task_execution",
            "versionId": "ver_default_task_execution_v1", "versionNumber": 1, "reviewUrl": "POST /api/prompt-reviews"
        })
    );
}
