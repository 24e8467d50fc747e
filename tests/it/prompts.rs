//! The prompt engine through real HTTP: templates and versions (docs/engine-api.md#templates),
//! the preview and its golden renderings (docs/engine-api.md#prompt-engine, byte for byte
//! as the original's), and prompt reviews with the improvement loop
//! (docs/engine-api.md#prompt-reviews).

use crate::common;

use common::{TestServer, id};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn server() -> TestServer {
    TestServer::start_with(|c| c.loop_url = Some("http://localhost:5667".to_owned()))
}

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[test]
fn golden_renderings_match_byte_for_byte() {
    let server = server();
    common::golden_fixture(&server);

    let preview = server.get("/api/templates/preview/iss_task").json();
    let prompt = preview["prompt"].as_str().unwrap_or_default();
    assert_eq!(prompt, include_str!("fixtures/golden_task_execution.txt"));
    assert_eq!(prompt.len(), 2228);
    assert_eq!(
        sha256(prompt),
        "9334d5258a4463422fbb11a4af85701bb8ab6fd7da558c9c0fa7b3eeda70bc44"
    );
    assert_eq!(
        preview["issue"],
        json!({"id": "iss_task", "number": 11, "title": "Fix redirect", "type": "task"})
    );
    assert_eq!(preview["template"]["slug"], "task-execution");
    assert_eq!(preview["template"]["conditions"], json!({"type": "task"}));
    assert_eq!(
        preview["version"],
        json!({"id": "ver_default_task_execution_v1", "version": 1})
    );
    assert!(preview.get("message").is_none());
    assert!(preview.get("data").is_none(), "the preview is unwrapped");

    let signal = server.get("/api/templates/preview/iss_signal").json();
    let prompt = signal["prompt"].as_str().unwrap_or_default();
    assert_eq!(prompt, include_str!("fixtures/golden_signal_triage.txt"));
    assert_eq!(
        sha256(prompt),
        "13f58ac2565e772c6ece72007fe8f0d8f8fcc10ba49a22c144186e120e42227e"
    );

    // A preview claims nothing.
    let version = server
        .get("/api/templates/tpl_default_task_execution")
        .json()["data"]["activeVersion"]
        .clone();
    assert_eq!(version["usageCount"], 0);
    assert_eq!(
        server.get("/api/issues/iss_task").json()["data"]["status"],
        "todo"
    );
}

#[test]
fn fresh_database_has_the_five_defaults() {
    let server = server();
    let list = server.get("/api/templates").json();
    assert_eq!(list["total"], 5);
    let slugs: Vec<&str> = list["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["slug"].as_str())
        .collect();
    assert_eq!(
        slugs,
        [
            "signal-triage",
            "hypothesis-planning",
            "task-execution",
            "plan-decomposition",
            "monitor-check"
        ]
    );
    let detail = server
        .get("/api/templates/tpl_default_signal_triage")
        .json()["data"]
        .clone();
    assert_eq!(detail["conditions"], json!({"type": "signal"}));
    assert_eq!(detail["specificity"], 10);
    assert_eq!(detail["activeVersionId"], "ver_default_signal_triage_v1");
    let version = &detail["activeVersion"];
    assert_eq!(
        (
            version["status"].as_str(),
            version["authorName"].as_str(),
            version["authorType"].as_str()
        ),
        (Some("active"), Some("system"), Some("human"))
    );
    assert_eq!(version["changelog"], "Initial default template");
    assert_eq!(version["reviewScore"], Value::Null);
}

#[test]
fn template_crud() {
    let server = server();
    let template = server.create(
        "/api/templates",
        json!({"slug": "my-template", "name": "My Template", "description": "A test template"}),
    );
    assert_eq!(template["activeVersionId"], Value::Null);
    assert_eq!(template["deletedAt"], Value::Null);
    assert_eq!(template["conditions"], json!({}));
    assert_eq!(template["specificity"], 10);
    let duplicate = server.post(
        "/api/templates",
        json!({"slug": "my-template", "name": "Again"}),
    );
    assert_eq!(
        (duplicate.status, duplicate.json()),
        (409, json!({"error": "Template slug already exists"}))
    );
    for bad in [
        json!({"slug": "Invalid Slug!", "name": "x"}),
        json!({"slug": "ok"}),
        json!({"slug": "ok", "name": "x", "conditions": {"foo": 1}}),
        json!({"slug": "ok", "name": "x", "conditions": {"type": "bug"}}),
        json!({"slug": "ok", "name": "x", "conditions": []}),
        json!({"slug": "ok", "name": "x", "specificity": 101}),
        json!({"slug": "x".repeat(201), "name": "x"}),
    ] {
        assert_eq!(
            server.post("/api/templates", bad.clone()).status,
            400,
            "{bad}"
        );
    }
    let unknown = server
        .post(
            "/api/templates",
            json!({"slug": "ok", "name": "x", "conditions": {"foo": 1}}),
        )
        .json();
    assert_eq!(
        unknown["details"][0]["message"],
        "Unrecognized key: \"foo\""
    );

    let path = format!("/api/templates/{}", id(&template));
    assert_eq!(
        server.get(&path).json()["data"]["activeVersion"],
        Value::Null
    );
    let updated = server.patch(&path, json!({"name": "Updated", "description": "New desc", "conditions": {"type": "task", "labels": ["ui"]}, "slug": "ignored"})).json()["data"].clone();
    assert_eq!(
        (
            updated["name"].as_str(),
            updated["description"].as_str(),
            updated["slug"].as_str()
        ),
        (Some("Updated"), Some("New desc"), Some("my-template"))
    );
    assert_eq!(
        updated["conditions"],
        json!({"type": "task", "labels": ["ui"]})
    );
    assert_eq!(server.patch(&path, json!({"conditions": null})).status, 400);
    assert_eq!(
        server
            .patch("/api/templates/nonexistent", json!({"name": "x"}))
            .status,
        404
    );
    assert_eq!(
        server.get("/api/templates/nonexistent").json(),
        json!({"error": "Template not found"})
    );

    for slug in ["b", "c", "d"] {
        server.create("/api/templates", json!({"slug": slug, "name": slug}));
    }
    let page = server.get("/api/templates?limit=2&offset=1").json();
    assert_eq!(
        (
            page["total"].as_i64(),
            page["data"].as_array().map(Vec::len)
        ),
        (Some(9), Some(2))
    );
    assert_eq!(server.delete(&path).status, 204);
    assert_eq!(server.get(&path).status, 404);
    assert_eq!(server.delete(&path).status, 404);
    assert_eq!(server.get("/api/templates").json()["total"], 8);
    assert_eq!(
        server
            .post(
                "/api/templates",
                json!({"slug": "my-template", "name": "x"})
            )
            .status,
        409,
        "the slug stays reserved"
    );
}

#[test]
fn versions_and_promotion() {
    let server = server();
    let template = server.create(
        "/api/templates",
        json!({"slug": "versioned", "name": "Versioned"}),
    );
    let versions = format!("/api/templates/{}/versions", id(&template));
    let v1 = server.create(&versions, json!({"content": "# {{issue.title}}", "authorType": "human", "authorName": "Ann", "changelog": "first"}));
    assert_eq!(
        (
            v1["version"].as_i64(),
            v1["status"].as_str(),
            v1["usageCount"].as_i64()
        ),
        (Some(1), Some("active"), Some(0))
    );
    assert_eq!(
        server
            .get(&format!("/api/templates/{}", id(&template)))
            .json()["data"]["activeVersionId"],
        v1["id"]
    );
    let v2 = server.create(
        &versions,
        json!({"content": "## {{issue.title}}", "authorType": "agent", "authorName": "Bot"}),
    );
    assert_eq!(
        (v2["version"].as_i64(), v2["status"].as_str()),
        (Some(2), Some("draft"))
    );
    assert_eq!(v2["changelog"], Value::Null);

    let list = server.get(&versions).json();
    assert_eq!(list["total"], 2);
    assert_eq!(
        (
            list["data"][0]["version"].as_i64(),
            list["data"][1]["version"].as_i64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(
        server.get("/api/templates/nonexistent/versions").status,
        404
    );
    assert_eq!(
        server
            .post(
                "/api/templates/nonexistent/versions",
                json!({"content": "x", "authorType": "human", "authorName": "a"})
            )
            .status,
        404
    );

    let triple = server.post(
        &versions,
        json!({"content": "{{{raw}}}", "authorType": "human", "authorName": "a"}),
    );
    assert_eq!(triple.status, 422);
    assert_eq!(
        triple.json(),
        json!({"error": "Triple-brace syntax ({{{) is not allowed. Use double-brace Handlebars expressions instead."})
    );
    for bad in [
        json!({"content": "", "authorType": "human", "authorName": "a"}),
        json!({"content": "x", "authorType": "robot", "authorName": "a"}),
        json!({"content": "x", "authorType": "human"}),
    ] {
        assert_eq!(server.post(&versions, bad.clone()).status, 400, "{bad}");
    }

    let promote =
        |version: &Value| server.post(&format!("{versions}/{}/promote", id(version)), json!({}));
    let promoted = promote(&v2);
    assert_eq!(promoted.status, 200);
    assert_eq!(promoted.json()["data"]["status"], "active");
    let list = server.get(&versions).json();
    assert_eq!(list["data"][1]["status"], "retired");
    assert_eq!(
        server
            .get(&format!("/api/templates/{}", id(&template)))
            .json()["data"]["activeVersionId"],
        v2["id"]
    );
    let again = promote(&v2);
    assert_eq!(
        (again.status, again.json()),
        (422, json!({"error": "Version is already active"}))
    );
    assert_eq!(
        promote(&v1).json()["data"]["status"],
        "active",
        "a retired version can be promoted again"
    );
    assert_eq!(
        server
            .post(&format!("{versions}/nonexistent/promote"), json!({}))
            .json(),
        json!({"error": "Version not found"})
    );
    let other = server.create("/api/templates", json!({"slug": "other", "name": "Other"}));
    let foreign = server.post(
        &format!("/api/templates/{}/versions/{}/promote", id(&other), id(&v1)),
        json!({}),
    );
    assert_eq!(
        foreign.status, 404,
        "a version of another template is not found"
    );
    // The SDK sends a JSON content type with no body on promote.
    let auth = format!("Bearer {}", common::KEY);
    let bodyless = server.send(
        "POST",
        &format!("{versions}/{}/promote", id(&v2)),
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        b"",
    );
    assert_eq!(bodyless.status, 200);

    // Only `{{{` is refused (docs/engine-api.md#templates): content that does not compile is stored
    // like any other and fails when rendered (see the render-time error test).
    let broken = server.post(
        &versions,
        json!({"content": "{{#if x}}never closed", "authorType": "human", "authorName": "a"}),
    );
    assert_eq!(broken.status, 201, "{}", broken.text());
    assert_eq!(
        (
            broken.json()["data"]["version"].as_i64(),
            broken.json()["data"]["status"].as_str()
        ),
        (Some(3), Some("draft"))
    );
}

#[test]
fn preview_selection_and_fallbacks() {
    let server = server();
    let task = server.issue("A task", "task");
    let preview = server
        .get(&format!("/api/templates/preview/{}", id(&task)))
        .json();
    assert_eq!(preview["template"]["slug"], "task-execution");
    assert!(
        preview["prompt"]
            .as_str()
            .is_some_and(|p| p.starts_with("# Task Execution: A task\n"))
    );
    assert!(
        preview["prompt"]
            .as_str()
            .is_some_and(|p| p.contains("Bearer loop_test-api-key")),
        "the caller's key is embedded"
    );

    // A more specific template wins; a project template beats any specificity.
    let specific = server.create("/api/templates", json!({"slug": "labelled-tasks", "name": "L", "conditions": {"type": "task", "labels": ["ui"]}, "specificity": 50}));
    server.create(&format!("/api/templates/{}/versions", id(&specific)), json!({"content": "UI task {{issue.number}} {{labels.length}} {{#each labels}}{{name}}{{/each}}", "authorType": "human", "authorName": "a"}));
    let ui = server.create("/api/labels", json!({"name": "ui", "color": "blue"}));
    let labelled = server.create(
        "/api/issues",
        json!({"title": "Button", "type": "task", "labelIds": [ui["id"]]}),
    );
    let preview = server
        .get(&format!("/api/templates/preview/{}", id(&labelled)))
        .json();
    assert_eq!(
        preview["prompt"],
        format!("UI task {} 1 ui", labelled["number"])
    );
    assert_eq!(
        server
            .get(&format!("/api/templates/preview/{}", id(&task)))
            .json()["template"]["slug"],
        "task-execution"
    );

    let project = server.create("/api/projects", json!({"name": "P"}));
    let boosted = server.create(
        "/api/templates",
        json!({"slug": "project-tasks", "name": "P", "projectId": project["id"], "specificity": 0}),
    );
    server.create(
        &format!("/api/templates/{}/versions", id(&boosted)),
        json!({"content": "project prompt", "authorType": "human", "authorName": "a"}),
    );
    let in_project = server.create("/api/issues", json!({"title": "In project", "type": "task", "projectId": project["id"], "labelIds": [ui["id"]]}));
    assert_eq!(
        server
            .get(&format!("/api/templates/preview/{}", id(&in_project)))
            .json()["prompt"],
        "project prompt"
    );
    assert_eq!(
        server
            .get(&format!("/api/templates/preview/{}", id(&labelled)))
            .json()["template"]["slug"],
        "labelled-tasks",
        "the project boost does not restrict"
    );

    // The project template's conditions ({}) match everything, boost or not.
    server.delete("/api/templates/tpl_default_task_execution");
    assert_eq!(
        server
            .get(&format!("/api/templates/preview/{}", id(&task)))
            .json()["template"]["slug"],
        "project-tasks"
    );
    // Without it, nothing matches the unlabelled task and the preview falls back to a
    // type match that ignores the other conditions.
    server.delete(&format!("/api/templates/{}", id(&boosted)));
    let fallback = server
        .get(&format!("/api/templates/preview/{}", id(&task)))
        .json();
    assert_eq!(fallback["template"]["slug"], "labelled-tasks");

    // No template at all.
    server.delete("/api/templates/tpl_default_monitor_check");
    let monitor = server.issue("Watch", "monitor");
    let none = server
        .get(&format!("/api/templates/preview/{}", id(&monitor)))
        .json();
    assert_eq!(
        none,
        json!({"issue": {"id": monitor["id"], "number": monitor["number"], "title": "Watch", "type": "monitor"},
        "template": null, "version": null, "prompt": null, "message": "No matching template found"})
    );
    assert_eq!(
        server.get("/api/templates/preview/nonexistent").json(),
        json!({"error": "Issue not found"})
    );
    server.delete(&format!("/api/issues/{}", id(&task)));
    assert_eq!(
        server
            .get(&format!("/api/templates/preview/{}", id(&task)))
            .status,
        404
    );
}

/// `hasFailedSessions` selects by the siblings: a template asking for it applies once a
/// sibling was canceled with an agent's summary, in the preview and in the claim alike.
#[test]
fn a_sibling_canceled_with_a_summary_selects_the_failed_sessions_template() {
    let server = server();
    let retry = server.create(
        "/api/templates",
        json!({"slug": "retry-tasks", "name": "R", "conditions": {"type": "task", "hasFailedSessions": true}, "specificity": 90}),
    );
    server.create(
        &format!("/api/templates/{}/versions", id(&retry)),
        json!({"content": "Retry {{issue.title}}", "authorType": "human", "authorName": "a"}),
    );
    let parent = server.create(
        "/api/issues",
        json!({"title": "Plan", "type": "plan", "status": "backlog"}),
    );
    let child = |title: &str| {
        server.create(
            "/api/issues",
            json!({"title": title, "type": "task", "status": "todo", "parentId": parent["id"]}),
        )
    };
    let (first, second) = (child("First"), child("Second"));
    let chosen = |issue: &Value| {
        server
            .get(&format!("/api/templates/preview/{}", id(issue)))
            .json()["template"]["slug"]
            .clone()
    };
    assert_eq!(chosen(&first), "task-execution", "no sibling failed yet");

    let canceled = server.patch(
        &format!("/api/issues/{}", id(&second)),
        json!({"status": "canceled", "agentSummary": "Tried X; it broke Y"}),
    );
    assert_eq!(canceled.status, 200, "{}", canceled.text());
    assert_eq!(chosen(&first), "retry-tasks");

    let claimed = server.get("/api/dispatch/next");
    assert_eq!(claimed.status, 200, "{}", claimed.text());
    let claimed = claimed.json();
    assert_eq!(claimed["issue"]["id"], first["id"]);
    assert_eq!(claimed["prompt"], "Retry First");
}

/// Selection reads the signal source, the project and the hypothesis confidence from the
/// issue itself: each one missed is another template.
#[test]
fn signal_source_project_and_confidence_conditions_select_a_template() {
    let server = server();
    let confident = server.create(
        "/api/templates",
        json!({"slug": "confident-sentry", "name": "C", "specificity": 95, "conditions":
            {"type": "hypothesis", "signalSource": "sentry", "projectId": "p1", "hypothesisConfidence": 0.7}}),
    );
    server.create(
        &format!("/api/templates/{}/versions", id(&confident)),
        json!({"content": "Validate {{issue.title}}", "authorType": "human", "authorName": "a"}),
    );
    let chosen = |source: &str, project: &str, confidence: f64| {
        let issue = server.create(
            "/api/issues",
            json!({"title": "Belief", "type": "hypothesis", "signalSource": source, "projectId": project,
                "hypothesis": {"statement": "s", "confidence": confidence, "evidence": [], "validationCriteria": "v"}}),
        );
        server
            .get(&format!("/api/templates/preview/{}", id(&issue)))
            .json()["template"]["slug"]
            .clone()
    };
    assert_eq!(chosen("sentry", "p1", 0.9), "confident-sentry");
    assert_eq!(chosen("sentry", "p1", 0.7), "confident-sentry", "at least");
    assert_ne!(chosen("sentry", "p1", 0.5), "confident-sentry");
    assert_ne!(chosen("github", "p1", 0.9), "confident-sentry");
    assert_ne!(chosen("sentry", "p2", 0.9), "confident-sentry");
}

#[test]
fn a_template_that_fails_at_render_time_is_a_clear_error() {
    let server = server();
    let template = server.create(
        "/api/templates",
        json!({"slug": "fragile", "name": "F", "conditions": {"type": "plan"}, "specificity": 99}),
    );
    // Accepted at creation (only `{{{` is refused), but it does not compile.
    server.create(
        &format!("/api/templates/{}/versions", id(&template)),
        json!({"content": "# {{issue.title}}\n{{#each siblings}}{{title}} never closed", "authorType": "human", "authorName": "a"}),
    );
    let plan = server.issue("Root", "plan");
    let response = server.get(&format!("/api/templates/preview/{}", id(&plan)));
    assert_eq!(response.status, 422, "{}", response.text());
    let error = response.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        error.contains("fragile") && error.contains("version 1"),
        "{error}"
    );
}

#[test]
fn named_properties_of_arrays_render_as_empty() {
    // docs/engine-api.md#rendering: a missing path renders as empty, never an error.
    let server = server();
    let template = server.create(
        "/api/templates",
        json!({"slug": "arrays", "name": "A", "conditions": {"type": "plan"}, "specificity": 99}),
    );
    server.create(
        &format!("/api/templates/{}/versions", id(&template)),
        json!({"content": "[{{siblings.first}}|{{labels.foo}}|{{#if children.x}}x{{/if}}|{{siblings.length}}|{{siblings.[0].title}}]", "authorType": "human", "authorName": "a"}),
    );
    let parent = server.issue("Root", "plan");
    let child = server.create(
        "/api/issues",
        json!({"title": "Child", "type": "plan", "parentId": parent["id"]}),
    );
    server.create(
        "/api/issues",
        json!({"title": "Sibling", "type": "plan", "parentId": parent["id"]}),
    );
    let response = server.get(&format!("/api/templates/preview/{}", id(&child)));
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.json()["prompt"], "[|||1|Sibling]");
    let root = server.get(&format!("/api/templates/preview/{}", id(&parent)));
    assert_eq!(root.json()["prompt"], "[|||0|]");
}

fn review(server: &TestServer, version_id: &str, scores: (i64, i64, i64)) -> common::Response {
    server.post("/api/prompt-reviews", json!({
        "versionId": version_id, "issueId": "any-issue", "clarity": scores.0, "completeness": scores.1, "relevance": scores.2,
        "feedback": "f", "authorType": "agent"
    }))
}

fn score(server: &TestServer, template_id: &str) -> f64 {
    server.get(&format!("/api/templates/{template_id}")).json()["data"]["activeVersion"]["reviewScore"].as_f64().unwrap_or(f64::NAN)
}

#[test]
fn reviews_move_the_ewma_score() {
    let server = server();
    let created = review(&server, "ver_default_plan_decomposition_v1", (4, 5, 3));
    assert_eq!(created.status, 201);
    let data = created.json()["data"].clone();
    assert_eq!(
        (
            data["clarity"].as_i64(),
            data["completeness"].as_i64(),
            data["relevance"].as_i64()
        ),
        (Some(4), Some(5), Some(3))
    );
    assert_eq!(
        (data["feedback"].as_str(), data["authorType"].as_str()),
        (Some("f"), Some("agent"))
    );
    assert!((score(&server, "tpl_default_plan_decomposition") - 4.0).abs() < 1e-9);
    review(&server, "ver_default_plan_decomposition_v1", (2, 2, 2));
    assert!((score(&server, "tpl_default_plan_decomposition") - 3.4).abs() < 1e-9);

    review(&server, "ver_default_monitor_check_v1", (3, 3, 3));
    review(&server, "ver_default_monitor_check_v1", (5, 5, 5));
    assert!((score(&server, "tpl_default_monitor_check") - 3.6).abs() < 1e-9);

    let reviews = server
        .get("/api/templates/tpl_default_plan_decomposition/reviews")
        .json();
    assert_eq!(reviews["total"], 2);
    assert_eq!(reviews["data"][0]["clarity"], 2, "newest first");
    let fresh = server.create("/api/templates", json!({"slug": "empty", "name": "E"}));
    assert_eq!(
        server
            .get(&format!("/api/templates/{}/reviews", id(&fresh)))
            .json(),
        json!({"data": [], "total": 0})
    );
    assert_eq!(server.get("/api/templates/nonexistent/reviews").status, 404);
}

#[test]
fn review_validation() {
    let server = server();
    let missing = review(&server, "nonexistent", (3, 3, 3));
    assert_eq!(
        (missing.status, missing.json()),
        (404, json!({"error": "Version not found"}))
    );
    for (c, m, r) in [(0, 3, 3), (3, 6, 3), (3, 3, -1)] {
        assert_eq!(
            review(&server, "ver_default_task_execution_v1", (c, m, r)).status,
            400
        );
    }
    let valid = json!({"versionId": "ver_default_task_execution_v1", "issueId": "i", "clarity": 3, "completeness": 3, "relevance": 3});
    for field in ["versionId", "issueId", "clarity"] {
        let mut body = valid.clone();
        body.as_object_mut().map(|o| o.remove(field));
        assert_eq!(
            server.post("/api/prompt-reviews", body).status,
            400,
            "{field}"
        );
    }
    let mut fractional = valid.clone();
    fractional["clarity"] = json!(1.5);
    assert_eq!(server.post("/api/prompt-reviews", fractional).status, 400);
    let without_author = server.post("/api/prompt-reviews", valid);
    assert_eq!(without_author.status, 201);
    assert_eq!(
        without_author.json()["data"]["authorType"],
        "agent",
        "a review without authorType is an agent's"
    );
}

fn improvement_issues(server: &TestServer, slug: &str) -> Vec<Value> {
    server.get("/api/issues?limit=200").json()["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| {
            i["title"]
                .as_str()
                .is_some_and(|t| t.starts_with(&format!("Improve prompt template: {slug} (")))
        })
        .cloned()
        .collect()
}

#[test]
fn poor_reviews_open_one_improvement_issue() {
    let server = server();
    for _ in 0..2 {
        review(&server, "ver_default_task_execution_v1", (1, 1, 1));
    }
    assert!(
        improvement_issues(&server, "task-execution").is_empty(),
        "two reviews are not enough"
    );
    review(&server, "ver_default_task_execution_v1", (1, 1, 1));
    let issues = improvement_issues(&server, "task-execution");
    assert_eq!(issues.len(), 1);
    review(&server, "ver_default_task_execution_v1", (1, 1, 1));
    assert_eq!(
        improvement_issues(&server, "task-execution").len(),
        1,
        "an open improvement issue is not duplicated"
    );

    let issue = &issues[0];
    assert_eq!(
        (
            issue["type"].as_str(),
            issue["status"].as_str(),
            issue["priority"].as_i64()
        ),
        (Some("task"), Some("todo"), Some(3))
    );
    assert_eq!(
        issue["title"],
        "Improve prompt template: task-execution (avg review 1.0/5, 3 reviews since v1)"
    );
    let description = issue["description"].as_str().unwrap_or_default();
    assert!(
        description.contains("Template **task-execution** (Task Execution) has degraded quality.")
    );
    assert!(description.contains("- EWMA Score: 1.00/5\n- Review Count: 3\n- Version: v1\n- Version ID: ver_default_task_execution_v1"));
    let detail = server.get(&format!("/api/issues/{}", id(issue))).json()["data"].clone();
    assert_eq!(
        detail["labels"],
        json!([
            {"id": detail["labels"][0]["id"], "name": "prompt-improvement", "color": "#f59e0b"},
            {"id": detail["labels"][1]["id"], "name": "meta", "color": "#6b7280"},
        ])
    );

    // Once it is done, further poor reviews open a new one, reusing the labels.
    server.patch(
        &format!("/api/issues/{}", id(issue)),
        json!({"status": "done"}),
    );
    review(&server, "ver_default_task_execution_v1", (1, 1, 1));
    assert_eq!(improvement_issues(&server, "task-execution").len(), 2);
    assert_eq!(server.get("/api/labels").json()["total"], 2);
}

#[test]
fn the_spec_example_title() {
    let server = server();
    for scores in [(2, 2, 2), (3, 3, 3), (2, 2, 2)] {
        review(&server, "ver_default_task_execution_v1", scores);
    }
    // 2 → 0.3·3 + 0.7·2 = 2.3 → 0.3·2 + 0.7·2.3 = 2.21
    let issues = improvement_issues(&server, "task-execution");
    assert_eq!(issues.len(), 1);
    assert_eq!(
        issues[0]["title"],
        "Improve prompt template: task-execution (avg review 2.2/5, 3 reviews since v1)"
    );
}

#[test]
fn many_good_reviews_also_open_an_improvement_issue() {
    let server = server();
    for _ in 0..14 {
        review(&server, "ver_default_signal_triage_v1", (5, 5, 5));
    }
    assert!(improvement_issues(&server, "signal-triage").is_empty());
    review(&server, "ver_default_signal_triage_v1", (5, 5, 5));
    let issues = improvement_issues(&server, "signal-triage");
    assert_eq!(issues.len(), 1);
    assert_eq!(
        issues[0]["title"],
        "Improve prompt template: signal-triage (avg review 5.0/5, 15 reviews since v1)"
    );
}

#[test]
fn concurrent_reviews_lose_no_update() {
    let server = server();
    let scores: Vec<(i64, i64, i64)> = (0..20)
        .map(|i| (1 + i % 5, 1 + (i * 2) % 5, 1 + (i * 3) % 5))
        .collect();
    std::thread::scope(|scope| {
        for s in &scores {
            let server = &server;
            scope.spawn(move || {
                assert_eq!(
                    review(server, "ver_default_hypothesis_planning_v1", *s).status,
                    201
                )
            });
        }
    });
    // The EWMA depends on order; replay the reviews in the order they were stored.
    let stored = server
        .get("/api/templates/tpl_default_hypothesis_planning/reviews?limit=200")
        .json()["data"]
        .clone();
    let mut in_order: Vec<&Value> = stored.as_array().into_iter().flatten().collect();
    in_order.reverse();
    assert_eq!(in_order.len(), 20);
    let mut expected: Option<f64> = None;
    for r in in_order {
        let composite = (r["clarity"].as_f64().unwrap_or(0.0)
            + r["completeness"].as_f64().unwrap_or(0.0)
            + r["relevance"].as_f64().unwrap_or(0.0))
            / 3.0;
        expected = Some(expected.map_or(composite, |prev| 0.3 * composite + 0.7 * prev));
    }
    let actual = score(&server, "tpl_default_hypothesis_planning");
    assert!(
        (actual - expected.unwrap_or(f64::NAN)).abs() < 1e-9,
        "{actual} vs {expected:?}"
    );
}
