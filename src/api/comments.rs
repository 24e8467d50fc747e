//! `/api/issues/{id}/comments` (docs/engine-api.md#comments).

use serde::Serialize;

use super::{ANY_LENGTH, validated};
use crate::app::Ctx;
use crate::domain::enums::AuthorType;
use crate::domain::thread::threads;
use crate::domain::validate::Input;
use crate::http::{ApiError, Reply, Request};
use crate::service;
use crate::store::comments::{self, Comment, NewComment};
use crate::store::issues;

const NOT_FOUND: ApiError = ApiError::NotFound("Issue not found");

/// A top-level comment with its direct replies.
#[derive(Serialize)]
struct Thread {
    #[serde(flatten)]
    comment: Comment,
    replies: Vec<Comment>,
}

/// `GET`: the issue's comment threads, oldest first (also for soft-deleted issues).
pub fn list(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let id = request.param("id");
    if !issues::exists(ctx.db(), id)? {
        return Err(NOT_FOUND);
    }
    let all = comments::of_issue(ctx.db(), id)?;
    let data: Vec<Thread> = threads(all, |c| &c.id, |c| c.parent_id.as_deref())
        .into_iter()
        .map(|(comment, replies)| Thread { comment, replies })
        .collect();
    Ok(Reply::data(data))
}

/// `POST`: adds a comment (a reply when `parentId` names a comment on any issue).
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let mut input = Input::new(&body);
    let text = input.required_str("body", 1, ANY_LENGTH);
    let author_name = input.required_str("authorName", 1, ANY_LENGTH);
    let author_type = input.required_enum::<AuthorType>("authorType");
    let parent_id = input
        .opt_str("parentId", 0, ANY_LENGTH)
        .filter(|p| !p.is_empty());
    input.finish()?;
    let new = NewComment {
        issue_id: request.param("id"),
        body: &text,
        author_name: &author_name,
        author_type: validated(author_type, "authorType")?,
        parent_id: parent_id.as_deref(),
    };
    let comment = service::comments::create(ctx, &new)?;
    Ok(Reply::created(comment))
}
