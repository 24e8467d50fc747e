//! Projects: a project's goal must be a live goal; each project gets the secret its
//! verdict webhooks are signed with; the dispatch goal bonus of its issues follows.

use rusqlite::Connection;

use crate::app::Ctx;
use crate::domain::credentials;
use crate::error::ApiError;
use crate::store::goals;
use crate::store::issues;
use crate::store::projects::{self, Project, ProjectFields};

const NOT_FOUND: ApiError = ApiError::NotFound("Project not found");

/// A goal id given to a project must name a live goal.
fn check_goal(conn: &Connection, fields: &ProjectFields) -> Result<(), ApiError> {
    if let Some(Some(goal_id)) = &fields.goal_id
        && goals::find_live(conn, goal_id)?.is_none()
    {
        return Err(ApiError::Unprocessable("Goal not found"));
    }
    Ok(())
}

/// Creates a project with a fresh signing secret.
pub fn create(ctx: &mut Ctx<'_>, fields: &ProjectFields) -> Result<Project, ApiError> {
    let signing_secret = credentials::generate_signing_secret()?;
    ctx.write(|tx, now| {
        check_goal(tx, fields)?;
        let project = projects::insert(tx, fields, &signing_secret, now)?;
        issues::refresh_goal_bonus(tx, &project.id)?;
        Ok(project)
    })
}

/// Changes live project `id` (404 before the goal check).
pub fn update(ctx: &mut Ctx<'_>, id: &str, fields: &ProjectFields) -> Result<Project, ApiError> {
    ctx.write(|tx, now| {
        projects::find_live(tx, id)?.ok_or(NOT_FOUND)?;
        check_goal(tx, fields)?;
        projects::update(tx, id, fields, now)?.ok_or(NOT_FOUND)
    })
}

/// Soft-deletes project `id` (its issues keep their `projectId`); 404 when there is none.
pub fn delete(ctx: &mut Ctx<'_>, id: &str) -> Result<(), ApiError> {
    if ctx.write(|tx, now| Ok(projects::soft_delete(tx, id, now)?))? {
        Ok(())
    } else {
        Err(NOT_FOUND)
    }
}

/// Gives project `id` a new signing secret; every delivery attempted from now on,
/// retries included, is signed with it.
pub fn rotate_signing_secret(ctx: &mut Ctx<'_>, id: &str) -> Result<String, ApiError> {
    let secret = credentials::generate_signing_secret()?;
    if ctx.write(|tx, _| Ok(projects::set_signing_secret(tx, id, &secret)?))? {
        Ok(secret)
    } else {
        Err(ApiError::NotFound("project not found"))
    }
}

/// Sets how often the reviewers of project `id` meet decoys and golden tasks (parts per
/// million; `None` leaves a rate as it is); 404 when there is no such project.
pub fn set_rates(
    ctx: &mut Ctx<'_>,
    id: &str,
    decoy_rate_ppm: Option<i64>,
    golden_rate_ppm: Option<i64>,
) -> Result<(), ApiError> {
    if ctx.write(|tx, _| {
        Ok(projects::set_rates(
            tx,
            id,
            decoy_rate_ppm,
            golden_rate_ppm,
        )?)
    })? {
        Ok(())
    } else {
        Err(ApiError::NotFound("project not found"))
    }
}
