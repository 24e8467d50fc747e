//! A review task as stored, and the verdict payload every consumer of a resolution sees
//! (docs/review-api.md#the-task-object, docs/review-api.md#verdict-webhooks).

use serde::Serialize;
use serde_json::value::RawValue;

use crate::domain::enums::{Module, OnTimeout, ReviewMode, TaskStatus};

/// A stored review task.
#[derive(Debug, Clone)]
pub struct Task {
    /// Opaque id (a UUID).
    pub id: String,
    /// The project whose key created it.
    pub project_id: String,
    /// The game.
    pub module: Module,
    /// Gate or monitor.
    pub mode: ReviewMode,
    /// Origin tag.
    pub source: Option<String>,
    /// Caller's correlation id.
    pub external_id: Option<String>,
    /// Where this task's verdict is posted.
    pub callback_url: Option<String>,
    /// The payload as sent.
    pub payload: Box<RawValue>,
    /// Display hints as sent.
    pub card: Option<Box<RawValue>>,
    /// Agreeing reviews needed.
    pub reviews_required: i64,
    /// Gate deadline in seconds (`None` for monitor tasks).
    pub timeout_seconds: Option<i64>,
    /// What the deadline does (`None` for monitor tasks).
    pub on_timeout: Option<OnTimeout>,
    /// A calibration task.
    pub golden: bool,
    /// The expected outcome of a calibration task.
    pub answer: Option<Box<RawValue>>,
    /// Where the task is.
    pub status: TaskStatus,
    /// `true` approved, `false` flagged, `None` pending or escalated.
    pub verdict: Option<bool>,
    /// The module's choice.
    pub choice: Option<String>,
    /// Flag reason, escalation reason or timeout note.
    pub reason: Option<String>,
    /// Module-specific result.
    pub detail: Option<Box<RawValue>>,
    /// Whether the task was (ever) escalated.
    pub escalated: bool,
    /// Whether the deadline decided it.
    pub timed_out: bool,
    /// The user whose decision resolved it alone, if one did.
    pub reviewer_id: Option<String>,
    /// Creation time.
    pub created_at: String,
    /// Gate deadline.
    pub expires_at: Option<String>,
    /// Time of the latest resolution.
    pub reviewed_at: Option<String>,
}

/// The body of a verdict webhook, and an element of `GET /api/v1/verdicts` (docs/review-api.md#verdict-webhooks): the
/// documented keys first, then Loop's extensions.
#[derive(Debug, Serialize)]
pub struct VerdictPayload<'a> {
    /// The task.
    pub task_id: &'a str,
    /// Echoed from ingest.
    pub external_id: Option<&'a str>,
    /// Echoed from ingest.
    pub source: Option<&'a str>,
    /// The game.
    pub module: Module,
    /// `true` approved, `false` flagged, `None` escalated.
    pub verdict: Option<bool>,
    /// The module's choice.
    pub choice: Option<&'a str>,
    /// Flag reason, escalation reason or timeout note.
    pub reason: Option<&'a str>,
    /// Whether the task was (ever) escalated.
    pub escalated: bool,
    /// Whether the deadline decided it.
    pub timed_out: bool,
    /// Time of this resolution.
    pub reviewed_at: Option<&'a str>,
    /// `reviewed` or `escalated`.
    pub status: TaskStatus,
    /// Gate or monitor.
    pub mode: ReviewMode,
    /// Module-specific result.
    pub detail: Option<&'a RawValue>,
}

impl<'a> VerdictPayload<'a> {
    /// The verdict of `task` in its current state.
    pub fn of(task: &'a Task) -> Self {
        Self {
            task_id: &task.id,
            external_id: task.external_id.as_deref(),
            source: task.source.as_deref(),
            module: task.module,
            verdict: task.verdict,
            choice: task.choice.as_deref(),
            reason: task.reason.as_deref(),
            escalated: task.escalated,
            timed_out: task.timed_out,
            reviewed_at: task.reviewed_at.as_deref(),
            status: task.status,
            mode: task.mode,
            detail: task.detail.as_deref(),
        }
    }
}
