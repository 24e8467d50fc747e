//! Prompt templates and their versions (docs/engine-api.md#objects): a template points at
//! its active version; versions are numbered per template and never change.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, ErrorCode, OptionalExtension, Row, params, params_from_iter};
use serde::Serialize;
use serde_json::value::RawValue;

use super::{json_column, new_id};
use crate::clock::Timestamp;
use crate::domain::enums::{AuthorType, WireEnum};
use crate::domain::jsnum;
use crate::domain::pagination::Page;
use crate::domain::prompt::defaults;

/// A prompt template.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    /// Opaque id (fixed for the defaults).
    pub id: String,
    /// Unique, immutable slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// When it applies (a JSON object).
    pub conditions: Option<Box<RawValue>>,
    /// Ranking weight, 0..100.
    pub specificity: i64,
    /// The project it is boosted for.
    pub project_id: Option<String>,
    /// The version dispatch renders.
    pub active_version_id: Option<String>,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// Soft-delete time.
    pub deleted_at: Option<String>,
}

const TEMPLATE_COLUMNS: &str = "id, slug, name, description, conditions, specificity, project_id, \
    active_version_id, created_at, updated_at, deleted_at";

fn template_from_row(row: &Row<'_>) -> rusqlite::Result<Template> {
    Ok(Template {
        id: row.get(0)?,
        slug: row.get(1)?,
        name: row.get(2)?,
        description: row.get(3)?,
        conditions: json_column(row, 4)?,
        specificity: row.get(5)?,
        project_id: row.get(6)?,
        active_version_id: row.get(7)?,
        created_at: row.get(8)?,
        updated_at: row.get(9)?,
        deleted_at: row.get(10)?,
    })
}

/// The table's live rows, as the shared queries read them.
const TEMPLATES: super::Table<Template> = super::Table {
    name: "prompt_templates",
    columns: TEMPLATE_COLUMNS,
    read: template_from_row,
};

/// A version of a template.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    /// Opaque id (fixed for the defaults' version 1).
    pub id: String,
    /// Its template.
    pub template_id: String,
    /// 1, 2, … per template.
    pub version: i64,
    /// Handlebars text.
    pub content: String,
    /// What changed.
    pub changelog: Option<String>,
    /// `human` or `agent`.
    pub author_type: String,
    /// Who wrote it.
    pub author_name: String,
    /// `active`, `draft` or `retired`.
    pub status: String,
    /// How often dispatch rendered it.
    pub usage_count: i64,
    /// Never written by the API.
    #[serde(serialize_with = "jsnum::serialize_option")]
    pub completion_rate: Option<f64>,
    /// Never written by the API.
    #[serde(serialize_with = "jsnum::serialize_option")]
    pub avg_duration_ms: Option<f64>,
    /// EWMA of its reviews.
    #[serde(serialize_with = "jsnum::serialize_option")]
    pub review_score: Option<f64>,
    /// Creation time.
    pub created_at: String,
}

const VERSION_COLUMNS: &str = "id, template_id, version, content, changelog, author_type, author_name, \
    status, usage_count, completion_rate, avg_duration_ms, review_score, created_at";

fn version_from_row(row: &Row<'_>) -> rusqlite::Result<Version> {
    Ok(Version {
        id: row.get(0)?,
        template_id: row.get(1)?,
        version: row.get(2)?,
        content: row.get(3)?,
        changelog: row.get(4)?,
        author_type: row.get(5)?,
        author_name: row.get(6)?,
        status: row.get(7)?,
        usage_count: row.get(8)?,
        completion_rate: row.get(9)?,
        avg_duration_ms: row.get(10)?,
        review_score: row.get(11)?,
        created_at: row.get(12)?,
    })
}

/// Inserts the default templates and their first versions, skipping any whose id or
/// slug already exists (so it is safe to run again).
pub fn seed_defaults(conn: &Connection, now: Timestamp) -> super::Result<()> {
    let now = now.to_string();
    for t in defaults::TEMPLATES {
        let conditions = format!("{{\"type\":\"{}\"}}", t.issue_type);
        let inserted = conn.execute(
            "INSERT OR IGNORE INTO prompt_templates (id, slug, name, description, conditions, specificity, \
             active_version_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 10, ?6, ?7, ?7)",
            params![t.id, t.slug, t.name, t.description, conditions, t.version_id, now],
        )?;
        if inserted > 0 {
            conn.execute(
                "INSERT OR IGNORE INTO prompt_versions (id, template_id, version, content, changelog, \
                 author_type, author_name, status, created_at) \
                 VALUES (?1, ?2, 1, ?3, 'Initial default template', 'human', 'system', 'active', ?4)",
                params![t.version_id, t.id, t.content, now],
            )?;
        }
    }
    Ok(())
}

/// Every settable field of a template. On create `None` means "default"; on update
/// `None` means "unchanged" and `Some(None)` clears a nullable field.
#[derive(Debug, Default, Clone)]
pub struct TemplateFields {
    /// Slug (create only).
    pub slug: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Conditions, JSON object text.
    pub conditions: Option<String>,
    /// Specificity.
    pub specificity: Option<i64>,
    /// Project id.
    pub project_id: Option<Option<String>>,
}

impl TemplateFields {
    fn assignments(&self) -> Vec<(&'static str, SqlValue)> {
        let mut out = Vec::new();
        let mut text = |column, value: &Option<String>| {
            if let Some(v) = value {
                out.push((column, SqlValue::Text(v.clone())));
            }
        };
        text("name", &self.name);
        text("description", &self.description);
        text("conditions", &self.conditions);
        if let Some(v) = self.specificity {
            out.push(("specificity", SqlValue::Integer(v)));
        }
        if let Some(v) = &self.project_id {
            out.push((
                "project_id",
                v.clone().map_or(SqlValue::Null, SqlValue::Text),
            ));
        }
        out
    }
}

/// Creates a template with no version; `None` if the slug was ever used.
pub fn insert(
    conn: &Connection,
    fields: &TemplateFields,
    now: Timestamp,
) -> super::Result<Option<Template>> {
    let sql = format!(
        "INSERT INTO prompt_templates (id, slug, name, description, conditions, specificity, project_id, \
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING {TEMPLATE_COLUMNS}"
    );
    let result = conn.prepare_cached(&sql)?.query_row(
        params![
            new_id(),
            fields.slug,
            fields.name,
            fields.description,
            fields.conditions.as_deref().unwrap_or("{}"),
            fields.specificity.unwrap_or(10),
            fields.project_id.clone().flatten(),
            now.to_string(),
        ],
        template_from_row,
    );
    Ok(match result {
        Ok(template) => Ok(Some(template)),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::ConstraintViolation => {
            Ok(None)
        }
        Err(e) => Err(e),
    }?)
}

/// The live template with this id.
pub fn find_live(conn: &Connection, id: &str) -> super::Result<Option<Template>> {
    let sql = format!(
        "SELECT {TEMPLATE_COLUMNS} FROM prompt_templates WHERE id = ?1 AND deleted_at IS NULL"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], template_from_row)
        .optional()?)
}

/// The template with this id, soft-deleted or not.
pub fn find_any(conn: &Connection, id: &str) -> super::Result<Option<Template>> {
    let sql = format!("SELECT {TEMPLATE_COLUMNS} FROM prompt_templates WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], template_from_row)
        .optional()?)
}

/// One page of live templates, oldest first, and how many there are.
pub fn list(conn: &Connection, page: Page) -> super::Result<(Vec<Template>, i64)> {
    super::live_page(conn, &TEMPLATES, "created_at, rowid", page)
}

/// Every live template in database (insertion) order: the candidates for selection.
pub fn all_live(conn: &Connection) -> super::Result<Vec<Template>> {
    let sql = format!(
        "SELECT {TEMPLATE_COLUMNS} FROM prompt_templates WHERE deleted_at IS NULL ORDER BY rowid"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_map([], template_from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Applies `fields` to the live template `id`; `None` if there is none.
pub fn update(
    conn: &Connection,
    id: &str,
    fields: &TemplateFields,
    now: Timestamp,
) -> super::Result<Option<Template>> {
    super::update_live(conn, &TEMPLATES, fields.assignments(), id, now, || {
        find_live(conn, id)
    })
}

/// Soft-deletes the live template `id`; `false` if there was none.
pub fn soft_delete(conn: &Connection, id: &str, now: Timestamp) -> super::Result<bool> {
    Ok(super::soft_delete("prompt_templates", conn, id, now)?)
}

/// Points the template at `version_id`.
pub fn set_active_version(
    conn: &Connection,
    template_id: &str,
    version_id: &str,
    now: Timestamp,
) -> super::Result<()> {
    conn.prepare_cached(
        "UPDATE prompt_templates SET active_version_id = ?1, updated_at = ?2 WHERE id = ?3",
    )?
    .execute(params![version_id, now.to_string(), template_id])?;
    Ok(())
}

/// What creating a version stores.
#[derive(Debug, Clone)]
pub struct NewVersion {
    /// Handlebars text.
    pub content: String,
    /// What changed.
    pub changelog: Option<String>,
    /// Author type.
    pub author_type: AuthorType,
    /// Author.
    pub author_name: String,
}

/// Adds the next version (max + 1) of a template with this status.
pub fn insert_version(
    conn: &Connection,
    template_id: &str,
    new: &NewVersion,
    status: &str,
    now: Timestamp,
) -> super::Result<Version> {
    let sql = format!(
        "INSERT INTO prompt_versions (id, template_id, version, content, changelog, author_type, author_name, \
         status, created_at) VALUES (?1, ?2, \
         (SELECT COALESCE(MAX(version), 0) + 1 FROM prompt_versions WHERE template_id = ?2), \
         ?3, ?4, ?5, ?6, ?7, ?8) RETURNING {VERSION_COLUMNS}"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(
        params![
            new_id(),
            template_id,
            new.content,
            new.changelog,
            new.author_type.as_str(),
            new.author_name,
            status,
            now.to_string()
        ],
        version_from_row,
    )?)
}

/// The version with this id.
pub fn find_version(conn: &Connection, id: &str) -> super::Result<Option<Version>> {
    let sql = format!("SELECT {VERSION_COLUMNS} FROM prompt_versions WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], version_from_row)
        .optional()?)
}

/// One page of a template's versions, newest first, and how many there are.
pub fn list_versions(
    conn: &Connection,
    template_id: &str,
    page: Page,
) -> super::Result<(Vec<Version>, i64)> {
    let total = conn
        .prepare_cached("SELECT COUNT(*) FROM prompt_versions WHERE template_id = ?1")?
        .query_row([template_id], |row| row.get(0))?;
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM prompt_versions WHERE template_id = ?1 \
         ORDER BY version DESC LIMIT ?2 OFFSET ?3"
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(
            params![template_id, page.limit, page.offset],
            version_from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((rows, total))
}

/// The `per_template` highest-numbered versions of each of `template_ids`, newest
/// first within each template.
pub fn recent_versions_of_many(
    conn: &Connection,
    template_ids: &[&str],
    per_template: i64,
) -> super::Result<Vec<Version>> {
    if template_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; template_ids.len()].join(", ");
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY template_id ORDER BY version DESC) AS n \
         FROM prompt_versions WHERE template_id IN ({marks})) WHERE n <= {per_template} ORDER BY template_id, version DESC"
    );
    Ok(conn
        .prepare(&sql)?
        .query_map(params_from_iter(template_ids.iter()), version_from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Sets a version's status and returns it.
pub fn set_version_status(
    conn: &Connection,
    id: &str,
    status: &str,
) -> super::Result<Option<Version>> {
    let sql =
        format!("UPDATE prompt_versions SET status = ?1 WHERE id = ?2 RETURNING {VERSION_COLUMNS}");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![status, id], version_from_row)
        .optional()?)
}

/// Counts `delta` more uses of a version by dispatch (-1 takes back a use whose prompt
/// could not be rendered).
pub fn add_usage(conn: &Connection, id: &str, delta: i64) -> super::Result<()> {
    conn.prepare_cached("UPDATE prompt_versions SET usage_count = usage_count + ?1 WHERE id = ?2")?
        .execute(params![delta, id])?;
    Ok(())
}

/// Stores a version's new review score.
pub fn set_review_score(conn: &Connection, id: &str, score: f64) -> super::Result<()> {
    conn.prepare_cached("UPDATE prompt_versions SET review_score = ?1 WHERE id = ?2")?
        .execute(params![score, id])?;
    Ok(())
}
