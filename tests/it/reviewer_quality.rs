//! Reviewer quality through real HTTP and the `loop` binary (docs/reviewer-quality.md):
//! decoys that look like any card and never reach ingest reads, their outcomes, the draw
//! recomputed from the seed as the documentation says, rates over many draws, the
//! metrics of constructed histories against the audit log, and the audit chain
//! verifying after a thousand mixed decisions and naming the record altered with
//! `sqlite3`.

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::process::Command;

use crate::common::cli::run_loop;
use crate::common::{Response, TestServer, User};

/// A server whose project keys may submit thousands of tasks a minute.
fn roomy() -> TestServer {
    TestServer::start_with(|config| config.rate_limit.requests_per_key = 1_000_000)
}

/// Decoys ask for a number the card states twice, so every swiper task here has one.
fn refund(n: usize) -> Value {
    json!({
        "module": "swiper",
        "payload": {"content": format!("Refund 240 EUR to order {}: the customer was charged twice.", 4800 + n)},
        "card": {"title": format!("Refund #{}", 4800 + n), "fields": [{"label": "Amount", "value": "240 EUR"}]}
    })
}

/// A detective task with numbers to contradict.
fn invoice(n: usize) -> Value {
    json!({"module": "detective", "payload": {"body": format!(
        "Invoice {} was sent on 3 May. It totals 1200 EUR. Payment is due in 30 days.", 900 + n
    )}})
}

/// A grounding task whose claim its source supports.
fn growth(n: usize) -> Value {
    json!({"module": "grounding", "payload": {
        "claim": format!("Revenue grew 12% in {}.", 2000 + n),
        "source": format!("In {} revenue grew 12% to 4.1m.", 2000 + n)
    }})
}

/// `n` reviewers of `project_id`.
fn reviewers(server: &TestServer, project_id: &str, n: usize, tag: &str) -> Vec<User> {
    (0..n)
        .map(|i| {
            let user = server.user(&format!("{tag}{i}@example.com"), "reviewer");
            server.add_reviewer(project_id, &user);
            user
        })
        .collect()
}

/// `user` takes the next card: `(assignment, task)`; fails when there is none.
fn card(server: &TestServer, user: &User) -> (String, Value) {
    server.next_card(user).expect("a card")
}

/// The `/review/next` answer itself, for its headers and shape.
fn next_answer(server: &TestServer, user: &User) -> Response {
    let answer = server.as_user(user, "POST", "/api/v1/review/next", Some(json!({})));
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer
}

/// A project's audit records (up to 1000 after record `after`).
fn audit(server: &TestServer, project_id: &str, after: i64) -> Vec<Value> {
    let answer = server.get(&format!(
        "/api/v1/projects/{project_id}/audit?after={after}&limit=1000"
    ));
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json().as_array().cloned().unwrap_or_default()
}

/// Every audit record of a project.
fn whole_audit(server: &TestServer, project_id: &str) -> Vec<Value> {
    let mut all: Vec<Value> = Vec::new();
    loop {
        let after = all.last().map_or(0, |r| r["seq"].as_i64().unwrap_or(0));
        let page = audit(server, project_id, after);
        if page.is_empty() {
            return all;
        }
        all.extend(page);
    }
}

/// The decoy seed of a project, read from the database file as an auditor would.
fn seed_of(server: &TestServer, project_id: &str) -> String {
    let conn = rusqlite::Connection::open(server.db_path()).expect("open the database");
    conn.query_row(
        "SELECT decoy_seed FROM projects WHERE id = ?1",
        [project_id],
        |row| row.get(0),
    )
    .expect("the seed")
}

/// The draw of docs/reviewer-quality.md, computed here independently of the server:
/// the first two 64-bit words of HMAC-SHA256(seed, "loop-decoy-v1\n<project>\n<reviewer>\n<seq>").
fn documented_draw(seed: &str, project_id: &str, reviewer_id: &str, seq: i64) -> (u64, u64) {
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(seed.as_bytes()).expect("key");
    mac.update(format!("loop-decoy-v1\n{project_id}\n{reviewer_id}\n{seq}").as_bytes());
    let hash = mac.finalize().into_bytes();
    let word = |i: usize| u64::from_be_bytes(hash[i * 8..i * 8 + 8].try_into().expect("8 bytes"));
    (word(0), word(1))
}

/// `floor(value × 10⁶ / 2⁶⁴) < rate_ppm`, as documented.
fn hits(value: u64, rate_ppm: i64) -> bool {
    ((u128::from(value) * 1_000_000) >> 64) < u128::try_from(rate_ppm).expect("a rate")
}

/// Whether `id` is a lowercase hyphenated UUID of version 7 (RFC 9562 variant).
fn uuid_v7(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    lengths == [8, 4, 4, 4, 12]
        && id
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
        && groups[2].starts_with('7')
        && groups[3].starts_with(['8', '9', 'a', 'b'])
}

/// The shape of a JSON value: its keys in order and the types of its leaves.
fn shape(value: &Value) -> Value {
    match value {
        Value::Object(members) => {
            Value::Object(members.iter().map(|(k, v)| (k.clone(), shape(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("bool"),
        Value::Null => json!("null"),
    }
}

/// The names of a response's headers, lowercase, sorted.
fn header_names(response: &Response) -> BTreeSet<String> {
    response
        .headers
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .collect()
}

/// The outcome part of a decision's decoy feedback (without the planted error).
fn outcome_of(feedback: &Value) -> Value {
    json!({"decoy": feedback["decoy"], "caught": feedback["caught"]})
}

/// What the ingest API and the engine show of a project: every read a decoy must stay
/// out of.
fn ingest_reads(server: &TestServer, key: &str) -> Vec<Value> {
    let read = |path: &str| server.review(key, "GET", path, None).json();
    // Deliveries are attempted meanwhile: which exist, and for what, is what counts.
    let deliveries: Vec<Value> = read("/api/v1/deliveries?limit=100")
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| json!([d["id"], d["task_id"], d["url"]]))
        .collect();
    vec![
        read("/api/v1/tasks?limit=100"),
        read("/api/v1/verdicts?limit=100"),
        json!(deliveries),
        server.get("/api/v1/review/escalations").json(),
        server.get("/api/issues?limit=100").json()["data"].clone(),
        json!(server.count_rows("review_tasks")),
        json!(server.count_rows("deliveries")),
        json!(server.count_rows("signals")),
    ]
}

#[test]
fn a_decoy_looks_like_any_card_and_never_reaches_ingest_reads() {
    let server = TestServer::start();
    let (project_id, key) = server.review_project_with_decoys("Support", 1.0);
    server.review(
        &key,
        "POST",
        "/api/v1/hooks",
        Some(json!({"url": "http://127.0.0.1:9/hook"})),
    );
    let r = reviewers(&server, &project_id, 2, "look");
    let first = server.task(&key, refund(1));
    let second = server.task(&key, refund(2));
    // r0's first card has nothing to copy yet: it is the task, and its verdict flows.
    let (assignment, task) = card(&server, &r[0]);
    assert_eq!(task["id"], first["id"]);
    let approved = server.decide(&r[0], &assignment, json!({"decision": "approve"}));
    assert_eq!(approved.json()["feedback"], Value::Null);
    let before = ingest_reads(&server, &key);

    // At a decoy rate of 1, r1's first card copies the task r0 decided, with one error.
    let decoy_answer = next_answer(&server, &r[1]);
    let decoy = decoy_answer.json();
    let decoy_id = decoy["task"]["id"].as_str().unwrap_or_default().to_owned();
    assert_ne!(decoy["task"]["id"], second["id"]);
    assert_ne!(decoy["task"]["id"], first["id"]);
    // One digit of a number the card states twice changed in one of the two places.
    let shown = json!([decoy["task"]["view"]["text"], decoy["task"]["card"]]);
    let original = json!([first["payload"]["content"], first["card"]]);
    assert_ne!(shown, original, "an error is planted");
    assert_eq!(
        shown.to_string().len(),
        original.to_string().len(),
        "{shown}"
    );
    let differing = shown
        .to_string()
        .chars()
        .zip(original.to_string().chars())
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(differing, 1, "{shown}");
    assert_eq!(
        next_answer(&server, &r[1]).json(),
        decoy,
        "asking again gives back the card in hand"
    );

    // Deciding it changes nothing any ingest read, hook or signal can see.
    let decided = server.decide(
        &r[1],
        decoy["assignment_id"].as_str().unwrap_or_default(),
        json!({"decision": "flag", "reason": "order number differs from the title"}),
    );
    assert_eq!(decided.status, 200, "{}", decided.text());
    let feedback = decided.json()["feedback"].clone();
    assert_eq!(
        outcome_of(&feedback),
        json!({"decoy": true, "caught": true})
    );
    // The feedback names the error: its original text is in the source, its planted
    // text in what the reviewer was shown.
    let (was, became) = (
        feedback["planted"]["original"].as_str().unwrap_or_default(),
        feedback["planted"]["planted"].as_str().unwrap_or_default(),
    );
    assert!(!was.is_empty() && was != became, "{feedback}");
    assert!(original.to_string().contains(was), "{feedback}");
    assert!(shown.to_string().contains(became), "{feedback}");
    let in_context = &feedback["planted"]["in_context"];
    let (word_was, word_became) = (
        in_context["original"].as_str().unwrap_or_default(),
        in_context["planted"].as_str().unwrap_or_default(),
    );
    assert!(
        word_was.contains(was) && word_became.contains(became),
        "{feedback}"
    );
    assert!(!word_became.contains(' '), "one word: {feedback}");
    assert!(original.to_string().contains(word_was), "{feedback}");
    assert!(shown.to_string().contains(word_became), "{feedback}");
    assert_eq!(ingest_reads(&server, &key), before);
    assert_eq!(
        server
            .review(&key, "GET", &format!("/api/v1/tasks/{decoy_id}"), None)
            .status,
        404
    );

    // The real card r1 gets next has the same shape, headers and id forms, and a
    // decision on it answers with the same fields.
    server.set_rates(&project_id, json!({"decoy_rate": 0}));
    let real_answer = next_answer(&server, &r[1]);
    let real = real_answer.json();
    assert_eq!(real["task"]["id"], second["id"]);
    assert_eq!(shape(&decoy), shape(&real));
    assert_eq!(header_names(&decoy_answer), header_names(&real_answer));
    for card in [&decoy, &real] {
        assert!(
            uuid_v7(card["task"]["id"].as_str().unwrap_or_default()),
            "{card}"
        );
        assert!(
            uuid_v7(card["assignment_id"].as_str().unwrap_or_default()),
            "{card}"
        );
        let created = card["task"]["created_at"].as_str().unwrap_or_default();
        assert_eq!(created.len(), "2026-01-01T00:00:00.000Z".len(), "{created}");
    }
    let real_decided = server.decide(
        &r[1],
        real["assignment_id"].as_str().unwrap_or_default(),
        json!({"decision": "approve"}),
    );
    assert_eq!(real_decided.json()["feedback"], Value::Null);
    assert_eq!(keys(&decided.json()), keys(&real_decided.json()));
    assert_eq!(
        header_names(&decided),
        header_names(&real_decided),
        "a decision's answer has the same headers either way"
    );

    // The audit log shows the probe: decoy, expected flag, actual flag.
    let records = whole_audit(&server, &project_id);
    let record = records
        .iter()
        .find(|r| r["decoy_id"] == decoy_id)
        .expect("the decoy's record");
    assert_eq!(
        (
            record["decoy"].clone(),
            record["expected"].clone(),
            record["actual"].clone(),
            record["correct"].clone()
        ),
        (json!(true), json!("flag"), json!("flag"), json!(true))
    );
    assert_eq!(record["source_task_id"], first["id"]);
    assert_eq!(record["task_id"], Value::Null);
    assert_eq!(record["planted"]["change"]["edit"], "contradiction");
    let stats = server
        .as_user(&r[1], "GET", "/api/v1/review/stats", None)
        .json();
    assert_eq!(
        (stats["catch_rate"].clone(), stats["decoys_caught"].clone()),
        (json!(1.0), json!(1))
    );
    assert!(
        stats["badges"]
            .as_array()
            .is_some_and(|b| b.contains(&json!("decoy_caught")))
    );
}

/// The keys of a JSON object, in order.
fn keys(value: &Value) -> Vec<String> {
    value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// A project whose one reviewer `r[0]` has decided one task of each decoy game, so that
/// the next cards of `r[1]` are decoys copying them; and pending work to stand behind.
fn probing(server: &TestServer) -> (String, String, Vec<User>) {
    let (project_id, key) = server.review_project("Probes");
    let r = reviewers(server, &project_id, 2, "probe");
    for body in [refund(1), invoice(1), growth(1)] {
        server.task(&key, body);
        let (assignment, _) = card(server, &r[0]);
        server.decide(&r[0], &assignment, json!({"decision": "approve"}));
    }
    for n in 0..20 {
        server.task(&key, refund(100 + n));
    }
    server.set_rates(&project_id, json!({"decoy_rate": 1}));
    (project_id, key, r)
}

/// The decoy record of assignment `assignment`.
fn record_of(server: &TestServer, project_id: &str, assignment: &str) -> Value {
    whole_audit(server, project_id)
        .into_iter()
        .find(|r| r["assignment_id"] == assignment)
        .expect("a record")
}

/// `user` takes the next card and decides it with `body` (a flag of a grounding card
/// names its choice): the assignment, the card and the answer.
fn decide_next(server: &TestServer, user: &User, body: &Value) -> (String, Value, Value) {
    let (assignment, task) = card(server, user);
    let body = match (task["module"].as_str(), body["decision"].as_str()) {
        (Some("grounding"), Some("flag")) => {
            json!({"decision": "flag", "choice": "contradicted", "reason": "not what the source says"})
        }
        _ => body.clone(),
    };
    let answer = server.decide(user, &assignment, body);
    assert_eq!(answer.status, 200, "{}", answer.text());
    (assignment, task, answer.json())
}

#[test]
fn caught_decoys_earn_a_bonus_missed_ones_cost_and_reset_the_streak() {
    let server = TestServer::start();
    let (_, _, r) = probing(&server);
    let flag = json!({"decision": "flag", "reason": "planted error"});
    let (_, _, caught) = decide_next(&server, &r[1], &flag);
    assert_eq!(
        outcome_of(&caught["feedback"]),
        json!({"decoy": true, "caught": true})
    );
    assert_eq!(
        (caught["xp_awarded"].clone(), caught["streak"].clone()),
        (json!(35), json!(1)),
        "10 for the decision, 25 for the catch"
    );
    assert_eq!(
        caught["new_badges"],
        json!(["first_review", "decoy_caught"])
    );
    let (_, _, again) = decide_next(&server, &r[1], &flag);
    assert_eq!(
        (
            again["xp_awarded"].clone(),
            again["streak"].clone(),
            again["new_badges"].clone()
        ),
        (json!(35), json!(2), json!([]))
    );
    let (_, _, missed) = decide_next(&server, &r[1], &json!({"decision": "approve"}));
    assert_eq!(
        outcome_of(&missed["feedback"]),
        json!({"decoy": true, "caught": false})
    );
    assert_eq!(
        (missed["xp_awarded"].clone(), missed["streak"].clone()),
        (json!(-25), json!(0)),
        "a missed decoy costs 25 and the streak"
    );
    let (_, _, escalated) = decide_next(
        &server,
        &r[1],
        &json!({"decision": "escalate", "reason": "not sure"}),
    );
    assert_eq!(
        outcome_of(&escalated["feedback"]),
        json!({"decoy": true, "caught": false})
    );
    assert_eq!(
        (escalated["xp_awarded"].clone(), escalated["streak"].clone()),
        (json!(10), json!(1)),
        "an escalation abstains"
    );
    assert_eq!(
        (escalated["xp"].clone(), escalated["level"].clone()),
        (json!(35 + 35 - 25 + 10), json!(1))
    );
    let stats = server
        .as_user(&r[1], "GET", "/api/v1/review/stats", None)
        .json();
    assert_eq!(
        (
            stats["reviews"].clone(),
            stats["decoys_seen"].clone(),
            stats["decoys_scored"].clone(),
            stats["decoys_caught"].clone(),
            stats["streak"].clone(),
            stats["best_streak"].clone()
        ),
        (json!(4), json!(4), json!(3), json!(2), json!(1), json!(2))
    );
    assert!((stats["catch_rate"].as_f64().unwrap_or_default() - 2.0 / 3.0).abs() < 1e-12);
    assert!(
        (stats["trust_score"].as_f64().unwrap_or_default() - 3.0 / 5.0).abs() < 1e-12,
        "(2 caught + 1) / (3 scored + 2)"
    );

    // A decoy can be skipped like a task; it is not dealt again, and is not scored.
    let (assignment, task) = card(&server, &r[1]);
    let skipped = server.as_user(
        &r[1],
        "POST",
        &format!("/api/v1/review/assignments/{assignment}/skip"),
        None,
    );
    assert_eq!(skipped.status, 204);
    assert_ne!(card(&server, &r[1]).1["id"], task["id"]);
    let after = server
        .as_user(&r[1], "GET", "/api/v1/review/stats", None)
        .json();
    assert_eq!(after["reviews"], stats["reviews"]);
    assert_eq!(
        server.decide(&r[1], &assignment, flag).status,
        409,
        "a skipped decoy cannot be decided"
    );
}

#[test]
fn detective_and_grounding_decoys_are_caught_by_their_own_answers() {
    let server = TestServer::start();
    let (project_id, _, r) = probing(&server);
    let mut caught = BTreeSet::new();
    let mut missed_by_the_wrong_span = false;
    for _ in 0..60 {
        let (assignment, task) = card(&server, &r[1]);
        let module = task["module"].as_str().unwrap_or_default().to_owned();
        let body = match module.as_str() {
            "grounding" => {
                json!({"decision": "flag", "choice": "contradicted", "reason": "the source says otherwise"})
            }
            "detective" if !missed_by_the_wrong_span => {
                // Mark the first two characters: neither the inserted sentence nor the
                // one it copies starts the text unless the draw put it there.
                json!({"decision": "flag", "reason": "wrong", "detail": {"spans": [{"start": 0, "end": 2}]}})
            }
            "detective" => json!({"decision": "flag", "reason": "wrong"}),
            _ => json!({"decision": "flag", "reason": "wrong"}),
        };
        let answer = server.decide(&r[1], &assignment, body).json();
        let record = record_of(&server, &project_id, &assignment);
        if module == "detective" && !missed_by_the_wrong_span {
            let change = &record["planted"]["change"];
            let touches = |[s, e]: [i64; 2]| s < 2 && 0 < e;
            let planted = [
                change["start"].as_i64().unwrap_or(0),
                change["end"].as_i64().unwrap_or(0),
            ];
            let copied = [
                change["contradicts"][0].as_i64().unwrap_or(0),
                change["contradicts"][1].as_i64().unwrap_or(0),
            ];
            let expected = touches(planted) || touches(copied);
            assert_eq!(answer["feedback"]["caught"], json!(expected), "{record}");
            missed_by_the_wrong_span = true;
            continue;
        }
        assert_eq!(
            answer["feedback"]["caught"],
            json!(true),
            "{module}: {record}"
        );
        caught.insert(module);
        if caught.len() == 3 && missed_by_the_wrong_span {
            break;
        }
    }
    assert_eq!(
        caught,
        ["detective", "grounding", "swiper"]
            .map(str::to_owned)
            .into_iter()
            .collect()
    );
}

#[test]
fn the_draws_recompute_from_the_seed_and_hit_their_rates() {
    let server = roomy();
    let (project_id, key) = server.review_project("Rates");
    let r = reviewers(&server, &project_id, 2, "rate");
    // r0 resolves sources to copy and golden tasks to mix in.
    for n in 0..5 {
        server.task(&key, refund(n));
    }
    for n in 0..80 {
        server.task(
            &key,
            json!({"module": "swiper", "payload": {"content": format!("golden {n}")}, "golden": true, "answer": true}),
        );
    }
    while let Some((assignment, _)) = server.next_card(&r[0]) {
        server.decide(&r[0], &assignment, json!({"decision": "approve"}));
    }
    for n in 0..400 {
        server.task(&key, refund(1000 + n));
    }
    let (decoy_ppm, golden_ppm) = (200_000, 150_000);
    server.set_rates(
        &project_id,
        json!({"decoy_rate": 0.2, "golden_rate": "0.15"}),
    );
    let settings = server.get(&format!("/api/v1/projects/{project_id}")).json();
    assert_eq!(
        (
            settings["decoy_rate"].clone(),
            settings["golden_rate"].clone()
        ),
        (json!(0.2), json!(0.15))
    );
    let cards = 300;
    for _ in 0..cards {
        let (assignment, task) = card(&server, &r[1]);
        let body = if task["module"] == "swiper" {
            json!({"decision": "flag", "reason": "checked"})
        } else {
            json!({"decision": "approve"})
        };
        server.decide(&r[1], &assignment, body);
    }

    // Recompute each of r1's cards from the seed, as docs/reviewer-quality.md says.
    let seed = seed_of(&server, &project_id);
    let records: Vec<Value> = whole_audit(&server, &project_id)
        .into_iter()
        .filter(|record| record["reviewer"]["id"] == r[1].id.as_str())
        .collect();
    assert_eq!(records.len(), cards);
    let (mut decoys, mut golden) = (0, 0);
    for (n, record) in records.iter().enumerate() {
        let seq = record["draw"]["seq"].as_i64().expect("a draw");
        assert_eq!(
            seq,
            i64::try_from(n).expect("small"),
            "cards are numbered in order"
        );
        let (probe_word, golden_word) = documented_draw(&seed, &project_id, &r[1].id, seq);
        let probe = hits(probe_word, decoy_ppm);
        assert_eq!(record["draw"]["probe"], json!(probe), "{record}");
        assert_eq!(
            record["decoy"],
            json!(probe),
            "every probe is planted: {record}"
        );
        assert_eq!(
            record["golden"],
            json!(!probe && hits(golden_word, golden_ppm)),
            "a golden task is mixed in exactly where the draw says: {record}"
        );
        decoys += usize::from(probe);
        golden += usize::from(record["golden"] == true);
    }
    // Binomial(300, 0.2): mean 60, sd 6.9; Binomial(300 × 0.8, 0.15): mean 36, sd 5.5.
    // Five standard deviations either way.
    assert!(
        (25..=95).contains(&decoys),
        "{decoys} decoys in {cards} cards"
    );
    assert!(
        (8..=64).contains(&golden),
        "{golden} golden tasks in {cards} cards"
    );

    let out = run_loop(
        &server.db_path(),
        &["audit", "verify", "--project", &project_id],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!(
            "{} draws and {decoys} planted errors recomputed",
            85 + cards
        )),
        "{stdout}"
    );
}

/// The metrics of a project's records, recomputed from the audit log: for each reviewer,
/// `(reviews, xp, golden scored, golden correct, decoys seen, decoys scored, decoys caught)`.
fn tallies_of(records: &[Value]) -> std::collections::BTreeMap<String, [i64; 7]> {
    let mut out = std::collections::BTreeMap::new();
    for r in records {
        let t: &mut [i64; 7] = out
            .entry(r["reviewer"]["id"].as_str().unwrap_or_default().to_owned())
            .or_default();
        let scored = i64::from(!r["correct"].is_null());
        let right = i64::from(r["correct"] == true);
        t[0] += 1;
        t[1] += r["xp"].as_i64().unwrap_or_default();
        if r["golden"] == true {
            t[2] += scored;
            t[3] += right;
        }
        if r["decoy"] == true {
            t[4] += 1;
            t[5] += scored;
            t[6] += right;
        }
    }
    out
}

#[test]
fn the_admin_numbers_of_a_constructed_history_are_the_audit_logs() {
    let server = TestServer::start();
    let (project_id, key, r) = probing(&server);
    // r1: a caught decoy, a missed one, a golden task right and one wrong.
    decide_next(&server, &r[1], &json!({"decision": "flag", "reason": "x"}));
    decide_next(&server, &r[1], &json!({"decision": "approve"}));
    server.set_rates(&project_id, json!({"decoy_rate": 0}));
    let golden = |answer: bool| {
        server.task(
            &key,
            json!({"module": "swiper", "payload": {"content": "g"}, "golden": true, "answer": answer}),
        )
    };
    // r0 resolves two golden tasks first, so that r1 meets them as calibration cards.
    golden(true);
    golden(false);
    let mut r0_cards = 0;
    while let Some((assignment, task)) = server.next_card(&r[0]) {
        if task["payload"].is_null() && task["view"]["text"] == "g" {
            server.decide(&r[0], &assignment, json!({"decision": "approve"}));
            r0_cards += 1;
        } else {
            server.as_user(
                &r[0],
                "POST",
                &format!("/api/v1/review/assignments/{assignment}/skip"),
                None,
            );
        }
        if r0_cards == 2 {
            break;
        }
    }
    server.set_rates(&project_id, json!({"golden_rate": 1}));
    decide_next(&server, &r[1], &json!({"decision": "approve"})); // golden true: right
    decide_next(&server, &r[1], &json!({"decision": "approve"})); // golden false: wrong
    server.set_rates(&project_id, json!({"golden_rate": 0}));
    // Agreement: a two-reviewer task both approve, another they split on.
    let pair = server.task(
        &key,
        json!({"module": "swiper", "payload": {"content": "p"}, "reviews_required": 2}),
    );
    let split = server.task(
        &key,
        json!({"module": "swiper", "payload": {"content": "s"}, "reviews_required": 2}),
    );
    for (task, r0_says, r1_says) in [(&pair, "approve", "approve"), (&split, "approve", "flag")] {
        for (user, says) in [(&r[0], r0_says), (&r[1], r1_says)] {
            loop {
                let (assignment, card) = card(&server, user);
                if card["id"] == task["id"] {
                    server.decide(user, &assignment, json!({"decision": says, "reason": "r"}));
                    break;
                }
                server.as_user(
                    user,
                    "POST",
                    &format!("/api/v1/review/assignments/{assignment}/skip"),
                    None,
                );
            }
        }
    }
    // The split escalated; the admin's resolution is its final verdict, which r0 matched.
    let resolved = server.post(
        &format!(
            "/api/v1/review/tasks/{}/resolve",
            split["id"].as_str().unwrap_or_default()
        ),
        json!({"decision": "approve"}),
    );
    assert_eq!(resolved.status, 200, "{}", resolved.text());
    // An admin decides without being a reviewer of the project.
    let admin = server.user("boss@example.com", "admin");
    let (assignment, _) = card(&server, &admin);
    server.decide(&admin, &assignment, json!({"decision": "approve"}));

    let records = whole_audit(&server, &project_id);
    let tallies = tallies_of(&records);
    let listed = server
        .get(&format!("/api/v1/projects/{project_id}/reviewers"))
        .json();
    let listed = listed.as_array().cloned().unwrap_or_default();
    assert_eq!(listed.len(), 3, "two reviewers and the admin who decided");
    for row in &listed {
        let user_id = row["user"]["id"].as_str().unwrap_or_default();
        let s = &row["stats"];
        let t = tallies.get(user_id).copied().unwrap_or_default();
        let numbers = [
            "reviews",
            "xp",
            "golden_scored",
            "golden_correct",
            "decoys_seen",
            "decoys_scored",
            "decoys_caught",
        ]
        .map(|k| s[k].as_i64().unwrap_or(-1));
        assert_eq!(
            numbers, t,
            "the admin's numbers for {user_id} are the audit log's"
        );
        assert_eq!(row["member"], json!(user_id != admin.id));
    }
    let r1 = listed
        .iter()
        .find(|row| row["user"]["id"] == r[1].id.as_str())
        .expect("r1");
    let s = &r1["stats"];
    assert_eq!(
        (s["accuracy"].clone(), s["catch_rate"].clone()),
        (json!(0.5), json!(0.5))
    );
    assert_eq!(s["trust_score"], json!(0.5), "(1 + 1 + 1) / (2 + 2 + 2)");
    assert_eq!(
        s["agreement"],
        json!(0.5),
        "one of r1's two consensus reviews matched"
    );
    let own = server
        .as_user(&r[1], "GET", "/api/v1/review/stats", None)
        .json();
    for k in [
        "reviews",
        "xp",
        "accuracy",
        "catch_rate",
        "trust_score",
        "agreement",
        "badges",
    ] {
        assert_eq!(
            own[k], s[k],
            "{k}: one project, so the reviewer's own numbers match"
        );
    }

    // The drill-down lists the probes r1 met, newest first, each as the audit log has it.
    let detail = server
        .get(&format!(
            "/api/v1/projects/{project_id}/reviewers/{}",
            r[1].id
        ))
        .json();
    assert_eq!(detail["stats"], r1["stats"]);
    let probes = detail["probes"].as_array().cloned().unwrap_or_default();
    assert_eq!(probes.len(), 4);
    assert_eq!(
        probes
            .iter()
            .map(|p| (
                p["decoy"].clone(),
                p["golden"].clone(),
                p["correct"].clone()
            ))
            .collect::<Vec<_>>(),
        vec![
            (json!(false), json!(true), json!(false)),
            (json!(false), json!(true), json!(true)),
            (json!(true), json!(false), json!(false)),
            (json!(true), json!(false), json!(true)),
        ]
    );
    for probe in &probes {
        assert!(records.contains(probe), "{probe}");
    }
    let limited = server
        .get(&format!(
            "/api/v1/projects/{project_id}/reviewers/{}?limit=1",
            r[1].id
        ))
        .json();
    assert_eq!(limited["probes"].as_array().map(Vec::len), Some(1));
    let stranger = server.user("stranger@example.com", "reviewer");
    let nobody = server.get(&format!(
        "/api/v1/projects/{project_id}/reviewers/{}",
        stranger.id
    ));
    assert_eq!(
        (nobody.status, nobody.json()["member"].clone()),
        (200, json!(false))
    );
    assert_eq!(nobody.json()["stats"]["reviews"], 0);
    assert_eq!(
        server
            .get(&format!("/api/v1/projects/{project_id}/reviewers/nobody"))
            .status,
        404
    );
    let verified = server
        .get(&format!("/api/v1/projects/{project_id}/audit/verify"))
        .json();
    assert_eq!(verified["ok"], true, "{verified}");
    assert_eq!(verified["records"], json!(records.len()));
}

#[test]
fn rates_are_validated_and_default_to_one_decoy_in_twenty() {
    let server = TestServer::start();
    let project = server.create("/api/projects", json!({"name": "Fresh"}));
    let path = format!(
        "/api/v1/projects/{}",
        project["id"].as_str().unwrap_or_default()
    );
    let settings = server.get(&path).json();
    assert_eq!(
        (
            settings["decoy_rate"].clone(),
            settings["golden_rate"].clone(),
            settings["name"].clone()
        ),
        (json!(0.05), json!(0.0), json!("Fresh"))
    );
    for (body, field) in [
        (json!({"decoy_rate": 1.5}), "decoy_rate"),
        (json!({"decoy_rate": -0.1}), "decoy_rate"),
        (json!({"golden_rate": "often"}), "golden_rate"),
        (json!({"golden_rate": true}), "golden_rate"),
    ] {
        let refused = server.patch(&path, body);
        assert_eq!(
            (refused.status, refused.json()["field"].clone()),
            (422, json!(field))
        );
    }
    assert_eq!(
        server.get(&path).json(),
        settings,
        "a refused change stores nothing"
    );
    let changed = server.patch(&path, json!({"decoy_rate": 0, "golden_rate": 0.25}));
    assert_eq!(
        (
            changed.json()["decoy_rate"].clone(),
            changed.json()["golden_rate"].clone()
        ),
        (json!(0.0), json!(0.25))
    );
    let kept = server.patch(&path, json!({"golden_rate": null}));
    assert_eq!(
        kept.json()["golden_rate"],
        json!(0.25),
        "null leaves a rate as it is"
    );
    assert_eq!(server.patch("/api/v1/projects/nope", json!({})).status, 404);
    let reviewer = server.user("rv@example.com", "reviewer");
    assert_eq!(server.as_user(&reviewer, "GET", &path, None).status, 403);
}

#[test]
fn the_audit_log_pages_and_a_deleted_task_keeps_ids_and_decisions_only() {
    let server = TestServer::start();
    let (project_id, key, r) = probing(&server);
    let flag = json!({"decision": "flag", "reason": "the order number is wrong"});
    for _ in 0..3 {
        decide_next(&server, &r[1], &flag);
    }
    let all = whole_audit(&server, &project_id);
    assert_eq!(all.len(), 6);
    assert_eq!(
        all.iter()
            .map(|r| r["seq"].as_i64().unwrap_or(0))
            .collect::<Vec<_>>(),
        (1..=6).collect::<Vec<_>>()
    );
    for pair in all.windows(2) {
        assert_eq!(
            pair[1]["prev_hash"], pair[0]["hash"],
            "each record links to the one before"
        );
    }
    let page = server
        .get(&format!(
            "/api/v1/projects/{project_id}/audit?after=2&limit=2"
        ))
        .json();
    assert_eq!(page, json!(all[2..4]));
    let since = all[3]["at"].as_str().unwrap_or_default();
    let later = server
        .get(&format!(
            "/api/v1/projects/{project_id}/audit?since={since}"
        ))
        .json();
    assert!(
        later
            .as_array()
            .is_some_and(|l| l.iter().all(|r| r["at"].as_str() > Some(since)))
    );
    for bad in ["limit=0", "limit=1001", "after=-1", "since=yesterday"] {
        assert_eq!(
            server
                .get(&format!("/api/v1/projects/{project_id}/audit?{bad}"))
                .status,
            422,
            "{bad}"
        );
    }

    // Deleting the task the decoys copied erases what they showed and the records'
    // free text, and keeps every id, decision and hash: the chain still verifies.
    let source = all[3]["source_task_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        server
            .review(&key, "DELETE", &format!("/api/v1/tasks/{source}"), None)
            .status,
        204
    );
    let after = whole_audit(&server, &project_id);
    for (before, now) in all.iter().zip(&after) {
        let touched =
            before["source_task_id"] == source.as_str() || before["task_id"] == source.as_str();
        for kept in [
            "seq",
            "id",
            "decision",
            "verdict",
            "correct",
            "decoy",
            "golden",
            "xp",
            "hash",
            "prev_hash",
            "content_sha256",
            "task_id",
            "decoy_id",
            "source_task_id",
        ] {
            assert_eq!(now[kept], before[kept], "{kept} is kept");
        }
        assert_eq!(now["erased"], json!(touched));
        if touched {
            for erased in ["choice", "reason", "expected", "planted"] {
                assert_eq!(now[erased], Value::Null, "{erased} is erased");
            }
        } else {
            assert_eq!(now, before);
        }
    }
    assert!(after.iter().any(|r| r["erased"] == true));
    let verified = server
        .get(&format!("/api/v1/projects/{project_id}/audit/verify"))
        .json();
    assert_eq!(
        (verified["ok"].clone(), verified["records"].clone()),
        (json!(true), json!(6))
    );
    assert!(verified["plants_erased"].as_i64() > Some(0), "{verified}");
    let conn = rusqlite::Connection::open(server.db_path()).expect("open");
    let left: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM decoys WHERE source_task_id = ?1 AND (view IS NOT NULL OR card IS NOT NULL OR planted IS NOT NULL)",
            [&source],
            |row| row.get(0),
        )
        .expect("count");
    assert_eq!(
        left, 0,
        "the decoys no longer hold the deleted task's content"
    );
}

/// A task of one of the seven games, varied by `n`.
fn mixed_task(n: usize) -> Value {
    let mut task = match n % 7 {
        0 => refund(n),
        1 => invoice(n),
        2 => growth(n),
        3 => {
            json!({"module": "sorter", "payload": {"content": format!("ticket {n}")}, "card": {"choices": ["Billing", "Spam"]}})
        }
        4 => {
            json!({"module": "versus", "payload": {"a": format!("answer a{n}"), "b": format!("answer b{n}")}})
        }
        5 => {
            json!({"module": "fixer", "payload": {"fields": [{"label": "Amount", "value": format!("{n} EUR")}]}})
        }
        _ => json!({"module": "redact", "payload": {"body": format!("Mail ann{n}@example.com")}}),
    };
    if n.is_multiple_of(5) {
        task["reviews_required"] = json!(2);
    }
    if n.is_multiple_of(11) {
        task["golden"] = json!(true);
        task["answer"] = json!(n % 7 != 1 && n % 7 != 2);
    }
    task
}

/// A decision on `card` that its game accepts, varied by `n`: mostly approvals, some
/// flags, a few escalations.
fn mixed_decision(card: &Value, n: usize) -> Value {
    if n.is_multiple_of(17) {
        return json!({"decision": "escalate", "reason": format!("unsure {n}")});
    }
    let flag = n.is_multiple_of(4);
    match (card["module"].as_str().unwrap_or_default(), flag) {
        ("grounding", true) => {
            json!({"decision": "flag", "choice": "unsupported", "reason": format!("no {n}")})
        }
        (_, true) => json!({"decision": "flag", "reason": format!("wrong {n}")}),
        ("sorter", false) => json!({"decision": "approve", "choice": "Billing"}),
        ("versus", false) => json!({"decision": "approve", "choice": "a"}),
        _ => json!({"decision": "approve"}),
    }
}

/// Runs `loop audit verify` on the server's database: `(success, standard output)`.
fn verify_cli(server: &TestServer, project_id: &str) -> (bool, String) {
    let out = run_loop(
        &server.db_path(),
        &["audit", "verify", "--project", project_id],
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// Runs one SQL statement on the database file with the `sqlite3` command.
fn sqlite3(server: &TestServer, sql: &str) {
    let out = Command::new("sqlite3")
        .arg(server.db_path())
        .arg(sql)
        .output()
        .expect("sqlite3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The canonical header of docs/reviewer-quality.md, built here from the stored columns
/// independently of the server, and its SHA-256.
fn documented_hash(conn: &rusqlite::Connection, project_id: &str, seq: i64) -> String {
    use sha2::Digest;
    let text: String = conn
        .query_row(
            "SELECT 'loop-audit-v1' || char(10) || 'id=' || id || char(10) || 'project_id=' || project_id || char(10) \
             || 'seq=' || seq || char(10) || 'prev_hash=' || prev_hash || char(10) || 'at=' || at || char(10) \
             || 'reviewer_id=' || reviewer_id || char(10) || 'kind=' || kind || char(10) || 'item_id=' || item_id || char(10) \
             || 'source_task_id=' || COALESCE(source_task_id, '') || char(10) || 'assignment_id=' || assignment_id || char(10) \
             || 'decision=' || decision || char(10) \
             || 'verdict=' || COALESCE(CASE verdict WHEN 1 THEN 'true' WHEN 0 THEN 'false' END, '') || char(10) \
             || 'golden=' || CASE golden WHEN 1 THEN 'true' ELSE 'false' END || char(10) \
             || 'correct=' || COALESCE(CASE correct WHEN 1 THEN 'true' WHEN 0 THEN 'false' END, '') || char(10) \
             || 'xp=' || xp || char(10) || 'streak=' || streak || char(10) \
             || 'draw_seq=' || COALESCE(draw_seq, '') || char(10) || 'decoy_rate_ppm=' || COALESCE(decoy_rate_ppm, '') || char(10) \
             || 'probe=' || COALESCE(CASE probe WHEN 1 THEN 'true' WHEN 0 THEN 'false' END, '') || char(10) \
             || 'content_sha256=' || content_sha256 || char(10) \
             FROM audit_records WHERE project_id = ?1 AND seq = ?2",
            rusqlite::params![project_id, seq],
            |row| row.get(0),
        )
        .expect("a record");
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

#[test]
fn a_thousand_mixed_decisions_verify_and_an_altered_row_is_named() {
    let server = roomy();
    let (project_id, key) = server.review_project_with_decoys("Audit", 0.1);
    server.set_rates(&project_id, json!({"golden_rate": 0.1}));
    let r = reviewers(&server, &project_id, 4, "aud");
    let mut created = 0;
    let mut decided = 0;
    while decided < 1000 {
        let user = &r[decided % r.len()];
        let Some((assignment, card)) = server.next_card(user) else {
            for _ in 0..60 {
                server.task(&key, mixed_task(created));
                created += 1;
            }
            continue;
        };
        let answer = server.decide(user, &assignment, mixed_decision(&card, decided));
        assert_eq!(answer.status, 200, "{}: {}", card, answer.text());
        decided += 1;
    }
    let records = whole_audit(&server, &project_id);
    assert_eq!(records.len(), 1000);
    let decoys = records.iter().filter(|r| r["decoy"] == true).count();
    let golden = records.iter().filter(|r| r["golden"] == true).count();
    assert!(
        decoys > 20 && golden > 20,
        "a mix: {decoys} decoys, {golden} golden"
    );

    // The documented canonical form, computed here, gives every stored hash.
    let conn = rusqlite::Connection::open(server.db_path()).expect("open");
    for record in records.iter().step_by(97) {
        let seq = record["seq"].as_i64().unwrap_or_default();
        assert_eq!(
            json!(documented_hash(&conn, &project_id, seq)),
            record["hash"]
        );
    }

    let (ok, out) = verify_cli(&server, &project_id);
    assert!(ok, "{out}");
    assert!(out.contains("1000 records"), "{out}");
    let head = records.last().expect("records")["hash"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(out.contains(&head), "the head is printed to keep: {out}");

    // One field of one row changed with sqlite3: the verification names that record.
    let id_of = |seq: usize| {
        records[seq - 1]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let changed = format!("project_id = '{project_id}' AND seq = 537");
    sqlite3(
        &server,
        &format!("UPDATE audit_records SET xp = xp + 100 WHERE {changed}"),
    );
    let (ok, out) = verify_cli(&server, &project_id);
    assert!(!ok);
    assert!(
        out.contains(&format!("record 537 (id {})", id_of(537))),
        "{out}"
    );
    assert!(out.contains("changed"), "{out}");
    let api = server
        .get(&format!("/api/v1/projects/{project_id}/audit/verify"))
        .json();
    assert_eq!(
        (
            api["ok"].clone(),
            api["records"].clone(),
            api["first_break"]["seq"].clone()
        ),
        (json!(false), json!(536), json!(537))
    );
    assert_eq!(api["first_break"]["record_id"], json!(id_of(537)));
    sqlite3(
        &server,
        &format!("UPDATE audit_records SET xp = xp - 100 WHERE {changed}"),
    );
    assert!(
        verify_cli(&server, &project_id).0,
        "restored, it verifies again"
    );

    // A reason rewritten: the content no longer matches its digest.
    let with_reason = records
        .iter()
        .find(|r| r["seq"].as_i64() > Some(800) && r["reason"].is_string())
        .expect("a record with a reason");
    let seq = with_reason["seq"].as_i64().unwrap_or_default();
    let original: String = conn
        .query_row(
            "SELECT content FROM audit_records WHERE project_id = ?1 AND seq = ?2",
            rusqlite::params![project_id, seq],
            |row| row.get(0),
        )
        .expect("content");
    sqlite3(
        &server,
        &format!(
            "UPDATE audit_records SET content = replace(content, '\"reason\":\"', '\"reason\":\"fine, ') WHERE project_id = '{project_id}' AND seq = {seq}"
        ),
    );
    let (ok, out) = verify_cli(&server, &project_id);
    assert!(
        !ok && out.contains(&format!("record {seq} ")) && out.contains("content"),
        "{out}"
    );
    conn.execute(
        "UPDATE audit_records SET content = ?3 WHERE project_id = ?1 AND seq = ?2",
        rusqlite::params![project_id, seq, original],
    )
    .expect("restore");

    // A decoy's probe flag flipped and its hash recomputed by the documented form: the
    // record then hashes right, so the next record's link and the draw give it away.
    let decoy_seq = records
        .iter()
        .find(|r| r["decoy"] == true)
        .expect("a decoy")["seq"]
        .as_i64()
        .unwrap_or_default();
    sqlite3(
        &server,
        &format!(
            "UPDATE audit_records SET probe = 0 WHERE project_id = '{project_id}' AND seq = {decoy_seq}"
        ),
    );
    let forged = documented_hash(&conn, &project_id, decoy_seq);
    sqlite3(
        &server,
        &format!(
            "UPDATE audit_records SET hash = '{forged}' WHERE project_id = '{project_id}' AND seq = {decoy_seq}"
        ),
    );
    let (ok, out) = verify_cli(&server, &project_id);
    assert!(
        !ok && out.contains(&format!("record {decoy_seq} ")),
        "{out}"
    );
    assert!(out.contains("probe"), "the seed recomputes the draw: {out}");
    let stored = records[usize::try_from(decoy_seq).unwrap_or(1) - 1]["hash"]
        .as_str()
        .unwrap_or_default();
    sqlite3(
        &server,
        &format!(
            "UPDATE audit_records SET probe = 1, hash = '{stored}' WHERE project_id = '{project_id}' AND seq = {decoy_seq}"
        ),
    );
    assert!(verify_cli(&server, &project_id).0);

    // Any other field rewritten with its hash: the next record's link gives it away.
    let at = format!("project_id = '{project_id}' AND seq = 640");
    sqlite3(
        &server,
        &format!("UPDATE audit_records SET xp = 500 WHERE {at}"),
    );
    let forged = documented_hash(&conn, &project_id, 640);
    sqlite3(
        &server,
        &format!("UPDATE audit_records SET hash = '{forged}' WHERE {at}"),
    );
    let (ok, out) = verify_cli(&server, &project_id);
    assert!(
        !ok && out.contains(&format!("record 641 (id {})", id_of(641))),
        "{out}"
    );
    assert!(out.contains("prev_hash"), "{out}");
    let (xp, hash) = (
        &records[639]["xp"],
        records[639]["hash"].as_str().unwrap_or_default(),
    );
    sqlite3(
        &server,
        &format!("UPDATE audit_records SET xp = {xp}, hash = '{hash}' WHERE {at}"),
    );
    assert!(verify_cli(&server, &project_id).0);

    // A record deleted from the middle: the chain breaks where it was.
    sqlite3(
        &server,
        &format!("DELETE FROM audit_records WHERE project_id = '{project_id}' AND seq = 300"),
    );
    let api = server
        .get(&format!("/api/v1/projects/{project_id}/audit/verify"))
        .json();
    assert_eq!(
        (
            api["records"].clone(),
            api["first_break"]["seq"].clone(),
            api["first_break"]["record_id"].clone()
        ),
        (json!(299), json!(301), json!(id_of(301))),
        "{api}"
    );
    assert!(
        api["first_break"]["problem"]
            .as_str()
            .is_some_and(|p| p.contains("record 300 is missing")),
        "{api}"
    );
}
