//! Each of the seven review games, played with the keyboard in the browser: the task comes
//! in through `POST /api/v1/tasks`, a reviewer signs in and decides it, and the test reads
//! the stored verdict through the API and the signed webhook that arrives.

use serde_json::{Value, json};

use super::harness::chromium_or_skip;
use super::site::Site;

/// The task id of a created task.
fn id(task: &Value) -> String {
    task["id"].as_str().expect("task id").to_owned()
}

#[test]
fn swiper_is_approved_and_flagged_with_the_arrow_keys() {
    let Some(chromium) = chromium_or_skip("swiper") else {
        return;
    };
    let site = Site::new();
    site.person("rita@example.com", "reviewer");
    let refund = site.task(json!({
        "module": "swiper", "source": "zendesk", "external_id": "order-4821", "mode": "gate",
        "payload": {"ticket": 4821, "content": "Refund £2,400 to Dana Whitfield for order 4821: the parcel arrived damaged and the customer sent photos."},
        "card": {"title": "Refund #4821", "subtitle": "Damaged on arrival · customer since 2019",
                 "suggestion": {"label": "Auto-approve", "confidence": 0.96},
                 "fields": [{"label": "Amount", "value": "£2,400", "highlight": true}, {"label": "Order total", "value": "£2,400"}, {"label": "Previous refunds", "value": 0}]}
    }));
    let second = site.task(json!({"module": "swiper", "payload": {"content": "Reply: “Your refund of £24 is on its way.”"}}));
    let page = site.signed_in(&chromium, "rita@example.com", "swiper");
    page.wait_text("Refund #4821");
    page.wait_text("Auto-approve");
    page.screenshots("game-swiper");

    page.press("ArrowRight");
    page.wait_text("Your refund of £24");
    assert_eq!(site.read(&id(&refund))["verdict"], json!(true));
    let approved = site.verdict(1);
    assert_eq!(
        (
            &approved["task_id"],
            &approved["verdict"],
            &approved["external_id"]
        ),
        (&refund["id"], &json!(true), &json!("order-4821"))
    );
    page.wait_text("10 XP");

    page.press("ArrowLeft");
    page.wait_for("dialog[open] textarea");
    page.type_text("The amount is wrong");
    page.press("Enter");
    page.wait_text("Inbox zero");
    let flagged = site.read(&id(&second));
    assert_eq!(
        (&flagged["verdict"], &flagged["reason"], &flagged["detail"]),
        (
            &json!(false),
            &json!("The amount is wrong"),
            &json!({"severity": "medium"})
        )
    );
    assert_eq!(site.verdict(2)["verdict"], json!(false));
    page.wait_text("20 XP");
    page.screenshots("review-inbox-zero");
    page.assert_clean();
}

#[test]
fn swiper_buttons_work_without_a_keyboard() {
    let Some(chromium) = chromium_or_skip("swiper buttons") else {
        return;
    };
    let site = Site::new();
    site.person("sam@example.com", "reviewer");
    let first =
        site.task(json!({"module": "swiper", "payload": {"content": "Ship order 77 today"}}));
    let second = site.task(json!({"module": "swiper", "payload": {"content": "Cancel order 78"}}));
    let page = site.signed_in(&chromium, "sam@example.com", "swiper-buttons");
    page.wait_text("Ship order 77 today");
    page.click_button("Approve");
    page.wait_text("Cancel order 78");
    assert_eq!(site.read(&id(&first))["verdict"], json!(true));
    page.click_button("Flag");
    page.fill("dialog[open] textarea", "Customer asked to keep it");
    page.click("dialog[open] .severity-high input");
    page.click("dialog[open] button[type=submit]");
    page.wait_text("Inbox zero");
    let flagged = site.read(&id(&second));
    assert_eq!(
        (&flagged["verdict"], &flagged["detail"]),
        (&json!(false), &json!({"severity": "high"}))
    );
    assert_eq!(
        site.verdict(2)["reason"],
        json!("Customer asked to keep it")
    );
    page.assert_clean();
}

#[test]
fn versus_picks_with_a_b_t_and_f() {
    let Some(chromium) = chromium_or_skip("versus") else {
        return;
    };
    let site = Site::new();
    site.person("vic@example.com", "reviewer");
    let task = site.task(json!({
        "module": "versus", "card": {"title": "Which reply should we send?"},
        "payload": {
            "prompt": "A customer asks whether they can return a used kettle after 40 days.",
            "a": {"text": "Yes, of course! Send it back whenever you like and we will refund you in full."},
            "b": {"text": "Our return window is 30 days, so we cannot take it back, but the kettle has a two-year warranty: if it is faulty we will repair or replace it."}
        }
    }));
    let page = site.signed_in(&chromium, "vic@example.com", "versus");
    page.wait_text("return window is 30 days");
    page.screenshots("game-versus");
    page.press("b");
    page.wait_text("Inbox zero");
    let decided = site.read(&id(&task));
    assert_eq!(
        (&decided["verdict"], &decided["choice"]),
        (&json!(true), &json!("b"))
    );
    assert_eq!(site.verdict(1)["choice"], json!("b"));
    page.assert_clean();
}

#[test]
fn a_versus_task_from_a_generic_client_is_reviewed_as_one_output() {
    let Some(chromium) = chromium_or_skip("versus as swiper") else {
        return;
    };
    let site = Site::new();
    site.person("zoe@example.com", "reviewer");
    // Zapier, Make, Pipedream, Activepieces and Flowise send every module this payload.
    let task = site.task(json!({"module": "versus", "source": "zapier",
        "payload": {"content": "Draft reply: we will refund you today.", "body": "Draft reply: we will refund you today."}}));
    let page = site.signed_in(&chromium, "zoe@example.com", "versus-generic");
    page.wait_text("we will refund you today");
    page.wait_text("sent as Versus");
    page.press("ArrowRight");
    page.wait_text("Inbox zero");
    let decided = site.read(&id(&task));
    assert_eq!(
        (&decided["status"], &decided["verdict"], &decided["choice"]),
        (&json!("reviewed"), &json!(true), &Value::Null)
    );
    let verdict = site.verdict(1);
    assert_eq!(
        (&verdict["module"], &verdict["choice"]),
        (&json!("versus"), &Value::Null)
    );
    page.assert_clean();
}

#[test]
fn sorter_buckets_by_number_and_labels_by_typing() {
    let Some(chromium) = chromium_or_skip("sorter") else {
        return;
    };
    let site = Site::new();
    site.person("sol@example.com", "reviewer");
    let bucketed = site.task(json!({
        "module": "sorter", "card": {"title": "Route this ticket", "choices": ["Billing", "Refunds", "Shipping", "Spam"]},
        "payload": {"content": "Hi, I was charged twice for order 5531 and would like one of the payments back."}
    }));
    let free = site.task(json!({"module": "sorter", "payload": {"content": "Where is my parcel? It has been two weeks."}}));
    let page = site.signed_in(&chromium, "sol@example.com", "sorter");
    page.wait_text("charged twice");
    page.screenshots("game-sorter");
    page.press("2");
    page.wait_text("Where is my parcel");
    assert_eq!(site.read(&id(&bucketed))["choice"], json!("Refunds"));
    page.screenshots("game-sorter-label");
    page.fill("#sorter-label", "Delivery delay");
    page.press("Enter");
    page.wait_text("Inbox zero");
    assert_eq!(site.read(&id(&free))["choice"], json!("Delivery delay"));
    assert_eq!(site.verdict(2)["choice"], json!("Delivery delay"));
    page.assert_clean();
}

#[test]
fn detective_marks_passages_with_m_and_reports_them() {
    let Some(chromium) = chromium_or_skip("detective") else {
        return;
    };
    let site = Site::new();
    site.person("dee@example.com", "reviewer");
    let body = "Invoice summary — the total due is €450, payable within 30 days. \
                The payment was received on 3 March 2026 by bank transfer. Shipping was free of charge.";
    let task = site.task(json!({"module": "detective", "card": {"title": "Check the invoice summary"}, "payload": {"body": body}}));
    let page = site.signed_in(&chromium, "dee@example.com", "detective");
    page.wait_text("payable within 30 days");
    page.select_text(".passage", "3 March 2026");
    page.press("m");
    page.wait_for(".chips .chip");
    page.select_text(".passage", "€450");
    page.press("m");
    page.wait_until(
        "document.querySelectorAll('.chips .chip').length === 2",
        "two marked passages",
    );
    page.screenshots("game-detective");
    page.press("Enter");
    page.wait_for("dialog[open] textarea");
    page.type_text("The payment arrived on 4 March, and the total was €540");
    page.press("Enter");
    page.wait_text("Inbox zero");
    let decided = site.read(&id(&task));
    assert_eq!(
        (&decided["verdict"], &decided["choice"]),
        (&json!(false), &json!("€450"))
    );
    let spans = decided["detail"]["spans"]
        .as_array()
        .expect("spans")
        .clone();
    assert_eq!(spans.len(), 2);
    let chars: Vec<char> = body.chars().collect();
    for span in &spans {
        let (start, end) = (
            span["start"].as_u64().expect("start") as usize,
            span["end"].as_u64().expect("end") as usize,
        );
        let sliced: String = chars[start..end].iter().collect();
        assert_eq!(
            json!(sliced),
            span["text"],
            "offsets count characters of the text"
        );
    }
    assert_eq!(site.verdict(1)["detail"]["spans"], json!(spans));
    page.assert_clean();
}

#[test]
fn fixer_corrects_a_value_in_place_and_confirms_with_enter() {
    let Some(chromium) = chromium_or_skip("fixer") else {
        return;
    };
    let site = Site::new();
    site.person("fay@example.com", "reviewer");
    let task = site.task(json!({
        "module": "fixer", "card": {"title": "Check the extracted refund"},
        "payload": {"fields": [
            {"label": "Amount", "key": "amount", "value": "£2,400"},
            {"label": "Currency", "key": "currency", "value": "GBP"},
            {"label": "Order", "key": "order", "value": 4821}
        ]}
    }));
    let page = site.signed_in(&chromium, "fay@example.com", "fixer");
    page.wait_for("#fix-0");
    page.fill("#fix-0", "£240");
    page.wait_text("was £2,400");
    page.screenshots("game-fixer");
    page.press("Enter");
    page.wait_text("Inbox zero");
    let decided = site.read(&id(&task));
    assert_eq!(
        (&decided["verdict"], &decided["choice"]),
        (&json!(true), &json!("corrected"))
    );
    assert_eq!(
        decided["detail"]["fields"][0],
        json!({"label": "Amount", "key": "amount", "original": "£2,400", "value": "£240", "changed": true})
    );
    assert_eq!(
        decided["detail"]["fields"][2]["value"],
        json!(4821),
        "untouched values keep their type"
    );
    assert_eq!(site.verdict(1)["choice"], json!("corrected"));
    page.assert_clean();
}

#[test]
fn redact_masks_selections_with_number_keys() {
    let Some(chromium) = chromium_or_skip("redact") else {
        return;
    };
    let site = Site::new();
    site.person("ray@example.com", "reviewer");
    let body = "Thanks for your order! If anything goes wrong, contact John Smith at john@example.com \
                or call +44 20 7946 0958. Your card ending 4242 was charged £38.";
    let task = site.task(json!({"module": "redact", "card": {"title": "Safe to send to the customer?"}, "payload": {"body": body}}));
    let page = site.signed_in(&chromium, "ray@example.com", "redact");
    page.wait_text("contact John Smith");
    page.select_text(".passage", "john@example.com");
    page.press("1");
    page.wait_for(".chips .chip");
    page.select_text(".passage", "+44 20 7946 0958");
    page.press("2");
    page.select_text(".passage", "John Smith");
    page.press("5");
    page.wait_until(
        "document.querySelectorAll('.chips .chip').length === 3",
        "three masked spans",
    );
    page.screenshots("game-redact");
    page.press("Enter");
    page.wait_text("Inbox zero");
    let decided = site.read(&id(&task));
    assert_eq!(
        (&decided["verdict"], &decided["choice"]),
        (&json!(true), &json!("redacted"))
    );
    let redacted = decided["detail"]["redacted_text"]
        .as_str()
        .expect("redacted text");
    assert!(
        redacted.contains("[REDACTED]")
            && !redacted.contains("john@example.com")
            && !redacted.contains("John Smith")
    );
    let labels: Vec<&str> = decided["detail"]["spans"]
        .as_array()
        .expect("spans")
        .iter()
        .filter_map(|s| s["label"].as_str())
        .collect();
    assert_eq!(labels, ["name", "email", "phone"]);
    assert_eq!(site.verdict(1)["detail"]["redacted_text"], json!(redacted));
    page.assert_clean();
}

#[test]
fn grounding_takes_the_selected_source_as_evidence() {
    let Some(chromium) = chromium_or_skip("grounding") else {
        return;
    };
    let site = Site::new();
    site.person("gil@example.com", "reviewer");
    let task = site.task(json!({
        "module": "grounding", "card": {"title": "Is the answer grounded?"},
        "payload": {
            "claim": "The Eiffel Tower is 330 metres tall and was finished in 1899.",
            "source": "The Eiffel Tower is a wrought-iron lattice tower in Paris. It was completed in 1889 as the entrance to the World's Fair, and is 330 metres tall including its antennas."
        }
    }));
    let page = site.signed_in(&chromium, "gil@example.com", "grounding");
    page.wait_text("wrought-iron lattice tower");
    page.select_text(".game-grounding .passage", "completed in 1889");
    page.press("q");
    page.wait_for(".evidence");
    page.screenshots("game-grounding");
    page.press("c");
    page.wait_for("dialog[open] textarea");
    page.press("Enter");
    page.wait_text("Inbox zero");
    let decided = site.read(&id(&task));
    assert_eq!(
        (&decided["verdict"], &decided["choice"], &decided["detail"]),
        (
            &json!(false),
            &json!("contradicted"),
            &json!({"evidence": "completed in 1889"})
        )
    );
    assert_eq!(site.verdict(1)["choice"], json!("contradicted"));
    page.assert_clean();
}

#[test]
fn a_card_decided_elsewhere_is_explained_and_skipped_past() {
    let Some(chromium) = chromium_or_skip("card taken away") else {
        return;
    };
    let site = Site::new();
    let reviewer = site.person("rex@example.com", "reviewer");
    let first = site.task(json!({"module": "swiper", "payload": {"content": "First card"}}));
    site.task(json!({"module": "swiper", "payload": {"content": "Second card"}}));
    let page = site.signed_in(&chromium, "rex@example.com", "taken-away");
    page.wait_text("First card");
    // The same reviewer decides the card in another window meanwhile.
    let (assignment, task) = site.server.next_card(&reviewer).expect("the card held");
    assert_eq!(task["id"], first["id"]);
    assert_eq!(
        site.server
            .decide(&reviewer, &assignment, json!({"decision": "approve"}))
            .status,
        200
    );
    page.press("ArrowLeft");
    page.fill("dialog[open] textarea", "Looks wrong");
    page.press("Enter");
    page.wait_text("decided elsewhere");
    page.wait_text("Second card");
    assert_eq!(
        site.read(&id(&first))["verdict"],
        json!(true),
        "the first decision stands"
    );
    page.assert_clean();
}
