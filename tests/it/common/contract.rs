//! The served OpenAPI document as a contract every answer of the integration suite must
//! keep: [`check`] runs on every response the test client receives, so each existing test
//! also checks that the status is documented for its operation, the content type is the
//! documented one, and the body matches the documented schema.
//!
//! Checks are stricter than the document says: an object schema with `properties` but
//! no `additionalProperties` accepts no other key here, so a field the server answers
//! but the document does not list fails the suite (the document itself stays open, so
//! that clients generated from it tolerate fields added later). Composing object schemas
//! with `allOf` would defeat this, which is why the document spells each shape out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::{Draft, Validator};
use serde_json::{Map, Value};

use super::Response;

/// The document, parsed, with the strict reading described above applied.
pub fn strict_document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut document = document();
        close_objects(&mut document);
        document
    })
}

/// The document as the server serves it (compiled in from this file).
pub const DOCUMENT: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/api/openapi.json"));

/// The document, parsed.
pub fn document() -> Value {
    serde_json::from_str(DOCUMENT).expect("the document is JSON")
}

/// Adds `additionalProperties: false` to every object schema that lists its properties
/// and says nothing about others.
fn close_objects(value: &mut Value) {
    match value {
        Value::Object(object) => {
            let is_object_type = match object.get("type") {
                Some(Value::String(t)) => t == "object",
                Some(Value::Array(types)) => types.iter().any(|t| t == "object"),
                _ => false,
            };
            if is_object_type
                && object.get("properties").is_some_and(Value::is_object)
                && !object.contains_key("additionalProperties")
            {
                object.insert("additionalProperties".into(), Value::Bool(false));
            }
            object.values_mut().for_each(close_objects);
        }
        Value::Array(items) => items.iter_mut().for_each(close_objects),
        _ => {}
    }
}

/// Follows a local `$ref` (`#/components/...`) in the document, if `value` is one.
pub fn resolve<'d>(document: &'d Value, value: &'d Value) -> &'d Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("only local references are used: {reference}"));
            let target = document
                .pointer(pointer)
                .unwrap_or_else(|| panic!("{reference} points at nothing"));
            resolve(document, target)
        }
        None => value,
    }
}

/// A validator for `schema`, a schema of the document (its `#/components/...`
/// references resolve against the document).
pub fn validator_for(schema: &Value) -> Validator {
    let mut root: Map<String, Value> = schema
        .as_object()
        .unwrap_or_else(|| panic!("the document's schemas are objects: {schema}"))
        .clone();
    root.insert("components".into(), strict_document()["components"].clone());
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .build(&Value::Object(root))
        .unwrap_or_else(|e| panic!("schema does not compile ({e}): {schema}"))
}

/// Every problem `instance` has against `validator`, one per line (empty: none), each
/// cut to a readable length.
pub fn problems(validator: &Validator, instance: &Value) -> String {
    validator
        .iter_errors(instance)
        .map(|e| {
            let text = e.to_string();
            let text = if text.chars().count() > 300 {
                format!("{}…", text.chars().take(300).collect::<String>())
            } else {
                text
            };
            format!("  at {}: {text}\n", e.instance_path())
        })
        .collect()
}

/// The compiled schema of each (method, path pattern, status) seen so far.
type Cache = Mutex<HashMap<(String, &'static str, u16), Option<Arc<Validator>>>>;

/// The methods that are operations of the document (`HEAD` and `OPTIONS` are not).
const OPERATION_METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Statuses the HTTP layer may answer for any request before it reaches a route (a
/// request too slow, too long or in an unknown HTTP version, a body too large where the
/// operation takes none): not operations' answers, but still in the API's error shape.
const TRANSPORT_REFUSALS: [u16; 5] = [408, 413, 414, 431, 505];

/// A response in the error shape of the API `pattern` belongs to.
fn refusal_of(pattern: &str) -> Value {
    let schema = if pattern.starts_with("/api/v1/") {
        "ReviewError"
    } else {
        "Error"
    };
    serde_json::json!({"content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

/// Checks one answer the test client received against the document; panics with what
/// is wrong. Requests no route answers (unknown paths, wrong methods), `HEAD` and
/// `OPTIONS` are not operations of the document and are left alone.
pub fn check(method: &str, target: &str, response: &Response) {
    if !OPERATION_METHODS.contains(&method) {
        return;
    }
    let Some(pattern) = loop_engine::route_pattern_of(method, target) else {
        return;
    };
    let what = format!("{method} {pattern} answered {}", response.status);
    let document = strict_document();
    let operation = &document["paths"][pattern][method.to_lowercase()];
    assert!(
        operation.is_object(),
        "{what}: the document has no such operation"
    );
    let responses = &operation["responses"];
    let status = response.status.to_string();
    let range = format!("{}XX", response.status / 100);
    let transport_refusal;
    let documented = match [status.as_str(), range.as_str(), "default"]
        .into_iter()
        .find_map(|key| responses.get(key))
    {
        Some(documented) => resolve(document, documented),
        None if TRANSPORT_REFUSALS.contains(&response.status) => {
            transport_refusal = refusal_of(pattern);
            &transport_refusal
        }
        None => panic!(
            "{what}, a status the document does not list: {}",
            response.text()
        ),
    };
    let Some(content) = documented.get("content").and_then(Value::as_object) else {
        assert!(
            response.body.is_empty(),
            "{what} with a body the document does not describe: {}",
            response.text()
        );
        return;
    };
    let media_type = response
        .header("Content-Type")
        .map(|t| {
            t.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_else(|| panic!("{what} without a Content-Type"));
    let Some(media) = content.get(&media_type) else {
        panic!("{what} as {media_type}, which the document does not list");
    };
    if !media_type.ends_with("json") {
        // A stream of events (MCP) has no JSON schema to check beyond its media type.
        return;
    }
    let body: Value = serde_json::from_slice(&response.body).unwrap_or_else(|e| {
        panic!(
            "{what} with a body that is not JSON ({e}): {}",
            response.text()
        )
    });
    let validator = cached_validator(
        (method.to_owned(), pattern, response.status),
        &media["schema"],
    );
    if let Some(validator) = validator {
        let problems = problems(&validator, &body);
        let mut shown = body.to_string();
        if shown.len() > 2000 {
            shown = format!("{}…", shown.chars().take(2000).collect::<String>());
        }
        assert!(
            problems.is_empty(),
            "{what} with a body the document's schema refuses:\n{problems}body: {shown}"
        );
    }
}

/// The validator of one operation's answer with one status, compiled once per process.
fn cached_validator(key: (String, &'static str, u16), schema: &Value) -> Option<Arc<Validator>> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    if let Some(found) = cache.lock().expect("cache lock").get(&key) {
        return found.clone();
    }
    let validator = (!schema.is_null()).then(|| Arc::new(validator_for(schema)));
    cache
        .lock()
        .expect("cache lock")
        .insert(key, validator.clone());
    validator
}
