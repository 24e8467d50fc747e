//! `/api/labels` (docs/engine-api.md#labels). Validation failures (of the body or of the
//! page) are 422 with the usual `details`, as the original answers them and its SDK
//! expects (it raises its typed validation error for a 422 only); malformed JSON stays
//! a 400.

use super::page;
use crate::app::Ctx;
use crate::domain::validate::Input;
use crate::http::{ApiError, Reply, Request};
use crate::service;
use crate::store::labels;

/// `GET`: live labels in creation order.
pub fn list(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let page = page(request).map_err(ApiError::into_unprocessable)?;
    let (rows, total) = labels::list(ctx.db(), page)?;
    Ok(Reply::listing(rows, total))
}

/// `POST`: a new label; its name must never have been used.
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let mut input = Input::new(&body);
    let name = input.required_str("name", 1, 100);
    let color = input.required_str("color", 1, 50);
    input
        .finish()
        .map_err(|errors| ApiError::from(errors).into_unprocessable())?;
    let label = service::labels::create(ctx, &name, &color)?;
    Ok(Reply::created(label))
}

/// `DELETE`: soft delete (deleting again re-stamps `deletedAt` and still answers 204).
pub fn delete(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    service::labels::delete(ctx, request.param("id"))?;
    Ok(Reply::empty(204))
}
