//! How a review task resolves (docs/review-api.md#modes-and-timeouts, docs/review-api.md#consensus-and-escalation, docs/review-api.md#statuses): the outcome fields every
//! resolution writes, whatever caused it.

use serde_json::Value;

use super::decision::{self, Outcome, Span};
use crate::domain::enums::{Decision, Module, OnTimeout, RedactLabel, TaskStatus};

/// The outcome of a resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// `reviewed` or `escalated`.
    pub status: TaskStatus,
    /// `true` approved, `false` flagged, `None` escalated.
    pub verdict: Option<bool>,
    /// The module's choice.
    pub choice: Option<String>,
    /// Flag reason, escalation reason or timeout note.
    pub reason: Option<String>,
    /// Module-specific result.
    pub detail: Option<serde_json::Value>,
    /// Whether the task was (ever) escalated.
    pub escalated: bool,
    /// Whether the deadline decided it.
    pub timed_out: bool,
}

/// What a gate deadline does to a task nobody decided in time.
pub fn timeout(on_timeout: OnTimeout, timeout_seconds: i64) -> Resolution {
    let reason = Some(format!(
        "timed out after {timeout_seconds}s (on_timeout: {})",
        crate::domain::enums::WireEnum::as_str(on_timeout)
    ));
    let (status, verdict, escalated) = match on_timeout {
        OnTimeout::Escalate => (TaskStatus::Escalated, None, true),
        OnTimeout::Reject => (TaskStatus::Reviewed, Some(false), false),
        OnTimeout::Approve => (TaskStatus::Reviewed, Some(true), false),
    };
    Resolution {
        status,
        verdict,
        choice: None,
        reason,
        detail: None,
        escalated,
        timed_out: true,
    }
}

/// Where a task stands after the reviews it has received so far, oldest first
/// (docs/review-api.md#consensus-and-escalation): `None` while it needs more agreeing reviews; escalated as soon as
/// one review escalates or two disagree; reviewed with the merged result once
/// `reviews_required` reviews agree. `text` is the text the reviewers read (detective
/// and redact spans point into it).
pub fn consensus(
    module: Module,
    reviews_required: i64,
    text: &str,
    reviews: &[Outcome],
) -> Option<Resolution> {
    let first = reviews.first()?;
    if let Some(escalation) = reviews.iter().find(|r| r.decision == Decision::Escalate) {
        let reason = escalation
            .reason
            .clone()
            .unwrap_or_else(|| "escalated by a reviewer".to_owned());
        return Some(escalated(reason));
    }
    if reviews.iter().any(|r| !agree(module, first, r)) {
        let positions: Vec<String> = reviews
            .iter()
            .map(|r| {
                r.choice.clone().unwrap_or_else(|| {
                    crate::domain::enums::WireEnum::as_str(r.decision).to_owned()
                })
            })
            .collect();
        return Some(escalated(format!(
            "reviewers disagreed ({})",
            positions.join(", ")
        )));
    }
    if i64::try_from(reviews.len()).unwrap_or(i64::MAX) < reviews_required {
        return None;
    }
    Some(Resolution {
        status: TaskStatus::Reviewed,
        verdict: first.verdict,
        choice: first.choice.clone(),
        reason: first.reason.clone(),
        detail: merged_detail(module, text, reviews),
        escalated: false,
        timed_out: false,
    })
}

/// What an escalation writes.
fn escalated(reason: String) -> Resolution {
    Resolution {
        status: TaskStatus::Escalated,
        verdict: None,
        choice: None,
        reason: Some(reason),
        detail: None,
        escalated: true,
        timed_out: false,
    }
}

/// Whether two reviews agree, in the sense of the task's game (docs/review-api.md#consensus-and-escalation).
fn agree(module: Module, a: &Outcome, b: &Outcome) -> bool {
    if a.verdict != b.verdict {
        return false;
    }
    let same_choice = || match (&a.choice, &b.choice) {
        (Some(x), Some(y)) if module == Module::Sorter => decision::same_label(x, y),
        (x, y) => x == y,
    };
    match module {
        Module::Swiper | Module::Detective => true,
        Module::Versus | Module::Sorter | Module::Grounding | Module::Redact => same_choice(),
        Module::Fixer => same_choice() && final_values(a) == final_values(b),
    }
}

/// The field values a fixer review settled on (none when it confirmed them as they were).
fn final_values(review: &Outcome) -> Option<Vec<Value>> {
    let fields = review.detail.as_ref()?.get("fields")?.as_array()?;
    Some(fields.iter().map(|f| f["value"].clone()).collect())
}

/// The result detail of agreeing reviews: detective spans unioned; redaction spans
/// unioned (overlaps merged) with the text masked again; otherwise the first review's.
fn merged_detail(module: Module, text: &str, reviews: &[Outcome]) -> Option<Value> {
    let first = reviews.first()?.detail.clone();
    let mut spans: Vec<(Span, Option<RedactLabel>)> = reviews
        .iter()
        .flat_map(|r| decision::detail_spans(r.detail.as_ref()))
        .collect();
    if spans.is_empty() || !matches!(module, Module::Detective | Module::Redact) {
        return first;
    }
    spans.sort_by_key(|(span, _)| *span);
    spans.dedup_by_key(|(span, _)| *span);
    if module == Module::Detective {
        return Some(decision::marked(text, &spans));
    }
    let mut merged: Vec<(Span, Option<RedactLabel>)> = Vec::with_capacity(spans.len());
    for (span, label) in spans {
        match merged.last_mut() {
            Some((last, _)) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push((span, label)),
        }
    }
    Some(decision::redaction(text, &merged))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::enums::Severity;
    use serde_json::json;

    fn review(
        decision: Decision,
        verdict: Option<bool>,
        choice: Option<&str>,
        detail: Option<Value>,
    ) -> Outcome {
        Outcome {
            decision,
            verdict,
            choice: choice.map(str::to_owned),
            reason: (decision != Decision::Approve).then(|| {
                format!(
                    "{} reason",
                    crate::domain::enums::WireEnum::as_str(decision)
                )
            }),
            severity: (decision == Decision::Flag).then_some(Severity::Medium),
            detail,
        }
    }

    fn approve(choice: Option<&str>) -> Outcome {
        review(Decision::Approve, Some(true), choice, None)
    }

    #[test]
    fn agreeing_reviews_resolve_once_enough_are_in() {
        assert_eq!(consensus(Module::Swiper, 2, "", &[approve(None)]), None);
        let resolved = consensus(Module::Swiper, 2, "", &[approve(None), approve(None)]);
        assert_eq!(
            resolved
                .as_ref()
                .map(|r| (r.status, r.verdict, r.escalated)),
            Some((TaskStatus::Reviewed, Some(true), false))
        );
        let flags = [
            review(
                Decision::Flag,
                Some(false),
                None,
                Some(json!({"severity": "high"})),
            ),
            review(Decision::Flag, Some(false), None, None),
        ];
        let flagged = consensus(Module::Swiper, 2, "", &flags);
        assert_eq!(
            flagged
                .as_ref()
                .map(|r| (r.verdict, r.reason.clone(), r.detail.clone())),
            Some((
                Some(false),
                Some("flag reason".to_owned()),
                Some(json!({"severity": "high"}))
            ))
        );
        assert_eq!(
            consensus(Module::Swiper, 3, "", &[approve(None), approve(None)]),
            None
        );
    }

    #[test]
    fn disagreement_or_escalation_escalates_at_once() {
        let split = consensus(
            Module::Swiper,
            3,
            "",
            &[
                approve(None),
                review(Decision::Flag, Some(false), None, None),
            ],
        );
        assert_eq!(
            split.as_ref().map(|r| (r.status, r.verdict, r.escalated)),
            Some((TaskStatus::Escalated, None, true))
        );
        assert_eq!(
            split.and_then(|r| r.reason).as_deref(),
            Some("reviewers disagreed (approve, flag)")
        );
        let escalation = consensus(
            Module::Swiper,
            3,
            "",
            &[review(Decision::Escalate, None, None, None)],
        );
        assert_eq!(
            escalation.and_then(|r| r.reason).as_deref(),
            Some("escalate reason")
        );
        let buckets = consensus(
            Module::Sorter,
            2,
            "",
            &[approve(Some("Billing")), approve(Some("Spam"))],
        );
        assert_eq!(buckets.map(|r| r.status), Some(TaskStatus::Escalated));
        let same = consensus(
            Module::Sorter,
            2,
            "",
            &[approve(Some("Refunds")), approve(Some(" refunds"))],
        );
        assert_eq!(same.and_then(|r| r.choice).as_deref(), Some("Refunds"));
    }

    #[test]
    fn spans_are_unioned() {
        let text = "Call 555-1234 or mail a@b.c now";
        let one = review(
            Decision::Approve,
            Some(true),
            Some("redacted"),
            Some(json!({"spans": [{"start": 5, "end": 13, "label": "phone"}]})),
        );
        let two = review(
            Decision::Approve,
            Some(true),
            Some("redacted"),
            Some(
                json!({"spans": [{"start": 22, "end": 27, "label": "email"}, {"start": 5, "end": 9, "label": "phone"}]}),
            ),
        );
        let merged = consensus(Module::Redact, 2, text, &[one, two]).and_then(|r| r.detail);
        assert_eq!(
            merged.as_ref().map(|d| d["redacted_text"].clone()),
            Some(json!("Call [REDACTED] or mail [REDACTED] now"))
        );
        assert_eq!(
            merged.map(|d| d["spans"].as_array().map(Vec::len)),
            Some(Some(2))
        );
        let a = review(
            Decision::Flag,
            Some(false),
            Some("555"),
            Some(json!({"spans": [{"start": 5, "end": 8}]})),
        );
        let b = review(
            Decision::Flag,
            Some(false),
            Some("mail"),
            Some(json!({"spans": [{"start": 17, "end": 21}]})),
        );
        let detective = consensus(Module::Detective, 2, text, &[b, a]);
        assert_eq!(
            detective.as_ref().and_then(|r| r.detail.clone()),
            Some(
                json!({"spans": [{"start": 5, "end": 8, "text": "555"}, {"start": 17, "end": 21, "text": "mail"}]})
            )
        );
    }

    #[test]
    fn fixer_reviews_agree_on_final_values() {
        let corrected = |value: &str| {
            review(
                Decision::Approve,
                Some(true),
                Some("corrected"),
                Some(
                    json!({"fields": [{"label": "Amount", "original": "1", "value": value, "changed": true}]}),
                ),
            )
        };
        assert_eq!(
            consensus(Module::Fixer, 2, "", &[corrected("2"), corrected("2")]).map(|r| r.status),
            Some(TaskStatus::Reviewed)
        );
        assert_eq!(
            consensus(Module::Fixer, 2, "", &[corrected("2"), corrected("3")]).map(|r| r.status),
            Some(TaskStatus::Escalated)
        );
    }

    #[test]
    fn timeouts() {
        let escalate = timeout(OnTimeout::Escalate, 30);
        assert_eq!(
            (
                escalate.status,
                escalate.verdict,
                escalate.escalated,
                escalate.timed_out
            ),
            (TaskStatus::Escalated, None, true, true)
        );
        assert_eq!(
            escalate.reason.as_deref(),
            Some("timed out after 30s (on_timeout: escalate)")
        );
        let reject = timeout(OnTimeout::Reject, 60);
        assert_eq!(
            (reject.status, reject.verdict, reject.escalated),
            (TaskStatus::Reviewed, Some(false), false)
        );
        let approve = timeout(OnTimeout::Approve, 60);
        assert_eq!(
            (approve.status, approve.verdict, approve.choice),
            (TaskStatus::Reviewed, Some(true), None)
        );
    }
}
