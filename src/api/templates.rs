//! `/api/templates` (docs/engine-api.md#templates, docs/engine-api.md#preview): templates, their versions, promotion,
//! reviews and the prompt preview.

use serde::Serialize;
use serde_json::{Value, json};

use super::{ANY_LENGTH, page, validated};
use crate::app::Ctx;
use crate::domain::enums::AuthorType;
use crate::domain::prompt::conditions;
use crate::domain::stored_json;
use crate::domain::validate::Input;
use crate::http::{ApiError, Reply, Request};
use crate::service::prompting::{self, Preview};
use crate::service::templates as service;
use crate::store::templates::{self, NewVersion, Template, TemplateFields, Version};
use crate::store::{issues, prompt_reviews};

const NOT_FOUND: ApiError = ApiError::NotFound("Template not found");

/// `GET /api/templates`: live templates, oldest first (the defaults included).
pub fn list(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let (rows, total) = templates::list(ctx.db(), page(request)?)?;
    Ok(Reply::listing(rows, total))
}

/// Whether `slug` matches `^[a-z0-9]+(?:-[a-z0-9]+)*$`.
fn is_slug(slug: &str) -> bool {
    slug.split('-').all(|part| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// Reads and validates a strict `conditions` object as stored JSON text.
fn read_conditions(body: &serde_json::Map<String, Value>, input: &mut Input<'_>) -> Option<String> {
    let value = body.get("conditions")?;
    match conditions::validate(value) {
        Ok(()) => Some(stored_json::to_text(value.clone())),
        Err(errors) => {
            for error in errors {
                input.fail(&error.path, error.message);
            }
            None
        }
    }
}

/// `POST /api/templates`: a template with no version yet.
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let mut input = Input::new(&body);
    let slug = input.required_str("slug", 1, 200);
    if !slug.is_empty() && !is_slug(&slug) {
        input.fail("slug", "Slug must be lowercase alphanumeric with hyphens");
    }
    let fields = TemplateFields {
        slug: Some(slug),
        name: Some(input.required_str("name", 1, 500)),
        description: input.opt_str("description", 0, ANY_LENGTH),
        conditions: read_conditions(&body, &mut input),
        specificity: input.opt_int("specificity", 0, 100),
        project_id: input.opt_str("projectId", 0, ANY_LENGTH).map(Some),
    };
    input.finish()?;
    Ok(Reply::created(service::create(ctx, &fields)?))
}

/// A template with its active version.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TemplateDetail {
    #[serde(flatten)]
    template: Template,
    active_version: Option<Version>,
}

/// `GET /api/templates/{id}`.
pub fn detail(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let template = templates::find_live(ctx.db(), request.param("id"))?.ok_or(NOT_FOUND)?;
    let active_version = match &template.active_version_id {
        Some(id) => templates::find_version(ctx.db(), id)?,
        None => None,
    };
    Ok(Reply::data(TemplateDetail {
        template,
        active_version,
    }))
}

/// `PATCH /api/templates/{id}`: `slug` and `activeVersionId` cannot change.
pub fn update(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let mut input = Input::new(&body);
    let fields = TemplateFields {
        slug: None,
        name: input.opt_str("name", 1, 500),
        description: input.opt_str("description", 0, ANY_LENGTH),
        conditions: read_conditions(&body, &mut input),
        specificity: input.opt_int("specificity", 0, 100),
        project_id: input.nullable_str("projectId", 0, ANY_LENGTH),
    };
    input.finish()?;
    let template = service::update(ctx, request.param("id"), &fields)?;
    Ok(Reply::data(template))
}

/// `DELETE /api/templates/{id}`: soft delete (the slug stays reserved).
pub fn delete(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    service::delete(ctx, request.param("id"))?;
    Ok(Reply::empty(204))
}

/// `GET /api/templates/{id}/versions`: newest first.
pub fn versions(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let page = page(request)?;
    let template = templates::find_live(ctx.db(), request.param("id"))?.ok_or(NOT_FOUND)?;
    let (rows, total) = templates::list_versions(ctx.db(), &template.id, page)?;
    Ok(Reply::listing(rows, total))
}

/// `POST /api/templates/{id}/versions`: the next version (see
/// [`service::create_version`]; docs/engine-api.md#templates).
pub fn create_version(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let mut input = Input::new(&body);
    let content = input.required_str("content", 1, ANY_LENGTH);
    let changelog = input.opt_str("changelog", 0, ANY_LENGTH);
    let author_type = input.required_enum::<AuthorType>("authorType");
    let author_name = input.required_str("authorName", 1, ANY_LENGTH);
    input.finish()?;
    let new = NewVersion {
        content,
        changelog,
        author_type: validated(author_type, "authorType")?,
        author_name,
    };
    let version = service::create_version(ctx, request.param("id"), &new)?;
    Ok(Reply::created(version))
}

/// `POST /api/templates/{id}/versions/{versionId}/promote`: the version becomes active
/// and the previously active one retired.
pub fn promote(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let version = service::promote(ctx, request.param("id"), request.param("versionId"))?;
    Ok(Reply::data(version))
}

/// `GET /api/templates/{id}/reviews`: reviews of all its versions, newest first.
pub fn reviews(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let page = page(request)?;
    let template = templates::find_live(ctx.db(), request.param("id"))?.ok_or(NOT_FOUND)?;
    let (rows, total) = prompt_reviews::list_for_template(ctx.db(), &template.id, page)?;
    Ok(Reply::listing(rows, total))
}

/// `GET /api/templates/preview/{issueId}`: the prompt the issue would get, without
/// claiming it (unwrapped answer).
pub fn preview(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let issue = issues::find_live(ctx.db(), request.param("issueId"))?
        .ok_or(ApiError::NotFound("Issue not found"))?;
    let issue_summary =
        json!({"id": issue.id, "number": issue.number, "title": issue.title, "type": issue.kind});
    let empty = |message: &str| {
        Reply::json(
            200,
            &json!({"issue": issue_summary, "template": null, "version": null, "prompt": null, "message": message}),
        )
    };
    let (template, version, prompt) = match prompting::preview(ctx, &issue)? {
        Preview::Rendered(rendered) => *rendered,
        Preview::NoTemplate => return Ok(empty("No matching template found")),
        Preview::NoVersion => return Ok(empty("Active version not found")),
    };
    Ok(Reply::json(
        200,
        &json!({
            "issue": issue_summary,
            "template": {
                "id": template.id,
                "slug": template.slug,
                "name": template.name,
                "conditions": template.conditions,
                "specificity": template.specificity,
            },
            "version": {"id": version.id, "version": version.version},
            "prompt": prompt,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_pattern() {
        for good in ["a", "my-template", "v2", "a-b-c", "123"] {
            assert!(is_slug(good), "{good}");
        }
        for bad in ["", "Invalid Slug!", "-a", "a-", "a--b", "A", "a_b", "é"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }
}
