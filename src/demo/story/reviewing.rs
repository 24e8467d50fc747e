//! The review calls the story makes, as its people and automations would make them:
//! signing in, submitting tasks with a project key, taking cards from the queue and
//! deciding them, and the delivery thread's attempts at the projects' webhooks.
//!
//! A reviewer takes whatever card the queue deals: usually the task the story means
//! them to decide, but sometimes a probe first — a golden task mixed in at the
//! project's golden rate, or a decoy, a copy of a recent card with one planted error,
//! dealt at its decoy rate. Which cards are probes is decided by a hash of the project's
//! seed, the reviewer and their draw number (docs/reviewer-quality.md), so the story
//! cannot plan for them: it answers each probe as the person would (right, unless they
//! still have a slip to make) and takes the next card, until the task it meant comes.

use serde_json::{Value, json};

use super::super::DEMO_PASSWORD;
use super::super::client::As;
use super::{HOUR, MINUTE, Person, Story, id};
use crate::service::deliveries;
use crate::store::deliveries as delivery_store;

/// The most probes a reviewer meets before the card the story means them to decide: far
/// more than any rate the story sets can deal in a row.
const MAX_PROBES: usize = 8;

impl Story<'_> {
    /// Signs `email` in with the demo password; answers the session's `Cookie` header.
    pub(super) fn sign_in(&mut self, email: &str) -> Result<String, String> {
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

    /// `person` takes cards of `project` until they are dealt `task`, answering the
    /// probes dealt before it (see the module's documentation), and decides it; answers
    /// the decision's answer (XP, streak, badges).
    pub(super) fn decide(
        &mut self,
        person: &Person,
        project: &str,
        task: &str,
        decision: Value,
    ) -> Result<Value, String> {
        for _ in 0..=MAX_PROBES {
            let card = self.c.send(
                As::Person(&person.cookie),
                "POST",
                "/api/v1/review/next",
                &json!({"project_id": project}),
            )?;
            if card["task"]["id"] == task {
                return self.answer(person, &card, &decision);
            }
            self.answer_probe(person, &card, task)?;
        }
        Err(format!("{task} was never dealt in {project}"))
    }

    /// `person` answers a card that is not the task the story meant: a golden task the
    /// story submitted, or else a decoy (which the answer must confirm, or the queue
    /// dealt a real task out of the story's order).
    fn answer_probe(&mut self, person: &Person, card: &Value, meant: &str) -> Result<(), String> {
        let dealt = card["task"]["id"].as_str().unwrap_or_default();
        let golden = self
            .golden
            .iter()
            .find(|(id, _)| id == dealt)
            .map(|(_, answer)| *answer);
        let slip = person.slips.get() > 0;
        if slip {
            person.slips.set(person.slips.get() - 1);
        }
        let module = card["task"]["module"].as_str().unwrap_or_default();
        // A decoy's right answer is a flag; a golden task's is its expected verdict.
        let approve = golden.unwrap_or(false) != slip;
        let decision = if approve {
            json!({"decision": "approve"})
        } else {
            let (reason, choice) = match module {
                "grounding" => ("The claim says more than its source.", Some("contradicted")),
                "detective" => ("Two sentences here contradict each other.", None),
                _ => ("A detail here does not match the rest of the card.", None),
            };
            let mut flag = json!({"decision": "flag", "reason": reason, "severity": "medium"});
            if let Some(choice) = choice {
                flag["choice"] = json!(choice);
            }
            flag
        };
        let answered = self.answer(person, card, &decision)?;
        if golden.is_none() && answered["feedback"]["decoy"] != true {
            return Err(format!("the queue dealt {dealt} before {meant}"));
        }
        Ok(())
    }

    /// `person` decides the card they were dealt, after reading it for 40 seconds.
    fn answer(&mut self, person: &Person, card: &Value, decision: &Value) -> Result<Value, String> {
        let assignment = card["assignment_id"]
            .as_str()
            .ok_or("no assignment")?
            .to_owned();
        self.c.move_to(self.c.now().plus_millis(40_000));
        self.c.send(
            As::Person(&person.cookie),
            "POST",
            &format!("/api/v1/review/assignments/{assignment}/decision"),
            decision,
        )
    }

    /// Submits a task with project key `key`; answers its id, remembering a golden
    /// task's expected verdict.
    pub(super) fn task(&mut self, key: &str, body: Value) -> Result<String, String> {
        let task = id(&self.c.send(As::Key(key), "POST", "/api/v1/tasks", &body)?)?;
        if body["golden"] == true {
            let answer = body["answer"].as_bool().ok_or("a golden task's answer")?;
            self.golden.push((task.clone(), answer));
        }
        Ok(task)
    }

    /// The delivery thread's work, with answers the story chooses per receiver: the CRM
    /// and the main hook take everything, the automation platform is down (503; its
    /// deliveries are left after two attempts, still retrying), the legacy endpoint
    /// errors until its deliveries fail.
    pub(super) fn deliver(&mut self) -> Result<(), String> {
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
}
