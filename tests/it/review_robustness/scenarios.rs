//! Checks that span more than one request: races, gate timeouts, delivery URLs and
//! idempotency keys.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::probe::{HEAD_LIMIT, Probe, Req, clip};
use super::world::World;
use crate::common::Response;
use crate::common::http::exchange;

/// Sends `req` from eight threads at once and checks every answer.
pub(super) fn race(probe: &mut Probe, what: &str, req: &Req, expect: &[u16]) -> Vec<Value> {
    let addr = probe.addr;
    let raw = req.to_bytes(addr);
    let answers: Vec<Option<Response>> = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..8)
            .map(|_| scope.spawn(|| exchange(addr, &raw)))
            .collect();
        racers
            .into_iter()
            .map(|racer| racer.join().ok().flatten())
            .collect()
    });
    answers
        .into_iter()
        .filter_map(|answer| probe.verify(what, req, answer, expect))
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}

/// A request of the ingest project's key with a JSON body.
fn with_key(world: &World, method: &str, target: &str, body: Value) -> Req {
    Req::new(method, target)
        .header("Authorization", format!("Bearer {}", world.key_p))
        .header("Content-Type", "application/json")
        .body(body.to_string())
}

/// Records a failure unless every answer names the same `id`.
fn same_id(probe: &mut Probe, what: &str, answers: &[Value]) {
    let ids: BTreeSet<String> = answers.iter().map(|a| a["id"].to_string()).collect();
    if ids.len() != 1 {
        probe
            .failures
            .push(format!("{what}: {} different ids: {ids:?}", ids.len()));
    }
}

/// Concurrent first requests with one `Idempotency-Key` create one task (docs/review-api.md#idempotency).
pub(super) fn race_for_an_idempotency_key(probe: &mut Probe, world: &World) {
    let task = with_key(
        world,
        "POST",
        "/api/v1/tasks",
        json!({"module": "swiper", "payload": {"content": "race"}}),
    )
    .header("Idempotency-Key", "race-key");
    let answers = race(probe, "racing Idempotency-Key", &task, &[200, 201]);
    same_id(probe, "racing Idempotency-Key", &answers);
}

/// Concurrent subscriptions of one hook URL make one subscription (docs/review-api.md#hooks-and-verdicts).
pub(super) fn race_for_a_hook(probe: &mut Probe, world: &World) {
    let hook = with_key(
        world,
        "POST",
        "/api/v1/hooks",
        json!({"url": "http://127.0.0.1:9/race"}),
    );
    let answers = race(probe, "racing hook", &hook, &[200, 201]);
    same_id(probe, "racing hook", &answers);
}

/// A reviewer asking for work from many tabs at once holds one lease (docs/review-api.md#reviewing).
pub(super) fn race_for_the_next_card(probe: &mut Probe, world: &World) {
    let next = Req::new("POST", "/api/v1/review/next")
        .header("Content-Type", "application/json")
        .header("Cookie", &world.reviewer.cookie)
        .body(json!({"modules": ["sorter"]}).to_string());
    world.review_task(json!({"module": "sorter", "payload": {"content": "race"}}));
    let answers = race(probe, "racing next", &next, &[200]);
    let leases: BTreeSet<String> = answers
        .iter()
        .map(|a| a["assignment_id"].to_string())
        .collect();
    if leases.len() != 1 {
        probe
            .failures
            .push(format!("racing next: {} leases: {leases:?}", leases.len()));
    }
}

/// Once their deadline passes, every gate task the batteries left pending resolves by
/// its `on_timeout`, whatever odd data it holds: no task stalls the sweeper for the
/// others (docs/review-api.md#modes-and-timeouts).
pub(super) fn timeouts(world: &World) {
    let pending_gates = || -> i64 {
        let conn = rusqlite::Connection::open(world.server.db_path()).expect("database");
        conn.query_row(
            "SELECT COUNT(*) FROM review_tasks WHERE status = 'pending' AND expires_at IS NOT NULL",
            [],
            |row| row.get(0),
        )
        .expect("count")
    };
    assert!(pending_gates() > 0, "the batteries left gate tasks pending");
    world.clock.advance(31 * 86_400 * 1000);
    world.server.run_background_work();
    assert_eq!(pending_gates(), 0, "every overdue gate task timed out");
}

/// URLs a verdict is delivered to (docs/review-api.md#tasks `callback_url`, docs/review-api.md#hooks-and-verdicts hooks): an unparsable
/// one, or one whose port the deliverer would drop, is a 422, not a task whose every
/// delivery fails.
pub(super) fn urls(probe: &mut Probe, world: &World) {
    let refused = [
        "http://[::1",
        "http://a%zz/",
        "http://x:y@/",
        "http://😀.invalid/",
        "http://a\\b/",
        "http://:80/",
        "http://a:99999/",
        "http://[::1]:70000/",
        "http://a:-1/",
        "http://a:b/",
        "http://a:0/",
        "http:///x",
        "http:/a",
        "http:a",
        "//a",
        "ftp://a/",
        "javascript:alert(1)",
        "http://a b/",
        "http://a\u{0}b/",
        "http://a/\u{85}x",
    ];
    // Local and refused at once: verdicts are posted to every hook of the project.
    let accepted = [
        "http://127.0.0.1:9/x?y=1#z",
        "HTTPS://127.0.0.1:9/UPPER",
        "http://[::1]:9/",
        "http://127.0.0.1:9/%F0%9F%98%80",
        "http://user:pw@127.0.0.1:9/",
        "  http://127.0.0.1:9/padded  ",
    ];
    let post = |target: &str, body: Value| with_key(world, "POST", target, body);
    for (urls, status) in [(&refused[..], 422), (&accepted[..], 201)] {
        for url in urls {
            let task = json!({"module": "swiper", "payload": {}, "callback_url": url});
            let body = probe.expect_json("callback_url", &post("/api/v1/tasks", task), status);
            if status == 422 && body["field"] != "callback_url" {
                probe.failures.push(format!("callback_url {url:?}: {body}"));
            }
            let hook = json!({"url": url});
            probe.expect_json("hook url", &post("/api/v1/hooks", hook), status);
        }
    }
}

/// `Idempotency-Key` values (docs/review-api.md#idempotency): printable ASCII up to 255 characters; anything else
/// is a 422 that stores nothing; a replay returns the original whatever the body.
pub(super) fn idempotency_keys(probe: &mut Probe, world: &World, keeper: &str) {
    let post = |key: &str, body: &[u8]| {
        with_key(world, "POST", "/api/v1/tasks", Value::Null)
            .header("Idempotency-Key", key)
            .body(body)
    };
    let valid = json!({"module": "swiper", "payload": {"content": "idempotent"}}).to_string();
    let refused = [
        "\u{1}abc".to_owned(),
        "abc\u{7f}".to_owned(),
        "a\tb".to_owned(),
        "a\u{0}b".to_owned(),
        "k".repeat(256),
        "k".repeat(100_000),
    ];
    for key in &refused {
        let expect: &[u16] = if key.len() > HEAD_LIMIT {
            &[431]
        } else {
            &[422]
        };
        probe.check(
            &format!("Idempotency-Key {}", clip(key, 20)),
            &post(key, valid.as_bytes()),
            expect,
        );
    }
    let max = "k".repeat(255);
    for key in [max.as_str(), "\"';-- <>{}%00", "   padded   "] {
        let first = probe.check("new Idempotency-Key", &post(key, valid.as_bytes()), &[201]);
        let id = first
            .and_then(|r| serde_json::from_slice::<Value>(&r.body).ok())
            .map(|b| b["id"].clone());
        let replay = probe.check("replayed Idempotency-Key", &post(key, b"{garbage"), &[200]);
        let replayed = replay
            .as_ref()
            .and_then(|r| serde_json::from_slice::<Value>(&r.body).ok())
            .map(|b| b["id"].clone());
        assert_eq!(id, replayed, "a replay returns the original task");
    }
    // The keeper's key replays the keeper, whatever the body says.
    let replay = probe.expect_json(
        "keeper replay",
        &post("keeper-key", b"{\"module\": 5}"),
        200,
    );
    assert_eq!(replay["id"], keeper);
}
