//! Comments on issues: the issue must exist (soft-deleted ones count), a reply's parent
//! comment too, and a comment on a claimed issue renews the claim's lease.

use crate::app::Ctx;
use crate::error::ApiError;
use crate::store::comments::{self, Comment, NewComment};
use crate::store::{dispatch, issues};

/// Adds a comment (a reply when it names a parent comment, on any issue).
pub fn create(ctx: &mut Ctx<'_>, new: &NewComment<'_>) -> Result<Comment, ApiError> {
    ctx.write(|tx, now| {
        if !issues::exists(tx, new.issue_id)? {
            return Err(ApiError::NotFound("Issue not found"));
        }
        if let Some(parent_id) = new.parent_id
            && !comments::exists(tx, parent_id)?
        {
            return Err(ApiError::Unprocessable("Parent comment not found"));
        }
        let comment = comments::insert(tx, new, now)?;
        dispatch::renew_lease(tx, new.issue_id, now)?;
        Ok(comment)
    })
}
