//! Listing issues: the filters, search and sort orders of `GET /api/issues`, and the
//! full-text index behind `q` (kept apart from the entity's reads and writes in the
//! parent module because it is a query language of its own).

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params_from_iter};

use super::{COLUMNS, Issue, from_row};
use crate::domain::enums::{IssueStatus, IssueType, ReviewStatus, WireEnum};
use crate::domain::pagination::Page;

/// The filters of `GET /api/issues`; empty lists and `None` mean "any".
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Any of these statuses.
    pub statuses: Vec<IssueStatus>,
    /// Any of these types.
    pub types: Vec<IssueType>,
    /// This project id.
    pub project_id: Option<String>,
    /// Linked to this label id.
    pub label_id: Option<String>,
    /// This priority.
    pub priority: Option<i64>,
    /// This parent id.
    pub parent_id: Option<String>,
    /// Any of these review states (of the latest review requested).
    pub review_statuses: Vec<ReviewStatus>,
    /// An FTS5 query over title and description (checked with [`search_error`] first).
    pub search: Option<String>,
}

/// What a listing can be ordered by (`GET /api/issues?sort=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// The issue's number.
    Number,
    /// The title, case-insensitively.
    Title,
    /// The status, in the order of an issue's life (triage first, canceled last).
    Status,
    /// The type.
    Type,
    /// The priority, most urgent first (1 … 4, then 0 for none).
    Priority,
    /// Creation time.
    CreatedAt,
    /// Last change.
    UpdatedAt,
}

impl SortKey {
    /// Every key with its wire name.
    pub const ALL: [(&'static str, SortKey); 7] = [
        ("number", SortKey::Number),
        ("title", SortKey::Title),
        ("status", SortKey::Status),
        ("type", SortKey::Type),
        ("priority", SortKey::Priority),
        ("createdAt", SortKey::CreatedAt),
        ("updatedAt", SortKey::UpdatedAt),
    ];

    /// The SQL expression ordered by, ascending.
    fn expression(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Title => "title COLLATE NOCASE",
            Self::Status => {
                "CASE status WHEN 'triage' THEN 0 WHEN 'backlog' THEN 1 WHEN 'todo' THEN 2 \
                 WHEN 'in_progress' THEN 3 WHEN 'done' THEN 4 ELSE 5 END"
            }
            Self::Type => "type",
            Self::Priority => "CASE priority WHEN 0 THEN 5 ELSE priority END",
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
        }
    }
}

/// The order of a listing: by a key (ties by number, in the same direction), or the
/// default (oldest first; best match first when searching).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sort {
    /// The key; `None` is the default order.
    pub key: Option<SortKey>,
    /// Largest first.
    pub descending: bool,
}

impl Sort {
    /// The `ORDER BY` clause; `ranked` when the rows come with a search score.
    fn order_by(self, ranked: bool) -> String {
        let direction = if self.descending { "DESC" } else { "ASC" };
        match self.key {
            Some(key) => format!("{} {direction}, number {direction}", key.expression()),
            None if ranked => "hits.score, number".to_owned(),
            None => "created_at, number".to_owned(),
        }
    }
}

/// Whether writes to issues are waiting to reach the full-text index (see
/// [`catch_up_search_index`]): a cheap read, so that an idle round or a search over an
/// index that is current takes no writer lock.
pub fn search_index_is_behind(conn: &Connection) -> crate::store::Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM issues_fts_pending) \
             OR EXISTS (SELECT 1 FROM issues WHERE number > (SELECT number FROM issues_fts_read))",
        )?
        .query_row([], |row| row.get(0))?)
}

/// Brings up to `limit` queued issues and up to `limit` new ones (the oldest numbers
/// first) into the full-text index, in the write transaction `tx`, and answers how many
/// it took: each is removed from the index and added again with its current title and
/// description when it is live. New issues are those numbered past the highest the
/// index has read (numbers are never reused); triggers on `issues` queue every change of
/// title, description or deletion (migrations 15 and 16). Indexing many at once writes
/// one index segment for all of them instead of one per write.
pub fn catch_up_search_index(tx: &Connection, limit: u32) -> crate::store::Result<usize> {
    const QUEUED: &str = "SELECT number FROM issues_fts_pending ORDER BY number LIMIT ?1";
    const NEW: &str = "SELECT number FROM issues \
         WHERE number > (SELECT number FROM issues_fts_read) ORDER BY number LIMIT ?1";
    // Both sets, each read within the statement that uses it; nothing else writes
    // between these statements. An issue may be in both (changed before it was first
    // indexed), or be new and already indexed (queued, and taken from the queue by an
    // earlier batch that stopped short of it among the new ones): removing every issue
    // of the batch from the index before adding the live ones covers both.
    let batch = format!("SELECT number FROM ({QUEUED}) UNION ALL SELECT number FROM ({NEW})");
    let (new, read_to): (u32, Option<i64>) = tx
        .prepare_cached(&format!("SELECT COUNT(*), MAX(number) FROM ({NEW})"))?
        .query_row([limit], |row| Ok((row.get(0)?, row.get(1)?)))?;
    // One statement each for the whole batch: FTS5 writes what it holds to disk at every
    // statement that changes it inside a savepoint, so one per issue would undo the gain.
    tx.prepare_cached(&format!("DELETE FROM issues_fts WHERE rowid IN ({batch})"))?
        .execute([limit])?;
    tx.prepare_cached(&format!(
        "INSERT INTO issues_fts (rowid, title, description) \
         SELECT number, title, COALESCE(description, '') FROM issues \
         WHERE number IN ({batch}) AND deleted_at IS NULL"
    ))?
    .execute([limit])?;
    let queued = tx
        .prepare_cached(&format!(
            "DELETE FROM issues_fts_pending WHERE number IN ({QUEUED})"
        ))?
        .execute([limit])?;
    if let Some(number) = read_to {
        tx.prepare_cached("UPDATE issues_fts_read SET number = ?1")?
            .execute([number])?;
    }
    Ok(queued + new as usize)
}

/// Why `query` is not a usable full-text query (FTS5 syntax: words, `"phrases"`,
/// `prefix*`, `AND`/`OR`/`NOT`, `NEAR(…)`, `title:` or `description:`), or `None` when
/// it is. A query SQLite cannot parse is the client's mistake, not the server's.
pub fn search_error(conn: &Connection, query: &str) -> crate::store::Result<Option<String>> {
    let probe = conn
        .prepare_cached("SELECT 1 FROM issues_fts WHERE issues_fts MATCH ?1 LIMIT 1")?
        .exists([query]);
    match probe {
        Ok(_) => Ok(None),
        Err(rusqlite::Error::SqliteFailure(error, message))
            if error.code == rusqlite::ErrorCode::Unknown =>
        {
            Ok(Some(
                message.unwrap_or_else(|| "malformed query".to_owned()),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// One page of live issues matching `filter` in the order `sort`, and the number of
/// matches. A search (`filter.search`) ranks by BM25, a title match weighing four times
/// a description match.
///
/// The number of matches is exact. Counting every live row on each request made a
/// listing over 100,000 issues cost milliseconds, so when only statuses and types are
/// filtered it is summed from `issue_counts` (kept by triggers, a few dozen rows);
/// other filters count along their index.
pub fn list(
    conn: &Connection,
    filter: &Filter,
    sort: Sort,
    page: Page,
) -> crate::store::Result<(Vec<Issue>, i64)> {
    // Conditions `issue_counts` can answer (on its own `status` and `type` columns) ...
    let mut counted = Vec::new();
    let mut counted_args: Vec<SqlValue> = Vec::new();
    let any_of = |column: &str,
                  values: Vec<&'static str>,
                  conditions: &mut Vec<String>,
                  args: &mut Vec<SqlValue>| {
        if !values.is_empty() {
            let marks = vec!["?"; values.len()].join(", ");
            conditions.push(format!("{column} IN ({marks})"));
            args.extend(values.into_iter().map(|v| SqlValue::Text(v.to_owned())));
        }
    };
    any_of(
        "status",
        filter.statuses.iter().map(|s| s.as_str()).collect(),
        &mut counted,
        &mut counted_args,
    );
    any_of(
        "type",
        filter.types.iter().map(|t| t.as_str()).collect(),
        &mut counted,
        &mut counted_args,
    );
    // ... and those only `issues` can.
    let mut rest = Vec::new();
    let mut rest_args: Vec<SqlValue> = Vec::new();
    if let Some(project_id) = &filter.project_id {
        rest.push("project_id = ?".to_owned());
        rest_args.push(SqlValue::Text(project_id.clone()));
    }
    if let Some(parent_id) = &filter.parent_id {
        rest.push("parent_id = ?".to_owned());
        rest_args.push(SqlValue::Text(parent_id.clone()));
    }
    if let Some(priority) = filter.priority {
        rest.push("priority = ?".to_owned());
        rest_args.push(SqlValue::Integer(priority));
    }
    if !filter.review_statuses.is_empty() {
        let marks = vec!["?"; filter.review_statuses.len()].join(", ");
        rest.push(format!("review_status IN ({marks})"));
        rest_args.extend(
            filter
                .review_statuses
                .iter()
                .map(|s| SqlValue::Text(s.as_str().to_owned())),
        );
    }
    if let Some(label_id) = &filter.label_id {
        rest.push("id IN (SELECT issue_id FROM issue_labels WHERE label_id = ?)".to_owned());
        rest_args.push(SqlValue::Text(label_id.clone()));
    }
    // A search joins the matching rows of the index, with their score, first.
    let (hits, mut args) = match &filter.search {
        Some(query) => (
            "WITH hits AS (SELECT rowid AS n, bm25(issues_fts, 4.0, 1.0) AS score \
             FROM issues_fts WHERE issues_fts MATCH ?) "
                .to_owned(),
            vec![SqlValue::Text(query.clone())],
        ),
        None => (String::new(), Vec::new()),
    };
    let from = if hits.is_empty() {
        "issues"
    } else {
        "issues JOIN hits ON hits.n = issues.number"
    };
    let total_from_counts = rest.is_empty() && hits.is_empty();
    let mut conditions = vec!["deleted_at IS NULL".to_owned()];
    conditions.extend(counted.iter().cloned());
    conditions.extend(rest);
    args.extend(counted_args.iter().cloned());
    args.extend(rest_args);
    let filter_sql = conditions.join(" AND ");
    let total: i64 = if total_from_counts {
        let mut sql = "SELECT COALESCE(SUM(n), 0) FROM issue_counts".to_owned();
        if !counted.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&counted.join(" AND "));
        }
        conn.prepare_cached(&sql)?
            .query_row(params_from_iter(counted_args.iter()), |row| row.get(0))?
    } else {
        conn.prepare_cached(&format!(
            "{hits}SELECT COUNT(*) FROM {from} WHERE {filter_sql}"
        ))?
        .query_row(params_from_iter(args.iter()), |row| row.get(0))?
    };
    let order = sort.order_by(!hits.is_empty());
    let sql = format!(
        "{hits}SELECT {COLUMNS} FROM {from} WHERE {filter_sql} ORDER BY {order} LIMIT ? OFFSET ?"
    );
    args.push(SqlValue::Integer(page.limit));
    args.push(SqlValue::Integer(page.offset));
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(args.iter()), from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((rows, total))
}
