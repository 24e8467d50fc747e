//! Days 0–1: the stage. Labels; four engine projects whose goals are at every stage (at
//! risk, on track, achieved, abandoned); signals from every provider (Datadog through
//! the generic route, Sentry, GitHub and PostHog through their signed webhooks, Zendesk
//! with no project), and the first triage.

use serde_json::json;

use super::{Story, at, id};

/// The labels every later act files issues under.
pub(super) struct Labels {
    pub payments: String,
    pub backend: String,
    pub frontend: String,
    pub onboarding: String,
    pub flaky: String,
}

/// What the stage hands to the acts that follow: the labels, the projects and the
/// issues the signals became.
pub(super) struct Setup {
    pub labels: Labels,
    pub checkout: String,
    pub onboarding: String,
    pub search: String,
    pub android: String,
    /// The Datadog latency alert, in the checkout project's backlog.
    pub latency: String,
    /// Sentry's TypeError in the cart summary.
    pub sentry: String,
    /// A customer's GitHub issue about Apple Pay.
    pub apple_pay: String,
    /// PostHog's fall in signup conversion.
    pub funnel: String,
}

impl Story<'_> {
    /// Sets the stage (see the module's documentation).
    pub(super) fn setup(&mut self) -> Result<Setup, String> {
        self.c.move_to(at(0, 9, 0));
        let mut labels = Vec::new();
        for (name, color) in [
            ("payments", "#f59e0b"),
            ("backend", "#10b981"),
            ("frontend", "#3b82f6"),
            ("onboarding", "#8b5cf6"),
            ("flaky", "#ef4444"),
        ] {
            labels.push(id(
                &self.post("/api/labels", json!({"name": name, "color": color}))?
            )?);
        }
        let [payments, backend, frontend, onboarding_label, flaky] =
            <[String; 5]>::try_from(labels).map_err(|_| "five labels".to_owned())?;

        // Projects and their goals, at various stages.
        let mut projects = Vec::new();
        for (name, description, status, health, goal) in [
            (
                "Checkout reliability",
                "Every paying customer gets through checkout.",
                "active",
                "at_risk",
                json!({"title": "Checkout success rate at 99.5%", "metric": "checkout_success_rate", "targetValue": 99.5, "currentValue": 97.8, "unit": "%"}),
            ),
            (
                "Onboarding funnel",
                "More signups become active users in their first week.",
                "active",
                "on_track",
                json!({"title": "Signup conversion at 4%", "metric": "signup_conversion", "targetValue": 4, "currentValue": 3.6, "unit": "%"}),
            ),
            (
                "Search relevance",
                "Shoppers find what they type.",
                "completed",
                "on_track",
                json!({"title": "Zero-result searches under 2%", "metric": "zero_result_rate", "targetValue": 2, "currentValue": 1.7, "unit": "%"}),
            ),
            (
                "Android app v3",
                "The rewrite of the Android app.",
                "paused",
                "off_track",
                json!({"title": "Crash-free sessions at 99.9%", "metric": "crash_free_sessions", "targetValue": 99.9, "currentValue": 98.4, "unit": "%"}),
            ),
        ] {
            let goal = id(&self.post("/api/goals", goal)?)?;
            let project = id(&self.post(
                "/api/projects",
                json!({"name": name, "description": description, "status": status, "health": health, "goalId": goal}),
            )?)?;
            self.patch(&format!("/api/goals/{goal}"), json!({"projectId": project}))?;
            projects.push((project, goal));
        }
        let (checkout, onboarding) = (projects[0].0.clone(), projects[1].0.clone());
        self.patch(
            &format!("/api/goals/{}", projects[2].1),
            json!({"status": "achieved", "currentValue": 1.7}),
        )?;
        self.patch(
            &format!("/api/goals/{}", projects[3].1),
            json!({"status": "abandoned"}),
        )?;

        // Day 0: signals arrive from every provider.
        self.c.move_to(at(0, 10, 12));
        let latency = self.post(
            "/api/signals",
            json!({"source": "datadog", "type": "monitor.alert", "severity": "high", "sourceId": "mon-88213",
                   "projectId": checkout,
                   "payload": {"message": "Checkout API p95 latency 2.4s, above 1.5s for 10 minutes", "service": "checkout-api", "p95Ms": 2400}}),
        )?;
        let latency = id(&latency["issue"])?;
        self.c.move_to(at(0, 11, 3));
        let sentry = self.webhook(
            "sentry",
            &[],
            &json!({"action": "created", "data": {"issue": {"id": "4412", "title": "TypeError: Cannot read properties of undefined (reading 'total')",
                     "culprit": "cart/summary.ts in totalWithDiscount", "count": 142, "level": "error", "project": {"slug": "storefront"}}}}),
        )?;
        self.c.move_to(at(0, 14, 40));
        let apple_pay = self.webhook(
            "github",
            &[("X-GitHub-Event", "issues")],
            &json!({"action": "opened", "issue": {"number": 412, "title": "Apple Pay button missing on Safari 17",
                     "html_url": "https://github.com/acme/storefront/issues/412"},
                    "repository": {"full_name": "acme/storefront"}, "sender": {"login": "mhernandez"}}),
        )?;
        self.c.move_to(at(1, 8, 15));
        let funnel = self.webhook(
            "posthog",
            &[],
            &json!({"event": {"name": "signup_conversion"}, "value": -18, "timeframe": "24h",
                    "insight": "https://eu.posthog.com/project/1/insights/abc123"}),
        )?;
        self.c.move_to(at(1, 9, 30));
        let scanning = self.webhook(
            "github",
            &[("X-GitHub-Event", "code_scanning_alert")],
            &json!({"action": "created", "alert": {"number": 7, "rule": {"description": "Database query built from user-controlled sources"}},
                    "repository": {"full_name": "acme/storefront"}, "sender": {"login": "github-advanced-security[bot]"}}),
        )?;
        self.c.move_to(at(1, 16, 0));
        self.post(
            "/api/signals",
            json!({"source": "zendesk", "type": "ticket.spike", "severity": "medium",
                   "payload": {"title": "Refund requests up 40% this week", "tickets": 212}}),
        )?;
        // Triage: the SQL injection alert goes straight to the queue, the latency alert
        // to the backlog; the others wait for a person.
        self.patch(
            &format!("/api/issues/{scanning}"),
            json!({"status": "todo", "priority": 1}),
        )?;
        self.patch(
            &format!("/api/issues/{latency}"),
            json!({"status": "backlog"}),
        )?;
        Ok(Setup {
            labels: Labels {
                payments,
                backend,
                frontend,
                onboarding: onboarding_label,
                flaky,
            },
            checkout,
            onboarding,
            search: projects[2].0.clone(),
            android: projects[3].0.clone(),
            latency,
            sentry,
            apple_pay,
            funnel,
        })
    }
}
