//! Signals: every signal that arrives is recorded with the triage issue made from it
//! (type `signal`, status `triage`, priority from the severity, the payload as its
//! `signalPayload`), in one transaction, so that one never exists without the other.

use rusqlite::Connection;

use crate::app::Ctx;
use crate::clock::Timestamp;
use crate::domain::enums::{IssueStatus, IssueType};
use crate::domain::signals::SignalDraft;
use crate::error::ApiError;
use crate::store::issues::{self, Issue, NewIssue};
use crate::store::signals::{self, Signal};

/// Records a signal and its triage issue; `payload` is stored JSON text.
pub fn record(
    ctx: &mut Ctx<'_>,
    draft: &SignalDraft,
    payload: &str,
    project_id: Option<&str>,
) -> Result<(Signal, Issue), ApiError> {
    ctx.write(|tx, now| record_in(tx, draft, payload, project_id, now))
}

/// [`record`] inside a transaction the caller holds (verdicts that become signals).
pub fn record_in(
    tx: &Connection,
    draft: &SignalDraft,
    payload: &str,
    project_id: Option<&str>,
    now: Timestamp,
) -> Result<(Signal, Issue), ApiError> {
    let issue = issues::insert(
        tx,
        &NewIssue {
            project_id: project_id.map(str::to_owned),
            signal_source: Some(draft.source.clone()),
            signal_payload: Some(payload.to_owned()),
            ..NewIssue::new(
                draft.title.clone(),
                IssueType::Signal,
                IssueStatus::Triage,
                draft.severity.issue_priority(),
            )
        },
        now,
    )?;
    let signal = signals::insert(tx, draft, payload, &issue.id, now)?;
    Ok((signal, issue))
}
