//! Hostile input on every `/api/v1` route (docs/review-api.md#conventions, docs/review-api.md#errors): malformed and
//! wrongly typed JSON, odd paths, queries, methods and headers, and broken decisions
//! for each game. Whatever a client sends, the answer is never a 5xx, every answer but
//! a 204 is a JSON body (errors with a string `error` and the `code` of their status),
//! and what was stored before reads back unchanged, also after a restart.
//!
//! Each family of routes (tasks, hooks, verdicts and deliveries, project administration,
//! sessions, users, the review queue) runs against a server of its own, and so does each
//! game's decisions; the families together cover every `/api/v1` route of the table.
//!
//! The cases are fixed lists plus values made by a xorshift generator with a fixed seed,
//! so every run sends the same requests. Failures are collected and reported together.
//!
//! Regression cases of bugs this battery found: numbers in a payload read back exactly
//! as sent (the default serde_json float parser was one unit in the last place off),
//! callback and hook URLs the deliverer cannot send to are a 422, and absolute-form
//! request targets (`GET http://host/api/v1/me`) reach their route.

mod battery;
mod cases;
mod games;
mod hostile;
mod probe;
mod rng;
mod scenarios;
mod world;

use std::collections::BTreeSet;

use serde_json::json;

use crate::common::TestServer;
use crate::common::http::exchange;
use battery::battery;
use cases::cases;
use hostile::hostile_values;
use probe::{Probe, clip};
use rng::Rng;
use world::{Stored, Targets, World};

/// The generator's seed: every run sends the same requests.
const SEED: u64 = 0x5EED_1234_ABCD_0001;

/// The route families, by the path prefixes of their routes.
const FAMILIES: [&[&str]; 7] = [
    &["/api/v1/me", "/api/v1/tasks"],
    &["/api/v1/hooks"],
    &["/api/v1/verdicts", "/api/v1/deliveries"],
    &["/api/v1/projects"],
    &["/api/v1/auth"],
    &["/api/v1/users"],
    &["/api/v1/review"],
];

/// Whether `pattern` is one of `prefixes` or below one.
fn in_family(pattern: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|prefix| {
        pattern
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// The `/api/v1` routes of the table, as `(method, pattern)`.
fn review_routes() -> BTreeSet<(String, String)> {
    loop_engine::routes()
        .into_iter()
        .filter(|(_, pattern)| pattern.starts_with("/api/v1/"))
        .map(|(method, pattern)| (method.to_owned(), pattern.to_owned()))
        .collect()
}

/// Runs the batteries of every route of the family `prefixes` against a world of its own,
/// then `more` (checks that span requests); what was stored first must read back
/// unchanged after them, also after a restart.
fn family(prefixes: &[&str], more: impl FnOnce(&mut Probe, &World, &Stored)) {
    let mut world = World::new();
    let mut rng = Rng(SEED);
    let mut probe = Probe::new(world.addr());
    let stored = Stored::new(&world, vec![world.decided_task()]);
    let before = stored.snapshot(&world);
    let targets = Targets::new(&world, &stored);

    let cases: Vec<_> = cases(&world, &targets)
        .into_iter()
        .filter(|case| in_family(case.pattern, prefixes))
        .collect();
    let covered: BTreeSet<(String, String)> = cases
        .iter()
        .map(|c| (c.method.to_owned(), c.pattern.to_owned()))
        .collect();
    let routed: BTreeSet<(String, String)> = review_routes()
        .into_iter()
        .filter(|(_, pattern)| in_family(pattern, prefixes))
        .collect();
    assert_eq!(covered, routed, "every route of {prefixes:?} needs a case");

    let values = hostile_values(&mut rng, 10);
    for case in &cases {
        battery(&mut probe, &world, case, &mut rng, &values);
    }
    more(&mut probe, &world, &stored);
    survives(&mut world, &mut probe, &stored, &before);
    probe.finish();
}

/// Checks that `stored` still reads back as `before`, then again after a restart.
fn survives(world: &mut World, probe: &mut Probe, stored: &Stored, before: &world::Snapshot) {
    let after = stored.snapshot(world);
    assert_eq!(*before, after, "stored data changed under hostile input");
    world.server.restart();
    probe.addr = world.addr();
    let restarted = stored.snapshot(world);
    assert_eq!(*before, restarted, "stored data changed across a restart");
}

#[test]
fn every_review_route_belongs_to_one_family() {
    for (method, pattern) in review_routes() {
        let families = FAMILIES
            .iter()
            .filter(|prefixes| in_family(&pattern, prefixes))
            .count();
        assert_eq!(families, 1, "{method} {pattern} is in {families} families");
    }
}

#[test]
fn no_hostile_input_breaks_the_task_routes() {
    family(FAMILIES[0], |probe, world, stored| {
        scenarios::idempotency_keys(probe, world, &stored.keeper);
        scenarios::urls(probe, world);
        scenarios::race_for_an_idempotency_key(probe, world);
        scenarios::timeouts(world);
    });
}

#[test]
fn no_hostile_input_breaks_the_hook_routes() {
    family(FAMILIES[1], |probe, world, _| {
        scenarios::race_for_a_hook(probe, world);
    });
}

#[test]
fn no_hostile_input_breaks_the_verdict_and_delivery_routes() {
    family(FAMILIES[2], |_, _, _| {});
}

#[test]
fn no_hostile_input_breaks_the_project_administration_routes() {
    family(FAMILIES[3], |_, _, _| {});
}

#[test]
fn no_hostile_input_breaks_the_session_routes() {
    family(FAMILIES[4], |_, _, _| {});
}

#[test]
fn no_hostile_input_breaks_the_user_routes() {
    family(FAMILIES[5], |_, _, _| {});
}

#[test]
fn no_hostile_input_breaks_the_review_queue_routes() {
    family(FAMILIES[6], |probe, world, _| {
        scenarios::race_for_the_next_card(probe, world);
    });
}

/// Every game gets broken decisions and then a valid one, an admin resolves an escalated
/// task, and random games meet odd but accepted data; the decided tasks read back
/// unchanged, also after a restart.
#[test]
fn no_broken_decision_breaks_a_game() {
    let mut world = World::new();
    let mut rng = Rng(SEED);
    let mut probe = Probe::new(world.addr());
    let (mut decided, escalated) = games::games(&mut probe, &world, &mut rng);
    games::resolution(&mut probe, &world, &escalated);
    games::random_games(&mut probe, &world, &mut rng);
    decided.push(escalated);
    let stored = Stored::new(&world, decided);
    let before = stored.snapshot(&world);
    survives(&mut world, &mut probe, &stored, &before);
    probe.finish();
}

/// Transport oddities below the API. tiny_http handles some before the server sees
/// them: a request line that is not ASCII or is malformed gets a JSON 400, and header
/// values outside ASCII reach the API decoded as UTF-8. Whatever happens, the server
/// stays up, answers no 5xx, and stores only what it acknowledged.
#[test]
fn transport_oddities_leave_the_server_serving() {
    let server = TestServer::start();
    let (_, key) = server.review_project("A");
    let addr = server.running().addr();
    let body = json!({"module": "swiper", "payload": {}}).to_string();
    let head = |extra: &str| {
        format!(
            "POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    };
    let mut odd: Vec<Vec<u8>> = vec![
        head("Idempotency-Key: ключ\r\n"),
        head("Idempotency-Key: \u{e9}\r\n"),
        {
            let mut raw = head("Idempotency-Key: x\r\n");
            let at = raw
                .windows(18)
                .position(|w| w == b"Idempotency-Key: x")
                .expect("key")
                + 17;
            raw[at] = 0xff;
            raw
        },
        head("X-Broken-Header\r\n"),
        head("Bad Name: x\r\n"),
        head(": no name\r\n"),
        b"GARBAGE\r\n\r\n".to_vec(),
        b"GET /api/v1/me\r\n\r\n".to_vec(),
        "GET /api/v1/tasks/é HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            .as_bytes()
            .to_vec(),
        b"GET /api/v1/tasks/a b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
    ];
    odd.push(
        format!(
            "POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {key}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n"
        )
        .into_bytes(),
    );
    odd.push(
        format!(
            "POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {key}\r\nContent-Length: 3000000\r\n\r\n{{}}"
        )
        .into_bytes(),
    );
    let mut accepted = 0;
    for raw in &odd {
        let shown = clip(&String::from_utf8_lossy(&raw[..raw.len().min(120)]), 120);
        if let Some(response) = exchange(addr, raw) {
            if response.status == 201 {
                accepted += 1;
            }
            assert!(
                response.status < 500,
                "{shown}: answered {} {}",
                response.status,
                response.text()
            );
        }
        let alive = server.review(&key, "GET", "/api/v1/me", None);
        assert_eq!(alive.status, 200, "after {shown}: {}", alive.text());
    }
    let listed = server.review(&key, "GET", "/api/v1/tasks", None).json();
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(accepted),
        "only requests answered 201 stored a task"
    );
}
