//! Days 7–8: the onboarding experiment (a hypothesis from PostHog's signal, an A/B test
//! planned by an agent that asks a person a question on the way), and finished and
//! shelved work in the other two projects.

use serde_json::json;

use super::setup::Setup;
use super::{Story, at};

/// What the experiment hands to the last day: the two tasks queued then.
pub(super) struct Experiment {
    /// Blocked by the A/B test's plan until it is done; claimed on the last day.
    pub build_flag: String,
    /// Queued on the last day.
    pub instrument: String,
}

impl Story<'_> {
    /// Tells the experiment (see the module's documentation).
    pub(super) fn experiment(&mut self, setup: &Setup) -> Result<Experiment, String> {
        let Setup {
            labels,
            onboarding,
            funnel,
            search,
            android,
            ..
        } = setup;
        let (onboarding_label, frontend) = (labels.onboarding.clone(), labels.frontend.clone());
        let agent = ("claude-code", "agent");
        self.c.move_to(at(7, 10, 0));
        let experiment = self.issue(json!({
            "title": "Email verification before onboarding loses a fifth of signups", "type": "hypothesis", "status": "in_progress",
            "priority": 2, "projectId": onboarding, "labelIds": [onboarding_label, frontend],
            "hypothesis": {"statement": "Asking for email verification before the first project makes people leave",
                           "confidence": 0.6, "evidence": ["Conversion fell 18% the day verification moved first", "Session recordings show people waiting for the email"],
                           "validationCriteria": "Deferred verification lifts signup conversion by at least 0.3 points"}}))?;
        self.relate(&experiment, "related", funnel)?;
        let onboarding_child = |title: &str, kind: &str, priority: i64, labels: Vec<&String>| {
            json!({"title": title, "type": kind, "status": "backlog", "priority": priority, "parentId": experiment,
                   "projectId": onboarding, "labelIds": labels})
        };
        let ab_test = self.issue(onboarding_child(
            "A/B test deferring email verification",
            "plan",
            2,
            vec![&onboarding_label],
        ))?;
        let build_flag = self.issue(onboarding_child(
            "Build deferred verification behind a flag",
            "task",
            2,
            vec![&onboarding_label, &frontend],
        ))?;
        let instrument = self.issue(onboarding_child(
            "Instrument the verification step in PostHog",
            "task",
            3,
            vec![&onboarding_label],
        ))?;
        self.issue(onboarding_child(
            "Watch signup conversion for 7 days after the rollout",
            "monitor",
            4,
            vec![&onboarding_label],
        ))?;
        self.relate(&build_flag, "blocked_by", &ab_test)?;
        self.c.move_to(at(7, 11, 0));
        let plan_version = self
            .claim(&ab_test, onboarding, "sess-abtest-1", None)?
            .ok_or("no prompt for the plan")?;
        let growth = ("Lena Fischer", "human");
        let question = self.comment(
            &ab_test,
            agent,
            "Should the control keep verification first, or match production exactly?",
            None,
        )?;
        self.c.move_to(at(7, 13, 20));
        self.comment(
            &ab_test,
            growth,
            "Match production exactly; the flag only changes the order.",
            Some(&question),
        )?;
        self.c.move_to(at(7, 15, 0));
        self.patch(&format!("/api/issues/{ab_test}"), json!({
            "status": "done",
            "agentSummary": "Plan: 50/50 split on new signups for 14 days, primary metric signup_conversion, guardrail: spam signups.",
            "pullRequests": [{"number": 1302, "title": "Experiment plan: deferred verification", "url": "https://github.com/acme/storefront/pull/1302", "state": "merged"}]}))?;
        self.rate(
            &plan_version,
            &ab_test,
            [4, 3, 4],
            "Fine for a plan; it could list the metrics we already track.",
        )?;

        // Finished and shelved work elsewhere.
        self.c.move_to(at(8, 10, 0));
        for (title, project, status) in [
            (
                "Add synonyms for the 50 most common zero-result queries",
                search,
                "done",
            ),
            ("Rank in-stock products first", search, "done"),
            ("Upgrade the crash reporter", android, "backlog"),
            (
                "Rewrite the settings screen in Compose",
                android,
                "canceled",
            ),
        ] {
            self.issue(json!({"title": title, "type": "task", "status": status, "priority": 3, "projectId": project}))?;
        }
        Ok(Experiment {
            build_flag,
            instrument,
        })
    }
}
