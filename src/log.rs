//! What the server writes to standard error: one line per request when asked
//! (`LOOP_LOG`), background events (claims lapsing, gate tasks timing out, verdict
//! deliveries), and warnings. With `LOOP_LOG=json` every line is one JSON object, for a
//! log shipper to index without parsing free text; otherwise lines are for people.

use serde_json::{Map, Value, json};

use crate::clock::Timestamp;

/// How (and whether) the server logs, from `LOOP_LOG`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Warnings only, as text (the default).
    #[default]
    Quiet,
    /// A line per request and per background event, as text (`info`, `debug`, `trace`).
    Text,
    /// The same as one JSON object per line (`json`); warnings too.
    Json,
}

impl LogFormat {
    /// The format `LOOP_LOG` asks for: `json`, or `info` / `debug` / `trace` for text;
    /// anything else (or nothing) keeps the server quiet.
    pub fn parse(level: Option<&str>) -> Self {
        match level.map(str::to_ascii_lowercase).as_deref() {
            Some("json") => Self::Json,
            Some("info" | "debug" | "trace") => Self::Text,
            _ => Self::Quiet,
        }
    }

    /// Whether requests and background events are logged (warnings always are).
    pub fn verbose(self) -> bool {
        self != Self::Quiet
    }
}

/// One answered request, as logged.
#[derive(Debug)]
pub struct RequestLine<'a> {
    /// When it was answered.
    pub time: Timestamp,
    /// Its method.
    pub method: &'a str,
    /// The route pattern that answered it (never the path itself, which can carry ids
    /// and query strings), or a placeholder such as `(unmatched)`.
    pub route: &'a str,
    /// The status sent.
    pub status: u16,
    /// How long it took, in milliseconds.
    pub duration_ms: f64,
    /// The `X-Request-Id` it was answered with.
    pub request_id: &'a str,
}

/// Logs an answered request (nothing when the format is quiet).
pub fn request(format: LogFormat, line: &RequestLine<'_>) {
    match format {
        LogFormat::Quiet => {}
        LogFormat::Text => eprintln!(
            "{} {} {} {:.2}ms {}",
            line.method, line.route, line.status, line.duration_ms, line.request_id
        ),
        LogFormat::Json => eprintln!(
            "{}",
            json!({
                "time": line.time.to_string(),
                "level": "info",
                "event": "request",
                "method": line.method,
                "route": line.route,
                "status": line.status,
                "durationMs": (line.duration_ms * 1000.0).round() / 1000.0,
                "requestId": line.request_id,
            })
        ),
    }
}

/// How much an event matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something happened as it should (logged only when not quiet).
    Info,
    /// The server starting or stopping: always logged, as `info`.
    Notice,
    /// Something failed and will be retried, or needs an operator (always logged).
    Warning,
}

/// Logs a background event named `event` (`lease_expired`, `delivery_attempt`, …) with
/// its `fields` and a human `message`.
pub fn event(
    format: LogFormat,
    time: Timestamp,
    level: Level,
    event: &str,
    message: &str,
    fields: Value,
) {
    if level == Level::Info && !format.verbose() {
        return;
    }
    let label = match level {
        Level::Info | Level::Notice => "info",
        Level::Warning => "warning",
    };
    if format == LogFormat::Json {
        let mut line = Map::new();
        line.insert("time".to_owned(), json!(time.to_string()));
        line.insert("level".to_owned(), json!(label));
        line.insert("event".to_owned(), json!(event));
        line.insert("message".to_owned(), json!(message));
        if let Value::Object(fields) = fields {
            line.extend(fields);
        }
        eprintln!("{}", Value::Object(line));
    } else if level == Level::Warning {
        eprintln!("{label}: {message}");
    } else {
        eprintln!("{message}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(LogFormat::parse(Some("JSON")), LogFormat::Json);
        assert_eq!(LogFormat::parse(Some("info")), LogFormat::Text);
        assert_eq!(LogFormat::parse(Some("trace")), LogFormat::Text);
        assert_eq!(LogFormat::parse(Some("off")), LogFormat::Quiet);
        assert_eq!(LogFormat::parse(None), LogFormat::Quiet);
        assert!(!LogFormat::Quiet.verbose());
    }
}
