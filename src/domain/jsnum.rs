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

/// Formats `value` exactly like JavaScript's `String(value)` (ECMAScript
/// Number::toString): `55`, `-12.5`, `1e+21`, `1.5e-7`, `NaN`, `Infinity`, and `0` for
/// `-0`.
pub fn format(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if value == 0.0 {
        return "0".to_owned();
    }
    // `{:e}` gives the shortest round-trip digits: `d.ddde±x`.
    let scientific = format!("{:e}", value.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    // value = 0.digits × 10^n
    let n = exponent.parse::<i64>().unwrap_or(0) + 1;
    let sign = if value < 0.0 { "-" } else { "" };
    let zeros = |count: i64| "0".repeat(usize::try_from(count).unwrap_or(0));
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", zeros(n - k))
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(usize::try_from(n).unwrap_or(0));
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", zeros(-n))
    } else {
        let exp_sign = if n - 1 < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() { "" } else { "." };
        format!("{first}{point}{rest}e{exp_sign}{}", (n - 1).abs())
    };
    format!("{sign}{body}")
}

/// JavaScript's `value.toFixed(digits)` for finite values below 1e21: the exact binary
/// value rounded to `digits` decimals, an exact tie rounding away from zero (`2.25` →
/// `2.3`, where Rust's formatting would give `2.2`).
pub fn to_fixed(value: f64, digits: usize) -> String {
    // Every finite double has a terminating decimal expansion of at most 1074 digits.
    let exact = format!("{:.1100}", value.abs());
    let (int, frac) = exact.split_once('.').unwrap_or((&exact, ""));
    let mut kept: Vec<u8> = int.bytes().chain(frac.bytes().take(digits)).collect();
    if frac.as_bytes().get(digits).is_some_and(|d| *d >= b'5') {
        let mut i = kept.len();
        loop {
            if i == 0 {
                kept.insert(0, b'1');
                break;
            }
            i -= 1;
            if kept[i] == b'9' {
                kept[i] = b'0';
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    let int_len = kept.len() - digits;
    let mut out = String::from_utf8_lossy(&kept[..int_len]).into_owned();
    if digits > 0 {
        out.push('.');
        out.push_str(&String::from_utf8_lossy(&kept[int_len..]));
    }
    let is_zero = kept.iter().all(|d| *d == b'0');
    if value.is_sign_negative() && !is_zero {
        format!("-{out}")
    } else {
        out
    }
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
    // Whole doubles below 2^63 convert to i64 exactly.
    #[allow(clippy::cast_possible_truncation)]
    if value.fract() == 0.0 && value.abs() < 9.223_372_036_854_775e18 {
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

    #[test]
    fn formats_like_javascript() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (55.0, "55"),
            (-12.5, "-12.5"),
            (0.1, "0.1"),
            (100.0, "100"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (2.5e300, "2.5e+300"),
            (12345678901234567890.0, "12345678901234567000"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (0.30000000000000004, "0.30000000000000004"),
        ];
        for (value, expected) in cases {
            assert_eq!(format(value), expected, "{value:e}");
        }
    }

    #[test]
    fn to_fixed_matches_javascript() {
        let cases = [
            (7.0 / 3.0, 1, "2.3"),
            (7.0 / 3.0, 2, "2.33"),
            (2.25, 1, "2.3"),
            (2.35, 1, "2.4"),
            (0.125, 2, "0.13"),
            (1.005, 2, "1.00"),
            (5.0, 1, "5.0"),
            (9.99, 1, "10.0"),
            (3.6, 2, "3.60"),
            (-1.25, 1, "-1.3"),
            (0.04, 1, "0.0"),
            (4.0, 0, "4"),
        ];
        for (value, digits, expected) in cases {
            assert_eq!(
                to_fixed(value, digits),
                expected,
                "{value}.toFixed({digits})"
            );
        }
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
