//! Planting one error in a copy of a card (docs/reviewer-quality.md, "Decoys"): a
//! changed number or word in swiper, an inserted false sentence in detective, a claim
//! altered against its source in grounding. Which passage changes, and how, follows
//! from the card and the draw alone, so the same card and draw always plant the same
//! error. Numbers are preferred (above all one the card also states elsewhere, so the
//! copy contradicts itself), then words with an opposite, then a negated verb.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::content::View;
use super::decision::{Outcome, Span, detail_spans};
use super::draw::{Draw, index};
use crate::domain::enums::{Decision, Module};

/// The games decoys are planted in: those where the right answer to a planted error is
/// unambiguous (flag it, mark it, call the claim unsupported).
pub const DECOY_GAMES: [Module; 3] = [Module::Swiper, Module::Detective, Module::Grounding];

/// What a reviewer is shown of a card: the card as sent, and the game's view of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shown {
    /// Display hints.
    pub card: Option<Map<String, Value>>,
    /// The game's inputs.
    pub view: View,
}

impl Shown {
    /// Lowercase hex SHA-256 of `{"card":…,"view":…}` as compact JSON: what the audit
    /// record of a decoy keeps of what was shown.
    pub fn digest(&self) -> String {
        let text = serde_json::json!({"card": self.card, "view": self.view}).to_string();
        hex::encode(Sha256::digest(text.as_bytes()))
    }
}

/// How a passage was changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Edit {
    /// A number the card also states elsewhere, changed in one place.
    Contradiction,
    /// One digit of a number changed.
    Number,
    /// A word swapped for its opposite.
    Word,
    /// A verb negated.
    Negation,
}

/// The error planted in a decoy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// What changed: `text`, `claim`, `card.fields.N.value` or `fields.N.value`.
    pub field: String,
    /// How.
    pub edit: Edit,
    /// Swiper and grounding: the changed characters of the field's original value.
    /// Detective: the inserted sentence in the decoy's text. Unicode scalar values, end
    /// exclusive.
    pub start: usize,
    /// See `start`.
    pub end: usize,
    /// The passage before (detective: the sentence that was copied).
    pub original: String,
    /// The passage after (detective: the inserted sentence).
    pub planted: String,
    /// Detective: the copied sentence in the decoy's text, which the inserted one
    /// contradicts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contradicts: Option<[usize; 2]>,
}

/// Words and their opposites (lowercase; each pair works both ways).
const OPPOSITES: &[(&str, &str)] = &[
    ("approve", "reject"),
    ("approved", "rejected"),
    ("accept", "decline"),
    ("accepted", "declined"),
    ("allow", "deny"),
    ("allowed", "denied"),
    ("increase", "decrease"),
    ("increased", "decreased"),
    ("higher", "lower"),
    ("more", "less"),
    ("before", "after"),
    ("always", "never"),
    ("true", "false"),
    ("yes", "no"),
    ("open", "closed"),
    ("won", "lost"),
    ("above", "below"),
    ("maximum", "minimum"),
    ("first", "last"),
    ("earlier", "later"),
    ("early", "late"),
    ("positive", "negative"),
    ("success", "failure"),
    ("successful", "unsuccessful"),
    ("valid", "invalid"),
    ("paid", "unpaid"),
    ("enabled", "disabled"),
    ("included", "excluded"),
    ("available", "unavailable"),
    ("possible", "impossible"),
    ("correct", "incorrect"),
    ("safe", "unsafe"),
    ("likely", "unlikely"),
    ("north", "south"),
    ("east", "west"),
    ("left", "right"),
    ("bought", "sold"),
    ("buy", "sell"),
    ("profit", "loss"),
    ("credit", "debit"),
    ("full", "empty"),
    ("male", "female"),
];

/// Verbs and their negations (lowercase).
const NEGATIONS: &[(&str, &str)] = &[
    ("is", "is not"),
    ("are", "are not"),
    ("was", "was not"),
    ("were", "were not"),
    ("can", "cannot"),
    ("will", "will not"),
    ("does", "does not"),
    ("did", "did not"),
    ("has", "has not"),
    ("have", "have not"),
    ("should", "should not"),
    ("must", "must not"),
    ("could", "could not"),
    ("would", "would not"),
];

/// A passage of a text that can be changed: characters `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spot {
    start: usize,
    end: usize,
    edit: Edit,
}

/// The maximal runs of characters satisfying `keep`, as `start..end`.
fn runs(text: &[char], keep: impl Fn(char) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.iter().enumerate() {
        match (keep(*c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// The entry of `table` for `word` (any case).
fn lookup(
    table: &[(&'static str, &'static str)],
    word: &str,
    both_ways: bool,
) -> Option<&'static str> {
    let lower = word.to_lowercase();
    table.iter().find_map(|(a, b)| {
        if *a == lower {
            Some(*b)
        } else if both_ways && *b == lower {
            Some(*a)
        } else {
            None
        }
    })
}

/// `replacement` in the case of `word`: all capitals, a capital first, or lowercase.
fn same_case(word: &str, replacement: &str) -> String {
    let mut letters = word.chars();
    let first_upper = letters.next().is_some_and(char::is_uppercase);
    if first_upper && word.chars().count() > 1 && word.chars().all(|c| !c.is_lowercase()) {
        return replacement.to_uppercase();
    }
    if first_upper {
        let mut chars = replacement.chars();
        return chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
    }
    replacement.to_owned()
}

/// Every passage of `text` that can be changed; a number also written in `reference`
/// makes a contradiction.
fn spots(text: &[char], reference: &str) -> Vec<Spot> {
    let reference: Vec<char> = reference.chars().collect();
    let anchors: Vec<String> = runs(&reference, |c| c.is_ascii_digit())
        .into_iter()
        .map(|(s, e)| reference[s..e].iter().collect())
        .collect();
    let mut out = Vec::new();
    for (start, end) in runs(text, |c| c.is_ascii_digit()) {
        let number: String = text[start..end].iter().collect();
        let edit = if anchors.contains(&number) {
            Edit::Contradiction
        } else {
            Edit::Number
        };
        out.push(Spot { start, end, edit });
    }
    for (start, end) in runs(text, char::is_alphabetic) {
        let word: String = text[start..end].iter().collect();
        if lookup(OPPOSITES, &word, true).is_some() {
            out.push(Spot {
                start,
                end,
                edit: Edit::Word,
            });
        } else if lookup(NEGATIONS, &word, false).is_some() {
            out.push(Spot {
                start,
                end,
                edit: Edit::Negation,
            });
        }
    }
    out
}

/// The new text of `spot` in `text`.
fn replacement(text: &[char], spot: Spot, draw: &Draw) -> String {
    let passage: String = text[spot.start..spot.end].iter().collect();
    match spot.edit {
        Edit::Contradiction | Edit::Number => {
            let mut digits: Vec<char> = passage.chars().collect();
            let at = index(draw.plant[1], digits.len());
            let leading = at == 0 && digits.len() > 1;
            let allowed: Vec<char> = ('0'..='9')
                .filter(|d| Some(d) != digits.get(at) && !(leading && *d == '0'))
                .collect();
            if let (Some(slot), Some(new)) = (
                digits.get_mut(at),
                allowed.get(index(draw.plant[2], allowed.len())),
            ) {
                *slot = *new;
            }
            digits.into_iter().collect()
        }
        Edit::Word => lookup(OPPOSITES, &passage, true)
            .map(|opposite| same_case(&passage, opposite))
            .unwrap_or(passage),
        Edit::Negation => lookup(NEGATIONS, &passage, false)
            .map(|negated| same_case(&passage, negated))
            .unwrap_or(passage),
    }
}

/// Among `candidates` (each a target index and a passage), those of the most preferred
/// kind, and the one the draw picks of them.
fn choose(candidates: &[(usize, Spot)], draw: &Draw) -> Option<(usize, Spot)> {
    let best = candidates.iter().map(|(_, spot)| spot.edit).min()?;
    let preferred: Vec<&(usize, Spot)> =
        candidates.iter().filter(|(_, s)| s.edit == best).collect();
    preferred
        .get(index(draw.plant[0], preferred.len()))
        .map(|c| **c)
}

/// A value of a card that may carry the error: its place and its text.
struct Target {
    field: String,
    text: Vec<char>,
    reference: String,
}

/// The text of a field value that can be edited (strings and numbers).
fn editable(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `edited` in the JSON type of `original`: a number stays a number when it still reads
/// as one.
fn retyped(original: &Value, edited: String) -> Value {
    match original {
        Value::Number(_) => serde_json::from_str::<serde_json::Number>(&edited)
            .map(Value::Number)
            .unwrap_or(Value::String(edited)),
        _ => Value::String(edited),
    }
}

/// The texts of a card a reader would compare a swiper text with.
fn card_texts(card: Option<&Map<String, Value>>) -> String {
    let Some(card) = card else {
        return String::new();
    };
    let mut parts: Vec<String> = ["title", "subtitle"]
        .iter()
        .filter_map(|key| card.get(*key).and_then(Value::as_str).map(str::to_owned))
        .collect();
    if let Some(label) = card
        .get("suggestion")
        .and_then(|s| s.get("label"))
        .and_then(Value::as_str)
    {
        parts.push(label.to_owned());
    }
    parts.extend(
        card_fields(card)
            .into_iter()
            .filter_map(|(_, v)| editable(&v)),
    );
    parts.join("\n")
}

/// The `(index, value)` of each field of `card.fields`.
fn card_fields(card: &Map<String, Value>) -> Vec<(usize, Value)> {
    card.get("fields")
        .and_then(Value::as_array)
        .map(|fields| {
            fields
                .iter()
                .enumerate()
                .filter_map(|(i, f)| f.get("value").cloned().map(|v| (i, v)))
                .collect()
        })
        .unwrap_or_default()
}

/// The values a swiper decoy may change, in order: the text, the card's fields, the
/// payload's fields the view shows.
fn swiper_targets(shown: &Shown) -> Vec<Target> {
    let mut targets = Vec::new();
    let text = shown.view.text.clone().unwrap_or_default();
    if !text.is_empty() {
        targets.push(Target {
            field: "text".to_owned(),
            text: text.chars().collect(),
            reference: card_texts(shown.card.as_ref()),
        });
    }
    if let Some(card) = &shown.card {
        for (i, value) in card_fields(card) {
            if let Some(value) = editable(&value) {
                targets.push(Target {
                    field: format!("card.fields.{i}.value"),
                    text: value.chars().collect(),
                    reference: text.clone(),
                });
            }
        }
    }
    for (i, field) in shown.view.fields.iter().flatten().enumerate() {
        if let Some(value) = editable(&field.value) {
            targets.push(Target {
                field: format!("fields.{i}.value"),
                text: value.chars().collect(),
                reference: String::new(),
            });
        }
    }
    targets
}

/// Replaces `card.body` by `new` when it is `old` (the view's text came from it, or the
/// card repeats it), so the card and the view show the same error.
fn sync_body(card: &mut Option<Map<String, Value>>, old: &str, new: &str) {
    if let Some(body) = card.as_mut().and_then(|c| c.get_mut("body"))
        && body.as_str() == Some(old)
    {
        *body = Value::String(new.to_owned());
    }
}

/// Changes one passage among `targets` in a copy of `shown`.
fn change_one(shown: &Shown, targets: &[Target], draw: &Draw) -> Option<(Shown, Change)> {
    let candidates: Vec<(usize, Spot)> = targets
        .iter()
        .enumerate()
        .flat_map(|(i, t)| {
            spots(&t.text, &t.reference)
                .into_iter()
                .map(move |s| (i, s))
        })
        .collect();
    let (at, spot) = choose(&candidates, draw)?;
    let target = targets.get(at)?;
    let planted = replacement(&target.text, spot, draw);
    let original: String = target.text[spot.start..spot.end].iter().collect();
    let old_text: String = target.text.iter().collect();
    let new_text: String = target.text[..spot.start]
        .iter()
        .copied()
        .chain(planted.chars())
        .chain(target.text[spot.end..].iter().copied())
        .collect();
    let mut copy = shown.clone();
    let mut path = target.field.split('.');
    match (path.next(), path.next(), path.next()) {
        (Some("text"), None, _) => {
            copy.view.text = Some(new_text.clone());
            sync_body(&mut copy.card, &old_text, &new_text);
        }
        (Some("claim"), None, _) => {
            copy.view.claim = Some(new_text.clone());
            sync_body(&mut copy.card, &old_text, &new_text);
        }
        (Some("card"), Some("fields"), Some(i)) => {
            let field = copy
                .card
                .as_mut()?
                .get_mut("fields")?
                .get_mut(i.parse::<usize>().ok()?)?
                .as_object_mut()?;
            let value = field.get_mut("value")?;
            *value = retyped(value, new_text);
        }
        (Some("fields"), Some(i), _) => {
            let field = copy
                .view
                .fields
                .as_mut()?
                .get_mut(i.parse::<usize>().ok()?)?;
            field.value = retyped(&field.value, new_text);
        }
        _ => return None,
    }
    Some((
        copy,
        Change {
            field: target.field.clone(),
            edit: spot.edit,
            start: spot.start,
            end: spot.end,
            original,
            planted,
            contradicts: None,
        },
    ))
}

/// The sentences of `text` as `start..end`: each ends after `.`, `!` or `?` followed by
/// white space or the end (a trailing passage without one is a sentence too); leading
/// white space is not part of a sentence.
fn sentences(text: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.iter().enumerate() {
        if start.is_none() && !c.is_whitespace() {
            start = Some(i);
        }
        let ends =
            matches!(c, '.' | '!' | '?') && text.get(i + 1).is_none_or(|next| next.is_whitespace());
        if let (true, Some(s)) = (ends, start) {
            out.push((s, i + 1));
            start = None;
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// A detective decoy: one sentence of the text, copied with one change, inserted after
/// a sentence the draw picks, so the text contradicts itself.
fn detective(shown: &Shown, draw: &Draw) -> Option<(Shown, Change)> {
    let text: Vec<char> = shown.view.text.as_deref()?.chars().collect();
    let sentences = sentences(&text);
    let candidates: Vec<(usize, Spot)> = sentences
        .iter()
        .enumerate()
        .flat_map(|(i, (start, end))| {
            spots(&text[*start..*end], "")
                .into_iter()
                .map(move |s| (i, s))
        })
        .collect();
    let (at, spot) = choose(&candidates, draw)?;
    let (start, end) = *sentences.get(at)?;
    let sentence = &text[start..end];
    let planted_word = replacement(sentence, spot, draw);
    let false_sentence: String = sentence[..spot.start]
        .iter()
        .copied()
        .chain(planted_word.chars())
        .chain(sentence[spot.end..].iter().copied())
        .collect();
    let after = sentences.get(index(draw.plant[3], sentences.len()))?.1;
    let inserted_start = after + 1;
    let inserted_end = inserted_start + false_sentence.chars().count();
    let new_text: String = text[..after]
        .iter()
        .copied()
        .chain(std::iter::once(' '))
        .chain(false_sentence.chars())
        .chain(text[after..].iter().copied())
        .collect();
    let shift = if start >= after {
        inserted_end - after
    } else {
        0
    };
    let old_text: String = text.iter().collect();
    let mut copy = shown.clone();
    copy.view.text = Some(new_text.clone());
    sync_body(&mut copy.card, &old_text, &new_text);
    Some((
        copy,
        Change {
            field: "text".to_owned(),
            edit: spot.edit,
            start: inserted_start,
            end: inserted_end,
            original: sentence.iter().collect(),
            planted: false_sentence,
            contradicts: Some([start + shift, end + shift]),
        },
    ))
}

/// A copy of `shown` with one error planted as `draw` says, in the game the card is
/// played as; `None` when the card has nothing that can be changed (or its game takes
/// no decoys).
pub fn plant(shown: &Shown, draw: &Draw) -> Option<(Shown, Change)> {
    match shown.view.game {
        Module::Swiper => change_one(shown, &swiper_targets(shown), draw),
        Module::Grounding => {
            let claim = shown.view.claim.as_deref()?;
            shown.view.source_text.as_deref()?;
            let target = Target {
                field: "claim".to_owned(),
                text: claim.chars().collect(),
                reference: shown.view.source_text.clone().unwrap_or_default(),
            };
            change_one(shown, &[target], draw)
        }
        Module::Detective => detective(shown, draw),
        Module::Versus | Module::Sorter | Module::Fixer | Module::Redact => None,
    }
}

/// Whether a decision on a decoy played as `game` caught its error: a flag does (in
/// detective, when it marks passages, one of them must touch the inserted sentence or
/// the one it contradicts); an approval misses it; an escalation abstains (`None`), as
/// it does on golden tasks.
pub fn caught(game: Module, change: &Change, outcome: &Outcome) -> Option<bool> {
    match outcome.decision {
        Decision::Escalate => None,
        Decision::Approve => Some(false),
        Decision::Flag if game != Module::Detective => Some(true),
        Decision::Flag => {
            let marked = detail_spans(outcome.detail.as_ref());
            let touches =
                |span: &Span, [start, end]: [usize; 2]| span.start < end && start < span.end;
            let mut planted = vec![[change.start, change.end]];
            planted.extend(change.contradicts);
            Some(
                marked.is_empty()
                    || marked
                        .iter()
                        .any(|(span, _)| planted.iter().any(|p| touches(span, *p))),
            )
        }
    }
}

/// The value of field `field` (a [`Change::field`] path) in `shown`, as text.
fn field_text(shown: &Shown, field: &str) -> Option<String> {
    let mut path = field.split('.');
    match (path.next(), path.next(), path.next()) {
        (Some("text"), None, _) => shown.view.text.clone(),
        (Some("claim"), None, _) => shown.view.claim.clone(),
        (Some("card"), Some("fields"), Some(i)) => editable(
            shown
                .card
                .as_ref()?
                .get("fields")?
                .get(i.parse::<usize>().ok()?)?
                .get("value")?,
        ),
        (Some("fields"), Some(i), _) => editable(
            &shown
                .view
                .fields
                .as_ref()?
                .get(i.parse::<usize>().ok()?)?
                .value,
        ),
        _ => None,
    }
}

/// The word (between white space) that a changed passage sits in, before and after the
/// change, read from `decoy` (what the reviewer was shown), without the punctuation
/// around it: "£2,400" and "£7,400" where only "2" became "7", so that the reviewer
/// recognises the spot. `None` for detective's
/// inserted sentences, which are whole already.
pub fn in_context(decoy: &Shown, change: &Change) -> Option<(String, String)> {
    if change.contradicts.is_some() {
        return None;
    }
    let text: Vec<char> = field_text(decoy, &change.field)?.chars().collect();
    let end = change.start + change.planted.chars().count();
    if end > text.len() {
        return None;
    }
    let from = text[..change.start]
        .iter()
        .rposition(|c| c.is_whitespace())
        .map_or(0, |i| i + 1);
    let to = text[end..]
        .iter()
        .position(|c| c.is_whitespace())
        .map_or(text.len(), |i| end + i);
    let before: String = text[from..change.start].iter().collect();
    let after: String = text[end..to].iter().collect();
    let before = before.trim_start_matches(['(', '[', '"', '\'', '“', '‘']);
    let after =
        after.trim_end_matches(['.', ',', ':', ';', '!', '?', ')', ']', '"', '\'', '”', '’']);
    Some((
        format!("{before}{}{after}", change.original),
        format!("{before}{}{after}", change.planted),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::review::draw::draw;
    use serde_json::json;

    fn shown(module: Module, payload: Value, card: Value) -> Shown {
        let payload = payload.as_object().cloned().unwrap_or_default();
        let card = card.as_object().cloned();
        Shown {
            view: View::of(module, &payload, card.as_ref()),
            card,
        }
    }

    fn outcome(decision: Decision, detail: Option<Value>) -> Outcome {
        Outcome {
            decision,
            verdict: match decision {
                Decision::Approve => Some(true),
                Decision::Flag => Some(false),
                Decision::Escalate => None,
            },
            choice: None,
            reason: None,
            severity: None,
            detail,
        }
    }

    #[test]
    fn the_same_card_and_draw_plant_the_same_error() {
        let card = shown(
            Module::Swiper,
            json!({"content": "Refund 240 EUR to order 4821: the customer was charged twice."}),
            json!({"title": "Refund #4821"}),
        );
        let d = draw("seed", "p", "r", 3);
        let first = plant(&card, &d);
        assert!(first.is_some());
        assert_eq!(first, plant(&card, &d));
        let planted = (0..50)
            .filter_map(|seq| plant(&card, &draw("seed", "p", "r", seq)))
            .map(|(s, _)| s.view.text)
            .collect::<std::collections::BTreeSet<_>>();
        assert!(planted.len() > 5, "different draws plant different errors");
    }

    #[test]
    fn a_number_the_card_repeats_is_changed_first() {
        let card = shown(
            Module::Swiper,
            json!({"content": "Refund 240 EUR to order 4821 today."}),
            json!({"title": "Refund #4821"}),
        );
        for seq in 0..30 {
            let (copy, change) = plant(&card, &draw("k", "p", "r", seq)).expect("planted");
            assert_eq!(change.edit, Edit::Contradiction);
            assert_eq!(change.original, "4821");
            assert_ne!(change.planted, "4821");
            assert_eq!(change.planted.len(), 4);
            assert!(!change.planted.starts_with('0'));
            let text = copy.view.text.unwrap_or_default();
            assert_eq!(
                text,
                format!("Refund 240 EUR to order {} today.", change.planted)
            );
            assert_eq!(copy.card, card.card, "the title keeps the true number");
        }
    }

    #[test]
    fn swiper_changes_words_or_fields_when_there_is_no_number() {
        let words = shown(
            Module::Swiper,
            json!({}),
            json!({"body": "The refund was Approved and is final"}),
        );
        let (copy, change) = plant(&words, &draw("k", "p", "r", 1)).expect("planted");
        assert_eq!(change.edit, Edit::Word);
        assert_eq!(
            (change.original.as_str(), change.planted.as_str()),
            ("Approved", "Rejected")
        );
        assert_eq!(
            copy.card.as_ref().and_then(|c| c.get("body")),
            Some(&json!("The refund was Rejected and is final")),
            "a text taken from the card changes in the card too"
        );
        assert_eq!(
            copy.view.text.as_deref(),
            Some("The refund was Rejected and is final")
        );
        let fields = shown(
            Module::Swiper,
            json!({}),
            json!({"fields": [{"label": "Amount", "value": 2400}, {"label": "Ok", "value": true}]}),
        );
        let (copy, change) = plant(&fields, &draw("k", "p", "r", 2)).expect("planted");
        assert_eq!(change.field, "card.fields.0.value");
        let value = copy.card.as_ref().map(|c| c["fields"][0]["value"].clone());
        assert!(value.as_ref().is_some_and(Value::is_number), "{value:?}");
        assert_ne!(value, Some(json!(2400)));
        let negation = shown(Module::Swiper, json!({"content": "It is done"}), json!({}));
        let (_, change) = plant(&negation, &draw("k", "p", "r", 0)).expect("planted");
        assert_eq!(change.planted, "is not");
        let nothing = shown(Module::Swiper, json!({"content": "hello there"}), json!({}));
        assert_eq!(plant(&nothing, &draw("k", "p", "r", 0)), None);
    }

    #[test]
    fn detective_inserts_a_sentence_that_contradicts_another() {
        let text = "The invoice was sent on 3 May. It totals 1200 EUR. Payment is due in 30 days.";
        let card = shown(Module::Detective, json!({"body": text}), json!({}));
        for seq in 0..20 {
            let (copy, change) = plant(&card, &draw("k", "p", "r", seq)).expect("planted");
            let new_text: Vec<char> = copy.view.text.unwrap_or_default().chars().collect();
            let inserted: String = new_text[change.start..change.end].iter().collect();
            assert_eq!(inserted, change.planted);
            let [from, to] = change.contradicts.unwrap_or_default();
            let copied: String = new_text[from..to].iter().collect();
            assert_eq!(copied, change.original);
            assert_ne!(change.original, change.planted);
            assert_eq!(
                new_text.len(),
                text.chars().count() + 1 + change.planted.chars().count()
            );
        }
    }

    #[test]
    fn grounding_alters_the_claim_against_its_source() {
        let card = shown(
            Module::Grounding,
            json!({"claim": "Revenue grew 12% in 2024.", "source": "In 2024 revenue grew 12% to 4.1m."}),
            json!({}),
        );
        let (copy, change) = plant(&card, &draw("k", "p", "r", 5)).expect("planted");
        assert_eq!(change.field, "claim");
        assert_eq!(change.edit, Edit::Contradiction);
        assert_eq!(
            copy.view.source_text, card.view.source_text,
            "the source is untouched"
        );
        assert_ne!(copy.view.claim, card.view.claim);
        let versus = shown(
            Module::Versus,
            json!({"a": "4 apples", "b": "5 apples"}),
            json!({}),
        );
        assert_eq!(
            plant(&versus, &draw("k", "p", "r", 5)),
            None,
            "versus takes no decoys"
        );
        let generic = shown(
            Module::Grounding,
            json!({"content": "Revenue grew 12%."}),
            json!({}),
        );
        let (_, change) = plant(&generic, &draw("k", "p", "r", 5)).expect("planted");
        assert_eq!(
            change.field, "text",
            "a grounding task without a source is played, and probed, as swiper"
        );
    }

    #[test]
    fn flags_catch_approvals_miss_escalations_abstain() {
        let change = Change {
            field: "text".to_owned(),
            edit: Edit::Number,
            start: 10,
            end: 20,
            original: "a".to_owned(),
            planted: "b".to_owned(),
            contradicts: Some([0, 5]),
        };
        let flag = outcome(Decision::Flag, None);
        assert_eq!(caught(Module::Swiper, &change, &flag), Some(true));
        assert_eq!(
            caught(Module::Swiper, &change, &outcome(Decision::Approve, None)),
            Some(false)
        );
        assert_eq!(
            caught(Module::Swiper, &change, &outcome(Decision::Escalate, None)),
            None
        );
        let marked = |start: usize, end: usize| {
            outcome(
                Decision::Flag,
                Some(json!({"spans": [{"start": start, "end": end, "text": "x"}]})),
            )
        };
        assert_eq!(caught(Module::Detective, &change, &flag), Some(true));
        assert_eq!(
            caught(Module::Detective, &change, &marked(12, 14)),
            Some(true)
        );
        assert_eq!(
            caught(Module::Detective, &change, &marked(3, 4)),
            Some(true)
        );
        assert_eq!(
            caught(Module::Detective, &change, &marked(6, 9)),
            Some(false)
        );
    }

    #[test]
    fn the_change_is_shown_in_the_word_it_sits_in() {
        let card = shown(
            Module::Swiper,
            json!({"content": "Refund £2,400 for order 4821: the parcel was damaged."}),
            json!({"fields": [{"label": "Amount", "value": "£2,400"}]}),
        );
        for seq in 0..40 {
            let (copy, change) = plant(&card, &draw("k", "p", "r", seq)).expect("planted");
            let (was, became) = in_context(&copy, &change).expect("in context");
            assert!(was.contains(&change.original) && became.contains(&change.planted));
            assert!(
                !was.contains(' ') && !became.contains(' '),
                "{was} / {became}"
            );
            assert!(!was.ends_with([':', '.']), "no punctuation around: {was}");
            let shown_text = field_text(&copy, &change.field).unwrap_or_default();
            let source_text = field_text(&card, &change.field).unwrap_or_default();
            assert!(shown_text.contains(&became), "{shown_text} / {became}");
            assert!(source_text.contains(&was), "{source_text} / {was}");
        }
        let story = shown(
            Module::Detective,
            json!({"body": "The invoice was sent on 3 May. It totals 1200 EUR."}),
            json!({}),
        );
        let (copy, change) = plant(&story, &draw("k", "p", "r", 1)).expect("planted");
        assert_eq!(
            in_context(&copy, &change),
            None,
            "a sentence is its own context"
        );
    }

    #[test]
    fn case_follows_the_replaced_word() {
        assert_eq!(same_case("YES", "no"), "NO");
        assert_eq!(same_case("Yes", "no"), "No");
        assert_eq!(same_case("yes", "no"), "no");
        assert_eq!(same_case("I", "x"), "X");
    }
}
