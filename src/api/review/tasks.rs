//! `/api/v1/tasks` (docs/review-api.md#tasks, docs/review-api.md#the-task-object): automations submit work for review
//! and poll for the verdict.

use rusqlite::Connection;
use serde::Serialize;
use serde_json::value::RawValue;

use super::{key_project, managed_project, query_enum, query_limit, query_text, query_time};
use crate::app::Ctx;
use crate::domain::enums::{Module, OnTimeout, ReviewMode, TaskStatus};
use crate::domain::review::content::View;
use crate::domain::review::record::Task;
use crate::domain::validate::FieldError;
use crate::http::{ApiError, Reply, Request};
use crate::service::review_tasks::{self, Submitted};
use crate::service::verdicts::view_of;
use crate::store::review_tasks::{self as task_store, TaskFilter};
use crate::store::task_reviews::{self, ReviewEntry, UserRef};

const NOT_FOUND: ApiError = ApiError::NotFound("task not found");

/// Longest `Idempotency-Key` accepted.
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// The Task object of docs/review-api.md#the-task-object.
#[derive(Serialize)]
struct TaskView<'a> {
    id: &'a str,
    status: TaskStatus,
    module: Module,
    mode: ReviewMode,
    source: Option<&'a str>,
    external_id: Option<&'a str>,
    callback_url: Option<&'a str>,
    payload: &'a RawValue,
    card: Option<&'a RawValue>,
    reviews_required: i64,
    reviews_received: usize,
    timeout_seconds: Option<i64>,
    on_timeout: Option<OnTimeout>,
    golden: bool,
    answer: Option<&'a RawValue>,
    verdict: Option<bool>,
    verdict_choice: Option<&'a str>,
    verdict_reason: Option<&'a str>,
    choice: Option<&'a str>,
    reason: Option<&'a str>,
    detail: Option<&'a RawValue>,
    escalated: bool,
    timed_out: bool,
    reviewer: Option<&'a UserRef>,
    reviews: &'a [ReviewEntry],
    created_at: &'a str,
    expires_at: Option<&'a str>,
    reviewed_at: Option<&'a str>,
    /// On administrators' routes: the project the task belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    project_id: Option<&'a str>,
    /// On administrators' routes: the game the card is played as.
    #[serde(skip_serializing_if = "Option::is_none")]
    game: Option<Module>,
    /// On administrators' routes: what a reviewer is shown (to render the card).
    #[serde(skip_serializing_if = "Option::is_none")]
    view: Option<View>,
}

impl<'a> TaskView<'a> {
    fn of(
        task: &'a Task,
        reviews: &'a [ReviewEntry],
        reviewer: Option<&'a UserRef>,
        view: Option<View>,
    ) -> Self {
        Self {
            id: &task.id,
            status: task.status,
            module: task.module,
            mode: task.mode,
            source: task.source.as_deref(),
            external_id: task.external_id.as_deref(),
            callback_url: task.callback_url.as_deref(),
            payload: &task.payload,
            card: task.card.as_deref(),
            reviews_required: task.reviews_required,
            reviews_received: reviews.len(),
            timeout_seconds: task.timeout_seconds,
            on_timeout: task.on_timeout,
            golden: task.golden,
            answer: task.answer.as_deref(),
            verdict: task.verdict,
            verdict_choice: task.choice.as_deref(),
            verdict_reason: task.reason.as_deref(),
            choice: task.choice.as_deref(),
            reason: task.reason.as_deref(),
            detail: task.detail.as_deref(),
            escalated: task.escalated,
            timed_out: task.timed_out,
            reviewer,
            reviews,
            created_at: &task.created_at,
            expires_at: task.expires_at.as_deref(),
            reviewed_at: task.reviewed_at.as_deref(),
            project_id: view.as_ref().map(|_| task.project_id.as_str()),
            game: view.as_ref().map(|v| v.game),
            view,
        }
    }
}

/// How Task objects are answered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// One object, as ingest clients read it.
    One,
    /// An array, as ingest clients read it.
    List,
    /// One object with its project and the card as reviewers see it (`project_id`,
    /// `game`, `view`), for the web app.
    OneWithView,
    /// An array of those.
    ListWithView,
}

/// Answers `tasks` as Task objects with their reviews (two queries, whatever their
/// number), shaped as `shape` says.
fn reply_tasks(
    db: &Connection,
    status: u16,
    tasks: &[Task],
    shape: Shape,
) -> Result<Reply, ApiError> {
    let ids: Vec<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
    let reviews = task_reviews::for_tasks(db, &ids)?;
    let reviewer_ids: Vec<&str> = tasks
        .iter()
        .filter_map(|t| t.reviewer_id.as_deref())
        .collect();
    let reviewers = task_reviews::user_refs(db, &reviewer_ids)?;
    let with_view = matches!(shape, Shape::OneWithView | Shape::ListWithView);
    let views = tasks
        .iter()
        .map(|task| {
            Ok(TaskView::of(
                task,
                reviews.get(&task.id).map_or(&[], Vec::as_slice),
                task.reviewer_id.as_ref().and_then(|id| reviewers.get(id)),
                if with_view {
                    Some(view_of(task)?)
                } else {
                    None
                },
            ))
        })
        .collect::<Result<Vec<TaskView<'_>>, ApiError>>()?;
    match (shape, views.first()) {
        (Shape::One | Shape::OneWithView, Some(view)) => Ok(Reply::json(status, view)),
        _ => Ok(Reply::json(status, &views)),
    }
}

/// Answers one task as a Task object.
pub(super) fn reply_task(db: &Connection, status: u16, task: &Task) -> Result<Reply, ApiError> {
    reply_tasks(db, status, std::slice::from_ref(task), Shape::One)
}

/// Answers one task as a Task object with its card as reviewers see it (web app).
pub(super) fn reply_task_with_view(db: &Connection, task: &Task) -> Result<Reply, ApiError> {
    reply_tasks(db, 200, std::slice::from_ref(task), Shape::OneWithView)
}

/// Answers tasks as an array of Task objects.
pub(super) fn reply_task_list(db: &Connection, tasks: &[Task]) -> Result<Reply, ApiError> {
    reply_tasks(db, 200, tasks, Shape::List)
}

/// Answers tasks as an array of Task objects with their cards as reviewers see them
/// (web app).
pub(super) fn reply_task_list_with_view(
    db: &Connection,
    tasks: &[Task],
) -> Result<Reply, ApiError> {
    reply_tasks(db, 200, tasks, Shape::ListWithView)
}

/// The `Idempotency-Key` header (any case): absent or empty means none; otherwise 1–255
/// printable ASCII characters.
fn idempotency_key(request: &Request) -> Result<Option<&str>, ApiError> {
    match request.header("Idempotency-Key").filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(key)
            if key.len() <= MAX_IDEMPOTENCY_KEY
                && key.bytes().all(|b| (0x20..0x7f).contains(&b)) =>
        {
            Ok(Some(key))
        }
        Some(_) => Err(FieldError::new(
            "Idempotency-Key",
            "Idempotency-Key must be 1 to 255 printable ASCII characters",
        )
        .into()),
    }
}

/// A replayed create: the original task as it is now, 200, marked as a replay.
fn replay(db: &Connection, task: &Task) -> Result<Reply, ApiError> {
    Ok(reply_task(db, 200, task)?.with_header("Idempotent-Replayed", "true"))
}

/// `POST /api/v1/tasks`: 201 with the new task and its `Location`. A repeated
/// `Idempotency-Key` returns the original task (200) without reading the body; a
/// rejected request stores nothing and leaves its key unused.
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = ctx.project_key()?.project_id.clone();
    let key = idempotency_key(request)?;
    if let Some(key) = key
        && let Some(existing) = review_tasks::earlier(ctx, &project_id, key)?
    {
        return replay(ctx.db(), &existing);
    }
    let body = request.json_object()?;
    match review_tasks::submit(ctx, &project_id, key, &body)? {
        Submitted::Replayed(task) => replay(ctx.db(), &task),
        Submitted::Created(task) => Ok(reply_task(ctx.db(), 201, &task)?
            .with_header("Location", format!("/api/v1/tasks/{}", task.id))),
    }
}

/// `GET /api/v1/tasks/{id}`: the task, if it belongs to the caller's project.
pub fn detail(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = &ctx.project_key()?.project_id;
    let task = task_store::find(ctx.db(), project_id, request.param("id"))?.ok_or(NOT_FOUND)?;
    reply_task(ctx.db(), 200, &task)
}

/// `GET /api/v1/projects/{id}/tasks/{task_id}`: [`detail`] for an owner or admin, with
/// the card as reviewers see it.
pub fn detail_in_project(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = managed_project(ctx, request)?;
    let task =
        task_store::find(ctx.db(), &project_id, request.param("task_id"))?.ok_or(NOT_FOUND)?;
    reply_task_with_view(ctx.db(), &task)
}

/// `GET /api/v1/tasks`: the project's tasks, newest first, filtered (docs/review-api.md#tasks).
pub fn list(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = key_project(ctx)?;
    let tasks = task_store::list(ctx.db(), &project_id, &filter(request)?)?;
    reply_task_list(ctx.db(), &tasks)
}

/// `GET /api/v1/projects/{id}/tasks`: [`list`] for an owner or admin, with the cards as
/// reviewers see them.
pub fn list_in_project(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = managed_project(ctx, request)?;
    let tasks = task_store::list(ctx.db(), &project_id, &filter(request)?)?;
    reply_task_list_with_view(ctx.db(), &tasks)
}

/// The filters of a task list (§8.4): `status`, `module`, `source`, `external_id`,
/// `before`, `limit` (1–100, default 50).
fn filter(request: &Request) -> Result<TaskFilter, ApiError> {
    Ok(TaskFilter {
        status: query_enum(request, "status")?,
        module: query_enum(request, "module")?,
        source: query_text(request, "source")?.map(str::to_owned),
        external_id: query_text(request, "external_id")?.map(str::to_owned),
        before: query_time(request, "before")?,
        limit: query_limit(request, "limit", 1, 100, 50)?,
    })
}

/// `DELETE /api/v1/tasks/{id}`: removes the task and what hangs off it; its
/// idempotency key becomes free.
pub fn delete(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = ctx.project_key()?.project_id.clone();
    review_tasks::delete(ctx, &project_id, request.param("id"))?;
    Ok(Reply::empty(204))
}
