//! Verdicts that feed the improvement engine (docs/review-api.md#verdicts-into-the-engine, docs/decisions.md#verdicts-feed-the-engine): a
//! flagged, escalated or timed-out resolution becomes a signal in the task's project;
//! approvals do not.

use serde_json::{Map, Value};

use super::record::{Task, VerdictPayload};
use crate::domain::enums::{Severity, TaskStatus, WireEnum};
use crate::domain::signals::{SignalDraft, generic_title};

/// The severity a flag of `task` carries in its result (swiper flags record one), if any.
pub fn flagged_severity(task: &Task) -> Option<Severity> {
    task.detail
        .as_ref()
        .and_then(|detail| serde_json::from_str::<Value>(detail.get()).ok())
        .and_then(|detail| {
            detail
                .get("severity")
                .and_then(Value::as_str)
                .and_then(Severity::parse)
        })
}

/// The signal a just-resolved `task` raises, with its payload (the verdict payload plus
/// `title` from the card and `project`), or `None` for an approval.
pub fn for_resolution(task: &Task, project_name: &str) -> Option<(SignalDraft, Value)> {
    let escalated = task.status == TaskStatus::Escalated;
    if !escalated && task.verdict != Some(false) {
        return None;
    }
    let kind = if task.timed_out {
        "review.timed_out"
    } else if escalated {
        "review.escalated"
    } else {
        "review.flagged"
    };
    let severity = flagged_severity(task).unwrap_or(if escalated {
        Severity::High
    } else {
        Severity::Medium
    });
    let mut payload = match serde_json::to_value(VerdictPayload::of(task)) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let title = task
        .card
        .as_ref()
        .and_then(|card| serde_json::from_str::<Value>(card.get()).ok())
        .and_then(|card| card.get("title").and_then(Value::as_str).map(str::to_owned))
        .filter(|title| !title.is_empty());
    payload.insert("title".to_owned(), title.map_or(Value::Null, Value::from));
    payload.insert("project".to_owned(), Value::from(project_name));
    let draft = SignalDraft {
        source: "review".to_owned(),
        source_id: Some(task.id.clone()),
        kind: kind.to_owned(),
        severity,
        title: generic_title("review", kind, &payload),
    };
    Some((draft, Value::Object(payload)))
}
