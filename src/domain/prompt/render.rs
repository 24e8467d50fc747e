//! Rendering prompts with the `handlebars` crate, with Handlebars.js semantics
//! (docs/engine-api.md#rendering): no HTML escaping, non-strict paths looked up as JavaScript does
//! (a missing property is undefined, never an error), the `json` and `priority_label`
//! helpers, the partials, and JavaScript value printing. Each version is compiled
//! once, with the built-in partials it calls plainly spliced in (see [`inline`](super::inline)), and
//! cached by its id (a version's content never changes).

use std::sync::RwLock;

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, PathAndJson, RenderContext,
    RenderError, RenderErrorReason, Renderable, ScopedJson, Template,
};
use serde_json::Value;

use super::defaults::PARTIALS;
use super::inline::inline_partials;
use super::source::adapt;
use crate::clock::Timestamp;
use crate::domain::jsnum;

/// Whether `content` may be stored as a version: anything but triple braces, which
/// would print values unescaped in Handlebars.js (the refusal is the client's message).
pub fn check_content(content: &str) -> Result<(), &'static str> {
    if content.contains("{{{") {
        Err(
            "Triple-brace syntax ({{{) is not allowed. Use double-brace Handlebars expressions instead.",
        )
    } else {
        Ok(())
    }
}

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
    /// The built-in partials, compiled: registered for calls the crate must render
    /// itself, and spliced into versions where called plainly.
    partials: Vec<(&'static str, Template)>,
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
        let partials: Vec<(&'static str, Template)> = PARTIALS
            .iter()
            .filter_map(|(name, text)| Some((*name, Template::compile(&adapt(text)).ok()?)))
            .collect();
        for (name, template) in &partials {
            registry.register_template(name, template.clone());
        }
        registry.register_helper("json", Box::new(ValueHelper(json_helper)));
        registry.register_helper("priority_label", Box::new(ValueHelper(priority_label)));
        registry.register_helper("js_path", Box::new(PathHelper));
        registry.register_helper("if", Box::new(IfHelper { positive: true }));
        registry.register_helper("unless", Box::new(IfHelper { positive: false }));
        registry.register_helper("js_string", Box::new(ValueHelper(js_string)));
        Self {
            registry: RwLock::new(registry),
            partials,
        }
    }

    /// Whether version `version_id` is compiled and cached.
    #[cfg(test)]
    pub fn is_cached(&self, version_id: &str) -> bool {
        self.read().has_template(&cache_key(version_id))
    }

    /// Renders version `version_id` (whose text is `content`) against `context`, which
    /// it takes over (the crate's `render` would copy it whole first).
    pub fn render(
        &self,
        version_id: &str,
        content: &str,
        context: Value,
    ) -> Result<String, String> {
        let key = cache_key(version_id);
        if !self.read().has_template(&key) {
            let mut template = Template::compile(&adapt(content)).map_err(|e| e.to_string())?;
            inline_partials(&mut template, &self.partials);
            self.registry
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .register_template(&key, template);
        }
        self.read()
            .render_with_context(&key, &Context::from(context))
            .map_err(|e| e.to_string())
    }

    /// Renders `content` as the crate would without [`inline`](super::inline): every partial through
    /// its own call. What a spliced rendering must equal.
    #[cfg(test)]
    pub fn render_without_inlining(&self, content: &str, context: Value) -> Result<String, String> {
        let template = Template::compile(&adapt(content)).map_err(|e| e.to_string())?;
        let mut registry = self.read().clone();
        registry.register_template("uninlined", template);
        registry
            .render_with_context("uninlined", &Context::from(context))
            .map_err(|e| e.to_string())
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

/// `{{#if x}}` / `{{#unless x}}` as Handlebars.js decides them ([`passes_if`]); the
/// crate's own built-ins take an empty object for false.
struct IfHelper {
    /// `true` for `if`, `false` for `unless`.
    positive: bool,
}

impl HelperDef for IfHelper {
    fn call<'reg: 'rc, 'rc>(
        &self,
        helper: &Helper<'rc>,
        registry: &'reg Handlebars<'reg>,
        context: &'rc Context,
        render_context: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let [condition] = helper.params().as_slice() else {
            let name = if self.positive { "if" } else { "unless" };
            return Err(
                RenderErrorReason::Other(format!("#{name} requires exactly one argument")).into(),
            );
        };
        let include_zero = helper
            .hash_get("includeZero")
            .is_some_and(|flag| is_truthy(flag.value()));
        let branch = if passes_if(condition.value(), include_zero) == self.positive {
            helper.template()
        } else {
            helper.inverse()
        };
        match branch {
            Some(template) => template.render(registry, context, render_context, out),
            None => Ok(()),
        }
    }
}

/// JavaScript truthiness: `null` (and undefined), `false`, `0` and `""` are false;
/// every object and array, even empty, is true.
fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// Whether `{{#if value}}` takes its first branch in Handlebars.js: the value is truthy
/// and not an empty array; with `includeZero`, `0` passes too (docs/engine-api.md#rendering).
fn passes_if(value: &Value, include_zero: bool) -> bool {
    match value {
        Value::Array(items) => !items.is_empty(),
        Value::Number(_) if include_zero => true,
        other => is_truthy(other),
    }
}

/// `(js_path base "a" "b")`, written by [`adapt`] for the path `base.a.b`: each name
/// is looked up the way Handlebars.js does (own properties only), so a missing one is
/// undefined rather than the crate's error on a named property of an array.
struct PathHelper;

impl HelperDef for PathHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        helper: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        context: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let Some((base, names)) = helper.params().split_first() else {
            return Ok(ScopedJson::Missing);
        };
        if base.is_value_missing() {
            return Ok(ScopedJson::Missing);
        }
        let names: Vec<&str> = names
            .iter()
            .map(|name| name.value().as_str().unwrap_or_default())
            .collect();
        // A base inside the context data is borrowed from it, and the result keeps its
        // full path, so `#each` and `#with` over it scope exactly as over a plain path.
        if let Some(base_path) = base.context_path()
            && let Some(value) = at_path(context.data(), base_path)
        {
            let (found, used) = lookup(value, &names);
            return Ok(match found {
                Found::Borrowed(value) => {
                    let mut path = base_path.clone();
                    path.extend(names[..used].iter().map(|n| (*n).to_owned()));
                    ScopedJson::Context(value, path)
                }
                Found::Owned(value) => ScopedJson::Derived(value),
                Found::Undefined => ScopedJson::Missing,
            });
        }
        Ok(match lookup(base.value(), &names).0 {
            Found::Borrowed(value) => ScopedJson::Derived(value.clone()),
            Found::Owned(value) => ScopedJson::Derived(value),
            Found::Undefined => ScopedJson::Missing,
        })
    }
}

/// The value at `path` (the crate's full path of a context value) in `data`.
fn at_path<'a>(data: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(data, |value, segment| match value {
        Value::Object(members) => members.get(segment),
        Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// What a JavaScript property lookup gives.
enum Found<'a> {
    /// A value of the data.
    Borrowed(&'a Value),
    /// A computed value (a length, a character of a string).
    Owned(Value),
    /// `undefined`.
    Undefined,
}

/// `base.names[0].names[1]…` as Handlebars.js evaluates it, and how many names were
/// used: a `null` or `undefined` on the way is the result (prints nothing).
fn lookup<'a>(base: &'a Value, names: &[&str]) -> (Found<'a>, usize) {
    let mut current = Found::Borrowed(base);
    for (used, name) in names.iter().enumerate() {
        current = match current {
            end @ (Found::Undefined | Found::Borrowed(Value::Null) | Found::Owned(Value::Null)) => {
                return (end, used);
            }
            Found::Borrowed(value) => property(value, name),
            Found::Owned(value) => property(&value, name).into_owned(),
        };
    }
    (current, names.len())
}

impl Found<'_> {
    /// The same lookup result, owning its value.
    fn into_owned(self) -> Found<'static> {
        match self {
            Found::Borrowed(value) => Found::Owned(value.clone()),
            Found::Owned(value) => Found::Owned(value),
            Found::Undefined => Found::Undefined,
        }
    }
}

/// `value[name]` for an own property, as Handlebars.js's `lookupProperty` allows: an
/// object's members, an array's canonical indices and `length`, a string's UTF-16 code
/// units and `length`. Dates, numbers and booleans have none.
fn property<'a>(value: &'a Value, name: &str) -> Found<'a> {
    match value {
        Value::Object(members) => members.get(name).map_or(Found::Undefined, Found::Borrowed),
        Value::Array(items) if name == "length" => Found::Owned(Value::from(items.len())),
        Value::Array(items) => index(name)
            .and_then(|i| items.get(i))
            .map_or(Found::Undefined, Found::Borrowed),
        Value::String(s) if !s.starts_with(DATE_MARK) => {
            let units: Vec<u16> = s.encode_utf16().collect();
            if name == "length" {
                Found::Owned(Value::from(units.len()))
            } else {
                index(name)
                    .and_then(|i| units.get(i))
                    .map_or(Found::Undefined, |unit| {
                        Found::Owned(Value::String(String::from_utf16_lossy(&[*unit])))
                    })
            }
        }
        _ => Found::Undefined,
    }
}

/// `name` as an array index, if it is one in canonical form (`"0"`, `"12"`; not `"01"`).
fn index(name: &str) -> Option<usize> {
    let i: usize = name.parse().ok()?;
    (i.to_string() == name).then_some(i)
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

    #[test]
    fn triple_braces_are_refused() {
        assert_eq!(check_content("Hi {{name}}"), Ok(()));
        assert!(check_content("Hi {{{name}}}").is_err());
    }
    use serde_json::json;

    fn render(template: &str, context: Value) -> String {
        Renderer::new()
            .render("v", template, context)
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
    fn missing_properties_are_undefined_like_in_javascript() {
        let context = json!({
            "siblings": [{"number": 1, "title": "A"}, {"number": 2, "title": "B"}],
            "labels": [], "children": [], "issue": {"title": "T", "n": 5, "none": null},
            "d": date_value("2026-11-25T04:29:09.000Z"), "s": "héllo"
        });
        // Named properties of arrays: undefined, whether printed, tested or passed on.
        assert_eq!(
            render(
                "[{{siblings.first}}|{{labels.foo}}|{{siblings.first.title}}|{{json siblings.x}}]",
                context.clone()
            ),
            "[|||]"
        );
        assert_eq!(
            render(
                "{{#if children.x}}yes{{else}}no{{/if}}{{#unless labels.foo}}!{{/unless}}\
                 {{#each siblings.first}}never{{/each}}{{#with labels.foo}}never{{/with}}",
                context.clone()
            ),
            "no!"
        );
        // Own properties: indices, `length` of arrays and strings, characters.
        assert_eq!(
            render(
                "{{siblings.[1].title}}|{{siblings.length}}|{{issue.title.length}}|{{s.[1]}}|{{s.length}}|{{siblings.01}}",
                context.clone()
            ),
            "B|2|1|é|5|"
        );
        // Scalars and dates have no properties; a null stops the lookup.
        assert_eq!(
            render(
                "[{{issue.n.x}}|{{d.length}}|{{issue.none.x}}|{{json issue.none.x}}|{{json issue.nothing.x}}]",
                context.clone()
            ),
            "[|||null|]"
        );
        // Paths through block scopes still resolve.
        assert_eq!(
            render(
                "{{#each siblings}}{{this.title}}{{../issue.title}}{{@root.issue.n}}{{title.length}} {{/each}}\
                 {{#each siblings as |s|}}{{s.number}}{{/each}}{{#with issue}}{{this.title}}{{../s}}{{/with}}",
                context
            ),
            "AT51 BT51 12Théllo"
        );
    }

    #[test]
    fn if_and_unless_follow_javascript_truthiness() {
        let context = json!({
            "empty_object": {}, "object": {"a": 1}, "empty_array": [], "array": [0],
            "zero": 0, "half": 0.5, "empty": "", "zero_text": "0", "no": false, "yes": true,
            "none": null, "d": date_value("2026-11-25T04:29:09.000Z")
        });
        let test = |name: &str| {
            render(
                &format!(
                    "{{{{#if {name}}}}}T{{{{else}}}}F{{{{/if}}}}{{{{#unless {name}}}}}F{{{{else}}}}T{{{{/unless}}}}"
                ),
                context.clone(),
            )
        };
        for truthy in [
            "empty_object",
            "object",
            "array",
            "half",
            "zero_text",
            "yes",
            "d",
        ] {
            assert_eq!(test(truthy), "TT", "{truthy}");
        }
        for falsy in ["empty_array", "zero", "empty", "no", "none", "missing"] {
            assert_eq!(test(falsy), "FF", "{falsy}");
        }
        assert_eq!(
            render(
                "{{#if zero includeZero=true}}0 counts{{/if}}|{{#unless zero includeZero=true}}never{{/unless}}",
                context.clone()
            ),
            "0 counts|"
        );
        assert_eq!(
            render(
                "{{#if none}}a{{else if empty_object}}b{{else}}c{{/if}}",
                context.clone()
            ),
            "b"
        );
        assert!(
            Renderer::new()
                .render("two", "{{#if yes no}}x{{/if}}", context)
                .is_err_and(|e| e.contains("#if requires exactly one argument"))
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
            renderer.render("v1", "A {{x}}", json!({"x": 1})).as_deref(),
            Ok("A 1")
        );
        assert!(renderer.is_cached("v1"));
        // The cache is keyed by version id: the stored compilation is reused.
        assert_eq!(
            renderer.render("v1", "ignored", json!({"x": 2})).as_deref(),
            Ok("A 2")
        );
    }

    #[test]
    fn broken_templates_are_reported() {
        let renderer = Renderer::new();
        assert!(
            renderer
                .render("bad", "{{#if x}}unclosed", json!({}))
                .is_err()
        );
        assert!(
            !renderer.is_cached("bad"),
            "a failed compilation is not cached"
        );
        assert_eq!(
            renderer
                .render("good", "{{#if x}}ok{{/if}}", json!({"x": 1}))
                .as_deref(),
            Ok("ok")
        );
    }
}
