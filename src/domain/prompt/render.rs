//! Rendering prompts with the `handlebars` crate, with Handlebars.js semantics
//! (loop-api.md §7.5): no HTML escaping, non-strict paths, the `json` and
//! `priority_label` helpers, the five partials, and JavaScript value printing. Each
//! version is compiled once and cached by its id (a version's content never changes).

use std::sync::RwLock;

use handlebars::{
    Context, Handlebars, Helper, HelperDef, PathAndJson, RenderContext, RenderError, ScopedJson,
    Template,
};
use serde_json::Value;

use super::defaults::PARTIALS;
use super::source::adapt;
use crate::clock::Timestamp;
use crate::domain::jsnum;

/// Marks a context string as a date: `{{x}}` prints it like JavaScript's
/// `Date.toString()`, `{{json x}}` as its ISO string.
const DATE_MARK: char = '\u{E000}';

/// A date for the hydration context.
pub fn date_value(iso: &str) -> Value {
    Value::String(format!("{DATE_MARK}{iso}"))
}

/// Compiles and renders prompt versions.
pub struct Renderer {
    registry: RwLock<Handlebars<'static>>,
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

impl Renderer {
    /// A renderer with the partials and helpers registered and nothing compiled yet.
    pub fn new() -> Self {
        let mut registry = Handlebars::new();
        registry.register_escape_fn(handlebars::no_escape);
        registry.set_strict_mode(false);
        for (name, text) in PARTIALS {
            if let Ok(template) = Template::compile(&adapt(text)) {
                registry.register_template(name, template);
            }
        }
        registry.register_helper("json", Box::new(ValueHelper(json_helper)));
        registry.register_helper("priority_label", Box::new(ValueHelper(priority_label)));
        registry.register_helper("length", Box::new(ValueHelper(length)));
        registry.register_helper("js_string", Box::new(ValueHelper(js_string)));
        Self {
            registry: RwLock::new(registry),
        }
    }

    /// Whether version `version_id` is compiled and cached.
    pub fn is_cached(&self, version_id: &str) -> bool {
        self.read().has_template(&cache_key(version_id))
    }

    /// Renders version `version_id` (whose text is `content`) against `context`.
    pub fn render(
        &self,
        version_id: &str,
        content: &str,
        context: &Value,
    ) -> Result<String, String> {
        let key = cache_key(version_id);
        if !self.read().has_template(&key) {
            let template = Template::compile(&adapt(content)).map_err(|e| e.to_string())?;
            self.registry
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .register_template(&key, template);
        }
        self.read().render(&key, context).map_err(|e| e.to_string())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Handlebars<'static>> {
        self.registry
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Versions live in their own namespace so no version id can shadow a partial.
fn cache_key(version_id: &str) -> String {
    format!("version:{version_id}")
}

/// A helper computing a value from its parameters (usable as `{{h x}}` and `(h x)`).
struct ValueHelper(fn(&[PathAndJson<'_>]) -> Value);

impl HelperDef for ValueHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        helper: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        Ok(ScopedJson::Derived((self.0)(helper.params())))
    }
}

/// The first parameter, unless it is missing (JavaScript's `undefined`).
fn first<'a>(params: &'a [PathAndJson<'_>]) -> Option<&'a Value> {
    params
        .first()
        .filter(|p| !p.is_value_missing())
        .map(PathAndJson::value)
}

/// `{{json x}}`: `JSON.stringify(x, null, 2)`; nothing for an undefined value.
fn json_helper(params: &[PathAndJson<'_>]) -> Value {
    first(params).map_or(Value::Null, |value| {
        let plain = without_date_marks(value);
        Value::String(serde_json::to_string_pretty(&plain).unwrap_or_default())
    })
}

fn without_date_marks(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(s.strip_prefix(DATE_MARK).unwrap_or(s).to_owned()),
        Value::Array(items) => Value::Array(items.iter().map(without_date_marks).collect()),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), without_date_marks(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `{{priority_label n}}`: 1 urgent, 2 high, 3 medium, 4 low, 0 none, else unknown.
fn priority_label(params: &[PathAndJson<'_>]) -> Value {
    let label = match first(params).and_then(Value::as_f64) {
        Some(0.0) => "none",
        Some(1.0) => "urgent",
        Some(2.0) => "high",
        Some(3.0) => "medium",
        Some(4.0) => "low",
        _ => "unknown",
    };
    Value::String(label.to_owned())
}

/// `(length x)`: JavaScript's `x.length` for arrays, strings and objects with a
/// `length` member; undefined otherwise.
fn length(params: &[PathAndJson<'_>]) -> Value {
    match first(params) {
        Some(Value::Array(items)) => Value::from(items.len()),
        Some(Value::String(s)) if !s.starts_with(DATE_MARK) => {
            Value::from(s.encode_utf16().count())
        }
        Some(Value::Object(members)) => members.get("length").cloned().unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// `{{x}}`: JavaScript's `String(x)`, with null and undefined printing nothing.
fn js_string(params: &[PathAndJson<'_>]) -> Value {
    Value::String(first(params).map_or_else(String::new, |v| match v {
        Value::Null => String::new(),
        other => to_js_string(other),
    }))
}

fn to_js_string(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), jsnum::format),
        Value::String(s) => match s.strip_prefix(DATE_MARK) {
            Some(iso) => Timestamp::parse_canonical(iso)
                .map_or_else(|| iso.to_owned(), Timestamp::to_js_date_string),
            None => s.clone(),
        },
        Value::Array(items) => items.iter().map(to_js_string).collect::<Vec<_>>().join(","),
        Value::Object(_) => "[object Object]".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(template: &str, context: Value) -> String {
        Renderer::new()
            .render("v", template, &context)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn paths_and_blocks() {
        assert_eq!(
            render(
                "# {{issue.title}}",
                json!({"issue": {"title": "Test Issue"}})
            ),
            "# Test Issue"
        );
        let template = "{{#if parent}}Parent: {{parent.title}}{{/if}}No parent";
        assert_eq!(render(template, json!({"parent": null})), "No parent");
        assert_eq!(
            render(template, json!({"parent": {"title": "Parent Task"}})),
            "Parent: Parent TaskNo parent"
        );
        assert_eq!(
            render(
                "{{#each siblings}}#{{this.number}} {{/each}}",
                json!({"siblings": [{"number": 1}, {"number": 2}]})
            ),
            "#1 #2 "
        );
        assert_eq!(
            render(
                "{{#if parent}}x{{/if}}{{#if goal}}y{{/if}}OK",
                json!({"parent": null, "goal": null})
            ),
            "OK"
        );
        assert_eq!(
            render(
                "{{missing.deep.path}}|{{#if issue.priority}}p{{/if}}",
                json!({"issue": {"priority": 0}})
            ),
            "|"
        );
    }

    #[test]
    fn no_html_escaping() {
        assert_eq!(
            render("{{x}}", json!({"x": "<a href=\"x\">&'</a>"})),
            "<a href=\"x\">&'</a>"
        );
    }

    #[test]
    fn javascript_value_printing() {
        let context = json!({"n": 4, "f": 0.75, "t": true, "xs": ["a", "b", null, 3], "o": {"a": 1}, "e": [],
            "d": date_value("2026-11-25T04:29:09.000Z")});
        assert_eq!(
            render(
                "{{n}}|{{f}}|{{t}}|{{xs}}|{{o}}|{{e}}|{{xs.length}}|{{d}}",
                context
            ),
            "4|0.75|true|a,b,,3|[object Object]||4|Wed Nov 25 2026 04:29:09 GMT+0000 (Coordinated Universal Time)"
        );
    }

    #[test]
    fn helpers() {
        let context = json!({"p": {"key": "value", "n": [1, 2]}, "d": date_value("2026-11-25T04:29:09.000Z"), "z": null});
        assert_eq!(
            render("{{json p}}", context.clone()),
            "{\n  \"key\": \"value\",\n  \"n\": [\n    1,\n    2\n  ]\n}"
        );
        assert_eq!(
            render("{{json d}}|{{json z}}|{{json nothing}}", context),
            "\"2026-11-25T04:29:09.000Z\"|null|"
        );
        let labels: Vec<String> = (0..6)
            .map(|n| render("{{priority_label n}}", json!({"n": n})))
            .collect();
        assert_eq!(
            labels,
            ["none", "urgent", "high", "medium", "low", "unknown"]
        );
        assert_eq!(
            render(
                "{{#if xs.length}}some{{else}}none{{/if}}",
                json!({"xs": []})
            ),
            "none"
        );
    }

    #[test]
    fn partials_render_against_the_same_context() {
        let out = render(
            "{{> sibling_context}}",
            json!({"siblings": [{"number": 10, "status": "todo", "title": "Sib"}]}),
        );
        assert_eq!(out, "## Sibling Issues\n- #10 [todo]: Sib\n");
    }

    #[test]
    fn versions_are_compiled_once() {
        let renderer = Renderer::new();
        assert!(!renderer.is_cached("v1"));
        assert_eq!(
            renderer
                .render("v1", "A {{x}}", &json!({"x": 1}))
                .as_deref(),
            Ok("A 1")
        );
        assert!(renderer.is_cached("v1"));
        // The cache is keyed by version id: the stored compilation is reused.
        assert_eq!(
            renderer
                .render("v1", "ignored", &json!({"x": 2}))
                .as_deref(),
            Ok("A 2")
        );
    }

    #[test]
    fn broken_templates_are_reported() {
        let renderer = Renderer::new();
        assert!(
            renderer
                .render("bad", "{{#if x}}unclosed", &json!({}))
                .is_err()
        );
        assert!(
            !renderer.is_cached("bad"),
            "a failed compilation is not cached"
        );
        assert_eq!(
            renderer
                .render("good", "{{#if x}}ok{{/if}}", &json!({"x": 1}))
                .as_deref(),
            Ok("ok")
        );
    }
}
