//! Verdict delivery against local receivers (docs/review-api.md#verdict-webhooks,
//! #delivery-log and #verdicts-into-the-engine): signed bodies, retries on the configured
//! schedule, 410s, redirects, restarts, redelivery after a secret rotation, slow
//! receivers, and verdicts that feed the engine.

use crate::common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::receiver::{Answer, Receiver};
use common::{TestServer, hmac_sha256_hex, manual_clock};
use loop_engine::clock::{ManualClock, Timestamp};
use loop_engine::config::Config;
use loop_engine::config::RetrySchedule;
use serde_json::{Value, json};

/// A server with a fast delivery loop, retrying on `schedule`.
fn server_with(schedule: &str, clock: Option<Arc<ManualClock>>) -> TestServer {
    let schedule = RetrySchedule::parse(schedule).expect("schedule");
    let setup = move |c: &mut Config| {
        c.webhook_retry_schedule = schedule;
        c.delivery_poll_interval = Duration::from_millis(10);
        c.webhook_timeout = Duration::from_secs(1);
        c.maintenance_interval = common::clock::NO_TICK;
        // The tests poll the delivery log on a clock that stands still.
        c.rate_limit.requests_per_key = 1_000_000;
    };
    match clock {
        Some(clock) => TestServer::start_with_clock(setup, clock),
        None => TestServer::start_with(setup),
    }
}

/// A gate task that approves itself at its deadline: moving the clock resolves it.
fn self_approving(server: &TestServer, key: &str, callback: Option<&str>) -> Value {
    let mut body = json!({"module": "swiper", "payload": {"content": "x"}, "mode": "gate", "timeout_seconds": 30,
        "on_timeout": "approve", "external_id": "order-42", "source": "zapier", "card": {"title": "Refund"}});
    if let Some(url) = callback {
        body["callback_url"] = json!(url);
    }
    server.task(key, body)
}

/// Moves the clock past every 30 s deadline and runs the timeout sweep.
fn time_out(server: &TestServer, clock: &ManualClock) {
    clock.advance(31_000);
    server.run_background_work();
}

fn secret(server: &TestServer, project_id: &str) -> String {
    server
        .get(&format!("/api/v1/projects/{project_id}/signing-secret"))
        .json()["secret"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn deliveries(server: &TestServer, key: &str, query: &str) -> Value {
    let response = server.review(key, "GET", &format!("/api/v1/deliveries{query}"), None);
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()
}

/// Waits until the project's first delivery has `attempts` attempts recorded (at most
/// ten seconds) and returns the project's deliveries.
fn recorded(server: &TestServer, key: &str, attempts: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let listed = deliveries(server, key, "");
        if listed[0]["attempts"] == attempts || Instant::now() > deadline {
            return listed;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits until the project's deliveries all left `pending` (at most ten seconds).
fn settled(server: &TestServer, key: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let listed = deliveries(server, key, "");
        let pending = listed
            .as_array()
            .is_some_and(|a| a.iter().any(|d| d["status"] == "pending"));
        if !pending || Instant::now() > deadline {
            return listed;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_verdict_is_posted_signed_with_the_project_secret() {
    let clock = manual_clock();
    let server = server_with("0", Some(clock.clone()));
    let (project_id, key) = server.review_project("A");
    let (other_project, _) = server.review_project("B");
    let receiver = Receiver::start(|_| Answer::Status(200));
    let task = self_approving(&server, &key, Some(&receiver.url));
    time_out(&server, &clock);
    let got = receiver.wait_for(1);
    assert_eq!(got.len(), 1);
    let request = &got[0];
    let body: Value = serde_json::from_slice(&request.body).expect("JSON body");
    assert_eq!(common::keys_of(&body), common::VERDICT_KEYS);
    assert_eq!(
        (
            body["task_id"].clone(),
            body["external_id"].clone(),
            body["source"].clone()
        ),
        (task["id"].clone(), json!("order-42"), json!("zapier"))
    );
    assert_eq!(
        (body["verdict"].clone(), body["timed_out"].clone()),
        (json!(true), json!(true))
    );
    assert!(
        body["reviewed_at"]
            .as_str()
            .is_some_and(|t| Timestamp::parse_rfc3339(t).is_some() && t.ends_with('Z'))
    );
    assert_eq!(
        serde_json::to_vec(&body).ok(),
        Some(request.body.clone()),
        "compact JSON"
    );
    assert_eq!(request.header("Content-Type"), Some("application/json"));
    assert_eq!(request.header("X-LoopQuest-Event"), Some("verdict"));
    assert_eq!(request.header("X-LoopQuest-Attempt"), Some("1"));
    assert_eq!(request.header("User-Agent"), Some("Loop-Review-Webhook/1"));
    let signature = request.header("X-LoopQuest-Signature").unwrap_or_default();
    let expected = format!(
        "sha256={}",
        hmac_sha256_hex(secret(&server, &project_id).as_bytes(), &request.body)
    );
    assert_eq!(signature, expected);
    let wrong_secret = format!(
        "sha256={}",
        hmac_sha256_hex(secret(&server, &other_project).as_bytes(), &request.body)
    );
    assert_ne!(signature, wrong_secret);
    let mut tampered = request.body.clone();
    tampered[3] ^= 1;
    assert_ne!(
        signature,
        format!(
            "sha256={}",
            hmac_sha256_hex(secret(&server, &project_id).as_bytes(), &tampered)
        )
    );
    let listed = settled(&server, &key);
    assert_eq!(listed[0]["status"], "succeeded");
    assert_eq!(listed[0]["kind"], "callback");
    assert_eq!(
        listed[0]["id"],
        request.header("X-LoopQuest-Delivery").unwrap_or_default()
    );
    assert_eq!(listed[0]["attempts"], 1);
    assert_eq!(listed[0]["last_status_code"], 200);
    assert!(listed[0]["delivered_at"].is_string());
}

#[test]
fn hooks_and_callbacks_get_the_same_signed_body_once_per_url() {
    let clock = manual_clock();
    let server = server_with("0", Some(clock.clone()));
    let (_, key) = server.review_project("A");
    let (_, other_key) = server.review_project("B");
    let hook = Receiver::start(|_| Answer::Status(200));
    let callback = Receiver::start(|_| Answer::Status(204));
    let bystander = Receiver::start(|_| Answer::Status(200));
    for (k, url) in [(&key, &hook.url), (&other_key, &bystander.url)] {
        assert_eq!(
            server
                .review(k, "POST", "/api/v1/hooks", Some(json!({"url": url})))
                .status,
            201
        );
    }
    self_approving(&server, &key, Some(&callback.url));
    self_approving(&server, &key, Some(&hook.url));
    time_out(&server, &clock);
    let (to_hook, to_callback) = (hook.wait_for(2), callback.wait_for(1));
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        hook.received().len(),
        2,
        "the hook once per task, even when it is also the callback"
    );
    assert_eq!(callback.received().len(), 1);
    assert!(
        bystander.received().is_empty(),
        "another project's hooks hear nothing"
    );
    let same_task = to_hook
        .iter()
        .find(|r| r.body == to_callback[0].body)
        .expect("the same body");
    assert_eq!(
        same_task.header("X-LoopQuest-Signature"),
        to_callback[0].header("X-LoopQuest-Signature")
    );
    assert_ne!(
        same_task.header("X-LoopQuest-Delivery"),
        to_callback[0].header("X-LoopQuest-Delivery")
    );
}

#[test]
fn failed_attempts_are_retried_on_the_schedule_then_given_up() {
    let server = server_with("0,0,0,0,0", None);
    let (_, key) = server.review_project("A");
    let (_, key_b) = server.review_project("B");
    let flaky = Receiver::start(|n| Answer::Status(if n < 2 { 500 } else { 200 }));
    let dead = Receiver::start(|_| Answer::Status(500));
    assert_eq!(
        server
            .review(
                &key,
                "POST",
                "/api/v1/hooks",
                Some(json!({"url": flaky.url}))
            )
            .status,
        201
    );
    assert_eq!(
        server
            .review(
                &key_b,
                "POST",
                "/api/v1/hooks",
                Some(json!({"url": dead.url}))
            )
            .status,
        201
    );
    let owner = server.user("owner@example.com", "owner");
    for k in [&key, &key_b] {
        let task = server.task(k, json!({"module": "swiper", "payload": {}}));
        let (assignment, card) = server.next_card(&owner).expect("a card");
        assert_eq!(card["id"], task["id"]);
        assert_eq!(
            server
                .decide(&owner, &assignment, json!({"decision": "approve"}))
                .status,
            200
        );
    }
    let got = flaky.wait_for(3);
    let failed = settled(&server, &key_b);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        flaky.received().len(),
        3,
        "two failures then a success: exactly three attempts"
    );
    let attempts: Vec<&str> = got
        .iter()
        .filter_map(|r| r.header("X-LoopQuest-Attempt"))
        .collect();
    assert_eq!(attempts, ["1", "2", "3"]);
    let ids: Vec<&str> = got
        .iter()
        .filter_map(|r| r.header("X-LoopQuest-Delivery"))
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one delivery id across retries"
    );
    assert_eq!(settled(&server, &key)[0]["status"], "succeeded");
    assert_eq!(dead.received().len(), 6, "at most six attempts");
    assert_eq!(
        (failed[0]["status"].clone(), failed[0]["attempts"].clone()),
        (json!("failed"), json!(6))
    );
    assert_eq!(failed[0]["last_status_code"], 500);
    assert_eq!(
        deliveries(&server, &key_b, "?status=failed")
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(deliveries(&server, &key_b, "?status=succeeded"), json!([]));
    assert_eq!(
        server
            .review(&key_b, "GET", "/api/v1/deliveries?status=lost", None)
            .status,
        422
    );
}

#[test]
fn retries_wait_for_the_scheduled_gap() {
    let clock = manual_clock();
    let server = server_with("10,60", Some(clock.clone()));
    let (_, key) = server.review_project("A");
    let receiver = Receiver::start(|n| Answer::Status(if n < 2 { 503 } else { 200 }));
    self_approving(&server, &key, Some(&receiver.url));
    time_out(&server, &clock);
    receiver.wait_for(1);
    // The clock moves only once the attempt is recorded, or the retry would be
    // scheduled from the moved clock.
    let pending = recorded(&server, &key, 1);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(receiver.received().len(), 1, "not before the 10 s gap");
    let due =
        Timestamp::parse_canonical(pending[0]["next_attempt_at"].as_str().unwrap_or_default());
    assert_eq!(
        due.map(Timestamp::unix_millis),
        Some(1_800_000_031_000 + 10_000)
    );
    clock.advance(10_000);
    receiver.wait_for(2);
    recorded(&server, &key, 2);
    clock.advance(59_000);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(receiver.received().len(), 2, "not before the 60 s gap");
    clock.advance(1_000);
    assert_eq!(receiver.wait_for(3).len(), 3);
}

#[test]
fn gone_subscriptions_are_removed_and_redirects_are_not_followed() {
    let clock = manual_clock();
    let server = server_with("0,0", Some(clock.clone()));
    let (_, key) = server.review_project("A");
    let gone = Receiver::start(|_| Answer::Status(410));
    let target = Receiver::start(|_| Answer::Status(200));
    let target_port = target.port();
    let redirecting = Receiver::start(move |_| Answer::RedirectTo(target_port));
    assert_eq!(
        server
            .review(
                &key,
                "POST",
                "/api/v1/hooks",
                Some(json!({"url": gone.url}))
            )
            .status,
        201
    );
    self_approving(&server, &key, Some(&redirecting.url));
    time_out(&server, &clock);
    let listed = settled(&server, &key);
    assert_eq!(gone.received().len(), 1, "a 410 is not retried");
    assert_eq!(
        server.review(&key, "GET", "/api/v1/hooks", None).json(),
        json!([]),
        "the subscription is gone"
    );
    assert_eq!(
        redirecting.received().len(),
        3,
        "a 302 is a failure, retried"
    );
    assert!(
        target.received().is_empty(),
        "the redirect was not followed"
    );
    let by_kind = |kind: &str| {
        listed
            .as_array()
            .and_then(|a| a.iter().find(|d| d["kind"] == kind))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        (
            by_kind("hook")["status"].clone(),
            by_kind("hook")["last_status_code"].clone()
        ),
        (json!("failed"), json!(410))
    );
    assert_eq!(
        (
            by_kind("callback")["status"].clone(),
            by_kind("callback")["last_status_code"].clone()
        ),
        (json!("failed"), json!(302))
    );
}

#[test]
fn unreachable_and_slow_receivers_fail_and_hold_up_nobody() {
    let clock = manual_clock();
    let server = server_with("0", Some(clock.clone()));
    let (_, key) = server.review_project("A");
    let refusing = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = probe.local_addr().map(|a| a.port()).unwrap_or_default();
        drop(probe);
        format!("http://127.0.0.1:{port}/hook")
    };
    let hanging = Receiver::start(|_| Answer::Hang(Duration::from_secs(3)));
    let quick = Receiver::start(|_| Answer::Status(200));
    assert_eq!(
        server
            .review(
                &key,
                "POST",
                "/api/v1/hooks",
                Some(json!({"url": hanging.url}))
            )
            .status,
        201
    );
    assert_eq!(
        server
            .review(
                &key,
                "POST",
                "/api/v1/hooks",
                Some(json!({"url": refusing}))
            )
            .status,
        201
    );
    self_approving(&server, &key, Some(&quick.url));
    let started = Instant::now();
    time_out(&server, &clock);
    hanging.wait_for(1);
    quick.wait_for(1);
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "the quick receiver was not held up: {:?}",
        started.elapsed()
    );
    let api_started = Instant::now();
    assert_eq!(
        server
            .review(
                &key,
                "POST",
                "/api/v1/tasks",
                Some(json!({"module": "swiper", "payload": {}}))
            )
            .status,
        201
    );
    assert!(
        api_started.elapsed() < Duration::from_millis(100),
        "API calls never wait for deliveries"
    );
    let listed = settled(&server, &key);
    let failed: Vec<&Value> = listed
        .as_array()
        .map(|a| a.iter().filter(|d| d["status"] == "failed").collect())
        .unwrap_or_default();
    assert_eq!(failed.len(), 2, "{listed}");
    for delivery in failed {
        assert_eq!(delivery["attempts"], 2, "retried once on the schedule");
        assert_eq!(delivery["last_status_code"], Value::Null);
        assert!(delivery["last_error"].is_string());
    }
}

#[test]
fn pending_deliveries_survive_a_restart() {
    let clock = manual_clock();
    let mut server = server_with("60", Some(clock.clone()));
    let (_, key) = server.review_project("A");
    let receiver = Receiver::start(|n| Answer::Status(if n == 0 { 500 } else { 200 }));
    self_approving(&server, &key, Some(&receiver.url));
    time_out(&server, &clock);
    receiver.wait_for(1);
    server.restart();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(receiver.received().len(), 1, "still waiting for its gap");
    clock.advance(60_000);
    server.restart();
    assert_eq!(receiver.wait_for(2).len(), 2, "delivered after the restart");
    assert_eq!(settled(&server, &key)[0]["status"], "succeeded");
}

#[test]
fn redelivery_after_a_rotation_is_signed_with_the_new_secret() {
    let clock = manual_clock();
    let server = server_with("0", Some(clock.clone()));
    let (project_id, key) = server.review_project("A");
    let (_, other_key) = server.review_project("B");
    let receiver = Receiver::start(|_| Answer::Status(200));
    self_approving(&server, &key, Some(&receiver.url));
    time_out(&server, &clock);
    let first = receiver.wait_for(1)[0].clone();
    let delivery = settled(&server, &key)[0].clone();
    let old_secret = secret(&server, &project_id);
    assert_eq!(
        server
            .post(
                &format!("/api/v1/projects/{project_id}/signing-secret/rotate"),
                json!({})
            )
            .status,
        200
    );
    let new_secret = secret(&server, &project_id);
    let path = format!(
        "/api/v1/deliveries/{}/redeliver",
        delivery["id"].as_str().unwrap_or_default()
    );
    assert_eq!(
        server
            .review(&other_key, "POST", &path, Some(json!({})))
            .status,
        404
    );
    let redelivered = server.review(&key, "POST", &path, Some(json!({})));
    assert_eq!(redelivered.status, 202);
    let second = receiver.wait_for(2)[1].clone();
    assert_eq!(second.body, first.body, "the same body");
    assert_eq!(
        second.header("X-LoopQuest-Attempt"),
        Some("1"),
        "a new series"
    );
    let signature = second.header("X-LoopQuest-Signature").unwrap_or_default();
    assert_eq!(
        signature,
        format!(
            "sha256={}",
            hmac_sha256_hex(new_secret.as_bytes(), &second.body)
        )
    );
    assert_ne!(
        signature,
        format!(
            "sha256={}",
            hmac_sha256_hex(old_secret.as_bytes(), &second.body)
        )
    );
    assert!(second.at >= first.at);
}

#[test]
fn consensus_and_admin_resolutions_deliver_once_each() {
    let server = server_with("0", None);
    let (project_id, key) = server.review_project("A");
    let receiver = Receiver::start(|_| Answer::Status(200));
    assert_eq!(
        server
            .review(
                &key,
                "POST",
                "/api/v1/hooks",
                Some(json!({"url": receiver.url}))
            )
            .status,
        201
    );
    let reviewers: Vec<common::User> = (0..2)
        .map(|i| {
            let user = server.user(&format!("r{i}@example.com"), "reviewer");
            server.add_reviewer(&project_id, &user);
            user
        })
        .collect();
    let pair = server.task(
        &key,
        json!({"module": "swiper", "payload": {}, "reviews_required": 2}),
    );
    let (a, _) = server.next_card(&reviewers[0]).expect("a card");
    server.decide(&reviewers[0], &a, json!({"decision": "approve"}));
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        receiver.received().is_empty(),
        "no delivery before consensus"
    );
    let (b, _) = server.next_card(&reviewers[1]).expect("a card");
    server.decide(&reviewers[1], &b, json!({"decision": "approve"}));
    receiver.wait_for(1);
    // An escalation, then an admin's resolution: two deliveries.
    let single = server.task(&key, json!({"module": "swiper", "payload": {}}));
    let (c, _) = server.next_card(&reviewers[0]).expect("a card");
    server.decide(
        &reviewers[0],
        &c,
        json!({"decision": "escalate", "reason": "unsure"}),
    );
    receiver.wait_for(2);
    let path = format!(
        "/api/v1/review/tasks/{}/resolve",
        single["id"].as_str().unwrap_or_default()
    );
    assert_eq!(
        server.post(&path, json!({"decision": "approve"})).status,
        200
    );
    let got = receiver.wait_for(3);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(receiver.received().len(), 3);
    let bodies: Vec<Value> = got
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap_or_default())
        .collect();
    assert_eq!(
        (bodies[0]["task_id"].clone(), bodies[0]["verdict"].clone()),
        (pair["id"].clone(), json!(true))
    );
    assert_eq!(
        (bodies[1]["verdict"].clone(), bodies[1]["escalated"].clone()),
        (Value::Null, json!(true))
    );
    assert_eq!(
        (
            bodies[2]["verdict"].clone(),
            bodies[2]["escalated"].clone(),
            bodies[2]["status"].clone()
        ),
        (json!(true), json!(true), json!("reviewed"))
    );
    assert_ne!(
        got[1].header("X-LoopQuest-Delivery"),
        got[2].header("X-LoopQuest-Delivery")
    );
    let for_task = deliveries(
        &server,
        &key,
        &format!("?task_id={}", single["id"].as_str().unwrap_or_default()),
    );
    assert_eq!(for_task.as_array().map(Vec::len), Some(2));
}

#[test]
fn flags_escalations_and_timeouts_become_engine_signals() {
    let clock = manual_clock();
    let server = server_with("0", Some(clock.clone()));
    let (project_id, key) = server.review_project("Support");
    let reviewer = server.user("r@example.com", "reviewer");
    server.add_reviewer(&project_id, &reviewer);
    let decide = |card: &str, decision: Value| {
        server.task(
            &key,
            json!({"module": "swiper", "payload": {}, "card": {"title": card}}),
        );
        let (assignment, _) = server.next_card(&reviewer).expect("a card");
        assert_eq!(server.decide(&reviewer, &assignment, decision).status, 200);
    };
    decide("Approved one", json!({"decision": "approve"}));
    decide(
        "Refund #1",
        json!({"decision": "flag", "reason": "wrong amount", "severity": "critical"}),
    );
    decide(
        "Refund #2",
        json!({"decision": "escalate", "reason": "unsure"}),
    );
    server.task(
        &key,
        json!({"module": "swiper", "payload": {}, "mode": "gate", "timeout_seconds": 30,
        "on_timeout": "reject", "card": {"title": "Refund #3"}}),
    );
    time_out(&server, &clock);
    let signals = server
        .get(&format!(
            "/api/issues?type=signal&projectId={project_id}&limit=50"
        ))
        .json();
    let mut found: Vec<(String, i64)> = signals["data"]
        .as_array()
        .map(|issues| {
            issues
                .iter()
                .map(|i| {
                    (
                        i["title"].as_str().unwrap_or_default().to_owned(),
                        i["priority"].as_i64().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    assert_eq!(
        found,
        [
            ("[review] review.escalated: Refund #2".to_owned(), 2),
            ("[review] review.flagged: Refund #1".to_owned(), 1),
            ("[review] review.timed_out: Refund #3".to_owned(), 3),
        ]
    );
    let issue = signals["data"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|i| i["title"].as_str().is_some_and(|t| t.contains("flagged")))
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(issue["status"], "triage");
    let conn = rusqlite::Connection::open(server.db_path()).expect("open the database");
    let (source, kind, severity, payload): (String, String, String, String) = conn
        .query_row(
            "SELECT source, type, severity, payload FROM signals WHERE type = 'review.flagged'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .expect("the signal row");
    assert_eq!(
        (source.as_str(), kind.as_str(), severity.as_str()),
        ("review", "review.flagged", "critical")
    );
    let payload: Value = serde_json::from_str(&payload).unwrap_or_default();
    assert_eq!(
        (
            payload["title"].clone(),
            payload["project"].clone(),
            payload["verdict"].clone()
        ),
        (json!("Refund #1"), json!("Support"), json!(false))
    );
}
