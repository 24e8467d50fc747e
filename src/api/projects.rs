//! `/api/projects` (docs/engine-api.md#projects).

use serde::Serialize;
use serde_json::{Map, Value};

use super::{ANY_LENGTH, page};
use crate::app::Ctx;
use crate::domain::validate::Input;
use crate::http::{ApiError, Reply, Request};
use crate::service;
use crate::store::goals::{self, Goal};
use crate::store::projects::{self, Project, ProjectFields};

const NOT_FOUND: ApiError = ApiError::NotFound("Project not found");

/// `GET`: live projects, oldest first.
pub fn list(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let (rows, total) = projects::list(ctx.db(), page(request)?)?;
    Ok(Reply::listing(rows, total))
}

/// Reads the body of a create (`creating`) or an update. An empty `goalId` means no goal;
/// `signOff` (`off`, `required`, `sampled`) and `signOffRate` (0..1, `null` clears it)
/// set the project's sign-off policy.
fn read_fields(request: &Request, creating: bool) -> Result<ProjectFields, ApiError> {
    let body = request.json_object()?;
    let mut input = Input::new(&body);
    let name = if creating {
        Some(input.required_str("name", 1, 500))
    } else {
        input.opt_str("name", 1, 500)
    };
    let goal_id = if creating {
        input.opt_str("goalId", 0, ANY_LENGTH).map(Some)
    } else {
        input.nullable_str("goalId", 0, ANY_LENGTH)
    };
    let fields = ProjectFields {
        name,
        description: input.opt_str("description", 0, ANY_LENGTH),
        status: input.opt_enum("status"),
        health: input.opt_enum("health"),
        goal_id: goal_id.map(|g| g.filter(|g| !g.is_empty())),
        sign_off: input.opt_enum("signOff"),
        sign_off_rate: match input.nullable_number("signOffRate") {
            Some(Some(rate)) if !(0.0..=1.0).contains(&rate) => {
                input.fail("signOffRate", "Expected a number from 0 to 1");
                None
            }
            rate => rate,
        },
    };
    input.finish()?;
    Ok(fields)
}

/// `POST`: a new project (status `backlog`, health `on_track` by default).
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let fields = read_fields(request, true)?;
    let project = service::projects::create(ctx, &fields)?;
    Ok(Reply::created(project))
}

/// A project with its goal and its live issues counted by status.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProjectDetail {
    #[serde(flatten)]
    project: Project,
    goal: Option<Goal>,
    issue_counts: Map<String, Value>,
}

/// `GET /api/projects/{id}`.
pub fn detail(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let db = ctx.db();
    let project = projects::find_live(db, request.param("id"))?.ok_or(NOT_FOUND)?;
    let goal = match &project.goal_id {
        Some(goal_id) => goals::find_live(db, goal_id)?,
        None => None,
    };
    let issue_counts = projects::issue_counts(db, &project.id)?;
    Ok(Reply::data(ProjectDetail {
        project,
        goal,
        issue_counts,
    }))
}

/// `PATCH /api/projects/{id}`: 404 before the goal check; `goalId: null` unlinks;
/// `signOff: "sampled"` needs a `signOffRate` (given now or before).
pub fn update(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let fields = read_fields(request, false)?;
    let project = service::projects::update(ctx, request.param("id"), &fields)?;
    Ok(Reply::data(project))
}

/// `DELETE /api/projects/{id}`: soft delete; issues keep their `projectId`.
pub fn delete(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    service::projects::delete(ctx, request.param("id"))?;
    Ok(Reply::empty(204))
}
