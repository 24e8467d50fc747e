//! Adapts Handlebars.js template source to the `handlebars` crate, so templates written
//! for the original render the same here:
//!
//! - `path.length` (an array's or string's length in JavaScript) becomes the
//!   subexpression `(length path)`; the crate would otherwise fail on a string index
//!   into an array.
//! - A mustache that prints a plain path, `{{path}}`, becomes `{{js_string path}}`, so
//!   values print with JavaScript's `String()` (arrays comma-joined, `[object Object]`,
//!   dates as `Date.toString()`) rather than the crate's own formatting.
//!
//! Everything else (blocks, partials, comments, whitespace control) is left as written,
//! so the crate's standalone-line handling applies unchanged.

/// Helper names a bare `{{name}}` must not be wrapped around.
const HELPERS: [&str; 10] = [
    "json",
    "priority_label",
    "length",
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
        Some('#' | '^') => format!("{}{}", &body[..1], rewrite_lengths(&body[1..])),
        Some('/' | '>' | '&' | '*') | None => body.to_owned(),
        _ if body == "else" || body.starts_with("else ") => {
            format!("else{}", rewrite_lengths(&body[4..]))
        }
        _ if is_plain_path(body) => format!("js_string {}", path_value(body)),
        _ => rewrite_lengths(body),
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

/// `path.length` → `(length path)`; other paths unchanged.
fn path_value(path: &str) -> String {
    match path.strip_suffix(".length") {
        Some(base) if !base.is_empty() && is_plain_path(base) => format!("(length {base})"),
        _ => path.to_owned(),
    }
}

/// Rewrites every `path.length` token of a helper or block expression, leaving string
/// literals alone.
fn rewrite_lengths(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut token = String::new();
    let mut quote: Option<char> = None;
    let flush = |token: &mut String, out: &mut String| {
        match token.split_once('=') {
            Some((key, value)) => {
                out.push_str(key);
                out.push('=');
                out.push_str(&path_value(value));
            }
            None => out.push_str(&path_value(token)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_become_subexpressions() {
        assert_eq!(
            adapt("{{#if blockedBy.length}}x{{/if}}"),
            "{{#if (length blockedBy)}}x{{/if}}"
        );
        assert_eq!(
            adapt("{{siblings.length}}"),
            "{{js_string (length siblings)}}"
        );
        assert_eq!(
            adapt("{{#unless a.b.length}}{{/unless}}"),
            "{{#unless (length a.b)}}{{/unless}}"
        );
        assert_eq!(adapt("{{else if xs.length}}"), "{{else if (length xs)}}");
        assert_eq!(
            adapt("{{lookup xs.length \"a.length\"}}"),
            "{{lookup (length xs) \"a.length\"}}"
        );
    }

    #[test]
    fn plain_paths_print_through_js_string() {
        assert_eq!(adapt("# {{issue.title}}!"), "# {{js_string issue.title}}!");
        assert_eq!(
            adapt("{{ this.number }}{{@index}}{{../x}}"),
            "{{js_string this.number}}{{js_string @index}}{{js_string ../x}}"
        );
        assert_eq!(adapt("{{~issue.title~}}"), "{{~js_string issue.title~}}");
    }

    #[test]
    fn everything_else_is_untouched() {
        for source in [
            "{{json issue.signalPayload}}",
            "{{priority_label issue.priority}}",
            "{{> parent_context}}",
            "{{!-- a {{comment}} --}}",
            "{{! note }}",
            "{{/if}}",
            "{{else}}",
            "\\{{literal}}",
            "{{#each siblings}}\n- {{/each}}",
            "no tags at all",
            "{{unclosed",
            "{{true}}{{42}}",
        ] {
            let adapted = adapt(source);
            assert!(
                !adapted.contains("js_string") || source.contains("- "),
                "{source} → {adapted}"
            );
            if !source.contains("{{#each") {
                assert_eq!(adapted, source);
            }
        }
    }
}
