//! Prompt assembly for an issue: choose its template (docs/engine-api.md#template-selection, docs/engine-api.md#preview), load what
//! the template sees (docs/engine-api.md#template-context) and render it. Used by dispatch and by the template preview
//! ([`preview`]), which claims nothing.

use rusqlite::Connection;
use serde_json::Value;

use crate::app::Ctx;
use crate::domain::enums::WireEnum;
use crate::domain::prompt::conditions::{Conditions, IssueFacts};
use crate::domain::prompt::context::{self, Meta, Parts};
use crate::domain::prompt::render::Renderer;
use crate::domain::prompt::selection::{self, Candidate};
use crate::error::ApiError;
use crate::store::issues::{self, Issue};
use crate::store::templates::{self, Template, Version};
use crate::store::{goals, labels, projects};

/// The outcome of choosing a template for an issue.
pub enum Choice {
    /// A template and its active version.
    Chosen(Box<(Template, Version)>),
    /// No template applies.
    NoTemplate,
    /// The chosen template's active version row is missing.
    NoVersion,
}

/// Chooses the template for `issue`; with `fallback`, the preview's type-only fallback
/// applies when nothing matches.
pub fn choose(conn: &Connection, issue: &Issue, fallback: bool) -> Result<Choice, ApiError> {
    let mut all = templates::all_live(conn)?;
    let candidates: Vec<Candidate> = all
        .iter()
        .map(|t| Candidate {
            conditions: t
                .conditions
                .as_ref()
                .and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok())
                .map(|c| Conditions::from_stored(&c))
                .unwrap_or_default(),
            specificity: t.specificity,
            project_id: t.project_id.clone(),
            has_active_version: t.active_version_id.is_some(),
        })
        .collect();
    // The issue's labels and its siblings' failures take a query each, under the writer
    // lock when claiming: they are read only when some template's conditions ask.
    let asked =
        |condition: fn(&Conditions) -> bool| candidates.iter().any(|c| condition(&c.conditions));
    let label_names = if asked(|c| c.labels.is_some()) {
        labels::all_of_issue(conn, &issue.id)?
            .into_iter()
            .map(|l| l.name)
            .collect()
    } else {
        Vec::new()
    };
    let failed = match &issue.parent_id {
        Some(parent_id) if asked(|c| c.has_failed_sessions.is_some()) => {
            issues::has_failed_sibling(conn, parent_id)?
        }
        _ => false,
    };
    // Under the writer lock when claiming: the facts come from the issue's fields, not
    // from its whole JSON.
    let facts = IssueFacts {
        kind: issue.kind.as_str().to_owned(),
        signal_source: issue.signal_source.clone(),
        labels: label_names,
        project_id: issue.project_id.clone(),
        has_failed_sessions: failed,
        hypothesis_confidence: issue
            .hypothesis
            .as_deref()
            .and_then(|h| context::hypothesis_confidence(h.get())),
    };
    let index = selection::select(&candidates, &facts).or_else(|| {
        fallback
            .then(|| selection::preview_fallback(&candidates, &facts))
            .flatten()
    });
    let Some(index) = index else {
        return Ok(Choice::NoTemplate);
    };
    let template = all.swap_remove(index);
    let version = match &template.active_version_id {
        Some(id) => templates::find_version(conn, id)?,
        None => None,
    };
    Ok(version.map_or(Choice::NoVersion, |v| {
        Choice::Chosen(Box::new((template, v)))
    }))
}

/// What the template preview shows for an issue.
pub enum Preview {
    /// The template and version that apply, and the prompt they render.
    Rendered(Box<(Template, Version, String)>),
    /// No template applies.
    NoTemplate,
    /// The chosen template's active version row is missing.
    NoVersion,
}

/// The prompt `issue` would get, with the preview's type-only fallback when no template
/// matches; calls back to this server with the caller's own key.
pub fn preview(ctx: &Ctx<'_>, issue: &Issue) -> Result<Preview, ApiError> {
    let (template, version) = match choose(ctx.db(), issue, true)? {
        Choice::Chosen(chosen) => *chosen,
        Choice::NoTemplate => return Ok(Preview::NoTemplate),
        Choice::NoVersion => return Ok(Preview::NoVersion),
    };
    let callback = Callback {
        url: ctx.config().loop_url.as_deref().unwrap_or_default(),
        token: ctx.bearer(),
    };
    let prompt = render(
        ctx.db(),
        ctx.renderer(),
        issue,
        &template,
        &version,
        &callback,
    )?;
    Ok(Preview::Rendered(Box::new((template, version, prompt))))
}

/// Where agents call back, and with which key.
pub struct Callback<'a> {
    /// Base URL (`loopUrl`).
    pub url: &'a str,
    /// Bearer key (`loopToken`).
    pub token: &'a str,
}

/// Renders `version` of `template` for `issue`.
pub fn render(
    conn: &Connection,
    renderer: &Renderer,
    issue: &Issue,
    template: &Template,
    version: &Version,
    callback: &Callback<'_>,
) -> Result<String, ApiError> {
    let parts = load_parts(conn, issue, callback)?;
    let meta = Meta {
        template_id: template.id.clone(),
        template_slug: template.slug.clone(),
        version_id: version.id.clone(),
        version_number: version.version,
    };
    let context = context::hydrate(parts, &meta);
    renderer
        .render(&version.id, &version.content, context)
        .map_err(|error| {
            ApiError::TemplateError(format!(
                "Template {} version {} cannot be rendered: {error}",
                template.slug, version.version
            ))
        })
}

fn load_parts(
    conn: &Connection,
    issue: &Issue,
    callback: &Callback<'_>,
) -> Result<Parts, ApiError> {
    let (parent, siblings, children) = match &issue.parent_id {
        Some(parent_id) => (
            issues::find_any(conn, parent_id)?
                .map(|p| to_json(&p))
                .transpose()?,
            issues::siblings(conn, &issue.id, parent_id)?,
            Vec::new(),
        ),
        None => (None, Vec::new(), issues::children(conn, &issue.id)?),
    };
    let project = match &issue.project_id {
        Some(project_id) => projects::find_any(conn, project_id)?,
        None => None,
    };
    let goal = match &project {
        Some(project) => goals::first_for_project(conn, &project.id)?,
        None => None,
    };
    Ok(Parts {
        issue: to_json(issue)?,
        parent,
        siblings: siblings.iter().map(to_json).collect::<Result<_, _>>()?,
        children: children.iter().map(to_json).collect::<Result<_, _>>()?,
        project: project.as_ref().map(to_json).transpose()?,
        goal: goal.as_ref().map(to_json).transpose()?,
        labels: labels::all_of_issue(conn, &issue.id)?
            .iter()
            .map(to_json)
            .collect::<Result<_, _>>()?,
        blocking: refs(conn, &issue.id, "blocks")?,
        blocked_by: refs(conn, &issue.id, "blocked_by")?,
        loop_url: callback.url.to_owned(),
        loop_token: callback.token.to_owned(),
        sign_off_required: project
            .as_ref()
            .is_some_and(|project| project.sign_off_policy().applies_to(issue.number)),
    })
}

fn refs(conn: &Connection, issue_id: &str, kind: &str) -> Result<Vec<Value>, ApiError> {
    issues::related_refs(conn, issue_id, kind)?
        .iter()
        .map(to_json)
        .collect()
}

fn to_json(value: &impl serde::Serialize) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Internal(format!("serialising a row: {e}")))
}
