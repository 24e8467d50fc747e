//! The original Loop MCP server's nine tools, for an admin key: the same names,
//! arguments and result text, made of the same API requests; then Loop's own
//! `loop_request_review` (human sign-off of an issue's work). Two go further than the
//! original, which promised more than it delivered: `loop_complete_task` really lists
//! the issues the completion unblocked (the original looked for relations that issue
//! listings do not carry, so its list was always empty), and `loop_get_issue` includes
//! the comments its description mentions.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::{Args, Hints, Output, Tool};
use crate::http::Method;
use crate::mcp::backend::{ApiAnswer, ApiRequest, Backend, KeyClass, segment};
use crate::mcp::schema::{ANY_TEXT, Kind, Param};

const STATUSES: &[&str] = &[
    "triage",
    "backlog",
    "todo",
    "in_progress",
    "done",
    "canceled",
];
const TYPES: &[&str] = &["signal", "hypothesis", "plan", "task", "monitor"];
const SEVERITIES: &[&str] = &["critical", "high", "medium", "low"];
const TITLE: Kind = Kind::Text {
    min: 1,
    max: Some(500),
};
const PRIORITY: Kind = Kind::Integer {
    min: 0,
    max: Some(4),
};

/// What the original answers when dispatch has nothing to hand out.
const QUEUE_EMPTY: &str = "No tasks available. The dispatch queue is empty.";

/// Issues listed per page when the list tool is given no limit (the original's 20).
const DEFAULT_LIMIT: i64 = 20;

/// The dispatch queue is read this many entries at a time, and at most
/// `QUEUE_PAGES` pages deep, to see what a completion unblocked.
const QUEUE_PAGE: i64 = 200;
const QUEUE_PAGES: i64 = 5;

const CHANGES: Hints = Hints {
    read_only: false,
    idempotent: false,
};
const READS: Hints = Hints {
    read_only: true,
    idempotent: true,
};

/// The original's nine tools in its order, then Loop's own.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "loop_get_next_task",
        title: "Get next task",
        description: "Claim the highest-priority unblocked issue and get its dispatch instructions. The claim \
                      is atomic: no other agent gets the same issue. Returns the issue's summary and the \
                      hydrated prompt to follow, or says that the queue is empty.",
        class: KeyClass::Engine,
        params: &[Param::optional(
            "projectId",
            ANY_TEXT,
            "Only consider issues of this project",
        )],
        hints: CHANGES,
        run: get_next_task,
    },
    Tool {
        name: "loop_complete_task",
        title: "Complete task",
        description: "Mark an issue as done, record what was accomplished (as the issue's agent summary and a \
                      comment), and list the issues that its completion unblocked.",
        class: KeyClass::Engine,
        params: &[
            Param::required("issueId", ANY_TEXT, "ID of the issue to complete"),
            Param::required("outcome", ANY_TEXT, "What was accomplished"),
        ],
        hints: Hints {
            read_only: false,
            idempotent: true,
        },
        run: complete_task,
    },
    Tool {
        name: "loop_create_issue",
        title: "Create issue",
        description: "Create an issue in Loop. Issues are the unit of work: signals, hypotheses, plans, tasks \
                      and monitors are all issue types.",
        class: KeyClass::Engine,
        params: &[
            Param::required("title", TITLE, "The issue's title"),
            Param::optional("type", Kind::OneOf(TYPES), "Issue type (default: task)"),
            Param::optional(
                "priority",
                PRIORITY,
                "0 = none, 1 = urgent, 2 = high, 3 = medium, 4 = low (default: 0)",
            ),
            Param::optional("projectId", ANY_TEXT, "The project it belongs to"),
            Param::optional("description", ANY_TEXT, "Details, in Markdown"),
            Param::optional(
                "parentId",
                ANY_TEXT,
                "The parent issue's ID, to place it in a hierarchy",
            ),
        ],
        hints: CHANGES,
        run: create_issue,
    },
    Tool {
        name: "loop_update_issue",
        title: "Update issue",
        description: "Change an existing issue's status, priority, type, title or description.",
        class: KeyClass::Engine,
        params: &[
            Param::required("issueId", ANY_TEXT, "ID of the issue to update"),
            Param::optional("status", Kind::OneOf(STATUSES), "Its new status"),
            Param::optional(
                "priority",
                PRIORITY,
                "Its new priority (0 = none, 1 = urgent, 2 = high, 3 = medium, 4 = low)",
            ),
            Param::optional("type", Kind::OneOf(TYPES), "Its new type"),
            Param::optional("title", TITLE, "Its new title"),
            Param::optional("description", ANY_TEXT, "Its new description"),
        ],
        hints: Hints {
            read_only: false,
            idempotent: true,
        },
        run: update_issue,
    },
    Tool {
        name: "loop_list_issues",
        title: "List issues",
        description: "List issues, optionally only those of a status, a type or a project, one page at a \
                      time (with the total and whether more pages follow).",
        class: KeyClass::Engine,
        params: &[
            Param::optional(
                "status",
                Kind::OneOf(STATUSES),
                "Only issues with this status",
            ),
            Param::optional("type", Kind::OneOf(TYPES), "Only issues of this type"),
            Param::optional("projectId", ANY_TEXT, "Only issues of this project"),
            Param::optional(
                "limit",
                Kind::Integer {
                    min: 1,
                    max: Some(100),
                },
                "How many issues to return (1-100, default 20)",
            ),
            Param::optional(
                "offset",
                Kind::Integer { min: 0, max: None },
                "How many issues to skip, to read later pages (default 0)",
            ),
        ],
        hints: READS,
        run: list_issues,
    },
    Tool {
        name: "loop_get_issue",
        title: "Get issue",
        description: "Get everything about one issue by ID: its fields, parent, children, labels, relations \
                      and comments.",
        class: KeyClass::Engine,
        params: &[Param::required(
            "issueId",
            ANY_TEXT,
            "ID of the issue to read",
        )],
        hints: READS,
        run: get_issue,
    },
    Tool {
        name: "loop_create_comment",
        title: "Comment on issue",
        description: "Post a comment on an issue, signed as the agent.",
        class: KeyClass::Engine,
        params: &[
            Param::required("issueId", ANY_TEXT, "ID of the issue to comment on"),
            Param::required(
                "body",
                Kind::Text { min: 1, max: None },
                "The comment's text",
            ),
        ],
        hints: CHANGES,
        run: create_comment,
    },
    Tool {
        name: "loop_ingest_signal",
        title: "Ingest signal",
        description: "Report a signal (an error, a metric change, user feedback) to Loop. The signal is \
                      stored and a linked triage issue is created for it.",
        class: KeyClass::Engine,
        params: &[
            Param::required(
                "source",
                ANY_TEXT,
                "Where it comes from (e.g. \"agent\", \"posthog\", \"sentry\")",
            ),
            Param::required(
                "type",
                ANY_TEXT,
                "What kind of signal it is (e.g. \"error\", \"metric_change\", \"user_feedback\")",
            ),
            Param::optional(
                "severity",
                Kind::OneOf(SEVERITIES),
                "How serious it is (default: medium)",
            ),
            Param::required(
                "payload",
                Kind::Object,
                "The signal's data, as key-value pairs",
            ),
            Param::optional("projectId", ANY_TEXT, "The project it concerns"),
        ],
        hints: CHANGES,
        run: ingest_signal,
    },
    Tool {
        name: "loop_get_dashboard",
        title: "Get dashboard",
        description: "Get the system's health at a glance: issue counts, goal progress and the state of the \
                      dispatch queue.",
        class: KeyClass::Engine,
        params: &[],
        hints: READS,
        run: get_dashboard,
    },
    Tool {
        name: "loop_request_review",
        title: "Request review",
        description: "Send an issue's finished work to a person for sign-off instead of marking it done. \
                      Required where the issue's project wants human sign-off (there loop_complete_task is \
                      refused). The reviewer sees the issue, your summary, the issue's commits and pull \
                      requests and the prompt you worked from; approving makes the issue done, flagging \
                      sends it back to todo with their reason as a comment.",
        class: KeyClass::Engine,
        params: &[
            Param::required("issueId", ANY_TEXT, "ID of the issue whose work to review"),
            Param::optional(
                "summary",
                Kind::Text { min: 1, max: None },
                "What you did and how to check it (also stored as the issue's agent summary)",
            ),
            Param::optional(
                "module",
                Kind::OneOf(&["swiper", "fixer"]),
                "swiper (default): the reviewer approves or flags; fixer: the reviewer confirms or \
                 corrects the fields",
            ),
            Param::optional(
                "fields",
                Kind::ObjectList,
                "Fields for the reviewer, each {label, key?, value}: shown on the card, or to correct \
                 with module fixer",
            ),
        ],
        hints: CHANGES,
        run: request_review,
    },
];

/// The result of a refused request, worded as the original's tools word it.
fn refusal(answer: &ApiAnswer) -> Output {
    let message = answer.error_message();
    Output::error(match answer.status {
        404 => format!("Not found: {message}. Use loop_list_issues to find valid IDs."),
        401 => "Authentication failed. Check your LOOP_API_KEY.".to_owned(),
        status => format!("API error ({status}): {message}"),
    })
}

/// Makes `request` and returns its JSON answer, or the refusal to show instead.
fn fetch(backend: &mut dyn Backend, request: &ApiRequest) -> Result<Result<Value, Output>, String> {
    let answer = backend.call(request)?;
    if answer.ok() {
        answer.json().map(Ok)
    } else {
        Ok(Err(refusal(&answer)))
    }
}

/// `data` of a JSON answer.
fn data(mut answer: Value) -> Value {
    answer
        .get_mut("data")
        .map(Value::take)
        .unwrap_or(Value::Null)
}

/// The fields of an issue the original's tools show in summaries.
fn summary(issue: &Value, fields: &[&str]) -> Value {
    let picked: Map<String, Value> = fields
        .iter()
        .map(|field| {
            (
                (*field).to_owned(),
                issue.get(*field).cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    Value::Object(picked)
}

const ISSUE_SUMMARY: &[&str] = &["id", "number", "title", "type", "status", "priority"];

/// `/api/issues/{id}`.
fn issue_path(id: &str) -> String {
    format!("/api/issues/{}", segment(id))
}

/// The value of a [`fetch`]-like result; the enclosing tool returns the refusal instead
/// when the API refused.
macro_rules! accepted {
    ($fetched:expr) => {
        match $fetched? {
            Ok(value) => value,
            Err(refusal) => return Ok(refusal),
        }
    };
}

fn get_next_task(args: &Args, backend: &mut dyn Backend) -> Result<Output, String> {
    let mut request = ApiRequest::new(Method::Get, "/api/dispatch/next".to_owned());
    if let Some(project) = args.non_empty("projectId") {
        request = request.query("projectId", project);
    }
    let answer = backend.call(&request)?;
    if answer.status == 204 {
        return Ok(Output::text(QUEUE_EMPTY));
    }
    if !answer.ok() {
        return Ok(refusal(&answer));
    }
    let claimed = answer.json()?;
    let Some(issue) = claimed.get("issue").filter(|i| i.is_object()) else {
        return Ok(Output::text(QUEUE_EMPTY));
    };
    let structured = json!({
        "issue": summary(issue, &["id", "number", "title", "type", "priority", "status"]),
        "prompt": claimed.get("prompt").cloned().unwrap_or(Value::Null),
        "meta": claimed.get("meta").cloned().unwrap_or(Value::Null),
    });
    let mut output = Output::json(&structured);
    output.structured = Some(structured);
    Ok(output)
}

fn complete_task(args: &Args, backend: &mut dyn Backend) -> Result<Output, String> {
    let id = args.required("issueId")?;
    let outcome = args.required("outcome")?;
    let waiting_before = accepted!(dispatchable(backend));
    let done = ApiRequest::new(Method::Patch, issue_path(id))
        .body(json!({"status": "done", "agentSummary": outcome}));
    let issue = data(accepted!(fetch(backend, &done)));
    let comment = ApiRequest::new(Method::Post, format!("{}/comments", issue_path(id)))
        .body(json!({"body": outcome, "authorName": "agent", "authorType": "agent"}));
    let comment = data(accepted!(fetch(backend, &comment)));
    let ids: HashSet<String> = waiting_before
        .iter()
        .filter_map(|issue| issue.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let unblocked: Vec<Value> = accepted!(dispatchable(backend))
        .into_iter()
        .filter(|issue| {
            issue
                .get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| !ids.contains(id))
        })
        .map(|issue| summary(&issue, ISSUE_SUMMARY))
        .collect();
    Ok(Output::json(&json!({
        "issue": issue,
        "comment": comment,
        "unblockedIssues": unblocked,
    })))
}

/// The issues dispatch could hand out now (the first `QUEUE_PAGES` pages of the queue):
/// those that appear after a completion and not before are the ones it unblocked.
fn dispatchable(backend: &mut dyn Backend) -> Result<Result<Vec<Value>, Output>, String> {
    let mut issues = Vec::new();
    for page in 0..QUEUE_PAGES {
        let request = ApiRequest::new(Method::Get, "/api/dispatch/queue".to_owned())
            .query("limit", QUEUE_PAGE.to_string())
            .query("offset", (page * QUEUE_PAGE).to_string());
        let listing = match fetch(backend, &request)? {
            Ok(listing) => listing,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let total = listing.get("total").and_then(Value::as_i64).unwrap_or(0);
        let entries = match data(listing) {
            Value::Array(entries) => entries,
            _ => Vec::new(),
        };
        issues.extend(
            entries
                .into_iter()
                .filter_map(|mut entry| entry.get_mut("issue").map(Value::take)),
        );
        if (page + 1) * QUEUE_PAGE >= total {
            break;
        }
    }
    Ok(Ok(issues))
}

fn create_issue(args: &Args, backend: &mut dyn Backend) -> Result<Output, String> {
    let mut body = json!({
        "title": args.required("title")?,
        "type": args.text("type").unwrap_or("task"),
        "priority": args.integer("priority").unwrap_or(0),
    });
    for field in ["projectId", "description", "parentId"] {
        if let Some(value) = args.non_empty(field) {
            body[field] = json!(value);
        }
    }
    let request = ApiRequest::new(Method::Post, "/api/issues".to_owned()).body(body);
    let issue = data(accepted!(fetch(backend, &request)));
    Ok(Output::json(&summary(&issue, ISSUE_SUMMARY)))
}

fn update_issue(args: &Args, backend: &mut dyn Backend) -> Result<Output, String> {
    let id = args.required("issueId")?;
    let mut changes = Map::new();
    for field in ["status", "priority", "type", "title", "description"] {
        if let Some(value) = args.value(field) {
            changes.insert(field.to_owned(), value.clone());
        }
    }
    let request = ApiRequest::new(Method::Patch, issue_path(id)).body(Value::Object(changes));
    let issue = data(accepted!(fetch(backend, &request)));
    Ok(Output::json(&summary(&issue, ISSUE_SUMMARY)))
}

fn list_issues(args: &Args, backend: &mut dyn Backend) -> Result<Output, String> {
    let limit = args.integer("limit").unwrap_or(DEFAULT_LIMIT);
    let offset = args.integer("offset").unwrap_or(0);
    let mut request = ApiRequest::new(Method::Get, "/api/issues".to_owned());
    for filter in ["status", "type", "projectId"] {
        if let Some(value) = args.non_empty(filter) {
            request = request.query(filter, value);
        }
    }
    let request = request
        .query("limit", limit.to_string())
        .query("offset", offset.to_string());
    let listing = accepted!(fetch(backend, &request));
    let total = listing.get("total").and_then(Value::as_i64).unwrap_or(0);
    let issues: Vec<Value> = match data(listing) {
        Value::Array(rows) => rows.iter().map(|r| summary(r, ISSUE_SUMMARY)).collect(),
        _ => Vec::new(),
    };
    Ok(Output::json(&json!({
        "issues": issues,
        "total": total,
        "hasMore": offset + limit < total,
    })))
}

fn get_issue(args: &Args, backend: &mut dyn Backend) -> Result<Output, String> {
    let path = issue_path(args.required("issueId")?);
    let mut issue = data(accepted!(fetch(
        backend,
        &ApiRequest::new(Method::Get, path.clone())
    )));
    let comments = ApiRequest::new(Method::Get, format!("{path}/comments"));
    let comments = data(accepted!(fetch(backend, &comments)));
    if let Value::Object(fields) = &mut issue {
        fields.insert("comments".to_owned(), comments);
    }
    Ok(Output::json(&issue))
}

fn create_comment(args: &Args, backend: &mut dyn Backend) -> Result<Output, String> {
    let path = format!("{}/comments", issue_path(args.required("issueId")?));
    let request = ApiRequest::new(Method::Post, path).body(json!({
        "body": args.required("body")?,
        "authorName": "agent",
        "authorType": "agent",
    }));
    let comment = data(accepted!(fetch(backend, &request)));
    Ok(Output::json(&summary(
        &comment,
        &["id", "body", "authorName", "createdAt"],
    )))
}

fn ingest_signal(args: &Args, backend: &mut dyn Backend) -> Result<Output, String> {
    let mut body = json!({
        "source": args.required("source")?,
        "type": args.required("type")?,
        "severity": args.text("severity").unwrap_or("medium"),
        "payload": args.value("payload").cloned().unwrap_or_else(|| json!({})),
    });
    if let Some(project) = args.non_empty("projectId") {
        body["projectId"] = json!(project);
    }
    let request = ApiRequest::new(Method::Post, "/api/signals".to_owned()).body(body);
    let created = data(accepted!(fetch(backend, &request)));
    Ok(Output::json(&json!({
        "signal": created.get("signal").cloned().unwrap_or(Value::Null),
        "issue": created.get("issue").cloned().unwrap_or(Value::Null),
    })))
}

fn get_dashboard(_: &Args, backend: &mut dyn Backend) -> Result<Output, String> {
    let request = ApiRequest::new(Method::Get, "/api/dashboard/stats".to_owned());
    Ok(Output::json(&data(accepted!(fetch(backend, &request)))))
}

fn request_review(args: &Args, backend: &mut dyn Backend) -> Result<Output, String> {
    let path = format!("{}/review-request", issue_path(args.required("issueId")?));
    let mut body = Map::new();
    for field in ["summary", "module", "fields"] {
        if let Some(value) = args.value(field) {
            body.insert(field.to_owned(), value.clone());
        }
    }
    let request = ApiRequest::new(Method::Post, path).body(Value::Object(body));
    let issue = data(accepted!(fetch(backend, &request)));
    Ok(Output::json(&summary(
        &issue,
        &[
            "id",
            "number",
            "title",
            "status",
            "reviewStatus",
            "reviewTaskId",
        ],
    )))
}
