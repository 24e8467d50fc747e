//! Signals (docs/engine-api.md#objects): write-only records of what arrived, each tied to the
//! triage issue created with it (see `service::signals`).

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, Row, params, params_from_iter};
use serde::Serialize;
use serde_json::value::RawValue;

use super::{json_as_read, json_column, new_id};
use crate::clock::Timestamp;
use crate::domain::enums::{IssueStatus, Severity, WireEnum};
use crate::domain::pagination::Page;
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
/// The answer is made from what was inserted, not read back with `RETURNING` (see
/// [`super::issues::insert`]).
pub fn insert(
    conn: &Connection,
    draft: &SignalDraft,
    payload: &str,
    issue_id: &str,
    now: Timestamp,
) -> super::Result<Signal> {
    let signal = Signal {
        id: new_id(),
        source: draft.source.clone(),
        source_id: draft.source_id.clone(),
        kind: draft.kind.clone(),
        severity: draft.severity.as_str().to_owned(),
        payload: json_as_read(Some(payload))?,
        issue_id: issue_id.to_owned(),
        created_at: now.to_string(),
    };
    conn.prepare_cached(
        "INSERT INTO signals (id, source, source_id, type, severity, payload, issue_id, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        signal.id,
        signal.source,
        signal.source_id,
        signal.kind,
        signal.severity,
        payload,
        signal.issue_id,
        signal.created_at
    ])?;
    Ok(signal)
}

/// The issue a listed signal created, briefly.
#[derive(Debug, Serialize)]
pub struct CreatedIssue {
    /// Opaque id.
    pub id: String,
    /// Number.
    pub number: i64,
    /// Title.
    pub title: String,
    /// Where it is now.
    pub status: IssueStatus,
}

/// A signal with the issue it created (`None` once that issue is soft-deleted).
#[derive(Debug, Serialize)]
pub struct Listed {
    /// The signal.
    #[serde(flatten)]
    pub signal: Signal,
    /// Its triage issue.
    pub issue: Option<CreatedIssue>,
}

/// The filters of `GET /api/signals`; `None` means "any".
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// This source (`github`, `sentry`, …).
    pub source: Option<String>,
    /// This severity.
    pub severity: Option<Severity>,
}

/// One page of signals matching `filter`, newest first, each with its issue, and the
/// number of matches.
pub fn list(conn: &Connection, filter: &Filter, page: Page) -> super::Result<(Vec<Listed>, i64)> {
    let mut conditions = vec!["1 = 1"];
    let mut args: Vec<SqlValue> = Vec::new();
    if let Some(source) = &filter.source {
        conditions.push("s.source = ?");
        args.push(SqlValue::Text(source.clone()));
    }
    if let Some(severity) = filter.severity {
        conditions.push("s.severity = ?");
        args.push(SqlValue::Text(severity.as_str().to_owned()));
    }
    let filter_sql = conditions.join(" AND ");
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM signals s WHERE {filter_sql}"
        ))?
        .query_row(params_from_iter(args.iter()), |row| row.get(0))?;
    let sql = format!(
        "SELECT s.id, s.source, s.source_id, s.type, s.severity, s.payload, s.issue_id, s.created_at, \
         i.number, i.title, i.status FROM signals s \
         LEFT JOIN issues i ON i.id = s.issue_id AND i.deleted_at IS NULL \
         WHERE {filter_sql} ORDER BY s.created_at DESC, s.rowid DESC LIMIT ? OFFSET ?"
    );
    args.push(SqlValue::Integer(page.limit));
    args.push(SqlValue::Integer(page.offset));
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(args.iter()), |row| {
            let signal = from_row(row)?;
            let number: Option<i64> = row.get(8)?;
            let issue = match number {
                Some(number) => Some(CreatedIssue {
                    id: signal.issue_id.clone(),
                    number,
                    title: row.get(9)?,
                    status: super::required_enum_column(row, 10)?,
                }),
                None => None,
            };
            Ok(Listed { signal, issue })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::enums::IssueType;
    use crate::domain::pagination::Page;
    use crate::store::issues::{self, NewIssue};

    /// An insert answers the row as stored (it is made from what was inserted, not read
    /// back), with a provider id and without.
    #[test]
    fn an_insert_answers_the_stored_row() {
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        super::super::migrate(&mut conn, Timestamp::from_unix_millis(0))
            .unwrap_or_else(|e| panic!("{e}"));
        for (n, source_id) in [Some("evt-7"), None].into_iter().enumerate() {
            let now =
                Timestamp::from_unix_millis(1_795_580_949_000 + i64::try_from(n).unwrap_or(0));
            let new = NewIssue::new(
                "triage".to_owned(),
                IssueType::Signal,
                IssueStatus::Triage,
                2,
            );
            let issue = issues::insert(&conn, &new, now).unwrap_or_else(|e| panic!("{e}"));
            let draft = SignalDraft {
                source: "sentry".to_owned(),
                source_id: source_id.map(str::to_owned),
                kind: "error".to_owned(),
                severity: Severity::High,
                title: "triage".to_owned(),
            };
            let inserted = insert(&conn, &draft, r#"{"event": {"id": 7}}"#, &issue.id, now)
                .unwrap_or_else(|e| panic!("{e}"));
            let page = Page {
                limit: 1,
                offset: 0,
            };
            let (listed, total) =
                list(&conn, &Filter::default(), page).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(total, i64::try_from(n + 1).unwrap_or(0));
            let json =
                |signal: &Signal| serde_json::to_value(signal).unwrap_or_else(|e| panic!("{e}"));
            let stored = listed.first().map(|l| json(&l.signal));
            assert_eq!(Some(json(&inserted)), stored, "{source_id:?}");
        }
    }
}
