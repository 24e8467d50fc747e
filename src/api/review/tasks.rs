//! `/api/v1/tasks` (review-api.md §3, §8, §15.7): automations submit work for review
//! and poll for the verdict.

use rusqlite::Connection;
use serde::Serialize;
use serde_json::value::RawValue;

use super::{query_enum, query_limit, query_text, query_time};
use crate::app::Ctx;
use crate::domain::enums::{Module, OnTimeout, ReviewMode, TaskStatus};
use crate::domain::review::record::Task;
use crate::domain::validate::FieldError;
use crate::http::{ApiError, Reply, Request};
use crate::service::review_tasks::{self, Submitted};
use crate::store::review_tasks::{self as task_store, TaskFilter};
use crate::store::task_reviews::{self, ReviewEntry, UserRef};

const NOT_FOUND: ApiError = ApiError::NotFound("task not found");

/// Longest `Idempotency-Key` accepted.
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// The Task object of §8.1.
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
}

impl<'a> TaskView<'a> {
    fn of(task: &'a Task, reviews: &'a [ReviewEntry], reviewer: Option<&'a UserRef>) -> Self {
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
        }
    }
}

/// Answers `tasks` as Task objects with their reviews (two queries, whatever their
/// number): an array, or the single object when `one` is set.
fn reply_tasks(db: &Connection, status: u16, tasks: &[Task], one: bool) -> Result<Reply, ApiError> {
    let ids: Vec<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
    let reviews = task_reviews::for_tasks(db, &ids)?;
    let reviewer_ids: Vec<&str> = tasks
        .iter()
        .filter_map(|t| t.reviewer_id.as_deref())
        .collect();
    let reviewers = task_reviews::user_refs(db, &reviewer_ids)?;
    let views: Vec<TaskView<'_>> = tasks
        .iter()
        .map(|task| {
            TaskView::of(
                task,
                reviews.get(&task.id).map_or(&[], Vec::as_slice),
                task.reviewer_id.as_ref().and_then(|id| reviewers.get(id)),
            )
        })
        .collect();
    match (one, views.first()) {
        (true, Some(view)) => Ok(Reply::json(status, view)),
        _ => Ok(Reply::json(status, &views)),
    }
}

/// Answers one task as a Task object.
pub(super) fn reply_task(db: &Connection, status: u16, task: &Task) -> Result<Reply, ApiError> {
    reply_tasks(db, status, std::slice::from_ref(task), true)
}

/// Answers tasks as an array of Task objects.
pub(super) fn reply_task_list(db: &Connection, tasks: &[Task]) -> Result<Reply, ApiError> {
    reply_tasks(db, 200, tasks, false)
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

/// `GET /api/v1/tasks`: the project's tasks, newest first, filtered (§8.4).
pub fn list(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = &ctx.project_key()?.project_id;
    let filter = TaskFilter {
        status: query_enum(request, "status")?,
        module: query_enum(request, "module")?,
        source: query_text(request, "source")?.map(str::to_owned),
        external_id: query_text(request, "external_id")?.map(str::to_owned),
        before: query_time(request, "before")?,
        limit: query_limit(request, "limit", 1, 100, 50)?,
    };
    let tasks = task_store::list(ctx.db(), project_id, &filter)?;
    reply_task_list(ctx.db(), &tasks)
}

/// `DELETE /api/v1/tasks/{id}`: removes the task and what hangs off it; its
/// idempotency key becomes free.
pub fn delete(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = ctx.project_key()?.project_id.clone();
    review_tasks::delete(ctx, &project_id, request.param("id"))?;
    Ok(Reply::empty(204))
}
