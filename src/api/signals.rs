//! Signal intake (docs/engine-api.md#signals, docs/decisions.md#no-500-for-a-clients-mistake, docs/decisions.md#webhooks-without-a-bearer-key): the generic `POST /api/signals`
//! (bearer) and the GitHub, Sentry and PostHog webhooks (provider signature, no bearer).
//! Every accepted request records one signal and its triage issue in one transaction.

use serde::Serialize;

use super::ANY_LENGTH;
use super::validated;
use crate::app::Ctx;
use crate::domain::enums::Severity;
use crate::domain::enums::WireEnum;
use crate::domain::jsjson::{self, JsValue, ParseError};
use crate::domain::signals::{self, SignalDraft};
use crate::domain::signature::{hmac_sha256_hex, same_secret};
use crate::domain::stored_json;
use crate::domain::validate::{FieldError, Input, enum_message};
use crate::http::request::too_deeply_nested;
use crate::http::{ApiError, Reply, Request};
use crate::service;
use crate::store::issues::Issue;
use crate::store::signals::{self as signals_store, Signal};

const INVALID_SIGNATURE: ApiError = ApiError::Unauthorized("Invalid webhook signature");

/// `{"signal": ..., "issue": ...}`.
#[derive(Serialize)]
struct Recorded {
    signal: Signal,
    issue: Issue,
}

/// Stores the signal and its issue, answering 201.
fn record(
    ctx: &mut Ctx<'_>,
    draft: &SignalDraft,
    payload: &str,
    project_id: Option<&str>,
) -> Result<Reply, ApiError> {
    let (signal, issue) = service::signals::record(ctx, draft, payload, project_id)?;
    Ok(Reply::created(Recorded { signal, issue }))
}

/// `GET /api/signals` (Loop's extension): the signals that arrived, newest first, each
/// with the issue it created; `source` and `severity` filter.
pub fn list(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let page = super::page(request)?;
    let severity = match request.query("severity")?.filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => Some(Severity::parse(raw).ok_or_else(|| {
            FieldError::new(
                "severity",
                format!("\"{raw}\" is not valid. {}", enum_message(Severity::ALL)),
            )
        })?),
    };
    let filter = signals_store::Filter {
        source: request
            .query("source")?
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        severity,
    };
    let (rows, total) = signals_store::list(ctx.db(), &filter, page)?;
    Ok(Reply::listing(rows, total))
}

/// `POST /api/signals`.
pub fn ingest(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let mut input = Input::new(&body);
    let source = input.required_str("source", 1, ANY_LENGTH);
    let kind = input.required_str("type", 1, ANY_LENGTH);
    let severity = input.required_enum::<Severity>("severity");
    let payload = input.required_object_json("payload");
    let source_id = input.opt_str("sourceId", 0, ANY_LENGTH);
    let project_id = input.opt_str("projectId", 0, ANY_LENGTH);
    input.finish()?;
    let payload_object = body.get("payload").and_then(serde_json::Value::as_object);
    let title = signals::generic_title(
        &source,
        &kind,
        payload_object.unwrap_or(&serde_json::Map::new()),
    );
    let draft = SignalDraft {
        source,
        source_id,
        kind,
        severity: validated(severity, "severity")?,
        title,
    };
    record(ctx, &draft, &payload, project_id.as_deref())
}

/// The configured secret, or the 503 naming the environment variable to set.
fn secret<'a>(value: Option<&'a String>, missing: &'static str) -> Result<&'a str, ApiError> {
    value
        .map(String::as_str)
        .ok_or(ApiError::NotConfigured(missing))
}

/// The webhook body parsed the way the providers' JavaScript does (any JSON but `null`,
/// nested no deeper than can be stored and read back).
fn webhook_body(request: &Request) -> Result<JsValue, ApiError> {
    let text = String::from_utf8_lossy(request.body());
    match jsjson::parse(&text) {
        Ok(JsValue::Null) => Err(ApiError::BadRequest(
            "Request body must not be JSON null".to_owned(),
        )),
        Ok(value) => Ok(value),
        Err(ParseError::TooDeep) => Err(too_deeply_nested()),
        Err(ParseError::Syntax { .. }) => Err(ApiError::BadRequest(
            "Malformed JSON in request body".to_owned(),
        )),
    }
}

/// Records a webhook signal; the whole body is its payload and it has no project.
fn record_webhook(
    ctx: &mut Ctx<'_>,
    draft: &SignalDraft,
    body: &JsValue,
) -> Result<Reply, ApiError> {
    record(ctx, draft, &stored_json::to_text(body.to_serde()), None)
}

/// `POST /api/signals/github`: `X-Hub-Signature-256: sha256=<HMAC of the raw body>`.
pub fn github(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let secrets = &ctx.config().webhook_secrets;
    let key = secret(
        secrets.github.as_ref(),
        "GITHUB_WEBHOOK_SECRET not configured",
    )?;
    let given = request
        .header("X-Hub-Signature-256")
        .ok_or(ApiError::Unauthorized("Missing X-Hub-Signature-256 header"))?;
    let expected = format!("sha256={}", hmac_sha256_hex(key.as_bytes(), request.body()));
    if !same_secret(given, &expected) {
        return Err(INVALID_SIGNATURE);
    }
    let body = webhook_body(request)?;
    let draft = signals::github(request.header("X-GitHub-Event"), &body);
    record_webhook(ctx, &draft, &body)
}

/// `POST /api/signals/sentry`: `Sentry-Hook-Signature: <HMAC of JSON.stringify(JSON.parse(body))>`.
pub fn sentry(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let secrets = &ctx.config().webhook_secrets;
    let key = secret(
        secrets.sentry.as_ref(),
        "SENTRY_CLIENT_SECRET not configured",
    )?;
    let given = request
        .header("Sentry-Hook-Signature")
        .ok_or(ApiError::Unauthorized(
            "Missing Sentry-Hook-Signature header",
        ))?;
    let body = webhook_body(request)?;
    let expected = hmac_sha256_hex(key.as_bytes(), body.stringify().as_bytes());
    if !same_secret(given, &expected) {
        return Err(INVALID_SIGNATURE);
    }
    let draft = signals::sentry(&body);
    record_webhook(ctx, &draft, &body)
}

/// `POST /api/signals/posthog`: `X-PostHog-Secret: <the secret itself>`.
pub fn posthog(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let secrets = &ctx.config().webhook_secrets;
    let key = secret(
        secrets.posthog.as_ref(),
        "POSTHOG_WEBHOOK_SECRET not configured",
    )?;
    let given = request
        .header("X-PostHog-Secret")
        .ok_or(ApiError::Unauthorized("Missing X-PostHog-Secret header"))?;
    if !same_secret(given, key) {
        return Err(ApiError::Unauthorized("Invalid webhook secret"));
    }
    let body = webhook_body(request)?;
    let draft = signals::posthog(&body);
    record_webhook(ctx, &draft, &body)
}
