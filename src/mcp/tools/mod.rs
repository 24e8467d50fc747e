//! The tools, declared once each: name, description, parameters, hints, which key
//! opens them, and what they do (a few API requests, and the result text the agent
//! reads). The engine's first nine keep the original Loop MCP server's names, arguments
//! and result shapes (the tenth, `loop_request_review`, is Loop's own); the review tools
//! keep LoopQuest's.

mod engine;
mod review;

use serde_json::{Map, Value, json};

use super::backend::{Backend, Classes, KeyClass};
use super::schema::{self, Param};

/// What a tool does to the world, as MCP's tool annotations say it.
#[derive(Debug, Clone, Copy)]
pub struct Hints {
    /// It changes nothing.
    pub read_only: bool,
    /// Calling it twice with the same arguments does no more than calling it once.
    pub idempotent: bool,
}

/// A tool's implementation: the checked arguments and the API to make requests of.
/// `Err` means the API could not be reached at all.
pub type Run = fn(&Args, &mut dyn Backend) -> Result<Output, String>;

/// One tool.
pub struct Tool {
    /// Its name, as agents call it.
    pub name: &'static str,
    /// A short human title.
    pub title: &'static str,
    /// What it does and when to use it, for the agent choosing a tool.
    pub description: &'static str,
    /// The key it needs.
    pub class: KeyClass,
    /// Its parameters.
    pub params: &'static [Param],
    /// What it does to the world.
    pub hints: Hints,
    /// What it does.
    pub run: Run,
}

impl Tool {
    /// Its entry in `tools/list`.
    pub fn listing(&self) -> Value {
        json!({
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "inputSchema": schema::input_schema(self.params),
            "annotations": {
                "title": self.title,
                "readOnlyHint": self.hints.read_only,
                "destructiveHint": false,
                "idempotentHint": self.hints.idempotent,
                "openWorldHint": false,
            },
        })
    }

    /// Runs it: arguments that fail the check, and API errors, are error results the
    /// agent can read and correct.
    pub fn call(&self, arguments: Option<&Value>, backend: &mut dyn Backend) -> Output {
        let args = match schema::check(self.params, arguments) {
            Ok(args) => Args(args),
            Err(problems) => {
                return Output::error(format!("Invalid arguments for {}:\n{problems}", self.name));
            }
        };
        (self.run)(&args, backend)
            .unwrap_or_else(|failure| Output::error(format!("Unexpected error: {failure}")))
    }
}

/// Every tool, in the order `tools/list` shows them.
pub fn catalogue() -> impl Iterator<Item = &'static Tool> {
    engine::TOOLS.iter().chain(review::TOOLS.iter())
}

/// The tools `classes` open.
pub fn open_to(classes: Classes) -> impl Iterator<Item = &'static Tool> {
    catalogue().filter(move |tool| classes.allows(tool.class))
}

/// The tool named `name`, whoever may use it.
pub fn named(name: &str) -> Option<&'static Tool> {
    catalogue().find(|tool| tool.name == name)
}

/// Checked arguments.
pub struct Args(Map<String, Value>);

impl Args {
    /// A string argument, if given.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    /// A string argument, if given and not empty (the original's tools leave empty
    /// strings out of what they send).
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.text(name).filter(|t| !t.is_empty())
    }

    /// A whole-number argument, if given.
    pub fn integer(&self, name: &str) -> Option<i64> {
        self.0.get(name).and_then(schema::whole_number)
    }

    /// Any argument, if given.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// A required string argument (the check guarantees it).
    pub fn required(&self, name: &str) -> Result<&str, String> {
        self.text(name)
            .ok_or_else(|| format!("argument {name} is missing after the check"))
    }
}

/// A tool's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// The text the agent reads.
    pub text: String,
    /// Whether the call failed.
    pub is_error: bool,
    /// The same result as structured data, where the original offers it.
    pub structured: Option<Value>,
}

impl Output {
    /// A successful result.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            is_error: false,
            structured: None,
        }
    }

    /// A value, shown as indented JSON.
    pub fn json(value: &Value) -> Self {
        Self::text(pretty(value))
    }

    /// A failed result.
    pub fn error(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            is_error: true,
            structured: None,
        }
    }

    /// Its `tools/call` result.
    pub fn to_result(&self) -> Value {
        let mut result = json!({
            "content": [{"type": "text", "text": self.text}],
            "isError": self.is_error,
        });
        if let Some(structured) = &self.structured {
            result["structuredContent"] = structured.clone();
        }
        result
    }
}

/// JSON indented by two spaces, as the original's tools print it.
fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_valid() {
        let names: Vec<&str> = catalogue().map(|t| t.name).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        for name in names {
            assert!(
                name.len() <= 64
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
                "{name}"
            );
        }
    }

    #[test]
    fn each_key_class_opens_its_own_tools() {
        let engine: Vec<&str> = open_to(Classes {
            engine: true,
            review: false,
        })
        .map(|t| t.name)
        .collect();
        assert_eq!(
            engine,
            [
                "loop_get_next_task",
                "loop_complete_task",
                "loop_create_issue",
                "loop_update_issue",
                "loop_list_issues",
                "loop_get_issue",
                "loop_create_comment",
                "loop_ingest_signal",
                "loop_get_dashboard",
                "loop_request_review",
            ]
        );
        let review: Vec<&str> = open_to(Classes {
            engine: false,
            review: true,
        })
        .map(|t| t.name)
        .collect();
        assert_eq!(
            review,
            ["create_review_task", "get_task_status", "wait_for_verdict"]
        );
        assert_eq!(open_to(Classes::default()).count(), 0);
    }

    #[test]
    fn results_carry_text_and_the_error_flag() {
        assert_eq!(
            Output::error("no").to_result(),
            json!({"content": [{"type": "text", "text": "no"}], "isError": true})
        );
        assert_eq!(
            Output::json(&json!({"a": [1]})).text,
            "{\n  \"a\": [\n    1\n  ]\n}"
        );
    }
}
