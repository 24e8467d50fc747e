//! Reviewer quality in the browser: a reviewer meets decoys in the review game and is told
//! after each whether they caught its planted error; an admin then sees, on the project's
//! reviewer list and the reviewer's drill-down, the same numbers as the audit log, and
//! the record altered in the database file named.

use serde_json::{Value, json};

use super::harness::{Page, chromium_or_skip};
use super::site::Site;

/// Waits for the next card to be dealt (not the placeholder shown while it loads) and
/// gives its text.
fn next_card(page: &Page) -> String {
    page.wait_for(".review-card:not(.review-card-placeholder)");
    page.eval("document.querySelector('.review-card').innerText")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The audit records of `project` decided by `user_id`.
fn records_of(site: &Site, user_id: &str) -> Vec<Value> {
    let records = site
        .server
        .get(&format!(
            "/api/v1/projects/{}/audit?limit=1000",
            site.project
        ))
        .json();
    records
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["reviewer"]["id"] == json!(user_id))
        .cloned()
        .collect()
}

#[test]
fn a_reviewer_meets_decoys_sees_the_feedback_and_the_admin_sees_the_audit_numbers() {
    let Some(chromium) = chromium_or_skip("decoys") else {
        return;
    };
    let site = Site::new();
    site.server
        .set_rates(&site.project, json!({"decoy_rate": 1.0}));
    let rita = site.person("rita@example.com", "reviewer");
    site.person("ada@example.com", "admin");
    let source = site.task(json!({
        "module": "swiper", "source": "zendesk",
        "payload": {"content": "Refund £2,400 to Dana Whitfield for order 4821: the parcel arrived damaged."},
        "card": {"title": "Refund #4821", "fields": [{"label": "Amount", "value": "£2,400"}, {"label": "Order", "value": 4821}]}
    }));
    site.task(json!({"module": "swiper", "payload": {"content": "Reply: “Your refund of £24 is on its way.”"}, "card": {"title": "Reply to Dana"}}));

    // The first card has nothing to copy yet: it is the real task.
    let page = site.signed_in(&chromium, "rita@example.com", "decoys");
    page.wait_text("Refund #4821");
    page.press("ArrowRight");
    assert_eq!(
        site.read(source["id"].as_str().unwrap_or_default())["verdict"],
        json!(true)
    );
    page.wait_text("10 XP");

    // At a decoy rate of 1 every later card is a copy of that task with one error: the
    // page cannot tell, so neither can the reviewer until they decide.
    let shown = next_card(&page);
    assert!(shown.contains("Refund #4821"), "{shown}");
    assert!(
        !page.text().contains("planted"),
        "nothing marks a decoy before the decision"
    );
    page.screenshot("decoy-card");
    page.press("ArrowLeft");
    page.wait_for("dialog[open] textarea");
    page.type_text("The order number does not match");
    page.press("Enter");
    page.wait_text("You caught a planted error.");
    page.wait_text("+35 XP");
    page.wait_text("Badge earned: Decoy caught");
    let caught = records_of(&site, &rita.id);
    assert_eq!(caught[1]["decoy"], json!(true));
    assert_eq!(caught[1]["correct"], json!(true));
    // The feedback names the planted error the audit log records.
    let change = &caught[1]["planted"]["change"];
    let (was, became) = (
        change["original"].as_str().unwrap_or_default(),
        change["planted"].as_str().unwrap_or_default(),
    );
    assert!(!was.is_empty() && was != became, "{change}");
    page.wait_text("had been changed to");
    let feedback = page.eval("document.querySelector('.decoy-feedback').innerText");
    let feedback = feedback.as_str().unwrap_or_default();
    let (in_was, in_became) = feedback
        .split_once(" had been changed to ")
        .expect("the planted error in words");
    assert!(
        in_was.contains(was),
        "the word around the change: {feedback}"
    );
    assert!(in_became.contains(became), "{feedback}");
    page.wait_text("100% caught");
    page.screenshots("decoy-caught");

    // Approving the next decoy misses it: the page says so, with what was planted.
    next_card(&page);
    page.press("ArrowRight");
    page.wait_text("it got past you");
    page.wait_text("-25 XP, streak reset");
    page.screenshots("decoy-missed");

    // The admin's numbers are the audit log's.
    let records = records_of(&site, &rita.id);
    let decoys: Vec<&Value> = records
        .iter()
        .filter(|r| r["decoy"] == json!(true))
        .collect();
    let caught_n = decoys
        .iter()
        .filter(|r| r["correct"] == json!(true))
        .count();
    assert_eq!((decoys.len(), caught_n), (2, 1), "{records:?}");
    let xp: i64 = records.iter().map(|r| r["xp"].as_i64().unwrap_or(0)).sum();
    let trust = f64::from(u8::try_from(caught_n + 1).unwrap_or(0))
        / f64::from(u8::try_from(decoys.len() + 2).unwrap_or(1));
    let chain = site
        .server
        .get(&format!(
            "/api/v1/projects/{}/audit?limit=1000",
            site.project
        ))
        .json();

    page.click(".avatar-button");
    page.click_button("Sign out");
    page.wait_until("location.pathname === '/login'", "signed out");
    page.sign_in("ada@example.com", crate::common::PASSWORD);
    let admin = page;
    admin.open(&format!("/admin/projects/{}/reviewers", site.project));
    admin.wait_text("50% 1/2");
    admin.wait_text(&format!("{trust:.2}"));
    admin.screenshots("admin-reviewers-quality");
    admin.click(&format!("a.row-link[href$='{}']", rita.id));
    admin.wait_text("Probes met");
    admin.wait_text("Audit log intact:");
    admin.wait_text(&format!(
        "{} records re-hashed",
        chain.as_array().map_or(0, Vec::len)
    ));
    admin.wait_text("1 of 2 decoys");
    let xp_tile = admin.eval(
        "[...document.querySelectorAll('.score')].find(s => s.innerText.includes('XP')).querySelector('.score-value').innerText",
    );
    assert_eq!(xp_tile, json!(xp.to_string()));
    let table = admin
        .eval("[...document.querySelectorAll('table tbody tr')].map(r => r.innerText)")
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(table.len(), 2, "one row per probe: {table:?}");
    for (row, record) in table.iter().zip(decoys.iter().rev()) {
        let row = row.as_str().unwrap_or_default();
        let outcome = if record["correct"] == json!(true) {
            "caught"
        } else {
            "missed"
        };
        assert!(row.contains(&record["seq"].to_string()), "{row} / {record}");
        assert!(row.contains(outcome), "{row} / {record}");
        let change = &record["planted"]["change"];
        let planted = format!(
            "{} → {}",
            change["original"].as_str().unwrap_or("?"),
            change["planted"].as_str().unwrap_or("?")
        );
        assert!(row.contains(&planted), "{row} / {record}");
        assert!(
            row.contains(&record["hash"].as_str().unwrap_or_default()[..12]),
            "{row} / {record}"
        );
    }
    admin.screenshots("admin-reviewer-drilldown");

    // A record altered in the file behind the server's back: the page says which.
    let conn = rusqlite::Connection::open(site.server.db_path()).expect("open the database");
    conn.execute(
        "UPDATE audit_records SET xp = xp + 100 WHERE project_id = ?1 AND seq = 2",
        [&site.project],
    )
    .expect("tamper");
    admin.open(&format!(
        "/admin/projects/{}/reviewers/{}",
        site.project, rita.id
    ));
    admin.wait_text("The audit log does not verify.");
    admin.wait_text(&format!(
        "Record #2 ({})",
        records[1]["id"].as_str().unwrap_or_default()
    ));
    let marked = admin
        .eval("[...document.querySelectorAll('tr.row-unverified')].map(r => r.cells[0].innerText)");
    assert_eq!(
        marked,
        json!(["3", "2"]),
        "the altered record and those after it"
    );
    admin.screenshot("admin-reviewer-tampered");
    admin.assert_clean();
}
