//! `/api/labels` (docs/engine-api.md#labels).

use super::page;
use crate::app::Ctx;
use crate::domain::validate::Input;
use crate::http::{ApiError, Reply, Request};
use crate::service;
use crate::store::labels;

/// `GET`: live labels in creation order.
pub fn list(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let (rows, total) = labels::list(ctx.db(), page(request)?)?;
    Ok(Reply::listing(rows, total))
}

/// `POST`: a new label; its name must never have been used.
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let mut input = Input::new(&body);
    let name = input.required_str("name", 1, 100);
    let color = input.required_str("color", 1, 50);
    input.finish()?;
    let label = service::labels::create(ctx, &name, &color)?;
    Ok(Reply::created(label))
}

/// `DELETE`: soft delete (deleting again re-stamps `deletedAt` and still answers 204).
pub fn delete(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    service::labels::delete(ctx, request.param("id"))?;
    Ok(Reply::empty(204))
}
