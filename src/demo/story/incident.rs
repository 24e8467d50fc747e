//! Days 1–6: the checkout incident. A hypothesis for Sentry's TypeError, argued over in
//! threaded comments, and its plan of work (tasks, a plan, blocking relations); a
//! prompt template of the project's own whose first version agents rate poorly, until
//! the third poor review opens an improvement issue and a rewritten version is promoted
//! and rates better; agents finishing, abandoning and (the last one) dying mid-claim, so
//! that one lease lapses.

use serde_json::json;

use super::setup::Setup;
use super::{Story, at, id};

/// What the incident hands to the acts that follow.
pub(super) struct Incident {
    /// The hypothesis every checkout task hangs under.
    pub coupons: String,
    /// The refund plan, claimed on the last day.
    pub refund_plan: String,
    /// The backfill the refund plan blocks, queued on the last day.
    pub backfill: String,
    /// The project's template for checkout fixes.
    pub template: String,
}

impl Story<'_> {
    /// Tells the incident (see the module's documentation).
    pub(super) fn incident(&mut self, setup: &Setup) -> Result<Incident, String> {
        let Setup {
            labels,
            checkout,
            latency,
            sentry,
            apple_pay,
            ..
        } = setup;
        let (payments, backend, flaky) = (
            labels.payments.clone(),
            labels.backend.clone(),
            labels.flaky.clone(),
        );
        // Day 1: a hypothesis for the checkout errors, and its plan of work.
        self.c.move_to(at(1, 11, 0));
        let coupons = self.issue(json!({
            "title": "Expired coupons leave the cart total undefined", "type": "hypothesis", "status": "in_progress",
            "priority": 1, "projectId": checkout, "labelIds": [payments, backend],
            "description": "The TypeError in cart/summary.ts started with Tuesday's coupon campaign.",
            "hypothesis": {"statement": "When a coupon expires between page load and payment, the cart summary reads the total of an undefined discount",
                           "confidence": 0.8,
                           "evidence": ["142 Sentry events, every one with an expired coupon in the session", "Carts without a coupon never fail"],
                           "validationCriteria": "No TypeError in cart/summary.ts for 48 hours after the fix",
                           "prediction": "Checkout success rate back above 99%"}}))?;
        self.relate(&coupons, "related", sentry)?;
        self.relate(latency, "related", &coupons)?;
        let ops = ("Priya Natarajan", "human");
        let agent = ("claude-code", "agent");
        let first = self.comment(
            &coupons,
            ops,
            "Sentry shows 142 events since the coupon campaign went out on Tuesday.",
            None,
        )?;
        self.c.move_to(at(1, 11, 40));
        let reply = self.comment(&coupons, agent, "Confirmed: every failing session carries a coupon that expired after the cart was loaded.", Some(&first))?;
        self.c.move_to(at(1, 12, 5));
        self.comment(
            &coupons,
            ops,
            "Good catch. Ship the guard first, then the backfill.",
            Some(&reply),
        )?;
        self.comment(
            &coupons,
            ("Marco Bianchi", "human"),
            "Finance needs the list of affected orders before any refunds go out.",
            None,
        )?;

        let child = |title: &str,
                     kind: &str,
                     priority: i64,
                     labels: Vec<&String>,
                     description: &str| {
            json!({"title": title, "type": kind, "status": "backlog", "priority": priority, "parentId": coupons,
                   "projectId": checkout, "labelIds": labels, "description": description})
        };
        let guard = self.issue(child(
            "Guard the cart total when a coupon expires",
            "task",
            1,
            vec![&payments, &backend],
            "totalWithDiscount must treat an expired coupon as no discount instead of throwing.",
        ))?;
        let regression = self.issue(child(
            "Add a regression test for expired coupons",
            "task",
            2,
            vec![&payments],
            "Cover a coupon that expires between cart load and payment.",
        ))?;
        let refund_plan = self.issue(child(
            "Write the refund plan for affected customers",
            "plan",
            2,
            vec![&payments],
            "Who gets refunded, how much, and what we tell them.",
        ))?;
        let backfill = self.issue(child(
            "Backfill orders that failed during the incident",
            "task",
            2,
            vec![&payments, &backend],
            "Replay the failed checkouts once the refund plan is agreed.",
        ))?;
        let retry = self.issue(child("Retry payments that get a 502 from the gateway", "task", 3, vec![&payments, &flaky],
            "The gateway answers 502 for about 0.3% of authorisations; one retry would save most of them."))?;
        let server_side = self.issue(child(
            "Validate coupons on the server",
            "task",
            3,
            vec![&payments, &backend],
            "Move coupon validation out of the browser.",
        ))?;
        self.relate(&backfill, "blocked_by", &refund_plan)?;
        self.relate(&refund_plan, "blocks", &backfill)?;
        self.relate(apple_pay, "related", &guard)?;

        // A template of its own for checkout fixes, whose first version reviews poorly.
        self.c.move_to(at(1, 15, 0));
        let template = id(&self.post(
            "/api/templates",
            json!({"slug": "checkout-fix", "name": "Checkout fixes", "description": "For tasks that change how customers pay.",
                   "conditions": {"type": "task", "labels": ["payments"]}, "specificity": 50, "projectId": checkout}),
        )?)?;
        let version = |content: &str, changelog: &str| json!({"content": content, "changelog": changelog, "authorType": "human", "authorName": "Priya Natarajan"});
        self.post(&format!("/api/templates/{template}/versions"), version(
            "You are fixing a checkout problem in {{project.name}}.\n\n# {{issue.title}}\n\n{{issue.description}}\n\n\
             Why we think it happens: {{parent.title}}\n\nWhen you are done, PATCH {{loopUrl}}/api/issues/{{issue.id}} \
             with agentSummary, commits and pullRequests.\n",
            "First version",
        ))?;

        // Days 2–4: agents take the checkout work.
        self.c.move_to(at(2, 9, 30));
        let v1 = self
            .claim(&guard, checkout, "sess-guard-1", None)?
            .ok_or("no prompt for the guard")?;
        self.c.move_to(at(2, 10, 15));
        self.comment(
            &guard,
            agent,
            "Reproduced with a coupon that expires 30 s after the cart loads.",
            None,
        )?;
        self.c.move_to(at(2, 11, 50));
        self.patch(&format!("/api/issues/{guard}"), json!({
            "status": "done",
            "agentSummary": "totalWithDiscount now treats an expired or missing coupon as no discount. Added a unit test; all payment tests pass.",
            "commits": [{"sha": "9f2c4e1", "message": "Treat an expired coupon as no discount", "url": "https://github.com/acme/storefront/commit/9f2c4e1", "author": "claude-code", "timestamp": at(2, 11, 30).to_string()}],
            "pullRequests": [{"number": 1288, "title": "Guard the cart total against expired coupons", "url": "https://github.com/acme/storefront/pull/1288", "state": "merged", "mergedAt": at(2, 11, 45).to_string()}]}))?;
        self.rate(
            &v1,
            &guard,
            [3, 2, 4],
            "It never says how to run the payment tests; I had to find the script myself.",
        )?;

        self.c.move_to(at(3, 9, 10));
        let v1b = self
            .claim(&regression, checkout, "sess-regression-1", None)?
            .ok_or("no prompt for the test")?;
        self.c.move_to(at(3, 10, 40));
        self.patch(&format!("/api/issues/{regression}"), json!({
            "status": "done",
            "agentSummary": "Added an end-to-end test where the coupon expires between cart load and payment.",
            "commits": [{"sha": "1b7d0aa", "message": "Test checkout with a coupon that expires mid-session", "author": "claude-code"}],
            "pullRequests": [{"number": 1291, "title": "Regression test for expired coupons", "url": "https://github.com/acme/storefront/pull/1291", "state": "merged", "mergedAt": at(3, 10, 35).to_string()}]}))?;
        self.rate(
            &v1b,
            &regression,
            [3, 2, 3],
            "No word on where the fixtures live.",
        )?;

        self.c.move_to(at(4, 9, 0));
        let v1c = self
            .claim(&server_side, checkout, "sess-coupons-1", None)?
            .ok_or("no prompt for validation")?;
        self.c.move_to(at(4, 15, 20));
        self.patch(&format!("/api/issues/{server_side}"), json!({
            "status": "canceled",
            "agentSummary": "Abandoned: the coupon service has no validation endpoint yet. Needs a decision from the payments team."}))?;
        // The third poor review opens an improvement issue for the template.
        self.rate(
            &v1c,
            &server_side,
            [2, 2, 3],
            "The prompt assumes the change is in the storefront; this one is not.",
        )?;
        self.c.move_to(at(4, 16, 0));
        self.patch(&format!("/api/issues/{sentry}"), json!({"status": "done"}))?;

        // Day 5: the template is rewritten, promoted, and reviews better.
        self.c.move_to(at(5, 10, 0));
        let v2 = id(&self.post(&format!("/api/templates/{template}/versions"), version(
            "You are fixing a checkout problem in {{project.name}}.\n\n# {{issue.title}}\n\n{{issue.description}}\n\n\
             Why we think it happens: {{parent.title}}\n\n## How to work\n- Run the payment tests with `make test-payments` \
             (fixtures live in tests/fixtures/payments).\n- Add a regression test for what you fix.\n\n\
             When you are done, PATCH {{loopUrl}}/api/issues/{{issue.id}} with agentSummary, commits and pullRequests.\n",
            "Say how to run the payment tests and where the fixtures are; ask for a regression test",
        ))?)?;
        self.post(
            &format!("/api/templates/{template}/versions/{v2}/promote"),
            json!({}),
        )?;
        self.post(&format!("/api/templates/{template}/versions"), version(
            "Checkout fix: {{issue.title}}\n\n1. Reproduce. 2. Fix. 3. `make test-payments`. 4. PATCH {{loopUrl}}/api/issues/{{issue.id}}.\n",
            "Draft: a shorter checklist to try next",
        ))?;
        self.c.move_to(at(6, 9, 0));
        let v2a = self
            .claim(&retry, checkout, "sess-retry-1", Some(3600))?
            .ok_or("no prompt for the retry")?;
        self.rate(
            &v2a,
            &retry,
            [4, 4, 5],
            "Clear, and the test command worked first time.",
        )?;
        self.comment(
            &retry,
            agent,
            "Starting: the gateway client is in payments/gateway.ts.",
            None,
        )?;
        // Then the agent's session dies: its lease lapses with the issue still claimed.
        self.rate(
            &v2,
            &guard,
            [5, 4, 5],
            "Re-ran the guard with the new version: everything I needed was there.",
        )?;
        self.rate(
            &v2,
            &regression,
            [4, 5, 4],
            "Good: it asked for the regression test up front.",
        )?;
        Ok(Incident {
            coupons,
            refund_plan,
            backfill,
            template,
        })
    }
}
