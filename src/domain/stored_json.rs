//! JSON values as the original stores them in PostgreSQL `jsonb` columns
//! (docs/engine-api.md#stored-json): object keys ordered shorter first, then bytewise; every number a
//! double printed the JavaScript way (`1.0` → `1`). Storing JSON this way makes API
//! answers and `{{json …}}` in prompts print what the original prints.

use serde_json::{Map, Value};

use super::jsnum;

/// Rewrites `value` in place into its stored form.
pub fn normalize(value: &mut Value) {
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64() {
                *value = jsnum::to_json(f);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize),
        Value::Object(members) => {
            let mut entries: Vec<(String, Value)> = std::mem::take(members).into_iter().collect();
            entries.sort_by(|(a, _), (b, _)| {
                a.len()
                    .cmp(&b.len())
                    .then_with(|| a.as_bytes().cmp(b.as_bytes()))
            });
            *members = entries
                .into_iter()
                .map(|(k, mut v)| {
                    normalize(&mut v);
                    (k, v)
                })
                .collect::<Map<String, Value>>();
        }
        _ => {}
    }
}

/// `value` in stored form, as compact JSON text.
pub fn to_text(mut value: Value) -> String {
    normalize(&mut value);
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn orders_keys_like_jsonb() {
        let value =
            json!({"statement": 1, "confidence": 2, "evidence": 3, "validationCriteria": 4});
        assert_eq!(
            to_text(value),
            r#"{"evidence":3,"statement":1,"confidence":2,"validationCriteria":4}"#
        );
        assert_eq!(
            to_text(json!({"message": 1, "title": 2})),
            r#"{"title":2,"message":1}"#
        );
        assert_eq!(
            to_text(json!({"metric": "signup", "change": -0.12})),
            r#"{"change":-0.12,"metric":"signup"}"#
        );
    }

    #[test]
    fn normalizes_nested_numbers_and_objects() {
        let value =
            json!({"b": [2.5, 3.0, {"zz": 9007199254740993_u64, "a": 1.0}], "a": 1.0, "d": "1.0"});
        assert_eq!(
            to_text(value),
            r#"{"a":1,"b":[2.5,3,{"a":1,"zz":9007199254740992}],"d":"1.0"}"#
        );
    }
}
