//! One reviewer's decision on one task, validated against the task's game
//! (docs/review-api.md#games): what it says about the verdict, the choice, the reason and
//! the module's structured result.

use serde_json::{Map, Value, json};

use super::content::View;
use super::input::{opt_enum, opt_string, present};
use crate::domain::enums::{Decision, Module, RedactLabel, Severity, WireEnum};
use crate::domain::validate::FieldError;

/// Longest flag or escalation reason.
pub const MAX_REASON: usize = 500;

/// Longest label a reviewer may type for a sorter task without buckets.
const MAX_LABEL: usize = 100;

/// What a decision means for the task.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Approve, flag or escalate.
    pub decision: Decision,
    /// `true` approved, `false` flagged, `None` escalated.
    pub verdict: Option<bool>,
    /// The module's choice (docs/review-api.md#games).
    pub choice: Option<String>,
    /// Why it was flagged or escalated.
    pub reason: Option<String>,
    /// How bad a flagged problem is (flags only; `medium` unless given).
    pub severity: Option<Severity>,
    /// The module's structured result (severity, spans, corrected fields, evidence).
    pub detail: Option<Value>,
}

/// A marked passage of a text: `start..end` in Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
}

/// Validates a decision body (`{decision, choice?, reason?, severity?, detail?}`)
/// against the game a task showing `view` is played as (its module, or swiper for a
/// card without its module's inputs). `allow_escalate` is false for an admin's
/// resolution of an escalated task.
pub fn parse(
    view: &View,
    body: &Map<String, Value>,
    allow_escalate: bool,
) -> Result<Outcome, FieldError> {
    let decision = opt_enum::<Decision>(body, "decision")?.ok_or_else(|| {
        FieldError::new(
            "decision",
            "decision is required: approve, flag or escalate",
        )
    })?;
    if decision == Decision::Escalate && !allow_escalate {
        return Err(FieldError::new(
            "decision",
            "decision must be approve or flag",
        ));
    }
    let reason = opt_string(body, "", "reason", MAX_REASON)?;
    let detail = match present(body, "detail") {
        None => Map::new(),
        Some(Value::Object(detail)) => detail.clone(),
        Some(_) => return Err(FieldError::new("detail", "detail must be a JSON object")),
    };
    let choice = opt_string(body, "", "choice", MAX_LABEL)?;
    let mut outcome = Outcome {
        decision,
        verdict: None,
        choice: None,
        reason: None,
        severity: None,
        detail: None,
    };
    match decision {
        Decision::Escalate => {
            outcome.reason = reason;
            return Ok(outcome);
        }
        Decision::Flag => {
            outcome.verdict = Some(false);
            outcome.reason = Some(reason.filter(|r| !r.trim().is_empty()).ok_or_else(|| {
                FieldError::new("reason", "a flag needs a reason (1 to 500 characters)")
            })?);
            outcome.severity =
                Some(opt_enum::<Severity>(body, "severity")?.unwrap_or(Severity::Medium));
        }
        Decision::Approve => {
            outcome.verdict = Some(true);
            outcome.reason = reason;
        }
    }
    let approve = decision == Decision::Approve;
    match view.game {
        Module::Swiper => {
            if !approve {
                outcome.detail = outcome.severity.map(|s| json!({"severity": s.as_str()}));
            }
        }
        Module::Versus if approve => {
            outcome.choice = Some(one_of(choice, &["a", "b", "tie"])?);
        }
        Module::Sorter if approve => {
            outcome.choice = Some(bucket(choice, view.choices.as_deref())?)
        }
        Module::Detective if !approve => {
            let text = view.text.as_deref().unwrap_or_default();
            let spans = spans(&detail, text, false)?;
            if let Some(first) = spans.first() {
                outcome.choice = Some(slice(text, first.0));
            }
            if !spans.is_empty() {
                outcome.detail = Some(marked(text, &spans));
            }
        }
        Module::Fixer if approve => {
            let fields = view.fields.as_deref().unwrap_or_default();
            let corrected = corrections(&detail, fields)?;
            match corrected {
                Some(fields) => {
                    outcome.choice = Some("corrected".to_owned());
                    outcome.detail = Some(json!({"fields": fields}));
                }
                None => outcome.choice = Some("confirmed".to_owned()),
            }
        }
        Module::Redact if approve => {
            let text = view.text.as_deref().unwrap_or_default();
            let spans = spans(&detail, text, true)?;
            if spans.is_empty() {
                outcome.choice = Some("clean".to_owned());
            } else {
                outcome.choice = Some("redacted".to_owned());
                outcome.detail = Some(redaction(text, &spans));
            }
        }
        Module::Grounding => {
            let allowed: &[&str] = if approve {
                &["supported"]
            } else {
                &["unsupported", "contradicted"]
            };
            outcome.choice = Some(match (approve, choice) {
                (true, None) => "supported".to_owned(),
                (_, choice) => one_of(choice, allowed)?,
            });
            if let Some(evidence) = opt_string(&detail, "detail", "evidence", 2000)? {
                outcome.detail = Some(json!({"evidence": evidence}));
            }
        }
        Module::Versus | Module::Sorter | Module::Detective | Module::Fixer | Module::Redact => {}
    }
    Ok(outcome)
}

/// `choice` must be one of `allowed`.
fn one_of(choice: Option<String>, allowed: &[&str]) -> Result<String, FieldError> {
    choice
        .filter(|c| allowed.contains(&c.as_str()))
        .ok_or_else(|| {
            FieldError::new(
                "choice",
                format!("choice must be one of: {}", allowed.join(", ")),
            )
        })
}

/// A sorter choice: one of the buckets (matched ignoring case and surrounding space,
/// answered as the bucket is spelled), or any label when the task has none.
fn bucket(choice: Option<String>, buckets: Option<&[String]>) -> Result<String, FieldError> {
    let typed = choice
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    match (typed, buckets) {
        (Some(typed), Some(buckets)) => buckets
            .iter()
            .find(|b| same_label(b, &typed))
            .cloned()
            .ok_or_else(|| {
                FieldError::new(
                    "choice",
                    format!("choice must be one of the buckets: {}", buckets.join(", ")),
                )
            }),
        (Some(typed), None) => Ok(typed),
        (None, _) => Err(FieldError::new(
            "choice",
            "choose a bucket (or type a label of at most 100 characters)",
        )),
    }
}

/// Whether two sorter labels are the same: ignoring case and surrounding space.
pub fn same_label(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The spans of `detail.spans` over `text`: in order, inside the text, not
/// overlapping. Redactions (`labelled`) carry a label each.
fn spans(
    detail: &Map<String, Value>,
    text: &str,
    labelled: bool,
) -> Result<Vec<(Span, Option<RedactLabel>)>, FieldError> {
    let Some(items) = present(detail, "spans") else {
        return Ok(Vec::new());
    };
    let fail = || {
        let what = if labelled {
            "{start, end, label}"
        } else {
            "{start, end}"
        };
        FieldError::new(
            "detail.spans",
            format!("detail.spans must be a list of {what} inside the text, not overlapping"),
        )
    };
    let length = text.chars().count();
    let mut spans = Vec::new();
    for item in items.as_array().ok_or_else(fail)? {
        let item = item.as_object().ok_or_else(fail)?;
        let offset = |key: &str| {
            item.get(key)
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
        };
        let (Some(start), Some(end)) = (offset("start"), offset("end")) else {
            return Err(fail());
        };
        if start >= end || end > length {
            return Err(fail());
        }
        let label = if labelled {
            Some(
                opt_enum::<RedactLabel>(item, "label")
                    .ok()
                    .flatten()
                    .ok_or_else(fail)?,
            )
        } else {
            None
        };
        spans.push((Span { start, end }, label));
    }
    spans.sort_by_key(|(span, _)| *span);
    if spans.windows(2).any(|pair| pair[0].0.end > pair[1].0.start) {
        return Err(fail());
    }
    Ok(spans)
}

/// The characters of `text` in `span`.
pub fn slice(text: &str, span: Span) -> String {
    text.chars()
        .skip(span.start)
        .take(span.end - span.start)
        .collect()
}

/// A detective's detail: the marked spans with their text.
pub fn marked(text: &str, spans: &[(Span, Option<RedactLabel>)]) -> Value {
    let listed: Vec<Value> = spans
        .iter()
        .map(|(span, _)| json!({"start": span.start, "end": span.end, "text": slice(text, *span)}))
        .collect();
    json!({"spans": listed})
}

/// A redaction's detail: the spans and the text with each one replaced by `[REDACTED]`.
pub fn redaction(text: &str, spans: &[(Span, Option<RedactLabel>)]) -> Value {
    let mut redacted = String::new();
    let mut at = 0;
    for (span, _) in spans {
        redacted.extend(text.chars().skip(at).take(span.start.saturating_sub(at)));
        redacted.push_str("[REDACTED]");
        at = span.end;
    }
    redacted.extend(text.chars().skip(at));
    let listed: Vec<Value> = spans
        .iter()
        .map(|(span, label)| json!({"start": span.start, "end": span.end, "label": label.map(WireEnum::as_str)}))
        .collect();
    json!({"spans": listed, "redacted_text": redacted})
}

/// The spans a redaction or detective detail lists (for merging reviews).
pub fn detail_spans(detail: Option<&Value>) -> Vec<(Span, Option<RedactLabel>)> {
    detail
        .and_then(|d| d.get("spans"))
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| {
                    let offset = |key: &str| {
                        item.get(key)?
                            .as_u64()
                            .and_then(|n| usize::try_from(n).ok())
                    };
                    let label = item
                        .get("label")
                        .and_then(Value::as_str)
                        .and_then(RedactLabel::parse);
                    Some((
                        Span {
                            start: offset("start")?,
                            end: offset("end")?,
                        },
                        label,
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A fixer review's corrections: `detail.fields`, one `{value}` per task field in the
/// same order. `None` when nothing changed (or nothing was sent).
fn corrections(
    detail: &Map<String, Value>,
    fields: &[super::content::FixerField],
) -> Result<Option<Vec<Value>>, FieldError> {
    let Some(items) = present(detail, "fields") else {
        return Ok(None);
    };
    let fail = || {
        FieldError::new(
            "detail.fields",
            format!(
                "detail.fields must list {} items of {{value}}, one per field in order",
                fields.len()
            ),
        )
    };
    let items = items
        .as_array()
        .filter(|items| items.len() == fields.len())
        .ok_or_else(fail)?;
    let mut changed_any = false;
    let mut out = Vec::with_capacity(fields.len());
    for (item, field) in items.iter().zip(fields) {
        let value = item
            .as_object()
            .and_then(|o| o.get("value"))
            .ok_or_else(fail)?;
        if value.is_array() || value.is_object() {
            return Err(fail());
        }
        let changed = *value != field.value;
        changed_any |= changed;
        out.push(json!({"label": field.label, "key": field.key, "original": field.value, "value": value, "changed": changed}));
    }
    Ok(changed_any.then_some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::review::content::View;

    fn decide(
        module: Module,
        payload: Value,
        card: Value,
        body: Value,
    ) -> Result<Outcome, FieldError> {
        let payload = payload.as_object().cloned().unwrap_or_default();
        let card = card.as_object().cloned();
        let view = View::of(module, &payload, card.as_ref());
        parse(&view, body.as_object().unwrap_or(&Map::new()), true)
    }

    fn field_of(result: Result<Outcome, FieldError>) -> String {
        result.err().map(|e| e.path).unwrap_or_default()
    }

    #[test]
    fn swiper_decisions() {
        let approve = decide(
            Module::Swiper,
            json!({}),
            json!({}),
            json!({"decision": "approve"}),
        )
        .ok();
        assert_eq!(
            approve.map(|o| (o.verdict, o.choice)),
            Some((Some(true), None))
        );
        let flag = decide(
            Module::Swiper,
            json!({}),
            json!({}),
            json!({"decision": "flag", "reason": "wrong amount", "severity": "high"}),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (flag.verdict, flag.reason.as_deref()),
            (Some(false), Some("wrong amount"))
        );
        assert_eq!(flag.detail, Some(json!({"severity": "high"})));
        let default_severity = decide(
            Module::Swiper,
            json!({}),
            json!({}),
            json!({"decision": "flag", "reason": "x"}),
        )
        .ok();
        assert_eq!(
            default_severity.and_then(|o| o.detail),
            Some(json!({"severity": "medium"}))
        );
        assert_eq!(
            field_of(decide(
                Module::Swiper,
                json!({}),
                json!({}),
                json!({"decision": "flag"})
            )),
            "reason"
        );
        assert_eq!(
            field_of(decide(
                Module::Swiper,
                json!({}),
                json!({}),
                json!({"decision": "flag", "reason": "x".repeat(501)})
            )),
            "reason"
        );
        assert_eq!(
            field_of(decide(
                Module::Swiper,
                json!({}),
                json!({}),
                json!({"decision": "maybe"})
            )),
            "decision"
        );
        let escalate = decide(
            Module::Swiper,
            json!({}),
            json!({}),
            json!({"decision": "escalate", "reason": "unsure"}),
        )
        .ok();
        assert_eq!(
            escalate.map(|o| (o.verdict, o.reason)),
            Some((None, Some("unsure".to_owned())))
        );
    }

    #[test]
    fn versus_and_sorter_choices() {
        let versus = |body| decide(Module::Versus, json!({"a": "x", "b": "y"}), json!({}), body);
        assert_eq!(
            versus(json!({"decision": "approve", "choice": "b"}))
                .ok()
                .and_then(|o| o.choice)
                .as_deref(),
            Some("b")
        );
        assert_eq!(
            versus(json!({"decision": "approve", "choice": "tie"}))
                .ok()
                .and_then(|o| o.choice)
                .as_deref(),
            Some("tie")
        );
        assert_eq!(
            field_of(versus(json!({"decision": "approve", "choice": "c"}))),
            "choice"
        );
        let both_bad = versus(json!({"decision": "flag", "reason": "both wrong"})).ok();
        assert_eq!(
            both_bad.map(|o| (o.verdict, o.choice)),
            Some((Some(false), None))
        );
        let single = |body| decide(Module::Versus, json!({"content": "X"}), json!({}), body);
        assert_eq!(
            single(json!({"decision": "approve"}))
                .ok()
                .map(|o| (o.verdict, o.choice)),
            Some((Some(true), None)),
            "a versus card without a and b is approved like a swiper card"
        );
        assert_eq!(
            single(json!({"decision": "approve", "choice": "a"}))
                .ok()
                .and_then(|o| o.choice),
            None
        );

        let sorter = |card, body| decide(Module::Sorter, json!({"content": "x"}), card, body);
        let buckets = json!({"choices": ["Billing", "Spam"]});
        assert_eq!(
            sorter(
                buckets.clone(),
                json!({"decision": "approve", "choice": " spam "})
            )
            .ok()
            .and_then(|o| o.choice)
            .as_deref(),
            Some("Spam")
        );
        assert_eq!(
            field_of(sorter(
                buckets,
                json!({"decision": "approve", "choice": "Other"})
            )),
            "choice"
        );
        assert_eq!(
            sorter(
                json!({}),
                json!({"decision": "approve", "choice": "Refunds"})
            )
            .ok()
            .and_then(|o| o.choice)
            .as_deref(),
            Some("Refunds")
        );
        assert_eq!(
            field_of(sorter(json!({}), json!({"decision": "approve"}))),
            "choice"
        );
    }

    #[test]
    fn detective_spans_slice_the_text() {
        let text = "Paris is the capital of Spain. Ünïcode.";
        let body = json!({"decision": "flag", "reason": "wrong country", "detail": {"spans": [{"start": 24, "end": 29}]}});
        let outcome = decide(Module::Detective, json!({"body": text}), json!({}), body)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (outcome.verdict, outcome.choice.as_deref()),
            (Some(false), Some("Spain"))
        );
        assert_eq!(
            outcome.detail,
            Some(json!({"spans": [{"start": 24, "end": 29, "text": "Spain"}]}))
        );
        let unicode = json!({"decision": "flag", "reason": "r", "detail": {"spans": [{"start": 31, "end": 38}]}});
        let outcome = decide(Module::Detective, json!({"body": text}), json!({}), unicode).ok();
        assert_eq!(outcome.and_then(|o| o.choice).as_deref(), Some("Ünïcode"));
        for bad in [
            json!([{"start": 5, "end": 5}]),
            json!([{"start": 0, "end": 99}]),
            json!([{"start": 0, "end": 4}, {"start": 2, "end": 6}]),
            json!("x"),
        ] {
            let body = json!({"decision": "flag", "reason": "r", "detail": {"spans": bad}});
            assert_eq!(
                field_of(decide(
                    Module::Detective,
                    json!({"body": text}),
                    json!({}),
                    body
                )),
                "detail.spans"
            );
        }
        let no_error = decide(
            Module::Detective,
            json!({"body": text}),
            json!({}),
            json!({"decision": "approve"}),
        )
        .ok();
        assert_eq!(
            no_error.map(|o| (o.verdict, o.choice)),
            Some((Some(true), None))
        );
    }

    #[test]
    fn fixer_confirms_or_corrects() {
        let payload = json!({"fields": [{"label": "Amount", "value": "£2,400"}, {"label": "Name", "key": "name", "value": "Ann"}]});
        let confirm = decide(
            Module::Fixer,
            payload.clone(),
            json!({}),
            json!({"decision": "approve"}),
        )
        .ok();
        assert_eq!(
            confirm.map(|o| (o.verdict, o.choice, o.detail)),
            Some((Some(true), Some("confirmed".to_owned()), None))
        );
        let same = json!({"decision": "approve", "detail": {"fields": [{"value": "£2,400"}, {"value": "Ann"}]}});
        assert_eq!(
            decide(Module::Fixer, payload.clone(), json!({}), same)
                .ok()
                .and_then(|o| o.choice)
                .as_deref(),
            Some("confirmed")
        );
        let corrected = json!({"decision": "approve", "detail": {"fields": [{"value": "£240"}, {"value": "Ann"}]}});
        let outcome = decide(Module::Fixer, payload.clone(), json!({}), corrected)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(outcome.choice.as_deref(), Some("corrected"));
        assert_eq!(
            outcome.detail.as_ref().map(|d| d["fields"][0].clone()),
            Some(
                json!({"label": "Amount", "key": null, "original": "£2,400", "value": "£240", "changed": true})
            )
        );
        assert_eq!(
            outcome.detail.map(|d| d["fields"][1]["changed"].clone()),
            Some(json!(false))
        );
        let wrong_count = json!({"decision": "approve", "detail": {"fields": [{"value": "x"}]}});
        assert_eq!(
            field_of(decide(
                Module::Fixer,
                payload.clone(),
                json!({}),
                wrong_count
            )),
            "detail.fields"
        );
        let reject = decide(
            Module::Fixer,
            payload,
            json!({}),
            json!({"decision": "flag", "reason": "unfixable"}),
        )
        .ok();
        assert_eq!(reject.map(|o| o.verdict), Some(Some(false)));
    }

    #[test]
    fn redact_masks_spans() {
        let text = "Write to john@example.com today";
        let body = json!({"decision": "approve", "detail": {"spans": [{"start": 9, "end": 25, "label": "email"}]}});
        let outcome = decide(Module::Redact, json!({"body": text}), json!({}), body)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(outcome.choice.as_deref(), Some("redacted"));
        assert_eq!(
            outcome.detail,
            Some(
                json!({"spans": [{"start": 9, "end": 25, "label": "email"}], "redacted_text": "Write to [REDACTED] today"})
            )
        );
        let clean = decide(
            Module::Redact,
            json!({"body": text}),
            json!({}),
            json!({"decision": "approve"}),
        )
        .ok();
        assert_eq!(clean.and_then(|o| o.choice).as_deref(), Some("clean"));
        let unlabelled =
            json!({"decision": "approve", "detail": {"spans": [{"start": 9, "end": 25}]}});
        assert_eq!(
            field_of(decide(
                Module::Redact,
                json!({"body": text}),
                json!({}),
                unlabelled
            )),
            "detail.spans"
        );
        let block = decide(
            Module::Redact,
            json!({"body": text}),
            json!({}),
            json!({"decision": "flag", "reason": "PII"}),
        )
        .ok();
        assert_eq!(
            block.map(|o| (o.verdict, o.choice)),
            Some((Some(false), None))
        );
    }

    #[test]
    fn grounding_choices() {
        let grounding = |body| {
            decide(
                Module::Grounding,
                json!({"claim": "c", "source": "s"}),
                json!({}),
                body,
            )
        };
        assert_eq!(
            grounding(json!({"decision": "approve"}))
                .ok()
                .and_then(|o| o.choice)
                .as_deref(),
            Some("supported")
        );
        let contradicted = grounding(
            json!({"decision": "flag", "choice": "contradicted", "reason": "says the opposite",
            "detail": {"evidence": "the sky is blue"}}),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (contradicted.verdict, contradicted.choice.as_deref()),
            (Some(false), Some("contradicted"))
        );
        assert_eq!(
            contradicted.detail,
            Some(json!({"evidence": "the sky is blue"}))
        );
        assert_eq!(
            field_of(grounding(json!({"decision": "flag", "reason": "r"}))),
            "choice"
        );
        assert_eq!(
            field_of(grounding(
                json!({"decision": "approve", "choice": "contradicted"})
            )),
            "choice"
        );
    }

    #[test]
    fn admins_cannot_escalate_further() {
        let view = View::of(Module::Swiper, &Map::new(), None);
        let body = json!({"decision": "escalate"});
        let result = parse(&view, body.as_object().unwrap_or(&Map::new()), false);
        assert_eq!(field_of(result), "decision");
    }
}
