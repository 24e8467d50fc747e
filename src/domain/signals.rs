//! What a signal becomes: the issue title, severity, type and source id for the generic
//! endpoint and for each provider's webhook payload (docs/engine-api.md#signals). Pure functions of
//! the parsed body; values are read with JavaScript's `?.` / `??` semantics.

use super::enums::Severity;
use super::jsjson::JsValue;

/// Everything derived from one incoming signal.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalDraft {
    /// `posthog`, `github`, `sentry`, or the generic caller's source.
    pub source: String,
    /// The provider's own id for it, if any.
    pub source_id: Option<String>,
    /// The kind of event.
    pub kind: String,
    /// How bad it is (sets the issue priority).
    pub severity: Severity,
    /// The title of the triage issue.
    pub title: String,
}

/// The title of a generic signal's issue: `[source] type: summary`, where the summary is
/// `payload.message` or else `payload.title` when they are strings, else the type.
pub fn generic_title(
    source: &str,
    kind: &str,
    payload: &serde_json::Map<String, serde_json::Value>,
) -> String {
    let summary = ["message", "title"]
        .iter()
        .find_map(|key| payload.get(*key).and_then(serde_json::Value::as_str))
        .unwrap_or(kind);
    format!("[{source}] {kind}: {summary}")
}

/// The value at `path` as a JavaScript string, or `default` when missing or `null`.
fn text_or(body: &JsValue, path: &[&str], default: &str) -> String {
    body.at(path)
        .map_or_else(|| default.to_owned(), JsValue::to_js_string)
}

/// A PostHog metric alert (docs/engine-api.md#webhooks).
pub fn posthog(body: &JsValue) -> SignalDraft {
    let metric = body
        .at(&["event"])
        .filter(|event| matches!(event, JsValue::Object(_)))
        .and_then(|event| event.at(&["name"]))
        .or_else(|| body.at(&["name"]))
        .map_or_else(|| "unknown_metric".to_owned(), JsValue::to_js_string);
    let change = match body.get("value") {
        Some(JsValue::Number(n)) => *n,
        _ => 0.0,
    };
    let timeframe = text_or(body, &["timeframe"], "recent");
    let magnitude = change.abs();
    let severity = if magnitude >= 50.0 {
        Severity::Critical
    } else if magnitude >= 25.0 {
        Severity::High
    } else if magnitude >= 10.0 {
        Severity::Medium
    } else {
        Severity::Low
    };
    SignalDraft {
        source: "posthog".to_owned(),
        source_id: None,
        kind: "metric_change".to_owned(),
        severity,
        title: format!(
            "PostHog: {metric} {}% ({timeframe})",
            super::jsnum::format(change)
        ),
    }
}

/// A GitHub event (docs/engine-api.md#webhooks); `event` is the `X-GitHub-Event` header.
pub fn github(event: Option<&str>, body: &JsValue) -> SignalDraft {
    let event = event.unwrap_or("unknown");
    let repo = text_or(body, &["repository", "full_name"], "unknown");
    let actor = text_or(body, &["sender", "login"], "unknown");
    let severity = match event {
        "security_advisory" | "code_scanning_alert" => Severity::Critical,
        "dependabot_alert" => Severity::High,
        "pull_request" | "push" | "issue_comment" => Severity::Low,
        _ => Severity::Medium,
    };
    let source_id = match body.get("action") {
        Some(action) if action.is_truthy() => format!("{event}.{}", action.to_js_string()),
        _ => event.to_owned(),
    };
    SignalDraft {
        source: "github".to_owned(),
        source_id: Some(source_id),
        kind: event.to_owned(),
        severity,
        title: format!("GitHub: {event} on {repo} by {actor}"),
    }
}

/// A Sentry issue alert (docs/engine-api.md#webhooks).
pub fn sentry(body: &JsValue) -> SignalDraft {
    let first = |field: &str| {
        body.at(&["data", "issue", field])
            .or_else(|| body.at(&["data", "error", field]))
    };
    let title = first("title").map_or_else(|| "Unknown error".to_owned(), JsValue::to_js_string);
    let count = first("count").map_or(1.0, JsValue::to_js_number);
    let level = first("level").map_or_else(|| "error".to_owned(), JsValue::to_js_string);
    let severity = match level.as_str() {
        "fatal" => Severity::Critical,
        "error" if count >= 100.0 => Severity::Critical,
        "error" => Severity::High,
        "warning" => Severity::Medium,
        _ => Severity::Low,
    };
    let source_id = body
        .get("data")
        .and_then(|data| data.get("issue"))
        .and_then(|issue| issue.get("id"))
        .filter(|id| id.is_truthy())
        .map(JsValue::to_js_string);
    SignalDraft {
        source: "sentry".to_owned(),
        source_id,
        kind: text_or(body, &["action"], "event"),
        severity,
        title: format!("Sentry: {title} ({} events)", super::jsnum::format(count)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::jsjson::parse;

    fn js(text: &str) -> JsValue {
        parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    #[test]
    fn generic_titles() {
        let payload = |v: serde_json::Value| v.as_object().cloned().unwrap_or_default();
        assert_eq!(
            generic_title(
                "sentry",
                "exception",
                &payload(serde_json::json!({"message": "NullPointerException in UserService"}))
            ),
            "[sentry] exception: NullPointerException in UserService"
        );
        assert_eq!(
            generic_title(
                "github",
                "alert",
                &payload(serde_json::json!({"title": "Dependabot security alert"}))
            ),
            "[github] alert: Dependabot security alert"
        );
        assert_eq!(
            generic_title("posthog", "metric_spike", &payload(serde_json::json!({}))),
            "[posthog] metric_spike: metric_spike"
        );
        assert_eq!(
            generic_title(
                "s",
                "t",
                &payload(serde_json::json!({"message": 42, "title": "T"}))
            ),
            "[s] t: T"
        );
    }

    #[test]
    fn posthog_mapping() {
        let d = posthog(&js(r#"{"name":"error_rate","value":55,"timeframe":"1h"}"#));
        assert_eq!(
            (d.title.as_str(), d.severity),
            ("PostHog: error_rate 55% (1h)", Severity::Critical)
        );
        assert_eq!(
            (d.source.as_str(), d.kind.as_str(), d.source_id),
            ("posthog", "metric_change", None)
        );
        let d = posthog(&js(r#"{"event":{"name":"signup"},"value":-12.5}"#));
        assert_eq!(
            (d.title.as_str(), d.severity),
            ("PostHog: signup -12.5% (recent)", Severity::Medium)
        );
        let d = posthog(&js(r#"{"value":"30"}"#));
        assert_eq!(
            (d.title.as_str(), d.severity),
            ("PostHog: unknown_metric 0% (recent)", Severity::Low)
        );
        assert_eq!(posthog(&js(r#"{"value":25}"#)).severity, Severity::High);
        assert_eq!(posthog(&js(r#"{"value":9.99}"#)).severity, Severity::Low);
        assert_eq!(
            posthog(&js(r#"{"event":"x","name":"n"}"#)).title,
            "PostHog: n 0% (recent)"
        );
        assert_eq!(
            posthog(&js(r#"{"event":{"name":null},"name":"n","timeframe":""}"#)).title,
            "PostHog: n 0% ()"
        );
        assert_eq!(
            posthog(&js("[1,2]")).title,
            "PostHog: unknown_metric 0% (recent)"
        );
    }

    #[test]
    fn github_mapping() {
        let body = js(
            r#"{"action":"opened","repository":{"full_name":"dork-labs/loop"},"sender":{"login":"octocat"}}"#,
        );
        let d = github(Some("issues"), &body);
        assert_eq!(d.title, "GitHub: issues on dork-labs/loop by octocat");
        assert_eq!(
            (d.severity, d.source_id.as_deref(), d.kind.as_str()),
            (Severity::Medium, Some("issues.opened"), "issues")
        );
        let push = github(Some("push"), &js(r#"{"repository":{"full_name":"r"}}"#));
        assert_eq!(
            (push.severity, push.source_id.as_deref()),
            (Severity::Low, Some("push"))
        );
        assert_eq!(push.title, "GitHub: push on r by unknown");
        for (event, severity) in [
            ("security_advisory", Severity::Critical),
            ("code_scanning_alert", Severity::Critical),
            ("dependabot_alert", Severity::High),
            ("pull_request", Severity::Low),
            ("issue_comment", Severity::Low),
            ("ping", Severity::Medium),
        ] {
            assert_eq!(github(Some(event), &js("{}")).severity, severity, "{event}");
        }
        let unknown = github(None, &js(r#"{"action":"created"}"#));
        assert_eq!(
            (unknown.kind.as_str(), unknown.source_id.as_deref()),
            ("unknown", Some("unknown.created"))
        );
        assert_eq!(
            github(Some("x"), &js(r#"{"action":""}"#))
                .source_id
                .as_deref(),
            Some("x")
        );
    }

    #[test]
    fn sentry_mapping() {
        let d = sentry(&js(
            r#"{"action":"created","data":{"issue":{"id":"12345","title":"ReferenceError: foo is not defined","count":15,"level":"error"}}}"#,
        ));
        assert_eq!(
            d.title,
            "Sentry: ReferenceError: foo is not defined (15 events)"
        );
        assert_eq!(
            (d.kind.as_str(), d.source_id.as_deref(), d.severity),
            ("created", Some("12345"), Severity::High)
        );
        assert_eq!(
            sentry(&js(r#"{"data":{"issue":{"level":"fatal"}}}"#)).severity,
            Severity::Critical
        );
        assert_eq!(
            sentry(&js(r#"{"data":{"issue":{"level":"error","count":150}}}"#)).severity,
            Severity::Critical
        );
        assert_eq!(
            sentry(&js(r#"{"data":{"issue":{"level":"error","count":"250"}}}"#)).severity,
            Severity::Critical
        );
        assert_eq!(
            sentry(&js(r#"{"data":{"issue":{"level":"warning"}}}"#)).severity,
            Severity::Medium
        );
        assert_eq!(
            sentry(&js(r#"{"data":{"issue":{"level":"info"}}}"#)).severity,
            Severity::Low
        );
        let empty = sentry(&js("{}"));
        assert_eq!(
            (
                empty.title.as_str(),
                empty.kind.as_str(),
                empty.source_id,
                empty.severity
            ),
            (
                "Sentry: Unknown error (1 events)",
                "event",
                None,
                Severity::High
            )
        );
        let from_error = sentry(&js(
            r#"{"data":{"error":{"title":"E","count":"abc","level":"error","id":"9"}}}"#,
        ));
        assert_eq!(
            (from_error.title.as_str(), from_error.source_id),
            ("Sentry: E (NaN events)", None)
        );
        assert_eq!(from_error.severity, Severity::High, "NaN compares false");
        assert_eq!(
            sentry(&js(r#"{"data":{"issue":{"id":77}}}"#))
                .source_id
                .as_deref(),
            Some("77")
        );
        assert_eq!(
            sentry(&js(r#"{"data":{"issue":{"id":0}}}"#)).source_id,
            None
        );
    }
}
