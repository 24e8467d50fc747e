//! Human sign-off of agents' work: which issues of a project need a person's approval
//! before they count as done, what the reviewer's card shows, and what a verdict says
//! about the prompt that produced the work.
//!
//! # Which issues are sampled
//!
//! A project's policy is `off`, `required` (every issue) or `sampled` with a rate `r`
//! from 0 to 1. Under `sampled`, issue number `N` needs sign-off exactly when
//!
//! ```text
//! point(N) = (first 8 bytes of SHA-256("loop-sign-off:N") as a big-endian u64 >> 11) / 2^53
//! point(N) < r
//! ```
//!
//! `point` is a fixed, public function of the issue's number (the `#N` people see), so
//! anyone can check after the fact which issues had to be reviewed, e.g. in Python:
//! `int.from_bytes(hashlib.sha256(b"loop-sign-off:12").digest()[:8], "big") >> 11) / 2**53`.
//! SHA-256 spreads the points evenly over [0, 1), so a share `r` of issues is sampled;
//! raising the rate only ever adds issues to the sample, never swaps them.

use serde_json::{Map, Value, json};

use super::enums::{Severity, SignOffMode, WireEnum};
use super::validate::{FieldError, js_length};

/// A project's sign-off policy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// Off, required or sampled.
    pub mode: SignOffMode,
    /// The share of issues sampled (used by `sampled` only).
    pub rate: Option<f64>,
}

impl Policy {
    /// Whether issue number `number` of a project with this policy needs a person's
    /// approval before it is done.
    pub fn applies_to(self, number: i64) -> bool {
        match self.mode {
            SignOffMode::Off => false,
            SignOffMode::Required => true,
            SignOffMode::Sampled => sample_point(number) < self.rate.unwrap_or(0.0),
        }
    }
}

impl Policy {
    /// A policy a project may hold: `sampled` needs its rate (`rate_field`, as the
    /// caller's API spells it, is where the refusal points).
    pub fn check(self, rate_field: &str) -> Result<Self, FieldError> {
        if self.mode == SignOffMode::Sampled && self.rate.is_none() {
            return Err(FieldError::new(
                rate_field,
                format!(
                    "{rate_field} (a number from 0 to 1) is required when sign-off is \"sampled\""
                ),
            ));
        }
        Ok(self)
    }
}

/// Where issue number `number` falls in [0, 1) for sampling (see the module's rule).
pub fn sample_point(number: i64) -> f64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("loop-sign-off:{number}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    #[allow(clippy::cast_precision_loss)]
    let top_53_bits = (u64::from_be_bytes(first) >> 11) as f64;
    top_53_bits / 9_007_199_254_740_992.0
}

/// The score (1..5, for clarity, completeness and relevance alike) a person's verdict
/// on an agent's work gives the prompt version that produced it: an approval 5 (4 when
/// the reviewer had to correct fields), a flag 3, 2 or 1 as its severity is low,
/// medium (the default) or high/critical.
pub fn verdict_score(approved: bool, corrected: bool, severity: Option<Severity>) -> i64 {
    match (approved, severity) {
        (true, _) if corrected => 4,
        (true, _) => 5,
        (false, Some(Severity::Low)) => 3,
        (false, None | Some(Severity::Medium)) => 2,
        (false, Some(Severity::High | Severity::Critical)) => 1,
    }
}

/// The share of settled sign-offs a person approved (`None` before the first).
pub fn approval_rate(approved: i64, flagged: i64) -> Option<f64> {
    let settled = approved + flagged;
    #[allow(clippy::cast_precision_loss)]
    (settled > 0).then(|| approved as f64 / settled as f64)
}

/// The comment a flag leaves on the issue for whoever picks it up next.
pub fn flag_comment(reason: Option<&str>, severity: Option<Severity>) -> String {
    let severity = severity.unwrap_or(Severity::Medium).as_str();
    match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(reason) => format!("Flagged in review ({severity}): {reason}"),
        None => format!("Flagged in review ({severity})."),
    }
}

/// Longest card title and subtitle a review task takes.
const CARD_TEXT_MAX: usize = 200;

/// `text` cut to at most `max` UTF-16 units (as the task's card limits count), with an
/// ellipsis when cut.
fn clipped(text: &str, max: usize) -> String {
    if js_length(text) <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        used += c.len_utf16();
        if used > max - 1 {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// What the reviewer is shown of an issue's work.
#[derive(Debug, Clone, Default)]
pub struct Work<'a> {
    /// The issue's id.
    pub issue_id: &'a str,
    /// Its number.
    pub number: i64,
    /// Its title.
    pub title: &'a str,
    /// Its project's name.
    pub project_name: &'a str,
    /// Where the issue's page is (relative to the web app, or absolute).
    pub issue_url: String,
    /// What the agent reported.
    pub summary: Option<&'a str>,
    /// `CommitRef[]` as stored on the issue.
    pub commits: Vec<Value>,
    /// `PullRequestRef[]` as stored on the issue.
    pub pull_requests: Vec<Value>,
    /// The prompt version behind the work: `{templateSlug, versionId, versionNumber,
    /// text}` (`text` the prompt hydrated for this issue, without the agent's key).
    pub prompt: Option<Value>,
    /// Fields the agent asks the reviewer to check (fixer) or shows (swiper).
    pub fields: Option<Vec<Value>>,
    /// Whether the reviewer corrects fields (fixer) rather than approves or flags.
    pub fixer: bool,
}

/// A link on the card: to the issue, a commit or a pull request.
fn link(kind: &str, label: String, url: Option<&Value>) -> Value {
    json!({"kind": kind, "label": label, "url": url.and_then(Value::as_str)})
}

/// The first line of a commit message or PR title.
fn first_line(value: Option<&Value>) -> &str {
    value
        .and_then(Value::as_str)
        .and_then(|text| text.lines().next())
        .unwrap_or_default()
}

/// The review task body (`{module, payload, card, …}` as `POST /api/v1/tasks` takes
/// it) that puts `work` in front of a person: the card shows the issue's title and
/// number, the agent's summary, the commits and pull requests as links, the prompt
/// version used, and links back to the issue.
pub fn review_task_body(work: &Work<'_>) -> Map<String, Value> {
    let issue = json!({
        "id": work.issue_id, "number": work.number, "title": work.title, "url": work.issue_url,
    });
    let mut links = vec![link(
        "issue",
        format!("Issue #{}: {}", work.number, work.title),
        Some(&Value::from(work.issue_url.as_str())),
    )];
    for commit in &work.commits {
        let sha: String = commit
            .get("sha")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .chars()
            .take(7)
            .collect();
        let label = format!("{sha} {}", first_line(commit.get("message")));
        links.push(link(
            "commit",
            label.trim_end().to_owned(),
            commit.get("url"),
        ));
    }
    for pull in &work.pull_requests {
        let number = pull.get("number").map(Value::to_string).unwrap_or_default();
        let label = format!("PR #{number} {}", first_line(pull.get("title")));
        links.push(link(
            "pull_request",
            label.trim_end().to_owned(),
            pull.get("url"),
        ));
    }
    let summary = work
        .summary
        .filter(|s| !s.trim().is_empty())
        .unwrap_or("(The agent left no summary.)");
    let mut payload = Map::new();
    payload.insert("content".into(), Value::from(summary));
    payload.insert("issue".into(), issue.clone());
    payload.insert("commits".into(), Value::from(work.commits.clone()));
    payload.insert(
        "pullRequests".into(),
        Value::from(work.pull_requests.clone()),
    );
    payload.insert("prompt".into(), work.prompt.clone().unwrap_or(Value::Null));
    let mut card = Map::new();
    card.insert(
        "title".into(),
        Value::from(clipped(work.title, CARD_TEXT_MAX)),
    );
    let subtitle = if work.project_name.is_empty() {
        format!("Sign-off for issue #{}", work.number)
    } else {
        format!(
            "Sign-off for issue #{} in {}",
            work.number, work.project_name
        )
    };
    card.insert(
        "subtitle".into(),
        Value::from(clipped(&subtitle, CARD_TEXT_MAX)),
    );
    card.insert("issue".into(), issue);
    card.insert("links".into(), Value::from(links));
    card.insert("prompt".into(), work.prompt.clone().unwrap_or(Value::Null));
    if let Some(fields) = &work.fields {
        let key = if work.fixer { &mut payload } else { &mut card };
        key.insert("fields".into(), Value::from(fields.clone()));
    }
    let mut body = Map::new();
    let module = if work.fixer { "fixer" } else { "swiper" };
    body.insert("module".into(), Value::from(module));
    body.insert("mode".into(), Value::from("monitor"));
    body.insert("source".into(), Value::from("loop"));
    body.insert("external_id".into(), Value::from(work.issue_id));
    body.insert("payload".into(), Value::Object(payload));
    body.insert("card".into(), Value::Object(card));
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::review::task;

    #[test]
    fn required_and_off_ignore_the_number() {
        let required = Policy {
            mode: SignOffMode::Required,
            rate: None,
        };
        assert!((1..50).all(|n| required.applies_to(n)));
        let off = Policy {
            mode: SignOffMode::Off,
            rate: Some(1.0),
        };
        assert!((1..50).all(|n| !off.applies_to(n)));
    }

    #[test]
    fn sampling_is_a_fixed_function_of_the_number() {
        // Pinned values: the rule is public, so it must never change.
        let pinned = [sample_point(1), sample_point(2), sample_point(12)];
        assert!(pinned.iter().all(|p| (0.0..1.0).contains(p)));
        assert_eq!(sample_point(12), pinned[2]);
        let expected_first_bytes = |text: &str| {
            use sha2::{Digest, Sha256};
            let digest = Sha256::digest(text.as_bytes());
            let mut first = [0u8; 8];
            first.copy_from_slice(&digest[..8]);
            #[allow(clippy::cast_precision_loss)]
            let point = (u64::from_be_bytes(first) >> 11) as f64 / 2f64.powi(53);
            point
        };
        assert_eq!(sample_point(12), expected_first_bytes("loop-sign-off:12"));
        let sampled = |rate: f64| Policy {
            mode: SignOffMode::Sampled,
            rate: Some(rate),
        };
        assert!((1..500).all(|n| !sampled(0.0).applies_to(n)));
        assert!((1..500).all(|n| sampled(1.0).applies_to(n)));
        // A higher rate keeps every issue a lower one sampled.
        assert!((1..500).all(|n| !sampled(0.3).applies_to(n) || sampled(0.6).applies_to(n)));
        let share = (1..=10_000).filter(|n| sampled(0.5).applies_to(*n)).count();
        assert!((4_700..=5_300).contains(&share), "{share}");
    }

    #[test]
    fn sampling_needs_a_rate() {
        let sampled = |rate| Policy {
            mode: SignOffMode::Sampled,
            rate,
        };
        assert!(sampled(Some(0.5)).check("rate").is_ok());
        assert_eq!(
            sampled(None).check("rate").err().map(|e| e.path).as_deref(),
            Some("rate")
        );
        let off = Policy {
            mode: SignOffMode::Off,
            rate: None,
        };
        assert!(off.check("rate").is_ok());
    }

    #[test]
    fn verdicts_score_the_prompt() {
        assert_eq!(verdict_score(true, false, None), 5);
        assert_eq!(verdict_score(true, true, None), 4);
        assert_eq!(verdict_score(false, false, Some(Severity::Low)), 3);
        assert_eq!(verdict_score(false, false, None), 2);
        assert_eq!(verdict_score(false, false, Some(Severity::Medium)), 2);
        assert_eq!(verdict_score(false, false, Some(Severity::High)), 1);
        assert_eq!(verdict_score(false, false, Some(Severity::Critical)), 1);
    }

    #[test]
    fn approval_rates() {
        assert_eq!(approval_rate(0, 0), None);
        assert_eq!(approval_rate(3, 1), Some(0.75));
        assert_eq!(approval_rate(0, 2), Some(0.0));
    }

    #[test]
    fn flag_comments_carry_the_reason() {
        assert_eq!(
            flag_comment(Some("Tests fail"), Some(Severity::High)),
            "Flagged in review (high): Tests fail"
        );
        assert_eq!(flag_comment(None, None), "Flagged in review (medium).");
    }

    fn work() -> Work<'static> {
        Work {
            issue_id: "i1",
            number: 12,
            title: "Fix the redirect",
            project_name: "Auth",
            issue_url: "/issues/12".to_owned(),
            summary: Some("Fixed it"),
            commits: vec![
                json!({"sha": "abcdef123456", "message": "Fix redirect\n\nbody", "url": "https://git/c/abcdef1"}),
            ],
            pull_requests: vec![json!({"number": 42, "title": "Fix", "url": "https://git/pr/42"})],
            prompt: Some(
                json!({"templateSlug": "task-execution", "versionId": "v", "versionNumber": 1, "text": "Do it"}),
            ),
            fields: None,
            fixer: false,
        }
    }

    #[test]
    fn the_card_shows_the_work_and_links_back() {
        let body = review_task_body(&work());
        let card = &body["card"];
        assert_eq!(card["title"], "Fix the redirect");
        assert_eq!(card["subtitle"], "Sign-off for issue #12 in Auth");
        assert_eq!(
            card["links"],
            json!([
                {"kind": "issue", "label": "Issue #12: Fix the redirect", "url": "/issues/12"},
                {"kind": "commit", "label": "abcdef1 Fix redirect", "url": "https://git/c/abcdef1"},
                {"kind": "pull_request", "label": "PR #42 Fix", "url": "https://git/pr/42"},
            ])
        );
        assert_eq!(card["prompt"]["versionId"], "v");
        assert_eq!(body["payload"]["content"], "Fixed it");
        assert_eq!(body["external_id"], "i1");
        // A task the review API itself accepts, shown as the summary to approve or flag.
        let parsed = task::parse(&body, 86_400).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (parsed.mode.as_str(), parsed.timeout_seconds),
            ("monitor", None)
        );
    }

    #[test]
    fn long_titles_are_clipped_and_fixer_fields_go_to_the_payload() {
        let title = "é".repeat(300);
        let fields = vec![json!({"label": "Summary", "value": "Fixed it"})];
        let body = review_task_body(&Work {
            title: &title,
            fields: Some(fields.clone()),
            fixer: true,
            ..work()
        });
        let clipped = body["card"]["title"].as_str().unwrap_or_default();
        assert_eq!(js_length(clipped), 200);
        assert!(clipped.ends_with('…'));
        assert_eq!(body["payload"]["fields"], Value::from(fields));
        assert!(body["card"].get("fields").is_none());
        assert_eq!(body["module"], "fixer");
        assert!(task::parse(&body, 86_400).is_ok());
    }
}
