//! Days 16–19: a calibration week (docs/reviewer-quality.md). After Ben judged a golden
//! reply on its tone, the admin raises the support project's decoy and golden rates, and
//! the content project's decoy rate, for a week of ordinary work: new golden tasks to
//! calibrate on, and replies and content checks the three reviewers decide. On the way
//! the queue deals them probes: decoys (copies of recent cards with one planted error)
//! that they catch, and Ben, once, misses; resolved golden tasks they have not seen.
//! Every decision is scored (XP, streaks, badges) and chained into the projects' audit
//! logs, so the admin's reviewer pages show trust, accuracy and catch rates that the
//! log proves. At the end of the week the rates go back down.

use serde_json::{Value, json};

use super::super::client::As;
use super::review::Review;
use super::{Story, at};

impl Story<'_> {
    /// Tells the calibration week (see the module's documentation).
    pub(super) fn quality(&mut self, review: &Review) -> Result<(), String> {
        let [ana, ben, chen] = review.reviewers();
        let admin = review.admin();
        let (support, content) = (review.support.as_str(), review.content.as_str());
        let (support_key, content_key) = (review.support_key.as_str(), review.content_key.as_str());

        self.c.move_to(at(16, 9, 0));
        for (project, rates) in [
            (support, json!({"decoy_rate": 0.25, "golden_rate": 0.15})),
            (content, json!({"decoy_rate": 0.25})),
        ] {
            self.c.send(
                As::Person(&admin.cookie),
                "PATCH",
                &format!("/api/v1/projects/{project}"),
                &rates,
            )?;
        }

        // New golden tasks, dealt in the queue's order like any task.
        self.c.move_to(at(16, 9, 30));
        let wrong_policy = self.task(support_key, json!({
            "module": "swiper", "source": "calibration", "golden": true, "answer": false,
            "payload": {"content": "No problem: you can return anything within 90 days of delivery."},
            "card": {"title": "Returns reply to ticket #4907"}}))?;
        self.decide(
            chen,
            support,
            &wrong_policy,
            json!({"decision": "flag",
            "reason": "Returns are 30 days, not 90.", "severity": "medium"}),
        )?;
        let replacement = self.task(support_key, json!({
            "module": "swiper", "source": "calibration", "golden": true, "answer": true,
            "payload": {"content": "Sorry about that! A replacement ships tomorrow by tracked courier."},
            "card": {"title": "Replacement reply to ticket #4908"}}))?;
        self.decide(ana, support, &replacement, json!({"decision": "approve"}))?;

        // The week's work, each card submitted as its reviewer gets to it.
        let approve = || json!({"decision": "approve"});
        let swiper = |ticket: &str, title: &str, content: &str| {
            json!({"module": "swiper", "source": "zendesk", "external_id": format!("ticket-{ticket}"),
                   "payload": {"content": content}, "card": {"title": format!("{title} to ticket #{ticket}")}})
        };
        let week: Vec<(i64, i64, &str, Value, usize, Value)> = vec![
            (
                16,
                10,
                support_key,
                swiper(
                    "4910",
                    "Shipping reply",
                    "Hi Tom, order #88410 left our warehouse today and should arrive in 2 to 3 working days.",
                ),
                0,
                approve(),
            ),
            (
                16,
                11,
                support_key,
                swiper(
                    "4912",
                    "Cancellation reply",
                    "We have cancelled order #88415 and refunded the full €64.00 to your card.",
                ),
                1,
                approve(),
            ),
            (
                16,
                15,
                content_key,
                json!({"module": "detective", "source": "cms", "external_id": "page-shipping",
                "payload": {"body": "Orders over €40 ship free. Orders under €40 pay €4.90 for shipping."},
                "card": {"title": "Shipping page copy"}}),
                2,
                approve(),
            ),
            (
                16,
                16,
                support_key,
                swiper(
                    "4918",
                    "Billing reply",
                    "Unfortunately we cannot help with this. Please contact your bank.",
                ),
                0,
                json!({"decision": "flag", "severity": "medium",
                       "reason": "The customer was charged twice; we refund that ourselves."}),
            ),
            (
                17,
                9,
                support_key,
                swiper(
                    "4921",
                    "Loyalty reply",
                    "Your 1,250 loyalty points will be added to your account within 24 hours.",
                ),
                1,
                approve(),
            ),
            (
                17,
                10,
                content_key,
                json!({"module": "grounding", "source": "docs-bot",
                "payload": {"claim": "The Team plan includes 10 seats.", "source": "The Team plan comes with 10 seats; more cost €8 each."},
                "card": {"title": "Docs assistant answer"}}),
                0,
                approve(),
            ),
            (
                17,
                14,
                support_key,
                swiper(
                    "4927",
                    "Address change reply",
                    "We've noted your new address, 4 Rue des Lilas, 75011 Paris, for your next 3 deliveries.",
                ),
                2,
                approve(),
            ),
            (
                17,
                15,
                content_key,
                json!({"module": "grounding", "source": "docs-bot",
                "payload": {"claim": "Data exports run every hour.", "source": "Exports run once a day, at 02:00 UTC."},
                "card": {"title": "Docs assistant answer"}}),
                1,
                json!({"decision": "flag", "choice": "contradicted", "reason": "Exports run daily."}),
            ),
            (
                17,
                16,
                support_key,
                swiper(
                    "4930",
                    "Complaint reply",
                    "I have passed your complaint to our CEO, who will call you tonight before 8 pm.",
                ),
                2,
                json!({"decision": "flag", "severity": "high", "reason": "Nobody can promise a call from the CEO."}),
            ),
            (
                18,
                9,
                support_key,
                swiper(
                    "4933",
                    "Subscription reply",
                    "Your subscription renews on 1 February at €9.99 a month; cancel any time before then.",
                ),
                0,
                approve(),
            ),
            (
                18,
                10,
                content_key,
                json!({"module": "detective", "source": "cms", "external_id": "page-about",
                "payload": {"body": "We were founded in 2015 in Lisbon. Today 120 people work with us in 4 offices."},
                "card": {"title": "About page copy"}}),
                1,
                approve(),
            ),
            (
                18,
                11,
                support_key,
                json!({"module": "versus", "source": "zendesk", "external_id": "ticket-4936",
                "payload": {"a": "Refund sent.", "b": "We've refunded €18.40 to your card; it shows within 5 working days."},
                "card": {"title": "Which reply should go to ticket #4936?"}}),
                2,
                json!({"decision": "approve", "choice": "b"}),
            ),
        ];
        let reviewers = [ana, ben, chen];
        for (day, hour, key, body, reviewer, decision) in week {
            self.c.move_to(at(day, hour, 0));
            let project = if key == support_key { support } else { content };
            let task = self.task(key, body)?;
            self.decide(reviewers[reviewer], project, &task, decision)?;
        }
        self.deliver()?;

        // The calibration week is over: probes back to their everyday rates.
        self.c.move_to(at(19, 9, 0));
        for project in [support, content] {
            self.c.send(
                As::Person(&admin.cookie),
                "PATCH",
                &format!("/api/v1/projects/{project}"),
                &json!({"decoy_rate": 0.1, "golden_rate": 0.05}),
            )?;
        }
        Ok(())
    }
}
