//! How a review task resolves (review-api.md §5, §6, §8.2): the outcome fields every
//! resolution writes, whatever caused it.

use crate::domain::enums::{OnTimeout, TaskStatus};

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
    /// Module-specific result (JSON text).
    pub detail: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

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
