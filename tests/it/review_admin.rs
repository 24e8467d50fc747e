//! The routes the web app's administration pages and project picker use: projects with
//! their review counts, a project's tasks, hooks and deliveries for a signed-in admin,
//! people created with a generated password and password resets, the reviewer's project
//! picker, cards without their game's inputs, and Secure cookies behind https.

use crate::common;

use common::receiver::{Answer, Receiver};
use common::{PASSWORD, TestServer, User};
use serde_json::{Value, json};

/// A project named `name` through the review API (as the web app creates it).
fn project(server: &TestServer, admin: &User, name: &str) -> Value {
    let created = server.as_user(
        admin,
        "POST",
        "/api/v1/projects",
        Some(json!({"name": name})),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    let project = created.json();
    // The cards these tests deal are the tasks they create: no decoys among them.
    server.set_rates(
        project["id"].as_str().expect("id"),
        json!({"decoy_rate": 0}),
    );
    project
}

#[test]
fn projects_list_their_pending_escalated_and_reviewed_tasks() {
    let server = TestServer::start();
    let admin = server.user("ada@example.com", "admin");
    let support = project(&server, &admin, "Support");
    let id = support["id"].as_str().expect("id").to_owned();
    assert_eq!(
        (
            &support["name"],
            &support["pending"],
            &support["default_gate_timeout_seconds"]
        ),
        (&json!("Support"), &json!(0), &json!(86_400))
    );
    let key = server.project_key(&id);
    let reviewer = server.user("rita@example.com", "reviewer");
    server.add_reviewer(&id, &reviewer);
    for n in 0..4 {
        server.task(
            &key,
            json!({"module": "swiper", "payload": {"content": format!("task {n}")}}),
        );
    }
    for decision in [
        json!({"decision": "approve"}),
        json!({"decision": "escalate"}),
    ] {
        let (assignment, _) = server.next_card(&reviewer).expect("a card");
        assert_eq!(server.decide(&reviewer, &assignment, decision).status, 200);
    }
    let listed = server
        .as_user(&admin, "GET", "/api/v1/projects", None)
        .json();
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(
        (
            &listed[0]["pending"],
            &listed[0]["escalated"],
            &listed[0]["reviewed"]
        ),
        (&json!(2), &json!(1), &json!(1))
    );
    // Deleting a task takes it out of the counts.
    let pending = server
        .review(&key, "GET", "/api/v1/tasks?status=pending", None)
        .json();
    let doomed = pending[0]["id"].as_str().expect("id").to_owned();
    assert_eq!(
        server
            .review(&key, "DELETE", &format!("/api/v1/tasks/{doomed}"), None)
            .status,
        204
    );
    let detail = server
        .as_user(&admin, "GET", &format!("/api/v1/projects/{id}"), None)
        .json();
    assert_eq!(detail["pending"], json!(1));
    // The engine API sees the same project.
    assert_eq!(
        server.get(&format!("/api/projects/{id}")).json()["data"]["name"],
        json!("Support")
    );
}

#[test]
fn projects_are_renamed_and_get_a_gate_timeout() {
    let server = TestServer::start();
    let admin = server.user("ada@example.com", "admin");
    let id = project(&server, &admin, "Support")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let path = format!("/api/v1/projects/{id}");
    let changed = server.as_user(
        &admin,
        "PATCH",
        &path,
        Some(json!({"name": " Refunds ", "default_gate_timeout_seconds": 3600})),
    );
    assert_eq!(changed.status, 200, "{}", changed.text());
    assert_eq!(
        (
            &changed.json()["name"],
            &changed.json()["default_gate_timeout_seconds"]
        ),
        (&json!("Refunds"), &json!(3600))
    );
    let key = server.project_key(&id);
    let gate = server.task(
        &key,
        json!({"module": "swiper", "mode": "gate", "payload": {}}),
    );
    assert_eq!(
        gate["timeout_seconds"],
        json!(3600),
        "new gate tasks take the project's timeout"
    );
    // An empty string means "not given" on the review API (its clients send every key).
    assert_eq!(
        server
            .as_user(&admin, "PATCH", &path, Some(json!({"name": ""})))
            .json()["name"],
        json!("Refunds")
    );
    for (body, field) in [
        (json!({"name": "  "}), "name"),
        (
            json!({"default_gate_timeout_seconds": 10}),
            "default_gate_timeout_seconds",
        ),
        (
            json!({"default_gate_timeout_seconds": "soon"}),
            "default_gate_timeout_seconds",
        ),
    ] {
        let refused = server.as_user(&admin, "PATCH", &path, Some(body.clone()));
        assert_eq!(
            (refused.status, refused.json()["field"].clone()),
            (422, json!(field)),
            "{body}"
        );
    }
    let refused = server.as_user(&admin, "POST", "/api/v1/projects", Some(json!({})));
    assert_eq!(refused.json()["field"], json!("name"));
    assert_eq!(
        server
            .as_user(
                &admin,
                "PATCH",
                "/api/v1/projects/nope",
                Some(json!({"name": "x"}))
            )
            .status,
        404
    );
    assert_eq!(
        server
            .as_user(&admin, "GET", "/api/v1/projects/nope", None)
            .status,
        404
    );
    // Reviewers do not run projects; the engine admin key does.
    let reviewer = server.user("rita@example.com", "reviewer");
    assert_eq!(
        server
            .as_user(&reviewer, "GET", "/api/v1/projects", None)
            .status,
        403
    );
    assert_eq!(server.get("/api/v1/projects").status, 200);
}

#[test]
fn an_admin_reads_a_projects_tasks_with_the_card_reviewers_see() {
    let server = TestServer::start();
    let admin = server.user("ada@example.com", "admin");
    let id = project(&server, &admin, "Support")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let other = project(&server, &admin, "Other")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let key = server.project_key(&id);
    let task = server.task(
        &key,
        json!({"module": "versus", "payload": {"content": "X", "body": "X"}}),
    );
    let task_id = task["id"].as_str().expect("id");
    let detail = server.as_user(
        &admin,
        "GET",
        &format!("/api/v1/projects/{id}/tasks/{task_id}"),
        None,
    );
    assert_eq!(detail.status, 200, "{}", detail.text());
    let detail = detail.json();
    assert_eq!(
        (
            &detail["project_id"],
            &detail["module"],
            &detail["game"],
            &detail["view"]
        ),
        (
            &json!(id),
            &json!("versus"),
            &json!("swiper"),
            &json!({"text": "X"})
        )
    );
    let listed = server
        .as_user(
            &admin,
            "GET",
            &format!("/api/v1/projects/{id}/tasks?status=pending&limit=5"),
            None,
        )
        .json();
    assert_eq!(listed[0]["id"], task["id"]);
    assert!(
        server
            .as_user(
                &admin,
                "GET",
                &format!("/api/v1/projects/{other}/tasks"),
                None
            )
            .json()
            .as_array()
            .is_some_and(Vec::is_empty)
    );
    assert_eq!(
        server
            .as_user(
                &admin,
                "GET",
                &format!("/api/v1/projects/{other}/tasks/{task_id}"),
                None
            )
            .status,
        404
    );
    assert_eq!(
        server
            .as_user(
                &admin,
                "GET",
                &format!("/api/v1/projects/{id}/tasks?status=done"),
                None
            )
            .status,
        422
    );
    // The ingest API's Task object stays as it was.
    let ingest = server
        .review(&key, "GET", &format!("/api/v1/tasks/{task_id}"), None)
        .json();
    assert!(
        ingest.get("view").is_none()
            && ingest.get("game").is_none()
            && ingest.get("project_id").is_none()
    );
}

#[test]
fn an_admin_manages_hooks_and_redelivers_from_the_project() {
    let server = TestServer::start();
    let admin = server.user("ada@example.com", "admin");
    let id = project(&server, &admin, "Support")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let key = server.project_key(&id);
    let receiver = Receiver::start(|_| Answer::Status(200));
    let hooks = format!("/api/v1/projects/{id}/hooks");
    let created = server.as_user(&admin, "POST", &hooks, Some(json!({"url": receiver.url})));
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(
        server
            .as_user(&admin, "POST", &hooks, Some(json!({"url": receiver.url})))
            .status,
        200
    );
    assert_eq!(
        server
            .as_user(&admin, "POST", &hooks, Some(json!({"url": "nope"})))
            .json()["field"],
        json!("url")
    );
    // The key holder sees the same subscription.
    let seen = server.review(&key, "GET", "/api/v1/hooks", None).json();
    assert_eq!(seen[0]["id"], created.json()["id"]);

    let reviewer = server.user("rita@example.com", "reviewer");
    server.add_reviewer(&id, &reviewer);
    let task = server.task(
        &key,
        json!({"module": "swiper", "payload": {"content": "x"}}),
    );
    let (assignment, _) = server.next_card(&reviewer).expect("a card");
    assert_eq!(
        server
            .decide(&reviewer, &assignment, json!({"decision": "approve"}))
            .status,
        200
    );
    receiver.wait_for(1);
    let task_id = task["id"].as_str().expect("id");
    let log = server
        .as_user(
            &admin,
            "GET",
            &format!("/api/v1/projects/{id}/deliveries?task_id={task_id}"),
            None,
        )
        .json();
    let delivery = log[0]["id"].as_str().expect("a delivery").to_owned();
    let again = server.as_user(
        &admin,
        "POST",
        &format!("/api/v1/projects/{id}/deliveries/{delivery}/redeliver"),
        Some(json!({})),
    );
    assert_eq!(again.status, 202, "{}", again.text());
    assert_eq!(receiver.wait_for(2).len(), 2);
    assert_eq!(
        server
            .as_user(
                &admin,
                "GET",
                &format!("/api/v1/projects/{id}/deliveries?status=lost"),
                None
            )
            .status,
        422
    );
    assert_eq!(
        server
            .as_user(
                &admin,
                "POST",
                &format!("/api/v1/projects/{id}/deliveries/nope/redeliver"),
                Some(json!({}))
            )
            .status,
        404
    );

    let hook = created.json()["id"].as_str().expect("hook id").to_owned();
    assert_eq!(
        server
            .as_user(&admin, "DELETE", &format!("{hooks}/{hook}"), None)
            .status,
        204
    );
    assert_eq!(
        server
            .as_user(&admin, "DELETE", &format!("{hooks}/{hook}"), None)
            .status,
        404
    );
    assert!(
        server
            .as_user(&admin, "GET", &hooks, None)
            .json()
            .as_array()
            .is_some_and(Vec::is_empty)
    );
}

#[test]
fn people_get_a_generated_password_once_and_resets_sign_them_out() {
    let server = TestServer::start();
    let owner = server.user("owen@example.com", "owner");
    let admin = server.user("ada@example.com", "admin");
    let created = server.as_user(
        &admin,
        "POST",
        "/api/v1/users",
        Some(json!({"email": "new@example.com", "role": "reviewer"})),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    let password = created.json()["password"]
        .as_str()
        .expect("a generated password")
        .to_owned();
    assert_eq!(password.len(), 24);
    let cookie = server.login("new@example.com", &password);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let chosen = server.as_user(
        &admin,
        "POST",
        "/api/v1/users",
        Some(json!({"email": "chose@example.com", "role": "reviewer", "password": PASSWORD})),
    );
    assert!(
        chosen.json().get("password").is_none(),
        "a chosen password is never echoed"
    );

    let project_id = project(&server, &admin, "Support")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let user = User {
        id: id.clone(),
        cookie: cookie.clone(),
    };
    server.add_reviewer(&project_id, &user);
    let people = server.as_user(&admin, "GET", "/api/v1/users", None).json();
    let listed = people
        .as_array()
        .expect("people")
        .iter()
        .find(|p| p["id"] == json!(id))
        .expect("the new person");
    assert_eq!(listed["project_ids"], json!([project_id]));

    let reset = server.as_user(
        &admin,
        "POST",
        &format!("/api/v1/users/{id}/reset-password"),
        Some(json!({})),
    );
    assert_eq!(reset.status, 200, "{}", reset.text());
    let fresh = reset.json()["password"]
        .as_str()
        .expect("new password")
        .to_owned();
    assert_ne!(fresh, password);
    assert_eq!(
        server
            .as_user(&user, "GET", "/api/v1/auth/session", None)
            .status,
        401,
        "the old session ended"
    );
    let old = server.send(
        "POST",
        "/api/v1/auth/login",
        &[("Content-Type", "application/json")],
        json!({"email": "new@example.com", "password": password})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(old.status, 401);
    server.login("new@example.com", &fresh);
    // Only an owner resets an owner's password.
    let reset = |by: &User, id: &str| {
        let path = format!("/api/v1/users/{id}/reset-password");
        server.as_user(by, "POST", &path, Some(json!({}))).status
    };
    assert_eq!(reset(&admin, &owner.id), 403);
    assert_eq!(reset(&owner, &owner.id), 200);
    assert_eq!(reset(&admin, "nope"), 404);
}

#[test]
fn reviewers_pick_from_their_own_projects_with_pending_counts() {
    let server = TestServer::start();
    let admin = server.user("ada@example.com", "admin");
    let mine = project(&server, &admin, "Mine")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let theirs = project(&server, &admin, "Theirs")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let reviewer = server.user("rita@example.com", "reviewer");
    server.add_reviewer(&mine, &reviewer);
    let key = server.project_key(&mine);
    server.task(&key, json!({"module": "swiper", "payload": {}}));
    let picked = server
        .as_user(&reviewer, "GET", "/api/v1/review/projects", None)
        .json();
    assert_eq!(picked, json!([{"id": mine, "name": "Mine", "pending": 1}]));
    let everything = server
        .as_user(&admin, "GET", "/api/v1/review/projects", None)
        .json();
    assert_eq!(
        everything.as_array().map(Vec::len),
        Some(2),
        "admins review every project"
    );
    assert_eq!(everything[1]["id"], json!(theirs));
    let viewer = server.user("vera@example.com", "viewer");
    assert_eq!(
        server
            .as_user(&viewer, "GET", "/api/v1/review/projects", None)
            .status,
        403
    );
}

#[test]
fn generic_client_payloads_are_reviewed_as_a_single_output() {
    let server = TestServer::start();
    let (project_id, key) = server.review_project("Support");
    let reviewer = server.user("rita@example.com", "reviewer");
    server.add_reviewer(&project_id, &reviewer);
    // As Zapier, Make, Pipedream, Activepieces and Flowise send every module, and as the
    // MCP server and Dify send it.
    for payload in [
        json!({"content": "X", "body": "X"}),
        json!({"content": "X"}),
    ] {
        for module in [
            "versus",
            "grounding",
            "detective",
            "redact",
            "fixer",
            "sorter",
            "swiper",
        ] {
            let created = server.review(
                &key,
                "POST",
                "/api/v1/tasks",
                Some(json!({"module": module, "payload": payload})),
            );
            assert_eq!(
                created.status,
                201,
                "{module} {payload}: {}",
                created.text()
            );
        }
    }
    let (assignment, task) = server.next_card(&reviewer).expect("a card");
    assert_eq!(
        (&task["module"], &task["game"], &task["view"]),
        (&json!("versus"), &json!("swiper"), &json!({"text": "X"}))
    );
    let decided = server.decide(&reviewer, &assignment, json!({"decision": "approve"}));
    assert_eq!(decided.status, 200, "{}", decided.text());
    let read = server
        .review(
            &key,
            "GET",
            &format!("/api/v1/tasks/{}", task["id"].as_str().expect("id")),
            None,
        )
        .json();
    assert_eq!(
        (&read["verdict"], &read["choice"], &read["module"]),
        (&json!(true), &Value::Null, &json!("versus"))
    );
    // Without a text there is nothing to show: still refused, naming the missing input.
    let refused = server.review(
        &key,
        "POST",
        "/api/v1/tasks",
        Some(json!({"module": "versus", "payload": {"a": "only one"}})),
    );
    assert_eq!(
        (refused.status, refused.json()["field"].clone()),
        (422, json!("payload.b"))
    );
}

#[test]
fn session_cookies_are_secure_behind_an_https_public_url() {
    let server = TestServer::start_with(|config| {
        config.public_url = Some("https://loop.example.com".to_owned())
    });
    server.user("ada@example.com", "admin");
    let login = server.send(
        "POST",
        "/api/v1/auth/login",
        &[("Content-Type", "application/json")],
        json!({"email": "ada@example.com", "password": PASSWORD})
            .to_string()
            .as_bytes(),
    );
    assert!(
        login
            .header("Set-Cookie")
            .is_some_and(|c| c.ends_with("; Secure")),
        "{:?}",
        login.header("Set-Cookie")
    );
    let plain = TestServer::start();
    plain.user("ada@example.com", "admin");
    let login = plain.send(
        "POST",
        "/api/v1/auth/login",
        &[("Content-Type", "application/json")],
        json!({"email": "ada@example.com", "password": PASSWORD})
            .to_string()
            .as_bytes(),
    );
    assert!(
        login
            .header("Set-Cookie")
            .is_some_and(|c| !c.contains("Secure"))
    );
}
