//! Gate timeouts under a controlled clock (docs/review-api.md#modes-and-timeouts): an
//! undecided gate task gets its `on_timeout` outcome once its deadline passes, also when
//! the deadline passed while the server was down.

use crate::common;

use std::time::Duration;

use common::{START, TestServer, clocked, id, manual_clock};
use loop_engine::clock::Timestamp;
use serde_json::{Value, json};

fn gate(server: &TestServer, key: &str, on_timeout: Option<&str>) -> Value {
    let mut body = json!({"module": "swiper", "payload": {"content": "x"}, "mode": "gate", "timeout_seconds": 30});
    if let Some(on_timeout) = on_timeout {
        body["on_timeout"] = json!(on_timeout);
    }
    server.task(key, body)
}

#[test]
fn each_on_timeout_value_resolves_an_undecided_gate_task() {
    let (server, clock) = clocked();
    let (_, key) = server.review_project("A");
    let escalate = gate(&server, &key, Some("escalate"));
    let reject = gate(&server, &key, Some("reject"));
    let approve = gate(&server, &key, Some("approve"));
    let default = gate(&server, &key, None);
    let monitor = server.task(&key, json!({"module": "swiper", "payload": {}}));

    clock.advance(29_000);
    server.run_background_work();
    assert_eq!(
        server.read_task(&key, &id(&escalate))["status"],
        "pending",
        "not before the deadline"
    );

    clock.advance(2_000);
    server.run_background_work();
    let resolved_at = Timestamp::from_unix_millis(START + 31_000).to_string();
    for (task, status, verdict, escalated) in [
        (&escalate, "escalated", Value::Null, true),
        (&default, "escalated", Value::Null, true),
        (&reject, "reviewed", json!(false), false),
        (&approve, "reviewed", json!(true), false),
    ] {
        let task = server.read_task(&key, &id(task));
        assert_eq!(task["status"], status, "{task}");
        assert_eq!(task["verdict"], verdict);
        assert_eq!(task["escalated"], escalated);
        assert_eq!(task["timed_out"], true);
        assert_eq!(task["choice"], Value::Null);
        assert_eq!(task["verdict_reason"], task["reason"]);
        assert!(
            task["reason"]
                .as_str()
                .is_some_and(|r| r.starts_with("timed out after 30s (on_timeout: ")),
            "{task}"
        );
        assert_eq!(task["reviewed_at"], resolved_at.as_str());
    }
    // Monitor tasks never time out.
    clock.advance(30 * 86_400_000);
    server.run_background_work();
    assert_eq!(server.read_task(&key, &id(&monitor))["status"], "pending");
    // A resolution is final: later ticks change nothing.
    let before = server.read_task(&key, &id(&reject));
    server.run_background_work();
    assert_eq!(server.read_task(&key, &id(&reject)), before);
}

#[test]
fn the_background_thread_resolves_deadlines_on_its_own() {
    let clock = manual_clock();
    let server = TestServer::start_with_clock(
        |c| c.maintenance_interval = Duration::from_millis(10),
        clock.clone(),
    );
    let (_, key) = server.review_project("A");
    let task = gate(&server, &key, Some("approve"));
    clock.advance(31_000);
    let resolved = (0..500).any(|_| {
        std::thread::sleep(Duration::from_millis(10));
        server.read_task(&key, &id(&task))["status"] == "reviewed"
    });
    assert!(resolved, "the maintenance thread applied on_timeout");
}

#[test]
fn deadlines_that_passed_while_the_server_was_down_are_resolved_before_serving() {
    let (mut server, clock) = clocked();
    let (_, key) = server.review_project("A");
    let task = gate(&server, &key, Some("reject"));
    clock.advance(3_600_000);
    server.restart();
    // No background work was run by hand: start-up did it.
    let task = server.read_task(&key, &id(&task));
    assert_eq!(
        (task["status"].clone(), task["verdict"].clone()),
        (json!("reviewed"), json!(false))
    );
    assert_eq!(task["timed_out"], true);
}

#[test]
fn verdicts_list_resolutions_newest_first() {
    let (server, clock) = clocked();
    let (_, key) = server.review_project("A");
    let (_, other_key) = server.review_project("B");
    let mut tasks = Vec::new();
    for on_timeout in ["approve", "reject", "escalate"] {
        let mut body = json!({"module": "swiper", "payload": {}, "mode": "gate", "timeout_seconds": 30,
            "on_timeout": on_timeout, "external_id": format!("ext-{on_timeout}"), "source": "zapier"});
        body["card"] = json!({"title": on_timeout});
        tasks.push(server.task(&key, body));
        clock.advance(10_000);
    }
    clock.advance(60_000);
    server.run_background_work();
    let verdicts = server.review(&key, "GET", "/api/v1/verdicts", None).json();
    let ids: Vec<&Value> = verdicts
        .as_array()
        .map(|a| a.iter().map(|v| &v["task_id"]).collect())
        .unwrap_or_default();
    assert_eq!(ids.len(), 3);
    let first = &verdicts[0];
    assert_eq!(common::keys_of(first), common::VERDICT_KEYS);
    assert_eq!(first["source"], "zapier");
    assert!(
        first["external_id"]
            .as_str()
            .is_some_and(|e| e.starts_with("ext-"))
    );
    let limited = server
        .review(&key, "GET", "/api/v1/verdicts?limit=1", None)
        .json();
    assert_eq!(limited.as_array().map(Vec::len), Some(1));
    let since = Timestamp::from_unix_millis(START + 90_000).to_string();
    let later = server
        .review(
            &key,
            "GET",
            &format!("/api/v1/verdicts?since={since}"),
            None,
        )
        .json();
    assert_eq!(later, json!([]));
    assert_eq!(
        server
            .review(&other_key, "GET", "/api/v1/verdicts", None)
            .json(),
        json!([])
    );
    // Resolutions made in one tick are listed in the order they were made, newest first.
    assert_eq!(ids, [&tasks[2]["id"], &tasks[1]["id"], &tasks[0]["id"]]);
}
