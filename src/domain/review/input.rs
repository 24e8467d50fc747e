//! Lenient field readers for the review API (docs/review-api.md#conventions): for optional fields
//! `null` and `""` mean absent, integers may arrive as integral floats or digit strings,
//! booleans as `"true"`/`"false"`. Each reader stops at the first problem, which names
//! its field: the review API reports one `field` per error.

use serde_json::{Map, Value};

use crate::domain::enums::WireEnum;
use crate::domain::validate::{FieldError, js_length};

/// The value of an optional field, `None` when missing, `null` or `""`.
pub fn present<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object
        .get(key)
        .filter(|v| !v.is_null() && v.as_str() != Some(""))
}

/// `path` under `prefix` (`card.title`).
fn path(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// An optional string of at most `max` characters.
pub fn opt_string(
    object: &Map<String, Value>,
    prefix: &str,
    key: &str,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match present(object, key) {
        None => Ok(None),
        Some(Value::String(s)) if js_length(s) <= max => Ok(Some(s.clone())),
        Some(Value::String(_)) => Err(FieldError::new(
            path(prefix, key),
            format!("{key} must be at most {max} characters"),
        )),
        Some(_) => Err(FieldError::new(
            path(prefix, key),
            format!("{key} must be a string"),
        )),
    }
}

/// An optional integer in `min..=max`: a JSON integer, an integral float or a string of
/// decimal digits.
pub fn opt_integer(
    object: &Map<String, Value>,
    key: &str,
    min: i64,
    max: i64,
) -> Result<Option<i64>, FieldError> {
    let Some(value) = present(object, key) else {
        return Ok(None);
    };
    let number = match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| {
                    #[allow(clippy::cast_possible_truncation)]
                    let whole = f as i64;
                    whole
                })
        }),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        _ => None,
    };
    match number {
        Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(FieldError::new(
            key,
            format!("{key} must be a whole number from {min} to {max}"),
        )),
    }
}

/// An optional rate from 0 to 1 (a number, or a string holding one), in parts per
/// million, rounded: `0.05` is 50 000.
pub fn opt_rate(object: &Map<String, Value>, key: &str) -> Result<Option<i64>, FieldError> {
    let Some(value) = present(object, key) else {
        return Ok(None);
    };
    let rate = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match rate {
        Some(rate) if (0.0..=1.0).contains(&rate) => {
            #[allow(clippy::cast_possible_truncation)]
            let ppm = (rate * 1_000_000.0).round() as i64;
            Ok(Some(ppm))
        }
        _ => Err(FieldError::new(
            key,
            format!("{key} must be a number from 0 to 1 (0.05 is one card in 20; 0 turns it off)"),
        )),
    }
}

/// An optional boolean: `true`/`false` or the strings `"true"`/`"false"`.
pub fn opt_bool(object: &Map<String, Value>, key: &str) -> Result<Option<bool>, FieldError> {
    match present(object, key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s == "true" => Ok(Some(true)),
        Some(Value::String(s)) if s == "false" => Ok(Some(false)),
        Some(_) => Err(FieldError::new(key, format!("{key} must be true or false"))),
    }
}

/// An optional member of `E` (exact, lowercase).
pub fn opt_enum<E: WireEnum>(
    object: &Map<String, Value>,
    key: &str,
) -> Result<Option<E>, FieldError> {
    match present(object, key) {
        None => Ok(None),
        Some(value) => value
            .as_str()
            .and_then(E::parse)
            .map(Some)
            .ok_or_else(|| not_one_of::<E>(key)),
    }
}

/// The problem of a `key` that is not one of `E`'s values; the message lists them.
pub fn not_one_of<E: WireEnum>(key: &str) -> FieldError {
    let options: Vec<&str> = E::ALL.iter().map(|v| v.as_str()).collect();
    FieldError::new(key, format!("{key} must be one of: {}", options.join(", ")))
}

/// Whether `url` is an absolute `http` or `https` URL a verdict can be delivered to: it
/// parses by the rules of the `http` crate, which the deliverer (ureq) sends with, has a
/// host, a port (if it names one) from 1 to 65535, and no whitespace or control
/// characters. Anything looser is accepted at ingest and then fails every delivery, or,
/// for an out-of-range port, which `http` drops silently, goes to the default port.
pub fn is_http_url(url: &str) -> bool {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Ok(uri) = url.parse::<http::Uri>() else {
        return false;
    };
    let Some(authority) = uri.authority() else {
        return false;
    };
    let host = authority.host();
    let host_and_port = authority
        .as_str()
        .rsplit_once('@')
        .map_or(authority.as_str(), |(_, rest)| rest);
    let port_ok = host_and_port.len() == host.len() || authority.port_u16().is_some_and(|p| p > 0);
    matches!(uri.scheme_str(), Some("http" | "https")) && !host.is_empty() && port_ok
}

/// An optional absolute `http(s)` URL of at most 2048 characters.
pub fn opt_url(object: &Map<String, Value>, key: &str) -> Result<Option<String>, FieldError> {
    let url = opt_string(object, "", key, 2048)?;
    match url {
        Some(url) if !is_http_url(url.trim()) => Err(FieldError::new(
            key,
            format!("{key} must be an absolute http or https URL"),
        )),
        other => Ok(other.map(|u| u.trim().to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn rates_are_shares_from_zero_to_one() {
        let read = |v: Value| opt_rate(&object(json!({"r": v})), "r");
        assert_eq!(read(json!(0.05)), Ok(Some(50_000)));
        assert_eq!(read(json!(1)), Ok(Some(1_000_000)));
        assert_eq!(read(json!("0.25")), Ok(Some(250_000)));
        assert_eq!(read(json!(0)), Ok(Some(0)));
        assert_eq!(read(json!(null)), Ok(None));
        for bad in [
            json!(1.5),
            json!(-0.1),
            json!("x"),
            json!(true),
            json!("NaN"),
        ] {
            assert!(read(bad).is_err());
        }
    }

    #[test]
    fn empty_strings_and_nulls_are_absent() {
        let o = object(json!({"a": "", "b": null, "c": "x"}));
        assert_eq!(opt_string(&o, "", "a", 10), Ok(None));
        assert_eq!(opt_string(&o, "", "b", 10), Ok(None));
        assert_eq!(opt_string(&o, "", "c", 10), Ok(Some("x".to_owned())));
        assert_eq!(opt_integer(&o, "a", 1, 5), Ok(None));
        assert_eq!(opt_url(&o, "a"), Ok(None));
    }

    #[test]
    fn integers_are_lenient_but_exact() {
        let o = object(json!({"i": 3, "f": 600.0, "s": "600", "half": 2.5, "neg": "-1", "big": 9}));
        assert_eq!(opt_integer(&o, "i", 1, 5), Ok(Some(3)));
        assert_eq!(opt_integer(&o, "f", 1, 1000), Ok(Some(600)));
        assert_eq!(opt_integer(&o, "s", 1, 1000), Ok(Some(600)));
        assert!(opt_integer(&o, "half", 1, 5).is_err());
        assert!(opt_integer(&o, "neg", -5, 5).is_err());
        assert_eq!(
            opt_integer(&o, "big", 1, 5).map_err(|e| e.path),
            Err("big".to_owned())
        );
    }

    #[test]
    fn booleans() {
        let o = object(json!({"t": true, "s": "false", "x": "yes", "n": 1}));
        assert_eq!(opt_bool(&o, "t"), Ok(Some(true)));
        assert_eq!(opt_bool(&o, "s"), Ok(Some(false)));
        assert!(opt_bool(&o, "x").is_err());
        assert!(opt_bool(&o, "n").is_err());
    }

    #[test]
    fn urls() {
        for good in [
            "https://your-app.com/loopquest/verdict",
            "http://127.0.0.1:9000/x",
            "HTTPS://A.B",
            "http://[::1]:9/",
            "http://user:pw@127.0.0.1:9/x?y=1#z",
            "http://a:65535",
        ] {
            assert!(is_http_url(good), "{good}");
        }
        for bad in [
            "ftp://x",
            "not a url",
            "https://",
            "https:///path",
            "http://a b",
            "mailto:x@y",
            "//host",
            // Undeliverable: the http crate cannot parse them.
            "http://[::1",
            "http://a%zz/",
            "http://x:y@/",
            "http://\u{1f600}.invalid/",
            "http://a\\b/",
            "http://:80/",
            // Ports the http crate would drop, sending to port 80 instead.
            "http://a:99999/",
            "http://[::1]:70000/",
            "http://a:b/",
            "http://a:/",
            "http://a:0/",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }
}
