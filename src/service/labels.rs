//! Labels: a name is never reused, not even after the label was deleted.

use crate::app::Ctx;
use crate::error::ApiError;
use crate::store::labels::{self, Label};

/// Creates a label; 409 when its name was ever used.
pub fn create(ctx: &mut Ctx<'_>, name: &str, color: &str) -> Result<Label, ApiError> {
    ctx.write(|tx, now| {
        labels::insert(tx, name, color, now)?.ok_or(ApiError::Conflict("Label name already exists"))
    })
}

/// Soft-deletes label `id` (deleting again re-stamps `deletedAt`); 404 when there is none.
pub fn delete(ctx: &mut Ctx<'_>, id: &str) -> Result<(), ApiError> {
    if ctx.write(|tx, now| Ok(labels::soft_delete(tx, id, now)?))? {
        Ok(())
    } else {
        Err(ApiError::NotFound("Label not found"))
    }
}
