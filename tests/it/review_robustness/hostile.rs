//! Hostile values: field values, bodies and path segments that no route may choke on.

use serde_json::{Map, Value};

use super::rng::Rng;

/// What a raw JSON value is, to tell which answers are right for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    /// Not JSON (or too deep to read): 400 wherever a body is read.
    Unreadable,
    /// `null` or `""`: an absent optional field.
    Absent,
    Str,
    Number,
    Bool,
    Array,
    Object,
}

/// A value as raw JSON text, since some (`1e400`, `"\ud800"`) have no `Value`.
#[derive(Clone, Debug)]
pub(super) struct Hostile {
    pub(super) raw: String,
    pub(super) class: Class,
}

/// How deep `raw` nests arrays and objects (outside strings).
pub(super) fn nesting(raw: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0_usize, 0, false, false);
    for c in raw.chars() {
        match (in_string, c) {
            (true, _) if escaped => escaped = false,
            (true, '\\') => escaped = true,
            (_, '"') => in_string = !in_string,
            (false, '[' | '{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

pub(super) fn classify(value: &Value) -> Class {
    match value {
        Value::Null => Class::Absent,
        Value::String(s) if s.is_empty() => Class::Absent,
        Value::String(_) => Class::Str,
        Value::Number(_) => Class::Number,
        Value::Bool(_) => Class::Bool,
        Value::Array(_) => Class::Array,
        Value::Object(_) => Class::Object,
    }
}

/// The fixed list of hostile field values, then `generated` values from the generator.
pub(super) fn hostile_values(rng: &mut Rng, generated: usize) -> Vec<Hostile> {
    use Class::*;
    let long = format!("\"{}\"", "x".repeat(100_000));
    let deep = format!("{}{}", "[".repeat(150), "]".repeat(150));
    // As deep as a body may nest where the field sits at the top (100 levels in all).
    let deepest = format!("{}{}", "[".repeat(99), "]".repeat(99));
    let mut values: Vec<Hostile> = [
        ("0", Number),
        ("-1", Number),
        ("-0", Number),
        ("1.5", Number),
        ("600.0", Number),
        ("1e308", Number),
        ("-1e308", Number),
        ("1e400", Unreadable),
        ("-1e400", Unreadable),
        ("123456789012345678901234567890", Number),
        ("18446744073709551616", Number),
        ("9007199254740993", Number),
        ("true", Bool),
        ("false", Bool),
        ("null", Absent),
        ("\"\"", Absent),
        ("\"true\"", Str),
        ("\"false\"", Str),
        ("\"0\"", Str),
        ("\"-1\"", Str),
        ("\"600\"", Str),
        ("\"1e400\"", Str),
        ("[]", Array),
        ("[[[[]]]]", Array),
        ("[\"approve\",\"swiper\"]", Array),
        ("{}", Object),
        ("{\"a\":{\"b\":[1,{\"c\":null}]}}", Object),
        (long.as_str(), Str),
        ("\"a\\u0000b\"", Str),
        ("\"\\u0001\\u001f\\u007f\\u0085\"", Str),
        ("\"\\ud800\"", Unreadable),
        ("\"\\udc00\\ud800x\"", Unreadable),
        ("\"\\u12\"", Unreadable),
        ("\"a\u{1}b\"", Unreadable),
        ("\"😀\"", Str),
        ("\"\\ud83d\\ude00\"", Str),
        ("\" \"", Str),
        ("\"\\n\\t\\r\"", Str),
        ("\"approve \"", Str),
        ("\"APPROVE\"", Str),
        ("\"SWIPER\"", Str),
        ("\"\\u202e\\ufeff\"", Str),
        ("\"<script>alert(1)</script>\"", Str),
        ("\"' OR 1=1 --\"", Str),
        ("\"%00%ff../..\"", Str),
        (deep.as_str(), Unreadable),
        (deepest.as_str(), Array),
    ]
    .iter()
    .map(|(raw, class)| Hostile {
        raw: (*raw).to_owned(),
        class: *class,
    })
    .collect();
    for _ in 0..generated {
        let value = rng.value(3);
        values.push(Hostile {
            raw: value.to_string(),
            class: classify(&value),
        });
    }
    values
}

/// Bodies that are not a JSON object: 400 wherever a body is read.
pub(super) fn malformed_bodies(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut bodies: Vec<Vec<u8>> = [
        "{",
        "}",
        "{\"a\":}",
        "{'a':1}",
        "{\"a\":1,}",
        "[1,2",
        "nul",
        "\"unterminated",
        "{\"a\":1} trailing",
        "{}{}",
        "\u{feff}{}",
        "\u{0}",
        "{\"a\":1e400}",
        "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"\u{1}\"}",
        "null",
        "[]",
        "[{}]",
        "\"x\"",
        "42",
        "true",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    bodies.push(vec![0xff, 0xfe, b'{', b'}']);
    bodies.push(b"{\"a\":\"\xff\xfe\"}".to_vec());
    bodies.push("[".repeat(100_000).into_bytes());
    bodies.push("{\"a\":".repeat(20_000).into_bytes());
    // A valid object with random bytes overwritten: mostly no longer JSON.
    let valid = br#"{"module":"swiper","payload":{"content":"hi"},"decision":"approve"}"#;
    for _ in 0..6 {
        let mut body = valid.to_vec();
        for _ in 0..3 {
            let at = rng.below(body.len());
            body[at] = *rng.pick(b"{}[]\",:\\\x00\xff");
        }
        if serde_json::from_slice::<Map<String, Value>>(&body).is_err() {
            bodies.push(body);
        }
    }
    bodies
}

/// Path segments that name nothing (already percent-encoded for the wire).
pub(super) fn hostile_ids(real: &str) -> Vec<String> {
    let mut ids: Vec<String> = [
        "0",
        "-1",
        "null",
        "undefined",
        "true",
        "%00",
        "%2e%2e",
        "..",
        ".",
        "%2F",
        "a%2Fb",
        "%ff",
        "%",
        "%zz",
        "%25",
        "%C3%A9",
        "%F0%9F%98%80",
        "%E2%80%AE",
        "%ED%A0%80",
        "%EF%BF%BF",
        "'%20OR%201=1--",
        "*",
        "1e400",
        "99999999999999999999999999",
        "00000000-0000-0000-0000-000000000000",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    ids.push(real.to_uppercase());
    ids.push(format!("{real}x"));
    ids.push(format!("{real}%20"));
    ids.push(format!("%20{real}"));
    ids.push(format!("{real}%00"));
    ids.push("a".repeat(10_000));
    ids
}
