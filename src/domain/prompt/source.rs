//! Adapts Handlebars.js template source to the `handlebars` crate, so templates written
//! for the original render the same here:
//!
//! - A path of more than one segment, `a.b.c`, becomes the subexpression
//!   `(js_path a "b" "c")`: its first segment resolves as the crate resolves any name
//!   (scopes, `../`, `@root`, block parameters), and the rest are looked up the way
//!   Handlebars.js does, so a missing property is simply undefined. The crate's own
//!   lookup fails with an error on a named property of an array (`siblings.first`), and
//!   knows nothing of `length`.
//! - A mustache that prints a plain path, `{{path}}`, becomes `{{js_string path}}`, so
//!   values print with JavaScript's `String()` (arrays comma-joined, `[object Object]`,
//!   dates as `Date.toString()`) rather than the crate's own formatting.
//!
//! Everything else (block and helper names, partials, comments, whitespace control) is
//! left as written, so the crate's standalone-line handling applies unchanged.

/// Helper names a bare `{{name}}` must not be wrapped around.
const HELPERS: [&str; 10] = [
    "json",
    "priority_label",
    "js_path",
    "js_string",
    "lookup",
    "log",
    "if",
    "unless",
    "each",
    "with",
];

/// The adapted source.
pub fn adapt(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + source.len() / 8);
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        let escaped = rest[..start].ends_with('\\');
        out.push_str(&rest[..start]);
        let tag = &rest[start..];
        let end = if tag.starts_with("{{!--") {
            tag.find("--}}").map(|i| i + 4)
        } else if tag.starts_with("{{{") {
            tag.find("}}}").map(|i| i + 3)
        } else {
            tag.find("}}").map(|i| i + 2)
        };
        let Some(end) = end else {
            out.push_str(tag);
            return out;
        };
        let whole = &tag[..end];
        if escaped || whole.starts_with("{{!") || whole.starts_with("{{{") {
            out.push_str(whole);
        } else {
            out.push_str("{{");
            out.push_str(&adapt_tag(&whole[2..whole.len() - 2]));
            out.push_str("}}");
        }
        rest = &tag[end..];
    }
    out.push_str(rest);
    out
}

/// Adapts the inside of one `{{…}}` tag.
fn adapt_tag(inner: &str) -> String {
    let lead = if inner.starts_with('~') { "~" } else { "" };
    let trail = if inner.len() > lead.len() && inner.ends_with('~') {
        "~"
    } else {
        ""
    };
    let body = inner[lead.len()..inner.len() - trail.len()].trim();
    let adapted = match body.chars().next() {
        Some('#' | '^') => {
            // The block's name must still match its closing tag: only its parameters change.
            let name_end = body.find(char::is_whitespace).unwrap_or(body.len());
            format!("{}{}", &body[..name_end], rewrite_paths(&body[name_end..]))
        }
        Some('/' | '>' | '&' | '*') | None => body.to_owned(),
        _ if body == "else" || body.starts_with("else ") => {
            format!("else{}", rewrite_paths(&body[4..]))
        }
        _ if is_plain_path(body) => format!("js_string {}", path_value(body)),
        _ => rewrite_paths(body),
    };
    format!("{lead}{adapted}{trail}")
}

/// Whether `token` is a path to a value (not a literal, not a helper call).
fn is_plain_path(token: &str) -> bool {
    !token.is_empty()
        && !HELPERS.contains(&token)
        && !matches!(token, "true" | "false" | "null" | "undefined")
        && !token.starts_with(|c: char| c.is_ascii_digit() || c == '-')
        && token.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '@' | '$' | '.' | '/' | '-' | '[' | ']')
        })
}

/// `a.b.c` → `(js_path a "b" "c")`; a one-segment path is left as it is.
fn path_value(path: &str) -> String {
    match split_path(path) {
        Some((head, rest)) if !rest.is_empty() => {
            let mut out = format!("(js_path {head}");
            for segment in rest {
                out.push_str(" \"");
                out.push_str(segment);
                out.push('"');
            }
            out.push(')');
            out
        }
        _ => path.to_owned(),
    }
}

/// Splits a path (Handlebars grammar: `this.`/`./`, `@root.`, `../`… prefixes, then
/// segments separated by `.` or `/`, a segment being a name or `[anything]`) into the
/// part the crate resolves and the segment names looked up from there. `this.a.b` splits
/// at `this`, so that even a property of the current context, which may be an array,
/// gets JavaScript semantics. `None` for data variables (`@index`) and for anything
/// malformed, which are left to the crate.
fn split_path(path: &str) -> Option<(&str, Vec<&str>)> {
    for this in ["this.", "this/", "./"] {
        if let Some(rest) = path.strip_prefix(this) {
            let rest = segments(rest)?;
            return rest
                .iter()
                .all(|s| !s.starts_with('@'))
                .then(|| ("this", rest.into_iter().map(segment_name).collect()));
        }
    }
    let mut prefix = 0;
    if path.starts_with("@root.") || path.starts_with("@root/") {
        prefix = "@root.".len();
    } else if path.starts_with('@') {
        return None;
    }
    while path[prefix..].starts_with("../") {
        prefix += "../".len();
    }
    let items = segments(&path[prefix..])?;
    let (first, rest) = items.split_first()?;
    if rest.iter().any(|s| s.starts_with('@')) {
        return None;
    }
    let head = &path[..prefix + first.len()];
    Some((head, rest.iter().copied().map(segment_name).collect()))
}

/// The raw segments of a path without prefixes (`[a.b]` is one segment); `None` if one
/// is empty.
fn segments(mut path: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    loop {
        let len = if path.starts_with('[') {
            path.find(']')? + 1
        } else {
            path.find(['.', '/']).unwrap_or(path.len())
        };
        if len == 0 {
            return None;
        }
        out.push(&path[..len]);
        path = &path[len..];
        if path.is_empty() {
            return Some(out);
        }
        path = path.strip_prefix(['.', '/'])?;
    }
}

/// The property name a segment stands for (`[0]` → `0`).
fn segment_name(segment: &str) -> &str {
    segment
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(segment)
}

/// Rewrites every multi-segment path of a helper or block expression, leaving string
/// literals alone.
fn rewrite_paths(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut token = String::new();
    let mut quote: Option<char> = None;
    let flush = |token: &mut String, out: &mut String| {
        match token.split_once('=') {
            Some((key, value)) => {
                out.push_str(key);
                out.push('=');
                out.push_str(&token_value(value));
            }
            None => out.push_str(&token_value(token)),
        }
        token.clear();
    };
    for c in expr.chars() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => {
                flush(&mut token, &mut out);
                out.push(c);
                quote = Some(c);
            }
            None if c.is_whitespace() || c == '(' || c == ')' || c == '|' => {
                flush(&mut token, &mut out);
                out.push(c);
            }
            None => token.push(c),
        }
    }
    flush(&mut token, &mut out);
    out
}

/// A parameter token: paths rewritten, anything else (literals, names) unchanged.
fn token_value(token: &str) -> String {
    if is_plain_path(token) {
        path_value(token)
    } else {
        token.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_segment_paths_become_js_path_lookups() {
        assert_eq!(
            adapt("{{#if blockedBy.length}}x{{/if}}"),
            "{{#if (js_path blockedBy \"length\")}}x{{/if}}"
        );
        assert_eq!(
            adapt("{{siblings.first}}"),
            "{{js_string (js_path siblings \"first\")}}"
        );
        assert_eq!(
            adapt("{{#unless a.b.length}}{{/unless}}"),
            "{{#unless (js_path a \"b\" \"length\")}}{{/unless}}"
        );
        assert_eq!(
            adapt("{{else if xs.length}}"),
            "{{else if (js_path xs \"length\")}}"
        );
        assert_eq!(
            adapt("{{lookup xs.length \"a.length\"}}"),
            "{{lookup (js_path xs \"length\") \"a.length\"}}"
        );
        assert_eq!(
            adapt("{{json issue.signalPayload}}"),
            "{{json (js_path issue \"signalPayload\")}}"
        );
        assert_eq!(
            adapt("{{#each parent.children as |c|}}{{c.title}}{{/each}}"),
            "{{#each (js_path parent \"children\") as |c|}}{{js_string (js_path c \"title\")}}{{/each}}"
        );
        assert_eq!(
            adapt("{{#with x key=a.b}}{{/with}}"),
            "{{#with x key=(js_path a \"b\")}}{{/with}}"
        );
    }

    #[test]
    fn prefixes_stay_with_the_first_segment() {
        assert_eq!(
            adapt("{{../issue.title}}{{../../a/b}}{{@root.meta.versionId}}"),
            "{{js_string (js_path ../issue \"title\")}}{{js_string (js_path ../../a \"b\")}}\
             {{js_string (js_path @root.meta \"versionId\")}}"
        );
        assert_eq!(
            adapt("{{this.number}}{{./a.b}}{{xs.[0].title}}"),
            "{{js_string (js_path this \"number\")}}{{js_string (js_path this \"a\" \"b\")}}\
             {{js_string (js_path xs \"0\" \"title\")}}"
        );
    }

    #[test]
    fn plain_paths_print_through_js_string() {
        assert_eq!(adapt("# {{title}}!"), "# {{js_string title}}!");
        assert_eq!(
            adapt("{{ this }}{{@index}}{{../x}}{{@root}}"),
            "{{js_string this}}{{js_string @index}}{{js_string ../x}}{{js_string @root}}"
        );
        assert_eq!(
            adapt("{{~issue.title~}}"),
            "{{~js_string (js_path issue \"title\")~}}"
        );
    }

    #[test]
    fn block_names_and_everything_else_are_untouched() {
        for source in [
            "{{#issue.hypothesis}}x{{/issue.hypothesis}}",
            "{{priority_label 3}}",
            "{{> parent_context}}",
            "{{!-- a {{comment}} --}}",
            "{{! note }}",
            "{{/if}}",
            "{{else}}",
            "\\{{literal}}",
            "{{#each siblings}}\n{{/each}}",
            "no tags at all",
            "{{unclosed",
            "{{true}}{{42}}{{1.5}}",
            "{{json \"a.b\"}}",
            "{{@index.x}}",
            "{{a..b}}",
        ] {
            let adapted = adapt(source);
            assert!(!adapted.contains("js_path"), "{source} → {adapted}");
            if !source.contains("{{a..b}}") && !source.contains("{{@index") {
                assert_eq!(adapted, source);
            }
        }
    }
}
