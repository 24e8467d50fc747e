//! Field-by-field validation of JSON request bodies.
//!
//! An [`Input`] walks one JSON object, collecting every problem instead of stopping at
//! the first, so a client learns all that is wrong with a request at once. Messages use
//! the original server's wording (`Too small: expected string to have >=1 characters`).
//! Unknown keys are ignored, `null` is only accepted by the `nullable_*` readers, and
//! string lengths count UTF-16 code units like JavaScript's `.length`.

use serde::Serialize;
use serde_json::{Map, Value};

use super::enums::WireEnum;

/// One problem with one field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Where the problem is: a field name, or a dotted path into a nested value
    /// (`hypothesis.confidence`, `labelIds.2`).
    pub path: String,
    /// What is wrong, for a human.
    pub message: String,
}

impl FieldError {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// The JSON type name used in messages (`received number`).
fn type_name(value: Option<&Value>) -> &'static str {
    match value {
        None => "undefined",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Number(_)) => "number",
        Some(Value::String(_)) => "string",
        Some(Value::Array(_)) => "array",
        Some(Value::Object(_)) => "object",
    }
}

fn expected(what: &str, got: Option<&Value>) -> String {
    format!(
        "Invalid input: expected {what}, received {}",
        type_name(got)
    )
}

/// Length of `text` in UTF-16 code units, as JavaScript counts it.
pub fn js_length(text: &str) -> usize {
    text.encode_utf16().count()
}

/// The largest integer a JSON number may carry exactly (2^53 − 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Checks a value against one rule; each returns the parsed value or a message.
mod rules {
    use super::*;

    pub fn string(value: &Value, min: usize, max: usize) -> Result<String, String> {
        let Value::String(text) = value else {
            return Err(expected("string", Some(value)));
        };
        let len = js_length(text);
        if len < min {
            return Err(format!(
                "Too small: expected string to have >={min} characters"
            ));
        }
        if len > max {
            return Err(format!(
                "Too big: expected string to have <={max} characters"
            ));
        }
        Ok(text.clone())
    }

    pub fn calendar_date(value: &Value) -> Result<String, String> {
        let Value::String(text) = value else {
            return Err(expected("string", Some(value)));
        };
        let parts: Vec<&str> = text.split('-').collect();
        let valid = match parts.as_slice() {
            [year, month, day] if year.len() == 4 && month.len() == 2 && day.len() == 2 => {
                match (year.parse::<i32>(), month.parse::<u8>(), day.parse::<u8>()) {
                    (Ok(year), Ok(month), Ok(day)) => time::Month::try_from(month)
                        .and_then(|month| time::Date::from_calendar_date(year, month, day))
                        .is_ok(),
                    _ => false,
                }
            }
            _ => false,
        };
        if valid {
            Ok(text.clone())
        } else {
            Err("Invalid date: expected a calendar date such as 2026-06-30".to_owned())
        }
    }

    pub fn number(value: &Value, min: f64, max: f64) -> Result<f64, String> {
        let Some(n) = value.as_f64().filter(|_| value.is_number()) else {
            return Err(expected("number", Some(value)));
        };
        if n < min {
            return Err(format!("Too small: expected number to be >={min}"));
        }
        if n > max {
            return Err(format!("Too big: expected number to be <={max}"));
        }
        Ok(n)
    }

    pub fn integer(value: &Value, min: i64, max: i64) -> Result<i64, String> {
        #[allow(clippy::cast_precision_loss)]
        let n = number(value, f64::NEG_INFINITY, f64::INFINITY)?;
        if n.fract() != 0.0 || n.abs() > MAX_SAFE_INTEGER {
            return Err("Invalid input: expected int, received number".to_owned());
        }
        #[allow(clippy::cast_possible_truncation)]
        let n = n as i64;
        if n < min {
            return Err(format!("Too small: expected number to be >={min}"));
        }
        if n > max {
            return Err(format!("Too big: expected number to be <={max}"));
        }
        Ok(n)
    }

    pub fn one_of<E: WireEnum>(value: &Value) -> Result<E, String> {
        let parsed = value.as_str().and_then(E::parse);
        parsed.ok_or_else(|| enum_message(E::ALL))
    }

    /// The message for a value that is none of `all`, naming every option (as zod does).
    pub fn enum_message<E: WireEnum>(all: &[E]) -> String {
        let options: Vec<String> = all.iter().map(|v| format!("\"{}\"", v.as_str())).collect();
        format!("Invalid option: expected one of {}", options.join("|"))
    }
}

pub use rules::enum_message;

/// A reader over one JSON object that records every problem it meets.
pub struct Input<'a> {
    object: &'a Map<String, Value>,
    prefix: String,
    errors: Vec<FieldError>,
}

impl<'a> Input<'a> {
    /// Starts reading `object`.
    pub fn new(object: &'a Map<String, Value>) -> Self {
        Self::nested(object, "")
    }

    /// Reads an object nested at `prefix` (paths are reported as `prefix.key`).
    fn nested(object: &'a Map<String, Value>, prefix: &str) -> Self {
        Self {
            object,
            prefix: prefix.to_owned(),
            errors: Vec::new(),
        }
    }

    fn path(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.prefix)
        }
    }

    /// Records a problem with `key`.
    pub fn fail(&mut self, key: &str, message: impl Into<String>) {
        let path = self.path(key);
        self.errors.push(FieldError::new(path, message));
    }

    /// Whether the object has `key` (even with `null`).
    pub fn has(&self, key: &str) -> bool {
        self.object.contains_key(key)
    }

    /// Applies `rule` to a present, non-null value; absent gives `None`, `null` is an error.
    fn optional<T>(
        &mut self,
        key: &str,
        what: &str,
        rule: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        match self.object.get(key) {
            None => None,
            Some(Value::Null) => {
                self.fail(key, expected(what, Some(&Value::Null)));
                None
            }
            Some(value) => match rule(value) {
                Ok(v) => Some(v),
                Err(message) => {
                    self.fail(key, message);
                    None
                }
            },
        }
    }

    /// Like `optional`, but `null` is a value: absent → `None`, `null` → `Some(None)`.
    fn nullable<T>(
        &mut self,
        key: &str,
        rule: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<Option<T>> {
        match self.object.get(key) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(value) => match rule(value) {
                Ok(v) => Some(Some(v)),
                Err(message) => {
                    self.fail(key, message);
                    None
                }
            },
        }
    }

    /// Like `optional`, but absence is an error too.
    fn required<T: Default>(
        &mut self,
        key: &str,
        what: &str,
        rule: impl FnOnce(&Value) -> Result<T, String>,
    ) -> T {
        if !self.has(key) {
            self.fail(key, expected(what, None));
            return T::default();
        }
        self.optional(key, what, rule).unwrap_or_default()
    }

    /// A required string of `min..=max` characters. When it is invalid the problem is
    /// recorded and an empty string returned; [`finish`](Self::finish) then fails.
    pub fn required_str(&mut self, key: &str, min: usize, max: usize) -> String {
        self.required(key, "string", |v| rules::string(v, min, max))
    }

    /// An optional string of `min..=max` characters (`null` is an error).
    pub fn opt_str(&mut self, key: &str, min: usize, max: usize) -> Option<String> {
        self.optional(key, "string", |v| rules::string(v, min, max))
    }

    /// An optional string that may be `null` (absent → `None`, `null` → `Some(None)`).
    pub fn nullable_str(&mut self, key: &str, min: usize, max: usize) -> Option<Option<String>> {
        self.nullable(key, |v| rules::string(v, min, max))
    }

    /// An optional calendar date `YYYY-MM-DD` that may be `null` (absent → `None`,
    /// `null` → `Some(None)`).
    pub fn nullable_date(&mut self, key: &str) -> Option<Option<String>> {
        self.nullable(key, rules::calendar_date)
    }

    /// A required member of `E`; `None` (with the problem recorded) when invalid.
    pub fn required_enum<E: WireEnum>(&mut self, key: &str) -> Option<E> {
        if !self.has(key) {
            self.fail(key, rules::enum_message(E::ALL));
            return None;
        }
        self.opt_enum(key)
    }

    /// An optional member of `E` (`null` is an error).
    pub fn opt_enum<E: WireEnum>(&mut self, key: &str) -> Option<E> {
        match self.object.get(key) {
            None => None,
            Some(value) => match rules::one_of::<E>(value) {
                Ok(v) => Some(v),
                Err(message) => {
                    self.fail(key, message);
                    None
                }
            },
        }
    }

    /// An optional whole number in `min..=max` (`null` is an error).
    pub fn opt_int(&mut self, key: &str, min: i64, max: i64) -> Option<i64> {
        self.optional(key, "number", |v| rules::integer(v, min, max))
    }

    /// An optional finite number in `min..=max` (`null` is an error).
    pub fn opt_number(&mut self, key: &str, min: f64, max: f64) -> Option<f64> {
        self.optional(key, "number", |v| rules::number(v, min, max))
    }

    /// An optional number that may be `null`.
    pub fn nullable_number(&mut self, key: &str) -> Option<Option<f64>> {
        self.nullable(key, |v| rules::number(v, f64::NEG_INFINITY, f64::INFINITY))
    }

    /// An optional scalar: a string, number, boolean or `null` (absent → `None`).
    pub fn opt_scalar(&mut self, key: &str) -> Option<Value> {
        match self.object.get(key) {
            Some(Value::Array(_) | Value::Object(_)) => {
                let got = self.object.get(key);
                self.fail(key, expected("string, number, boolean or null", got));
                None
            }
            value => value.cloned(),
        }
    }

    /// An optional JSON object, returned as compact JSON text in stored form (see
    /// [`stored_json`](super::stored_json)); `null` and arrays are errors.
    pub fn opt_object_json(&mut self, key: &str) -> Option<String> {
        self.optional(key, "record", |v| match v {
            Value::Object(_) => Ok(super::stored_json::to_text(v.clone())),
            other => Err(expected("record", Some(other))),
        })
    }

    /// A required JSON object, as compact JSON text (see [`opt_object_json`](Self::opt_object_json)).
    pub fn required_object_json(&mut self, key: &str) -> String {
        if !self.has(key) {
            self.fail(key, expected("record", None));
            return String::new();
        }
        self.opt_object_json(key).unwrap_or_default()
    }

    /// An optional array of strings (`null` is an error).
    pub fn opt_str_array(&mut self, key: &str) -> Option<Vec<String>> {
        let path = self.path(key);
        let mut item_errors = Vec::new();
        let parsed = self.optional(key, "array", |v| {
            let Value::Array(items) = v else {
                return Err(expected("array", Some(v)));
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => out.push(s.clone()),
                    other => item_errors.push(FieldError::new(
                        format!("{path}.{i}"),
                        expected("string", Some(other)),
                    )),
                }
            }
            Ok(out)
        });
        let ok = item_errors.is_empty();
        self.errors.extend(item_errors);
        parsed.filter(|_| ok)
    }

    /// Reads a nested object at `key` with `read`, which sees an [`Input`] whose problems
    /// are reported under `key.`. Absent → `None`; `null` → `Some(None)` when
    /// `nullable`, else an error; non-objects are errors.
    pub fn nested_object<T>(
        &mut self,
        key: &str,
        nullable: bool,
        read: impl FnOnce(&mut Input<'_>) -> T,
    ) -> Option<Option<T>> {
        match self.object.get(key) {
            None => None,
            Some(Value::Null) if nullable => Some(None),
            Some(Value::Object(inner)) => {
                let mut sub = Input::nested(inner, &self.path(key));
                let value = read(&mut sub);
                let ok = sub.errors.is_empty();
                self.errors.append(&mut sub.errors);
                ok.then_some(Some(value))
            }
            Some(other) => {
                self.fail(key, expected("object", Some(other)));
                None
            }
        }
    }

    /// Reads an array of objects at `key`, each with `read`. Absent → `None`; `null` →
    /// `Some(None)` when `nullable`.
    pub fn nested_array<T>(
        &mut self,
        key: &str,
        nullable: bool,
        mut read: impl FnMut(&mut Input<'_>) -> T,
    ) -> Option<Option<Vec<T>>> {
        match self.object.get(key) {
            None => None,
            Some(Value::Null) if nullable => Some(None),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    let path = format!("{}.{i}", self.path(key));
                    let Value::Object(inner) = item else {
                        self.errors
                            .push(FieldError::new(path, expected("object", Some(item))));
                        ok = false;
                        continue;
                    };
                    let mut sub = Input::nested(inner, &path);
                    out.push(read(&mut sub));
                    ok &= sub.errors.is_empty();
                    self.errors.append(&mut sub.errors);
                }
                ok.then_some(Some(out))
            }
            Some(other) => {
                self.fail(key, expected("array", Some(other)));
                None
            }
        }
    }

    /// Ends reading: every recorded problem, or `Ok` when there were none.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::enums::IssueType;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("test input is an object"),
        }
    }

    #[test]
    fn collects_every_problem() {
        let body = object(json!({"title": "", "type": "bogus", "priority": 9}));
        let mut input = Input::new(&body);
        input.required_str("title", 1, 500);
        input.required_enum::<IssueType>("type");
        input.opt_int("priority", 0, 4);
        let errors = input.finish().unwrap_err();
        assert_eq!(
            errors,
            vec![
                FieldError::new("title", "Too small: expected string to have >=1 characters"),
                FieldError::new(
                    "type",
                    "Invalid option: expected one of \"signal\"|\"hypothesis\"|\"plan\"|\"task\"|\"monitor\""
                ),
                FieldError::new("priority", "Too big: expected number to be <=4"),
            ]
        );
    }

    #[test]
    fn missing_and_null_are_distinguished() {
        let body = object(json!({"description": null, "parentId": null}));
        let mut input = Input::new(&body);
        assert_eq!(input.required_str("title", 1, 500), "");
        assert_eq!(input.opt_str("description", 0, usize::MAX), None);
        assert_eq!(input.nullable_str("parentId", 0, usize::MAX), Some(None));
        assert_eq!(input.nullable_str("projectId", 0, usize::MAX), None);
        let errors = input.finish().unwrap_err();
        assert_eq!(
            errors,
            vec![
                FieldError::new(
                    "title",
                    "Invalid input: expected string, received undefined"
                ),
                FieldError::new(
                    "description",
                    "Invalid input: expected string, received null"
                ),
            ]
        );
    }

    #[test]
    fn lengths_count_utf16_units() {
        let body = object(json!({"a": "😀😀", "b": "ab"}));
        let mut input = Input::new(&body);
        assert_eq!(input.opt_str("a", 1, 3), None);
        assert_eq!(input.opt_str("b", 1, 3), Some("ab".to_owned()));
        assert_eq!(input.finish().unwrap_err()[0].path, "a");
    }

    #[test]
    fn integers_must_be_whole_and_safe() {
        let body = object(json!({"a": 2.5, "b": 3.0, "c": "3", "d": 1e300}));
        let mut input = Input::new(&body);
        assert_eq!(input.opt_int("a", 0, 10), None);
        assert_eq!(input.opt_int("b", 0, 10), Some(3));
        assert_eq!(input.opt_int("c", 0, 10), None);
        assert_eq!(input.opt_int("d", 0, i64::MAX), None);
        let errors = input.finish().unwrap_err();
        assert_eq!(errors.len(), 3);
        assert_eq!(
            errors[0].message,
            "Invalid input: expected int, received number"
        );
        assert_eq!(
            errors[1].message,
            "Invalid input: expected number, received string"
        );
    }

    #[test]
    fn objects_and_arrays() {
        let body = object(json!({"p": {"k": 1}, "q": [1], "l": ["a", 2]}));
        let mut input = Input::new(&body);
        assert_eq!(input.opt_object_json("p"), Some("{\"k\":1}".to_owned()));
        assert_eq!(input.opt_object_json("q"), None);
        assert_eq!(input.opt_str_array("l"), None);
        let errors = input.finish().unwrap_err();
        assert_eq!(
            errors,
            vec![
                FieldError::new("q", "Invalid input: expected record, received array"),
                FieldError::new("l.1", "Invalid input: expected string, received number"),
            ]
        );
    }

    #[test]
    fn nested_paths_are_dotted() {
        let body = object(json!({"h": {"confidence": 2}, "xs": [{"sha": 1}, 5]}));
        let mut input = Input::new(&body);
        let h = input.nested_object("h", true, |h| h.opt_number("confidence", 0.0, 1.0));
        assert_eq!(h, None);
        let xs = input.nested_array("xs", true, |x| x.required_str("sha", 1, 10));
        assert_eq!(xs, None);
        let paths: Vec<String> = input
            .finish()
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(paths, vec!["h.confidence", "xs.0.sha", "xs.1"]);
    }
}
