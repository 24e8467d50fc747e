//! Template conditions and the issue facts they are matched against (docs/engine-api.md#template-selection,
//! docs/engine-api.md#template-selection, docs/engine-api.md#objects).

use serde_json::{Map, Value};

use crate::domain::enums::{IssueType, WireEnum};
use crate::domain::validate::{FieldError, enum_message};

/// The facts about an issue that template conditions look at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IssueFacts {
    /// Issue type (wire spelling).
    pub kind: String,
    /// Where its signal came from.
    pub signal_source: Option<String>,
    /// Names of every linked label, soft-deleted ones included.
    pub labels: Vec<String>,
    /// Its project id.
    pub project_id: Option<String>,
    /// Whether a sibling (itself included) was canceled with an agent summary.
    pub has_failed_sessions: bool,
    /// Its hypothesis confidence.
    pub hypothesis_confidence: Option<f64>,
}

/// A template's conditions; every present one must hold (an empty set matches all).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conditions {
    /// The issue type must be this.
    pub kind: Option<String>,
    /// The signal source must be this.
    pub signal_source: Option<String>,
    /// Every one of these label names must be on the issue.
    pub labels: Option<Vec<String>>,
    /// The project id must be this.
    pub project_id: Option<String>,
    /// `hasFailedSessions` must equal this.
    pub has_failed_sessions: Option<bool>,
    /// The hypothesis confidence must be at least this.
    pub hypothesis_confidence: Option<f64>,
}

const KEYS: [&str; 6] = [
    "type",
    "signalSource",
    "labels",
    "projectId",
    "hasFailedSessions",
    "hypothesisConfidence",
];

impl Conditions {
    /// Reads a stored (already validated) conditions object; unknown or mistyped keys
    /// are ignored.
    pub fn from_stored(value: &Value) -> Self {
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        Self {
            kind: text("type"),
            signal_source: text("signalSource"),
            labels: value.get("labels").and_then(Value::as_array).map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            }),
            project_id: text("projectId"),
            has_failed_sessions: value.get("hasFailedSessions").and_then(Value::as_bool),
            hypothesis_confidence: value.get("hypothesisConfidence").and_then(Value::as_f64),
        }
    }

    /// Whether these conditions hold for `facts`.
    pub fn matches(&self, facts: &IssueFacts) -> bool {
        let same = |want: &Option<String>, have: &Option<String>| {
            want.as_ref().is_none_or(|w| have.as_ref() == Some(w))
        };
        self.kind.as_ref().is_none_or(|k| *k == facts.kind)
            && same(&self.signal_source, &facts.signal_source)
            && self
                .labels
                .as_ref()
                .is_none_or(|wanted| wanted.iter().all(|l| facts.labels.contains(l)))
            && same(&self.project_id, &facts.project_id)
            && self
                .has_failed_sessions
                .is_none_or(|f| f == facts.has_failed_sessions)
            && self
                .hypothesis_confidence
                .is_none_or(|min| facts.hypothesis_confidence.is_some_and(|c| c >= min))
    }
}

/// Validates a `conditions` object from a request (strict: unknown keys are errors).
/// Problems are reported under `conditions.`.
pub fn validate(value: &Value) -> Result<(), Vec<FieldError>> {
    let Value::Object(members) = value else {
        return Err(vec![FieldError::new(
            "conditions",
            "Invalid input: expected object",
        )]);
    };
    let mut errors = Vec::new();
    let unknown: Vec<String> = members
        .keys()
        .filter(|k| !KEYS.contains(&k.as_str()))
        .map(|k| format!("\"{k}\""))
        .collect();
    match unknown.len() {
        0 => {}
        1 => errors.push(FieldError::new(
            "conditions",
            format!("Unrecognized key: {}", unknown[0]),
        )),
        _ => errors.push(FieldError::new(
            "conditions",
            format!("Unrecognized keys: {}", unknown.join(", ")),
        )),
    }
    check_members(members, &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn check_members(members: &Map<String, Value>, errors: &mut Vec<FieldError>) {
    let mut fail = |key: &str, message: String| {
        errors.push(FieldError::new(format!("conditions.{key}"), message))
    };
    if let Some(kind) = members.get("type")
        && kind.as_str().and_then(IssueType::parse).is_none()
    {
        fail("type", enum_message(IssueType::ALL));
    }
    for key in ["signalSource", "projectId"] {
        if members.get(key).is_some_and(|v| !v.is_string()) {
            fail(key, "Invalid input: expected string".to_owned());
        }
    }
    if let Some(labels) = members.get("labels")
        && !labels
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_string))
    {
        fail(
            "labels",
            "Invalid input: expected array of strings".to_owned(),
        );
    }
    if members
        .get("hasFailedSessions")
        .is_some_and(|v| !v.is_boolean())
    {
        fail(
            "hasFailedSessions",
            "Invalid input: expected boolean".to_owned(),
        );
    }
    if let Some(confidence) = members.get("hypothesisConfidence") {
        match confidence.as_f64().filter(|_| confidence.is_number()) {
            Some(c) if (0.0..=1.0).contains(&c) => {}
            Some(_) => fail(
                "hypothesisConfidence",
                "Expected a number from 0 to 1".to_owned(),
            ),
            None => fail(
                "hypothesisConfidence",
                "Invalid input: expected number".to_owned(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts() -> IssueFacts {
        IssueFacts {
            kind: "signal".into(),
            signal_source: Some("posthog".into()),
            labels: vec!["frontend".into(), "urgent".into()],
            project_id: Some("proj_1".into()),
            has_failed_sessions: false,
            hypothesis_confidence: None,
        }
    }

    fn matches(conditions: Value, facts: &IssueFacts) -> bool {
        Conditions::from_stored(&conditions).matches(facts)
    }

    #[test]
    fn matching_rules() {
        let f = facts();
        assert!(matches(json!({}), &f));
        assert!(matches(json!({"type": "signal"}), &f));
        assert!(!matches(json!({"type": "task"}), &f));
        assert!(matches(
            json!({"type": "signal", "signalSource": "posthog"}),
            &f
        ));
        assert!(!matches(
            json!({"type": "signal", "signalSource": "sentry"}),
            &f
        ));
        assert!(matches(json!({"labels": ["frontend"]}), &f));
        assert!(matches(json!({"labels": ["frontend", "urgent"]}), &f));
        assert!(matches(json!({"labels": []}), &f));
        assert!(!matches(json!({"labels": ["backend"]}), &f));
        assert!(!matches(json!({"labels": ["Frontend"]}), &f));
        assert!(matches(json!({"hasFailedSessions": false}), &f));
        assert!(!matches(json!({"hasFailedSessions": true}), &f));
        assert!(matches(json!({"projectId": "proj_1"}), &f));
        assert!(!matches(json!({"projectId": "proj_2"}), &f));
    }

    #[test]
    fn null_facts_never_satisfy_a_condition() {
        let bare = IssueFacts {
            kind: "task".into(),
            ..IssueFacts::default()
        };
        assert!(!matches(json!({"signalSource": "posthog"}), &bare));
        assert!(!matches(json!({"projectId": "proj_1"}), &bare));
        assert!(!matches(json!({"hypothesisConfidence": 0.1}), &bare));
    }

    #[test]
    fn confidence_threshold_is_inclusive() {
        let f = IssueFacts {
            hypothesis_confidence: Some(0.8),
            ..facts()
        };
        assert!(matches(json!({"hypothesisConfidence": 0.7}), &f));
        assert!(matches(json!({"hypothesisConfidence": 0.8}), &f));
        assert!(!matches(json!({"hypothesisConfidence": 0.9}), &f));
    }

    #[test]
    fn validation_is_strict() {
        assert!(validate(&json!({})).is_ok());
        assert!(validate(&json!({"type": "task", "labels": ["a"], "hasFailedSessions": true, "hypothesisConfidence": 1})).is_ok());
        let errors = validate(&json!({"foo": 1})).unwrap_err();
        assert_eq!(errors[0].message, "Unrecognized key: \"foo\"");
        let errors = validate(&json!({"foo": 1, "bar": 2})).unwrap_err();
        assert_eq!(errors[0].message, "Unrecognized keys: \"foo\", \"bar\"");
        for bad in [
            json!({"type": "bug"}),
            json!({"labels": "a"}),
            json!({"labels": [1]}),
            json!({"hasFailedSessions": "yes"}),
            json!({"hypothesisConfidence": 1.5}),
            json!({"signalSource": 3}),
            json!([]),
            json!(null),
        ] {
            assert!(validate(&bad).is_err(), "{bad}");
        }
    }
}
