//! Signals (docs/engine-api.md#objects): write-only records of what arrived, each tied to the
//! triage issue created with it (see `service::signals`).

use rusqlite::{Connection, Row, params};
use serde::Serialize;
use serde_json::value::RawValue;

use super::{json_column, new_id};
use crate::clock::Timestamp;
use crate::domain::enums::WireEnum;
use crate::domain::signals::SignalDraft;

/// A signal as the API returns it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Signal {
    /// Opaque id.
    pub id: String,
    /// Where it came from.
    pub source: String,
    /// The source's own id for it.
    pub source_id: Option<String>,
    /// What kind of event.
    #[serde(rename = "type")]
    pub kind: String,
    /// Severity (wire spelling).
    pub severity: String,
    /// What the source sent.
    pub payload: Option<Box<RawValue>>,
    /// The triage issue created with it.
    pub issue_id: String,
    /// Arrival time.
    pub created_at: String,
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Signal> {
    Ok(Signal {
        id: row.get(0)?,
        source: row.get(1)?,
        source_id: row.get(2)?,
        kind: row.get(3)?,
        severity: row.get(4)?,
        payload: json_column(row, 5)?,
        issue_id: row.get(6)?,
        created_at: row.get(7)?,
    })
}

/// Stores a signal tied to its triage issue `issue_id` (made in the same transaction).
pub fn insert(
    conn: &Connection,
    draft: &SignalDraft,
    payload: &str,
    issue_id: &str,
    now: Timestamp,
) -> super::Result<Signal> {
    Ok(conn.prepare_cached(
        "INSERT INTO signals (id, source, source_id, type, severity, payload, issue_id, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
         RETURNING id, source, source_id, type, severity, payload, issue_id, created_at",
    )?
    .query_row(
        params![
            new_id(),
            draft.source,
            draft.source_id,
            draft.kind,
            draft.severity.as_str(),
            payload,
            issue_id,
            now.to_string()
        ],
        from_row,
    )?)
}
