//! Projects: a project's goal must be a live goal; each project gets the secret its
//! verdict webhooks are signed with; the dispatch goal bonus of its issues follows; a
//! `sampled` sign-off policy needs its rate.

use rusqlite::Connection;

use crate::app::Ctx;
use crate::domain::credentials;
use crate::domain::enums::SignOffMode;
use crate::domain::sign_off::Policy;
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

/// Creates a project with a fresh signing secret and decoy seed.
pub fn create(ctx: &mut Ctx<'_>, fields: &ProjectFields) -> Result<Project, ApiError> {
    create_with_gate_timeout(ctx, fields, None)
}

/// Creates a project with a fresh signing secret and decoy seed and, when given, the timeout its gate
/// tasks get when they name none (the web app's "New project").
pub fn create_with_gate_timeout(
    ctx: &mut Ctx<'_>,
    fields: &ProjectFields,
    gate_timeout_seconds: Option<i64>,
) -> Result<Project, ApiError> {
    Policy {
        mode: fields.sign_off.unwrap_or(SignOffMode::Off),
        rate: fields.sign_off_rate.flatten(),
    }
    .check("signOffRate")?;
    let secrets = projects::ProjectSecrets {
        signing_secret: credentials::generate_signing_secret()?,
        decoy_seed: credentials::generate_decoy_seed()?,
    };
    ctx.write(|tx, now| {
        check_goal(tx, fields)?;
        let project = projects::insert(tx, fields, &secrets, now)?;
        issues::refresh_goal_bonus(tx, &project.id)?;
        if let Some(seconds) = gate_timeout_seconds {
            projects::set_default_gate_timeout(tx, &project.id, seconds)?;
        }
        Ok(project)
    })
}

/// A `sampled` sign-off policy needs a rate: checks the policy `fields` leave `current`
/// with; `rate_field` names the rate in the caller's API.
fn check_sign_off(
    current: &Project,
    fields: &ProjectFields,
    rate_field: &'static str,
) -> Result<(), ApiError> {
    Policy {
        mode: fields.sign_off.unwrap_or(current.sign_off),
        rate: fields.sign_off_rate.unwrap_or(current.sign_off_rate),
    }
    .check(rate_field)?;
    Ok(())
}

/// Changes live project `id` (404 before the goal check).
pub fn update(ctx: &mut Ctx<'_>, id: &str, fields: &ProjectFields) -> Result<Project, ApiError> {
    ctx.write(|tx, now| {
        let current = projects::find_live(tx, id)?.ok_or(NOT_FOUND)?;
        check_sign_off(&current, fields, "signOffRate")?;
        check_goal(tx, fields)?;
        projects::update(tx, id, fields, now)?.ok_or(NOT_FOUND)
    })
}

/// A change of a project's review settings; what is `None` stays as it is.
#[derive(Debug, Default, Clone)]
pub struct ReviewSettingsChange {
    /// A new name.
    pub name: Option<String>,
    /// How long gate tasks that name no timeout wait, in seconds.
    pub gate_timeout_seconds: Option<i64>,
    /// Decoys per million cards (docs/reviewer-quality.md#settings).
    pub decoy_rate_ppm: Option<i64>,
    /// Golden tasks mixed in per million cards.
    pub golden_rate_ppm: Option<i64>,
    /// Whether its agents' work needs a person's approval (docs/sign-off.md).
    pub sign_off: Option<SignOffMode>,
    /// The share of issues sampled for sign-off (0..1).
    pub sign_off_rate: Option<f64>,
}

/// Applies `change` to live project `id`: its name, the timeout its gate tasks get when
/// they name none, how often its reviewers meet decoys and golden tasks, and its
/// sign-off policy (a `sampled` one must end up with a `sign_off_rate`).
pub fn update_review_settings(
    ctx: &mut Ctx<'_>,
    id: &str,
    change: ReviewSettingsChange,
) -> Result<(), ApiError> {
    let fields = ProjectFields {
        name: change.name,
        sign_off: change.sign_off,
        sign_off_rate: change.sign_off_rate.map(Some),
        ..ProjectFields::default()
    };
    ctx.write(|tx, now| {
        let current = projects::find_live(tx, id)?.ok_or(NOT_FOUND)?;
        check_sign_off(&current, &fields, "sign_off_rate")?;
        projects::update(tx, id, &fields, now)?.ok_or(NOT_FOUND)?;
        if let Some(seconds) = change.gate_timeout_seconds {
            projects::set_default_gate_timeout(tx, id, seconds)?;
        }
        projects::set_rates(tx, id, change.decoy_rate_ppm, change.golden_rate_ppm)?;
        Ok(())
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
