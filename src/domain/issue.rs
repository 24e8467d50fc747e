//! The structured JSON values an issue carries: hypotheses, commit and pull-request
//! references (docs/engine-api.md#objects). Each is validated and normalised to its known keys.

use serde_json::{Map, Value, json};

use super::enums::IssueStatus;
use super::jsnum;
use super::stored_json;
use super::validate::Input;
use crate::clock::Timestamp;

/// Reads a `HypothesisData` object at `key` and returns it as normalised JSON text:
/// `{statement, confidence, evidence, validationCriteria, prediction?}` with unknown keys
/// dropped. Absent → `None`; `null` → `Some(None)` when `nullable`.
pub fn read_hypothesis(input: &mut Input<'_>, key: &str, nullable: bool) -> Option<Option<String>> {
    input.nested_object(key, nullable, |h| {
        let statement = h.required_str("statement", 0, usize::MAX);
        let confidence = if h.has("confidence") {
            h.opt_number("confidence", 0.0, 1.0)
        } else {
            h.fail(
                "confidence",
                "Invalid input: expected number, received undefined",
            );
            None
        };
        let evidence = if h.has("evidence") {
            h.opt_str_array("evidence")
        } else {
            h.fail(
                "evidence",
                "Invalid input: expected array, received undefined",
            );
            None
        };
        let criteria = h.required_str("validationCriteria", 0, usize::MAX);
        let prediction = h.opt_str("prediction", 0, usize::MAX);
        let mut out = Map::new();
        out.insert("statement".into(), json!(statement));
        out.insert(
            "confidence".into(),
            jsnum::to_json(confidence.unwrap_or_default()),
        );
        out.insert("evidence".into(), json!(evidence.unwrap_or_default()));
        out.insert("validationCriteria".into(), json!(criteria));
        if let Some(prediction) = prediction {
            out.insert("prediction".into(), json!(prediction));
        }
        stored_json::to_text(Value::Object(out))
    })
}

/// Copies the optional string fields `keys` of `from` into `out`.
fn optional_strings(from: &mut Input<'_>, out: &mut Map<String, Value>, keys: &[&str]) {
    for key in keys {
        if let Some(value) = from.opt_str(key, 0, usize::MAX) {
            out.insert((*key).to_owned(), json!(value));
        }
    }
}

/// Reads a nullable array of `CommitRef` (`{sha, message, url?, author?, timestamp?}`)
/// at `key`, as normalised JSON text.
pub fn read_commits(input: &mut Input<'_>, key: &str) -> Option<Option<String>> {
    let commits = input.nested_array(key, true, |c| {
        let mut out = Map::new();
        out.insert("sha".into(), json!(c.required_str("sha", 1, usize::MAX)));
        out.insert(
            "message".into(),
            json!(c.required_str("message", 0, usize::MAX)),
        );
        optional_strings(c, &mut out, &["url", "author", "timestamp"]);
        Value::Object(out)
    })?;
    Some(commits.map(|list| Value::Array(list).to_string()))
}

/// Reads a nullable array of `PullRequestRef` (`{number, title, url?, state?, mergedAt?}`,
/// `mergedAt` may be `null`) at `key`, as normalised JSON text.
pub fn read_pull_requests(input: &mut Input<'_>, key: &str) -> Option<Option<String>> {
    let prs = input.nested_array(key, true, |p| {
        let mut out = Map::new();
        let number = if p.has("number") {
            p.opt_number("number", f64::NEG_INFINITY, f64::INFINITY)
        } else {
            p.fail(
                "number",
                "Invalid input: expected number, received undefined",
            );
            None
        };
        out.insert("number".into(), jsnum::to_json(number.unwrap_or_default()));
        out.insert(
            "title".into(),
            json!(p.required_str("title", 0, usize::MAX)),
        );
        optional_strings(p, &mut out, &["url", "state"]);
        if let Some(merged_at) = p.nullable_str("mergedAt", 0, usize::MAX) {
            out.insert("mergedAt".into(), json!(merged_at));
        }
        Value::Object(out)
    })?;
    Some(prs.map(|list| Value::Array(list).to_string()))
}

/// How `completedAt` changes when an issue's status is set to `new_status` from the
/// stored `previous_status` (docs/decisions.md#closing-the-loop): entering `done` stamps `now`, leaving `done`
/// clears it, anything else leaves it alone (`None`).
pub fn completed_at_change(
    previous_status: IssueStatus,
    new_status: IssueStatus,
    now: Timestamp,
) -> Option<Option<Timestamp>> {
    let was_done = previous_status == IssueStatus::Done;
    match (was_done, new_status == IssueStatus::Done) {
        (false, true) => Some(Some(now)),
        (true, false) => Some(None),
        _ => None,
    }
}

/// Whether an issue may be the parent of a new one, given whether it was found (live)
/// and, if so, whether it has a parent itself: hierarchies are one level deep. The
/// refusal is the message a client sees.
pub fn check_parent(parent_has_parent: Option<bool>) -> Result<(), &'static str> {
    match parent_has_parent {
        None => Err("Parent issue not found"),
        Some(true) => Err(
            "Cannot create a child of an issue that already has a parent (1-level hierarchy limit)",
        ),
        Some(false) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_follows_the_done_status() {
        let now = Timestamp::from_unix_millis(5);
        assert_eq!(
            completed_at_change(IssueStatus::Todo, IssueStatus::Done, now),
            Some(Some(now))
        );
        assert_eq!(
            completed_at_change(IssueStatus::Done, IssueStatus::Todo, now),
            Some(None)
        );
        assert_eq!(
            completed_at_change(IssueStatus::Done, IssueStatus::Done, now),
            None
        );
        assert_eq!(
            completed_at_change(IssueStatus::Triage, IssueStatus::Backlog, now),
            None
        );
    }

    #[test]
    fn hierarchies_are_one_level_deep() {
        assert_eq!(check_parent(Some(false)), Ok(()));
        assert_eq!(check_parent(None), Err("Parent issue not found"));
        assert!(check_parent(Some(true)).is_err_and(|e| e.contains("1-level")));
    }

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn hypothesis_keeps_known_keys_only() {
        let body = object(json!({"h": {
            "statement": "s", "confidence": 0.5, "evidence": ["a"],
            "validationCriteria": "v", "extra": 1
        }}));
        let mut input = Input::new(&body);
        let h = read_hypothesis(&mut input, "h", false);
        assert!(input.finish().is_ok());
        assert_eq!(
            h,
            Some(Some(
                r#"{"evidence":["a"],"statement":"s","confidence":0.5,"validationCriteria":"v"}"#
                    .to_owned()
            ))
        );
    }

    #[test]
    fn hypothesis_requires_its_fields() {
        let body = object(json!({"h": {"statement": "s", "confidence": 1.5}}));
        let mut input = Input::new(&body);
        assert_eq!(read_hypothesis(&mut input, "h", true), None);
        let paths: Vec<String> = input
            .finish()
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            vec!["h.confidence", "h.evidence", "h.validationCriteria"]
        );
    }

    #[test]
    fn null_hypothesis_only_where_nullable() {
        let body = object(json!({"h": null}));
        let mut input = Input::new(&body);
        assert_eq!(read_hypothesis(&mut input, "h", true), Some(None));
        assert!(input.finish().is_ok());
        let mut input = Input::new(&body);
        assert_eq!(read_hypothesis(&mut input, "h", false), None);
        assert!(input.finish().is_err());
    }

    #[test]
    fn commits_and_pull_requests() {
        let body = object(json!({
            "c": [{"sha": "abc", "message": "fix", "url": "u", "junk": 1}],
            "p": [{"number": 42, "title": "t", "mergedAt": null}],
            "bad": [{"message": "no sha"}],
        }));
        let mut input = Input::new(&body);
        assert_eq!(
            read_commits(&mut input, "c"),
            Some(Some(
                r#"[{"sha":"abc","message":"fix","url":"u"}]"#.to_owned()
            ))
        );
        assert_eq!(
            read_pull_requests(&mut input, "p"),
            Some(Some(
                r#"[{"number":42,"title":"t","mergedAt":null}]"#.to_owned()
            ))
        );
        assert_eq!(read_commits(&mut input, "bad"), None);
        let errors = input.finish().unwrap_err();
        assert_eq!(errors[0].path, "bad.0.sha");
    }
}
