//! What the engine dashboard needs of the engine API, through real HTTP: an owner's or
//! admin's session in place of an admin key (reviewers refused), full-text search and
//! sorting of issues, labels changed on PATCH, the signals list, the first-run progress,
//! admin keys made on the spot, goal deadlines.

use serde_json::{Value, json};

use crate::common::{TestServer, id};

fn titles(response: &crate::common::Response) -> Vec<String> {
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|issue| issue["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn owners_and_admins_use_the_engine_with_their_session_and_reviewers_do_not() {
    let server = TestServer::start();
    let owner = server.user("olga@example.com", "owner");
    let admin = server.user("adam@example.com", "admin");
    let reviewer = server.user("rita@example.com", "reviewer");
    for person in [&owner, &admin] {
        let created = server.as_user(
            person,
            "POST",
            "/api/issues",
            Some(json!({"title": "From the browser", "type": "task"})),
        );
        assert_eq!(created.status, 201, "{}", created.text());
        let listed = server.as_user(person, "GET", "/api/issues", None);
        assert_eq!(listed.status, 200);
    }
    for (method, path) in [("GET", "/api/issues"), ("POST", "/api/signals")] {
        let refused = server.as_user(&reviewer, method, path, Some(json!({})));
        assert_eq!(refused.status, 403, "{method} {path}: {}", refused.text());
        assert!(refused.json()["error"].is_string());
    }
    // Without the JSON content type a session may not change anything (CSRF).
    let form = server.send(
        "POST",
        "/api/issues",
        &[
            ("Cookie", owner.cookie.as_str()),
            ("Content-Type", "text/plain"),
        ],
        br#"{"title": "x", "type": "task"}"#,
    );
    assert_eq!(form.status, 403, "{}", form.text());
    // A key still decides when one is sent, and no credential at all is the usual 401.
    let bad_key = server.send(
        "GET",
        "/api/issues",
        &[
            ("Cookie", owner.cookie.as_str()),
            ("Authorization", "Bearer nope"),
        ],
        b"",
    );
    assert_eq!(bad_key.status, 401);
    let nobody = server.send("GET", "/api/issues", &[], b"");
    assert_eq!(
        nobody.json(),
        json!({"error": "Missing or malformed Authorization header"})
    );
    let expired = server.send(
        "GET",
        "/api/issues",
        &[("Cookie", "loop_session=not-a-session")],
        b"",
    );
    assert_eq!(expired.status, 401);
    assert_eq!(server.count_rows("issues"), 2, "nothing refused was stored");
}

#[test]
fn a_session_previews_prompts_with_a_placeholder_for_the_key() {
    let server = TestServer::start();
    let owner = server.user("olga@example.com", "owner");
    let issue = server.issue("Fix the login", "task");
    let preview = server.as_user(
        &owner,
        "GET",
        &format!("/api/templates/preview/{}", id(&issue)),
        None,
    );
    assert_eq!(preview.status, 200, "{}", preview.text());
    let prompt = preview.json()["prompt"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        prompt.contains("Authorization: Bearer $LOOP_API_KEY"),
        "{prompt}"
    );
    let with_key = server.get(&format!("/api/templates/preview/{}", id(&issue)));
    let prompt = with_key.json()["prompt"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        prompt.contains(&format!("Bearer {}", crate::common::KEY)),
        "an agent's key is its own"
    );
}

#[test]
fn full_text_search_finds_ranks_follows_changes_and_refuses_bad_syntax() {
    let server = TestServer::start();
    let described = server.create(
        "/api/issues",
        json!({"title": "Cache warmup", "type": "task", "description": "The login page times out"}),
    );
    let titled = server.issue("Login times out on Safari", "signal");
    server.issue("Unrelated", "task");
    assert_eq!(
        titles(&server.get("/api/issues?q=login")),
        ["Login times out on Safari", "Cache warmup"],
        "a title match ranks first"
    );
    let page = server.get("/api/issues?q=login&limit=1");
    assert_eq!(page.json()["total"], 2);
    assert_eq!(titles(&page), ["Login times out on Safari"]);
    assert_eq!(
        titles(&server.get("/api/issues?q=timing&type=signal")),
        ["Login times out on Safari"],
        "stemmed, and combined with the filters"
    );
    assert_eq!(
        titles(&server.get("/api/issues?q=saf*")),
        ["Login times out on Safari"]
    );
    assert_eq!(
        titles(&server.get("/api/issues?q=login&sort=title")),
        ["Cache warmup", "Login times out on Safari"],
        "an explicit sort wins over the rank"
    );
    assert_eq!(
        titles(&server.get("/api/issues?q=%20")).len(),
        3,
        "blank: no search"
    );

    server.patch(
        &format!("/api/issues/{}", id(&described)),
        json!({"description": "Nothing to do with signing in"}),
    );
    assert_eq!(
        titles(&server.get("/api/issues?q=login")),
        ["Login times out on Safari"]
    );
    server.delete(&format!("/api/issues/{}", id(&titled)));
    assert!(titles(&server.get("/api/issues?q=login")).is_empty());
    assert_eq!(server.get("/api/issues?q=login").json()["total"], 0);

    for bad in ["%22unterminated", "AND", "foo-bar", "(x", "nope:word"] {
        let refused = server.get(&format!("/api/issues?q={bad}"));
        assert_eq!(refused.status, 400, "{bad}: {}", refused.text());
        assert_eq!(refused.json()["details"][0]["path"], "q", "{bad}");
    }
}

#[test]
fn issues_sort_by_any_column_either_way() {
    let server = TestServer::start();
    for (title, priority, status) in [("b", 1, "todo"), ("a", 0, "triage"), ("c", 4, "done")] {
        server.create(
            "/api/issues",
            json!({"title": title, "type": "task", "priority": priority, "status": status}),
        );
    }
    let sorted = |sort: &str| titles(&server.get(&format!("/api/issues?sort={sort}")));
    assert_eq!(sorted("title"), ["a", "b", "c"]);
    assert_eq!(sorted("-title"), ["c", "b", "a"]);
    assert_eq!(
        sorted("priority"),
        ["b", "c", "a"],
        "urgent first, none last"
    );
    assert_eq!(
        sorted("status"),
        ["a", "b", "c"],
        "in the order of an issue's life"
    );
    assert_eq!(sorted("-number"), ["c", "a", "b"]);
    assert_eq!(sorted(""), ["b", "a", "c"], "empty: oldest first");
    let refused = server.get("/api/issues?sort=colour");
    assert_eq!(refused.status, 400);
    assert_eq!(refused.json()["details"][0]["path"], "sort");
}

#[test]
fn patch_replaces_the_labels() {
    let server = TestServer::start();
    let bug = server.create("/api/labels", json!({"name": "bug", "color": "#dc2626"}));
    let ux = server.create("/api/labels", json!({"name": "ux", "color": "#4f46e5"}));
    let issue = server.create(
        "/api/issues",
        json!({"title": "Labelled", "type": "task", "labelIds": [id(&bug)]}),
    );
    let path = format!("/api/issues/{}", id(&issue));
    let names = || -> Vec<Value> {
        server.get(&path).json()["data"]["labels"]
            .as_array()
            .expect("labels")
            .iter()
            .map(|l| l["name"].clone())
            .collect()
    };
    assert_eq!(names(), [json!("bug")]);
    let patched = server.patch(&path, json!({"labelIds": [id(&ux), id(&ux)]}));
    assert_eq!(patched.status, 200, "{}", patched.text());
    assert_eq!(names(), [json!("ux")]);
    server.patch(&path, json!({"title": "Renamed"}));
    assert_eq!(names(), [json!("ux")], "absent: unchanged");
    assert_eq!(server.patch(&path, json!({"labelIds": "ux"})).status, 400);
    server.patch(&path, json!({"labelIds": []}));
    assert!(names().is_empty());
    let labelled = server.get(&format!("/api/issues?labelId={}", id(&ux)));
    assert_eq!(labelled.json()["total"], 0);
}

#[test]
fn signals_are_listed_newest_first_with_their_issue() {
    let server = TestServer::start();
    for (source, severity) in [
        ("sentry", "critical"),
        ("posthog", "low"),
        ("sentry", "high"),
    ] {
        server.create(
            "/api/signals",
            json!({"source": source, "type": "error", "severity": severity, "payload": {"message": format!("{source} {severity}")}}),
        );
    }
    let all = server.get("/api/signals");
    assert_eq!(all.status, 200, "{}", all.text());
    let body = all.json();
    assert_eq!(body["total"], 3);
    assert_eq!(body["data"][0]["severity"], "high", "newest first");
    assert_eq!(body["data"][0]["issue"]["status"], "triage");
    assert_eq!(
        body["data"][0]["issue"]["title"],
        "[sentry] error: sentry high"
    );
    let sentry = server.get("/api/signals?source=sentry&severity=critical");
    assert_eq!(sentry.json()["total"], 1);
    let issue_id = body["data"][2]["issueId"]
        .as_str()
        .expect("issue id")
        .to_owned();
    server.delete(&format!("/api/issues/{issue_id}"));
    let after = server.get("/api/signals?limit=1&page=3").json();
    assert_eq!(after["data"][0]["issue"], Value::Null, "its issue is gone");
    assert_eq!(server.get("/api/signals?severity=worst").status, 400);
}

#[test]
fn setup_progress_counts_signals_and_claims() {
    let server = TestServer::start();
    let progress = || server.get("/api/dashboard/setup").json()["data"].clone();
    assert_eq!(progress(), json!({"issues": 0, "signals": 0, "claims": 0}));
    let signal = server.create(
        "/api/signals",
        json!({"source": "app", "type": "error", "severity": "high", "payload": {}}),
    );
    assert_eq!(progress(), json!({"issues": 1, "signals": 1, "claims": 0}));
    server.patch(
        &format!(
            "/api/issues/{}",
            signal["issue"]["id"].as_str().expect("id")
        ),
        json!({"status": "todo"}),
    );
    assert_eq!(server.get("/api/dispatch/next").status, 200);
    assert_eq!(progress(), json!({"issues": 1, "signals": 1, "claims": 1}));
}

#[test]
fn an_admin_key_made_on_the_spot_works_at_once() {
    let server = TestServer::start();
    let owner = server.user("olga@example.com", "owner");
    let made = server.as_user(&owner, "POST", "/api/keys", Some(json!({"name": "claude"})));
    assert_eq!(made.status, 201, "{}", made.text());
    let key = made.json()["data"]["key"].as_str().expect("key").to_owned();
    assert!(key.starts_with("loop_"));
    assert_eq!(made.json()["data"]["name"], "claude");
    let used = server.send(
        "GET",
        "/api/issues",
        &[("Authorization", &format!("Bearer {key}"))],
        b"",
    );
    assert_eq!(used.status, 200);
    let unnamed = server.as_user(&owner, "POST", "/api/keys", None);
    assert_eq!(unnamed.json()["data"]["name"], "web app");
    let too_long = server.as_user(
        &owner,
        "POST",
        "/api/keys",
        Some(json!({"name": "x".repeat(101)})),
    );
    assert_eq!(too_long.status, 400);
    assert_eq!(server.count_rows("admin_keys"), 2);
}

#[test]
fn goals_have_an_optional_deadline() {
    let server = TestServer::start();
    let goal = server.create(
        "/api/goals",
        json!({"title": "Faster checkout", "deadline": "2026-06-30"}),
    );
    assert_eq!(goal["deadline"], "2026-06-30");
    let path = format!("/api/goals/{}", id(&goal));
    for bad in ["2026-02-30", "30/06/2026", "2026-6-30", ""] {
        let refused = server.patch(&path, json!({"deadline": bad}));
        assert_eq!(refused.status, 400, "{bad}");
    }
    assert_eq!(server.get(&path).json()["data"]["deadline"], "2026-06-30");
    let cleared = server.patch(&path, json!({"deadline": null}));
    assert_eq!(cleared.json()["data"]["deadline"], Value::Null);
    let plain = server.create("/api/goals", json!({"title": "No date"}));
    assert_eq!(plain["deadline"], Value::Null);
}
