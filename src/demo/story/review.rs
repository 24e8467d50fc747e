//! Days 9–12: the review half. The people (an owner, an admin, three reviewers and a
//! viewer) and two review projects with keys and webhooks; support replies and content
//! checks in every game, approved, flagged, agreed on by two, disputed and settled by
//! the admin, escalated; golden tasks, one answered wrong; gate tasks nobody reached in
//! time; and the verdicts' deliveries succeeding, retrying and failing.

use serde_json::{Value, json};

use super::super::DEMO_PASSWORD;
use super::super::client::As;
use super::{PEOPLE, Person, Story, at, id};
use crate::service::maintenance;

/// Ben's slips: he will get the first probe he meets wrong (he already judged a golden
/// reply on its tone), and pay attention after.
const BEN_SLIPS: u32 = 1;

/// What the review half hands to the acts that follow.
pub(super) struct Review {
    pub support: String,
    pub support_key: String,
    pub content: String,
    pub content_key: String,
    /// Everyone of [`PEOPLE`], signed in, in that order.
    pub people: Vec<Person>,
}

impl Review {
    /// The admin, Sam.
    pub fn admin(&self) -> &Person {
        &self.people[1]
    }

    /// The three reviewers: Ana, Ben and Chen.
    pub fn reviewers(&self) -> [&Person; 3] {
        [2, 3, 4].map(|i| &self.people[i])
    }
}

impl Story<'_> {
    /// Tells the review half (see the module's documentation).
    pub(super) fn review(&mut self) -> Result<Review, String> {
        self.c.move_to(at(9, 9, 0));
        let mut people = Vec::new();
        for (email, name, role) in PEOPLE {
            let user = self.c.send(As::Admin, "POST", "/api/v1/users",
                &json!({"email": email, "password": DEMO_PASSWORD, "role": role, "display_name": name}))?;
            people.push(id(&user)?);
        }
        let mut projects = Vec::new();
        for (name, description) in [
            (
                "Support replies",
                "Replies drafted by the support assistant, checked before they are sent.",
            ),
            (
                "Content checks",
                "Product copy and help articles checked for errors and personal data.",
            ),
        ] {
            let project = id(&self.post(
                "/api/projects",
                json!({"name": name, "description": description, "status": "active"}),
            )?)?;
            let key = self.c.send(
                As::Admin,
                "POST",
                &format!("/api/v1/projects/{project}/keys"),
                &json!({"name": "zapier"}),
            )?;
            let key = key["key"].as_str().ok_or("no key")?.to_owned();
            for reviewer in &people[2..5] {
                self.c.send(
                    As::Admin,
                    "PUT",
                    &format!("/api/v1/projects/{project}/reviewers/{reviewer}"),
                    &Value::Null,
                )?;
            }
            projects.push((project, key));
        }
        let (support, support_key) = projects[0].clone();
        let (content, content_key) = projects[1].clone();
        for (key, url) in [
            (&support_key, "https://hooks.acme.example/loop/verdicts"),
            (&support_key, "https://automations.acme.example/catch/8812"),
            (&content_key, "https://legacy.acme.example/webhook"),
        ] {
            self.c
                .send(As::Key(key), "POST", "/api/v1/hooks", &json!({"url": url}))?;
        }
        let mut signed_in = Vec::new();
        for ((email, _, _), id) in PEOPLE.iter().zip(people) {
            let cookie = self.sign_in(email)?;
            let slips = if *email == "ben@example.com" {
                BEN_SLIPS
            } else {
                0
            };
            signed_in.push(Person {
                id,
                cookie,
                slips: slips.into(),
            });
        }
        let review = Review {
            support,
            support_key,
            content,
            content_key,
            people: signed_in,
        };
        let [ana, ben, chen] = review.reviewers();
        let admin = review.admin();
        let (support, support_key) = (review.support.clone(), review.support_key.clone());
        let (content, content_key) = (review.content.clone(), review.content_key.clone());
        let callback = "https://crm.acme.example/loop/callback";

        // Day 9: support replies, approved, flagged, agreed on by two, disputed.
        self.c.move_to(at(9, 10, 0));
        let refund = self.task(&support_key, json!({
            "module": "swiper", "source": "zendesk", "external_id": "ticket-4821", "callback_url": callback,
            "payload": {"content": "Hi Maria, we have refunded €42.50 to your card. It should arrive within 5 working days."},
            "card": {"title": "Refund reply to ticket #4821", "subtitle": "Drafted by the support assistant",
                     "fields": [{"label": "Order", "value": "#88213"}, {"label": "Refund", "value": "€42.50", "highlight": true}]}}))?;
        self.decide(ana, &support, &refund, json!({"decision": "approve"}))?;
        self.c.move_to(at(9, 10, 30));
        let discount = self.task(&support_key, json!({
            "module": "swiper", "source": "zendesk", "external_id": "ticket-4830", "callback_url": callback,
            "payload": {"content": "Sorry for the delay! As an apology, here is 50% off everything for a year."},
            "card": {"title": "Apology reply to ticket #4830", "suggestion": {"label": "approve", "confidence": 0.62}}}))?;
        self.decide(ben, &support, &discount, json!({"decision": "flag", "reason": "We never offer 50% for a year; policy caps goodwill at 10%.", "severity": "high"}))?;
        self.c.move_to(at(9, 11, 0));
        let tone = self.task(&support_key, json!({
            "module": "versus", "source": "zendesk", "external_id": "ticket-4833", "reviews_required": 2,
            "payload": {"a": "We understand your frustration and have escalated your order to our shipping team.",
                        "b": {"text": "Your order is delayed. Nothing we can do."}},
            "card": {"title": "Which reply should go to ticket #4833?"}}))?;
        self.decide(
            ana,
            &support,
            &tone,
            json!({"decision": "approve", "choice": "a"}),
        )?;
        self.decide(
            ben,
            &support,
            &tone,
            json!({"decision": "approve", "choice": "a"}),
        )?;
        self.c.move_to(at(9, 11, 30));
        let routing = self.task(&support_key, json!({
            "module": "sorter", "source": "zendesk", "external_id": "ticket-4840", "reviews_required": 2,
            "payload": {"content": "I was charged twice and the parcel still hasn't arrived."},
            "card": {"title": "Route ticket #4840", "choices": ["Billing", "Shipping", "Bug", "Other"]}}))?;
        self.decide(
            ana,
            &support,
            &routing,
            json!({"decision": "approve", "choice": "Billing"}),
        )?;
        self.decide(
            chen,
            &support,
            &routing,
            json!({"decision": "approve", "choice": "Shipping"}),
        )?;
        self.c.move_to(at(9, 12, 0));
        let iban = self.task(&support_key, json!({
            "module": "fixer", "source": "zendesk", "external_id": "ticket-4852",
            "payload": {"fields": [{"label": "Account holder", "value": "Jonas Berg", "key": "holder"},
                                   {"label": "IBAN", "value": "DE89 3704 0044 0532 0130 0", "key": "iban"}]},
            "card": {"title": "Check the refund bank details for ticket #4852"}}))?;
        self.decide(ben, &support, &iban, json!({"decision": "escalate", "reason": "The IBAN looks one digit short; finance should confirm."}))?;
        // Golden tasks: reviewers cannot tell them from real ones.
        self.c.move_to(at(9, 14, 0));
        let golden_reply = self.task(&support_key, json!({
            "module": "swiper", "source": "calibration", "golden": true, "answer": true,
            "payload": {"content": "Thanks for your patience! Your order shipped today; here is the tracking link."},
            "card": {"title": "Shipping update for ticket #4861"}}))?;
        self.decide(ana, &support, &golden_reply, json!({"decision": "approve"}))?;
        self.decide(
            ben,
            &support,
            &golden_reply,
            json!({"decision": "flag", "reason": "Sounds too casual."}),
        )?;
        self.deliver()?;

        // Day 10: the admin settles the disputed routing; content checks.
        self.c.move_to(at(10, 9, 30));
        self.c.send(As::Person(&admin.cookie), "POST", &format!("/api/v1/review/tasks/{routing}/resolve"),
            &json!({"decision": "approve", "choice": "Billing", "reason": "A double charge is a billing problem first."}))?;
        self.c.move_to(at(10, 10, 0));
        let claim = self.task(&content_key, json!({
            "module": "detective", "source": "cms", "external_id": "page-pricing",
            "payload": {"body": "Every plan includes 24/7 phone support in 40 countries and a free month."},
            "card": {"title": "Pricing page copy"}}))?;
        self.decide(
            ana,
            &content,
            &claim,
            json!({"decision": "flag", "reason": "Phone support is weekdays only.",
            "detail": {"spans": [{"start": 20, "end": 44}]}}),
        )?;
        let article = self.task(&content_key, json!({
            "module": "redact", "source": "helpdesk", "external_id": "article-311",
            "payload": {"body": "If the export fails, write to dana.kim@acme.example or call +44 20 7946 0958."},
            "card": {"title": "Help article: exporting data"}}))?;
        self.decide(chen, &content, &article, json!({"decision": "approve", "detail": {"spans": [
            {"start": 31, "end": 50, "label": "email"}, {"start": 59, "end": 75, "label": "phone"}]}}))?;
        let supported = self.task(&content_key, json!({
            "module": "grounding", "source": "docs-bot",
            "payload": {"claim": "Exports include archived projects.", "source": "Exports contain every project, archived ones included, as CSV."},
            "card": {"title": "Docs assistant answer"}}))?;
        self.decide(ben, &content, &supported, json!({"decision": "approve"}))?;
        let contradicted = self.task(&content_key, json!({
            "module": "grounding", "source": "docs-bot",
            "payload": {"claim": "Deleted projects can be restored for 90 days.", "source": "Deleted projects are kept for 30 days, then erased."},
            "card": {"title": "Docs assistant answer"}}))?;
        self.decide(ana, &content, &contradicted, json!({"decision": "flag", "choice": "contradicted", "reason": "The policy says 30 days."}))?;
        let golden_copy = self.task(&content_key, json!({
            "module": "detective", "source": "calibration", "golden": true, "answer": false,
            "payload": {"body": "Our warehouse in Berlin ships to all 27 EU countries within 2 days."},
            "card": {"title": "Shipping page copy"}}))?;
        self.decide(
            chen,
            &content,
            &golden_copy,
            json!({"decision": "flag", "reason": "Two days is only for Germany.",
            "detail": {"spans": [{"start": 59, "end": 65}]}}),
        )?;
        self.deliver()?;

        // Day 12: gate tasks nobody reached in time.
        self.c.move_to(at(12, 9, 0));
        self.task(&support_key, json!({
            "module": "swiper", "source": "zendesk", "external_id": "ticket-4901", "mode": "gate", "timeout_seconds": 600,
            "on_timeout": "reject", "callback_url": callback,
            "payload": {"content": "Your account has been closed as requested."},
            "card": {"title": "Account closure confirmation"}}))?;
        self.task(&content_key, json!({
            "module": "grounding", "source": "docs-bot", "mode": "gate", "timeout_seconds": 900, "on_timeout": "escalate",
            "payload": {"claim": "SSO is included in the Team plan.", "source": "SSO is available on the Enterprise plan."},
            "card": {"title": "Docs assistant answer"}}))?;
        self.c.move_to(at(12, 9, 20));
        maintenance::time_out_gates(&mut self.c.ctx()).map_err(|e| format!("{e:?}"))?;
        self.deliver()?;
        Ok(review)
    }
}
