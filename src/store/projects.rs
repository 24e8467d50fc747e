//! Projects (docs/engine-api.md#objects): groups of issues, optionally pursuing a goal.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{new_id, required_enum_column};
use crate::clock::Timestamp;
use crate::domain::enums::{ProjectHealth, ProjectStatus, SignOffMode, WireEnum};
use crate::domain::jsnum;
use crate::domain::pagination::Page;
use crate::domain::sign_off::Policy;

/// A project.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    /// Opaque id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Project status (wire spelling).
    pub status: String,
    /// Project health (wire spelling).
    pub health: String,
    /// The goal it pursues.
    pub goal_id: Option<String>,
    /// Whether its agents' work needs a person's approval before it is done.
    pub sign_off: SignOffMode,
    /// The share of issues sampled for sign-off under `sampled` (0..1).
    #[serde(serialize_with = "jsnum::serialize_option")]
    pub sign_off_rate: Option<f64>,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// Soft-delete time.
    pub deleted_at: Option<String>,
}

impl Project {
    /// Its sign-off policy.
    pub fn sign_off_policy(&self) -> Policy {
        Policy {
            mode: self.sign_off,
            rate: self.sign_off_rate,
        }
    }
}

const COLUMNS: &str = "id, name, description, status, health, goal_id, created_at, updated_at, \
     deleted_at, sign_off, sign_off_rate";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Project> {
    Ok(Project {
        id: row.get(0)?,
        name: row.get(1)?,
        description: row.get(2)?,
        status: row.get(3)?,
        health: row.get(4)?,
        goal_id: row.get(5)?,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
        deleted_at: row.get(8)?,
        sign_off: required_enum_column(row, 9)?,
        sign_off_rate: row.get(10)?,
    })
}

/// The table's live rows, as the shared queries read them.
const TABLE: super::Table<Project> = super::Table {
    name: "projects",
    columns: COLUMNS,
    read: from_row,
};

/// Every settable field of a project. On create `None` means "default"; on update `None`
/// means "unchanged" and `Some(None)` clears a nullable field.
#[derive(Debug, Default, Clone)]
pub struct ProjectFields {
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Status.
    pub status: Option<ProjectStatus>,
    /// Health.
    pub health: Option<ProjectHealth>,
    /// Goal id (already checked to be a live goal).
    pub goal_id: Option<Option<String>>,
    /// Sign-off policy.
    pub sign_off: Option<SignOffMode>,
    /// Share of issues sampled for sign-off (`Some(None)` clears it).
    pub sign_off_rate: Option<Option<f64>>,
}

impl ProjectFields {
    fn assignments(&self) -> Vec<(&'static str, SqlValue)> {
        let mut out = Vec::new();
        if let Some(v) = &self.name {
            out.push(("name", SqlValue::Text(v.clone())));
        }
        if let Some(v) = &self.description {
            out.push(("description", SqlValue::Text(v.clone())));
        }
        if let Some(v) = self.status {
            out.push(("status", SqlValue::Text(v.as_str().to_owned())));
        }
        if let Some(v) = self.health {
            out.push(("health", SqlValue::Text(v.as_str().to_owned())));
        }
        if let Some(v) = &self.goal_id {
            out.push(("goal_id", v.clone().map_or(SqlValue::Null, SqlValue::Text)));
        }
        if let Some(v) = self.sign_off {
            out.push(("sign_off", SqlValue::Text(v.as_str().to_owned())));
        }
        if let Some(v) = self.sign_off_rate {
            out.push(("sign_off_rate", v.map_or(SqlValue::Null, SqlValue::Real)));
        }
        out
    }
}

/// Creates a project (status `backlog`, health `on_track` unless given) with its webhook
/// signing secret.
pub fn insert(
    conn: &Connection,
    fields: &ProjectFields,
    secrets: &ProjectSecrets,
    now: Timestamp,
) -> super::Result<Project> {
    let sql = format!(
        "INSERT INTO projects (id, name, description, status, health, goal_id, created_at, updated_at, \
         signing_secret, decoy_seed, sign_off, sign_off_rate) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9, ?10, ?11) RETURNING {COLUMNS}"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(
        params![
            new_id(),
            fields.name,
            fields.description,
            fields.status.unwrap_or(ProjectStatus::Backlog).as_str(),
            fields.health.unwrap_or(ProjectHealth::OnTrack).as_str(),
            fields.goal_id.clone().flatten(),
            now.to_string(),
            secrets.signing_secret,
            secrets.decoy_seed,
            fields.sign_off.unwrap_or(SignOffMode::Off).as_str(),
            fields.sign_off_rate.flatten(),
        ],
        from_row,
    )?)
}

/// The secrets a new project is made with (see `credentials`).
#[derive(Debug)]
pub struct ProjectSecrets {
    /// Signs its verdict webhooks.
    pub signing_secret: String,
    /// Keys its decoy draws.
    pub decoy_seed: String,
}

/// The live project with this id.
pub fn find_live(conn: &Connection, id: &str) -> super::Result<Option<Project>> {
    let sql = format!("SELECT {COLUMNS} FROM projects WHERE id = ?1 AND deleted_at IS NULL");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], from_row)
        .optional()?)
}

/// The live project whose id, or else whose name, is `id_or_name` (the oldest of several
/// with that name).
pub fn find_live_by_id_or_name(
    conn: &Connection,
    id_or_name: &str,
) -> super::Result<Option<Project>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM projects WHERE (id = ?1 OR name = ?1) AND deleted_at IS NULL \
         ORDER BY id = ?1 DESC, created_at, rowid LIMIT 1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id_or_name], from_row)
        .optional()?)
}

/// The review settings of a live project: its webhook signing secret and the timeout of
/// gate tasks that name none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewSettings {
    /// `whsec_…`: the HMAC key of its verdict webhooks.
    pub signing_secret: String,
    /// Seconds a gate task waits for a human by default.
    pub default_gate_timeout_seconds: i64,
}

/// The review settings of the live project `id`.
pub fn review_settings(conn: &Connection, id: &str) -> super::Result<Option<ReviewSettings>> {
    Ok(conn
        .prepare_cached(
            "SELECT signing_secret, default_gate_timeout_seconds FROM projects \
         WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([id], |row| {
            Ok(ReviewSettings {
                signing_secret: row.get::<_, Option<String>>(0)?.unwrap_or_default(),
                default_gate_timeout_seconds: row.get(1)?,
            })
        })
        .optional()?)
}

/// The sign-off policy of project `id` (soft-deleted or not: its issues keep the rule
/// they were under); `None` when there is no such project.
pub fn sign_off_policy(conn: &Connection, id: &str) -> super::Result<Option<Policy>> {
    Ok(conn
        .prepare_cached("SELECT sign_off, sign_off_rate FROM projects WHERE id = ?1")?
        .query_row([id], |row| {
            Ok(Policy {
                mode: required_enum_column(row, 0)?,
                rate: row.get(1)?,
            })
        })
        .optional()?)
}

/// How a project probes its reviewers (docs/reviewer-quality.md): the share of cards
/// that are decoys and of cards that mix in a golden task, and the seed of the draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualitySettings {
    /// Decoys per million cards (50 000: one in twenty; 0: none).
    pub decoy_rate_ppm: i64,
    /// Golden tasks mixed in per million cards, even while real work waits.
    pub golden_rate_ppm: i64,
    /// The key of the draw (64 hex digits).
    pub decoy_seed: String,
}

/// The quality settings of project `id`, soft-deleted or not (an audit of a deleted
/// project still recomputes its draws).
pub fn quality_settings(conn: &Connection, id: &str) -> super::Result<Option<QualitySettings>> {
    Ok(conn
        .prepare_cached(
            "SELECT decoy_rate_ppm, golden_rate_ppm, decoy_seed FROM projects WHERE id = ?1",
        )?
        .query_row([id], |row| {
            Ok(QualitySettings {
                decoy_rate_ppm: row.get(0)?,
                golden_rate_ppm: row.get(1)?,
                decoy_seed: row.get(2)?,
            })
        })
        .optional()?)
}

/// Sets the decoy and golden rates of the live project `id` (each when given); `false`
/// if there is none.
pub fn set_rates(
    conn: &Connection,
    id: &str,
    decoy_rate_ppm: Option<i64>,
    golden_rate_ppm: Option<i64>,
) -> super::Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE projects SET decoy_rate_ppm = COALESCE(?2, decoy_rate_ppm), \
             golden_rate_ppm = COALESCE(?3, golden_rate_ppm) WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![id, decoy_rate_ppm, golden_rate_ppm])?;
    Ok(changed > 0)
}

/// Replaces the signing secret of the live project `id`; `false` if there is none.
pub fn set_signing_secret(conn: &Connection, id: &str, secret: &str) -> super::Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE projects SET signing_secret = ?2 WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![id, secret])?;
    Ok(changed > 0)
}

/// Sets how long gate tasks of the live project `id` wait for a human when they name no
/// timeout; `false` if there is no such project.
pub fn set_default_gate_timeout(conn: &Connection, id: &str, seconds: i64) -> super::Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE projects SET default_gate_timeout_seconds = ?2 WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![id, seconds])?;
    Ok(changed > 0)
}

/// A project as the review side shows it: its review settings and how many of its
/// review tasks are in each status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewProject {
    /// Opaque id (the engine project's).
    pub id: String,
    /// Name.
    pub name: String,
    /// Seconds a gate task waits for a human when it names no timeout.
    pub default_gate_timeout_seconds: i64,
    /// Whether its agents' work needs a person's approval before it is done.
    pub sign_off: SignOffMode,
    /// The share of issues sampled for sign-off under `sampled` (0..1).
    #[serde(serialize_with = "jsnum::serialize_option")]
    pub sign_off_rate: Option<f64>,
    /// Creation time.
    pub created_at: String,
    /// Review tasks waiting for reviewers.
    pub pending: i64,
    /// Review tasks waiting for an owner or admin.
    pub escalated: i64,
    /// Review tasks with a final verdict.
    pub reviewed: i64,
    /// Share of cards that are decoys (docs/reviewer-quality.md#settings).
    pub decoy_rate: f64,
    /// Share of cards that mix in a golden task.
    pub golden_rate: f64,
}

/// Live projects with their review-task counts (kept by triggers, so this reads a few
/// rows per project whatever the number of tasks), oldest first: every project, or
/// only those `reviewer` reviews.
pub fn with_review_counts(
    conn: &Connection,
    reviewer: Option<&str>,
    id: Option<&str>,
) -> super::Result<Vec<ReviewProject>> {
    Ok(conn.prepare_cached(
        "SELECT p.id, p.name, p.default_gate_timeout_seconds, p.created_at,            COALESCE((SELECT n FROM review_task_counts c WHERE c.project_id = p.id AND c.status = 'pending'), 0),            COALESCE((SELECT n FROM review_task_counts c WHERE c.project_id = p.id AND c.status = 'escalated'), 0),            COALESCE((SELECT n FROM review_task_counts c WHERE c.project_id = p.id AND c.status = 'reviewed'), 0),            p.decoy_rate_ppm / 1000000.0, p.golden_rate_ppm / 1000000.0, p.sign_off, p.sign_off_rate          FROM projects p WHERE p.deleted_at IS NULL AND (?2 IS NULL OR p.id = ?2)          AND (?1 IS NULL OR EXISTS (SELECT 1 FROM project_reviewers pr WHERE pr.project_id = p.id AND pr.user_id = ?1))          ORDER BY p.created_at, p.rowid",
    )?
    .query_map(params![reviewer, id], |row| {
        Ok(ReviewProject {
            id: row.get(0)?,
            name: row.get(1)?,
            default_gate_timeout_seconds: row.get(2)?,
            created_at: row.get(3)?,
            pending: row.get(4)?,
            escalated: row.get(5)?,
            reviewed: row.get(6)?,
            decoy_rate: row.get(7)?,
            golden_rate: row.get(8)?,
            sign_off: required_enum_column(row, 9)?,
            sign_off_rate: row.get(10)?,
        })
    })?
    .collect::<rusqlite::Result<_>>()?)
}

/// The project with this id, soft-deleted or not.
pub fn find_any(conn: &Connection, id: &str) -> super::Result<Option<Project>> {
    let sql = format!("SELECT {COLUMNS} FROM projects WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], from_row)
        .optional()?)
}

/// One page of live projects, oldest first, and how many there are.
pub fn list(conn: &Connection, page: Page) -> super::Result<(Vec<Project>, i64)> {
    super::live_page(conn, &TABLE, "created_at, rowid", page)
}

/// Applies `fields` to the live project `id`; `None` if there is none. Nothing to change
/// returns the row untouched.
pub fn update(
    conn: &Connection,
    id: &str,
    fields: &ProjectFields,
    now: Timestamp,
) -> super::Result<Option<Project>> {
    super::update_live(conn, &TABLE, fields.assignments(), id, now, || {
        find_live(conn, id)
    })
}

/// Soft-deletes the live project `id`; `false` if there was none.
pub fn soft_delete(conn: &Connection, id: &str, now: Timestamp) -> super::Result<bool> {
    Ok(super::soft_delete("projects", conn, id, now)?)
}

/// How many live issues of the project are in each status (only statuses with any).
pub fn issue_counts(conn: &Connection, project_id: &str) -> super::Result<Map<String, Value>> {
    Ok(conn
        .prepare_cached(
            "SELECT status, COUNT(*) FROM issues WHERE project_id = ?1 AND deleted_at IS NULL \
         GROUP BY status",
        )?
        .query_map([project_id], |row| {
            Ok((row.get::<_, String>(0)?, Value::from(row.get::<_, i64>(1)?)))
        })?
        .collect::<rusqlite::Result<_>>()?)
}
