//! Human sign-off in the browser, the whole loop: an admin requires sign-off on the
//! project's settings page; a signal becomes an issue; an agent claims it and requests
//! review over HTTP (marking it done is refused); the dashboard shows the issue awaiting
//! sign-off with a link to its review task; a reviewer approves the card in `/review`,
//! which shows the work and links back to the issue; the issue is done and the prompt the
//! agent worked from is scored; the dashboard's issue page ends it: done, signed off.

use serde_json::{Value, json};

use super::harness::chromium_or_skip;
use super::site::Site;

#[test]
fn a_person_signs_off_an_agents_work_in_the_browser() {
    let Some(chromium) = chromium_or_skip("sign-off") else {
        return;
    };
    let site = Site::new();
    site.person("ada@example.com", "admin");
    site.person("rita@example.com", "reviewer");
    let server = &site.server;
    let project = site.project.clone();

    // The admin requires sign-off on the project's settings page.
    let page = site.signed_in(&chromium, "ada@example.com", "sign-off");
    page.open(&format!("/admin/projects/{project}/settings"));
    page.wait_for("select[name=sign_off]");
    page.eval(
        "(() => { const s = document.querySelector('select[name=sign_off]'); s.value = 'sampled'; \
         s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()",
    );
    page.fill("input[name=sign_off_rate]", "25");
    page.screenshots("admin-settings-sampled");
    page.click_button("Save settings");
    page.wait_text("Settings saved");
    let settings = server.get(&format!("/api/projects/{project}")).json()["data"].clone();
    assert_eq!(
        (&settings["signOff"], &settings["signOffRate"]),
        (&json!("sampled"), &json!(0.25)),
        "saved for the engine too"
    );
    page.eval(
        "(() => { const s = document.querySelector('select[name=sign_off]'); s.value = 'required'; \
         s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()",
    );
    page.wait_until(
        "!document.querySelector('input[name=sign_off_rate]')",
        "the rate to go with sampling",
    );
    page.wait_until(
        "!document.querySelector('.toast')",
        "the first notice to go",
    );
    page.click_button("Save settings");
    page.wait_text("Settings saved");
    let settings = server.get(&format!("/api/projects/{project}")).json()["data"].clone();
    assert_eq!(settings["signOff"], "required");
    page.click(".avatar-button");
    page.click_button("Sign out");
    page.wait_until("location.pathname === '/login'", "signed out");

    // A signal becomes an issue, which triage makes ready for an agent.
    let ingested = server.create(
        "/api/signals",
        json!({"source": "sentry", "type": "error", "severity": "high", "projectId": project,
               "payload": {"message": "TypeError: cart is undefined", "title": "Checkout crashes on an empty cart"}}),
    );
    let issue = ingested["issue"]["id"]
        .as_str()
        .expect("issue id")
        .to_owned();
    let number = ingested["issue"]["number"].as_i64().expect("number");
    let title = ingested["issue"]["title"]
        .as_str()
        .expect("title")
        .to_owned();
    let triaged = server.patch(&format!("/api/issues/{issue}"), json!({"status": "todo"}));
    assert_eq!(triaged.status, 200, "{}", triaged.text());

    // The agent claims it, is told to request review, and does.
    let claimed = server
        .get(&format!("/api/dispatch/next?projectId={project}"))
        .json();
    assert_eq!(claimed["issue"]["id"], issue);
    let prompt = claimed["prompt"].as_str().unwrap_or_default();
    assert!(
        prompt.contains(&format!("/api/issues/{issue}/review-request")),
        "{prompt}"
    );
    let reported = server.patch(
        &format!("/api/issues/{issue}"),
        json!({"agentSummary": "Guarded the empty cart; added a regression test.",
               "commits": [{"sha": "9b1c0de7", "message": "Guard the empty cart", "url": "https://git.example/c/9b1c0de"}],
               "pullRequests": [{"number": 12, "title": "Guard the empty cart", "url": "https://git.example/pr/12"}]}),
    );
    assert_eq!(reported.status, 200, "{}", reported.text());
    let refused = server.patch(&format!("/api/issues/{issue}"), json!({"status": "done"}));
    assert_eq!(refused.status, 409);
    let requested = server.post(&format!("/api/issues/{issue}/review-request"), json!({}));
    assert_eq!(requested.status, 201, "{}", requested.text());
    let task = requested.json()["data"]["reviewTaskId"]
        .as_str()
        .expect("task id")
        .to_owned();

    // The dashboard shows the issue awaiting a person, with a link to its review task.
    page.sign_in("ada@example.com", crate::common::PASSWORD);
    page.wait_text("1 issue awaiting sign-off");
    assert_eq!(
        page.eval("document.querySelector('a.stat-card[href=\"/issues?reviewStatus=pending\"] .stat-card-value').textContent"),
        json!("1"),
        "the overview counts it"
    );
    page.open("/issues?reviewStatus=pending");
    page.wait_for(".status-cell .badge");
    assert_eq!(
        page.eval(
            "[...document.querySelectorAll('.status-cell')].map((c) => c.textContent.trim())"
        ),
        json!(["In progressAwaiting sign-off"])
    );
    assert_eq!(
        page.eval("document.querySelector('select[aria-label=reviewStatus]').value"),
        json!("pending")
    );
    page.screenshot("issues-awaiting-sign-off-light");
    page.open(&format!("/issues/{number}"));
    page.wait_for("[aria-label=Sign-off] a");
    page.wait_text("Awaiting sign-off");
    assert_eq!(
        page.eval("document.querySelector('[aria-label=Sign-off] a').getAttribute('href')"),
        json!(format!("/admin/projects/{project}/tasks/{task}"))
    );
    assert_eq!(
        page.eval("document.querySelector('select[aria-label=status]').value"),
        json!("in_progress")
    );
    page.screenshots("issue-awaiting-sign-off");
    page.click(".avatar-button");
    page.click_button("Sign out");
    page.wait_until("location.pathname === '/login'", "signed out");

    // The reviewer sees the work, with links to the issue, the commit and the PR.
    page.sign_in("rita@example.com", crate::common::PASSWORD);
    page.wait_text(&title);
    page.wait_text("Guarded the empty cart; added a regression test.");
    page.wait_text(&format!("Issue #{number}: {title}"));
    let hrefs = page
        .eval("[...document.querySelectorAll('.card-links a')].map((a) => a.getAttribute('href'))");
    assert_eq!(
        hrefs,
        json!([
            format!("/issues/{number}"),
            "https://git.example/c/9b1c0de",
            "https://git.example/pr/12"
        ])
    );
    assert_eq!(
        page.eval("document.querySelector('.card-link-issue a').target"),
        json!(""),
        "the issue opens in the app itself"
    );
    assert_eq!(
        page.eval("document.querySelector('.card-link-commit a').target"),
        json!("_blank")
    );
    let unscored = server
        .get("/api/templates/tpl_default_signal_triage")
        .json()["data"]
        .clone();
    assert_eq!(unscored["activeVersion"]["reviewScore"], Value::Null);
    page.click(".card-prompt summary");
    page.wait_text("Prompt used: signal-triage v1");
    page.wait_text("# Signal Triage");
    page.screenshots("review-sign-off");
    page.viewport(360, 760, true);
    assert!(!page.scrolls_sideways(), "the sign-off card fits 360 px");
    page.screenshot("phone-review-sign-off-light");
    page.press("ArrowRight");
    page.wait_text("Inbox zero");

    // The issue is done, through the same transaction as the verdict.
    let done = server.get(&format!("/api/issues/{issue}")).json()["data"].clone();
    assert_eq!(
        (&done["status"], &done["reviewStatus"]),
        (&json!("done"), &json!("approved"))
    );
    assert!(done["completedAt"].is_string());
    let verdict = site.verdict(1);
    assert_eq!(
        (&verdict["verdict"], &verdict["external_id"]),
        (&json!(true), &Value::from(issue.as_str()))
    );
    let template = server
        .get("/api/templates/tpl_default_signal_triage")
        .json()["data"]
        .clone();
    assert_eq!(
        template["activeVersion"]["reviewScore"].as_f64(),
        Some(5.0),
        "the approval scored the prompt the agent worked from"
    );
    let stats = server.get("/api/dashboard/stats").json()["data"].clone();
    assert_eq!(stats["signOff"]["approved"], 1);

    // The admin's page of the task shows the same work and the verdict (still on a phone).
    page.click(".avatar-button");
    page.click_button("Sign out");
    page.wait_until("location.pathname === '/login'", "signed out");
    page.sign_in("ada@example.com", crate::common::PASSWORD);
    page.open(&format!("/admin/projects/{project}/tasks/{task}"));
    page.wait_for(".card-link-pull_request a");
    page.wait_text("Prompt used: signal-triage v1");
    page.wait_until("!!document.querySelector('.text-success')", "the verdict");
    page.screenshots("phone-admin-task-sign-off");

    // The dashboard's issue page ends the loop: done, signed off, on a phone and a desktop.
    page.open(&format!("/issues/{number}"));
    page.wait_text("Signed off");
    assert_eq!(
        page.eval("document.querySelector('select[aria-label=status]').value"),
        json!("done")
    );
    assert!(page.text().contains("Done"));
    assert!(!page.scrolls_sideways(), "the issue page fits 360 px");
    page.screenshot("phone-issue-signed-off-light");
    page.viewport(1280, 900, false);
    page.screenshots("issue-signed-off");

    // The prompt's page tells a person's review from an agent's, and how much was signed off.
    page.open("/prompts/tpl_default_signal_triage");
    page.wait_text("signed off");
    page.wait_text("a person");
    page.screenshot("prompt-signed-off-light");

    // The project's dialog holds the policy the admin set under Admin.
    page.open("/projects");
    page.wait_text("Sign-off required");
    page.click_button("Edit");
    page.wait_for("select[name=sign_off]");
    assert_eq!(
        page.eval("document.querySelector('select[name=sign_off]').value"),
        json!("required")
    );
    page.screenshot("project-dialog-sign-off-light");
    page.assert_clean();
}
