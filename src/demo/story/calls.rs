//! The engine calls the story makes, as its people and agents would make them: creating
//! and changing things with the admin key, an agent claiming work through dispatch and
//! rating the prompt it got, and providers' webhooks signed as each provider signs them.

use serde_json::{Value, json};

use super::super::client::As;
use super::{GITHUB_SECRET, POSTHOG_SECRET, SENTRY_SECRET, Story, id};
use crate::domain::signature::hmac_sha256_hex;

impl Story<'_> {
    /// POSTs `body` with the admin key; answers the created object.
    pub(super) fn post(&mut self, path: &str, body: Value) -> Result<Value, String> {
        self.c.admin("POST", path, &body)
    }

    /// PATCHes `body` with the admin key; answers the changed object.
    pub(super) fn patch(&mut self, path: &str, body: Value) -> Result<Value, String> {
        self.c.admin("PATCH", path, &body)
    }

    /// Creates an issue; answers its id.
    pub(super) fn issue(&mut self, body: Value) -> Result<String, String> {
        id(&self.post("/api/issues", body)?)
    }

    /// Comments on `issue` as `author` (`(name, authorType)`), in reply to `parent`.
    pub(super) fn comment(
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

    /// Relates `issue` to `other` (`blocks`, `blocked_by`, `related`, …).
    pub(super) fn relate(&mut self, issue: &str, kind: &str, other: &str) -> Result<(), String> {
        self.post(
            &format!("/api/issues/{issue}/relations"),
            json!({"type": kind, "relatedIssueId": other}),
        )
        .map(drop)
    }

    /// Makes `issue` the only `todo` issue of `project` and has agent `session` claim it
    /// through dispatch; answers the version of the prompt it got, if any.
    pub(super) fn claim(
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
    pub(super) fn rate(
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
    pub(super) fn webhook(
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
}
