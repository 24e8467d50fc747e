//! `POST /mcp`: MCP's Streamable HTTP transport, served statelessly. Every POST
//! carries whole JSON-RPC messages and gets their answers at once, as JSON, or as a
//! short event stream for a client that accepts only that; notifications alone get
//! 202. No session id is issued (the tools keep no state between calls), and there is
//! no server-to-client stream, so `GET` and `DELETE` get 405 from the router. The key
//! (checked by the pipeline) decides which tools are listed, and the tools run
//! in-process on this worker.

use serde_json::Value;

use super::backend::Classes;
use super::in_process::InProcess;
use super::jsonrpc;
use super::protocol::{self, ASSUMED_VERSION, Outcome, Session, VERSIONS};
use crate::app::{Caller, Ctx};
use crate::http::router::Router;
use crate::http::{ApiError, Reply, Request, auth};

/// The JSON-RPC code of refusals made before any message is read (the transport's own,
/// in the range JSON-RPC leaves to implementations).
const TRANSPORT_ERROR: i64 = -32_000;

/// How the answer goes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// `application/json`: the answer as one JSON value.
    Json,
    /// `text/event-stream`: one `message` event per answer, then the end of the stream.
    EventStream,
}

/// Answers `POST /mcp`, running tool requests through `router` in-process.
pub fn handle(ctx: &mut Ctx<'_>, request: &Request, router: &Router) -> Result<Reply, ApiError> {
    if let Some(origin) = request.header("Origin")
        && !ctx
            .config()
            .cors_origins
            .iter()
            .any(|allowed| allowed == origin)
    {
        // A page of another site reaching a local server (DNS rebinding).
        return Ok(refusal(
            403,
            "Forbidden: requests from this Origin are not allowed (see LOOP_CORS_ORIGINS)",
        ));
    }
    if !declares_json(request.header("Content-Type")) {
        return Ok(refusal(
            415,
            "Unsupported Media Type: send the messages as Content-Type: application/json",
        ));
    }
    let Some(format) = format(request.header("Accept")) else {
        return Ok(refusal(
            406,
            "Not Acceptable: accept application/json or text/event-stream",
        ));
    };
    let version = match request.header("MCP-Protocol-Version").map(str::trim) {
        None => ASSUMED_VERSION,
        Some(version) if protocol::supports(version) => version,
        Some(version) => {
            return Ok(refusal(
                400,
                &format!(
                    "Bad Request: unsupported MCP-Protocol-Version {version:?} (supported: {})",
                    VERSIONS.join(", ")
                ),
            ));
        }
    };
    let body = match jsonrpc::parse(request.body()) {
        Ok(body) => body,
        Err(error) => return Ok(Reply::json(400, &error)),
    };
    let key = auth::lenient_bearer_token(request.header("Authorization"))?.to_owned();
    let classes = match ctx.caller() {
        Caller::Admin(_) => Classes {
            engine: true,
            review: false,
        },
        Caller::Project(_) => Classes {
            engine: false,
            review: true,
        },
        Caller::Anonymous | Caller::User(..) => Classes::default(),
    };
    let (app, conn) = ctx.parts();
    let mut backend = InProcess::new(app, router, conn, key, request.peer(), Some(classes));
    let mut session = Session::new(version);
    Ok(match protocol::handle(body, &mut session, &mut backend) {
        Outcome::Nothing => Reply::empty(202),
        Outcome::Answer(answer) => answer_in(format, &answer),
        Outcome::Refused(error) => Reply::json(400, &error),
    })
}

/// A refusal of the request as a whole: a JSON-RPC error without an id.
fn refusal(status: u16, message: &str) -> Reply {
    Reply::json(
        status,
        &jsonrpc::failure(Value::Null, TRANSPORT_ERROR, message),
    )
}

/// Whether the body is declared as JSON.
fn declares_json(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|value| {
        value
            .split(';')
            .next()
            .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
    })
}

/// How to answer a client that accepts `accept`: JSON whenever it takes JSON (the whole
/// answer is ready at once), an event stream when that is all it takes, `None` when it
/// takes neither. A client that says nothing takes anything.
fn format(accept: Option<&str>) -> Option<Format> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(Format::Json);
    };
    let ranges: Vec<String> = accept
        .split(',')
        .filter(|range| {
            // `q=0` means "not acceptable".
            !range.split(';').skip(1).any(|param| {
                param
                    .trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            })
        })
        .filter_map(|range| range.split(';').next())
        .map(|media| media.trim().to_ascii_lowercase())
        .collect();
    let takes = |exact: &str, family: &str| {
        ranges
            .iter()
            .any(|media| media == exact || media == family || media == "*/*")
    };
    if takes("application/json", "application/*") {
        Some(Format::Json)
    } else if takes("text/event-stream", "text/*") {
        Some(Format::EventStream)
    } else {
        None
    }
}

/// The answer (one message or a batch's array) in `format`.
fn answer_in(format: Format, answer: &Value) -> Reply {
    match format {
        Format::Json => Reply::json(200, answer),
        Format::EventStream => {
            let messages = match answer {
                Value::Array(messages) => messages.as_slice(),
                single => std::slice::from_ref(single),
            };
            let stream: String = messages
                .iter()
                .map(|message| format!("event: message\ndata: {message}\n\n"))
                .collect();
            Reply::raw(200, "text/event-stream", stream.into_bytes())
                .with_header("Cache-Control", "no-cache")
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn json_is_answered_to_whoever_takes_it() {
        for accept in [
            None,
            Some(""),
            Some("application/json, text/event-stream"),
            Some("text/event-stream, application/json"),
            Some("*/*"),
            Some("application/*;q=0.5"),
        ] {
            assert_eq!(format(accept), Some(Format::Json), "{accept:?}");
        }
        for accept in [
            "text/event-stream",
            "text/*",
            "application/json;q=0, text/event-stream",
        ] {
            assert_eq!(format(Some(accept)), Some(Format::EventStream), "{accept}");
        }
        for accept in ["text/html", "application/xml", "application/json;q=0"] {
            assert_eq!(format(Some(accept)), None, "{accept}");
        }
    }

    #[test]
    fn only_json_bodies_are_read() {
        assert!(declares_json(Some("application/json")));
        assert!(declares_json(Some("Application/JSON; charset=utf-8")));
        assert!(!declares_json(Some("text/plain")));
        assert!(!declares_json(None));
    }

    #[test]
    fn event_streams_carry_one_event_per_answer() {
        let reply = answer_in(Format::EventStream, &json!([{"id": 1}, {"id": 2}]));
        assert_eq!(reply.header("Content-Type"), Some("text/event-stream"));
        assert_eq!(
            String::from_utf8_lossy(reply.body()),
            "event: message\ndata: {\"id\":1}\n\nevent: message\ndata: {\"id\":2}\n\n"
        );
    }
}
