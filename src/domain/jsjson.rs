//! JSON exactly as JavaScript's `JSON.parse` and `JSON.stringify` see it.
//!
//! Sentry signs `JSON.stringify(JSON.parse(body))`, not the raw body, so verifying a
//! real Sentry delivery means reproducing that round trip byte for byte
//! (docs/engine-api.md#webhooks): every number is a double printed the JavaScript way, a repeated key keeps the
//! position of its first occurrence and the value of its last, array-index keys (`"0"`,
//! `"7"`) come first in ascending order as in any JavaScript object, strings are UTF-16
//! (so lone surrogates survive and are re-escaped), and only `"`, `\` and control
//! characters are escaped. `serde_json` cannot represent lone surrogates or JavaScript
//! key order, hence this small parser.

use std::fmt::Write;

use super::jsnum;

/// A parsed JSON value with JavaScript semantics.
#[derive(Debug, Clone, PartialEq)]
pub enum JsValue {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// Every number is a double.
    Number(f64),
    /// UTF-16 code units, lone surrogates included.
    String(Vec<u16>),
    /// An array.
    Array(Vec<JsValue>),
    /// Own properties in JavaScript enumeration order.
    Object(Vec<(Vec<u16>, JsValue)>),
}

/// Why a text was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// It is not JSON; the byte offset of the problem.
    Syntax {
        /// Byte offset of the problem.
        at: usize,
    },
    /// It nests arrays and objects deeper than [`MAX_NESTING`].
    TooDeep,
}

/// The deepest nesting of arrays and objects accepted in a request body. What is
/// accepted is stored, read back with `serde_json` (whose recursion limit allows 127
/// levels) and sent inside response envelopes (a signal payload sits six levels down in
/// `/api/dashboard/activity`), which clients parse with limits of their own. Accepting
/// more than all of them allow would store what cannot be read again (an issue whose
/// every read answers 500); 100 leaves room for every envelope. JavaScript allows more,
/// but no real payload needs it.
pub const MAX_NESTING: usize = 100;

/// Levels of envelope a stored value may be sent inside (`{"data":[{"children":[{"issue":
/// {"signalPayload": …}}]}]}`): [`MAX_NESTING`] plus this must stay readable.
#[cfg(test)]
const DEEPEST_ENVELOPE: usize = 6;

/// Whether `text` (JSON or not) opens more than [`MAX_NESTING`] arrays and objects at
/// once outside strings: tells a body refused for its depth from a malformed one.
pub fn nests_too_deep(text: &[u8]) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0_usize, false, false);
    for &byte in text {
        match (in_string, byte) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (true, b'"') | (false, b'"') => in_string = !in_string,
            (false, b'[' | b'{') => {
                depth += 1;
                if depth > MAX_NESTING {
                    return true;
                }
            }
            (false, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Parses `text` like `JSON.parse`.
pub fn parse(text: &str) -> Result<JsValue, ParseError> {
    let mut parser = Parser {
        text: text.as_bytes(),
        src: text,
        pos: 0,
    };
    parser.skip_ws();
    let value = parser.value(0)?;
    parser.skip_ws();
    if parser.pos != parser.text.len() {
        return Err(parser.error());
    }
    Ok(value)
}

/// `JSON.stringify(JSON.parse(text))` (the tests' way of writing expectations).
#[cfg(test)]
pub fn canonical(text: &str) -> Result<String, ParseError> {
    Ok(parse(text)?.stringify())
}

struct Parser<'a> {
    text: &'a [u8],
    src: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn error(&self) -> ParseError {
        ParseError::Syntax { at: self.pos }
    }

    fn skip_ws(&mut self) {
        while matches!(self.text.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, literal: &str) -> Result<(), ParseError> {
        if self.text[self.pos..].starts_with(literal.as_bytes()) {
            self.pos += literal.len();
            Ok(())
        } else {
            Err(self.error())
        }
    }

    /// A value inside `depth` arrays and objects.
    fn value(&mut self, depth: usize) -> Result<JsValue, ParseError> {
        match self.text.get(self.pos) {
            Some(b'n') => self.eat("null").map(|()| JsValue::Null),
            Some(b't') => self.eat("true").map(|()| JsValue::Bool(true)),
            Some(b'f') => self.eat("false").map(|()| JsValue::Bool(false)),
            Some(b'"') => self.string().map(JsValue::String),
            Some(b'[') => self.array(depth),
            Some(b'{') => self.object(depth),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error()),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.text.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<JsValue, ParseError> {
        let start = self.pos;
        if self.text[self.pos] == b'-' {
            self.pos += 1;
        }
        match self.text.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error()),
        }
        if self.text.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error());
            }
        }
        if matches!(self.text.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.text.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error());
            }
        }
        // Rust's parser rounds correctly, like JavaScript's; overflow gives infinity.
        self.src[start..self.pos]
            .parse::<f64>()
            .map(JsValue::Number)
            .map_err(|_| ParseError::Syntax { at: start })
    }

    fn hex4(&mut self) -> Result<u16, ParseError> {
        let digits = self
            .src
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error())?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.error());
        }
        self.pos += 4;
        u16::from_str_radix(digits, 16).map_err(|_| self.error())
    }

    fn string(&mut self) -> Result<Vec<u16>, ParseError> {
        self.pos += 1; // opening quote
        let mut units = Vec::new();
        loop {
            let Some(&byte) = self.text.get(self.pos) else {
                return Err(self.error());
            };
            match byte {
                b'"' => {
                    self.pos += 1;
                    return Ok(units);
                }
                b'\\' => {
                    self.pos += 1;
                    let escaped = self
                        .text
                        .get(self.pos)
                        .copied()
                        .ok_or_else(|| self.error())?;
                    self.pos += 1;
                    let unit = match escaped {
                        b'"' => 0x22,
                        b'\\' => 0x5c,
                        b'/' => 0x2f,
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => 0x0a,
                        b'r' => 0x0d,
                        b't' => 0x09,
                        b'u' => self.hex4()?,
                        _ => {
                            self.pos -= 1;
                            return Err(self.error());
                        }
                    };
                    units.push(unit);
                }
                0x00..=0x1f => return Err(self.error()),
                _ => {
                    // A whole UTF-8 character: the text is a `str`, so it is well-formed.
                    let rest = &self.src[self.pos..];
                    let ch = rest.chars().next().ok_or_else(|| self.error())?;
                    let mut buf = [0u16; 2];
                    units.extend_from_slice(ch.encode_utf16(&mut buf));
                    self.pos += ch.len_utf8();
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<JsValue, ParseError> {
        if depth >= MAX_NESTING {
            return Err(ParseError::TooDeep);
        }
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.text.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(JsValue::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.text.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(JsValue::Array(items));
                }
                _ => return Err(self.error()),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsValue, ParseError> {
        if depth >= MAX_NESTING {
            return Err(ParseError::TooDeep);
        }
        self.pos += 1;
        let mut members: Vec<(Vec<u16>, JsValue)> = Vec::new();
        self.skip_ws();
        if self.text.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(JsValue::Object(members));
        }
        loop {
            self.skip_ws();
            if self.text.get(self.pos) != Some(&b'"') {
                return Err(self.error());
            }
            let key = self.string()?;
            self.skip_ws();
            self.eat(":")?;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            match members.iter_mut().find(|(k, _)| *k == key) {
                Some(existing) => existing.1 = value,
                None => members.push((key, value)),
            }
            self.skip_ws();
            match self.text.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    // JavaScript enumerates array-index keys first, ascending.
                    members.sort_by_key(|(k, _)| array_index(k).map_or((1, 0), |i| (0, i)));
                    return Ok(JsValue::Object(members));
                }
                _ => return Err(self.error()),
            }
        }
    }
}

/// The value of an array-index key (`"0"`..`"4294967294"`, no leading zeros).
fn array_index(key: &[u16]) -> Option<u32> {
    if key.is_empty() || key.len() > 10 || (key.len() > 1 && key[0] == u16::from(b'0')) {
        return None;
    }
    let mut value: u64 = 0;
    for &unit in key {
        let digit = u8::try_from(unit).ok().filter(u8::is_ascii_digit)?;
        value = value * 10 + u64::from(digit - b'0');
    }
    u32::try_from(value).ok().filter(|v| *v != u32::MAX)
}

impl JsValue {
    /// `JSON.stringify(value)`.
    pub fn stringify(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::Number(n) if n.is_finite() => out.push_str(&jsnum::format(*n)),
            Self::Number(_) => out.push_str("null"),
            Self::String(units) => quote(units, out),
            Self::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Self::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    quote(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    /// The member `key` of an object (`None` for other values or a missing key).
    pub fn get(&self, key: &str) -> Option<&JsValue> {
        let Self::Object(members) = self else {
            return None;
        };
        let wanted: Vec<u16> = key.encode_utf16().collect();
        members.iter().find(|(k, _)| *k == wanted).map(|(_, v)| v)
    }

    /// Optional chaining with `??`: the value at `path`, unless it is missing or `null`.
    pub fn at(&self, path: &[&str]) -> Option<&JsValue> {
        let mut current = self;
        for key in path {
            current = current.get(key)?;
        }
        (!matches!(current, Self::Null)).then_some(current)
    }

    /// JavaScript truthiness.
    pub fn is_truthy(&self) -> bool {
        match self {
            Self::Null => false,
            Self::Bool(b) => *b,
            Self::Number(n) => *n != 0.0 && !n.is_nan(),
            Self::String(s) => !s.is_empty(),
            Self::Array(_) | Self::Object(_) => true,
        }
    }

    /// JavaScript's `String(value)`: strings as they are, numbers formatted the
    /// JavaScript way, objects as `[object Object]`, arrays comma-joined (with `null`
    /// elements as empty strings).
    pub fn to_js_string(&self) -> String {
        match self {
            Self::Null => "null".to_owned(),
            Self::Bool(b) => b.to_string(),
            Self::Number(n) => jsnum::format(*n),
            Self::String(units) => String::from_utf16_lossy(units),
            Self::Object(_) => "[object Object]".to_owned(),
            Self::Array(items) => items
                .iter()
                .map(|item| match item {
                    Self::Null => String::new(),
                    other => other.to_js_string(),
                })
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    /// JavaScript's `Number(value)` (numbers, numeric strings, booleans, `null` → 0;
    /// anything else `NaN`).
    pub fn to_js_number(&self) -> f64 {
        match self {
            Self::Null => 0.0,
            Self::Bool(b) => f64::from(u8::from(*b)),
            Self::Number(n) => *n,
            Self::String(units) => {
                jsnum::parse(&String::from_utf16_lossy(units)).unwrap_or(f64::NAN)
            }
            Self::Array(items) if items.is_empty() => 0.0,
            Self::Array(items) if items.len() == 1 => items[0].to_js_number(),
            Self::Array(_) | Self::Object(_) => f64::NAN,
        }
    }

    /// The value as `serde_json` holds it, for storing and answering (lone surrogates
    /// become U+FFFD; non-finite numbers, which JSON cannot carry, become `null`).
    pub fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(*b),
            Self::Number(n) if n.is_finite() => jsnum::to_json(*n),
            Self::Number(_) => Value::Null,
            Self::String(units) => Value::String(String::from_utf16_lossy(units)),
            Self::Array(items) => Value::Array(items.iter().map(Self::to_serde).collect()),
            Self::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (String::from_utf16_lossy(k), v.to_serde()))
                    .collect(),
            ),
        }
    }
}

/// Writes `units` as a JSON string literal the way `JSON.stringify` does.
fn quote(units: &[u16], out: &mut String) {
    out.push('"');
    for item in char::decode_utf16(units.iter().copied()) {
        match item {
            Ok('"') => out.push_str("\\\""),
            Ok('\\') => out.push_str("\\\\"),
            Ok('\u{8}') => out.push_str("\\b"),
            Ok('\u{c}') => out.push_str("\\f"),
            Ok('\n') => out.push_str("\\n"),
            Ok('\r') => out.push_str("\\r"),
            Ok('\t') => out.push_str("\\t"),
            Ok(c) if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            Ok(c) => out.push(c),
            Err(lone) => {
                let _ = write!(out, "\\u{:04x}", lone.unpaired_surrogate());
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(text: &str) -> String {
        canonical(text).unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    #[test]
    fn removes_whitespace_and_keeps_key_order() {
        assert_eq!(
            canon(" { \"b\" : 1 ,\n\t\"a\" : [ true , false , null ] } "),
            r#"{"b":1,"a":[true,false,null]}"#
        );
        assert_eq!(
            canon(r#"{"z":{"y":{"x":{}}},"w":[]}"#),
            r#"{"z":{"y":{"x":{}}},"w":[]}"#
        );
    }

    #[test]
    fn duplicate_keys_keep_first_position_and_last_value() {
        assert_eq!(canon(r#"{"a":1,"b":2,"a":3}"#), r#"{"a":3,"b":2}"#);
    }

    #[test]
    fn array_index_keys_come_first() {
        assert_eq!(
            canon(r#"{"b":1,"10":2,"2":3,"01":4,"a":5}"#),
            r#"{"2":3,"10":2,"b":1,"01":4,"a":5}"#
        );
        assert_eq!(
            canon(r#"{"4294967295":1,"4294967294":2}"#),
            r#"{"4294967294":2,"4294967295":1}"#
        );
    }

    #[test]
    fn numbers_print_the_javascript_way() {
        assert_eq!(
            canon("[1.0,1e2,1E21,-0,0.5,1e-7,100,2.50]"),
            "[1,100,1e+21,0,0.5,1e-7,100,2.5]"
        );
        assert_eq!(
            canon("[12345678901234567890,9007199254740993]"),
            "[12345678901234567000,9007199254740992]"
        );
        assert_eq!(canon("[1e400,-1e400]"), "[null,null]");
    }

    #[test]
    fn strings_escape_only_what_javascript_escapes() {
        assert_eq!(canon(r#""a/b\/c""#), r#""a/b/c""#);
        assert_eq!(canon(r#""\u00e9\u20ac😀 ü""#), "\"é€😀 ü\"");
        assert_eq!(
            canon(r#""\b\f\n\r\t\u0001\u001f\u007f""#),
            "\"\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}\""
        );
        assert_eq!(canon(r#""\"\\""#), r#""\"\\""#);
        assert_eq!(canon(r#""\uD83D\uDE00""#), "\"😀\"");
        assert_eq!(canon(r#""\ud800x\uDC00""#), r#""\ud800x\udc00""#);
    }

    #[test]
    fn rejects_what_json_parse_rejects() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "+1",
            "NaN",
            "'a'",
            "\"\u{1}\"",
            "\"\\x\"",
            "{a:1}",
            "[1] 2",
            "\"\\u12\"",
            "tru",
            "\u{a0}1",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    /// `levels` arrays and objects nested inside each other, innermost holding a value.
    fn nested(levels: usize) -> String {
        let open: String = (0..levels)
            .map(|i| if i % 2 == 0 { "[" } else { "{\"k\":" })
            .collect();
        let close: String = (0..levels)
            .rev()
            .map(|i| if i % 2 == 0 { "]" } else { "}" })
            .collect();
        format!("{open}1{close}")
    }

    #[test]
    fn whatever_is_accepted_can_be_read_back_by_serde_json() {
        let deepest = nested(MAX_NESTING);
        let value = parse(&deepest).map(|v| v.to_serde());
        assert!(value.is_ok(), "{value:?}");
        let stored = value.map(|v| v.to_string()).unwrap_or_default();
        assert!(serde_json::value::RawValue::from_string(stored.clone()).is_ok());
        let enveloped =
            "{\"e\":".repeat(DEEPEST_ENVELOPE) + &stored + &"}".repeat(DEEPEST_ENVELOPE);
        assert!(serde_json::from_str::<serde_json::Value>(&enveloped).is_ok());
        assert!(!nests_too_deep(deepest.as_bytes()));

        let deeper = nested(MAX_NESTING + 1);
        assert_eq!(parse(&deeper), Err(ParseError::TooDeep));
        assert!(nests_too_deep(deeper.as_bytes()));
        assert_eq!(parse(&nested(200)), Err(ParseError::TooDeep));
        assert!(
            serde_json::from_str::<serde_json::Value>(&nested(200)).is_err(),
            "200 levels could never be read back"
        );
    }

    #[test]
    fn depth_is_counted_outside_strings_only() {
        let brackets = "[".repeat(MAX_NESTING + 1);
        assert!(!nests_too_deep(
            format!("[\"{brackets}\", \"\\\"{brackets}\"]").as_bytes()
        ));
        assert!(nests_too_deep(
            format!("{brackets} not even JSON").as_bytes()
        ));
        let siblings = "[],".repeat(MAX_NESTING + 1);
        assert!(!nests_too_deep(format!("[{siblings}[]]").as_bytes()));
    }

    #[test]
    fn javascript_conversions() {
        let value =
            parse(r#"{"n":55,"f":-12.5,"s":"x","o":{},"a":[1,null,[2,3]],"t":true,"z":null}"#)
                .unwrap_or(JsValue::Null);
        let s = |k: &str| value.get(k).map(JsValue::to_js_string).unwrap_or_default();
        assert_eq!(
            (s("n"), s("f"), s("s"), s("o"), s("a"), s("t")),
            (
                "55".into(),
                "-12.5".into(),
                "x".into(),
                "[object Object]".into(),
                "1,,2,3".into(),
                "true".into()
            )
        );
        assert_eq!(value.at(&["z"]), None, "null falls back like ??");
        assert!(value.at(&["s"]).is_some());
        assert_eq!(
            parse(r#""250""#).map(|v| v.to_js_number()).ok(),
            Some(250.0)
        );
        assert!(
            parse(r#""abc""#)
                .map(|v| v.to_js_number().is_nan())
                .unwrap_or(false)
        );
        assert!(!parse("0").map(|v| v.is_truthy()).unwrap_or(true));
        assert!(parse("\"0\"").map(|v| v.is_truthy()).unwrap_or(false));
        assert_eq!(
            parse(r#"{"a":1.0}"#).map(|v| v.to_serde()).ok(),
            Some(serde_json::json!({"a": 1}))
        );
    }
}
