//! The MCP server itself, independent of the transport: protocol versions and their
//! negotiation, the lifecycle and utility methods (`initialize`, `ping`), the tool
//! methods (`tools/list`, `tools/call`), batches as each version allows them, and the
//! JSON-RPC errors for everything else.

use serde_json::{Value, json};

use super::backend::{Backend, KeyClass};
use super::jsonrpc::{self, Body, INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST, Message};
use super::tools;

/// The name this server gives itself, as the original's did.
pub const SERVER_NAME: &str = "loop-mcp";

/// The protocol versions spoken, newest first: a client asking for another gets the
/// newest.
pub const VERSIONS: &[&str] = &["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

/// The version of a client that says nothing about it (the Streamable HTTP transport
/// says to assume this one).
pub const ASSUMED_VERSION: &str = "2025-03-26";

/// What the server tells the agent about itself at initialization.
const INSTRUCTIONS: &str = "Loop closes the loop between production, AI agents and people. \
With an admin key: claim work with loop_get_next_task, follow the prompt it returns, and finish \
with loop_complete_task; file what you notice with loop_create_issue or loop_ingest_signal. \
With a project key (lq_...): send output for a person to review with create_review_task, and \
for gated output wait with wait_for_verdict before acting on it.";

/// Whether `version` is spoken here.
pub fn supports(version: &str) -> bool {
    VERSIONS.contains(&version)
}

/// Whether messages may come in JSON-RPC batches in `version` (2025-03-26 required
/// servers to accept them; 2025-06-18 removed them).
pub fn allows_batches(version: &str) -> bool {
    matches!(version, "2024-11-05" | "2025-03-26")
}

/// What one connection (stdio) or one request (HTTP, which keeps no sessions) knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The protocol version in force.
    pub version: String,
}

impl Session {
    /// A session speaking `version` until an `initialize` says otherwise.
    pub fn new(version: &str) -> Self {
        Self {
            version: version.to_owned(),
        }
    }
}

/// What a body gets back.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing: it held only notifications and responses.
    Nothing,
    /// One answer, or an array of them for a batch.
    Answer(Value),
    /// The body as a whole is refused (a single message that is not JSON-RPC, an empty
    /// batch, or a batch where the version allows none), with the error to show.
    Refused(Value),
}

/// Handles one body of messages.
pub fn handle(body: Body, session: &mut Session, backend: &mut dyn Backend) -> Outcome {
    match body {
        Body::Single(message) => match jsonrpc::classify(message) {
            Message::Invalid { id, reason } => {
                Outcome::Refused(jsonrpc::failure(id, INVALID_REQUEST, reason))
            }
            message => {
                respond(message, session, backend, false).map_or(Outcome::Nothing, Outcome::Answer)
            }
        },
        Body::Batch(messages) if messages.is_empty() => Outcome::Refused(jsonrpc::failure(
            Value::Null,
            INVALID_REQUEST,
            "An empty batch is not a valid JSON-RPC request",
        )),
        Body::Batch(_) if !allows_batches(&session.version) => Outcome::Refused(jsonrpc::failure(
            Value::Null,
            INVALID_REQUEST,
            &format!(
                "Protocol version {} does not allow JSON-RPC batches; send one message at a time",
                session.version
            ),
        )),
        Body::Batch(messages) => {
            let answers: Vec<Value> = messages
                .into_iter()
                .filter_map(|message| respond(jsonrpc::classify(message), session, backend, true))
                .collect();
            if answers.is_empty() {
                Outcome::Nothing
            } else {
                Outcome::Answer(Value::Array(answers))
            }
        }
    }
}

/// A JSON-RPC error before it gets its id.
struct Failure {
    code: i64,
    message: String,
}

impl Failure {
    fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// The answer to one message, if it gets one.
fn respond(
    message: Message,
    session: &mut Session,
    backend: &mut dyn Backend,
    in_batch: bool,
) -> Option<Value> {
    match message {
        Message::Notification { .. } | Message::Response => None,
        Message::Invalid { id, reason } => Some(jsonrpc::failure(id, INVALID_REQUEST, reason)),
        Message::Request { id, method, params } => {
            Some(match answer(&method, params, session, backend, in_batch) {
                Ok(result) => jsonrpc::success(id, result),
                Err(failure) => jsonrpc::failure(id, failure.code, &failure.message),
            })
        }
    }
}

fn answer(
    method: &str,
    params: Option<Value>,
    session: &mut Session,
    backend: &mut dyn Backend,
    in_batch: bool,
) -> Result<Value, Failure> {
    match method {
        "initialize" if in_batch => Err(Failure::new(
            INVALID_REQUEST,
            "initialize must not be part of a JSON-RPC batch",
        )),
        "initialize" => initialize(params.as_ref(), session),
        "ping" => Ok(json!({})),
        "tools/list" => list_tools(backend),
        "tools/call" => call_tool(params.as_ref(), backend),
        _ => Err(Failure::new(
            jsonrpc::METHOD_NOT_FOUND,
            format!("Method not found: {method}"),
        )),
    }
}

/// `initialize`: the client's version if spoken here, else the newest.
fn initialize(params: Option<&Value>, session: &mut Session) -> Result<Value, Failure> {
    let requested = params
        .and_then(|p| p.get("protocolVersion"))
        .and_then(Value::as_str)
        .ok_or_else(|| Failure::new(INVALID_PARAMS, "initialize needs a protocolVersion"))?;
    let version = VERSIONS
        .iter()
        .find(|v| **v == requested)
        .unwrap_or(&VERSIONS[0]);
    session.version = (*version).to_owned();
    Ok(json!({
        "protocolVersion": version,
        "capabilities": {"tools": {"listChanged": false}},
        "serverInfo": {"name": SERVER_NAME, "title": "Loop", "version": env!("CARGO_PKG_VERSION")},
        "instructions": INSTRUCTIONS,
    }))
}

fn list_tools(backend: &mut dyn Backend) -> Result<Value, Failure> {
    let classes = backend
        .classes()
        .map_err(|e| Failure::new(INTERNAL_ERROR, e))?;
    let tools: Vec<Value> = tools::open_to(classes).map(tools::Tool::listing).collect();
    Ok(json!({"tools": tools}))
}

fn call_tool(params: Option<&Value>, backend: &mut dyn Backend) -> Result<Value, Failure> {
    let name = params
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .ok_or_else(|| Failure::new(INVALID_PARAMS, "tools/call needs the tool's name"))?;
    let unknown = || Failure::new(INVALID_PARAMS, format!("Unknown tool: {name}"));
    let tool = tools::named(name).ok_or_else(unknown)?;
    let classes = backend
        .classes()
        .map_err(|e| Failure::new(INTERNAL_ERROR, e))?;
    if !classes.allows(tool.class) {
        let needs = match tool.class {
            KeyClass::Engine => "an engine admin key",
            KeyClass::Review => "a review-API project key (lq_...)",
        };
        return Err(Failure::new(
            INVALID_PARAMS,
            format!("Unknown tool: {name} (it needs {needs}, and this key is not one)"),
        ));
    }
    let arguments = params.and_then(|p| p.get("arguments"));
    Ok(tool.call(arguments, backend).to_result())
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::mcp::backend::{ApiAnswer, ApiRequest, Classes};

    /// A backend answering every request with 200 `{"data": {"id": "x"}}`, recording
    /// what it was asked.
    struct Canned {
        classes: Classes,
        asked: Vec<String>,
    }

    impl Backend for Canned {
        fn classes(&mut self) -> Result<Classes, String> {
            Ok(self.classes)
        }

        fn call(&mut self, request: &ApiRequest) -> Result<ApiAnswer, String> {
            self.asked
                .push(format!("{} {}", request.method.as_str(), request.target()));
            Ok(ApiAnswer {
                status: 200,
                body: br#"{"data":{"id":"x"}}"#.to_vec(),
            })
        }

        fn wait_while_pending(&mut self, _: &str, _: Instant) -> Result<(), String> {
            Ok(())
        }
    }

    fn engine() -> Canned {
        Canned {
            classes: Classes {
                engine: true,
                review: false,
            },
            asked: Vec::new(),
        }
    }

    fn run(text: &str, session: &mut Session, backend: &mut Canned) -> Outcome {
        match jsonrpc::parse(text.as_bytes()) {
            Ok(body) => handle(body, session, backend),
            Err(error) => Outcome::Refused(error),
        }
    }

    fn answer_of(outcome: Outcome) -> Value {
        match outcome {
            Outcome::Answer(answer) => answer,
            other => panic!("expected an answer, got {other:?}"),
        }
    }

    #[test]
    fn versions_are_negotiated() {
        for (asked, agreed) in [
            ("2024-11-05", "2024-11-05"),
            ("2025-03-26", "2025-03-26"),
            ("2025-06-18", "2025-06-18"),
            ("2025-11-25", "2025-11-25"),
            ("2099-01-01", "2025-11-25"),
        ] {
            let mut session = Session::new(ASSUMED_VERSION);
            let text = format!(
                r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"protocolVersion":"{asked}","capabilities":{{}},"clientInfo":{{"name":"t","version":"1"}}}}}}"#
            );
            let answer = answer_of(run(&text, &mut session, &mut engine()));
            assert_eq!(answer["result"]["protocolVersion"], json!(agreed));
            assert_eq!(answer["result"]["serverInfo"]["name"], json!("loop-mcp"));
            assert_eq!(
                answer["result"]["capabilities"],
                json!({"tools": {"listChanged": false}})
            );
            assert_eq!(session.version, agreed);
        }
        let mut session = Session::new(ASSUMED_VERSION);
        let answer = answer_of(run(
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#,
            &mut session,
            &mut engine(),
        ));
        assert_eq!(answer["error"]["code"], json!(INVALID_PARAMS));
    }

    #[test]
    fn unknown_methods_and_tools_are_errors_and_notifications_get_nothing() {
        let mut session = Session::new("2025-06-18");
        let answer = answer_of(run(
            r#"{"jsonrpc":"2.0","id":"a","method":"resources/list"}"#,
            &mut session,
            &mut engine(),
        ));
        assert_eq!(answer["id"], json!("a"));
        assert_eq!(answer["error"]["code"], json!(jsonrpc::METHOD_NOT_FOUND));
        let answer = answer_of(run(
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"nope"}}"#,
            &mut session,
            &mut engine(),
        ));
        assert_eq!(answer["error"]["code"], json!(INVALID_PARAMS));
        let answer = answer_of(run(
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_task_status","arguments":{"task_id":"t"}}}"#,
            &mut session,
            &mut engine(),
        ));
        assert_eq!(answer["error"]["code"], json!(INVALID_PARAMS));
        assert!(
            answer["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("project key")),
            "{answer}"
        );
        assert_eq!(
            run(
                r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
                &mut session,
                &mut engine()
            ),
            Outcome::Nothing
        );
        assert_eq!(
            answer_of(run(
                r#"{"jsonrpc":"2.0","id":4,"method":"ping"}"#,
                &mut session,
                &mut engine()
            )),
            json!({"jsonrpc": "2.0", "id": 4, "result": {}})
        );
    }

    #[test]
    fn bad_arguments_are_tool_errors_and_ask_nothing_of_the_api() {
        let mut session = Session::new("2025-06-18");
        let mut backend = engine();
        let answer = answer_of(run(
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"loop_create_issue","arguments":{"priority":9}}}"#,
            &mut session,
            &mut backend,
        ));
        assert_eq!(answer["result"]["isError"], json!(true));
        assert_eq!(
            answer["result"]["content"][0]["text"],
            json!(
                "Invalid arguments for loop_create_issue:\ntitle: Required\npriority: Expected a whole number from 0 to 4"
            )
        );
        assert!(backend.asked.is_empty());
    }

    #[test]
    fn batches_follow_the_version() {
        let batch = r#"[{"jsonrpc":"2.0","id":1,"method":"ping"},
                        {"jsonrpc":"2.0","method":"notifications/initialized"},
                        {"jsonrpc":"2.0","id":2,"method":"tools/list"},
                        {"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2025-03-26"}},
                        7]"#;
        let mut session = Session::new("2025-03-26");
        let answer = answer_of(run(batch, &mut session, &mut engine()));
        let answers = answer.as_array().cloned().unwrap_or_default();
        assert_eq!(answers.len(), 4);
        assert_eq!(answers[0]["result"], json!({}));
        assert_eq!(
            answers[1]["result"]["tools"].as_array().map(Vec::len),
            Some(10)
        );
        assert_eq!(answers[2]["error"]["code"], json!(INVALID_REQUEST));
        assert_eq!(answers[3]["id"], Value::Null);
        assert_eq!(
            run(
                r#"[{"jsonrpc":"2.0","method":"notifications/initialized"}]"#,
                &mut session,
                &mut engine()
            ),
            Outcome::Nothing
        );
        assert!(matches!(
            run("[]", &mut session, &mut engine()),
            Outcome::Refused(_)
        ));
        let mut session = Session::new("2025-06-18");
        match run(batch, &mut session, &mut engine()) {
            Outcome::Refused(error) => assert_eq!(error["error"]["code"], json!(INVALID_REQUEST)),
            other => panic!("{other:?}"),
        }
    }
}
