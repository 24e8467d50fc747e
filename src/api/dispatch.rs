//! `/api/dispatch` (docs/engine-api.md#dispatch, docs/decisions.md#dispatch-order, docs/decisions.md#claim-leases, docs/decisions.md#client-compatibility): agents claim the best
//! unblocked `todo` issue with its rendered prompt, or preview the queue.

use serde::Serialize;
use serde_json::{Value, json};

use super::page;
use crate::app::Ctx;
use crate::domain::dispatch::{Breakdown, LEASE_SECONDS_RANGE};
use crate::domain::jsnum;
use crate::domain::validate::FieldError;
use crate::http::response::{JSON, Listing};
use crate::http::{ApiError, Reply, Request};
use crate::service;
use crate::service::dispatch::Dispatched;
use crate::store::dispatch::{self, Claim};
use crate::store::issues::Issue;

/// The optional `projectId` filter (empty means none).
fn project_filter(request: &Request) -> Result<Option<&str>, ApiError> {
    Ok(request.query("projectId")?.filter(|p| !p.is_empty()))
}

/// The lease a claim asks for: `leaseSeconds` (60..86400) or the server default.
fn lease_seconds(ctx: &Ctx<'_>, request: &Request) -> Result<Option<i64>, ApiError> {
    match request.query("leaseSeconds")? {
        None => Ok(ctx.config().claim_lease_seconds),
        Some(raw) => match jsnum::parse_integer(raw) {
            Some(seconds) if LEASE_SECONDS_RANGE.contains(&seconds) => Ok(Some(seconds)),
            _ => Err(ApiError::Validation(vec![FieldError::new(
                "leaseSeconds",
                format!(
                    "Expected a whole number of seconds from {} to {}",
                    LEASE_SECONDS_RANGE.start(),
                    LEASE_SECONDS_RANGE.end()
                ),
            )])),
        },
    }
}

/// `GET /api/dispatch/next`: claims the best candidate with its rendered prompt (see
/// [`service::dispatch`]); 204 when there is nothing to do. The answer is unwrapped:
/// `{issue, prompt, meta}`.
pub fn next(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let project_id = project_filter(request)?;
    let claim = Claim {
        lease_seconds: lease_seconds(ctx, request)?,
        agent_session_id: request.query("agentSessionId")?.filter(|s| !s.is_empty()),
    };
    let Some(Dispatched { claimed, prompt }) = service::dispatch::next(ctx, project_id, claim)?
    else {
        return Ok(Reply::empty(204));
    };
    let (prompt, meta) = match prompt {
        None => (Value::Null, Value::Null),
        Some((template, version, text)) => (
            Value::String(text),
            json!({
                "templateSlug": template.slug,
                "templateId": template.id,
                "versionId": version.id,
                "versionNumber": version.version,
                "reviewUrl": "POST /api/prompt-reviews",
            }),
        ),
    };
    let issue = &claimed.issue;
    let summary = json!({
        "id": issue.id,
        "number": issue.number,
        "title": issue.title,
        "type": issue.kind,
        "priority": issue.priority,
        "status": issue.status,
    });
    Ok(Reply::json(
        200,
        &json!({"issue": summary, "prompt": prompt, "meta": meta}),
    ))
}

/// One queue entry.
#[derive(Serialize)]
struct Entry {
    issue: Issue,
    score: i64,
    breakdown: Breakdown,
}

/// `GET /api/dispatch/queue`: every candidate in claim order, paginated, claiming nothing.
/// Agents and the dashboard poll it, so the answer is served again while nothing has
/// been written and no issue near the page has gained a day of age (see
/// [`crate::answers`]).
pub fn queue(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let page = page(request)?;
    let project_id = project_filter(request)?;
    let now = ctx.now();
    let key = format!(
        "dispatch/queue {} {} {}",
        page.offset,
        page.limit,
        project_id.unwrap_or_default()
    );
    let body = ctx.read_reusable(&key, now, |db| {
        let queue = dispatch::queue(db, project_id, page, now)?;
        let entries = queue
            .rows
            .into_iter()
            .map(|(issue, breakdown)| Entry {
                issue,
                score: breakdown.score(),
                breakdown,
            })
            .collect();
        let listing = Listing {
            data: entries,
            total: queue.total,
        };
        let body = serde_json::to_vec(&listing)
            .map_err(|e| ApiError::Internal(format!("the queue could not be serialised: {e}")))?;
        Ok::<_, ApiError>((body, queue.unchanged_until))
    })?;
    Ok(Reply::bytes(200, JSON, body.to_vec()))
}
