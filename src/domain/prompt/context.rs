//! The values a template sees (docs/engine-api.md#template-context, and Loop's
//! `signOff.required`), built from JSON rows, and the hypothesis confidence templates are
//! matched against (docs/engine-api.md#template-selection).

use serde_json::{Map, Value, json};

use super::render::date_value;

/// Which template version a prompt comes from.
#[derive(Debug, Clone)]
pub struct Meta {
    /// Template id.
    pub template_id: String,
    /// Template slug.
    pub template_slug: String,
    /// Version id.
    pub version_id: String,
    /// Version number.
    pub version_number: i64,
}

/// Everything a prompt is rendered from, as JSON rows (`None` where absent).
#[derive(Debug, Clone, Default)]
pub struct Parts {
    /// The issue.
    pub issue: Value,
    /// Its parent (soft-deleted included).
    pub parent: Option<Value>,
    /// Live issues with the same parent (only for child issues).
    pub siblings: Vec<Value>,
    /// Live children (only for root issues).
    pub children: Vec<Value>,
    /// Its project (soft-deleted included).
    pub project: Option<Value>,
    /// The project's goal.
    pub goal: Option<Value>,
    /// `{name, color}` of its labels.
    pub labels: Vec<Value>,
    /// `{id, number, title}` of the issues it blocks.
    pub blocking: Vec<Value>,
    /// `{id, number, title}` of the issues blocking it.
    pub blocked_by: Vec<Value>,
    /// Base URL agents call back.
    pub loop_url: String,
    /// The key agents call back with.
    pub loop_token: String,
    /// Whether a person must approve the work before the issue is done (its project's
    /// sign-off policy applies to it).
    pub sign_off_required: bool,
}

/// The hydration context of a prompt.
pub fn hydrate(parts: Parts, meta: &Meta) -> Value {
    let previous_sessions = previous_sessions(&parts.issue);
    let entities = |rows: Vec<Value>| Value::Array(rows.into_iter().map(entity).collect());
    // Built member by member: `json!` would copy every row once more (it serialises
    // each value it is given).
    let members = [
        ("issue", entity(parts.issue)),
        ("parent", parts.parent.map_or(Value::Null, entity)),
        ("siblings", entities(parts.siblings)),
        ("children", entities(parts.children)),
        ("project", parts.project.map_or(Value::Null, entity)),
        ("goal", parts.goal.map_or(Value::Null, entity)),
        ("labels", Value::Array(parts.labels)),
        ("blocking", Value::Array(parts.blocking)),
        ("blockedBy", Value::Array(parts.blocked_by)),
        ("previousSessions", Value::Array(previous_sessions)),
        ("loopUrl", Value::String(parts.loop_url)),
        ("loopToken", Value::String(parts.loop_token)),
        ("signOff", json!({"required": parts.sign_off_required})),
        (
            "meta",
            json!({
                "templateId": meta.template_id,
                "templateSlug": meta.template_slug,
                "versionId": meta.version_id,
                "versionNumber": meta.version_number,
            }),
        ),
    ];
    Value::Object(
        members
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect::<Map<String, Value>>(),
    )
}

/// A row with its timestamp fields (`…At`) turned into dates, changed in place.
fn entity(mut row: Value) -> Value {
    if let Value::Object(members) = &mut row {
        for (key, value) in members.iter_mut() {
            if let Value::String(s) = value
                && key.ends_with("At")
            {
                *value = date_value(s);
            }
        }
    }
    row
}

/// The issue's own last session, when it reported a summary (no history is kept).
fn previous_sessions(issue: &Value) -> Vec<Value> {
    match issue.get("agentSummary").and_then(Value::as_str) {
        Some(summary) if !summary.is_empty() => {
            vec![
                json!({"status": issue.get("status").cloned().unwrap_or(Value::Null), "agentSummary": summary}),
            ]
        }
        _ => Vec::new(),
    }
}

/// The confidence of a hypothesis (`HypothesisData`, stored JSON text), a fact template
/// conditions are matched against; `None` unless it holds a numeric `confidence`.
pub fn hypothesis_confidence(hypothesis: &str) -> Option<f64> {
    serde_json::from_str::<Value>(hypothesis)
        .ok()?
        .get("confidence")
        .and_then(Value::as_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Meta {
        Meta {
            template_id: "t".into(),
            template_slug: "s".into(),
            version_id: "v".into(),
            version_number: 1,
        }
    }

    #[test]
    fn hydrates_every_variable() {
        let issue = json!({"id": "i", "status": "todo", "agentSummary": "Tried X", "createdAt": "2026-01-01T00:00:00.000Z"});
        let context = hydrate(
            Parts {
                issue,
                loop_url: "u".into(),
                loop_token: "k".into(),
                ..Parts::default()
            },
            &meta(),
        );
        assert_eq!(
            context["previousSessions"],
            json!([{"status": "todo", "agentSummary": "Tried X"}])
        );
        assert_eq!(context["parent"], Value::Null);
        assert_eq!(context["siblings"], json!([]));
        assert_eq!(
            context["meta"],
            json!({"templateId": "t", "templateSlug": "s", "versionId": "v", "versionNumber": 1})
        );
        assert_eq!(
            context["issue"]["createdAt"],
            date_value("2026-01-01T00:00:00.000Z")
        );
        assert_eq!(
            (context["loopUrl"].as_str(), context["loopToken"].as_str()),
            (Some("u"), Some("k"))
        );
        assert_eq!(context["signOff"], json!({"required": false}));
    }

    #[test]
    fn no_previous_session_without_a_summary() {
        for summary in [Value::Null, json!("")] {
            let context = hydrate(
                Parts {
                    issue: json!({"agentSummary": summary}),
                    ..Parts::default()
                },
                &meta(),
            );
            assert_eq!(context["previousSessions"], json!([]));
        }
    }

    #[test]
    fn a_hypothesis_confidence_is_a_number_or_nothing() {
        assert_eq!(hypothesis_confidence(r#"{"confidence": 0.8}"#), Some(0.8));
        assert_eq!(hypothesis_confidence(r#"{"confidence": 1}"#), Some(1.0));
        for none in [r#"{"confidence": "high"}"#, r#"{}"#, "[0.8]", "not json"] {
            assert_eq!(hypothesis_confidence(none), None, "{none}");
        }
    }
}
