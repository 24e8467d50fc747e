//! What each review game shows, resolved from the payload and card (docs/review-api.md#games):
//! every client shapes its payload differently, so each input is taken from the first
//! of several keys holding a non-empty string.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::enums::Module;

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

/// One field a fixer task offers for correction (or a swiper card shows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixerField {
    /// Label shown.
    pub label: String,
    /// Optional machine key.
    #[serde(skip_serializing_if = "Option::is_none")]
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

/// A game's own input that a task lacks: the payload key to name in the 422 and what
/// belongs there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingInput {
    /// The dotted path of the missing input, e.g. `payload.a`.
    pub field: &'static str,
    /// What the game needs there, for the error message.
    pub what: &'static str,
}

/// The first input `module` needs that `payload` and `card` do not provide (§4.0).
fn missing_input(
    module: Module,
    payload: &Map<String, Value>,
    card: Option<&Map<String, Value>>,
) -> Option<MissingInput> {
    let missing = |field, what| Some(MissingInput { field, what });
    match module {
        Module::Swiper | Module::Sorter => None,
        Module::Versus if side(payload, "a").is_none() => {
            missing("payload.a", "payload.a (a string or {text})")
        }
        Module::Versus if side(payload, "b").is_none() => {
            missing("payload.b", "payload.b (a string or {text})")
        }
        Module::Detective | Module::Redact if text_for_reading(payload).is_none() => {
            missing("payload.body", "text in payload.body, content or text")
        }
        Module::Fixer if fixer_fields(payload, card).is_empty() => {
            missing("payload.fields", "payload.fields or text to correct")
        }
        Module::Grounding if claim(payload).is_none() => {
            missing("payload.claim", "a claim (payload.claim or content)")
        }
        Module::Grounding if source_text(payload).is_none() => {
            missing("payload.source", "source text (payload.source or context)")
        }
        Module::Versus | Module::Detective | Module::Redact | Module::Fixer | Module::Grounding => {
            None
        }
    }
}

/// The game a `module` task is played as. LoopQuest's generic clients (Zapier, Make,
/// Pipedream, Activepieces, Flowise, MCP, Dify) send every module the same
/// `{content, body}` payload, so a task whose module-specific inputs are missing but
/// whose text resolves is still accepted and reviewed as a single output to approve or
/// flag: a swiper card. Only a task with neither is refused, naming the module's first
/// missing input.
pub fn game(
    module: Module,
    payload: &Map<String, Value>,
    card: Option<&Map<String, Value>>,
) -> Result<Module, MissingInput> {
    match missing_input(module, payload, card) {
        None => Ok(module),
        Some(_) if text_for_swiper(payload, card).is_some() => Ok(Module::Swiper),
        Some(missing) => Err(missing),
    }
}

/// What a reviewer is shown of a task: its inputs resolved from whichever keys the
/// client used (`view` in `POST /api/v1/review/next`, docs/review-api.md#reviewing). Only the
/// inputs of the game it is played as are present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct View {
    /// The game the card is played as ([`game`]): the task's module, or swiper when the
    /// module's own inputs are missing. Decisions are checked against it. It is not part
    /// of the view's JSON: whoever reads one back (a decoy's) sets it from its own record.
    #[serde(skip, default = "unset_game")]
    pub game: Module,
    /// The text to read (swiper, sorter, detective, redact).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Versus: the question both answers respond to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// Versus: the first answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub a: Option<String>,
    /// Versus: the second answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b: Option<String>,
    /// Fixer: the fields to confirm or correct; swiper: the payload's scalar keys when
    /// the card shows neither body, fields nor text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FixerField>>,
    /// Grounding: the claim to check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    /// Grounding: the source to check it against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_text: Option<String>,
    /// Sorter: the buckets (none: the reviewer types a label).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<String>>,
}

/// The game of a view read back from JSON until its reader sets it.
fn unset_game() -> Module {
    Module::Swiper
}

impl View {
    /// A view of `game` showing nothing yet.
    fn blank(game: Module) -> Self {
        Self {
            game,
            text: None,
            prompt: None,
            a: None,
            b: None,
            fields: None,
            claim: None,
            source_text: None,
            choices: None,
        }
    }

    /// The view of a `module` task with this payload and card, played as [`game`] (a
    /// stored task that resolves no input at all keeps its module and shows nothing).
    pub fn of(
        module: Module,
        payload: &Map<String, Value>,
        card: Option<&Map<String, Value>>,
    ) -> Self {
        let game = game(module, payload, card).unwrap_or(module);
        match game {
            Module::Swiper => {
                let text = text_for_swiper(payload, card);
                let card_shows_fields = card.is_some_and(|c| c.contains_key("fields"));
                let fields = (text.is_none() && !card_shows_fields)
                    .then(|| scalar_fields(payload))
                    .filter(|fields| !fields.is_empty());
                Self {
                    text,
                    fields,
                    ..Self::blank(game)
                }
            }
            Module::Versus => Self {
                prompt: first_text(Some(payload), &["prompt"]),
                a: side(payload, "a"),
                b: side(payload, "b"),
                ..Self::blank(game)
            },
            Module::Sorter => Self {
                text: text_for_sorter(payload),
                choices: Some(buckets(payload, card)).filter(|b| !b.is_empty()),
                ..Self::blank(game)
            },
            Module::Detective | Module::Redact => Self {
                text: text_for_reading(payload),
                ..Self::blank(game)
            },
            Module::Fixer => Self {
                fields: Some(fixer_fields(payload, card)),
                ..Self::blank(game)
            },
            Module::Grounding => Self {
                claim: claim(payload),
                source_text: source_text(payload),
                ..Self::blank(game)
            },
        }
    }
}

/// The payload's top-level scalar values as fields, labelled with their keys.
fn scalar_fields(payload: &Map<String, Value>) -> Vec<FixerField> {
    payload
        .iter()
        .filter(|(_, value)| !value.is_array() && !value.is_object())
        .map(|(key, value)| FixerField {
            label: key.clone(),
            key: Some(key.clone()),
            value: value.clone(),
        })
        .collect()
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
    fn views_show_each_modules_inputs() {
        let swiper = View::of(
            Module::Swiper,
            &object(json!({"ticket": 4821, "ok": true, "nested": {}})),
            None,
        );
        let labels: Vec<&str> = swiper
            .fields
            .iter()
            .flatten()
            .map(|f| f.label.as_str())
            .collect();
        assert_eq!((swiper.text, labels), (None, vec!["ticket", "ok"]));
        let with_text = View::of(
            Module::Swiper,
            &object(json!({"content": "hi", "n": 1})),
            None,
        );
        assert_eq!(
            (with_text.text.as_deref(), with_text.fields),
            (Some("hi"), None)
        );
        let grounding = View::of(
            Module::Grounding,
            &object(json!({"content": "c", "context": "s"})),
            None,
        );
        assert_eq!(
            (grounding.claim.as_deref(), grounding.source_text.as_deref()),
            (Some("c"), Some("s"))
        );
        let sorter = View::of(Module::Sorter, &object(json!({"body": "b"})), None);
        assert_eq!((sorter.text.as_deref(), sorter.choices), (Some("b"), None));
        let serialized = serde_json::to_value(View::of(
            Module::Versus,
            &object(json!({"a": "x", "b": {"text": "y"}})),
            None,
        ));
        assert_eq!(serialized.ok(), Some(json!({"a": "x", "b": "y"})));
    }

    #[test]
    fn tasks_without_their_games_inputs_are_played_as_swiper_when_a_text_resolves() {
        let generic = object(json!({"content": "X", "body": "X"}));
        assert_eq!(game(Module::Versus, &generic, None), Ok(Module::Swiper));
        assert_eq!(
            game(Module::Grounding, &object(json!({"content": "c"})), None),
            Ok(Module::Swiper)
        );
        let view = View::of(Module::Versus, &generic, None);
        assert_eq!(
            (view.game, view.text.as_deref()),
            (Module::Swiper, Some("X"))
        );
        assert_eq!(
            game(
                Module::Versus,
                &object(json!({"a": "x", "b": "y", "content": "X"})),
                None
            ),
            Ok(Module::Versus)
        );
        assert_eq!(
            game(Module::Versus, &object(json!({"a": "x"})), None).map_err(|m| m.field),
            Err("payload.b")
        );
        assert_eq!(
            game(Module::Grounding, &object(json!({"claim": "c"})), None).map_err(|m| m.field),
            Err("payload.source")
        );
        assert_eq!(
            game(Module::Redact, &object(json!({})), None).map_err(|m| m.field),
            Err("payload.body")
        );
        assert_eq!(
            game(Module::Detective, &generic, None),
            Ok(Module::Detective)
        );
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
