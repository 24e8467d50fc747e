//! Issues: creation (hierarchies are one level deep), changes (`completedAt` follows
//! the `done` status, a claim's lease follows `in_progress`, and where the project
//! requires a person's sign-off an issue becomes `done` only through review) and soft
//! deletion.

use crate::app::Ctx;
use crate::domain::dispatch::lease_after_update;
use crate::domain::enums::IssueStatus;
use crate::domain::issue::{check_parent, completed_at_change};
use crate::error::ApiError;
use crate::service::sign_off;
use crate::store::issues::{self, Changes, Issue, NewIssue};

const NOT_FOUND: ApiError = ApiError::NotFound("Issue not found");

/// Issues indexed per write when the full-text index catches up: a few milliseconds
/// under the writer lock, so other writes never wait long behind it.
const SEARCH_INDEX_BATCH: u32 = 500;

/// Brings the full-text index up to date with every write to issues committed before
/// the call, in batches, and answers how many issues it indexed (one both new and
/// changed counts twice). Writes leave the index alone: it finds new issues by number
/// and changes in a queue (see [`issues::catch_up_search_index`]); the server's
/// background round calls this, and so does every search before it reads, so that a
/// search never misses a committed write. An index that is current costs one read.
pub fn catch_up_search_index(ctx: &mut Ctx<'_>) -> Result<usize, ApiError> {
    let mut indexed = 0;
    if !issues::search_index_is_behind(ctx.db())? {
        return Ok(indexed);
    }
    loop {
        let batch =
            ctx.write(|tx, _| Ok(issues::catch_up_search_index(tx, SEARCH_INDEX_BATCH)?))?;
        indexed += batch;
        // A batch shorter than the limit took every queued and every new issue: everything
        // committed before it is indexed.
        if batch < SEARCH_INDEX_BATCH as usize {
            return Ok(indexed);
        }
    }
}

/// Creates an issue with its labels. A parent must be a live issue that has no parent
/// itself; an issue created `done` is completed now.
pub fn create(ctx: &mut Ctx<'_>, new: NewIssue, label_ids: &[String]) -> Result<Issue, ApiError> {
    ctx.write(|tx, now| {
        let new = NewIssue {
            completed_at: (new.status == IssueStatus::Done).then_some(now),
            ..new
        };
        if let Some(parent_id) = &new.parent_id {
            let parent = issues::find_live(tx, parent_id)?;
            check_parent(parent.as_ref().map(|p| p.parent_id.is_some()))
                .map_err(ApiError::Unprocessable)?;
        }
        let issue = issues::insert(tx, &new, now)?;
        if issue.status == IssueStatus::Done {
            sign_off::check_may_complete(tx, issue.project_id.as_deref(), issue.number)?;
        }
        issues::add_labels(tx, &issue.id, label_ids)?;
        Ok(issue)
    })
}

/// Applies `changes` to live issue `id`, with the `completedAt` and lease that follow
/// from a status change; `label_ids`, when given, replace the issue's labels.
pub fn update(
    ctx: &mut Ctx<'_>,
    id: &str,
    mut changes: Changes,
    label_ids: Option<&[String]>,
) -> Result<Issue, ApiError> {
    ctx.write(|tx, now| {
        let current = issues::find_live(tx, id)?.ok_or(NOT_FOUND)?;
        if let Some(status) = changes.status {
            if status == IssueStatus::Done && current.status != IssueStatus::Done {
                let project_id = match &changes.project_id {
                    Some(moved_to) => moved_to.as_deref(),
                    None => current.project_id.as_deref(),
                };
                sign_off::check_may_complete(tx, project_id, current.number)?;
            }
            changes.completed_at = completed_at_change(current.status, status, now);
        }
        changes.lease_expires_at =
            lease_after_update(current.status, current.lease_seconds, changes.status, now);
        if let Some(label_ids) = label_ids {
            issues::set_labels(tx, id, label_ids)?;
        }
        issues::update(tx, id, &changes, now)?.ok_or(NOT_FOUND)
    })
}

/// Soft-deletes issue `id`; 404 when there is no such live issue.
pub fn delete(ctx: &mut Ctx<'_>, id: &str) -> Result<(), ApiError> {
    if ctx.write(|tx, now| Ok(issues::soft_delete(tx, id, now)?))? {
        Ok(())
    } else {
        Err(NOT_FOUND)
    }
}
