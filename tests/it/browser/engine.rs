//! The engine dashboard in the browser: the first-run checklist ticking itself off, an
//! issue created, found by full-text search, edited in place and blocked, template
//! versions created, promoted and previewed, prompt health drawn, and every page in light
//! and dark (and a phone's width) without console errors or CSP violations.

use serde_json::{Value, json};

use super::harness::{Chromium, Page, chromium_or_skip};
use crate::common::{PASSWORD, TestServer, id};

/// A server with an owner, and a page signed in as them.
fn signed_in_owner(chromium: &Chromium, name: &str) -> (TestServer, Page) {
    let server = TestServer::start();
    server.user("olga@example.com", "owner");
    let page = chromium.page(&server.running().url(), name);
    page.sign_in("olga@example.com", PASSWORD);
    (server, page)
}

/// The issue numbered `number` as the API reads it.
fn issue_numbered(server: &TestServer, number: i64) -> Value {
    let all = server.get("/api/issues?limit=200").json();
    all["data"]
        .as_array()
        .expect("issues")
        .iter()
        .find(|i| i["number"] == number)
        .cloned()
        .unwrap_or_else(|| panic!("no issue #{number}"))
}

#[test]
fn the_first_run_checklist_ticks_itself_off() {
    let Some(chromium) = chromium_or_skip("first run") else {
        return;
    };
    let (server, page) = signed_in_owner(&chromium, "first-run");
    assert_eq!(
        page.eval("location.pathname"),
        json!("/"),
        "owners start on the overview"
    );
    page.wait_text("Close your first loop");
    page.wait_for("[data-step='2'][data-done='false']");
    page.screenshots("engine-first-run");
    page.click_button("Create an API key");
    page.wait_text("only time the key is shown");
    let key = page.eval("document.querySelector('[aria-label=\"API key\"]').innerText");
    let key = key.as_str().expect("the key on screen").trim().to_owned();
    assert!(key.starts_with("loop_"), "{key}");
    let curl = page.eval("document.querySelector('[aria-label=\"First signal\"]').innerText");
    assert!(
        curl.as_str().is_some_and(|c| c.contains(&key)),
        "the curl carries the new key: {curl}"
    );
    let sent = server.send(
        "POST",
        "/api/signals",
        &[
            ("Authorization", &format!("Bearer {key}")),
            ("Content-Type", "application/json"),
        ],
        br#"{"source": "my-app", "type": "error", "severity": "high", "payload": {"message": "Checkout fails"}}"#,
    );
    assert_eq!(sent.status, 201, "{}", sent.text());
    page.wait_for("[data-step='2'][data-done='true']");
    page.wait_text("Latest signals");
    let issue = &sent.json()["data"]["issue"];
    server.patch(
        &format!("/api/issues/{}", id(issue)),
        json!({"status": "todo"}),
    );
    assert_eq!(server.get("/api/dispatch/next").status, 200);
    page.wait_until(
        "!document.querySelector('.first-run')",
        "the checklist to finish once an agent claimed work",
    );
    page.wait_text("Agents working");
    page.screenshots("engine-overview-after-first-run");
    page.assert_clean();
}

#[test]
fn an_issue_is_created_found_edited_and_blocked_in_the_browser() {
    let Some(chromium) = chromium_or_skip("issues") else {
        return;
    };
    let (server, page) = signed_in_owner(&chromium, "issues");
    let blocker = server.create(
        "/api/issues",
        json!({"title": "Payment provider outage", "type": "signal", "status": "todo", "priority": 1}),
    );
    page.open("/issues");
    page.wait_text("Payment provider outage");
    page.press("c");
    page.wait_for("dialog[open] input");
    page.type_text("Checkout rejects Maestro cards");
    page.fill(
        "dialog[open] textarea",
        "Customers see **declined** for every Maestro card.",
    );
    page.click_button("Create issue");
    page.wait_until("location.pathname === '/issues/2'", "the new issue's page");
    page.wait_text("declined");
    assert_eq!(
        page.eval("document.querySelector('.markdown strong').innerText"),
        json!("declined"),
        "the description is Markdown"
    );

    page.open("/issues");
    page.wait_text("Checkout rejects Maestro cards");
    page.press("/");
    page.wait_until(
        "document.activeElement === document.querySelector('input[type=search]')",
        "/ to focus the search",
    );
    page.type_text("maestro");
    page.wait_until(
        "location.search.includes('q=maestro') && document.querySelectorAll('tbody tr').length === 1",
        "the search to keep only the new issue",
    );
    page.wait_text("Checkout rejects Maestro cards");
    page.screenshots("engine-issues-search");
    page.eval("document.activeElement.blur()");
    page.press("Enter");
    page.wait_until("location.pathname === '/issues/2'", "Enter to open it");

    page.choose("select[aria-label=status]", "todo");
    let issue = loop_until(|| {
        let issue = issue_numbered(&server, 2);
        (issue["status"] == "todo").then_some(issue)
    });
    assert_eq!(issue["title"], "Checkout rejects Maestro cards");
    let queued = |server: &TestServer| -> Vec<i64> {
        server.get("/api/dispatch/queue").json()["data"]
            .as_array()
            .expect("queue")
            .iter()
            .filter_map(|e| e["issue"]["number"].as_i64())
            .collect()
    };
    assert_eq!(queued(&server), [1, 2]);

    page.choose("select[aria-label=Relation]", "blocked_by");
    page.fill("section[aria-label=Relations] input[type=search]", "outage");
    page.click(".picker-results button");
    page.wait_text("agents will not be given this issue");
    page.screenshots("engine-issue-blocked");
    assert_eq!(queued(&server), [1], "the blocked issue left the queue");
    let relations = server.get(&format!("/api/issues/{}", id(&issue))).json();
    assert_eq!(
        relations["data"]["relations"][0]["relatedIssueId"],
        json!(id(&blocker))
    );
    page.open("/dispatch");
    page.wait_text("Payment provider outage");
    assert!(!page.text().contains("Maestro"), "{}", page.text());
    page.assert_clean();
}

/// Polls `check` until it gives a value (the page writes through the API on its own time).
fn loop_until<T>(mut check: impl FnMut() -> Option<T>) -> T {
    for _ in 0..100 {
        if let Some(value) = check() {
            return value;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the change never reached the API")
}

#[test]
fn a_template_version_is_created_promoted_and_previewed() {
    let Some(chromium) = chromium_or_skip("prompts") else {
        return;
    };
    let (server, page) = signed_in_owner(&chromium, "prompts");
    let issue = server.create(
        "/api/issues",
        json!({"title": "Flaky login test", "type": "task", "status": "todo"}),
    );
    let templates = server.get("/api/templates").json();
    let template = templates["data"]
        .as_array()
        .expect("templates")
        .iter()
        .find(|t| t["conditions"]["type"] == "task")
        .cloned()
        .expect("the task template");
    page.open(&format!("/prompts/{}", id(&template)));
    page.wait_text("Versions");
    page.click_button("New version");
    page.fill(
        "dialog[open] textarea",
        "Fix {{issue.title}} for good. Call back with {{loopToken}}.",
    );
    page.fill("dialog[open] input", "Shorter, with the key");
    page.click_button("Save version");
    page.wait_text("Version 2");
    page.click_button("Promote");
    page.wait_until(
        "[...document.querySelectorAll('.badge')].some((b) => b.innerText === 'active')",
        "the new version to be active",
    );
    let active = server
        .get(&format!("/api/templates/{}", id(&template)))
        .json();
    assert_eq!(active["data"]["activeVersion"]["version"], 2);
    page.click_button("Changes");
    page.wait_for(".diff .diff-added");
    page.fill("section[aria-label=Preview] input[type=search]", "flaky");
    page.click(".picker-results button");
    page.wait_text("Fix Flaky login test for good. Call back with $LOOP_API_KEY.");
    page.screenshots("engine-prompt");

    let version = active["data"]["activeVersion"]["id"].clone();
    assert!(
        page.eval("!!document.querySelector('.prompt-health path.sparkline-line')") == json!(false)
    );
    for (clarity, completeness) in [(5, 4), (3, 2), (4, 4)] {
        server.create(
            "/api/prompt-reviews",
            json!({"versionId": version, "issueId": id(&issue), "clarity": clarity, "completeness": completeness, "relevance": 4}),
        );
    }
    page.open(&format!("/prompts/{}", id(&template)));
    page.wait_for(".prompt-health path.sparkline-line");
    let points = page.eval("document.querySelector('.prompt-health path.sparkline-line').getAttribute('d').split('L').length");
    assert_eq!(points, json!(3), "one point per review");
    page.open("/prompts");
    page.wait_for(".prompt-card svg.sparkline");
    page.screenshots("engine-prompts");
    page.assert_clean();
}

/// A server with a bit of everything: signals, issues in every state with labels,
/// relations, comments and agent results, a project with a goal, templates with reviews.
fn busy_server() -> TestServer {
    let server = TestServer::start();
    server.user("olga@example.com", "owner");
    let label = server.create(
        "/api/labels",
        json!({"name": "payments", "color": "#db2777"}),
    );
    server.create(
        "/api/labels",
        json!({"name": "frontend", "color": "#0891b2"}),
    );
    let goal = server.create(
        "/api/goals",
        json!({"title": "Checkout conversion above 3.5%", "metric": "checkout_conversion", "currentValue": 2.9, "targetValue": 3.5, "unit": "%", "deadline": "2026-12-31"}),
    );
    let project = server.create(
        "/api/projects",
        json!({"name": "Checkout", "description": "Cart, payment and confirmation", "goalId": id(&goal)}),
    );
    server.patch(
        &format!("/api/goals/{}", id(&goal)),
        json!({"projectId": id(&project)}),
    );
    for (source, severity, message) in [
        ("sentry", "critical", "TypeError in PaymentForm"),
        ("posthog", "high", "Checkout conversion down 18%"),
        ("github", "medium", "Issue opened: dark mode contrast"),
    ] {
        server.create(
            "/api/signals",
            json!({"source": source, "type": "error", "severity": severity, "payload": {"message": message, "count": 42, "tags": {"browser": "Safari"}}, "projectId": id(&project)}),
        );
    }
    let root = issue_numbered(&server, 1);
    server.patch(
        &format!("/api/issues/{}", id(&root)),
        json!({"status": "todo", "priority": 1, "description": "Stack trace points at `PaymentForm.submit` (card_brand_id is null).\n\n- Safari 17\n- iOS only\n\n<img src=x onerror=\"window.pwned = 1\"> [details](javascript:window.pwned=1)", "hypothesis": {"statement": "A null card brand crashes the form", "confidence": 0.7, "evidence": ["All events have brand=null"], "validationCriteria": "No TypeError for 24 h after the fix", "prediction": "Errors drop to zero"}}),
    );
    let child = server.create(
        "/api/issues",
        json!({"title": "Guard against a missing card brand", "type": "task", "status": "in_progress", "priority": 2, "parentId": id(&root), "projectId": id(&project), "labelIds": [id(&label)]}),
    );
    server.patch(
        &format!("/api/issues/{}", id(&child)),
        json!({"agentSessionId": "claude-7f3a", "agentSummary": "Added a guard and a **regression test**.", "commits": [{"sha": "9f2c1ab", "message": "Guard card brand", "url": "https://example.com/c/9f2c1ab", "author": "agent", "timestamp": "2026-11-01T10:00:00.000Z"}]}),
    );
    let plan = server.create(
        "/api/issues",
        json!({"title": "Plan the checkout redesign", "type": "plan", "status": "backlog", "priority": 3, "projectId": id(&project)}),
    );
    server.post(
        &format!("/api/issues/{}/relations", id(&plan)),
        json!({"type": "blocked_by", "relatedIssueId": id(&child)}),
    );
    for (title, kind, status) in [
        ("Monitor payment error rate", "monitor", "todo"),
        ("Darker focus ring for buttons", "task", "done"),
        ("Retry webhooks with jitter", "task", "todo"),
    ] {
        server.create(
            "/api/issues",
            json!({"title": title, "type": kind, "status": status, "priority": 3}),
        );
    }
    let comment = server.create(
        &format!("/api/issues/{}/comments", id(&root)),
        json!({"body": "Seen 42 times since the last deploy.", "authorName": "sentry-bot", "authorType": "agent"}),
    );
    server.create(
        &format!("/api/issues/{}/comments", id(&root)),
        json!({"body": "I'll take this one.", "authorName": "Olga", "authorType": "human", "parentId": id(&comment)}),
    );
    let claimed = server.get("/api/dispatch/next?agentSessionId=cursor-12");
    assert_eq!(claimed.status, 200);
    let next = claimed.json();
    if let Some(version) = next["meta"]["versionId"].as_str() {
        for score in [4, 3, 5] {
            server.create(
                "/api/prompt-reviews",
                json!({"versionId": version, "issueId": next["issue"]["id"], "clarity": score, "completeness": 4, "relevance": score}),
            );
        }
    }
    server
}

#[test]
fn every_engine_page_renders_in_light_and_dark() {
    let Some(chromium) = chromium_or_skip("engine pages") else {
        return;
    };
    let server = busy_server();
    let page = chromium.page(&server.running().url(), "engine-pages");
    page.sign_in("olga@example.com", PASSWORD);
    let template = server.get("/api/templates").json()["data"][0].clone();
    let prompt_page = format!("/prompts/{}", id(&template));
    let pages = [
        ("/", "Next in the queue", "engine-overview"),
        (
            "/issues",
            "Guard against a missing card brand",
            "engine-issues",
        ),
        (
            "/issues/1",
            "A null card brand crashes the form",
            "engine-issue",
        ),
        ("/issues/5", "Blocked", "engine-issue-blocked-by"),
        ("/dispatch", "Claimed now", "engine-dispatch"),
        (
            "/activity",
            "Guard against a missing card brand",
            "engine-activity",
        ),
        ("/signals", "TypeError in PaymentForm", "engine-signals"),
        (
            "/projects",
            "Cart, payment and confirmation",
            "engine-projects",
        ),
        ("/goals", "Checkout conversion above 3.5%", "engine-goals"),
        ("/prompts", "reviews", "engine-prompts-list"),
        (&prompt_page as &str, "Versions", "engine-template"),
        ("/labels", "payments", "engine-labels"),
    ];
    for (path, text, name) in pages {
        page.open(path);
        page.wait_text(text);
        page.screenshots(name);
    }
    page.open("/issues/1");
    page.wait_text("card_brand_id is null");
    assert_eq!(
        page.eval("[document.querySelectorAll('.markdown img, .markdown em').length, [...document.querySelectorAll('.markdown a')].filter((a) => !/^https?:|^\\//.test(a.getAttribute('href'))).length, document.body.innerText.includes('<img src=x'), window.pwned === undefined]"),
        json!([0, 0, true, true]),
        "Markdown shows HTML as text and links nowhere but http(s) or this site"
    );
    page.open("/issues");
    page.wait_text("Retry webhooks");
    page.press("?");
    page.wait_until(
        "['Next issue', 'Go to', 'G then I'].every((t) => document.querySelector('dialog[open]')?.textContent.includes(t))",
        "the shortcuts dialog listing the page's keys and the section's",
    );
    page.screenshot("engine-shortcuts");
    page.press("Escape");
    page.press("g");
    page.press("d");
    page.wait_until(
        "location.pathname === '/dispatch'",
        "G then D to go to dispatch",
    );
    page.press("g");
    page.press("i");
    page.wait_until(
        "location.pathname === '/issues'",
        "G then I to go to the issues",
    );
    page.wait_text("Retry webhooks");
    page.press("j");
    page.press("j");
    page.press("Enter");
    page.wait_until(
        "location.pathname === '/issues/3'",
        "J twice and Enter to open the third issue",
    );
    page.wait_text("dark mode contrast");
    page.press("s");
    assert_eq!(
        page.eval("document.activeElement.getAttribute('aria-label')"),
        json!("status"),
        "S focuses the status"
    );
    page.eval("document.activeElement.blur() ?? true");
    page.press("u");
    page.wait_until(
        "location.pathname === '/issues'",
        "U to go back to the issues",
    );
    page.viewport(390, 844, true);
    for (path, text, name) in pages {
        page.open(path);
        page.wait_text(text);
        let name = format!("{name}-phone");
        assert!(
            !page.scrolls_sideways(),
            "{path} scrolls sideways on a phone"
        );
        if path == "/issues" {
            // Other tables may scroll inside their own box; the issues table fits.
            assert_eq!(
                page.eval("[...document.querySelectorAll('.table-wrap')].every((w) => w.scrollWidth <= w.clientWidth + 1)"),
                json!(true),
                "the issues table is wider than a phone"
            );
        }
        page.screenshot(&name);
    }
    page.open("/dispatch");
    page.wait_text("cursor-12");
    page.click_button("Release");
    page.click_button("Release to To do");
    loop_until(|| (issue_numbered(&server, 1)["status"] == "todo").then_some(()));
    page.wait_until(
        "!document.body.innerText.includes('cursor-12')",
        "the released issue to leave the claimed list",
    );
    page.assert_clean();
}

#[test]
fn reviewers_keep_going_to_the_review_game() {
    let Some(chromium) = chromium_or_skip("reviewer start") else {
        return;
    };
    let server = TestServer::start();
    server.user("rita@example.com", "reviewer");
    let page = chromium.page(&server.running().url(), "reviewer-start");
    page.sign_in("rita@example.com", PASSWORD);
    page.wait_until("location.pathname === '/review'", "the review page");
    assert!(
        !page.text().contains("Engine"),
        "no engine section for reviewers"
    );
    page.open("/issues");
    page.wait_text("Owners and admins only");
    page.assert_clean();
}

/// Types `text` over the field inside the open dialog's `<label>` that starts with `label`
/// (the goal and project forms' small inline fields).
fn fill_labelled(page: &Page, label: &str, text: &str) {
    let quoted = serde_json::to_string(label).expect("quote");
    let found = page.eval(&format!(
        "(() => {{ const l = [...document.querySelectorAll('dialog[open] label')].find((l) => l.innerText.trim().startsWith({quoted})); \
         const el = l && l.querySelector('input, select'); if (!el) return false; el.focus(); if (el.select) el.select(); return true; }})()"
    ));
    assert_eq!(found, json!(true), "no field labelled {label}");
    page.type_text(text);
}

/// The one row of the list at `path` whose `field` is `value`, once there is one.
fn row_where(server: &TestServer, path: &str, field: &str, value: &str) -> Value {
    loop_until(|| {
        server.get(path).json()["data"]
            .as_array()
            .expect("a list")
            .iter()
            .find(|row| row[field] == value)
            .cloned()
    })
}

#[test]
fn labels_goals_and_projects_are_created_and_edited_in_the_browser() {
    let Some(chromium) = chromium_or_skip("labels, goals, projects") else {
        return;
    };
    let (server, page) = signed_in_owner(&chromium, "labels-goals-projects");

    page.open("/labels");
    page.fill(
        "form[aria-label='New label'] input[aria-label=Name]",
        "billing",
    );
    page.click("button[aria-label='Colour #db2777']");
    page.click_button("Create label");
    let label = row_where(&server, "/api/labels", "name", "billing");
    assert_eq!(label["color"], "#db2777");
    page.wait_for(".table .label-chip");
    page.click_button("Delete");
    page.click_button("Delete label");
    loop_until(|| {
        let labels = server.get("/api/labels").json();
        labels["data"]
            .as_array()
            .is_some_and(Vec::is_empty)
            .then_some(())
    });

    page.open("/goals");
    page.click_button("New goal");
    page.fill("dialog[open] input", "Signups per week above 200");
    fill_labelled(&page, "Now", "120");
    fill_labelled(&page, "Target", "200");
    fill_labelled(&page, "Unit", "signups");
    page.eval(
        "(() => { const el = document.querySelector('dialog[open] input[type=date]'); el.value = '2027-01-31'; \
         el.dispatchEvent(new Event('input', {bubbles: true})); return true; })()",
    );
    page.click_button("Create goal");
    let goal = row_where(&server, "/api/goals", "title", "Signups per week above 200");
    assert_eq!(
        (
            &goal["currentValue"],
            &goal["targetValue"],
            &goal["unit"],
            &goal["deadline"]
        ),
        (
            &json!(120),
            &json!(200),
            &json!("signups"),
            &json!("2027-01-31")
        )
    );
    page.wait_text("120 signups");
    page.click_button("Edit");
    fill_labelled(&page, "Now", "150");
    page.click_button("Save");
    loop_until(|| {
        let goal = server.get(&format!("/api/goals/{}", id(&goal))).json();
        (goal["data"]["currentValue"].as_f64() == Some(150.0)).then_some(())
    });
    page.wait_text("150 signups");

    page.open("/projects");
    page.click_button("New project");
    page.fill("dialog[open] input", "Onboarding");
    page.fill("dialog[open] textarea", "Sign-up to first value");
    page.eval(&format!(
        "(() => {{ const s = [...document.querySelectorAll('dialog[open] select')].find((s) => [...s.options].some((o) => o.value === {goal_id})); \
         s.value = {goal_id}; s.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()",
        goal_id = serde_json::to_string(&goal["id"]).expect("quote")
    ));
    page.click_button("Create project");
    let project = row_where(&server, "/api/projects", "name", "Onboarding");
    assert_eq!(project["goalId"], goal["id"]);
    page.wait_text("Sign-up to first value");
    page.wait_text("150 of 200 signups");
    page.screenshots("engine-projects-created");
    page.assert_clean();
}
