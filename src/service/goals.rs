//! Goals: whenever a goal is created or changes status or project, the dispatch goal
//! bonus of the issues of the projects concerned follows.

use crate::app::Ctx;
use crate::error::ApiError;
use crate::store::goals::{self, Goal, GoalFields};
use crate::store::issues;

const NOT_FOUND: ApiError = ApiError::NotFound("Goal not found");

/// Creates a goal.
pub fn create(ctx: &mut Ctx<'_>, fields: &GoalFields) -> Result<Goal, ApiError> {
    ctx.write(|tx, now| {
        let goal = goals::insert(tx, fields, now)?;
        if let Some(project_id) = &goal.project_id {
            issues::refresh_goal_bonus(tx, project_id)?;
        }
        Ok(goal)
    })
}

/// Changes live goal `id`.
pub fn update(ctx: &mut Ctx<'_>, id: &str, fields: &GoalFields) -> Result<Goal, ApiError> {
    ctx.write(|tx, now| {
        let before = goals::find_live(tx, id)?.ok_or(NOT_FOUND)?;
        let goal = goals::update(tx, id, fields, now)?.ok_or(NOT_FOUND)?;
        for project_id in [&before.project_id, &goal.project_id].into_iter().flatten() {
            issues::refresh_goal_bonus(tx, project_id)?;
        }
        Ok(goal)
    })
}

/// Soft-deletes goal `id`; 404 when there is no such live goal.
pub fn delete(ctx: &mut Ctx<'_>, id: &str) -> Result<(), ApiError> {
    if ctx.write(|tx, now| Ok(goals::soft_delete(tx, id, now)?))? {
        Ok(())
    } else {
        Err(NOT_FOUND)
    }
}
