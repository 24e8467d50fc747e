//! `POST /api/issues/{id}/relations` and `DELETE /api/relations/{id}` (loop-api.md §4.6–4.7).

use super::{ANY_LENGTH, validated};
use crate::app::Ctx;
use crate::domain::enums::RelationType;
use crate::domain::validate::Input;
use crate::http::{ApiError, Reply, Request};
use crate::store::{issues, relations};

/// Records "issue `id` <type> `relatedIssueId`". Soft-deleted issues count as existing.
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let mut input = Input::new(&body);
    let kind = input.required_enum::<RelationType>("type");
    let related_id = input.required_str("relatedIssueId", 1, ANY_LENGTH);
    input.finish()?;
    let kind = validated(kind, "type")?;
    let id = request.param("id");
    let relation = ctx.write(|tx, now| {
        if !issues::exists(tx, id)? {
            return Err(ApiError::NotFound("Issue not found"));
        }
        if !issues::exists(tx, &related_id)? {
            return Err(ApiError::Unprocessable("Related issue not found"));
        }
        if related_id == id {
            return Err(ApiError::Unprocessable(
                "Cannot create a relation to the same issue",
            ));
        }
        Ok(relations::insert(tx, id, kind, &related_id, now)?)
    })?;
    Ok(Reply::created(relation))
}

/// Deletes a relation for good.
pub fn delete(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let id = request.param("id");
    if ctx.write(|tx, _| Ok(relations::delete(tx, id)?))? {
        Ok(Reply::empty(204))
    } else {
        Err(ApiError::NotFound("Relation not found"))
    }
}
