//! Prompt templates and their versions: a slug is never reused, the first version of a
//! template becomes active, promoting a version retires the active one, and content
//! with triple braces (unescaped output) is refused.

use crate::app::Ctx;
use crate::domain::prompt::render::check_content;
use crate::error::ApiError;
use crate::store::templates::{self, NewVersion, Template, TemplateFields, Version};

const NOT_FOUND: ApiError = ApiError::NotFound("Template not found");

/// Creates a template with no version yet; 409 when its slug was ever used.
pub fn create(ctx: &mut Ctx<'_>, fields: &TemplateFields) -> Result<Template, ApiError> {
    ctx.write(|tx, now| {
        templates::insert(tx, fields, now)?
            .ok_or(ApiError::Conflict("Template slug already exists"))
    })
}

/// Changes live template `id` (its slug and active version stay).
pub fn update(ctx: &mut Ctx<'_>, id: &str, fields: &TemplateFields) -> Result<Template, ApiError> {
    ctx.write(|tx, now| templates::update(tx, id, fields, now)?.ok_or(NOT_FOUND))
}

/// Soft-deletes template `id` (its slug stays reserved); 404 when there is none.
pub fn delete(ctx: &mut Ctx<'_>, id: &str) -> Result<(), ApiError> {
    if ctx.write(|tx, now| Ok(templates::soft_delete(tx, id, now)?))? {
        Ok(())
    } else {
        Err(NOT_FOUND)
    }
}

/// Adds the next version to live template `id`; the first one becomes active. Content
/// is not compiled here: Handlebars that does not compile is stored, and fails with a
/// clear error when it is rendered.
pub fn create_version(ctx: &mut Ctx<'_>, id: &str, new: &NewVersion) -> Result<Version, ApiError> {
    ctx.write(|tx, now| {
        let template = templates::find_live(tx, id)?.ok_or(NOT_FOUND)?;
        check_content(&new.content).map_err(ApiError::Unprocessable)?;
        let first = template.active_version_id.is_none();
        let status = if first { "active" } else { "draft" };
        let version = templates::insert_version(tx, &template.id, new, status, now)?;
        if first {
            templates::set_active_version(tx, &template.id, &version.id, now)?;
        }
        Ok(version)
    })
}

/// Makes version `version_id` of live template `id` the active one and retires the
/// version that was.
pub fn promote(ctx: &mut Ctx<'_>, id: &str, version_id: &str) -> Result<Version, ApiError> {
    ctx.write(|tx, now| {
        let template = templates::find_live(tx, id)?.ok_or(NOT_FOUND)?;
        let version = templates::find_version(tx, version_id)?
            .filter(|v| v.template_id == template.id)
            .ok_or(ApiError::NotFound("Version not found"))?;
        if version.status == "active" {
            return Err(ApiError::Unprocessable("Version is already active"));
        }
        if let Some(previous) = &template.active_version_id {
            templates::set_version_status(tx, previous, "retired")?;
        }
        templates::set_active_version(tx, &template.id, &version.id, now)?;
        templates::set_version_status(tx, &version.id, "active")?
            .ok_or(ApiError::NotFound("Version not found"))
    })
}
