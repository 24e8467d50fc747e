//! Day 20, the story's last: agents mid-claim, an agent's plan awaiting a person's
//! sign-off, work queued for the next agent, and cards of every game waiting for
//! reviewers; then everyone signs out, so no session ships.

use serde_json::json;

use super::super::client::As;
use super::experiment::Experiment;
use super::incident::Incident;
use super::review::Review;
use super::setup::Setup;
use super::{Story, at};

impl Story<'_> {
    /// Tells the last day (see the module's documentation).
    pub(super) fn last_day(
        &mut self,
        setup: &Setup,
        incident: &Incident,
        experiment: &Experiment,
        review: &Review,
    ) -> Result<(), String> {
        self.c.move_to(at(20, 9, 30));
        if let Some(version) = self.claim(
            &incident.refund_plan,
            &setup.checkout,
            "sess-refunds-2",
            Some(86_400),
        )? {
            self.rate(
                &version,
                &incident.refund_plan,
                [4, 4, 4],
                "Clear enough for a plan.",
            )?;
        }
        self.patch(
            &format!("/api/issues/{}", incident.backfill),
            json!({"status": "todo"}),
        )?;
        // The refund plan waits for a person's sign-off: the backfill it blocks waits too.
        self.c.move_to(at(20, 15, 30));
        self.request_review(&incident.refund_plan, json!({
            "agentSummary": "Refund the three overcharged orders their lost discount, with a 10% goodwill code and an apology email; finance approves the list first.",
            "pullRequests": [{"number": 1341, "title": "Refund plan for the expired-coupon incident", "url": "https://github.com/acme/storefront/pull/1341", "state": "open"}]}),
            json!({}))?;
        self.c.move_to(at(20, 16, 0));
        self.claim(
            &experiment.build_flag,
            &setup.onboarding,
            "sess-flag-1",
            Some(86_400),
        )?;
        self.patch(
            &format!("/api/issues/{}", experiment.instrument),
            json!({"status": "todo"}),
        )?;

        self.c.move_to(at(20, 17, 0));
        let (support, content) = (review.support_key.as_str(), review.content_key.as_str());
        for (key, task) in [
            (
                support,
                json!({"module": "swiper", "source": "zendesk", "external_id": "ticket-5002", "mode": "gate",
                "timeout_seconds": 604_800, "callback_url": "https://crm.acme.example/loop/callback",
                "payload": {"content": "We've upgraded you to Priority shipping at no cost."},
                "card": {"title": "Goodwill reply to ticket #5002", "suggestion": {"label": "approve", "confidence": 0.91}}}),
            ),
            (
                support,
                json!({"module": "versus", "source": "zendesk", "external_id": "ticket-5003",
                "payload": {"a": "Your refund is on its way.", "b": "We've sent your refund; it usually arrives within 5 working days."},
                "card": {"title": "Which reply should go to ticket #5003?"}}),
            ),
            (
                support,
                json!({"module": "sorter", "source": "zendesk", "external_id": "ticket-5004",
                "payload": {"content": "The app crashes when I open my order history."},
                "card": {"title": "Route ticket #5004", "choices": ["Billing", "Shipping", "Bug", "Other"]}}),
            ),
            (
                support,
                json!({"module": "fixer", "source": "zendesk", "external_id": "ticket-5005",
                "payload": {"fields": [{"label": "Delivery address", "value": "12 Baker Stret, London NW1 6XE", "key": "address"}]},
                "card": {"title": "Check the corrected address for ticket #5005"}}),
            ),
            (
                content,
                json!({"module": "detective", "source": "cms", "external_id": "page-security",
                "payload": {"body": "All customer data is encrypted at rest and in transit, and backups are kept for 35 days."},
                "card": {"title": "Security page copy"}}),
            ),
            (
                content,
                json!({"module": "redact", "source": "helpdesk", "external_id": "article-318",
                "payload": {"body": "Ask Tom Reyes (tom.reyes@acme.example) for an invoice copy."},
                "card": {"title": "Help article: invoices"}}),
            ),
            (
                content,
                json!({"module": "grounding", "source": "docs-bot",
                "payload": {"claim": "Invoices can be downloaded as PDF.", "source": "Every invoice has a Download PDF button."},
                "card": {"title": "Docs assistant answer"}}),
            ),
        ] {
            self.task(key, task)?;
        }
        for person in &review.people {
            self.c.send(
                As::Person(&person.cookie),
                "POST",
                "/api/v1/auth/logout",
                &json!({}),
            )?;
        }
        self.c.move_to(super::super::END);
        Ok(())
    }
}
