//! `/api/goals` (docs/engine-api.md#goals).

use super::{ANY_LENGTH, page};
use crate::app::Ctx;
use crate::domain::validate::Input;
use crate::http::{ApiError, Reply, Request};
use crate::service;
use crate::store::goals::{self, GoalFields};

const NOT_FOUND: ApiError = ApiError::NotFound("Goal not found");

/// `GET`: live goals in creation order.
pub fn list(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let (rows, total) = goals::list(ctx.db(), page(request)?)?;
    Ok(Reply::listing(rows, total))
}

/// `POST`: a new goal (status `active` by default). No field accepts `null`.
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let mut input = Input::new(&body);
    let text = |input: &mut Input<'_>, key: &str| input.opt_str(key, 0, ANY_LENGTH).map(Some);
    let number = |input: &mut Input<'_>, key: &str| {
        input
            .opt_number(key, f64::NEG_INFINITY, f64::INFINITY)
            .map(Some)
    };
    let fields = GoalFields {
        title: Some(input.required_str("title", 1, 500)),
        description: text(&mut input, "description"),
        metric: text(&mut input, "metric"),
        unit: text(&mut input, "unit"),
        target_value: number(&mut input, "targetValue"),
        current_value: number(&mut input, "currentValue"),
        status: input.opt_enum("status"),
        project_id: text(&mut input, "projectId"),
        deadline: input.nullable_date("deadline"),
    };
    input.finish()?;
    let goal = service::goals::create(ctx, &fields)?;
    Ok(Reply::created(goal))
}

/// `GET /api/goals/{id}`.
pub fn detail(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let goal = goals::find_live(ctx.db(), request.param("id"))?.ok_or(NOT_FOUND)?;
    Ok(Reply::data(goal))
}

/// `PATCH /api/goals/{id}`: `description`, `metric`, `unit`, `targetValue`,
/// `currentValue`, `projectId` and Loop's `deadline` may be set to `null`; `title` and
/// `status` may not.
pub fn update(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let mut input = Input::new(&body);
    let fields = GoalFields {
        title: input.opt_str("title", 1, 500),
        description: input.nullable_str("description", 0, ANY_LENGTH),
        metric: input.nullable_str("metric", 0, ANY_LENGTH),
        unit: input.nullable_str("unit", 0, ANY_LENGTH),
        target_value: input.nullable_number("targetValue"),
        current_value: input.nullable_number("currentValue"),
        status: input.opt_enum("status"),
        project_id: input.nullable_str("projectId", 0, ANY_LENGTH),
        deadline: input.nullable_date("deadline"),
    };
    input.finish()?;
    let goal = service::goals::update(ctx, request.param("id"), &fields)?;
    Ok(Reply::data(goal))
}

/// `DELETE /api/goals/{id}`: soft delete.
pub fn delete(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    service::goals::delete(ctx, request.param("id"))?;
    Ok(Reply::empty(204))
}
