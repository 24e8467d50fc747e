//! Relations between issues: both must exist (soft-deleted ones count), and an issue
//! cannot relate to itself.

use crate::app::Ctx;
use crate::domain::enums::RelationType;
use crate::error::ApiError;
use crate::store::issues;
use crate::store::relations::{self, Relation};

/// Records "issue `id` <kind> `related_id`".
pub fn create(
    ctx: &mut Ctx<'_>,
    id: &str,
    kind: RelationType,
    related_id: &str,
) -> Result<Relation, ApiError> {
    ctx.write(|tx, now| {
        if !issues::exists(tx, id)? {
            return Err(ApiError::NotFound("Issue not found"));
        }
        if !issues::exists(tx, related_id)? {
            return Err(ApiError::Unprocessable("Related issue not found"));
        }
        if related_id == id {
            return Err(ApiError::Unprocessable(
                "Cannot create a relation to the same issue",
            ));
        }
        Ok(relations::insert(tx, id, kind, related_id, now)?)
    })
}

/// Deletes relation `id` for good; 404 when there is none.
pub fn delete(ctx: &mut Ctx<'_>, id: &str) -> Result<(), ApiError> {
    if ctx.write(|tx, _| Ok(relations::delete(tx, id)?))? {
        Ok(())
    } else {
        Err(ApiError::NotFound("Relation not found"))
    }
}
