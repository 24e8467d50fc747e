//! Relations, comments, labels, projects and goals through real HTTP
//! (docs/engine-api.md#relations, docs/engine-api.md#soft-delete; docs/decisions.md#no-500-for-a-clients-mistake, docs/decisions.md#errors).

use crate::common;

use common::{TestServer, id};
use serde_json::{Value, json};

#[test]
fn relations() {
    let server = TestServer::start();
    let a = server.issue("A", "task");
    let b = server.issue("B", "task");
    let path = format!("/api/issues/{}/relations", id(&a));
    let relation = server.create(&path, json!({"type": "blocks", "relatedIssueId": b["id"]}));
    assert_eq!(relation["type"], "blocks");
    assert_eq!(relation["issueId"], a["id"]);
    assert_eq!(relation["relatedIssueId"], b["id"]);
    assert!(relation["createdAt"].is_string());
    for kind in ["blocks", "blocked_by", "related", "duplicate"] {
        assert_eq!(
            server.create(&path, json!({"type": kind, "relatedIssueId": b["id"]}))["type"],
            kind
        );
    }

    let source_missing = server.post(
        "/api/issues/nonexistent/relations",
        json!({"type": "blocks", "relatedIssueId": b["id"]}),
    );
    assert_eq!(source_missing.status, 404);
    assert_eq!(source_missing.json(), json!({"error": "Issue not found"}));
    let related_missing = server.post(
        &path,
        json!({"type": "blocks", "relatedIssueId": "nonexistent"}),
    );
    assert_eq!(related_missing.status, 422);
    assert_eq!(
        related_missing.json(),
        json!({"error": "Related issue not found"})
    );
    let to_self = server.post(
        &path,
        json!({"type": "duplicate", "relatedIssueId": a["id"]}),
    );
    assert_eq!(to_self.status, 422);
    assert_eq!(
        to_self.json(),
        json!({"error": "Cannot create a relation to the same issue"})
    );
    for bad in [
        json!({"type": "invalid_type", "relatedIssueId": b["id"]}),
        json!({"type": "blocks"}),
        json!({"type": "blocks", "relatedIssueId": ""}),
    ] {
        assert_eq!(server.post(&path, bad.clone()).status, 400, "{bad}");
    }
    // Soft-deleted issues still count as existing for relations.
    server.delete(&format!("/api/issues/{}", id(&b)));
    assert_eq!(
        server
            .post(&path, json!({"type": "related", "relatedIssueId": b["id"]}))
            .status,
        201
    );

    let relation_path = format!("/api/relations/{}", id(&relation));
    assert_eq!(server.delete(&relation_path).status, 204);
    assert_eq!(
        server.delete(&relation_path).status,
        404,
        "hard delete: gone for good"
    );
    assert_eq!(
        server.delete("/api/relations/nonexistent").json(),
        json!({"error": "Relation not found"})
    );
    let remaining =
        server.get(&format!("/api/issues/{}", id(&a))).json()["data"]["relations"].clone();
    assert_eq!(remaining.as_array().map(Vec::len), Some(5));
}

#[test]
fn comments_thread_one_level_deep() {
    let server = TestServer::start();
    let issue = server.issue("Discussed", "task");
    let path = format!("/api/issues/{}/comments", id(&issue));
    assert_eq!(server.get(&path).json(), json!({"data": []}));

    let first = server.create(
        &path,
        json!({"body": "This is a test comment", "authorName": "Alice", "authorType": "human"}),
    );
    assert_eq!(first["body"], "This is a test comment");
    assert_eq!(first["authorName"], "Alice");
    assert_eq!(first["authorType"], "human");
    assert_eq!(first["issueId"], issue["id"]);
    assert_eq!(first["parentId"], Value::Null);
    let second = server.create(
        &path,
        json!({"body": "Second", "authorName": "Bob", "authorType": "human"}),
    );
    let reply = server.create(&path, json!({"body": "Reply to first", "authorName": "claude", "authorType": "agent", "parentId": first["id"]}));
    assert_eq!(reply["parentId"], first["id"]);
    assert_eq!(reply["authorType"], "agent");
    let nested = server.create(&path, json!({"body": "Reply to reply", "authorName": "x", "authorType": "human", "parentId": reply["id"]}));
    assert_eq!(
        nested["parentId"], reply["id"],
        "a reply to a reply is stored"
    );

    let threads = server.get(&path).json()["data"].clone();
    assert_eq!(threads.as_array().map(Vec::len), Some(2));
    assert_eq!(threads[0]["id"], first["id"]);
    assert_eq!(threads[0]["replies"].as_array().map(Vec::len), Some(1));
    assert_eq!(threads[0]["replies"][0]["body"], "Reply to first");
    assert!(threads[0]["replies"][0].get("replies").is_none());
    assert_eq!(threads[1]["id"], second["id"]);
    assert_eq!(threads[1]["replies"], json!([]));
    assert!(server.get(&path).json().get("total").is_none());

    assert_eq!(
        server
            .post(
                "/api/issues/nonexistent/comments",
                json!({"body": "b", "authorName": "a", "authorType": "human"})
            )
            .status,
        404
    );
    assert_eq!(server.get("/api/issues/nonexistent/comments").status, 404);
    let bad_parent = server.post(
        &path,
        json!({"body": "b", "authorName": "a", "authorType": "human", "parentId": "nonexistent"}),
    );
    assert_eq!(bad_parent.status, 422);
    assert_eq!(
        bad_parent.json(),
        json!({"error": "Parent comment not found"})
    );
    for bad in [
        json!({}),
        json!({"body": "b", "authorName": "a", "authorType": "invalid"}),
        json!({"body": "", "authorName": "a", "authorType": "human"}),
    ] {
        assert_eq!(server.post(&path, bad.clone()).status, 400, "{bad}");
    }
}

#[test]
fn labels() {
    let server = TestServer::start();
    let feature = server.create(
        "/api/labels",
        json!({"name": "Feature", "color": "#00ff00"}),
    );
    assert_eq!(feature["name"], "Feature");
    assert_eq!(feature["color"], "#00ff00");
    assert_eq!(feature["deletedAt"], Value::Null);
    let duplicate = server.post("/api/labels", json!({"name": "Feature", "color": "#000"}));
    assert_eq!(duplicate.status, 409);
    assert_eq!(
        duplicate.json(),
        json!({"error": "Label name already exists"})
    );
    assert_eq!(
        server
            .post("/api/labels", json!({"name": "feature", "color": "#000"}))
            .status,
        201,
        "names are case-sensitive"
    );
    for bad in [
        json!({"color": "#000"}),
        json!({"name": "x"}),
        json!({"name": "x".repeat(101), "color": "c"}),
        json!({"name": "x", "color": "c".repeat(51)}),
        json!({"name": "", "color": "#fff"}),
    ] {
        let response = server.post("/api/labels", bad.clone());
        assert_eq!(
            response.status, 422,
            "{bad}: the original's SDK expects 422"
        );
        assert!(response.json()["details"].is_array());
    }
    let auth = format!("Bearer {}", common::KEY);
    let malformed = server.send(
        "POST",
        "/api/labels",
        &[("Authorization", &auth)],
        b"{not json",
    );
    assert_eq!(
        malformed.status, 400,
        "labels parse bodies whatever the content type"
    );

    server.create("/api/labels", json!({"name": "Third", "color": "c"}));
    let page = server.get("/api/labels?limit=2&offset=1").json();
    assert_eq!(page["total"], 3);
    assert_eq!(page["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(page["data"][0]["name"], "feature");
    let zero = server.get("/api/labels?limit=0");
    assert_eq!(zero.status, 422);
    assert_eq!(zero.json()["details"][0]["path"], "limit");

    let path = format!("/api/labels/{}", id(&feature));
    assert_eq!(server.delete(&path).status, 204);
    assert_eq!(
        server.delete(&path).status,
        204,
        "deleting again re-stamps and still answers 204"
    );
    assert_eq!(server.get("/api/labels").json()["total"], 2);
    assert_eq!(
        server
            .post("/api/labels", json!({"name": "Feature", "color": "c"}))
            .status,
        409,
        "the name stays reserved"
    );
    assert_eq!(
        server.delete("/api/labels/nonexistent").json(),
        json!({"error": "Label not found"})
    );
}

#[test]
fn projects() {
    let server = TestServer::start();
    let project = server.create("/api/projects", json!({"name": "My Project"}));
    assert_eq!(project["status"], "backlog");
    assert_eq!(project["health"], "on_track");
    assert_eq!(project["goalId"], Value::Null);
    let full = server.create(
        "/api/projects",
        json!({"name": "Full", "description": "d", "status": "active", "health": "at_risk"}),
    );
    assert_eq!(
        (
            full["description"].as_str(),
            full["status"].as_str(),
            full["health"].as_str()
        ),
        (Some("d"), Some("active"), Some("at_risk"))
    );

    let goal = server.create("/api/goals", json!({"title": "G"}));
    let with_goal = server.create(
        "/api/projects",
        json!({"name": "With goal", "goalId": goal["id"]}),
    );
    assert_eq!(with_goal["goalId"], goal["id"]);
    let bad_goal = server.post(
        "/api/projects",
        json!({"name": "x", "goalId": "nonexistent-id"}),
    );
    assert_eq!(bad_goal.status, 422);
    assert_eq!(bad_goal.json(), json!({"error": "Goal not found"}));
    let empty_goal = server.create(
        "/api/projects",
        json!({"name": "Empty goal id", "goalId": ""}),
    );
    assert_eq!(empty_goal["goalId"], Value::Null);
    for bad in [
        json!({}),
        json!({"name": ""}),
        json!({"name": "x", "status": "done"}),
        json!({"name": "x", "health": "ok"}),
        json!({"name": "x", "description": null}),
    ] {
        assert_eq!(
            server.post("/api/projects", bad.clone()).status,
            400,
            "{bad}"
        );
    }

    // Detail: goal and issue counts by status (live issues only).
    let project_id = id(&with_goal).to_owned();
    for status in ["todo", "todo", "done", "backlog"] {
        server.create(
            "/api/issues",
            json!({"title": "i", "type": "task", "status": status, "projectId": project_id}),
        );
    }
    let deleted = server.create(
        "/api/issues",
        json!({"title": "gone", "type": "task", "status": "backlog", "projectId": project_id}),
    );
    server.delete(&format!("/api/issues/{}", id(&deleted)));
    let detail = server.get(&format!("/api/projects/{project_id}")).json()["data"].clone();
    assert_eq!(detail["goal"]["id"], goal["id"]);
    assert_eq!(
        detail["issueCounts"],
        json!({"todo": 2, "done": 1, "backlog": 1})
    );
    assert_eq!(
        server
            .get(&format!("/api/projects/{}", id(&project)))
            .json()["data"]["issueCounts"],
        json!({})
    );
    server.delete(&format!("/api/goals/{}", id(&goal)));
    assert_eq!(
        server.get(&format!("/api/projects/{project_id}")).json()["data"]["goal"],
        Value::Null
    );
    assert_eq!(
        server
            .patch(
                &format!("/api/projects/{project_id}"),
                json!({"goalId": goal["id"]})
            )
            .status,
        422
    );

    // Update.
    let path = format!("/api/projects/{}", id(&project));
    let updated = server
        .patch(&path, json!({"name": "Updated", "status": "active"}))
        .json()["data"]
        .clone();
    assert_eq!(
        (updated["name"].as_str(), updated["status"].as_str()),
        (Some("Updated"), Some("active"))
    );
    let other_goal = server.create("/api/goals", json!({"title": "Other"}));
    assert_eq!(
        server
            .patch(&path, json!({"goalId": other_goal["id"]}))
            .json()["data"]["goalId"],
        other_goal["id"]
    );
    assert_eq!(
        server.patch(&path, json!({"goalId": null})).json()["data"]["goalId"],
        Value::Null
    );
    assert_eq!(
        server.patch(&path, json!({})).json()["data"]["name"],
        "Updated"
    );
    assert_eq!(
        server
            .patch("/api/projects/nonexistent", json!({"name": "x"}))
            .status,
        404
    );
    assert_eq!(
        server
            .patch("/api/projects/nonexistent", json!({"goalId": "nope"}))
            .status,
        404,
        "404 before the goal check"
    );

    // List, pagination and delete.
    let list = server.get("/api/projects?limit=2&offset=1").json();
    assert_eq!(list["total"], 4);
    assert_eq!(list["data"][0]["id"], full["id"]);
    assert_eq!(server.delete(&path).status, 204);
    assert_eq!(server.get(&path).status, 404);
    assert_eq!(
        server.get(&path).json(),
        json!({"error": "Project not found"})
    );
    assert_eq!(server.delete(&path).status, 404);
    assert_eq!(server.get("/api/projects").json()["total"], 3);
}

#[test]
fn goals() {
    let server = TestServer::start();
    let goal = server.create("/api/goals", json!({"title": "Reduce error rate"}));
    assert_eq!(goal["status"], "active");
    for key in [
        "description",
        "metric",
        "targetValue",
        "currentValue",
        "unit",
        "projectId",
        "deletedAt",
    ] {
        assert_eq!(goal[key], Value::Null, "{key}");
    }
    let full = server.create("/api/goals", json!({
        "title": "Latency", "metric": "p99_latency_ms", "targetValue": 200, "currentValue": 450.5,
        "unit": "ms", "projectId": "proj_123", "status": "achieved", "description": "d"
    }));
    let text = server.get(&format!("/api/goals/{}", id(&full))).text();
    assert!(
        text.contains("\"targetValue\":200,"),
        "whole numbers print without .0: {text}"
    );
    assert_eq!(full["currentValue"], 450.5);
    assert_eq!(full["metric"], "p99_latency_ms");
    assert_eq!(full["status"], "achieved");
    for bad in [
        json!({}),
        json!({"title": ""}),
        json!({"title": "x", "targetValue": "200"}),
        json!({"title": "x", "unit": null}),
        json!({"title": "x", "status": "done"}),
    ] {
        assert_eq!(server.post("/api/goals", bad.clone()).status, 400, "{bad}");
    }

    let path = format!("/api/goals/{}", id(&goal));
    assert_eq!(
        server.get(&path).json()["data"]["title"],
        "Reduce error rate"
    );
    assert_eq!(
        server.get("/api/goals/does-not-exist").json(),
        json!({"error": "Goal not found"})
    );
    let patched = server.patch(&path, json!({"currentValue": 50})).json()["data"].clone();
    assert_eq!(patched["currentValue"], 50);
    assert_eq!(patched["title"], "Reduce error rate");
    assert_eq!(
        server.patch(&path, json!({"status": "achieved"})).json()["data"]["status"],
        "achieved"
    );
    let cleared = server
        .patch(
            &path,
            json!({"currentValue": null, "unit": null, "projectId": null, "metric": null}),
        )
        .json()["data"]
        .clone();
    assert_eq!(cleared["currentValue"], Value::Null);
    for bad in [
        json!({"title": null}),
        json!({"status": null}),
        json!({"targetValue": "x"}),
    ] {
        assert_eq!(server.patch(&path, bad.clone()).status, 400, "{bad}");
    }
    assert_eq!(
        server
            .patch("/api/goals/nope", json!({"title": "x"}))
            .status,
        404
    );

    server.create("/api/goals", json!({"title": "Third"}));
    let page = server.get("/api/goals?limit=2&offset=1").json();
    assert_eq!(page["total"], 3);
    assert_eq!(page["data"][0]["id"], full["id"]);
    assert_eq!(server.delete(&path).status, 204);
    assert_eq!(server.get(&path).status, 404);
    assert_eq!(server.delete(&path).status, 404);
    assert_eq!(server.delete("/api/goals/nope").status, 404);
    assert_eq!(server.get("/api/goals").json()["total"], 2);
}
