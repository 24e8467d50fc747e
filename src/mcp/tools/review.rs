//! The review tools, for a project key: LoopQuest's `create_review_task` and
//! `get_task_status` (same names, arguments and payload shaping; the API's answer goes
//! to the agent as it is), and `wait_for_verdict`, which lets an agent hold its own
//! output until a person has decided.

use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::{Args, Hints, Output, Tool};
use crate::http::Method;
use crate::mcp::backend::{ApiAnswer, ApiRequest, Backend, KeyClass, segment};
use crate::mcp::schema::{ANY_TEXT, Kind, Param};

const MODULES: &[&str] = &[
    "swiper",
    "versus",
    "sorter",
    "detective",
    "fixer",
    "redact",
    "grounding",
];

/// How long `wait_for_verdict` waits when not told (below the 60 s many MCP clients
/// allow a request by default).
const DEFAULT_WAIT_SECONDS: i64 = 30;

/// The longest wait one call may ask for.
pub const MAX_WAIT_SECONDS: i64 = 300;

/// The three review tools.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "create_review_task",
        title: "Create review task",
        description: "Send content to a person for review. With mode=gate, do not act on the content until \
                      a person approves it: wait for the verdict with wait_for_verdict (or poll \
                      get_task_status). With mode=monitor the review happens in the background. Returns the \
                      task's id, status and expiry.",
        class: KeyClass::Review,
        params: &[
            Param::optional(
                "module",
                Kind::OneOf(MODULES),
                "Which review game (default swiper): swiper = approve or flag, versus = pick the better of \
                 two, sorter = classify into buckets, detective = find the error, fixer = confirm or correct \
                 fields, redact = mask personal data and secrets, grounding = check a claim against its source.",
            ),
            Param::optional(
                "content",
                ANY_TEXT,
                "The output to review (swiper, sorter, detective, redact; the claim for grounding when \
                 'claim' is empty).",
            ),
            Param::optional("title", ANY_TEXT, "A short title shown on the review card."),
            Param::optional(
                "claim",
                ANY_TEXT,
                "Grounding: the claim or answer to verify.",
            ),
            Param::optional(
                "source_text",
                ANY_TEXT,
                "Grounding: the source the claim must be supported by.",
            ),
            Param::optional(
                "choices",
                Kind::TextList,
                "Sorter: the buckets to classify into.",
            ),
            Param::optional(
                "mode",
                Kind::OneOf(&["gate", "monitor"]),
                "gate: the output waits for a person's approval; monitor: reviewed without blocking \
                 (default monitor).",
            ),
            Param::optional(
                "timeout_seconds",
                Kind::Integer {
                    min: 30,
                    max: Some(2_592_000),
                },
                "Gate: apply on_timeout if nobody decides within this many seconds.",
            ),
            Param::optional(
                "on_timeout",
                Kind::OneOf(&["escalate", "reject", "approve"]),
                "Gate: what happens when the timeout passes without a verdict (default escalate, which \
                 fails closed).",
            ),
            Param::optional(
                "source",
                ANY_TEXT,
                "A label for the agent or workflow it comes from, shown as a tag.",
            ),
            Param::optional(
                "external_id",
                ANY_TEXT,
                "Your own correlation id, echoed back in the verdict webhook.",
            ),
            Param::optional(
                "callback_url",
                ANY_TEXT,
                "Where the signed verdict is POSTed when a person decides.",
            ),
            Param::optional(
                "reviews_required",
                Kind::Integer {
                    min: 1,
                    max: Some(5),
                },
                "How many reviewers must agree.",
            ),
            Param::optional(
                "payload",
                Kind::Object,
                "Advanced: the task's raw payload, sent instead of the one built from content, claim and \
                 source_text (e.g. {\"a\": ..., \"b\": ...} for versus, {\"fields\": [...]} for fixer).",
            ),
        ],
        hints: Hints {
            read_only: false,
            idempotent: false,
        },
        run: create_review_task,
    },
    Tool {
        name: "get_task_status",
        title: "Get task status",
        description: "Check the status and verdict of a review task by id.",
        class: KeyClass::Review,
        params: &[Param::required(
            "task_id",
            ANY_TEXT,
            "The task id returned by create_review_task.",
        )],
        hints: Hints {
            read_only: true,
            idempotent: true,
        },
        run: get_task_status,
    },
    Tool {
        name: "wait_for_verdict",
        title: "Wait for verdict",
        description: "Wait until a person decides a review task (or its gate times out), for up to \
                      timeout_seconds, then return the task with its verdict. If it is still pending when \
                      the wait ends, it comes back with status \"pending\": wait again, or treat the output \
                      as not approved.",
        class: KeyClass::Review,
        params: &[
            Param::required(
                "task_id",
                ANY_TEXT,
                "The task id returned by create_review_task.",
            ),
            Param::optional(
                "timeout_seconds",
                Kind::Integer {
                    min: 1,
                    max: Some(MAX_WAIT_SECONDS),
                },
                "How long to wait at most, in seconds (1-300, default 30).",
            ),
        ],
        hints: Hints {
            read_only: true,
            idempotent: true,
        },
        run: wait_for_verdict,
    },
];

/// The API's answer as the agent sees it: the body as sent, an error unless 2xx.
fn raw(answer: &ApiAnswer) -> Output {
    Output {
        text: answer.text(),
        is_error: !answer.ok(),
        structured: None,
    }
}

/// The `POST /api/v1/tasks` body for these arguments, shaped per module as LoopQuest's
/// MCP server shapes it: `{claim, source}` for grounding, `{body}` for redact and
/// detective, `{content}` otherwise, unless a raw payload is given; sorter's buckets
/// and swiper's text go on the card. Empty strings count as not given.
fn task_body(args: &Args) -> Value {
    let module = args.text("module").unwrap_or("swiper");
    let content = args.text("content").unwrap_or_default();
    let payload = match (args.value("payload"), module) {
        (Some(payload), _) => payload.clone(),
        (None, "grounding") => json!({
            "claim": args.non_empty("claim").unwrap_or(content),
            "source": args.text("source_text").unwrap_or_default(),
        }),
        (None, "redact" | "detective") => json!({"body": content}),
        (None, _) => json!({"content": content}),
    };
    let mut body = json!({"module": module, "payload": payload});
    let mut card = Map::new();
    if let Some(title) = args.non_empty("title") {
        card.insert("title".to_owned(), json!(title));
    }
    if !content.is_empty() && module == "swiper" {
        card.insert("body".to_owned(), json!(content));
    }
    match args.value("choices") {
        Some(Value::Array(choices)) if module == "sorter" && !choices.is_empty() => {
            card.insert("choices".to_owned(), Value::Array(choices.clone()));
        }
        _ => {}
    }
    if !card.is_empty() {
        body["card"] = Value::Object(card);
    }
    for field in [
        "mode",
        "on_timeout",
        "source",
        "external_id",
        "callback_url",
    ] {
        if let Some(value) = args.non_empty(field) {
            body[field] = json!(value);
        }
    }
    for field in ["timeout_seconds", "reviews_required"] {
        if let Some(value) = args.integer(field).filter(|n| *n != 0) {
            body[field] = json!(value);
        }
    }
    body
}

fn create_review_task(args: &Args, backend: &mut dyn Backend) -> Result<Output, String> {
    let request = ApiRequest::new(Method::Post, "/api/v1/tasks".to_owned()).body(task_body(args));
    Ok(raw(&backend.call(&request)?))
}

/// `GET /api/v1/tasks/{id}`.
fn read_task(args: &Args) -> Result<ApiRequest, String> {
    let id = args.required("task_id")?;
    Ok(ApiRequest::new(
        Method::Get,
        format!("/api/v1/tasks/{}", segment(id)),
    ))
}

fn get_task_status(args: &Args, backend: &mut dyn Backend) -> Result<Output, String> {
    Ok(raw(&backend.call(&read_task(args)?)?))
}

fn wait_for_verdict(args: &Args, backend: &mut dyn Backend) -> Result<Output, String> {
    let request = read_task(args)?;
    let first = backend.call(&request)?;
    if !first.is_pending_task() {
        return Ok(raw(&first));
    }
    let seconds = args
        .integer("timeout_seconds")
        .unwrap_or(DEFAULT_WAIT_SECONDS)
        .clamp(1, MAX_WAIT_SECONDS);
    let deadline = Instant::now() + Duration::from_secs(seconds.unsigned_abs());
    if let Err(refused) = backend.wait_while_pending(args.required("task_id")?, deadline) {
        return Ok(Output::error(refused));
    }
    Ok(raw(&backend.call(&request)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::schema;

    fn body(arguments: Value) -> Value {
        let params = TOOLS[0].params;
        task_body(&Args(
            schema::check(params, Some(&arguments)).unwrap_or_default(),
        ))
    }

    #[test]
    fn payloads_are_shaped_per_module() {
        assert_eq!(
            body(json!({"content": "Refund approved", "title": "Refund #1"})),
            json!({"module": "swiper", "payload": {"content": "Refund approved"},
                   "card": {"title": "Refund #1", "body": "Refund approved"}})
        );
        assert_eq!(
            body(json!({"module": "grounding", "content": "c", "source_text": "s"})),
            json!({"module": "grounding", "payload": {"claim": "c", "source": "s"}})
        );
        assert_eq!(
            body(json!({"module": "grounding", "claim": "k", "content": "c"})),
            json!({"module": "grounding", "payload": {"claim": "k", "source": ""}})
        );
        assert_eq!(
            body(json!({"module": "redact", "content": "call 555-0100"})),
            json!({"module": "redact", "payload": {"body": "call 555-0100"}})
        );
        assert_eq!(
            body(json!({"module": "sorter", "content": "x", "choices": ["a", "b"]})),
            json!({"module": "sorter", "payload": {"content": "x"}, "card": {"choices": ["a", "b"]}})
        );
        assert_eq!(
            body(
                json!({"module": "versus", "payload": {"a": "1", "b": "2"}, "content": "ignored"})
            ),
            json!({"module": "versus", "payload": {"a": "1", "b": "2"}})
        );
    }

    #[test]
    fn gating_and_routing_fields_pass_through_when_set() {
        assert_eq!(
            body(
                json!({"content": "x", "mode": "gate", "timeout_seconds": 60, "on_timeout": "reject",
                        "source": "agent", "external_id": "e1", "callback_url": "https://h/cb",
                        "reviews_required": 2, "title": ""})
            ),
            json!({"module": "swiper", "payload": {"content": "x"}, "card": {"body": "x"},
                   "mode": "gate", "on_timeout": "reject", "source": "agent", "external_id": "e1",
                   "callback_url": "https://h/cb", "timeout_seconds": 60, "reviews_required": 2})
        );
    }
}
