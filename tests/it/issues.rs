//! `/api/issues` through real HTTP (docs/engine-api.md#issues; docs/decisions.md#no-500-for-a-clients-mistake, docs/decisions.md#pagination, docs/decisions.md#closing-the-loop).

use crate::common;

use std::collections::HashSet;

use common::TestServer;
use serde_json::{Value, json};

fn titles(response: &common::Response) -> Vec<String> {
    response.json()["data"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["title"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn create_applies_defaults() {
    let server = TestServer::start();
    let issue = server.issue("Test Issue", "task");
    assert_eq!(issue["status"], "triage");
    assert_eq!(issue["priority"], 0);
    assert_eq!(issue["number"], 1);
    assert_eq!(issue["type"], "task");
    assert!(issue["id"].as_str().is_some_and(|id| !id.is_empty()));
    for key in [
        "description",
        "parentId",
        "projectId",
        "signalSource",
        "signalPayload",
        "hypothesis",
        "agentSessionId",
        "agentSummary",
        "commits",
        "pullRequests",
        "completedAt",
        "deletedAt",
    ] {
        assert_eq!(issue[key], Value::Null, "{key}");
    }
    let created = issue["createdAt"].as_str().unwrap_or_default();
    assert_eq!(
        created.len(),
        24,
        "timestamps carry milliseconds: {created}"
    );
    assert!(created.ends_with('Z'));
    assert_eq!(issue["updatedAt"], issue["createdAt"]);
}

#[test]
fn create_echoes_every_field() {
    let server = TestServer::start();
    let hypothesis = json!({
        "statement": "Switching providers cuts failures",
        "confidence": 0.75,
        "evidence": ["failures up 20%"],
        "validationCriteria": "below 5% in 30 days",
        "prediction": "2%",
    });
    let issue = server.create("/api/issues", json!({
        "title": "Full", "type": "hypothesis", "description": "d", "status": "backlog",
        "priority": 3, "signalSource": "sentry", "signalPayload": {"event_id": "123", "n": [1, 2]},
        "hypothesis": hypothesis, "projectId": "proj-1", "agentSummary": "ignored on create",
        "number": 99, "id": "chosen"
    }));
    assert_eq!(issue["description"], "d");
    assert_eq!(issue["type"], "hypothesis");
    assert_eq!(issue["status"], "backlog");
    assert_eq!(issue["priority"], 3);
    assert_eq!(issue["signalSource"], "sentry");
    assert_eq!(
        issue["signalPayload"],
        json!({"event_id": "123", "n": [1, 2]})
    );
    assert_eq!(issue["hypothesis"], hypothesis);
    assert_eq!(issue["projectId"], "proj-1");
    assert_eq!(issue["agentSummary"], Value::Null);
    assert_ne!(issue["id"], "chosen");
    assert_eq!(issue["number"], 1);
}

#[test]
fn create_validation_errors_are_400_with_details() {
    let server = TestServer::start();
    let response = server.post(
        "/api/issues",
        json!({"title": "", "type": "bogus", "priority": 9}),
    );
    assert_eq!(response.status, 400);
    let body = response.json();
    let paths: Vec<&str> = body["details"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert_eq!(paths, vec!["title", "type", "priority"]);
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("Validation failed"))
    );

    let cases = [
        json!({}),
        json!({"title": "x"}),
        json!({"type": "task"}),
        json!({"title": "x".repeat(501), "type": "task"}),
        json!({"title": "x", "type": "task", "description": null}),
        json!({"title": "x", "type": "task", "priority": 2.5}),
        json!({"title": "x", "type": "task", "priority": "2"}),
        json!({"title": "x", "type": "task", "status": "cancelled"}),
        json!({"title": "x", "type": "task", "signalPayload": [1]}),
        json!({"title": "x", "type": "task", "signalPayload": null}),
        json!({"title": "x", "type": "task", "labelIds": "a"}),
        json!({"title": "x", "type": "task", "labelIds": [1]}),
        json!({"title": "x", "type": "task", "hypothesis": {"statement": "s"}}),
        json!({"title": "x", "type": "task", "hypothesis": {"statement": "s", "confidence": 2, "evidence": [], "validationCriteria": "v"}}),
        json!({"title": 5, "type": "task"}),
    ];
    for body in cases {
        let response = server.post("/api/issues", body.clone());
        assert_eq!(response.status, 400, "{body}: {}", response.text());
        assert!(response.json()["details"].is_array());
    }
    // Nothing was stored by any rejected request.
    assert_eq!(server.get("/api/issues").json()["total"], 0);
}

#[test]
fn titles_count_utf16_units() {
    let server = TestServer::start();
    let ok = "é".repeat(500);
    assert_eq!(
        server
            .post("/api/issues", json!({"title": ok, "type": "task"}))
            .status,
        201
    );
    let too_long = "😀".repeat(251);
    assert_eq!(
        server
            .post("/api/issues", json!({"title": too_long, "type": "task"}))
            .status,
        400
    );
}

#[test]
fn malformed_and_non_object_bodies_are_400() {
    let server = TestServer::start();
    let auth = format!("Bearer {}", common::KEY);
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    let response = server.send("POST", "/api/issues", &headers, b"{\"title\":");
    assert_eq!(response.status, 400);
    assert_eq!(
        response.json(),
        json!({"error": "Malformed JSON in request body"})
    );
    for body in [&b"null"[..], b"[]", b"42", b"\"x\""] {
        let response = server.send("POST", "/api/issues", &headers, body);
        assert_eq!(response.status, 400, "{}", String::from_utf8_lossy(body));
    }
    // An empty body with a JSON content type is "no body": a validation error, not malformed JSON.
    let response = server.send("POST", "/api/issues", &headers, b"");
    assert_eq!(response.status, 400);
    assert!(response.json()["details"].is_array());
}

#[test]
fn children_respect_the_one_level_hierarchy() {
    let server = TestServer::start();
    let root = server.issue("Root", "plan");
    let child = server.create(
        "/api/issues",
        json!({"title": "Child", "type": "task", "parentId": root["id"]}),
    );
    assert_eq!(child["parentId"], root["id"]);

    let grandchild = server.post(
        "/api/issues",
        json!({"title": "Grandchild", "type": "task", "parentId": child["id"]}),
    );
    assert_eq!(grandchild.status, 422);
    assert!(
        grandchild.json()["error"]
            .as_str()
            .is_some_and(|e| e.contains("1-level hierarchy limit"))
    );

    let orphan = server.post(
        "/api/issues",
        json!({"title": "Orphan", "type": "task", "parentId": "missing"}),
    );
    assert_eq!(orphan.status, 422);
    assert_eq!(orphan.json(), json!({"error": "Parent issue not found"}));

    let deleted = server.issue("Deleted", "plan");
    assert_eq!(
        server
            .delete(&format!(
                "/api/issues/{}",
                deleted["id"].as_str().unwrap_or_default()
            ))
            .status,
        204
    );
    let response = server.post(
        "/api/issues",
        json!({"title": "x", "type": "task", "parentId": deleted["id"]}),
    );
    assert_eq!(response.status, 422);

    let empty_parent = server.create(
        "/api/issues",
        json!({"title": "No parent", "type": "task", "parentId": ""}),
    );
    assert_eq!(empty_parent["parentId"], Value::Null);
}

#[test]
fn detail_embeds_parent_children_labels_and_relations() {
    let server = TestServer::start();
    let bug = server.create("/api/labels", json!({"name": "bug", "color": "#f00"}));
    let ui = server.create("/api/labels", json!({"name": "ui", "color": "#0f0"}));
    let parent = server.issue("Parent", "plan");
    let child = server.create(
        "/api/issues",
        json!({
            "title": "Child", "type": "task", "parentId": parent["id"],
            "labelIds": [bug["id"], ui["id"], bug["id"], "dangling-label"]
        }),
    );
    let other = server.issue("Other", "task");
    let child_id = child["id"].as_str().unwrap_or_default();
    server.create(
        &format!("/api/issues/{child_id}/relations"),
        json!({"type": "blocked_by", "relatedIssueId": other["id"]}),
    );
    server.create(
        &format!(
            "/api/issues/{}/relations",
            other["id"].as_str().unwrap_or_default()
        ),
        json!({"type": "blocks", "relatedIssueId": child["id"]}),
    );

    let detail = server.get(&format!("/api/issues/{child_id}")).json()["data"].clone();
    assert_eq!(detail["title"], "Child");
    assert_eq!(detail["parent"]["id"], parent["id"]);
    assert_eq!(detail["children"], json!([]));
    assert_eq!(
        detail["labels"],
        json!([
            {"id": bug["id"], "name": "bug", "color": "#f00"},
            {"id": ui["id"], "name": "ui", "color": "#0f0"},
        ])
    );
    let relations = detail["relations"].as_array().cloned().unwrap_or_default();
    assert_eq!(relations.len(), 1, "only outgoing relations");
    assert_eq!(relations[0]["type"], "blocked_by");

    let parent_detail = server
        .get(&format!(
            "/api/issues/{}",
            parent["id"].as_str().unwrap_or_default()
        ))
        .json()["data"]
        .clone();
    assert_eq!(parent_detail["parent"], Value::Null);
    assert_eq!(parent_detail["children"].as_array().map(Vec::len), Some(1));
    assert_eq!(parent_detail["children"][0]["id"], child["id"]);

    // A deleted label disappears from detail; a deleted parent shows as null.
    server.delete(&format!(
        "/api/labels/{}",
        ui["id"].as_str().unwrap_or_default()
    ));
    server.delete(&format!(
        "/api/issues/{}",
        parent["id"].as_str().unwrap_or_default()
    ));
    let detail = server.get(&format!("/api/issues/{child_id}")).json()["data"].clone();
    assert_eq!(detail["labels"].as_array().map(Vec::len), Some(1));
    assert_eq!(detail["parent"], Value::Null);
}

#[test]
fn list_filters() {
    let server = TestServer::start();
    let label = server.create("/api/labels", json!({"name": "l", "color": "c"}));
    let parent = server.issue("P", "plan");
    for (title, kind, status, priority) in [
        ("a", "task", "triage", 1),
        ("b", "signal", "done", 2),
        ("c", "plan", "backlog", 2),
    ] {
        server.create(
            "/api/issues",
            json!({"title": title, "type": kind, "status": status, "priority": priority}),
        );
    }
    server.create(
        "/api/issues",
        json!({"title": "in-project", "type": "task", "projectId": "proj-1", "status": "todo"}),
    );
    server.create(
        "/api/issues",
        json!({"title": "labelled", "type": "task", "labelIds": [label["id"]], "status": "todo"}),
    );
    server.create(
        "/api/issues",
        json!({"title": "kid", "type": "task", "parentId": parent["id"], "status": "todo"}),
    );

    assert_eq!(
        titles(&server.get("/api/issues?status=triage,done")),
        vec!["P", "a", "b"]
    );
    assert_eq!(
        server.get("/api/issues?status=triage,done").json()["total"],
        3
    );
    assert_eq!(
        titles(&server.get("/api/issues?type=task,signal&status=triage,done")),
        vec!["a", "b"]
    );
    assert_eq!(
        titles(&server.get("/api/issues?projectId=proj-1")),
        vec!["in-project"]
    );
    assert_eq!(
        titles(&server.get(&format!(
            "/api/issues?labelId={}",
            label["id"].as_str().unwrap_or_default()
        ))),
        vec!["labelled"]
    );
    assert_eq!(
        titles(&server.get(&format!(
            "/api/issues?parentId={}",
            parent["id"].as_str().unwrap_or_default()
        ))),
        vec!["kid"]
    );
    assert_eq!(
        titles(&server.get("/api/issues?priority=2")),
        vec!["b", "c"]
    );
    assert_eq!(
        titles(&server.get("/api/issues?priority=1&type=task")),
        vec!["a"]
    );
    assert_eq!(
        server.get("/api/issues?status=&projectId=&labelId=").json()["total"],
        7
    );
    // `priority=` is priority 0, as JavaScript's Number("") is 0.
    assert_eq!(server.get("/api/issues?priority=").json()["total"], 4);

    // The label filter still works after the label is deleted.
    server.delete(&format!(
        "/api/labels/{}",
        label["id"].as_str().unwrap_or_default()
    ));
    assert_eq!(
        titles(&server.get(&format!(
            "/api/issues?labelId={}",
            label["id"].as_str().unwrap_or_default()
        ))),
        vec!["labelled"]
    );

    for bad in [
        "status=todo,",
        "status=todo,%20done",
        "status=bogus",
        "type=bug",
        "priority=5",
        "priority=x",
        "priority=1.5",
        "limit=1&limit=2",
    ] {
        let response = server.get(&format!("/api/issues?{bad}"));
        assert_eq!(response.status, 400, "{bad}: {}", response.text());
    }
}

/// `total` counts every match exactly, whether it comes from the trigger-kept counts
/// (status and type filters) or from counting along an index (the others), through
/// status and type changes and soft deletes.
#[test]
fn list_totals_follow_changes_and_deletes() {
    let server = TestServer::start();
    let kinds = ["signal", "hypothesis", "plan", "task", "monitor"];
    let statuses = [
        "triage",
        "backlog",
        "todo",
        "in_progress",
        "done",
        "canceled",
    ];
    let mut ids = Vec::new();
    for i in 0..24 {
        let mut body = json!({
            "title": format!("i{i}"),
            "type": kinds[i % kinds.len()],
            "status": statuses[i % statuses.len()],
            "priority": i % 5,
        });
        if i % 3 == 0 {
            body["projectId"] = json!("p");
        }
        let issue = server.create("/api/issues", body);
        ids.push(issue["id"].as_str().unwrap_or_default().to_owned());
    }
    for (i, id) in ids.iter().enumerate() {
        let path = format!("/api/issues/{id}");
        match i % 4 {
            0 => assert_eq!(server.delete(&path).status, 204),
            1 => assert_eq!(server.patch(&path, json!({"status": "done"})).status, 200),
            2 => assert_eq!(server.patch(&path, json!({"type": "plan"})).status, 200),
            _ => {}
        }
    }
    let queries = [
        "",
        "status=done",
        "status=done,todo,triage",
        "type=plan",
        "type=plan,task&status=done",
        "status=canceled&type=monitor",
        "priority=2",
        "priority=0&status=done",
        "projectId=p",
        "projectId=p&type=plan",
        "projectId=nowhere",
    ];
    for query in queries {
        let list = server.get(&format!("/api/issues?limit=200&{query}")).json();
        let rows = list["data"].as_array().map_or(0, Vec::len);
        assert_eq!(list["total"].as_u64(), u64::try_from(rows).ok(), "{query}");
    }
    assert_eq!(server.get("/api/issues").json()["total"], 18);
}

#[test]
fn pagination_edges() {
    let server = TestServer::start();
    for i in 0..25 {
        server.issue(&format!("i{i:02}"), "task");
    }
    let page = |query: &str| server.get(&format!("/api/issues?{query}"));
    let default = page("");
    assert_eq!(
        default.json()["data"].as_array().map(Vec::len),
        Some(20),
        "default limit is 20"
    );
    assert_eq!(default.json()["total"], 25);
    assert_eq!(titles(&page("limit=2&offset=1")), vec!["i01", "i02"]);
    assert_eq!(titles(&page("limit=2&page=3")), vec!["i04", "i05"]);
    assert_eq!(
        titles(&page("limit=10&page=3")),
        (20..25).map(|i| format!("i{i}")).collect::<Vec<_>>()
    );
    assert_eq!(page("offset=100").json()["data"], json!([]));
    assert_eq!(page("offset=100").json()["total"], 25);
    assert_eq!(
        page("limit=200").json()["data"].as_array().map(Vec::len),
        Some(25)
    );
    assert_eq!(
        page("limit=1e1").json()["data"].as_array().map(Vec::len),
        Some(10)
    );
    for bad in [
        "limit=0",
        "limit=201",
        "limit=",
        "limit=abc",
        "limit=2.5",
        "offset=-1",
        "page=0",
        "offset=0&page=1",
        "offset=x",
    ] {
        let response = page(bad);
        assert_eq!(response.status, 400, "{bad}");
        assert!(response.json()["details"].is_array(), "{bad}");
    }
}

#[test]
fn soft_deleted_issues_disappear() {
    let server = TestServer::start();
    let keep = server.issue("Keep", "task");
    let gone = server.issue("Gone", "task");
    let gone_path = format!("/api/issues/{}", gone["id"].as_str().unwrap_or_default());
    assert_eq!(server.delete(&gone_path).status, 204);
    let list = server.get("/api/issues").json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["data"][0]["id"], keep["id"]);
    assert_eq!(server.get(&gone_path).status, 404);
    assert_eq!(
        server.get(&gone_path).json(),
        json!({"error": "Issue not found"})
    );
    assert_eq!(server.patch(&gone_path, json!({"title": "x"})).status, 404);
    assert_eq!(server.delete(&gone_path).status, 404);
    assert_eq!(server.get("/api/issues/nonexistent-id").status, 404);
    assert_eq!(server.delete("/api/issues/nonexistent-id").status, 404);
    // Comments can still be read and written on a soft-deleted issue.
    assert_eq!(server.get(&format!("{gone_path}/comments")).status, 200);
    assert_eq!(
        server
            .post(
                &format!("{gone_path}/comments"),
                json!({"body": "b", "authorName": "a", "authorType": "human"})
            )
            .status,
        201
    );
}

#[test]
fn patch_updates_fields() {
    let server = TestServer::start();
    let issue = server.issue("Original", "task");
    let path = format!("/api/issues/{}", issue["id"].as_str().unwrap_or_default());
    let updated = server.patch(
        &path,
        json!({"title": "Updated Title", "status": "in_progress", "priority": 2, "unknown": 1}),
    );
    assert_eq!(updated.status, 200);
    let data = updated.json()["data"].clone();
    assert_eq!(data["title"], "Updated Title");
    assert_eq!(data["status"], "in_progress");
    assert_eq!(data["priority"], 2);
    assert_eq!(data["type"], "task");
    assert_eq!(data["number"], issue["number"]);

    let nulls = server
        .patch(
            &path,
            json!({"parentId": "anything", "projectId": "p", "hypothesis": null}),
        )
        .json()["data"]
        .clone();
    assert_eq!(
        nulls["parentId"], "anything",
        "PATCH does not validate parentId"
    );
    let cleared = server
        .patch(&path, json!({"parentId": null, "projectId": null}))
        .json()["data"]
        .clone();
    assert_eq!(cleared["parentId"], Value::Null);
    assert_eq!(cleared["projectId"], Value::Null);

    for bad in [
        json!({"title": ""}),
        json!({"description": null}),
        json!({"type": null}),
        json!({"status": "nope"}),
        json!({"priority": -1}),
        json!({"signalPayload": "x"}),
        json!({"commits": [{"message": "no sha"}]}),
    ] {
        assert_eq!(server.patch(&path, bad.clone()).status, 400, "{bad}");
    }
    // Validation comes before the existence check.
    assert_eq!(
        server
            .patch("/api/issues/missing", json!({"title": ""}))
            .status,
        400
    );
    assert_eq!(
        server
            .patch("/api/issues/missing", json!({"title": "x"}))
            .status,
        404
    );
}

#[test]
fn empty_patch_returns_the_unchanged_row() {
    let server = TestServer::start();
    let issue = server.issue("Same", "task");
    let path = format!("/api/issues/{}", issue["id"].as_str().unwrap_or_default());
    for body in [
        json!({}),
        json!({"labelIds": ["x"], "completedAt": "2020-01-01T00:00:00.000Z"}),
    ] {
        let response = server.patch(&path, body);
        assert_eq!(response.status, 200);
        assert_eq!(response.json()["data"], issue);
    }
    assert_eq!(server.call("PATCH", &path, None).status, 200);
}

#[test]
fn the_loop_closes_through_patch() {
    let server = TestServer::start();
    let issue = server.issue("Work", "task");
    let path = format!("/api/issues/{}", issue["id"].as_str().unwrap_or_default());
    let done = server.patch(&path, json!({
        "status": "done",
        "agentSummary": "Fixed the redirect",
        "agentSessionId": "session-1",
        "commits": [{"sha": "abc123", "message": "fix: redirect", "url": "https://example.com/c"}],
        "pullRequests": [{"number": 42, "title": "Fix redirect", "state": "merged", "mergedAt": null}],
    })).json()["data"].clone();
    assert_eq!(done["agentSummary"], "Fixed the redirect");
    assert_eq!(done["agentSessionId"], "session-1");
    assert_eq!(
        done["commits"],
        json!([{"sha": "abc123", "message": "fix: redirect", "url": "https://example.com/c"}])
    );
    assert_eq!(
        done["pullRequests"],
        json!([{"number": 42, "title": "Fix redirect", "state": "merged", "mergedAt": null}])
    );
    let completed_at = done["completedAt"].as_str().unwrap_or_default().to_owned();
    assert_eq!(completed_at.len(), 24);

    let again = server
        .patch(&path, json!({"status": "done", "agentSummary": null}))
        .json()["data"]
        .clone();
    assert_eq!(
        again["completedAt"],
        completed_at.as_str(),
        "staying done keeps the first completion time"
    );
    assert_eq!(again["agentSummary"], Value::Null);

    let reopened = server.patch(&path, json!({"status": "todo"})).json()["data"].clone();
    assert_eq!(reopened["completedAt"], Value::Null);

    let born_done = server.create(
        "/api/issues",
        json!({"title": "d", "type": "task", "status": "done"}),
    );
    assert!(born_done["completedAt"].is_string());
}

#[test]
fn concurrent_creations_get_distinct_consecutive_numbers() {
    let server = TestServer::start_with(|c| c.threads = 8);
    let numbers: Vec<i64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..50)
            .map(|i| {
                let server = &server;
                scope.spawn(move || {
                    server.issue(&format!("c{i}"), "task")["number"]
                        .as_i64()
                        .unwrap_or(-1)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(-1))
            .collect()
    });
    let distinct: HashSet<i64> = numbers.iter().copied().collect();
    assert_eq!(distinct.len(), 50);
    assert_eq!(distinct, (1..=50).collect::<HashSet<i64>>());
}

#[test]
fn data_survives_a_restart() {
    let mut server = TestServer::start();
    let issue = server.issue("Durable", "task");
    let project = server.create("/api/projects", json!({"name": "P"}));
    server.restart();
    let detail = server.get(&format!(
        "/api/issues/{}",
        issue["id"].as_str().unwrap_or_default()
    ));
    assert_eq!(detail.status, 200);
    assert_eq!(detail.json()["data"]["title"], "Durable");
    assert_eq!(
        server.get("/api/projects").json()["data"][0]["id"],
        project["id"]
    );
    let next = server.issue("After restart", "task");
    assert_eq!(next["number"], 2);
}
