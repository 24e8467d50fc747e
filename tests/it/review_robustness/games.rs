//! Decisions per game: broken ones refused without using the lease up, valid ones
//! resolving as they should, and random games that meet odd but accepted data.

use serde_json::{Map, Value, json};

use super::probe::{Probe, Req, clip};
use super::rng::Rng;
use super::world::World;
use crate::common::{self, KEY, User};

/// Decision bodies every game refuses (422).
pub(super) fn broken_decisions_for_any_game() -> Vec<Value> {
    vec![
        json!({}),
        json!({"decision": null}),
        json!({"decision": ""}),
        json!({"decision": "APPROVE"}),
        json!({"decision": "approved"}),
        json!({"decision": 1}),
        json!({"decision": true}),
        json!({"decision": ["approve"]}),
        json!({"decision": {"approve": true}}),
        json!({"decision": "flag"}),
        json!({"decision": "flag", "reason": "   "}),
        json!({"decision": "flag", "reason": "\n\t"}),
        json!({"decision": "flag", "reason": "x".repeat(501)}),
        json!({"decision": "flag", "reason": 5}),
        json!({"decision": "flag", "reason": ["r"]}),
        json!({"decision": "flag", "reason": "r", "severity": "urgent"}),
        json!({"decision": "flag", "reason": "r", "severity": 2}),
        json!({"decision": "flag", "reason": "r", "severity": "HIGH"}),
        json!({"decision": "approve", "detail": [1]}),
        json!({"decision": "approve", "detail": "x"}),
        json!({"decision": "approve", "detail": 5}),
        json!({"decision": "approve", "detail": true}),
        json!({"decision": "approve", "choice": {"a": 1}}),
        json!({"decision": "approve", "choice": 1.5}),
        json!({"decision": "approve", "choice": "x".repeat(101)}),
        json!({"decision": "approve", "reason": "x".repeat(100_000)}),
        json!({"decision": "escalate", "reason": 7}),
    ]
}

/// Span lists that are out of range, reversed, overlapping or not numbers, for a text
/// of `length` characters; `label` is added to each span when given.
pub(super) fn broken_spans(length: usize, label: Option<&str>, rng: &mut Rng) -> Vec<Value> {
    let n = length as u64;
    let mut lists = vec![
        json!([{"start": 0, "end": n + 1}]),
        json!([{"start": n, "end": n + 5}]),
        json!([{"start": 3, "end": 3}]),
        json!([{"start": 5, "end": 2}]),
        json!([{"start": -1, "end": 2}]),
        json!([{"start": 0, "end": -1}]),
        json!([{"start": 0.5, "end": 2}]),
        json!([{"start": 0, "end": 2.0000001}]),
        json!([{"start": "0", "end": "2"}]),
        json!([{"start": null, "end": 2}]),
        json!([{"start": true, "end": 2}]),
        json!([{"start": 0}]),
        json!([{"end": 2}]),
        json!([{"start": 0, "end": 1e20}]),
        json!([{"start": 0, "end": 18_446_744_073_709_551_615_u64}]),
        json!([{"start": 0, "end": 4}, {"start": 2, "end": 6}]),
        json!([{"start": 0, "end": 4}, {"start": 0, "end": 4}]),
        json!([{"start": 4, "end": 8}, {"start": 0, "end": 5}]),
        json!([[0, 4]]),
        json!([4]),
        json!([null]),
        json!(["0-4"]),
        json!({"start": 0, "end": 4}),
        json!("0-4"),
        json!(5),
    ];
    // Generated: random offsets broken in one of five ways.
    for _ in 0..12 {
        let a = rng.below(length.max(1)) as i64;
        let b = a + 1 + rng.below(3) as i64;
        let far = length as i64 + 1 + rng.below(1000) as i64;
        lists.push(match rng.below(5) {
            0 => json!([{"start": a, "end": far}]),
            1 => json!([{"start": b, "end": a}]),
            2 => json!([{"start": a, "end": b + 2}, {"start": b, "end": b + 3}]),
            3 => json!([{"start": -a - 1, "end": b}]),
            _ => json!([{"start": a as f64 + 0.25, "end": b}]),
        });
    }
    if let Some(label) = label {
        for list in &mut lists {
            if let Some(items) = list.as_array_mut() {
                for item in items.iter_mut().filter(|i| i.is_object()) {
                    item["label"] = json!(label);
                }
            }
        }
        // Valid offsets with broken labels.
        for bad in [
            json!("ssn"),
            json!("EMAIL"),
            json!("email "),
            json!(1),
            json!(null),
            json!(["email"]),
            json!(""),
        ] {
            lists.push(json!([{"start": 0, "end": 2, "label": bad}]));
        }
        lists.push(json!([{"start": 0, "end": 2}]));
    }
    lists
}

/// Takes a card of `module`, sends every broken decision (each must be refused without
/// using the lease up), then `valid`; returns the task id.
pub(super) fn game(
    probe: &mut Probe,
    world: &World,
    module: &str,
    task: Value,
    broken: Vec<Value>,
    valid: Value,
) -> String {
    let task_id = world.review_task(task);
    let (assignment, _) = world.card(&world.reviewer, module);
    let target = format!("/api/v1/review/assignments/{assignment}/decision");
    let decide = |body: &[u8], cookie: &str| {
        Req::new("POST", &target)
            .header("Content-Type", "application/json")
            .header("Cookie", cookie)
            .body(body)
    };
    for body in broken {
        probe.check(
            &format!("{module} decision {}", clip(&body.to_string(), 60)),
            &decide(body.to_string().as_bytes(), &world.reviewer.cookie),
            &[422],
        );
    }
    for body in [&b"{"[..], b"[]", b"{\"decision\":\"approve\",}"] {
        probe.check(
            &format!("{module} malformed decision"),
            &decide(body, &world.reviewer.cookie),
            &[400],
        );
    }
    // Someone else's lease, and a viewer.
    let body = valid.to_string();
    probe.check(
        &format!("{module} decision on another reviewer's lease"),
        &decide(body.as_bytes(), &world.reviewer2.cookie),
        &[409],
    );
    probe.check(
        &format!("{module} decision by a viewer"),
        &decide(body.as_bytes(), &world.viewer.cookie),
        &[403],
    );
    probe.check(
        &format!("{module} valid decision after the broken ones"),
        &decide(body.as_bytes(), &world.reviewer.cookie),
        &[200],
    );
    probe.check(
        &format!("{module} second decision"),
        &decide(body.as_bytes(), &world.reviewer.cookie),
        &[409],
    );
    task_id
}

/// Every game gets broken decisions; the valid one that follows resolves the task as
/// it should. Returns the decided tasks and the id of an escalated one.
pub(super) fn games(probe: &mut Probe, world: &World, rng: &mut Rng) -> (Vec<String>, String) {
    let common = broken_decisions_for_any_game();
    let with = |extra: Vec<Value>| common.iter().cloned().chain(extra).collect::<Vec<_>>();
    let mut decided = Vec::new();

    let reason = "nul \u{0} emoji 😀 ctrl \u{1} \u{202e}";
    let swiper = game(
        probe,
        world,
        "swiper",
        json!({"module": "swiper", "payload": {"content": "Refund £2,400 😀"}, "card": {"title": "Refund"}}),
        with(vec![]),
        json!({"decision": "flag", "reason": reason, "severity": "critical", "unknown": [1]}),
    );
    let task = world.read_task(&world.key_q, &swiper);
    assert_eq!(
        (
            &task["status"],
            &task["verdict"],
            &task["reason"],
            &task["detail"]
        ),
        (
            &json!("reviewed"),
            &json!(false),
            &json!(reason),
            &json!({"severity": "critical"})
        ),
        "{task}"
    );
    decided.push(swiper);

    let versus = game(
        probe,
        world,
        "versus",
        json!({"module": "versus", "payload": {"prompt": "p", "a": {"text": "A"}, "b": "B"}}),
        with(vec![
            json!({"decision": "approve"}),
            json!({"decision": "approve", "choice": "c"}),
            json!({"decision": "approve", "choice": "A"}),
            json!({"decision": "approve", "choice": "tie "}),
            json!({"decision": "approve", "choice": 1}),
            json!({"decision": "approve", "choice": ["a"]}),
            json!({"decision": "approve", "choice": ""}),
        ]),
        json!({"decision": "approve", "choice": "tie"}),
    );
    let task = world.read_task(&world.key_q, &versus);
    assert_eq!(
        (&task["verdict"], &task["choice"]),
        (&json!(true), &json!("tie"))
    );
    decided.push(versus);

    let sorter = game(
        probe,
        world,
        "sorter",
        json!({"module": "sorter", "payload": {"content": "x"}, "card": {"choices": ["Billing", "Bug", "Other"]}}),
        with(vec![
            json!({"decision": "approve"}),
            json!({"decision": "approve", "choice": "Refund"}),
            json!({"decision": "approve", "choice": "   "}),
            json!({"decision": "approve", "choice": 3}),
            json!({"decision": "approve", "choice": ["Bug"]}),
            json!({"decision": "approve", "choice": "Bug\u{0}"}),
        ]),
        json!({"decision": "approve", "choice": " bug "}),
    );
    let task = world.read_task(&world.key_q, &sorter);
    assert_eq!(
        (&task["verdict"], &task["choice"]),
        (&json!(true), &json!("Bug"))
    );
    decided.push(sorter);

    let text = "The sky is green. Water is wet. 😀 done";
    let length = text.chars().count();
    let detective_broken = broken_spans(length, None, rng)
        .into_iter()
        .map(|spans| json!({"decision": "flag", "reason": "r", "detail": {"spans": spans}}))
        .collect();
    let detective = game(
        probe,
        world,
        "detective",
        json!({"module": "detective", "payload": {"body": text}}),
        with(detective_broken),
        json!({"decision": "flag", "reason": "wrong colour", "detail": {"spans": [{"start": 11, "end": 16}]}}),
    );
    let task = world.read_task(&world.key_q, &detective);
    assert_eq!(
        (&task["verdict"], &task["choice"], &task["detail"]),
        (
            &json!(false),
            &json!("green"),
            &json!({"spans": [{"start": 11, "end": 16, "text": "green"}]})
        ),
        "{task}"
    );
    decided.push(detective);

    let fixer_broken = [
        json!([]),
        json!([{"value": "x"}]),
        json!([{"value": "x"}, {"value": 1}, {"value": 2}]),
        json!([{"value": {}}, {"value": 1}]),
        json!([{"value": "x"}, {"value": [1]}]),
        json!([{"value": {"nested": {"deep": 1}}}, {"value": 1}]),
        json!(["x", "y"]),
        json!([null, null]),
        json!([{"v": 1}, {"value": 2}]),
        json!([{"value": "x"}, 3]),
        json!({"value": "x"}),
        json!("x"),
        json!(5),
        json!(true),
    ]
    .into_iter()
    .map(|fields| json!({"decision": "approve", "detail": {"fields": fields}}))
    .collect();
    let fixer = game(
        probe,
        world,
        "fixer",
        json!({"module": "fixer", "payload": {"fields": [{"label": "Amount", "value": "£2,400"}, {"label": "Count", "value": 3, "key": "n"}]}}),
        with(fixer_broken),
        json!({"decision": "approve", "detail": {"fields": [{"value": "£2,500 \u{0}"}, {"value": 3}]}}),
    );
    let task = world.read_task(&world.key_q, &fixer);
    assert_eq!(
        (&task["choice"], &task["detail"]["fields"][0]["value"]),
        (&json!("corrected"), &json!("£2,500 \u{0}")),
        "{task}"
    );
    decided.push(fixer);

    let text = "Mail ana@example.com or call 555-0100 😀";
    let length = text.chars().count();
    let redact_broken = broken_spans(length, Some("email"), rng)
        .into_iter()
        .map(|spans| json!({"decision": "approve", "detail": {"spans": spans}}))
        .collect();
    let redact = game(
        probe,
        world,
        "redact",
        json!({"module": "redact", "payload": {"body": text}}),
        with(redact_broken),
        json!({"decision": "approve", "detail": {"spans": [{"start": 5, "end": 20, "label": "email"}]}}),
    );
    let task = world.read_task(&world.key_q, &redact);
    assert_eq!(
        (&task["choice"], &task["detail"]["redacted_text"]),
        (
            &json!("redacted"),
            &json!("Mail [REDACTED] or call 555-0100 😀")
        ),
        "{task}"
    );
    decided.push(redact);

    let escalated = game(
        probe,
        world,
        "grounding",
        json!({"module": "grounding", "payload": {"claim": "c", "source": "s"}}),
        with(vec![
            json!({"decision": "approve", "choice": "unsupported"}),
            json!({"decision": "flag", "reason": "r", "choice": "supported"}),
            json!({"decision": "flag", "reason": "r"}),
            json!({"decision": "flag", "reason": "r", "choice": "Contradicted"}),
            json!({"decision": "flag", "reason": "r", "choice": 7}),
            json!({"decision": "approve", "detail": {"evidence": 5}}),
            json!({"decision": "approve", "detail": {"evidence": ["q"]}}),
            json!({"decision": "approve", "detail": {"evidence": "x".repeat(2001)}}),
        ]),
        json!({"decision": "escalate", "reason": "unsure 😀"}),
    );
    let task = world.read_task(&world.key_q, &escalated);
    assert_eq!(task["status"], "escalated", "{task}");
    (decided, escalated)
}

/// An admin's resolution of an escalated task refuses what does not fit the game and
/// takes the valid one once.
pub(super) fn resolution(probe: &mut Probe, world: &World, escalated: &str) {
    let target = format!("/api/v1/review/tasks/{escalated}/resolve");
    let resolve = |body: String| {
        Req::new("POST", &target)
            .header("Content-Type", "application/json")
            .header("Cookie", &world.admin.cookie)
            .body(body)
    };
    let mut broken = broken_decisions_for_any_game();
    broken.extend([
        json!({"decision": "escalate"}),
        json!({"decision": "approve", "choice": "contradicted"}),
        json!({"decision": "flag", "reason": "r"}),
        json!({"decision": "flag", "reason": "r", "choice": "supported"}),
        json!({"decision": "approve", "detail": {"evidence": 5}}),
    ]);
    for body in broken {
        probe.check(
            &format!("resolve {}", clip(&body.to_string(), 60)),
            &resolve(body.to_string()),
            &[422],
        );
    }
    let valid = json!({"decision": "flag", "reason": "wrong", "choice": "contradicted", "detail": {"evidence": "quote 😀 \u{0}"}});
    probe.check("valid resolve", &resolve(valid.to_string()), &[200]);
    probe.check("second resolve", &resolve(valid.to_string()), &[409]);
    let task = world.read_task(&world.key_q, escalated);
    assert_eq!(
        (
            &task["status"],
            &task["verdict"],
            &task["choice"],
            &task["detail"]
        ),
        (
            &json!("reviewed"),
            &json!(false),
            &json!("contradicted"),
            &json!({"evidence": "quote 😀 \u{0}"})
        ),
        "{task}"
    );
}

/// A value a client might send where a game looks for its text.
pub(super) fn random_text(rng: &mut Rng) -> Value {
    match rng.below(5) {
        0 => json!(""),
        1 => rng.value(2),
        2 => json!({"text": rng.string(20)}),
        _ => json!(rng.string(40)),
    }
}

/// A task of `module` with a payload and card made by the generator: mostly accepted,
/// often odd (empty texts, duplicate buckets, fields of every type).
pub(super) fn random_task(rng: &mut Rng, module: &str) -> Value {
    let mut payload = Map::new();
    for key in [
        "content", "body", "text", "claim", "source", "context", "prompt", "a", "b",
    ] {
        if rng.below(2) == 0 {
            payload.insert(key.to_owned(), random_text(rng));
        }
    }
    if rng.below(3) == 0 {
        let choices: Vec<Value> = (0..rng.below(5))
            .map(|_| match rng.below(4) {
                0 => json!("Same"),
                1 => rng.value(1),
                _ => json!(rng.string(8)),
            })
            .collect();
        payload.insert("choices".to_owned(), Value::Array(choices));
    }
    if rng.below(2) == 0 {
        let fields: Vec<Value> = (0..rng.below(4))
            .map(|_| match rng.below(4) {
                0 => rng.value(1),
                1 => json!({"label": rng.string(8), "value": rng.value(1), "key": rng.string(4)}),
                _ => json!({"label": rng.string(8), "value": rng.string(10)}),
            })
            .collect();
        payload.insert("fields".to_owned(), Value::Array(fields));
    }
    let mut task =
        json!({"module": module, "payload": payload, "reviews_required": 1 + rng.below(3)});
    if rng.below(2) == 0 {
        task["mode"] = json!("gate");
    }
    if rng.below(2) == 0 {
        let mut card = Map::new();
        if rng.below(2) == 0 {
            card.insert("title".to_owned(), json!(rng.string(10)));
        }
        if rng.below(3) == 0 {
            card.insert("body".to_owned(), json!(rng.string(30)));
        }
        if rng.below(2) == 0 {
            let n = 1 + rng.below(4);
            let choices: Vec<String> = (0..n).map(|i| format!("{i}{}", rng.string(6))).collect();
            card.insert("choices".to_owned(), json!(choices));
        }
        task["card"] = Value::Object(card);
    }
    if rng.below(7) == 0 {
        task["golden"] = json!(true);
        task["answer"] = rng
            .pick(&[
                json!(true),
                json!(false),
                json!("a"),
                json!("supported"),
                json!("contradicted"),
                json!("confirmed"),
                json!("redacted"),
                json!("Same"),
                json!({"verdict": false}),
                json!({"verdict": true, "choice": "tie"}),
            ])
            .clone();
    }
    task
}

/// Spans over a text of `length` characters, mostly inside it.
pub(super) fn random_spans(rng: &mut Rng, length: usize, labelled: bool) -> Value {
    let spans: Vec<Value> = (0..rng.below(4))
        .map(|_| {
            let start = rng.below(length + 2);
            let end = start + rng.below(6);
            let mut span = json!({"start": start, "end": end});
            if labelled {
                span["label"] = json!(rng.pick(&["email", "name", "other", "card", "bogus"]));
            }
            span
        })
        .collect();
    Value::Array(spans)
}

/// A decision shaped after the card a reviewer was shown: valid often enough to reach
/// consensus, merging and scoring, wrong often enough to be refused.
pub(super) fn random_decision(rng: &mut Rng, task: &Value) -> Value {
    let view = &task["view"];
    let decision = *rng.pick(&["approve", "approve", "flag", "flag", "escalate", "bogus"]);
    let mut body = json!({"decision": decision});
    if rng.below(4) > 0 {
        body["reason"] = json!(format!("r{}", rng.string(20)));
    }
    let buckets: Vec<Value> = view["choices"].as_array().cloned().unwrap_or_default();
    let mut choices = vec![
        Value::Null,
        json!("a"),
        json!("b"),
        json!("tie"),
        json!("supported"),
        json!("unsupported"),
        json!("contradicted"),
        json!(rng.string(10)),
    ];
    choices.extend(buckets);
    let choice = rng.pick(&choices).clone();
    if !choice.is_null() {
        body["choice"] = choice;
    }
    if rng.below(3) == 0 {
        body["severity"] = json!(rng.pick(&["low", "high", "critical", "bogus"]));
    }
    let length = view["text"].as_str().map_or(0, |t| t.chars().count());
    let fields = view["fields"].as_array().map_or(0, Vec::len);
    let labelled = task["module"] == "redact";
    match rng.below(4) {
        0 => {}
        1 => body["detail"] = json!({"spans": random_spans(rng, length, labelled)}),
        2 => {
            let count = fields + usize::from(rng.below(5) == 0);
            let values: Vec<Value> = (0..count)
                .map(|_| json!({"value": if rng.below(2) == 0 { rng.value(0) } else { json!(rng.string(6)) }}))
                .collect();
            body["detail"] = json!({"fields": values});
        }
        _ => body["detail"] = json!({"evidence": rng.string(30)}),
    }
    body
}

/// Random tasks of every game, decided by three reviewers with random decisions shaped
/// after what they were shown, so that consensus, merged spans and corrections, golden
/// scoring and admin resolutions all meet odd but accepted data. Every task then reads
/// back with the payload it was sent with.
pub(super) fn random_games(probe: &mut Probe, world: &World, rng: &mut Rng) {
    let server = &world.server;
    let (project, key) = server.review_project("Games");
    let players: Vec<User> = (0..3)
        .map(|i| {
            let user = server.user(&format!("player{i}@example.com"), "reviewer");
            server.add_reviewer(&project, &user);
            user
        })
        .collect();
    let post = |target: &str, cookie: &str, body: String| {
        Req::new("POST", target)
            .header("Content-Type", "application/json")
            .header("Cookie", cookie)
            .body(body)
    };
    let mut created: Vec<(String, Value)> = Vec::new();
    for _ in 0..60 {
        let module = *rng.pick(&common::GAMES);
        let task = random_task(rng, module);
        let req = Req::new("POST", "/api/v1/tasks")
            .header("Authorization", format!("Bearer {key}"))
            .header("Content-Type", "application/json")
            .body(task.to_string());
        if let Some(response) = probe.check(&format!("random {module} task"), &req, &[201, 422])
            && response.status == 201
            && let Ok(body) = serde_json::from_slice::<Value>(&response.body)
        {
            let id = body["id"].as_str().unwrap_or_default().to_owned();
            created.push((id, task["payload"].clone()));
        }
        for player in &players {
            let next = post(
                "/api/v1/review/next",
                &player.cookie,
                json!({"project_id": project}).to_string(),
            );
            let Some(card) = probe.check("random next", &next, &[200, 204]) else {
                continue;
            };
            let Ok(card) = serde_json::from_slice::<Value>(&card.body) else {
                continue;
            };
            let assignment = card["assignment_id"].as_str().unwrap_or_default();
            let decision = random_decision(rng, &card["task"]);
            let decided = probe.check(
                &format!("random decision {}", clip(&decision.to_string(), 80)),
                &post(
                    &format!("/api/v1/review/assignments/{assignment}/decision"),
                    &player.cookie,
                    decision.to_string(),
                ),
                &[200, 422],
            );
            if decided.is_none_or(|r| r.status != 200) {
                probe.check(
                    "skip after a refused decision",
                    &post(
                        &format!("/api/v1/review/assignments/{assignment}/skip"),
                        &player.cookie,
                        String::new(),
                    ),
                    &[204],
                );
            }
        }
    }
    let escalated = probe.expect_json(
        "escalations",
        &Req::new(
            "GET",
            &format!("/api/v1/review/escalations?project_id={project}&limit=100"),
        )
        .header("Authorization", format!("Bearer {KEY}")),
        200,
    );
    for task in escalated.as_array().cloned().unwrap_or_default() {
        let id = task["id"].as_str().unwrap_or_default();
        let mut shown = task.clone();
        shown["view"] =
            json!({"text": task["payload"]["body"], "fields": task["payload"]["fields"]});
        let body = random_decision(rng, &shown);
        probe.check(
            &format!("random resolve {}", clip(&body.to_string(), 80)),
            &post(
                &format!("/api/v1/review/tasks/{id}/resolve"),
                &world.admin.cookie,
                body.to_string(),
            ),
            &[200, 422],
        );
    }
    for (id, payload) in &created {
        let read = probe.expect_json(
            "random task reads back",
            &Req::new("GET", &format!("/api/v1/tasks/{id}"))
                .header("Authorization", format!("Bearer {key}")),
            200,
        );
        if read["payload"] != *payload {
            probe.failures.push(format!(
                "task {id}: payload {} read back as {}",
                clip(&payload.to_string(), 200),
                clip(&read["payload"].to_string(), 200)
            ));
        }
    }
    let with_key =
        |target: &str| Req::new("GET", target).header("Authorization", format!("Bearer {key}"));
    for target in [
        "/api/v1/tasks?limit=100",
        "/api/v1/verdicts?limit=100",
        "/api/v1/deliveries?limit=100",
    ] {
        probe.check("random games read", &with_key(target), &[200]);
    }
    for player in &players {
        let stats = Req::new("GET", "/api/v1/review/stats").header("Cookie", &player.cookie);
        probe.check("random games stats", &stats, &[200]);
    }
    let reviewers = Req::new("GET", &format!("/api/v1/projects/{project}/reviewers"))
        .header("Authorization", format!("Bearer {KEY}"));
    probe.check("random games reviewers", &reviewers, &[200]);
}
