//! Goals (docs/engine-api.md#objects): measurable targets, soft-deleted.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params_from_iter};
use serde::Serialize;

use super::new_id;
use crate::clock::Timestamp;
use crate::domain::enums::{GoalStatus, WireEnum};
use crate::domain::jsnum;
use crate::domain::pagination::Page;

/// A goal.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Goal {
    /// Opaque id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Free text.
    pub description: Option<String>,
    /// What is measured.
    pub metric: Option<String>,
    /// Where the metric should get to.
    #[serde(serialize_with = "jsnum::serialize_option")]
    pub target_value: Option<f64>,
    /// Where the metric is.
    #[serde(serialize_with = "jsnum::serialize_option")]
    pub current_value: Option<f64>,
    /// Unit of the metric.
    pub unit: Option<String>,
    /// Goal status (wire spelling).
    pub status: String,
    /// The project it belongs to (never validated).
    pub project_id: Option<String>,
    /// The day it should be reached by (`YYYY-MM-DD`; Loop's extension).
    pub deadline: Option<String>,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// Soft-delete time.
    pub deleted_at: Option<String>,
}

const COLUMNS: &str = "id, title, description, metric, target_value, current_value, unit, status, \
    project_id, created_at, updated_at, deleted_at, deadline";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Goal> {
    Ok(Goal {
        id: row.get(0)?,
        title: row.get(1)?,
        description: row.get(2)?,
        metric: row.get(3)?,
        target_value: row.get(4)?,
        current_value: row.get(5)?,
        unit: row.get(6)?,
        status: row.get(7)?,
        project_id: row.get(8)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
        deleted_at: row.get(11)?,
        deadline: row.get(12)?,
    })
}

/// The table's live rows, as the shared queries read them.
const TABLE: super::Table<Goal> = super::Table {
    name: "goals",
    columns: COLUMNS,
    read: from_row,
};

/// Every settable field of a goal. On create, `None` means "unset"; on update, `None`
/// means "unchanged" and `Some(None)` clears a nullable field.
#[derive(Debug, Default, Clone)]
pub struct GoalFields {
    /// Title.
    pub title: Option<String>,
    /// Description.
    pub description: Option<Option<String>>,
    /// Metric.
    pub metric: Option<Option<String>>,
    /// Target value.
    pub target_value: Option<Option<f64>>,
    /// Current value.
    pub current_value: Option<Option<f64>>,
    /// Unit.
    pub unit: Option<Option<String>>,
    /// Status.
    pub status: Option<GoalStatus>,
    /// Project id.
    pub project_id: Option<Option<String>>,
    /// Deadline (`YYYY-MM-DD`).
    pub deadline: Option<Option<String>>,
}

impl GoalFields {
    fn assignments(&self) -> Vec<(&'static str, SqlValue)> {
        let text = |v: &Option<String>| v.clone().map_or(SqlValue::Null, SqlValue::Text);
        let real = |v: &Option<f64>| v.map_or(SqlValue::Null, SqlValue::Real);
        let mut out = Vec::new();
        if let Some(v) = &self.title {
            out.push(("title", SqlValue::Text(v.clone())));
        }
        if let Some(v) = &self.description {
            out.push(("description", text(v)));
        }
        if let Some(v) = &self.metric {
            out.push(("metric", text(v)));
        }
        if let Some(v) = &self.target_value {
            out.push(("target_value", real(v)));
        }
        if let Some(v) = &self.current_value {
            out.push(("current_value", real(v)));
        }
        if let Some(v) = &self.unit {
            out.push(("unit", text(v)));
        }
        if let Some(v) = self.status {
            out.push(("status", SqlValue::Text(v.as_str().to_owned())));
        }
        if let Some(v) = &self.project_id {
            out.push(("project_id", text(v)));
        }
        if let Some(v) = &self.deadline {
            out.push(("deadline", text(v)));
        }
        out
    }
}

/// Creates a goal (status `active` unless given).
pub fn insert(conn: &Connection, fields: &GoalFields, now: Timestamp) -> super::Result<Goal> {
    let mut columns = vec!["id", "status", "created_at", "updated_at"];
    let now = SqlValue::Text(now.to_string());
    let mut args = vec![
        SqlValue::Text(new_id()),
        SqlValue::Text(GoalStatus::Active.as_str().to_owned()),
        now.clone(),
        now,
    ];
    for (column, value) in fields.assignments() {
        if column == "status" {
            args[1] = value;
        } else {
            columns.push(column);
            args.push(value);
        }
    }
    let marks = vec!["?"; columns.len()].join(", ");
    let sql = format!(
        "INSERT INTO goals ({}) VALUES ({marks}) RETURNING {COLUMNS}",
        columns.join(", ")
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params_from_iter(args.iter()), from_row)?)
}

/// The live goal with this id.
pub fn find_live(conn: &Connection, id: &str) -> super::Result<Option<Goal>> {
    let sql = format!("SELECT {COLUMNS} FROM goals WHERE id = ?1 AND deleted_at IS NULL");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], from_row)
        .optional()?)
}

/// The first goal (in creation order) whose own `projectId` is `project_id`, whatever
/// its status or deletion: the goal prompts show for a project.
pub fn first_for_project(conn: &Connection, project_id: &str) -> super::Result<Option<Goal>> {
    let sql = format!("SELECT {COLUMNS} FROM goals WHERE project_id = ?1 ORDER BY rowid LIMIT 1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([project_id], from_row)
        .optional()?)
}

/// One page of live goals in insertion order, and how many there are.
pub fn list(conn: &Connection, page: Page) -> super::Result<(Vec<Goal>, i64)> {
    super::live_page(conn, &TABLE, "rowid", page)
}

/// Applies `fields` to the live goal `id`; `None` if there is none. Nothing to change
/// returns the row untouched.
pub fn update(
    conn: &Connection,
    id: &str,
    fields: &GoalFields,
    now: Timestamp,
) -> super::Result<Option<Goal>> {
    super::update_live(conn, &TABLE, fields.assignments(), id, now, || {
        find_live(conn, id)
    })
}

/// Soft-deletes the live goal `id`; `false` if there was none.
pub fn soft_delete(conn: &Connection, id: &str, now: Timestamp) -> super::Result<bool> {
    Ok(super::soft_delete("goals", conn, id, now)?)
}
