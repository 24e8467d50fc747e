//! Reviewers through real HTTP (docs/review-api.md#reviewing, #people-and-sessions,
//! #consensus-and-escalation and #golden-tasks): accounts and sessions, the queue and its
//! leases, each game's decisions, consensus, escalation, golden scoring.

use crate::common;

use common::cli::run_loop;
use common::{PASSWORD, TestServer, User, clocked, id};
use serde_json::{Value, json};

/// A project with a key and `n` reviewers in it.
fn team(server: &TestServer, n: usize) -> (String, String, Vec<User>) {
    let (project_id, key) = server.review_project("Support");
    let reviewers = (0..n)
        .map(|i| {
            let user = server.user(&format!("r{i}@example.com"), "reviewer");
            server.add_reviewer(&project_id, &user);
            user
        })
        .collect();
    (project_id, key, reviewers)
}

/// `user` takes the next card, which must be `task`, and decides it.
fn decide_task(server: &TestServer, user: &User, task: &Value, body: Value) -> common::Response {
    let (assignment, card) = server.next_card(user).expect("a card");
    assert_eq!(card["id"], task["id"], "the expected card");
    server.decide(user, &assignment, body)
}

#[test]
fn users_sign_in_and_out_and_sessions_expire() {
    let (server, clock) = clocked();
    let created = server.post(
        "/api/v1/users",
        json!({"email": "Ana@Example.com", "password": PASSWORD, "role": "reviewer", "display_name": "Ana"}),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(created.json()["handle"], "Ana");
    assert!(created.json().get("password_hash").is_none());
    let login = |email: &str, password: &str| {
        server.send(
            "POST",
            "/api/v1/auth/login",
            &[("Content-Type", "application/json")],
            json!({"email": email, "password": password})
                .to_string()
                .as_bytes(),
        )
    };
    let wrong = login("ana@example.com", "nope-nope");
    let unknown = login("bob@example.com", PASSWORD);
    assert_eq!((wrong.status, unknown.status), (401, 401));
    assert_eq!(wrong.json(), unknown.json(), "no hint which part was wrong");
    let ok = login("ana@example.com", PASSWORD);
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json()["user"]["email"], "Ana@Example.com");
    let set_cookie = ok.header("Set-Cookie").unwrap_or_default().to_owned();
    for attribute in ["loop_session=", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let user = User {
        id: String::new(),
        cookie: set_cookie.split(';').next().unwrap_or_default().to_owned(),
    };
    let session = server.as_user(&user, "GET", "/api/v1/auth/session", None);
    assert_eq!(session.status, 200);
    assert_eq!(session.json()["memberships"][0]["role"], "reviewer");
    assert_eq!(session.json()["memberships"][0]["project_ids"], json!([]));

    // The expiry slides: used 13 days in, it lasts another 14.
    clock.advance(13 * 86_400_000);
    assert_eq!(
        server
            .as_user(&user, "GET", "/api/v1/auth/session", None)
            .status,
        200
    );
    clock.advance(13 * 86_400_000);
    assert_eq!(
        server
            .as_user(&user, "GET", "/api/v1/auth/session", None)
            .status,
        200
    );
    clock.advance(15 * 86_400_000);
    assert_eq!(
        server
            .as_user(&user, "GET", "/api/v1/auth/session", None)
            .status,
        401
    );

    let again = User {
        id: String::new(),
        cookie: server.login("ana@example.com", PASSWORD),
    };
    let logout = server.as_user(&again, "POST", "/api/v1/auth/logout", Some(json!({})));
    assert_eq!(logout.status, 204);
    assert!(
        logout
            .header("Set-Cookie")
            .is_some_and(|c| c.contains("Max-Age=0"))
    );
    assert_eq!(
        server
            .as_user(&again, "GET", "/api/v1/auth/session", None)
            .status,
        401
    );
    assert_eq!(
        server.send("GET", "/api/v1/auth/session", &[], b"").status,
        401
    );
}

#[test]
fn roles_decide_who_may_do_what() {
    let server = TestServer::start();
    let (project_id, key, _) = team(&server, 0);
    server.task(
        &key,
        json!({"module": "swiper", "payload": {"content": "x"}}),
    );
    let viewer = server.user("v@example.com", "viewer");
    server.add_reviewer(&project_id, &viewer);
    assert_eq!(
        server
            .as_user(&viewer, "POST", "/api/v1/review/next", Some(json!({})))
            .status,
        403
    );
    let outsider = server.user("o@example.com", "reviewer");
    assert_eq!(
        server.next_card(&outsider),
        None,
        "a reviewer outside the project sees nothing of it"
    );
    assert_eq!(
        server
            .as_user(
                &outsider,
                "POST",
                "/api/v1/review/next",
                Some(json!({"project_id": project_id}))
            )
            .status,
        204
    );
    for (method, path) in [
        ("GET", "/api/v1/users".to_owned()),
        ("GET", "/api/v1/review/escalations".to_owned()),
        ("GET", format!("/api/v1/projects/{project_id}/keys")),
        ("POST", "/api/v1/review/tasks/x/resolve".to_owned()),
    ] {
        assert_eq!(
            server
                .as_user(&outsider, method, &path, Some(json!({})))
                .status,
            403,
            "{path}"
        );
    }
    server.add_reviewer(&project_id, &outsider);
    assert!(server.next_card(&outsider).is_some());
    // State-changing session requests must declare JSON (the CSRF guard).
    let no_json = server.send(
        "POST",
        "/api/v1/review/next",
        &[("Cookie", outsider.cookie.as_str())],
        b"{}",
    );
    assert_eq!(no_json.status, 403);
    // Admins manage with their session too.
    let admin = server.user("a@example.com", "admin");
    assert_eq!(
        server.as_user(&admin, "GET", "/api/v1/users", None).status,
        200
    );
    assert_eq!(
        server
            .as_user(
                &admin,
                "GET",
                &format!("/api/v1/projects/{project_id}/keys"),
                None
            )
            .status,
        200
    );
}

#[test]
fn the_admin_api_manages_users_and_protects_the_last_owner() {
    let server = TestServer::start();
    let owner = server.user("owner@example.com", "owner");
    let admin = server.user("admin@example.com", "admin");
    let duplicate = server.post(
        "/api/v1/users",
        json!({"email": "OWNER@example.com", "password": PASSWORD, "role": "viewer"}),
    );
    assert_eq!(duplicate.status, 409);
    for (body, field) in [
        (
            json!({"email": "x", "password": PASSWORD, "role": "viewer"}),
            "email",
        ),
        (
            json!({"email": "x@y.z", "password": "short", "role": "viewer"}),
            "password",
        ),
        (
            json!({"email": "x@y.z", "password": PASSWORD, "role": "king"}),
            "role",
        ),
        (json!({"email": "x@y.z", "password": PASSWORD}), "role"),
    ] {
        let response = server.post("/api/v1/users", body);
        assert_eq!(
            (response.status, response.json()["field"].clone()),
            (422, json!(field))
        );
    }
    let as_admin = server.as_user(
        &admin,
        "POST",
        "/api/v1/users",
        Some(json!({"email": "boss@example.com", "password": PASSWORD, "role": "owner"})),
    );
    assert_eq!(as_admin.status, 403, "only owners make owners");
    let listed = server.get("/api/v1/users").json();
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    let last_owner = server.call(
        "PATCH",
        &format!("/api/v1/users/{}", owner.id),
        Some(json!({"role": "admin"})),
    );
    assert_eq!(last_owner.status, 409);
    assert_eq!(
        server.delete(&format!("/api/v1/users/{}", owner.id)).status,
        409
    );
    let renamed = server.call(
        "PATCH",
        &format!("/api/v1/users/{}", admin.id),
        Some(json!({"display_name": "Ada", "password": "new-password"})),
    );
    assert_eq!(
        (renamed.status, renamed.json()["display_name"].clone()),
        (200, json!("Ada"))
    );
    assert_eq!(
        server.as_user(&admin, "GET", "/api/v1/users", None).status,
        200,
        "sessions survive a rename"
    );
    server.login("admin@example.com", "new-password");
    assert_eq!(
        server.delete(&format!("/api/v1/users/{}", admin.id)).status,
        204
    );
    assert_eq!(
        server
            .as_user(&admin, "GET", "/api/v1/auth/session", None)
            .status,
        401,
        "a deleted user is signed out"
    );
    assert_eq!(
        server.delete(&format!("/api/v1/users/{}", admin.id)).status,
        404
    );
    assert_eq!(
        server
            .call(
                "PATCH",
                "/api/v1/users/nope",
                Some(json!({"role": "viewer"}))
            )
            .status,
        404
    );
}

#[test]
fn an_expired_lease_returns_the_card_to_the_queue() {
    let (server, clock) = clocked();
    let (_, key, reviewers) = team(&server, 2);
    let task = server.task(
        &key,
        json!({"module": "swiper", "payload": {"content": "x"}}),
    );
    let (first_assignment, card) = server.next_card(&reviewers[0]).expect("a card");
    assert_eq!(card["id"], task["id"]);
    for hidden in ["golden", "answer", "external_id", "callback_url"] {
        assert!(card.get(hidden).is_none(), "{hidden}");
    }
    let (again, _) = server.next_card(&reviewers[0]).expect("the same card");
    assert_eq!(
        again, first_assignment,
        "asking again gives back the card in hand"
    );
    assert_eq!(
        server.next_card(&reviewers[1]),
        None,
        "one lease for one needed review"
    );
    clock.advance(5 * 60_000 + 1);
    let (_, card) = server.next_card(&reviewers[1]).expect("the card came back");
    assert_eq!(card["id"], task["id"]);
    let late = server.decide(
        &reviewers[0],
        &first_assignment,
        json!({"decision": "approve"}),
    );
    assert_eq!(
        (late.status, late.json()["code"].clone()),
        (409, json!("conflict"))
    );
    let foreign = server.decide(
        &reviewers[1],
        &first_assignment,
        json!({"decision": "approve"}),
    );
    assert_eq!(foreign.status, 409);
    assert_eq!(
        server
            .decide(&reviewers[1], "nope", json!({"decision": "approve"}))
            .status,
        404
    );
}

#[test]
fn skipped_cards_go_to_someone_else() {
    let server = TestServer::start();
    let (_, key, reviewers) = team(&server, 2);
    let task = server.task(
        &key,
        json!({"module": "swiper", "payload": {"content": "x"}}),
    );
    let (assignment, _) = server.next_card(&reviewers[0]).expect("a card");
    let skipped = server.as_user(
        &reviewers[0],
        "POST",
        &format!("/api/v1/review/assignments/{assignment}/skip"),
        Some(json!({})),
    );
    assert_eq!(skipped.status, 204);
    assert_eq!(server.next_card(&reviewers[0]), None);
    let after_skip = server.decide(&reviewers[0], &assignment, json!({"decision": "approve"}));
    assert_eq!(after_skip.status, 409);
    let (_, card) = server.next_card(&reviewers[1]).expect("a card");
    assert_eq!(card["id"], task["id"]);
}

#[test]
fn gate_tasks_come_first_by_deadline() {
    let server = TestServer::start();
    let (_, key, reviewers) = team(&server, 1);
    let monitor = server.task(&key, json!({"module": "swiper", "payload": {}}));
    let late_gate = server.task(
        &key,
        json!({"module": "swiper", "payload": {}, "mode": "gate", "timeout_seconds": 7200}),
    );
    let soon_gate = server.task(
        &key,
        json!({"module": "swiper", "payload": {}, "mode": "gate", "timeout_seconds": 600}),
    );
    let mut order = Vec::new();
    while let Some((assignment, card)) = server.next_card(&reviewers[0]) {
        order.push(card["id"].clone());
        assert_eq!(
            server
                .decide(&reviewers[0], &assignment, json!({"decision": "approve"}))
                .status,
            200
        );
    }
    assert_eq!(
        order,
        [
            soon_gate["id"].clone(),
            late_gate["id"].clone(),
            monitor["id"].clone()
        ]
    );
    let filtered = server.as_user(
        &reviewers[0],
        "POST",
        "/api/v1/review/next",
        Some(json!({"modules": ["arena"]})),
    );
    assert_eq!(filtered.status, 422);
}

/// One decision of a game and the verdict it must become.
struct GameCase {
    /// The game (the task's `module`).
    game: &'static str,
    /// The task as submitted.
    task: Value,
    /// The reviewer's decision.
    decision: Value,
    /// The task's `verdict` once decided.
    verdict: Value,
    /// The task's `choice` once decided.
    choice: Value,
    /// The task's `detail` once decided.
    detail: Value,
}

/// Every game's decisions: approvals, flags, choices, spans and corrections.
fn game_cases() -> Vec<GameCase> {
    vec![
        GameCase {
            game: "swiper",
            task: json!({"module": "swiper", "payload": {"content": "Refund?"}}),
            decision: json!({"decision": "approve"}),
            verdict: json!(true),
            choice: Value::Null,
            detail: Value::Null,
        },
        GameCase {
            game: "swiper",
            task: json!({"module": "swiper", "payload": {"content": "Refund?"}}),
            decision: json!({"decision": "flag", "reason": "wrong amount", "severity": "high"}),
            verdict: json!(false),
            choice: Value::Null,
            detail: json!({"severity": "high"}),
        },
        GameCase {
            game: "versus",
            task: json!({"module": "versus", "payload": {"a": "A", "b": {"text": "B"}}}),
            decision: json!({"decision": "approve", "choice": "b"}),
            verdict: json!(true),
            choice: json!("b"),
            detail: Value::Null,
        },
        GameCase {
            game: "versus",
            task: json!({"module": "versus", "payload": {"a": "A", "b": "B"}}),
            decision: json!({"decision": "approve", "choice": "tie"}),
            verdict: json!(true),
            choice: json!("tie"),
            detail: Value::Null,
        },
        GameCase {
            game: "versus",
            task: json!({"module": "versus", "payload": {"a": "A", "b": "B"}}),
            decision: json!({"decision": "flag", "reason": "both bad"}),
            verdict: json!(false),
            choice: Value::Null,
            detail: Value::Null,
        },
        GameCase {
            game: "sorter",
            task: json!({"module": "sorter", "payload": {"content": "x"}, "card": {"choices": ["Billing", "Spam"]}}),
            decision: json!({"decision": "approve", "choice": "Spam"}),
            verdict: json!(true),
            choice: json!("Spam"),
            detail: Value::Null,
        },
        GameCase {
            game: "sorter",
            task: json!({"module": "sorter", "payload": {"content": "x"}}),
            decision: json!({"decision": "approve", "choice": "Refunds"}),
            verdict: json!(true),
            choice: json!("Refunds"),
            detail: Value::Null,
        },
        GameCase {
            game: "detective",
            task: json!({"module": "detective", "payload": {"body": "The moon is made of cheese."}}),
            decision: json!({"decision": "flag", "reason": "false", "detail": {"spans": [{"start": 20, "end": 26}]}}),
            verdict: json!(false),
            choice: json!("cheese"),
            detail: json!({"spans": [{"start": 20, "end": 26, "text": "cheese"}]}),
        },
        GameCase {
            game: "detective",
            task: json!({"module": "detective", "payload": {"body": "Fine text."}}),
            decision: json!({"decision": "approve"}),
            verdict: json!(true),
            choice: Value::Null,
            detail: Value::Null,
        },
        GameCase {
            game: "fixer",
            task: json!({"module": "fixer", "payload": {"fields": [{"label": "Amount", "value": "£2,400"}]}}),
            decision: json!({"decision": "approve"}),
            verdict: json!(true),
            choice: json!("confirmed"),
            detail: Value::Null,
        },
        GameCase {
            game: "fixer",
            task: json!({"module": "fixer", "payload": {"fields": [{"label": "Amount", "value": "£2,400"}]}}),
            decision: json!({"decision": "approve", "detail": {"fields": [{"value": "£240"}]}}),
            verdict: json!(true),
            choice: json!("corrected"),
            detail: json!({"fields": [{"label": "Amount", "key": null, "original": "£2,400", "value": "£240", "changed": true}]}),
        },
        GameCase {
            game: "fixer",
            task: json!({"module": "fixer", "payload": {"content": "text"}}),
            decision: json!({"decision": "flag", "reason": "unfixable"}),
            verdict: json!(false),
            choice: Value::Null,
            detail: Value::Null,
        },
        GameCase {
            game: "redact",
            task: json!({"module": "redact", "payload": {"body": "Mail john@example.com now"}}),
            decision: json!({"decision": "approve", "detail": {"spans": [{"start": 5, "end": 21, "label": "email"}]}}),
            verdict: json!(true),
            choice: json!("redacted"),
            detail: json!({"spans": [{"start": 5, "end": 21, "label": "email"}], "redacted_text": "Mail [REDACTED] now"}),
        },
        GameCase {
            game: "redact",
            task: json!({"module": "redact", "payload": {"body": "Nothing here"}}),
            decision: json!({"decision": "approve"}),
            verdict: json!(true),
            choice: json!("clean"),
            detail: Value::Null,
        },
        GameCase {
            game: "redact",
            task: json!({"module": "redact", "payload": {"body": "secret"}}),
            decision: json!({"decision": "flag", "reason": "do not release"}),
            verdict: json!(false),
            choice: Value::Null,
            detail: Value::Null,
        },
        GameCase {
            game: "grounding",
            task: json!({"module": "grounding", "payload": {"claim": "c", "source": "s"}}),
            decision: json!({"decision": "approve"}),
            verdict: json!(true),
            choice: json!("supported"),
            detail: Value::Null,
        },
        GameCase {
            game: "grounding",
            task: json!({"module": "grounding", "payload": {"claim": "c", "source": "s"}}),
            decision: json!({"decision": "flag", "choice": "contradicted", "reason": "opposite"}),
            verdict: json!(false),
            choice: json!("contradicted"),
            detail: Value::Null,
        },
    ]
}

#[test]
fn each_game_turns_decisions_into_verdicts() {
    let server = TestServer::start();
    let (_, key, reviewers) = team(&server, 1);
    let reviewer = &reviewers[0];
    for case in game_cases() {
        let GameCase {
            game,
            task: task_body,
            decision,
            verdict,
            choice,
            detail,
        } = case;
        assert_eq!(task_body["module"], game);
        let task = server.task(&key, task_body.clone());
        let response = decide_task(&server, reviewer, &task, decision.clone());
        assert_eq!(
            response.status,
            200,
            "{game} {decision}: {}",
            response.text()
        );
        let read = server.read_task(&key, &id(&task));
        assert_eq!(read["status"], "reviewed", "{task_body}");
        assert_eq!(
            (
                read["verdict"].clone(),
                read["choice"].clone(),
                read["detail"].clone()
            ),
            (verdict, choice, detail),
            "{game}: {task_body} {decision}"
        );
        assert_eq!(read["verdict_choice"], read["choice"]);
        assert_eq!(read["reviews_received"], 1);
        assert_eq!(read["reviewer"]["id"], reviewer.id.as_str());
        assert_eq!(read["reviews"][0]["decision"], decision["decision"]);
        assert!(read["reviewed_at"].is_string());
    }
    // Invalid decisions are 422 and leave the card in hand.
    let task = server.task(
        &key,
        json!({"module": "sorter", "payload": {"content": "x"}, "card": {"choices": ["Billing"]}}),
    );
    let (assignment, _) = server.next_card(reviewer).expect("a card");
    for bad in [
        json!({"decision": "approve", "choice": "Other"}),
        json!({"decision": "flag"}),
        json!({"decision": "maybe"}),
    ] {
        let response = server.decide(reviewer, &assignment, bad.clone());
        assert_eq!(
            (response.status, response.json()["code"].clone()),
            (422, json!("validation_failed")),
            "{bad}"
        );
    }
    assert_eq!(server.read_task(&key, &id(&task))["status"], "pending");
    assert_eq!(
        server
            .decide(
                reviewer,
                &assignment,
                json!({"decision": "approve", "choice": "billing"})
            )
            .status,
        200
    );
    assert_eq!(server.read_task(&key, &id(&task))["choice"], "Billing");
}

#[test]
fn two_agreeing_reviewers_resolve_and_disagreement_escalates() {
    let server = TestServer::start();
    let (_, key, r) = team(&server, 3);
    // Case 37.
    let agreed = server.task(
        &key,
        json!({"module": "swiper", "payload": {}, "reviews_required": 2}),
    );
    assert_eq!(
        decide_task(&server, &r[0], &agreed, json!({"decision": "approve"})).status,
        200
    );
    let halfway = server.read_task(&key, &id(&agreed));
    assert_eq!(
        (
            halfway["status"].clone(),
            halfway["reviews_received"].clone()
        ),
        (json!("pending"), json!(1))
    );
    assert_eq!(halfway["verdict"], Value::Null);
    // Case 39: R1 never gets it again.
    assert_eq!(server.next_card(&r[0]), None);
    assert_eq!(
        decide_task(&server, &r[1], &agreed, json!({"decision": "approve"})).status,
        200
    );
    let done = server.read_task(&key, &id(&agreed));
    assert_eq!(
        (done["status"].clone(), done["verdict"].clone()),
        (json!("reviewed"), json!(true))
    );
    assert_eq!(
        done["reviewer"],
        Value::Null,
        "a consensus has no single reviewer"
    );
    assert_eq!(done["reviews"].as_array().map(Vec::len), Some(2));
    // Case 38.
    let split = server.task(
        &key,
        json!({"module": "swiper", "payload": {}, "reviews_required": 2}),
    );
    decide_task(&server, &r[0], &split, json!({"decision": "approve"}));
    decide_task(
        &server,
        &r[1],
        &split,
        json!({"decision": "flag", "reason": "no"}),
    );
    let escalated = server.read_task(&key, &id(&split));
    assert_eq!(
        (
            escalated["status"].clone(),
            escalated["verdict"].clone(),
            escalated["escalated"].clone()
        ),
        (json!("escalated"), Value::Null, json!(true))
    );
    assert!(
        escalated["reason"]
            .as_str()
            .is_some_and(|r| r.contains("disagreed")),
        "{escalated}"
    );
    assert_eq!(
        server.next_card(&r[2]),
        None,
        "escalated tasks leave the queue"
    );
    // Case 40.
    let three = server.task(
        &key,
        json!({"module": "swiper", "payload": {}, "reviews_required": 3}),
    );
    decide_task(
        &server,
        &r[0],
        &three,
        json!({"decision": "escalate", "reason": "unsure"}),
    );
    let read_three = server.read_task(&key, &id(&three));
    assert_eq!(
        (read_three["status"].clone(), read_three["reason"].clone()),
        (json!("escalated"), json!("unsure"))
    );
    // Case 41.
    let sorted = server.task(&key, json!({"module": "sorter", "payload": {"content": "x"}, "card": {"choices": ["Billing", "Spam"]}, "reviews_required": 2}));
    decide_task(
        &server,
        &r[0],
        &sorted,
        json!({"decision": "approve", "choice": "Billing"}),
    );
    decide_task(
        &server,
        &r[1],
        &sorted,
        json!({"decision": "approve", "choice": "Billing"}),
    );
    assert_eq!(server.read_task(&key, &id(&sorted))["choice"], "Billing");
    let unsorted = server.task(&key, json!({"module": "sorter", "payload": {"content": "x"}, "card": {"choices": ["Billing", "Spam"]}, "reviews_required": 2}));
    decide_task(
        &server,
        &r[0],
        &unsorted,
        json!({"decision": "approve", "choice": "Billing"}),
    );
    decide_task(
        &server,
        &r[1],
        &unsorted,
        json!({"decision": "approve", "choice": "Spam"}),
    );
    assert_eq!(
        server.read_task(&key, &id(&unsorted))["status"],
        "escalated"
    );
}

#[test]
fn a_lone_reviewer_cannot_agree_with_themselves() {
    let server = TestServer::start();
    let (_, key, r) = team(&server, 1);
    let task = server.task(
        &key,
        json!({"module": "swiper", "payload": {}, "reviews_required": 2}),
    );
    decide_task(&server, &r[0], &task, json!({"decision": "approve"}));
    assert_eq!(server.next_card(&r[0]), None);
    assert_eq!(server.read_task(&key, &id(&task))["status"], "pending");
}

#[test]
fn admins_resolve_escalations() {
    let server = TestServer::start();
    let (project_id, key, r) = team(&server, 1);
    let task = server.task(&key, json!({"module": "swiper", "payload": {}}));
    decide_task(&server, &r[0], &task, json!({"decision": "escalate"}));
    let escalated = server.read_task(&key, &id(&task));
    let listed = server
        .get(&format!(
            "/api/v1/review/escalations?project_id={project_id}"
        ))
        .json();
    assert_eq!(
        listed
            .as_array()
            .map(|a| a.iter().map(|t| t["id"].clone()).collect::<Vec<_>>()),
        Some(vec![task["id"].clone()])
    );
    let path = format!(
        "/api/v1/review/tasks/{}/resolve",
        task["id"].as_str().unwrap_or_default()
    );
    assert_eq!(
        server
            .as_user(&r[0], "POST", &path, Some(json!({"decision": "approve"})))
            .status,
        403
    );
    assert_eq!(
        server.post(&path, json!({"decision": "escalate"})).status,
        422
    );
    let owner = server.user("boss@example.com", "owner");
    let resolved = server.as_user(&owner, "POST", &path, Some(json!({"decision": "approve"})));
    assert_eq!(resolved.status, 200, "{}", resolved.text());
    let after = server.read_task(&key, &id(&task));
    assert_eq!(
        (
            after["status"].clone(),
            after["verdict"].clone(),
            after["escalated"].clone()
        ),
        (json!("reviewed"), json!(true), json!(true))
    );
    assert_ne!(after["reviewed_at"], escalated["reviewed_at"]);
    assert_eq!(after["reviewer"]["id"], owner.id.as_str());
    assert_eq!(
        server.post(&path, json!({"decision": "approve"})).status,
        409,
        "reviewed is final"
    );
    let verdicts = server.review(&key, "GET", "/api/v1/verdicts", None).json();
    assert_eq!(
        verdicts.as_array().map(Vec::len),
        Some(1),
        "listed once, in its latest state"
    );
    assert_eq!(verdicts[0]["verdict"], true);
    let pending = server.task(&key, json!({"module": "swiper", "payload": {}}));
    let pending_path = format!(
        "/api/v1/review/tasks/{}/resolve",
        pending["id"].as_str().unwrap_or_default()
    );
    assert_eq!(
        server
            .post(&pending_path, json!({"decision": "approve"}))
            .status,
        409
    );
    assert_eq!(
        server
            .post(
                "/api/v1/review/tasks/nope/resolve",
                json!({"decision": "approve"})
            )
            .status,
        404
    );
}

#[test]
fn a_decision_after_the_gate_timed_out_is_refused() {
    let (server, clock) = clocked();
    let (_, key, r) = team(&server, 1);
    let task = server.task(&key, json!({"module": "swiper", "payload": {}, "mode": "gate", "timeout_seconds": 30, "on_timeout": "reject"}));
    let (assignment, _) = server.next_card(&r[0]).expect("a card");
    clock.advance(31_000);
    server.run_background_work();
    let late = server.decide(&r[0], &assignment, json!({"decision": "approve"}));
    assert_eq!(late.status, 409);
    let read = server.read_task(&key, &id(&task));
    assert_eq!(
        (read["verdict"].clone(), read["timed_out"].clone()),
        (json!(false), json!(true))
    );
    // A decision before the deadline wins (case 51), and the deadline then changes nothing.
    let (server, clock) = clocked();
    let (_, key, r) = team(&server, 1);
    let task = server.task(
        &key,
        json!({"module": "swiper", "payload": {}, "mode": "gate", "timeout_seconds": 30}),
    );
    clock.advance(10_000);
    decide_task(&server, &r[0], &task, json!({"decision": "approve"}));
    clock.advance(21_000);
    server.run_background_work();
    let kept = server.read_task(&key, &id(&task));
    assert_eq!(
        (kept["status"].clone(), kept["timed_out"].clone()),
        (json!("reviewed"), json!(false))
    );
}

#[test]
fn a_gate_with_one_review_in_times_out_keeping_it() {
    let (server, clock) = clocked();
    let (_, key, r) = team(&server, 1);
    let task = server.task(
        &key,
        json!({"module": "swiper", "payload": {}, "mode": "gate", "timeout_seconds": 30,
        "on_timeout": "reject", "reviews_required": 2}),
    );
    decide_task(&server, &r[0], &task, json!({"decision": "approve"}));
    clock.advance(31_000);
    server.run_background_work();
    let read = server.read_task(&key, &id(&task));
    assert_eq!(
        (
            read["status"].clone(),
            read["verdict"].clone(),
            read["timed_out"].clone()
        ),
        (json!("reviewed"), json!(false), json!(true))
    );
    assert_eq!(read["reviews"].as_array().map(Vec::len), Some(1));
}

#[test]
fn racing_for_the_last_review_resolves_once() {
    let server = TestServer::start();
    let (_, key, r) = team(&server, 2);
    let task = server.task(
        &key,
        json!({"module": "swiper", "payload": {}, "reviews_required": 2}),
    );
    let a = server.next_card(&r[0]).expect("a card").0;
    let b = server.next_card(&r[1]).expect("a card").0;
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let first = scope.spawn(|| {
            server
                .decide(&r[0], &a, json!({"decision": "approve"}))
                .status
        });
        let second = scope.spawn(|| {
            server
                .decide(&r[1], &b, json!({"decision": "approve"}))
                .status
        });
        vec![
            first.join().unwrap_or_default(),
            second.join().unwrap_or_default(),
        ]
    });
    assert_eq!(statuses, [200, 200]);
    let read = server.read_task(&key, &id(&task));
    assert_eq!(
        (read["status"].clone(), read["reviews_received"].clone()),
        (json!("reviewed"), json!(2))
    );
}

#[test]
fn golden_tasks_score_reviewers_without_telling_them() {
    let server = TestServer::start();
    let (project_id, key, r) = team(&server, 2);
    let golden = server.task(
        &key,
        json!({"module": "swiper", "payload": {"content": "x"}, "golden": true, "answer": false}),
    );
    let (assignment, card) = server.next_card(&r[0]).expect("a card");
    let card_text = card.to_string();
    assert!(
        !card_text.contains("golden") && !card_text.contains("answer"),
        "{card_text}"
    );
    let decided = server.decide(&r[0], &assignment, json!({"decision": "approve"}));
    assert_eq!(decided.json()["xp_awarded"], -25);
    let twice = server.decide(
        &r[0],
        &assignment,
        json!({"decision": "flag", "reason": "changed my mind"}),
    );
    assert_eq!(twice.status, 409, "a decision is final for its reviewer");
    assert_eq!(server.read_task(&key, &id(&golden))["status"], "reviewed");
    let stats = server
        .as_user(&r[0], "GET", "/api/v1/review/stats", None)
        .json();
    assert_eq!(stats["accuracy"], 0.0);
    assert!((stats["trust_score"].as_f64().unwrap_or_default() - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(
        (stats["reviews"].clone(), stats["streak"].clone()),
        (json!(1), json!(0))
    );
    // Another reviewer still gets it to calibrate: their review changes stats only.
    let before = server.read_task(&key, &id(&golden));
    let (assignment, card) = server.next_card(&r[1]).expect("the calibration card");
    assert_eq!(card["id"], golden["id"]);
    assert_eq!(
        server
            .decide(
                &r[1],
                &assignment,
                json!({"decision": "flag", "reason": "wrong"})
            )
            .status,
        200
    );
    assert_eq!(server.read_task(&key, &id(&golden)), before);
    let stats = server
        .as_user(&r[1], "GET", "/api/v1/review/stats", None)
        .json();
    assert_eq!(
        (stats["accuracy"].clone(), stats["xp"].clone()),
        (json!(1.0), json!(10))
    );
    assert!((stats["trust_score"].as_f64().unwrap_or_default() - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(
        server.next_card(&r[1]),
        None,
        "each reviewer calibrates on it at most once"
    );
    let project_stats = server
        .get(&format!("/api/v1/projects/{project_id}/reviewers"))
        .json();
    assert_eq!(project_stats.as_array().map(Vec::len), Some(2));
    assert_eq!(project_stats[0]["stats"]["reviews"], 1);
}

#[test]
fn xp_and_agreement_accumulate() {
    let server = TestServer::start();
    let (_, key, r) = team(&server, 2);
    for _ in 0..11 {
        let task = server.task(&key, json!({"module": "swiper", "payload": {}}));
        let answer = decide_task(&server, &r[0], &task, json!({"decision": "approve"})).json();
        assert_eq!(answer["accepted"], true);
    }
    let stats = server
        .as_user(&r[0], "GET", "/api/v1/review/stats", None)
        .json();
    assert_eq!(
        (stats["streak"].clone(), stats["best_streak"].clone()),
        (json!(11), json!(11))
    );
    assert_eq!(stats["xp"], 9 * 10 + 2 * 20);
    assert_eq!(stats["level"], 2);
    assert_eq!(stats["agreement"], Value::Null);
    let pair = server.task(
        &key,
        json!({"module": "swiper", "payload": {}, "reviews_required": 2}),
    );
    decide_task(&server, &r[0], &pair, json!({"decision": "approve"}));
    decide_task(&server, &r[1], &pair, json!({"decision": "approve"}));
    let stats = server
        .as_user(&r[1], "GET", "/api/v1/review/stats", None)
        .json();
    assert_eq!(stats["agreement"], 1.0);
}

#[test]
fn the_cli_adds_the_first_owner() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("users.db");
    let run = |args: &[&str]| run_loop(&db, args);
    let added = run(&[
        "users",
        "add",
        "--email",
        "owner@example.com",
        "--role",
        "owner",
    ]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let out = String::from_utf8_lossy(&added.stdout).into_owned();
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("Password (shown only this once): "))
        .unwrap_or_default()
        .to_owned();
    assert_eq!(password.len(), 24, "{out}");
    let again = run(&[
        "users",
        "add",
        "--email",
        "OWNER@example.com",
        "--role",
        "viewer",
        "--password",
        "password-1",
    ]);
    assert!(!again.status.success());
    assert!(
        !run(&["users", "add", "--email", "x@example.com", "--role", "king"])
            .status
            .success()
    );
    assert!(
        !run(&[
            "users",
            "add",
            "--email",
            "x@example.com",
            "--role",
            "viewer",
            "--password",
            "short"
        ])
        .status
        .success()
    );
    let server = TestServer::start_with(|c| c.db_path = db.clone());
    server.login("owner@example.com", &password);
}
