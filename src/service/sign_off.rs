//! Human sign-off of agents' work (see [`crate::domain::sign_off`]): an agent requests
//! review of an issue, which becomes a review task in the issue's project; the verdict
//! that resolves the task acts on the issue in the same transaction ([`settle`], called
//! from the one resolution path, [`crate::service::verdicts::resolve`]); and where the
//! project requires sign-off, an agent cannot mark the issue done itself
//! ([`check_may_complete`]).

use rusqlite::Connection;
use serde_json::Value;

use crate::app::Ctx;
use crate::clock::Timestamp;
use crate::domain::enums::{AuthorType, IssueStatus, ReviewStatus, TaskStatus};
use crate::domain::review::record::Task;
use crate::domain::review::task;
use crate::domain::review::verdict_signal::flagged_severity;
use crate::domain::sign_off::{self, Work};
use crate::error::ApiError;
use crate::service::prompt_reviews;
use crate::service::prompting::{self, Callback};
use crate::store::comments::{self, NewComment};
use crate::store::issues::{self, Issue, Settlement};
use crate::store::prompt_reviews::NewReview;
use crate::store::{projects, review_tasks, sign_offs, templates, users};

const NOT_FOUND: ApiError = ApiError::NotFound("Issue not found");

/// The refusal an agent gets for marking done an issue that needs a person's sign-off.
const SIGN_OFF_REQUIRED: ApiError = ApiError::Conflict(
    "This issue needs a person's sign-off: request review (POST /api/issues/{id}/review-request, \
     or the loop_request_review MCP tool) instead of setting its status to \"done\"",
);

/// What an agent sends with a review request.
#[derive(Debug, Clone, Default)]
pub struct ReviewRequest {
    /// What the agent did (also stored as the issue's agent summary); the issue's
    /// current agent summary when absent.
    pub summary: Option<String>,
    /// Whether the reviewer corrects `fields` (fixer) rather than approves or flags the
    /// work (swiper).
    pub fixer: bool,
    /// `{label, key?, value}` fields for the reviewer: to correct (fixer) or to see
    /// (swiper).
    pub fields: Option<Vec<Value>>,
}

/// Whether issue number `number` of project `project_id` may be marked done directly;
/// 409 (saying to request review) when its project's policy wants a person to sign it
/// off.
pub fn check_may_complete(
    conn: &Connection,
    project_id: Option<&str>,
    number: i64,
) -> Result<(), ApiError> {
    let Some(project_id) = project_id else {
        return Ok(());
    };
    match projects::sign_off_policy(conn, project_id)? {
        Some(policy) if policy.applies_to(number) => Err(SIGN_OFF_REQUIRED),
        _ => Ok(()),
    }
}

/// Sends the work on live issue `id` to a person: a review task in the issue's project
/// whose card shows the issue, the agent's summary, its commits and pull requests, and
/// the prompt version the work was done with. The issue waits `in_progress`, without a
/// lease, with `reviewStatus: pending` and the task's id; answers it as it is now.
pub fn request(ctx: &mut Ctx<'_>, id: &str, request: &ReviewRequest) -> Result<Issue, ApiError> {
    let loop_url = ctx.config().loop_url.clone();
    let renderer = &ctx.app().renderer;
    ctx.write(|tx, now| {
        let issue = issues::find_live(tx, id)?.ok_or(NOT_FOUND)?;
        let project = match &issue.project_id {
            Some(project_id) => projects::find_live(tx, project_id)?,
            None => None,
        }
        .ok_or(ApiError::Conflict(
            "Review tasks belong to a project: give the issue a live project (projectId) first",
        ))?;
        match (issue.status, issue.review_status) {
            (IssueStatus::Done, _) => return Err(ApiError::Conflict("The issue is already done")),
            (IssueStatus::Canceled, _) => return Err(ApiError::Conflict("The issue is canceled")),
            (_, Some(ReviewStatus::Pending)) => {
                return Err(ApiError::Conflict(
                    "A review of this issue is already pending (see its reviewTaskId)",
                ));
            }
            _ => {}
        }
        let settings = projects::review_settings(tx, &project.id)?.ok_or(NOT_FOUND)?;
        let issue_url = format!(
            "{}/issues/{}",
            loop_url
                .as_deref()
                .unwrap_or_default()
                .trim_end_matches('/'),
            issue.number
        );
        let work = Work {
            issue_id: &issue.id,
            number: issue.number,
            title: &issue.title,
            project_name: &project.name,
            issue_url,
            summary: request
                .summary
                .as_deref()
                .or(issue.agent_summary.as_deref()),
            commits: json_list(issue.commits.as_deref()),
            pull_requests: json_list(issue.pull_requests.as_deref()),
            prompt: prompt_used(tx, renderer, &issue, loop_url.as_deref())?,
            fields: request.fields.clone(),
            fixer: request.fixer,
        };
        let new_task = task::parse(
            &sign_off::review_task_body(&work),
            settings.default_gate_timeout_seconds,
        )?;
        let task = review_tasks::insert(tx, &project.id, &new_task, None, now)?;
        sign_offs::insert(
            tx,
            &task.id,
            &issue.id,
            issue.prompt_version_id.as_deref(),
            now,
        )?;
        issues::start_review(tx, &issue.id, &task.id, request.summary.as_deref(), now)?
            .ok_or(NOT_FOUND)
    })
}

/// The items of a stored JSON array (none when absent).
fn json_list(raw: Option<&serde_json::value::RawValue>) -> Vec<Value> {
    raw.and_then(|raw| serde_json::from_str::<Vec<Value>>(raw.get()).ok())
        .unwrap_or_default()
}

/// The prompt version the issue's work was done with, as the reviewer sees it:
/// `{templateSlug, versionId, versionNumber, text}`, `text` hydrated for the issue as
/// dispatch would (with a placeholder where the agent's key was: a card is no place
/// for a secret), or `null` when it cannot be rendered any more. `None` when no
/// template applied at the claim.
fn prompt_used(
    conn: &Connection,
    renderer: &crate::domain::prompt::render::Renderer,
    issue: &Issue,
    loop_url: Option<&str>,
) -> Result<Option<Value>, ApiError> {
    let Some(version_id) = &issue.prompt_version_id else {
        return Ok(None);
    };
    let Some(version) = templates::find_version(conn, version_id)? else {
        return Ok(None);
    };
    let Some(template) = templates::find_any(conn, &version.template_id)? else {
        return Ok(None);
    };
    let callback = Callback {
        url: loop_url.unwrap_or_default(),
        token: "$LOOP_API_KEY",
    };
    let text = prompting::render(conn, renderer, issue, &template, &version, &callback)
        .map_or(Value::Null, Value::String);
    Ok(Some(serde_json::json!({
        "templateSlug": template.slug,
        "versionId": version.id,
        "versionNumber": version.version,
        "text": text,
    })))
}

/// Applies the resolution of `task` to the issue whose work it reviews, when `task` is a
/// sign-off (answers whether it is), inside the transaction that resolves it: an
/// approval makes the issue `done`, with any fields a fixer reviewer corrected; a flag
/// sends it back to `todo` without a lease, with the reviewer's reason as a comment
/// signed with their handle; an escalation leaves it pending for an administrator. A
/// person's verdict (not a deadline's) is also recorded as a human review of the prompt
/// version that produced the work, scored from the decision, so the version's EWMA
/// score moves with what people think of its agents' work.
pub fn settle(
    conn: &Connection,
    task: &Task,
    reviewer_id: Option<&str>,
    now: Timestamp,
) -> Result<bool, ApiError> {
    let Some(sign_off) = sign_offs::find(conn, &task.id)? else {
        return Ok(false);
    };
    let Some(approved) = task.verdict.filter(|_| task.status == TaskStatus::Reviewed) else {
        return Ok(true);
    };
    let correction = task
        .detail
        .as_ref()
        .filter(|_| approved && task.choice.as_deref() == Some("corrected"))
        .and_then(|detail| serde_json::from_str::<Value>(detail.get()).ok())
        .and_then(|detail| detail.get("fields").map(Value::to_string));
    let severity = flagged_severity(task).filter(|_| !approved);
    let (outcome, settlement) = if approved {
        let correction = correction.as_deref();
        (ReviewStatus::Approved, Settlement::Approved { correction })
    } else {
        (ReviewStatus::Flagged, Settlement::Flagged)
    };
    sign_offs::settle(conn, &task.id, outcome, now)?;
    let settled = issues::settle_review(conn, &sign_off.issue_id, &task.id, settlement, now)?;
    let reviewer = match reviewer_id {
        Some(id) => users::find(conn, id)?.map(|user| user.handle),
        None => None,
    };
    if settled && !approved {
        comments::insert(
            conn,
            &NewComment {
                issue_id: &sign_off.issue_id,
                body: &sign_off::flag_comment(task.reason.as_deref(), severity),
                author_name: reviewer.as_deref().unwrap_or("reviewer"),
                author_type: AuthorType::Human,
                parent_id: None,
            },
            now,
        )?;
    }
    if let Some(version_id) = sign_off.prompt_version_id.filter(|_| !task.timed_out)
        && templates::find_version(conn, &version_id)?.is_some()
    {
        let score = sign_off::verdict_score(approved, correction.is_some(), severity);
        prompt_reviews::record(
            conn,
            &NewReview {
                version_id,
                issue_id: sign_off.issue_id.clone(),
                clarity: score,
                completeness: score,
                relevance: score,
                feedback: task.reason.clone(),
                author_type: AuthorType::Human,
            },
            now,
        )?;
    }
    Ok(true)
}

/// Withdraws the pending review whose task `task_id` is being deleted: the issue keeps
/// its status, may request review again, and says so in a comment.
pub fn withdraw(conn: &Connection, task_id: &str, now: Timestamp) -> Result<(), ApiError> {
    if let Some(issue_id) = issues::withdraw_review(conn, task_id, now)? {
        comments::insert(
            conn,
            &NewComment {
                issue_id: &issue_id,
                body: &format!(
                    "The review task {task_id} of this issue was deleted, so its review was withdrawn; \
                     request review again when the work is ready."
                ),
                author_name: "Loop",
                author_type: AuthorType::Agent,
                parent_id: None,
            },
            now,
        )?;
    }
    Ok(())
}
