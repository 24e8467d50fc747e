//! Human sign-off of agents' work through real HTTP: a project's policy, the review
//! request and its card, verdicts acting on the issue (and on the prompt's score) in
//! the transaction that resolves the task, sampling, and what the dashboard counts.

use crate::common;

use common::{KEY, TestServer, User, id};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Where the server says it lives (prompts and card links use it).
const LOOP_URL: &str = "http://loop.example:4242";

const VERSION: &str = "ver_default_task_execution_v1";

/// A server with a project under `sign_off` (and its review key), and a reviewer of it.
struct World {
    server: TestServer,
    project_id: String,
    project_key: String,
    reviewer: User,
}

fn world(sign_off: Value) -> World {
    let server = TestServer::start_with(|c| c.loop_url = Some(LOOP_URL.to_owned()));
    let (project_id, project_key) = server.review_project("Checkout");
    let patched = server.patch(&format!("/api/projects/{project_id}"), sign_off);
    assert_eq!(patched.status, 200, "{}", patched.text());
    let reviewer = server.user("alice@example.com", "reviewer");
    server.add_reviewer(&project_id, &reviewer);
    World {
        server,
        project_id,
        project_key,
        reviewer,
    }
}

impl World {
    /// A `todo` task in the project.
    fn issue(&self, title: &str) -> String {
        id(&self.server.create(
            "/api/issues",
            json!({"title": title, "type": "task", "status": "todo", "priority": 2,
                   "projectId": self.project_id}),
        ))
    }

    /// What `GET /api/dispatch/next` hands the agent in this project.
    fn claim(&self) -> Value {
        let claimed = self
            .server
            .get(&format!("/api/dispatch/next?projectId={}", self.project_id));
        assert_eq!(claimed.status, 200, "{}", claimed.text());
        claimed.json()
    }

    fn issue_now(&self, issue: &str) -> Value {
        self.server.get(&format!("/api/issues/{issue}")).json()["data"].clone()
    }

    /// The agent reports its work on `issue` (summary, a commit, a pull request).
    fn report(&self, issue: &str, summary: &str) {
        let reported = self.server.patch(
            &format!("/api/issues/{issue}"),
            json!({
                "agentSummary": summary,
                "commits": [{"sha": "4f2a9c1d0e", "message": "Fix the redirect\n\nDetails", "url": "https://git.example/c/4f2a9c1"}],
                "pullRequests": [{"number": 42, "title": "Fix the redirect", "url": "https://git.example/pr/42"}]
            }),
        );
        assert_eq!(reported.status, 200, "{}", reported.text());
    }

    fn request_review(&self, issue: &str, body: Value) -> common::Response {
        self.server
            .post(&format!("/api/issues/{issue}/review-request"), body)
    }

    /// The reviewer's next card: `(assignment, task)`.
    fn card(&self) -> (String, Value) {
        self.server
            .next_card(&self.reviewer)
            .expect("a card to review")
    }

    fn decide(&self, assignment: &str, body: Value) {
        let decided = self.server.decide(&self.reviewer, assignment, body);
        assert_eq!(decided.status, 200, "{}", decided.text());
    }

    fn version_score(&self) -> Option<f64> {
        self.server
            .get(&format!("/api/templates/{}", "tpl_default_task_execution"))
            .json()["data"]["activeVersion"]["reviewScore"]
            .as_f64()
    }
}

#[test]
fn the_loop_closes_through_a_person() {
    let w = world(json!({"signOff": "required"}));
    let project = w
        .server
        .get(&format!("/api/projects/{}", w.project_id))
        .json()["data"]
        .clone();
    assert_eq!(
        (project["signOff"].clone(), project["signOffRate"].clone()),
        (json!("required"), Value::Null)
    );

    // The agent claims the issue; its prompt ends by asking for review.
    let first = w.issue("Fix the login redirect");
    let claimed = w.claim();
    assert_eq!(claimed["issue"]["id"], first);
    let prompt = claimed["prompt"].as_str().unwrap_or_default();
    assert!(prompt.contains("## Human Sign-off"), "{prompt}");
    assert!(
        prompt
            .trim_end()
            .ends_with("flags it (the issue goes back to todo with their reason as a comment)."),
        "the instructions end with the sign-off: {prompt}"
    );
    assert!(prompt.contains(&format!(
        "curl -X POST {LOOP_URL}/api/issues/{first}/review-request"
    )));
    assert_eq!(w.issue_now(&first)["promptVersionId"], VERSION);

    // It reports its work; marking the issue done itself is refused.
    w.report(&first, "Kept the return URL through the OAuth round trip.");
    let refused = w
        .server
        .patch(&format!("/api/issues/{first}"), json!({"status": "done"}));
    assert_eq!(refused.status, 409);
    let message = refused.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("request review"), "{message}");
    assert!(message.contains("review-request"), "{message}");
    assert_eq!(w.issue_now(&first)["status"], "in_progress");

    // It requests review: the issue waits for a person, without a lease.
    let requested = w.request_review(
        &first,
        json!({"summary": "Kept the return URL; the login test passes."}),
    );
    assert_eq!(requested.status, 201, "{}", requested.text());
    let waiting = requested.json()["data"].clone();
    assert_eq!(waiting["status"], "in_progress");
    assert_eq!(waiting["reviewStatus"], "pending");
    assert_eq!(waiting["leaseExpiresAt"], Value::Null);
    assert_eq!(
        waiting["agentSummary"],
        "Kept the return URL; the login test passes."
    );
    let task_id = waiting["reviewTaskId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut stored = w.issue_now(&first);
    for embedded in ["parent", "children", "labels", "relations"] {
        stored.as_object_mut().map(|o| o.remove(embedded));
    }
    assert_eq!(stored, waiting, "the answer is the stored issue");
    let again = w.request_review(&first, json!({}));
    assert_eq!(again.status, 409, "one pending review at a time");
    let stats = w.server.get("/api/dashboard/stats").json()["data"].clone();
    assert_eq!(stats["signOff"]["awaiting"], 1);
    let awaiting = w.server.get("/api/issues?reviewStatus=pending").json();
    assert_eq!(
        (awaiting["total"].clone(), awaiting["data"][0]["id"].clone()),
        (json!(1), json!(first))
    );
    assert_eq!(w.server.get("/api/issues?reviewStatus=maybe").status, 400);

    // The reviewer's card shows the work and links back to the issue.
    let (assignment, task) = w.card();
    assert_eq!(task["id"], task_id);
    let card = &task["card"];
    assert_eq!(card["title"], "Fix the login redirect");
    assert_eq!(card["subtitle"], "Sign-off for issue #1 in Checkout");
    assert_eq!(
        card["links"],
        json!([
            {"kind": "issue", "label": "Issue #1: Fix the login redirect", "url": format!("{LOOP_URL}/issues/1")},
            {"kind": "commit", "label": "4f2a9c1 Fix the redirect", "url": "https://git.example/c/4f2a9c1"},
            {"kind": "pull_request", "label": "PR #42 Fix the redirect", "url": "https://git.example/pr/42"},
        ])
    );
    assert_eq!(card["issue"]["id"], first);
    assert_eq!(
        (
            card["prompt"]["templateSlug"].clone(),
            card["prompt"]["versionId"].clone()
        ),
        (json!("task-execution"), json!(VERSION))
    );
    let shown_prompt = card["prompt"]["text"].as_str().unwrap_or_default();
    assert!(shown_prompt.contains("# Task Execution: Fix the login redirect"));
    assert!(
        !shown_prompt.contains(KEY),
        "the agent's key stays out of the card"
    );
    assert_eq!(
        task["view"]["text"],
        "Kept the return URL; the login test passes."
    );
    let stored = w.server.read_task(&w.project_key, &task_id);
    assert_eq!(stored["external_id"], first);

    // Approval: the issue is done, in the same transaction as the verdict.
    w.decide(&assignment, json!({"decision": "approve"}));
    let done = w.issue_now(&first);
    assert_eq!(
        (done["status"].clone(), done["reviewStatus"].clone()),
        (json!("done"), json!("approved"))
    );
    assert!(done["completedAt"].is_string());
    assert_eq!(
        w.server.read_task(&w.project_key, &task_id)["status"],
        "reviewed"
    );
    assert_eq!(w.version_score(), Some(5.0), "an approval scores 5");

    // A second piece of work is flagged.
    let second = w.issue("Stop double charges");
    assert_eq!(w.claim()["issue"]["id"], second);
    w.report(&second, "Added an idempotency key.");
    let requested = w.request_review(&second, json!({}));
    assert_eq!(requested.status, 201, "{}", requested.text());
    let (assignment, task) = w.card();
    assert_eq!(task["view"]["text"], "Added an idempotency key.");
    let before = w.version_score().unwrap_or_default();
    let issues_before = w.server.get("/api/issues").json()["total"].clone();
    w.decide(
        &assignment,
        json!({"decision": "flag", "reason": "Retries still charge twice", "severity": "high"}),
    );
    let flagged = w.issue_now(&second);
    assert_eq!(
        (flagged["status"].clone(), flagged["reviewStatus"].clone()),
        (json!("todo"), json!("flagged"))
    );
    assert_eq!(flagged["leaseExpiresAt"], Value::Null, "its lease is gone");
    assert_eq!(flagged["completedAt"], Value::Null);
    let comments = w
        .server
        .get(&format!("/api/issues/{second}/comments"))
        .json()["data"]
        .clone();
    let last = comments
        .as_array()
        .and_then(|c| c.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        last["body"],
        "Flagged in review (high): Retries still charge twice"
    );
    assert_eq!(
        (last["authorName"].clone(), last["authorType"].clone()),
        (json!("alice"), json!("human"))
    );
    // EWMA: a high-severity flag is a composite of 1, weighted 0.3 against the old score.
    let after = w.version_score().unwrap_or_default();
    let expected = 0.3 * 1.0 + 0.7 * before;
    assert!(
        (after - expected).abs() < 1e-12,
        "{before} → {after}, expected {expected}"
    );
    assert!(
        (before - after - 1.2).abs() < 1e-12,
        "down by exactly 1.2 from 5"
    );
    let reviews = w
        .server
        .get("/api/templates/tpl_default_task_execution/reviews")
        .json()["data"]
        .clone();
    assert_eq!(reviews[0]["authorType"], "human");
    assert_eq!(
        (reviews[0]["clarity"].clone(), reviews[0]["issueId"].clone()),
        (json!(1), json!(second))
    );
    assert_eq!(reviews[0]["feedback"], "Retries still charge twice");
    assert_eq!(
        w.server.get("/api/issues").json()["total"],
        issues_before,
        "the verdict acts on the issue instead of raising a signal"
    );

    let listed = w
        .server
        .get("/api/issues?reviewStatus=approved,flagged")
        .json();
    assert_eq!(listed["total"], 2);

    // The flagged issue can be claimed again.
    assert_eq!(w.claim()["issue"]["id"], second);

    let stats = w.server.get("/api/dashboard/stats").json()["data"].clone();
    assert_eq!(
        stats["signOff"],
        json!({"awaiting": 0, "approved": 1, "flagged": 1, "approvalRate": 0.5})
    );
    let prompts = w.server.get("/api/dashboard/prompts").json()["data"].clone();
    let health = prompts
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|h| h["template"]["slug"] == "task-execution")
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        health["signOffByVersion"],
        json!([{"versionId": VERSION, "version": 1, "approved": 1, "flagged": 1, "approvalRate": 0.5}])
    );
}

#[test]
fn an_escalation_waits_for_an_administrator() {
    let w = world(json!({"signOff": "required"}));
    let issue = w.issue("Rotate the signing key");
    w.claim();
    assert_eq!(w.request_review(&issue, json!({})).status, 201);
    let (assignment, task) = w.card();
    w.decide(
        &assignment,
        json!({"decision": "escalate", "reason": "Needs security's eyes"}),
    );
    let waiting = w.issue_now(&issue);
    assert_eq!(
        (waiting["status"].clone(), waiting["reviewStatus"].clone()),
        (json!("in_progress"), json!("pending"))
    );
    assert_eq!(
        w.server.get("/api/dashboard/stats").json()["data"]["signOff"]["awaiting"],
        1
    );
    let resolved = w.server.post(
        &format!("/api/v1/review/tasks/{}/resolve", id(&task)),
        json!({"decision": "flag", "reason": "Keep the old key for a week"}),
    );
    assert_eq!(resolved.status, 200, "{}", resolved.text());
    let flagged = w.issue_now(&issue);
    assert_eq!(
        (flagged["status"].clone(), flagged["reviewStatus"].clone()),
        (json!("todo"), json!("flagged"))
    );
    let comments = w
        .server
        .get(&format!("/api/issues/{issue}/comments"))
        .json()["data"]
        .clone();
    assert_eq!(
        comments[0]["body"],
        "Flagged in review (medium): Keep the old key for a week"
    );
    assert_eq!(
        comments[0]["authorName"], "reviewer",
        "an admin key has no handle"
    );
    assert_eq!(w.version_score(), Some(2.0), "a medium flag scores 2");
}

#[test]
fn a_fixer_correction_is_stored_on_the_issue() {
    let w = world(json!({"signOff": "required"}));
    let issue = w.issue("Reply to the refund request");
    w.claim();
    let requested = w.request_review(
        &issue,
        json!({"module": "fixer", "summary": "Drafted a reply.",
               "fields": [{"label": "Refund", "key": "amount", "value": "£240"}, {"label": "Reply", "value": "Done!"}]}),
    );
    assert_eq!(requested.status, 201, "{}", requested.text());
    let (assignment, task) = w.card();
    assert_eq!(task["module"], "fixer");
    assert_eq!(
        task["view"]["fields"],
        json!([{"label": "Refund", "key": "amount", "value": "£240"}, {"label": "Reply", "value": "Done!"}])
    );
    w.decide(
        &assignment,
        json!({"decision": "approve", "detail": {"fields": [{"value": "£24"}, {"value": "Done!"}]}}),
    );
    let done = w.issue_now(&issue);
    assert_eq!(done["status"], "done");
    assert_eq!(
        done["reviewCorrection"],
        json!([
            {"label": "Refund", "key": "amount", "original": "£240", "value": "£24", "changed": true},
            {"label": "Reply", "key": null, "original": "Done!", "value": "Done!", "changed": false}
        ])
    );
    assert_eq!(
        w.version_score(),
        Some(4.0),
        "a corrected approval scores 4"
    );
}

/// Issue number `n`'s sampling point under the public rule, computed here rather than
/// by the server's code.
fn sample_point(n: i64) -> f64 {
    let digest = Sha256::digest(format!("loop-sign-off:{n}").as_bytes());
    let first = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
    (first >> 11) as f64 / 2f64.powi(53)
}

/// The numbers of the issues that a fresh server's `sampled` project at `rate` refuses
/// to let an agent mark done, out of 200 created in it.
fn sampled_numbers(rate: f64) -> Vec<i64> {
    let w = world(json!({"signOff": "sampled", "signOffRate": rate}));
    let mut sampled = Vec::new();
    for _ in 0..200 {
        let issue = w.server.create(
            "/api/issues",
            json!({"title": "work", "type": "task", "status": "todo", "projectId": w.project_id}),
        );
        let done = w.server.patch(
            &format!("/api/issues/{}", id(&issue)),
            json!({"status": "done"}),
        );
        match done.status {
            200 => {}
            409 => sampled.push(issue["number"].as_i64().unwrap_or_default()),
            other => panic!("PATCH answered {other}: {}", done.text()),
        }
    }
    sampled
}

#[test]
fn sampled_sign_off_picks_the_same_issues_every_time() {
    let first = sampled_numbers(0.5);
    // Which issues are sampled depends only on their numbers (1..200 on a fresh
    // server), so the sample is the same on every run and on every server.
    assert_eq!(first, sampled_numbers(0.5), "the same issues again");
    let by_rule: Vec<i64> = (1..=200).filter(|n| sample_point(*n) < 0.5).collect();
    assert_eq!(
        first, by_rule,
        "anyone can audit the sample with the public rule"
    );
    // If the rule sampled fairly, the count would be Binomial(200, 0.5): mean 100,
    // standard deviation √(200 · 0.5 · 0.5) ≈ 7.07. ±21 is three of those, outside
    // which a fair sampler lands with probability ≈ 0.27%; the numbers are fixed, so
    // the count is too (90) and this checks the rule is unbiased, without flaking.
    assert!(
        (79..=121).contains(&first.len()),
        "{} of 200 sampled",
        first.len()
    );
}

#[test]
fn the_prompt_asks_for_review_only_where_sign_off_applies() {
    let w = world(json!({"signOff": "sampled", "signOffRate": 0.5}));
    let issues: Vec<Value> = (0..5)
        .map(|_| {
            w.server.create(
                "/api/issues",
                json!({"title": "work", "type": "task", "status": "todo", "projectId": w.project_id}),
            )
        })
        .collect();
    for issue in &issues {
        let number = issue["number"].as_i64().unwrap_or_default();
        let preview = w
            .server
            .get(&format!("/api/templates/preview/{}", id(issue)))
            .json();
        let prompt = preview["prompt"].as_str().unwrap_or_default();
        assert_eq!(
            prompt.contains("## Human Sign-off"),
            sample_point(number) < 0.5,
            "issue #{number}"
        );
        assert!(prompt.contains("## After Completion"));
    }
    // #4 is sampled, #1 is not (pinned by the rule).
    assert!(sample_point(4) < 0.5 && sample_point(1) >= 0.5);
    w.server.patch(
        &format!("/api/projects/{}", w.project_id),
        json!({"signOff": "off"}),
    );
    let preview = w
        .server
        .get(&format!("/api/templates/preview/{}", id(&issues[3])))
        .json();
    assert!(
        !preview["prompt"]
            .as_str()
            .unwrap_or_default()
            .contains("Sign-off")
    );
}

#[test]
fn a_failed_issue_update_leaves_the_task_pending() {
    let w = world(json!({"signOff": "required"}));
    let issue = w.issue("Migrate the sessions table");
    w.claim();
    assert_eq!(w.request_review(&issue, json!({})).status, 201);
    let (assignment, task) = w.card();
    // The issue update of the verdict fails, inside the transaction that resolves the
    // task: the whole verdict must be undone.
    let conn = rusqlite::Connection::open(w.server.db_path()).expect("open the database");
    conn.execute_batch(
        "CREATE TRIGGER fail_sign_off BEFORE UPDATE OF review_status ON issues
         WHEN NEW.review_status = 'approved'
         BEGIN SELECT RAISE(ABORT, 'injected failure of the issue update'); END;",
    )
    .expect("trigger installed");
    // A 500 is no part of the API's contract, so the answer is read raw.
    let body = json!({"decision": "approve"}).to_string();
    let raw = format!(
        "POST /api/v1/review/assignments/{assignment}/decision HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Cookie: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        w.reviewer.cookie,
        body.len()
    );
    let failed =
        common::http::exchange(w.server.running().addr(), raw.as_bytes()).expect("an answer");
    assert_eq!(failed.status, 500, "{}", failed.text());

    let stored = w.server.read_task(&w.project_key, &id(&task));
    assert_eq!(stored["status"], "pending", "the task stays pending");
    assert_eq!(stored["verdict"], Value::Null);
    let waiting = w.issue_now(&issue);
    assert_eq!(
        (waiting["status"].clone(), waiting["reviewStatus"].clone()),
        (json!("in_progress"), json!("pending"))
    );
    assert_eq!(
        w.server.count_rows("deliveries"),
        0,
        "no verdict was queued"
    );
    assert_eq!(
        w.server.count_rows("task_reviews"),
        0,
        "nor the decision recorded"
    );
    assert_eq!(w.version_score(), None);

    // Once the failure is gone, the same decision goes through.
    conn.execute_batch("DROP TRIGGER fail_sign_off")
        .expect("trigger dropped");
    w.decide(&assignment, json!({"decision": "approve"}));
    assert_eq!(w.issue_now(&issue)["status"], "done");
    assert_eq!(
        w.server.read_task(&w.project_key, &id(&task))["status"],
        "reviewed"
    );
}

#[test]
fn deleting_the_task_withdraws_the_review() {
    let w = world(json!({"signOff": "required"}));
    let issue = w.issue("Tidy the logs");
    w.claim();
    let task_id = w.request_review(&issue, json!({})).json()["data"]["reviewTaskId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let deleted = w.server.review(
        &w.project_key,
        "DELETE",
        &format!("/api/v1/tasks/{task_id}"),
        None,
    );
    assert_eq!(deleted.status, 204, "{}", deleted.text());
    let withdrawn = w.issue_now(&issue);
    assert_eq!(
        (
            withdrawn["reviewStatus"].clone(),
            withdrawn["reviewTaskId"].clone()
        ),
        (Value::Null, Value::Null)
    );
    let comments = w
        .server
        .get(&format!("/api/issues/{issue}/comments"))
        .json()["data"]
        .clone();
    assert!(
        comments[0]["body"]
            .as_str()
            .unwrap_or_default()
            .contains("review was withdrawn")
    );
    assert_eq!(w.request_review(&issue, json!({})).status, 201);
}

#[test]
fn review_requests_are_checked() {
    let w = world(json!({"signOff": "required"}));
    let issue = w.issue("Some work");
    let path = |id: &str| format!("/api/issues/{id}/review-request");
    assert_eq!(w.server.post(&path("nope"), json!({})).status, 404);
    for (body, field) in [
        (json!({"module": "versus"}), "module"),
        (json!({"summary": ""}), "summary"),
        (json!({"fields": "x"}), "fields"),
        (json!({"fields": [{"value": 1}]}), "fields.0.label"),
        (json!({"fields": [{"label": "x"}]}), "fields.0.value"),
        (
            json!({"fields": [{"label": "x", "value": {"deep": 1}}]}),
            "fields.0.value",
        ),
        (
            json!({"fields": vec![json!({"label": "x", "value": 1}); 51]}),
            "fields",
        ),
    ] {
        let refused = w.server.post(&path(&issue), body.clone());
        assert_eq!(refused.status, 400, "{body}: {}", refused.text());
        assert_eq!(refused.json()["details"][0]["path"], field, "{body}");
    }
    let bad_json = w.server.send(
        "POST",
        &path(&issue),
        &[
            ("Authorization", &format!("Bearer {KEY}")),
            ("Content-Type", "application/json"),
        ],
        b"{nope",
    );
    assert_eq!(bad_json.status, 400);

    let loose = id(&w.server.create(
        "/api/issues",
        json!({"title": "No project", "type": "task", "status": "todo"}),
    ));
    let refused = w.server.post(&path(&loose), json!({}));
    assert_eq!(refused.status, 409);
    assert!(
        refused.json()["error"]
            .as_str()
            .unwrap_or_default()
            .contains("project")
    );
    let canceled = w.issue("Dropped");
    w.server.patch(
        &format!("/api/issues/{canceled}"),
        json!({"status": "canceled"}),
    );
    assert_eq!(w.server.post(&path(&canceled), json!({})).status, 409);
    assert_eq!(
        w.server.count_rows("review_tasks"),
        0,
        "nothing stored by a refusal"
    );

    // Who may ask: an admin key, or an owner's or admin's session.
    let anonymous = w.server.send(
        "POST",
        &path(&issue),
        &[("Content-Type", "application/json")],
        b"{}",
    );
    assert_eq!(anonymous.status, 401);
    let reviewer = w
        .server
        .as_user(&w.reviewer, "POST", &path(&issue), Some(json!({})));
    assert_eq!(reviewer.status, 403);
    let owner = w.server.user("owner@example.com", "owner");
    let asked = w.server.as_user(
        &owner,
        "POST",
        &path(&issue),
        Some(json!({"summary": "Ready"})),
    );
    assert_eq!(asked.status, 201, "{}", asked.text());
}

#[test]
fn projects_hold_a_valid_policy() {
    let server = TestServer::start();
    let project = server.create("/api/projects", json!({"name": "Billing"}));
    assert_eq!(
        (project["signOff"].clone(), project["signOffRate"].clone()),
        (json!("off"), Value::Null)
    );
    let path = format!("/api/projects/{}", id(&project));
    for (body, field) in [
        (json!({"signOff": "sampled"}), "signOffRate"),
        (json!({"signOff": "maybe"}), "signOff"),
        (json!({"signOffRate": 1.5}), "signOffRate"),
        (json!({"signOffRate": "half"}), "signOffRate"),
    ] {
        let refused = server.patch(&path, body.clone());
        assert_eq!(refused.status, 400, "{body}: {}", refused.text());
        assert_eq!(refused.json()["details"][0]["path"], field, "{body}");
    }
    let sampled = server.patch(&path, json!({"signOff": "sampled", "signOffRate": 0.25}));
    assert_eq!(
        (
            sampled.json()["data"]["signOff"].clone(),
            sampled.json()["data"]["signOffRate"].clone()
        ),
        (json!("sampled"), json!(0.25))
    );
    let cleared = server.patch(&path, json!({"signOffRate": null}));
    assert_eq!(cleared.status, 400, "sampled still needs its rate");
    let off = server.patch(&path, json!({"signOff": "off", "signOffRate": null}));
    assert_eq!(off.json()["data"]["signOffRate"], Value::Null);
    let created = server.post(
        "/api/projects",
        json!({"name": "Sampled", "signOff": "sampled"}),
    );
    assert_eq!(created.status, 400);

    // Under `required`, an issue cannot even be created done.
    let required = server.create(
        "/api/projects",
        json!({"name": "Strict", "signOff": "required"}),
    );
    let refused = server.post(
        "/api/issues",
        json!({"title": "Already done", "type": "task", "status": "done", "projectId": id(&required)}),
    );
    assert_eq!(refused.status, 409);
    assert_eq!(server.get("/api/issues").json()["total"], 0);
}

#[test]
fn the_web_apps_project_settings_hold_the_policy() {
    let server = TestServer::start();
    let admin = server.user("ada@example.com", "admin");
    let (project, _) = server.review_project("Support");
    let path = format!("/api/v1/projects/{project}");
    let shown = server.as_user(&admin, "GET", &path, None).json();
    assert_eq!(
        (shown["sign_off"].clone(), shown["sign_off_rate"].clone()),
        (json!("off"), Value::Null)
    );
    for (body, field) in [
        (json!({"sign_off": "sampled"}), "sign_off_rate"),
        (json!({"sign_off": "always"}), "sign_off"),
        (json!({"sign_off_rate": 2}), "sign_off_rate"),
    ] {
        let refused = server.as_user(&admin, "PATCH", &path, Some(body.clone()));
        assert_eq!(
            (refused.status, refused.json()["field"].clone()),
            (422, json!(field)),
            "{body}"
        );
    }
    let changed = server.as_user(
        &admin,
        "PATCH",
        &path,
        Some(json!({"sign_off": "sampled", "sign_off_rate": 0.3, "default_gate_timeout_seconds": 600})),
    );
    assert_eq!(changed.status, 200, "{}", changed.text());
    assert_eq!(
        (
            changed.json()["sign_off"].clone(),
            changed.json()["sign_off_rate"].clone(),
            changed.json()["default_gate_timeout_seconds"].clone()
        ),
        (json!("sampled"), json!(0.3), json!(600))
    );
    let engine = server.get(&format!("/api/projects/{project}")).json()["data"].clone();
    assert_eq!(
        (engine["signOff"].clone(), engine["signOffRate"].clone()),
        (json!("sampled"), json!(0.3)),
        "one project, one policy"
    );
}
