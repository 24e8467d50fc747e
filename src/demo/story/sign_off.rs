//! Days 13–15: people sign off agents' work (docs/sign-off.md). After an incident fixed
//! by agents who marked their own work done, the checkout project starts requiring a
//! person's sign-off, and the onboarding project samples half its issues. Agents now
//! request review instead of closing issues; reviewers approve one (it is done), flag
//! one (it goes back to the queue with the reason as a comment, and the prompt version
//! that produced it gets a human's low score), and correct the figures of another in
//! the fixer game before approving it. The onboarding project's sample decides which of
//! its agents' issues wait for a person. The last day adds one more request, left
//! pending, so the reviewers' queue and the dashboard's badges show every state.

use serde_json::{Value, json};

use super::super::client::As;
use super::incident::Incident;
use super::review::Review;
use super::setup::Setup;
use super::{MINUTE, Story, at, id};

impl Story<'_> {
    /// Tells the start of sign-off (see the module's documentation).
    pub(super) fn sign_off(
        &mut self,
        setup: &Setup,
        incident: &Incident,
        review: &Review,
    ) -> Result<(), String> {
        let (checkout, onboarding) = (setup.checkout.as_str(), setup.onboarding.as_str());
        let labels = &setup.labels;
        let [ana, ben, chen] = review.reviewers();

        // Day 13: the policies, and the reviewers who will sign off.
        self.c.move_to(at(13, 9, 0));
        self.patch(
            &format!("/api/projects/{checkout}"),
            json!({"signOff": "required"}),
        )?;
        self.patch(
            &format!("/api/projects/{onboarding}"),
            json!({"signOff": "sampled", "signOffRate": 0.5}),
        )?;
        for project in [checkout, onboarding] {
            for reviewer in review.reviewers() {
                self.c.send(
                    As::Admin,
                    "PUT",
                    &format!("/api/v1/projects/{project}/reviewers/{}", reviewer.id),
                    &Value::Null,
                )?;
            }
        }
        // The checkout template learns to tell agents so (the `sign_off` partial renders
        // only where sign-off applies).
        let template = &incident.template;
        let version = self.post(&format!("/api/templates/{template}/versions"), json!({
            "content": "You are fixing a checkout problem in {{project.name}}.\n\n# {{issue.title}}\n\n{{issue.description}}\n\n\
                Why we think it happens: {{parent.title}}\n\n## How to work\n- Run the payment tests with `make test-payments` \
                (fixtures live in tests/fixtures/payments).\n- Add a regression test for what you fix.\n\n\
                When you are done, PATCH {{loopUrl}}/api/issues/{{issue.id}} with agentSummary, commits and pullRequests.\n{{> sign_off}}\n",
            "changelog": "Tell agents to request review: checkout changes now need a person's sign-off",
            "authorType": "human", "authorName": "Priya Natarajan"}))?;
        self.post(
            &format!(
                "/api/templates/{template}/versions/{}/promote",
                id(&version)?
            ),
            json!({}),
        )?;
        self.comment(
            &incident.coupons,
            ("Priya Natarajan", "human"),
            "From today a person signs off every checkout change before it counts as done: \
             the guard shipped without anyone reading it.",
            None,
        )?;

        // Sampled: each onboarding agent tries to finish; the sample (a hash of the
        // issue's number) lets one through and keeps the other for a person.
        self.c.move_to(at(13, 10, 0));
        let onboarding_label = &labels.onboarding;
        for (title, session, sha, summary) in [
            (
                "Add a link to resend the verification email",
                "sess-resend-1",
                "e5b2c07",
                "The waiting screen has a \"Send it again\" link, limited to one a minute.",
            ),
            (
                "Remember the signup form when verification is deferred",
                "sess-form-1",
                "b81f6c2",
                "The form's answers survive the round trip through the verification email.",
            ),
        ] {
            let issue = self.issue(json!({"title": title, "type": "task", "status": "backlog",
                "priority": 3, "projectId": onboarding, "labelIds": [onboarding_label]}))?;
            self.claim(&issue, onboarding, session, None)?;
            self.c.move_to(self.c.now().plus_millis(45 * MINUTE));
            let work = json!({"agentSummary": summary, "commits": [{"sha": sha,
                "message": title, "author": "claude-code"}]});
            self.finish(&issue, work)?;
        }

        // Approved: the agent is refused `done`, requests review, and Ana signs it off.
        self.c.move_to(at(13, 12, 0));
        let child = |title: &str, priority: i64, labels: [&String; 2], description: &str| {
            json!({"title": title, "type": "task", "status": "backlog", "priority": priority,
                   "parentId": incident.coupons, "projectId": checkout, "labelIds": labels,
                   "description": description})
        };
        let expiry = self.issue(child(
            "Show when a coupon expires in the cart summary",
            2,
            [&labels.payments, &labels.frontend],
            "Customers should see the expiry before they pay, not an error after.",
        ))?;
        self.claim(&expiry, checkout, "sess-expiry-1", None)?;
        self.c.move_to(at(13, 13, 40));
        let work = json!({
            "agentSummary": "The cart summary shows \"Expires in 12 min\" under a coupon that expires within the hour.",
            "commits": [{"sha": "c41e9d2", "message": "Show a coupon's expiry in the cart summary", "url": "https://github.com/acme/storefront/commit/c41e9d2", "author": "claude-code"}],
            "pullRequests": [{"number": 1334, "title": "Coupon expiry in the cart summary", "url": "https://github.com/acme/storefront/pull/1334", "state": "open"}]});
        let task = self
            .finish(&expiry, work)?
            .ok_or("the checkout project let an agent close its issue")?;
        self.c.move_to(at(13, 15, 0));
        self.decide(ana, checkout, &task, json!({"decision": "approve"}))?;

        // Flagged: back to the queue, with Ben's reason as a comment and a low score for
        // the prompt version.
        self.c.move_to(at(14, 9, 30));
        let logging = self.issue(child(
            "Log the coupon and the order with every checkout error",
            3,
            [&labels.payments, &labels.backend],
            "The next incident should not take a day to trace.",
        ))?;
        self.claim(&logging, checkout, "sess-errlog-1", None)?;
        self.c.move_to(at(14, 11, 0));
        let task = self.request_review(&logging, json!({
            "agentSummary": "Checkout errors now log the coupon code, the order number and the customer's email.",
            "commits": [{"sha": "7aa01f3", "message": "Log coupon and order context on checkout errors", "author": "claude-code"}]}),
            json!({}))?;
        self.c.move_to(at(14, 13, 0));
        self.decide(ben, checkout, &task, json!({"decision": "flag", "severity": "high",
            "reason": "The log line writes the customer's email address; log the order number only."}))?;

        // Corrected: Chen fixes one figure of the agent's list before signing it off.
        self.c.move_to(at(15, 10, 0));
        let orders = self.issue(child(
            "List the orders hit by the coupon bug, with what each customer was overcharged",
            2,
            [&labels.payments, &labels.backend],
            "Finance needs the list before any refunds go out.",
        ))?;
        self.relate(&orders, "related", &incident.refund_plan)?;
        self.claim(&orders, checkout, "sess-orders-1", None)?;
        self.c.move_to(at(15, 12, 30));
        let task = self.request_review(
            &orders,
            json!({"agentSummary": "Three orders paid the full price after their coupon expired mid-checkout; the amounts are the lost discounts."}),
            json!({"module": "fixer", "fields": [
                {"label": "Order #88213", "key": "88213", "value": "€42.50"},
                {"label": "Order #88240", "key": "88240", "value": "€18.00"},
                {"label": "Order #88291", "key": "88291", "value": "€7.90"}]}),
        )?;
        self.c.move_to(at(15, 14, 0));
        self.decide(
            chen,
            checkout,
            &task,
            json!({"decision": "approve", "detail": {"fields": [
            {"value": "€42.50"}, {"value": "€16.20"}, {"value": "€7.90"}]},
            "reason": "#88240's discount did not cover shipping."}),
        )?;

        Ok(())
    }

    /// An agent finishes `issue`: marks it done with its `work` (summary, commits, pull
    /// requests) or, when its project's policy wants a person's sign-off (409), requests
    /// review instead; answers the review task's id, if it came to that.
    fn finish(&mut self, issue: &str, work: Value) -> Result<Option<String>, String> {
        let mut done = work.clone();
        done["status"] = json!("done");
        let answer = self.c.call(
            As::Admin,
            "PATCH",
            &format!("/api/issues/{issue}"),
            &[],
            done.to_string().as_bytes(),
        );
        match answer.status {
            200 => Ok(None),
            409 => self.request_review(issue, work, json!({})).map(Some),
            status => Err(format!(
                "closing {issue} answered {status}: {}",
                answer.json
            )),
        }
    }

    /// An agent records its `work` on `issue` (summary, commits, pull requests) and
    /// requests a person's review with `request` (`module`, `fields`); answers the review
    /// task's id.
    pub(super) fn request_review(
        &mut self,
        issue: &str,
        work: Value,
        request: Value,
    ) -> Result<String, String> {
        self.patch(&format!("/api/issues/{issue}"), work)?;
        let requested = self.post(&format!("/api/issues/{issue}/review-request"), request)?;
        requested["reviewTaskId"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("no reviewTaskId in {requested}"))
    }
}
