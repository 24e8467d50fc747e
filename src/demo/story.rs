//! The demo's story, three weeks of a small team's work told through the API: a
//! checkout incident and an onboarding experiment in the engine (signals from every
//! provider, hypotheses, plans and tasks, agents claiming and finishing them, a prompt
//! template improved after poor reviews), and two review projects where people check
//! what automations produce (every game, every outcome, webhooks that succeed, retry
//! and fail). Every step is a real API call or use case at a set time, so the database
//! holds exactly what real use would.

use serde_json::{Value, json};

use super::client::{As, Client};
use super::{DEMO_PASSWORD, EPOCH};
use crate::clock::Timestamp;
use crate::domain::signature::hmac_sha256_hex;
use crate::service::{deliveries, maintenance};
use crate::store::deliveries as delivery_store;

/// The secrets the story's signal webhooks are signed with (set only while seeding).
pub const GITHUB_SECRET: &str = "demo-github-secret";
/// See [`GITHUB_SECRET`].
pub const SENTRY_SECRET: &str = "demo-sentry-secret";
/// See [`GITHUB_SECRET`].
pub const POSTHOG_SECRET: &str = "demo-posthog-secret";

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Day `day` of the story at `hour`:`minute` (UTC).
fn at(day: i64, hour: i64, minute: i64) -> Timestamp {
    EPOCH.plus_millis(day * DAY + (hour - 9) * HOUR + minute * MINUTE)
}

/// The id of a created object.
fn id(value: &Value) -> Result<String, String> {
    value["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no id in {value}"))
}

/// The people of the review half: `(email, display name, role)`.
pub const PEOPLE: &[(&str, &str, &str)] = &[
    ("owner@example.com", "Olivia Park", "owner"),
    ("admin@example.com", "Sam Rivera", "admin"),
    ("ana@example.com", "Ana Souza", "reviewer"),
    ("ben@example.com", "Ben Okafor", "reviewer"),
    ("chen@example.com", "Chen Wei", "reviewer"),
    ("viewer@example.com", "Vic Turner", "viewer"),
];

/// The story, told to `client`.
pub fn tell(client: &mut Client) -> Result<(), String> {
    let mut story = Story { c: client };
    let engine = story.engine()?;
    let review = story.review()?;
    story.last_day(&engine, &review)
}

/// What the engine half hands to the last day.
struct Engine {
    checkout: String,
    onboarding: String,
    refund_plan: String,
    backfill: String,
    build_flag: String,
    instrument: String,
}

/// What the review half hands to the last day.
struct Review {
    support_key: String,
    content_key: String,
    people: Vec<Person>,
}

/// A signed-in person: their `Cookie` header.
struct Person {
    cookie: String,
}

struct Story<'c> {
    c: &'c mut Client,
}

impl Story<'_> {
    fn post(&mut self, path: &str, body: Value) -> Result<Value, String> {
        self.c.admin("POST", path, &body)
    }

    fn patch(&mut self, path: &str, body: Value) -> Result<Value, String> {
        self.c.admin("PATCH", path, &body)
    }

    fn issue(&mut self, body: Value) -> Result<String, String> {
        id(&self.post("/api/issues", body)?)
    }

    fn comment(
        &mut self,
        issue: &str,
        author: (&str, &str),
        body: &str,
        parent: Option<&str>,
    ) -> Result<String, String> {
        let mut comment = json!({"body": body, "authorName": author.0, "authorType": author.1});
        if let Some(parent) = parent {
            comment["parentId"] = json!(parent);
        }
        id(&self.post(&format!("/api/issues/{issue}/comments"), comment)?)
    }

    fn relate(&mut self, issue: &str, kind: &str, other: &str) -> Result<(), String> {
        self.post(
            &format!("/api/issues/{issue}/relations"),
            json!({"type": kind, "relatedIssueId": other}),
        )
        .map(drop)
    }

    /// Makes `issue` the only `todo` issue of `project` and has agent `session` claim it
    /// through dispatch; answers the version of the prompt it got, if any.
    fn claim(
        &mut self,
        issue: &str,
        project: &str,
        session: &str,
        lease_seconds: Option<i64>,
    ) -> Result<Option<String>, String> {
        self.patch(&format!("/api/issues/{issue}"), json!({"status": "todo"}))?;
        let lease = lease_seconds.map_or_else(String::new, |s| format!("&leaseSeconds={s}"));
        let claimed = self.c.admin(
            "GET",
            &format!("/api/dispatch/next?projectId={project}&agentSessionId={session}{lease}"),
            &Value::Null,
        )?;
        if claimed["issue"]["id"] != issue {
            return Err(format!(
                "dispatch claimed {} instead of {issue}",
                claimed["issue"]["id"]
            ));
        }
        Ok(claimed["meta"]["versionId"].as_str().map(str::to_owned))
    }

    /// An agent rates the prompt it worked from.
    fn rate(
        &mut self,
        version: &str,
        issue: &str,
        scores: [i64; 3],
        feedback: &str,
    ) -> Result<(), String> {
        self.post(
            "/api/prompt-reviews",
            json!({"versionId": version, "issueId": issue, "clarity": scores[0],
                   "completeness": scores[1], "relevance": scores[2], "feedback": feedback,
                   "authorType": "agent"}),
        )
        .map(drop)
    }

    /// A signal through a provider's webhook, signed as the provider signs it.
    fn webhook(
        &mut self,
        provider: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> Result<String, String> {
        let bytes = body.to_string();
        let signature;
        let mut all = headers.to_vec();
        match provider {
            "github" => {
                signature = format!(
                    "sha256={}",
                    hmac_sha256_hex(GITHUB_SECRET.as_bytes(), bytes.as_bytes())
                );
                all.push(("X-Hub-Signature-256", &signature));
            }
            "sentry" => {
                signature = hmac_sha256_hex(SENTRY_SECRET.as_bytes(), bytes.as_bytes());
                all.push(("Sentry-Hook-Signature", &signature));
            }
            _ => all.push(("X-PostHog-Secret", POSTHOG_SECRET)),
        }
        let answer = self.c.call(
            As::Anonymous,
            "POST",
            &format!("/api/signals/{provider}"),
            &all,
            bytes.as_bytes(),
        );
        if answer.status != 201 {
            return Err(format!(
                "the {provider} webhook answered {}: {}",
                answer.status, answer.json
            ));
        }
        id(&answer.json["data"]["issue"])
    }

    fn engine(&mut self) -> Result<Engine, String> {
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
        self.relate(&coupons, "related", &sentry)?;
        self.relate(&latency, "related", &coupons)?;
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
        self.relate(&apple_pay, "related", &guard)?;

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
            .claim(&guard, &checkout, "sess-guard-1", None)?
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
            .claim(&regression, &checkout, "sess-regression-1", None)?
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
            .claim(&server_side, &checkout, "sess-coupons-1", None)?
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
            .claim(&retry, &checkout, "sess-retry-1", Some(3600))?
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

        // The onboarding experiment.
        self.c.move_to(at(7, 10, 0));
        let experiment = self.issue(json!({
            "title": "Email verification before onboarding loses a fifth of signups", "type": "hypothesis", "status": "in_progress",
            "priority": 2, "projectId": onboarding, "labelIds": [onboarding_label, frontend],
            "hypothesis": {"statement": "Asking for email verification before the first project makes people leave",
                           "confidence": 0.6, "evidence": ["Conversion fell 18% the day verification moved first", "Session recordings show people waiting for the email"],
                           "validationCriteria": "Deferred verification lifts signup conversion by at least 0.3 points"}}))?;
        self.relate(&experiment, "related", &funnel)?;
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
            .claim(&ab_test, &onboarding, "sess-abtest-1", None)?
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
        let search = projects[2].0.clone();
        let android = projects[3].0.clone();
        self.c.move_to(at(8, 10, 0));
        for (title, project, status) in [
            (
                "Add synonyms for the 50 most common zero-result queries",
                &search,
                "done",
            ),
            ("Rank in-stock products first", &search, "done"),
            ("Upgrade the crash reporter", &android, "backlog"),
            (
                "Rewrite the settings screen in Compose",
                &android,
                "canceled",
            ),
        ] {
            self.issue(json!({"title": title, "type": "task", "status": status, "priority": 3, "projectId": project}))?;
        }
        Ok(Engine {
            checkout,
            onboarding,
            refund_plan,
            backfill,
            build_flag,
            instrument,
        })
    }

    fn sign_in(&mut self, email: &str) -> Result<String, String> {
        let answer = self.c.call(
            As::Anonymous,
            "POST",
            "/api/v1/auth/login",
            &[],
            json!({"email": email, "password": DEMO_PASSWORD})
                .to_string()
                .as_bytes(),
        );
        answer
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("Set-Cookie"))
            .and_then(|(_, value)| value.split(';').next())
            .map(str::to_owned)
            .ok_or_else(|| format!("{email} could not sign in: {}", answer.json))
    }

    /// `person` takes the next card of `project` and decides it; the card must be `task`.
    fn decide(
        &mut self,
        person: &Person,
        project: &str,
        task: &str,
        decision: Value,
    ) -> Result<(), String> {
        let card = self.c.send(
            As::Person(&person.cookie),
            "POST",
            "/api/v1/review/next",
            &json!({"project_id": project}),
        )?;
        if card["task"]["id"] != task {
            return Err(format!(
                "the next card was {} instead of {task}",
                card["task"]["id"]
            ));
        }
        let assignment = card["assignment_id"]
            .as_str()
            .ok_or("no assignment")?
            .to_owned();
        self.c.move_to(self.c.now().plus_millis(40_000));
        self.c
            .send(
                As::Person(&person.cookie),
                "POST",
                &format!("/api/v1/review/assignments/{assignment}/decision"),
                &decision,
            )
            .map(drop)
    }

    fn task(&mut self, key: &str, body: Value) -> Result<String, String> {
        id(&self.c.send(As::Key(key), "POST", "/api/v1/tasks", &body)?)
    }

    /// The delivery thread's work, with answers the story chooses per receiver: the CRM
    /// and the main hook take everything, the automation platform is down (503), the
    /// legacy endpoint errors until its deliveries fail. `first_only` leaves the
    /// automation platform's deliveries after their first attempt, still retrying.
    fn deliver(&mut self) -> Result<(), String> {
        for gap in [0, 10_000, MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * HOUR] {
            self.c.move_to(self.c.now().plus_millis(gap + 1000));
            let now = self.c.now();
            let due = delivery_store::due(self.c.ctx().db(), now, "[]", 500)
                .map_err(|e| e.to_string())?;
            for attempt in due {
                let status = if attempt.url.contains("automations.") {
                    if attempt.number > 2 {
                        continue;
                    }
                    503
                } else if attempt.url.contains("legacy.") {
                    500
                } else {
                    200
                };
                let answered = deliveries::Answered {
                    status: Some(status),
                    retry_after: None,
                    error: if status == 200 {
                        String::new()
                    } else {
                        format!("HTTP {status}")
                    },
                };
                deliveries::record_attempt(&mut self.c.ctx(), &attempt, &answered)
                    .map_err(|e| format!("{e:?}"))?;
            }
        }
        Ok(())
    }

    fn review(&mut self) -> Result<Review, String> {
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
        for (email, _, _) in PEOPLE {
            let cookie = self.sign_in(email)?;
            signed_in.push(Person { cookie });
        }
        let [ana, ben, chen] = [2, 3, 4].map(|i| &signed_in[i]);
        let admin = &signed_in[1];
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
        Ok(Review {
            support_key,
            content_key,
            people: signed_in,
        })
    }

    /// The last day: agents mid-claim, work queued, cards of every game waiting.
    fn last_day(&mut self, engine: &Engine, review: &Review) -> Result<(), String> {
        self.c.move_to(at(20, 9, 30));
        if let Some(version) = self.claim(
            &engine.refund_plan,
            &engine.checkout,
            "sess-refunds-2",
            Some(86_400),
        )? {
            self.rate(
                &version,
                &engine.refund_plan,
                [4, 4, 4],
                "Clear enough for a plan.",
            )?;
        }
        self.patch(
            &format!("/api/issues/{}", engine.backfill),
            json!({"status": "todo"}),
        )?;
        self.c.move_to(at(20, 16, 0));
        self.claim(
            &engine.build_flag,
            &engine.onboarding,
            "sess-flag-1",
            Some(86_400),
        )?;
        self.patch(
            &format!("/api/issues/{}", engine.instrument),
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
        self.c.move_to(super::END);
        Ok(())
    }
}
