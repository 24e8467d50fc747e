//! MCP's stdio transport: one JSON-RPC message (or batch) per line on standard input,
//! one answer per line on standard output, which carries nothing else. The process
//! lives as long as its input: the client ends it by closing standard input.

use std::io::{self, BufRead, Read, Write};

use serde_json::Value;

use super::backend::Backend;
use super::jsonrpc::{self, INVALID_REQUEST};
use super::protocol::{self, ASSUMED_VERSION, Outcome, Session};

/// The longest line read; a longer one is skipped and answered with an error.
const MAX_LINE: usize = 16 * 1024 * 1024;

/// Serves this process's standard input and output.
pub fn serve_process(backend: &mut dyn Backend) -> Result<(), String> {
    let stdin = io::stdin();
    let stdout = io::stdout();
    serve(backend, &mut stdin.lock(), &mut stdout.lock())
        .map_err(|e| format!("standard input or output failed: {e}"))
}

/// Answers the messages of `input` on `output` until `input` ends.
pub fn serve(
    backend: &mut dyn Backend,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> io::Result<()> {
    let mut session = Session::new(ASSUMED_VERSION);
    let mut line = Vec::new();
    loop {
        let outcome = match read_line(input, &mut line)? {
            Line::End => return Ok(()),
            Line::TooLong => Outcome::Refused(jsonrpc::failure(
                Value::Null,
                INVALID_REQUEST,
                &format!("A message may be at most {MAX_LINE} bytes long"),
            )),
            Line::Read if line.iter().all(u8::is_ascii_whitespace) => continue,
            Line::Read => match jsonrpc::parse(&line) {
                Ok(body) => protocol::handle(body, &mut session, backend),
                Err(error) => Outcome::Refused(error),
            },
        };
        if let Outcome::Answer(answer) | Outcome::Refused(answer) = outcome {
            // Serialised JSON escapes every newline inside strings: one line per answer.
            writeln!(output, "{answer}")?;
            output.flush()?;
        }
    }
}

/// What [`read_line`] found.
enum Line {
    /// A line (without its limit exceeded) is in the buffer.
    Read,
    /// A line over [`MAX_LINE`] bytes was skipped.
    TooLong,
    /// The input has ended.
    End,
}

/// Reads the next line into `line`.
fn read_line(input: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<Line> {
    line.clear();
    let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX);
    if (&mut *input).take(limit + 1).read_until(b'\n', line)? == 0 {
        return Ok(Line::End);
    }
    if line.len() <= MAX_LINE || line.last() == Some(&b'\n') {
        return Ok(Line::Read);
    }
    let mut rest = Vec::new();
    loop {
        rest.clear();
        let read = (&mut *input).take(64 * 1024).read_until(b'\n', &mut rest)?;
        if read == 0 || rest.last() == Some(&b'\n') {
            return Ok(Line::TooLong);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use serde_json::json;

    use super::*;
    use crate::mcp::backend::{ApiAnswer, ApiRequest, Classes};

    struct Nothing;

    impl Backend for Nothing {
        fn classes(&mut self) -> Result<Classes, String> {
            Err("no API here".to_owned())
        }
        fn call(&mut self, _: &ApiRequest) -> Result<ApiAnswer, String> {
            Err("no API here".to_owned())
        }
        fn wait_while_pending(&mut self, _: &str, _: Instant) -> Result<(), String> {
            Ok(())
        }
    }

    fn exchange(input: &str) -> Vec<Value> {
        let mut output = Vec::new();
        serve(&mut Nothing, &mut input.as_bytes(), &mut output).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8_lossy(&output)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect()
    }

    #[test]
    fn one_answer_per_request_line() {
        let answers = exchange(concat!(
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}}"#,
            "\n",
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            "\n\n",
            r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#,
            "\n",
            "not json\n",
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#,
        ));
        assert_eq!(answers.len(), 4, "{answers:?}");
        assert_eq!(answers[0]["result"]["protocolVersion"], json!("2025-06-18"));
        assert_eq!(answers[1], json!({"jsonrpc": "2.0", "id": 2, "result": {}}));
        assert_eq!(answers[2]["error"]["code"], json!(jsonrpc::PARSE_ERROR));
        assert_eq!(answers[3]["error"]["message"], json!("no API here"));
    }

    #[test]
    fn the_negotiated_version_decides_about_batches() {
        let batch = r#"[{"jsonrpc":"2.0","id":2,"method":"ping"}]"#;
        let old = exchange(&format!(
            "{}\n{batch}\n",
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26"}}"#
        ));
        assert_eq!(old[1], json!([{"jsonrpc": "2.0", "id": 2, "result": {}}]));
        let new = exchange(&format!(
            "{}\n{batch}\n",
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}}"#
        ));
        assert_eq!(new[1]["error"]["code"], json!(INVALID_REQUEST));
    }

    #[test]
    fn overlong_lines_are_skipped() {
        let mut input = vec![b'x'; MAX_LINE + 10];
        input.extend_from_slice(b"\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n");
        let mut output = Vec::new();
        serve(&mut Nothing, &mut input.as_slice(), &mut output).unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8_lossy(&output);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].contains("at most"));
        assert_eq!(lines[1], r#"{"jsonrpc":"2.0","id":1,"result":{}}"#);
    }
}
