//! A review task as an automation submits it (docs/review-api.md#tasks, docs/review-api.md#games, docs/review-api.md#golden-tasks): parsing and
//! every validation rule, without storage.

use serde_json::{Map, Value};

use super::content;
use super::input::{opt_bool, opt_enum, opt_integer, opt_string, opt_url, present};
use crate::domain::enums::{Module, OnTimeout, ReviewMode, WireEnum};
use crate::domain::validate::{FieldError, js_length};

/// Shortest gate timeout, in seconds.
pub const MIN_TIMEOUT_SECONDS: i64 = 30;
/// Longest gate timeout (30 days), in seconds.
pub const MAX_TIMEOUT_SECONDS: i64 = 2_592_000;

/// A validated task, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTask {
    /// The game.
    pub module: Module,
    /// Gate or monitor.
    pub mode: ReviewMode,
    /// Origin tag.
    pub source: Option<String>,
    /// Caller's correlation id.
    pub external_id: Option<String>,
    /// Where this task's verdict is posted.
    pub callback_url: Option<String>,
    /// The payload as sent (JSON text).
    pub payload: String,
    /// Display hints as sent (JSON text).
    pub card: Option<String>,
    /// Agreeing reviews needed.
    pub reviews_required: i64,
    /// Gate deadline in seconds (`None` for monitor tasks, or the project default).
    pub timeout_seconds: Option<i64>,
    /// What the deadline does (`None` for monitor tasks).
    pub on_timeout: Option<OnTimeout>,
    /// A calibration task.
    pub golden: bool,
    /// The expected outcome of a calibration task (JSON text).
    pub answer: Option<String>,
}

/// Parses and validates a task body. A gate task without `timeout_seconds` gets
/// `default_timeout_seconds`.
pub fn parse(
    body: &Map<String, Value>,
    default_timeout_seconds: i64,
) -> Result<NewTask, FieldError> {
    let module = match body.get("module") {
        None | Some(Value::Null) => None,
        Some(_) => opt_enum::<Module>(body, "module")?,
    }
    .ok_or_else(|| {
        let names: Vec<&str> = Module::ALL.iter().map(|m| m.as_str()).collect();
        FieldError::new(
            "module",
            format!(
                "module is required and must be one of: {}",
                names.join(", ")
            ),
        )
    })?;
    let payload = match body.get("payload") {
        Some(Value::Object(payload)) => payload,
        None | Some(Value::Null) => {
            return Err(FieldError::new(
                "payload",
                "payload is required (a JSON object)",
            ));
        }
        Some(_) => return Err(FieldError::new("payload", "payload must be a JSON object")),
    };
    let mode = opt_enum::<ReviewMode>(body, "mode")?.unwrap_or(ReviewMode::Monitor);
    let timeout = opt_integer(
        body,
        "timeout_seconds",
        MIN_TIMEOUT_SECONDS,
        MAX_TIMEOUT_SECONDS,
    )?;
    let on_timeout = opt_enum::<OnTimeout>(body, "on_timeout")?;
    let source = opt_string(body, "", "source", 100)?;
    let external_id = opt_string(body, "", "external_id", 255)?;
    let callback_url = opt_url(body, "callback_url")?;
    let card = match present(body, "card") {
        None => None,
        Some(Value::Object(card)) => Some(card),
        Some(_) => return Err(FieldError::new("card", "card must be a JSON object")),
    };
    if let Some(card) = card {
        check_card(card)?;
    }
    let reviews_required = opt_integer(body, "reviews_required", 1, 5)?.unwrap_or(1);
    let golden = opt_bool(body, "golden")?.unwrap_or(false);
    let game = check_payload(module, payload, card)?;
    let answer = present(body, "answer");
    match (golden, answer) {
        (true, None) => return Err(FieldError::new("answer", "a golden task needs an answer")),
        (false, Some(_)) => {
            return Err(FieldError::new(
                "answer",
                "answer is only allowed with golden: true",
            ));
        }
        (true, Some(answer)) => check_answer(game, answer, &content::buckets(payload, card))?,
        (false, None) => {}
    }
    let gate = mode == ReviewMode::Gate;
    Ok(NewTask {
        module,
        mode,
        source,
        external_id,
        callback_url,
        payload: Value::Object(payload.clone()).to_string(),
        card: card.map(|c| Value::Object(c.clone()).to_string()),
        reviews_required,
        timeout_seconds: gate.then(|| timeout.unwrap_or(default_timeout_seconds)),
        on_timeout: gate.then(|| on_timeout.unwrap_or(OnTimeout::Escalate)),
        golden,
        answer: answer.filter(|_| golden).map(Value::to_string),
    })
}

/// The card's known keys must have the right types (unknown keys are kept).
fn check_card(card: &Map<String, Value>) -> Result<(), FieldError> {
    opt_string(card, "card", "title", 200)?;
    opt_string(card, "card", "subtitle", 200)?;
    opt_string(card, "card", "body", usize::MAX)?;
    if let Some(suggestion) = present(card, "suggestion") {
        let valid = suggestion.as_object().is_some_and(|s| {
            s.get("label").is_some_and(Value::is_string)
                && s.get("confidence")
                    .is_none_or(|c| c.as_f64().is_some_and(|c| (0.0..=1.0).contains(&c)))
        });
        if !valid {
            return Err(FieldError::new(
                "card.suggestion",
                "card.suggestion must be {label: string, confidence: number from 0 to 1}",
            ));
        }
    }
    if let Some(fields) = present(card, "fields") {
        let valid = fields.as_array().is_some_and(|items| {
            items.len() <= 50
                && items.iter().all(|f| {
                    f.as_object().is_some_and(|f| {
                        f.get("label").is_some_and(Value::is_string)
                            && f.get("value")
                                .is_none_or(|v| !v.is_array() && !v.is_object())
                            && f.get("highlight").is_none_or(Value::is_boolean)
                    })
                })
        });
        if !valid {
            return Err(FieldError::new(
                "card.fields",
                "card.fields must be at most 50 items of {label: string, value: string|number|boolean|null, highlight?: boolean}",
            ));
        }
    }
    if let Some(choices) = present(card, "choices") {
        check_choices(choices)?;
    }
    Ok(())
}

/// Sorter buckets: 1–20 distinct (case-insensitive) non-blank strings of at most 100
/// characters.
fn check_choices(choices: &Value) -> Result<(), FieldError> {
    let fail = |message: &str| Err(FieldError::new("card.choices", message));
    let Some(items) = choices.as_array() else {
        return fail("card.choices must be an array of strings");
    };
    if items.is_empty() || items.len() > 20 {
        return fail("card.choices must have 1 to 20 items");
    }
    let mut seen: Vec<String> = Vec::new();
    for item in items {
        let Some(text) = item
            .as_str()
            .filter(|t| !t.trim().is_empty() && js_length(t) <= 100)
        else {
            return fail("each choice must be a non-empty string of at most 100 characters");
        };
        let folded = text.trim().to_lowercase();
        if seen.contains(&folded) {
            return fail("choices must be unique (ignoring case)");
        }
        seen.push(folded);
    }
    Ok(())
}

/// The game a task is played as ([`content::game`]), or the 422 naming the input its
/// module lacks when no text resolves either.
fn check_payload(
    module: Module,
    payload: &Map<String, Value>,
    card: Option<&Map<String, Value>>,
) -> Result<Module, FieldError> {
    content::game(module, payload, card).map_err(|missing| {
        FieldError::new(
            missing.field,
            format!(
                "{} needs {}, or a text (payload.content, body or text) to review as a single output",
                module.as_str(),
                missing.what
            ),
        )
    })
}

/// The choices a module's decisions can carry (`None`: free text).
pub fn module_choices(module: Module) -> Option<&'static [&'static str]> {
    match module {
        Module::Swiper => Some(&[]),
        Module::Versus => Some(&["a", "b", "tie"]),
        Module::Fixer => Some(&["confirmed", "corrected"]),
        Module::Redact => Some(&["clean", "redacted"]),
        Module::Grounding => Some(&["supported", "unsupported", "contradicted"]),
        Module::Sorter | Module::Detective => None,
    }
}

/// A golden answer must be something the module can produce (docs/review-api.md#golden-tasks).
fn check_answer(module: Module, answer: &Value, buckets: &[String]) -> Result<(), FieldError> {
    let choice_ok = |choice: &str| match module_choices(module) {
        Some(allowed) => allowed.contains(&choice),
        None if module == Module::Sorter && !buckets.is_empty() => {
            buckets.iter().any(|b| b == choice)
        }
        None => !choice.is_empty(),
    };
    let valid = match answer {
        Value::Bool(_) => true,
        Value::String(choice) => choice_ok(choice),
        Value::Object(o) => {
            !o.is_empty()
                && o.keys().all(|k| k == "verdict" || k == "choice")
                && o.get("verdict").is_none_or(Value::is_boolean)
                && o.get("choice")
                    .is_none_or(|c| c.as_str().is_some_and(choice_ok))
        }
        _ => false,
    };
    if valid {
        Ok(())
    } else {
        Err(FieldError::new(
            "answer",
            format!(
                "answer must be a verdict (boolean), a {} choice, or {{verdict, choice}}",
                module.as_str()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_json(value: Value) -> Result<NewTask, FieldError> {
        parse(value.as_object().unwrap_or(&Map::new()), 86_400)
    }

    fn field(value: Value) -> String {
        parse_json(value).err().map(|e| e.path).unwrap_or_default()
    }

    #[test]
    fn defaults() {
        let task = parse_json(json!({"module": "swiper", "payload": {"content": "hi"}}))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (
                task.mode,
                task.reviews_required,
                task.timeout_seconds,
                task.on_timeout
            ),
            (ReviewMode::Monitor, 1, None, None)
        );
        let gate = parse_json(json!({"module": "swiper", "payload": {}, "mode": "gate"}))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (gate.timeout_seconds, gate.on_timeout),
            (Some(86_400), Some(OnTimeout::Escalate))
        );
        let monitor = parse_json(json!({"module": "swiper", "payload": {}, "timeout_seconds": 600, "on_timeout": "approve"}))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((monitor.timeout_seconds, monitor.on_timeout), (None, None));
    }

    #[test]
    fn required_fields_and_enums() {
        assert_eq!(field(json!({"payload": {}})), "module");
        for legacy in ["arena", "decoy", "Swiper"] {
            let error = parse_json(json!({"module": legacy, "payload": {}}))
                .err()
                .unwrap_or_else(|| FieldError::new("", ""));
            assert!(
                error
                    .message
                    .contains("swiper, versus, sorter, detective, fixer, redact, grounding"),
                "{legacy}"
            );
        }
        assert_eq!(field(json!({"module": "swiper"})), "payload");
        assert_eq!(
            field(json!({"module": "swiper", "payload": "x"})),
            "payload"
        );
        assert_eq!(
            field(json!({"module": "swiper", "payload": {}, "mode": "block"})),
            "mode"
        );
        assert_eq!(
            field(json!({"module": "swiper", "payload": {}, "on_timeout": "ignore"})),
            "on_timeout"
        );
    }

    #[test]
    fn ranges() {
        for (value, ok) in [
            (json!(0), false),
            (json!(6), false),
            (json!(2.5), false),
            (json!("3"), true),
        ] {
            assert_eq!(
                parse_json(json!({"module": "swiper", "payload": {}, "reviews_required": value}))
                    .is_ok(),
                ok,
                "{value}"
            );
        }
        for (value, ok) in [
            (29, false),
            (2_592_001, false),
            (30, true),
            (2_592_000, true),
        ] {
            assert_eq!(
                parse_json(json!({"module": "swiper", "payload": {}, "timeout_seconds": value}))
                    .is_ok(),
                ok,
                "{value}"
            );
        }
        assert_eq!(
            field(json!({"module": "swiper", "payload": {}, "source": "x".repeat(101)})),
            "source"
        );
        assert_eq!(
            field(json!({"module": "swiper", "payload": {}, "external_id": "x".repeat(256)})),
            "external_id"
        );
        assert_eq!(
            field(json!({"module": "swiper", "payload": {}, "callback_url": "ftp://x"})),
            "callback_url"
        );
    }

    #[test]
    fn makes_empty_strings_are_absent() {
        let task = parse_json(json!({
            "module": "grounding", "payload": {"content": "c", "body": "c", "claim": "", "source": "s"},
            "external_id": "", "callback_url": "", "timeout_seconds": "", "on_timeout": "", "reviews_required": "",
            "card": {"title": ""}, "source": "make", "mode": "gate"
        }))
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (task.external_id, task.callback_url, task.reviews_required),
            (None, None, 1)
        );
        assert_eq!(task.timeout_seconds, Some(86_400));
    }

    #[test]
    fn module_inputs() {
        assert_eq!(
            field(json!({"module": "grounding", "payload": {"claim": "c"}})),
            "payload.source"
        );
        assert!(
            parse_json(json!({"module": "grounding", "payload": {"content": "c", "source": "s"}}))
                .is_ok()
        );
        assert_eq!(
            field(json!({"module": "versus", "payload": {"a": "x"}})),
            "payload.b"
        );
        assert!(parse_json(json!({"module": "versus", "payload": {"a": "x", "b": "y"}})).is_ok());
        assert_eq!(
            field(json!({"module": "detective", "payload": {}})),
            "payload.body"
        );
        assert_eq!(
            field(json!({"module": "redact", "payload": {"body": ""}})),
            "payload.body"
        );
        assert_eq!(
            field(json!({"module": "fixer", "payload": {}})),
            "payload.fields"
        );
        assert!(parse_json(json!({"module": "sorter", "payload": {"content": "x"}})).is_ok());
    }

    #[test]
    fn generic_client_payloads_are_accepted_for_every_module() {
        for module in Module::ALL {
            for payload in [
                json!({"content": "X", "body": "X"}),
                json!({"content": "X"}),
            ] {
                let task = parse_json(json!({"module": module.as_str(), "payload": payload}));
                assert!(task.is_ok(), "{module:?} {payload}: {task:?}");
            }
        }
        let message = parse_json(json!({"module": "versus", "payload": {}}))
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(message.contains("single output"), "{message}");
    }

    #[test]
    fn golden_answers_follow_the_game_a_card_is_played_as() {
        let versus = |answer: Value| {
            field(
                json!({"module": "versus", "payload": {"content": "X"}, "golden": true, "answer": answer}),
            )
        };
        assert_eq!(versus(json!(false)), "");
        assert_eq!(versus(json!("a")), "answer");
    }

    #[test]
    fn cards() {
        let with = |card: Value| field(json!({"module": "sorter", "payload": {}, "card": card}));
        assert_eq!(
            with(json!({"choices": ["Billing", "billing"]})),
            "card.choices"
        );
        assert_eq!(with(json!({"choices": []})), "card.choices");
        assert_eq!(with(json!({"choices": [" "]})), "card.choices");
        assert_eq!(
            with(json!({"suggestion": {"label": "x", "confidence": 1.5}})),
            "card.suggestion"
        );
        assert_eq!(with(json!({"fields": [{"value": 1}]})), "card.fields");
        assert_eq!(with(json!({"title": 5})), "card.title");
        assert_eq!(with(json!({"choices": ["a"], "extra": {"kept": true}})), "");
        assert_eq!(
            field(json!({"module": "sorter", "payload": {}, "card": "x"})),
            "card"
        );
    }

    #[test]
    fn golden_answers() {
        let golden = |module: &str, answer: Value, card: Value| {
            field(
                json!({"module": module, "payload": {"a": "x", "b": "y", "body": "t", "claim": "c", "source": "s"},
                "golden": true, "answer": answer, "card": card}),
            )
        };
        assert_eq!(
            field(json!({"module": "swiper", "payload": {}, "golden": true})),
            "answer"
        );
        assert_eq!(
            field(json!({"module": "swiper", "payload": {}, "answer": true})),
            "answer"
        );
        assert_eq!(
            golden("sorter", json!("Refunds"), json!({"choices": ["Billing"]})),
            "answer"
        );
        assert_eq!(
            golden("sorter", json!("Billing"), json!({"choices": ["Billing"]})),
            ""
        );
        assert_eq!(golden("swiper", json!("a"), json!({})), "answer");
        assert_eq!(golden("swiper", json!(false), json!({})), "");
        assert_eq!(
            golden("versus", json!({"verdict": true, "choice": "b"}), json!({})),
            ""
        );
        assert_eq!(
            golden("versus", json!({"choice": "c"}), json!({})),
            "answer"
        );
        assert_eq!(golden("grounding", json!("contradicted"), json!({})), "");
        assert_eq!(golden("grounding", json!(3), json!({})), "answer");
    }
}
