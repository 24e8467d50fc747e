//! `POST /api/keys` (Loop's extension, docs/engine-api.md#authentication): makes an
//! engine admin key, shown once. The web app's first-run checklist makes one on the spot
//! so that a person can paste a working `curl` and connect an agent; the browser itself
//! never holds a key.

use serde::Serialize;

use crate::app::Ctx;
use crate::domain::validate::Input;
use crate::http::{ApiError, Reply, Request};
use crate::service;

/// A key just made: its record and the key, which is never shown again.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreatedKey {
    id: String,
    name: String,
    key: String,
    created_at: String,
}

/// `POST /api/keys` `{name?}`: 201 with the new key.
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let mut input = Input::new(&body);
    let name = input
        .opt_str("name", 0, 100)
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "web app".to_owned());
    input.finish()?;
    let created = service::keys::create_admin_key_now(ctx, &name)?;
    Ok(Reply::created(CreatedKey {
        id: created.record.id,
        name: created.record.name,
        key: created.key,
        created_at: created.record.created_at,
    }))
}
