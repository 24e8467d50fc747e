//! What each review game shows, resolved from the payload and card (review-api.md §4.0):
//! every client shapes its payload differently, so each input is taken from the first
//! of several keys holding a non-empty string.

use serde_json::{Map, Value};

/// The first of `keys` in `object` holding a non-empty string.
pub fn first_text(object: Option<&Map<String, Value>>, keys: &[&str]) -> Option<String> {
    let object = object?;
    keys.iter()
        .find_map(|key| {
            object
                .get(*key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        })
        .map(str::to_owned)
}

/// A versus side: a string, or an object with a string `text`.
pub fn side(payload: &Map<String, Value>, key: &str) -> Option<String> {
    match payload.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Object(o) => o
            .get("text")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        _ => None,
    }
}

/// The main text of swiper, sorter, detective and redact tasks.
pub fn text_for_swiper(
    payload: &Map<String, Value>,
    card: Option<&Map<String, Value>>,
) -> Option<String> {
    first_text(card, &["body"]).or_else(|| first_text(Some(payload), &["content", "body", "text"]))
}

/// Sorter's text.
pub fn text_for_sorter(payload: &Map<String, Value>) -> Option<String> {
    first_text(Some(payload), &["content", "body", "text"])
}

/// Detective's and redact's text (the body first).
pub fn text_for_reading(payload: &Map<String, Value>) -> Option<String> {
    first_text(Some(payload), &["body", "content", "text"])
}

/// Grounding's claim.
pub fn claim(payload: &Map<String, Value>) -> Option<String> {
    first_text(Some(payload), &["claim", "content", "body"])
}

/// Grounding's source text.
pub fn source_text(payload: &Map<String, Value>) -> Option<String> {
    first_text(Some(payload), &["source", "context"])
}

/// Sorter's buckets: `card.choices`, else `payload.choices`.
pub fn buckets(payload: &Map<String, Value>, card: Option<&Map<String, Value>>) -> Vec<String> {
    let from = |o: Option<&Map<String, Value>>| {
        o.and_then(|o| o.get("choices"))
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .filter(|items| !items.is_empty())
    };
    from(card)
        .or_else(|| from(Some(payload)))
        .unwrap_or_default()
}

/// One field a fixer task offers for correction.
#[derive(Debug, Clone, PartialEq)]
pub struct FixerField {
    /// Label shown.
    pub label: String,
    /// Optional machine key.
    pub key: Option<String>,
    /// The value to confirm or correct.
    pub value: Value,
}

/// Fixer's fields: `payload.fields`, else one field holding the text.
pub fn fixer_fields(
    payload: &Map<String, Value>,
    card: Option<&Map<String, Value>>,
) -> Vec<FixerField> {
    let listed: Vec<FixerField> = payload
        .get("fields")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_object)
                .filter_map(|f| {
                    Some(FixerField {
                        label: f.get("label")?.as_str()?.to_owned(),
                        key: f.get("key").and_then(Value::as_str).map(str::to_owned),
                        value: f.get("value").cloned().unwrap_or(Value::Null),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    if !listed.is_empty() {
        return listed;
    }
    first_text(Some(payload), &["content", "body", "text"])
        .map(|text| {
            vec![FixerField {
                label: first_text(card, &["title"]).unwrap_or_else(|| "Output".to_owned()),
                key: None,
                value: Value::String(text),
            }]
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn first_non_empty_key_wins() {
        let payload = object(json!({"content": "", "body": "b", "text": "t"}));
        assert_eq!(text_for_sorter(&payload).as_deref(), Some("b"));
        let card = object(json!({"body": "from card"}));
        assert_eq!(
            text_for_swiper(&payload, Some(&card)).as_deref(),
            Some("from card")
        );
        assert_eq!(
            claim(&object(json!({"content": "c", "source": "s"}))).as_deref(),
            Some("c")
        );
        assert_eq!(
            source_text(&object(json!({"context": "ctx"}))).as_deref(),
            Some("ctx")
        );
    }

    #[test]
    fn versus_sides() {
        let payload = object(json!({"a": {"text": "A"}, "b": "B", "c": {"text": ""}}));
        assert_eq!(side(&payload, "a").as_deref(), Some("A"));
        assert_eq!(side(&payload, "b").as_deref(), Some("B"));
        assert_eq!(side(&payload, "c"), None);
    }

    #[test]
    fn buckets_and_fields() {
        let card = object(json!({"choices": ["Billing", "Spam"]}));
        assert_eq!(
            buckets(&object(json!({"choices": ["x"]})), Some(&card)),
            ["Billing", "Spam"]
        );
        assert_eq!(buckets(&object(json!({"choices": ["x"]})), None), ["x"]);
        let fields = fixer_fields(
            &object(json!({"fields": [{"label": "Amount", "value": "£2,400"}]})),
            None,
        );
        assert_eq!(fields[0].label, "Amount");
        let fallback = fixer_fields(
            &object(json!({"content": "text"})),
            Some(&object(json!({"title": "Reply"}))),
        );
        assert_eq!(
            (fallback[0].label.as_str(), fallback[0].value.clone()),
            ("Reply", json!("text"))
        );
        assert!(fixer_fields(&object(json!({})), None).is_empty());
    }
}
