//! The administration pages in the browser: an escalation resolved there is delivered a
//! second time, a key created there works, and every page renders (screenshots).

use serde_json::{Value, json};

use super::harness::chromium_or_skip;
use super::site::Site;
use crate::common::receiver::{Answer, Receiver};

#[test]
fn an_escalation_resolved_in_admin_sends_a_second_webhook() {
    let Some(chromium) = chromium_or_skip("escalation") else {
        return;
    };
    let site = Site::new();
    site.person("rita@example.com", "reviewer");
    site.person("ada@example.com", "admin");
    let task = site.task(json!({
        "module": "swiper", "mode": "gate", "external_id": "order-9",
        "payload": {"content": "Refund £9,000 for a chair"}, "card": {"title": "Refund #9"}
    }));
    let id = task["id"].as_str().expect("id").to_owned();

    let page = site.signed_in(&chromium, "rita@example.com", "escalate");
    page.wait_text("Refund #9");
    page.press("ArrowUp");
    page.wait_for("dialog[open] textarea");
    page.type_text("Too large for me to approve");
    page.press("Enter");
    page.wait_text("Inbox zero");
    let escalated = site.verdict(1);
    assert_eq!(
        (
            &escalated["status"],
            &escalated["verdict"],
            &escalated["escalated"]
        ),
        (&json!("escalated"), &Value::Null, &json!(true))
    );
    page.click(".avatar-button");
    page.click_button("Sign out");
    page.wait_until("location.pathname === '/login'", "signed out");

    page.sign_in("ada@example.com", crate::common::PASSWORD);
    page.open("/admin/escalations");
    page.wait_text("Too large for me to approve");
    page.wait_text("Refund £9,000 for a chair");
    page.screenshots("admin-escalations");
    page.press("ArrowRight");
    page.wait_text("Nothing is escalated");
    let resolved = site.read(&id);
    assert_eq!(
        (
            &resolved["status"],
            &resolved["verdict"],
            &resolved["escalated"]
        ),
        (&json!("reviewed"), &json!(true), &json!(true))
    );
    let second = site.verdict(2);
    assert_eq!(
        (&second["verdict"], &second["external_id"]),
        (&json!(true), &json!("order-9"))
    );
    let deliveries: Vec<String> = site
        .hook
        .received()
        .iter()
        .filter_map(|r| r.header("X-LoopQuest-Delivery").map(str::to_owned))
        .collect();
    assert_ne!(
        deliveries[0], deliveries[1],
        "the resolution is a new delivery"
    );
    page.assert_clean();
}

#[test]
fn a_key_created_in_admin_creates_tasks() {
    let Some(chromium) = chromium_or_skip("keys") else {
        return;
    };
    let site = Site::new();
    site.person("ada@example.com", "admin");
    let page = site.signed_in(&chromium, "ada@example.com", "keys");
    page.open("/admin/projects");
    page.wait_text("Support");
    page.click("a.row-link");
    page.wait_text("API keys");
    page.click(&format!("a[href='/admin/projects/{}/keys']", site.project));
    page.click_button("New key");
    page.fill("dialog[open] input", "n8n");
    page.press("Enter");
    page.wait_text("only time the key is shown");
    page.screenshots("admin-key-created");
    let key = page.eval("document.querySelector('dialog[open] .secret-value').innerText");
    let key = key.as_str().expect("the key on screen").to_owned();
    assert!(key.starts_with("lq_"), "{key}");
    let created = site.server.review(
        &key,
        "POST",
        "/api/v1/tasks",
        Some(json!({"module": "swiper", "payload": {"content": "made with the new key"}})),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    page.click_button("Done");
    page.wait_text("n8n");
    page.assert_clean();
}

/// Fills a site with what an admin sees on a working day: tasks in every state, a failed
/// delivery, keys, people.
fn busy_site() -> Site {
    let site = Site::new();
    let reviewer = site.person("rita@example.com", "reviewer");
    site.person("sam@example.com", "reviewer");
    site.person("ada@example.com", "admin");
    site.server.user("vera@example.com", "viewer");
    let broken = Receiver::start(|_| Answer::Status(500));
    site.server.review(
        &site.key,
        "POST",
        "/api/v1/hooks",
        Some(json!({"url": broken.url})),
    );
    site.server.project_key(&site.project);
    let bodies = [
        json!({"module": "swiper", "source": "zendesk", "payload": {"content": "Refund £40 for a late parcel"}, "card": {"title": "Refund #4810"}}),
        json!({"module": "sorter", "source": "intercom", "card": {"title": "Route ticket 5531", "choices": ["Billing", "Refunds"]}, "payload": {"content": "Charged twice"}}),
        json!({"module": "fixer", "payload": {"fields": [{"label": "Amount", "value": "£2,400"}]}, "card": {"title": "Extracted invoice 77"}}),
        json!({"module": "grounding", "mode": "gate", "payload": {"claim": "Ships in 2 days", "source": "Ships in 3 to 5 days"}, "card": {"title": "Answer about shipping"}}),
        json!({"module": "versus", "source": "zapier", "payload": {"content": "Thanks for waiting!", "body": "Thanks for waiting!"}, "card": {"title": "Draft greeting"}}),
    ];
    for body in bodies {
        site.task(body);
    }
    // The reviewer decides two cards (approve, escalate) through the API.
    for decision in [
        json!({"decision": "approve"}),
        json!({"decision": "escalate", "reason": "Not sure about the route"}),
    ] {
        let (assignment, _) = site.server.next_card(&reviewer).expect("a card");
        let decided = site.server.decide(&reviewer, &assignment, decision);
        assert_eq!(decided.status, 200, "{}", decided.text());
    }
    // Wait for the broken receiver's delivery to fail (three attempts).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while broken.received().len() < 6 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::mem::forget(broken);
    site
}

#[test]
fn every_admin_page_renders_in_light_and_dark() {
    let Some(chromium) = chromium_or_skip("admin pages") else {
        return;
    };
    let site = busy_site();
    let page = site.signed_in(&chromium, "ada@example.com", "admin-pages");
    let project = site.project.clone();
    let pages = [
        ("/admin/projects", "Refund", "admin-projects"),
        (
            &format!("/admin/projects/{project}/tasks") as &str,
            "Refund #4810",
            "admin-tasks",
        ),
        (
            &format!("/admin/projects/{project}/keys"),
            "Revoke",
            "admin-keys",
        ),
        (
            &format!("/admin/projects/{project}/webhooks"),
            "Signing secret",
            "admin-webhooks",
        ),
        (
            &format!("/admin/projects/{project}/deliveries"),
            "failed",
            "admin-deliveries",
        ),
        (
            &format!("/admin/projects/{project}/reviewers"),
            "rita",
            "admin-reviewers",
        ),
        (
            &format!("/admin/projects/{project}/settings"),
            "Gate timeout",
            "admin-settings",
        ),
        ("/admin/people", "vera@example.com", "admin-people"),
    ];
    for (path, text, name) in pages {
        page.open(path);
        page.wait_text(if name == "admin-projects" {
            "Support"
        } else {
            text
        });
        page.screenshots(name);
    }
    page.open(&format!("/admin/projects/{project}/tasks"));
    page.click("a.row-link");
    page.wait_text("What reviewers see");
    page.wait_text("Webhook deliveries");
    page.screenshots("admin-task");
    page.open(&format!("/admin/projects/{project}/webhooks"));
    page.click_button("Reveal");
    page.wait_text("whsec_");
    page.open("/review");
    page.wait_for(".review-card");
    page.screenshots("review-as-admin");
    page.assert_clean();
}
