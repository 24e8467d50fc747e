//! `POST /api/issues/{id}/relations` and `DELETE /api/relations/{id}` (docs/engine-api.md#relations).

use super::{ANY_LENGTH, validated};
use crate::app::Ctx;
use crate::domain::enums::RelationType;
use crate::domain::validate::Input;
use crate::http::{ApiError, Reply, Request};
use crate::service;

/// Records "issue `id` <type> `relatedIssueId`". Soft-deleted issues count as existing.
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let mut input = Input::new(&body);
    let kind = input.required_enum::<RelationType>("type");
    let related_id = input.required_str("relatedIssueId", 1, ANY_LENGTH);
    input.finish()?;
    let kind = validated(kind, "type")?;
    let relation = service::relations::create(ctx, request.param("id"), kind, &related_id)?;
    Ok(Reply::created(relation))
}

/// Deletes a relation for good.
pub fn delete(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    service::relations::delete(ctx, request.param("id"))?;
    Ok(Reply::empty(204))
}
