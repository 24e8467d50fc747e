//! JSON-RPC 2.0, as MCP uses it: what a message is (request, notification, or a
//! response to a request of ours), and the answers and errors sent back.

use serde_json::{Value, json};

/// The text was not JSON.
pub const PARSE_ERROR: i64 = -32_700;
/// The JSON was not a valid JSON-RPC message (or a batch where none is allowed).
pub const INVALID_REQUEST: i64 = -32_600;
/// No such method.
pub const METHOD_NOT_FOUND: i64 = -32_601;
/// The method's parameters are wrong (including an unknown tool name).
pub const INVALID_PARAMS: i64 = -32_602;
/// The server failed to do what was asked.
pub const INTERNAL_ERROR: i64 = -32_603;

/// What a JSON-RPC body holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// One message.
    Single(Value),
    /// A batch: an array of messages.
    Batch(Vec<Value>),
}

/// Parses a body: one message or a batch. `Err` is the parse error to answer with
/// (a JSON-RPC error with a null id).
pub fn parse(bytes: &[u8]) -> Result<Body, Value> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Array(items)) => Ok(Body::Batch(items)),
        Ok(value) => Ok(Body::Single(value)),
        Err(error) => Err(failure(
            Value::Null,
            PARSE_ERROR,
            &format!("Parse error: {error}"),
        )),
    }
}

/// One message, classified.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A request, to be answered with the same id.
    Request {
        /// Its id (a string or a number), echoed in the answer.
        id: Value,
        /// The method.
        method: String,
        /// Its parameters, if any.
        params: Option<Value>,
    },
    /// A notification: no answer, whatever happens.
    Notification {
        /// The method.
        method: String,
    },
    /// A response to a request of ours. This server never sends any, so it is accepted
    /// and ignored.
    Response,
    /// Not a JSON-RPC 2.0 message; answered with an error carrying `id` (null when the
    /// message had no usable one).
    Invalid {
        /// The id to answer with.
        id: Value,
        /// What is wrong.
        reason: &'static str,
    },
}

/// Classifies one message of a body.
pub fn classify(message: Value) -> Message {
    let Value::Object(mut fields) = message else {
        return Message::Invalid {
            id: Value::Null,
            reason: "A JSON-RPC message must be an object",
        };
    };
    let id = fields.remove("id");
    let usable_id = match &id {
        Some(id @ (Value::String(_) | Value::Number(_))) => Some(id.clone()),
        _ => None,
    };
    if fields.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Message::Invalid {
            id: usable_id.unwrap_or(Value::Null),
            reason: "The \"jsonrpc\" member must be \"2.0\"",
        };
    }
    let method = match fields.remove("method") {
        Some(Value::String(method)) => method,
        Some(_) => {
            return Message::Invalid {
                id: usable_id.unwrap_or(Value::Null),
                reason: "The \"method\" member must be a string",
            };
        }
        None if id.is_some() && (fields.contains_key("result") || fields.contains_key("error")) => {
            return Message::Response;
        }
        None => {
            return Message::Invalid {
                id: usable_id.unwrap_or(Value::Null),
                reason: "A request needs a \"method\"",
            };
        }
    };
    let params = fields.remove("params");
    if matches!(&params, Some(p) if !p.is_object() && !p.is_array()) {
        return Message::Invalid {
            id: usable_id.unwrap_or(Value::Null),
            reason: "The \"params\" member must be an object or an array",
        };
    }
    match (id, usable_id) {
        (None, _) => Message::Notification { method },
        (Some(_), Some(id)) => Message::Request { id, method, params },
        (Some(_), None) => Message::Invalid {
            id: Value::Null,
            reason: "A request id must be a string or a number",
        },
    }
}

/// A successful answer.
pub fn success(id: Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// An error answer.
pub fn failure(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify_text(text: &str) -> Message {
        classify(serde_json::from_str(text).unwrap_or_default())
    }

    #[test]
    fn requests_notifications_and_responses() {
        assert_eq!(
            classify_text(r#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#),
            Message::Request {
                id: json!(7),
                method: "ping".into(),
                params: None
            }
        );
        assert_eq!(
            classify_text(r#"{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"x":1}}"#),
            Message::Request {
                id: json!("a"),
                method: "tools/call".into(),
                params: Some(json!({"x": 1}))
            }
        );
        assert_eq!(
            classify_text(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
            Message::Notification {
                method: "notifications/initialized".into()
            }
        );
        assert_eq!(
            classify_text(r#"{"jsonrpc":"2.0","id":1,"result":{}}"#),
            Message::Response
        );
        assert_eq!(
            classify_text(r#"{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"x"}}"#),
            Message::Response
        );
    }

    #[test]
    fn invalid_messages_keep_a_usable_id() {
        for (text, id) in [
            (r#"[1]"#, Value::Null),
            (r#"{"id":3,"method":"ping"}"#, json!(3)),
            (r#"{"jsonrpc":"1.0","id":"x","method":"ping"}"#, json!("x")),
            (r#"{"jsonrpc":"2.0","id":4,"method":5}"#, json!(4)),
            (r#"{"jsonrpc":"2.0","id":5}"#, json!(5)),
            (
                r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
                Value::Null,
            ),
            (r#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#, Value::Null),
            (
                r#"{"jsonrpc":"2.0","id":6,"method":"ping","params":"x"}"#,
                json!(6),
            ),
        ] {
            match classify_text(text) {
                Message::Invalid { id: got, .. } => assert_eq!(got, id, "{text}"),
                other => panic!("{text} → {other:?}"),
            }
        }
    }

    #[test]
    fn bodies_are_single_messages_or_batches() {
        assert_eq!(parse(b"{}"), Ok(Body::Single(json!({}))));
        assert_eq!(
            parse(b"[{}, 1]"),
            Ok(Body::Batch(vec![json!({}), json!(1)]))
        );
        let error = parse(b"{nope").err().unwrap_or_default();
        assert_eq!(error["id"], Value::Null);
        assert_eq!(error["error"]["code"], json!(PARSE_ERROR));
    }
}
