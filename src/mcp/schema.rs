//! Tool parameters, declared once: the JSON Schema `tools/list` shows for them and the
//! check `tools/call` runs on the arguments come from the same declaration, so the two
//! cannot disagree.

use serde_json::{Map, Value, json};

/// What a parameter accepts.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A string of `min`..=`max` characters (`max` `None`: no limit).
    Text {
        /// Fewest characters.
        min: usize,
        /// Most characters, if limited.
        max: Option<usize>,
    },
    /// A whole number from `min` to `max` (`max` `None`: no upper bound).
    Integer {
        /// Smallest value.
        min: i64,
        /// Largest value, if bounded.
        max: Option<i64>,
    },
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// A JSON object of anything.
    Object,
    /// An array of strings.
    TextList,
    /// An array of JSON objects (the API checks their members).
    ObjectList,
}

/// Any string at all.
pub const ANY_TEXT: Kind = Kind::Text { min: 0, max: None };

/// One named parameter of a tool.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// The argument's name.
    pub name: &'static str,
    /// What it accepts.
    pub kind: Kind,
    /// Whether a call must give it.
    pub required: bool,
    /// What it means, for the agent reading `tools/list`.
    pub description: &'static str,
}

impl Param {
    /// A parameter a call must give.
    pub const fn required(name: &'static str, kind: Kind, description: &'static str) -> Self {
        Self {
            name,
            kind,
            required: true,
            description,
        }
    }

    /// A parameter a call may leave out.
    pub const fn optional(name: &'static str, kind: Kind, description: &'static str) -> Self {
        Self {
            name,
            kind,
            required: false,
            description,
        }
    }

    /// This parameter's JSON Schema.
    fn schema(&self) -> Value {
        let mut schema = match self.kind {
            Kind::Text { min, max } => {
                let mut s = json!({"type": "string"});
                if min > 0 {
                    s["minLength"] = json!(min);
                }
                if let Some(max) = max {
                    s["maxLength"] = json!(max);
                }
                s
            }
            Kind::Integer { min, max } => {
                let mut s = json!({"type": "integer", "minimum": min});
                if let Some(max) = max {
                    s["maximum"] = json!(max);
                }
                s
            }
            Kind::OneOf(values) => json!({"type": "string", "enum": values}),
            Kind::Object => json!({"type": "object", "additionalProperties": {}}),
            Kind::TextList => json!({"type": "array", "items": {"type": "string"}}),
            Kind::ObjectList => {
                json!({"type": "array", "items": {"type": "object", "additionalProperties": {}}})
            }
        };
        if !self.description.is_empty() {
            schema["description"] = json!(self.description);
        }
        schema
    }

    /// Why `value` is not acceptable, if it is not.
    fn problem(&self, value: &Value) -> Option<String> {
        match self.kind {
            Kind::Text { min, max } => {
                let Some(text) = value.as_str() else {
                    return Some("Expected a string".to_owned());
                };
                let length = text.chars().count();
                if length < min {
                    return Some(format!("Expected at least {min} character(s)"));
                }
                match max {
                    Some(max) if length > max => Some(format!("Expected at most {max} characters")),
                    _ => None,
                }
            }
            Kind::Integer { min, max } => {
                let in_range =
                    whole_number(value).is_some_and(|n| n >= min && max.is_none_or(|max| n <= max));
                (!in_range).then(|| match max {
                    Some(max) => format!("Expected a whole number from {min} to {max}"),
                    None => format!("Expected a whole number of at least {min}"),
                })
            }
            Kind::OneOf(values) => {
                let known = value.as_str().is_some_and(|v| values.contains(&v));
                (!known).then(|| format!("Expected one of: {}", values.join(", ")))
            }
            Kind::Object => (!value.is_object()).then(|| "Expected an object".to_owned()),
            Kind::TextList => {
                let strings = value
                    .as_array()
                    .is_some_and(|items| items.iter().all(Value::is_string));
                (!strings).then(|| "Expected an array of strings".to_owned())
            }
            Kind::ObjectList => {
                let objects = value
                    .as_array()
                    .is_some_and(|items| items.iter().all(Value::is_object));
                (!objects).then(|| "Expected an array of objects".to_owned())
            }
        }
    }
}

/// A JSON number with no fractional part, as an `i64` (`3.0` counts: to JSON, and to
/// the agents that write it, it is the number 3).
pub fn whole_number(value: &Value) -> Option<i64> {
    if let Some(n) = value.as_i64() {
        return Some(n);
    }
    let n = value.as_f64()?;
    // The bounds keep the conversion exact; anything larger is out of every range here.
    (n.fract() == 0.0 && n.abs() < 9.0e15).then_some(n as i64)
}

/// The `inputSchema` of a tool taking `params`.
pub fn input_schema(params: &[Param]) -> Value {
    let properties: Map<String, Value> = params
        .iter()
        .map(|p| (p.name.to_owned(), p.schema()))
        .collect();
    let required: Vec<&str> = params
        .iter()
        .filter(|p| p.required)
        .map(|p| p.name)
        .collect();
    let mut schema = json!({"type": "object", "properties": properties});
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

/// Checks `arguments` against `params`: the arguments the tool should see (declared
/// ones only; `null` counts as left out, as agents often write it for "no value"), or
/// every problem found, one per line, named by parameter.
pub fn check(params: &[Param], arguments: Option<&Value>) -> Result<Map<String, Value>, String> {
    let empty = Map::new();
    let given = match arguments {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(map)) => map,
        Some(_) => return Err("arguments: Expected an object".to_owned()),
    };
    let mut problems = Vec::new();
    let mut accepted = Map::new();
    for param in params {
        match given.get(param.name).filter(|v| !v.is_null()) {
            None if param.required => problems.push(format!("{}: Required", param.name)),
            None => {}
            Some(value) => match param.problem(value) {
                Some(problem) => problems.push(format!("{}: {problem}", param.name)),
                None => {
                    accepted.insert(param.name.to_owned(), value.clone());
                }
            },
        }
    }
    if problems.is_empty() {
        Ok(accepted)
    } else {
        Err(problems.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARAMS: &[Param] = &[
        Param::required(
            "title",
            Kind::Text {
                min: 1,
                max: Some(5),
            },
            "A title",
        ),
        Param::optional(
            "priority",
            Kind::Integer {
                min: 0,
                max: Some(4),
            },
            "",
        ),
        Param::optional("status", Kind::OneOf(&["todo", "done"]), ""),
        Param::optional("payload", Kind::Object, ""),
        Param::optional("choices", Kind::TextList, ""),
        Param::optional("fields", Kind::ObjectList, ""),
    ];

    #[test]
    fn schemas_describe_every_parameter() {
        assert_eq!(
            input_schema(PARAMS),
            json!({
                "type": "object",
                "properties": {
                    "title": {"type": "string", "minLength": 1, "maxLength": 5, "description": "A title"},
                    "priority": {"type": "integer", "minimum": 0, "maximum": 4},
                    "status": {"type": "string", "enum": ["todo", "done"]},
                    "payload": {"type": "object", "additionalProperties": {}},
                    "choices": {"type": "array", "items": {"type": "string"}},
                    "fields": {"type": "array", "items": {"type": "object", "additionalProperties": {}}}
                },
                "required": ["title"]
            })
        );
        assert_eq!(
            input_schema(&[]),
            json!({"type": "object", "properties": {}})
        );
    }

    #[test]
    fn good_arguments_pass_and_unknown_ones_are_dropped() {
        let args = json!({"title": "abc", "priority": 2.0, "status": "done", "payload": {"a": 1},
                          "choices": ["x"], "fields": [{"label": "x"}], "extra": true, "ignored": null});
        let accepted = check(PARAMS, Some(&args)).unwrap_or_default();
        assert_eq!(accepted.len(), 6);
        assert!(!accepted.contains_key("extra"));
        assert_eq!(accepted["priority"], json!(2.0));
        assert!(check(&PARAMS[1..], None).unwrap_or_default().is_empty());
    }

    #[test]
    fn every_problem_is_named() {
        let args = json!({"title": "", "priority": 7, "status": "open", "payload": [], "choices": [1],
                          "fields": ["x"]});
        let problems = check(PARAMS, Some(&args)).err().unwrap_or_default();
        assert_eq!(
            problems,
            "title: Expected at least 1 character(s)\n\
             priority: Expected a whole number from 0 to 4\n\
             status: Expected one of: todo, done\n\
             payload: Expected an object\n\
             choices: Expected an array of strings\n\
             fields: Expected an array of objects"
        );
        assert_eq!(
            check(PARAMS, Some(&json!({"title": null, "priority": 1.5}))).err(),
            Some("title: Required\npriority: Expected a whole number from 0 to 4".to_owned())
        );
        assert_eq!(
            check(PARAMS, Some(&json!({"title": "toolong"}))).err(),
            Some("title: Expected at most 5 characters".to_owned())
        );
        assert_eq!(
            check(PARAMS, Some(&json!([1]))).err(),
            Some("arguments: Expected an object".to_owned())
        );
    }
}
