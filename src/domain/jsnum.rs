//! Numbers the JavaScript way, as the original server and its clients see them.

use serde::Serializer;

/// Converts `text` like JavaScript's `Number(text)`: surrounding white space is ignored,
/// an empty string is 0, `0x`/`0o`/`0b` prefixes select a radix, and anything else that
/// is not a decimal literal is `None` (JavaScript's `NaN`).
pub fn parse(text: &str) -> Option<f64> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Some(0.0);
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = trimmed.strip_prefix(prefix) {
            #[allow(clippy::cast_precision_loss)]
            return u64::from_str_radix(digits, radix).ok().map(|n| n as f64);
        }
    }
    let unsigned = trimmed.trim_start_matches(['+', '-']);
    if unsigned.len() + 1 < trimmed.len() {
        return None;
    }
    match unsigned {
        "Infinity" => Some(if trimmed.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }),
        // Rust also accepts `inf`, `nan` and friends, which JavaScript does not.
        _ if unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.') => trimmed.parse().ok(),
        _ => None,
    }
}

/// Parses `text` as a JavaScript number that must be a whole number.
pub fn parse_integer(text: &str) -> Option<i64> {
    let n = parse(text)?;
    #[allow(clippy::cast_possible_truncation)]
    (n.is_finite() && n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0).then_some(n as i64)
}

/// Serialises an `f64` as JavaScript prints it: whole numbers without `.0` (`200`, not
/// `200.0`), others in their shortest round-trip form.
pub fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() < 1e21 {
        #[allow(clippy::cast_possible_truncation)]
        serializer.serialize_i128(*value as i128)
    } else {
        serializer.serialize_f64(*value)
    }
}

/// `value` as a JSON number printed the JavaScript way (see [`serialize`]).
pub fn to_json(value: f64) -> serde_json::Value {
    #[allow(clippy::cast_possible_truncation)]
    if value.fract() == 0.0 && value.abs() <= 9_007_199_254_740_991.0 {
        serde_json::Value::from(value as i64)
    } else {
        serde_json::Value::from(value)
    }
}

/// [`serialize`] for an optional number (`None` is `null`).
#[allow(clippy::ref_option)]
pub fn serialize_option<S: Serializer>(
    value: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => serialize(v, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_conversion_matches_javascript() {
        assert_eq!(parse(""), Some(0.0));
        assert_eq!(parse("  "), Some(0.0));
        assert_eq!(parse(" 7 "), Some(7.0));
        assert_eq!(parse("1e1"), Some(10.0));
        assert_eq!(parse("2.5"), Some(2.5));
        assert_eq!(parse("-3"), Some(-3.0));
        assert_eq!(parse("+3"), Some(3.0));
        assert_eq!(parse("0x10"), Some(16.0));
        assert_eq!(parse(".5"), Some(0.5));
        assert_eq!(parse("abc"), None);
        assert_eq!(parse("inf"), None);
        assert_eq!(parse("NaN"), None);
        assert_eq!(parse("--3"), None);
        assert_eq!(parse("3abc"), None);
        assert_eq!(parse("Infinity"), Some(f64::INFINITY));
    }

    #[test]
    fn integers_must_be_whole() {
        assert_eq!(parse_integer("20"), Some(20));
        assert_eq!(parse_integer("1e1"), Some(10));
        assert_eq!(parse_integer(""), Some(0));
        assert_eq!(parse_integer("2.5"), None);
        assert_eq!(parse_integer("Infinity"), None);
        assert_eq!(parse_integer("x"), None);
    }

    #[derive(serde::Serialize)]
    struct Probe {
        #[serde(serialize_with = "serialize")]
        n: f64,
        #[serde(serialize_with = "serialize_option")]
        m: Option<f64>,
    }

    fn print(n: f64, m: Option<f64>) -> String {
        serde_json::to_string(&Probe { n, m }).unwrap_or_default()
    }

    #[test]
    fn prints_like_javascript() {
        assert_eq!(print(200.0, None), r#"{"n":200,"m":null}"#);
        assert_eq!(print(-0.0, Some(0.75)), r#"{"n":0,"m":0.75}"#);
        assert_eq!(print(3.2, Some(450.0)), r#"{"n":3.2,"m":450}"#);
    }
}
