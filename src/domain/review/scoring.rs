//! Reviewer scoring (docs/review-api.md#golden-tasks, docs/review-api.md#scoring): golden answers, XP and streaks, levels
//! and the trust score. XP never affects verdicts.

use serde_json::Value;

use super::decision::{Outcome, same_label};
use crate::domain::enums::{Decision, Module};

/// XP for an ordinary decision.
const XP_PER_DECISION: i64 = 10;
/// From this streak on, decisions earn double.
const DOUBLE_XP_STREAK: i64 = 10;
/// XP lost for a wrong golden answer.
const XP_PENALTY: i64 = -25;
/// XP per level.
const XP_PER_LEVEL: i64 = 100;

/// The verdict a golden answer's choice implies for `module` (docs/review-api.md#games).
fn implied_verdict(module: Module, choice: &str) -> bool {
    match module {
        Module::Grounding => choice == "supported",
        Module::Detective => false,
        _ => true,
    }
}

/// Whether `review` of a `module` golden task with expected `answer` is correct
/// (`None`: an escalation, which abstains). The answer is a verdict (boolean), a choice
/// (string) or `{verdict?, choice?}`; both given parts must match.
pub fn golden_correct(module: Module, answer: &Value, review: &Outcome) -> Option<bool> {
    if review.decision == Decision::Escalate {
        return None;
    }
    let (verdict, choice) = match answer {
        Value::Bool(verdict) => (Some(*verdict), None),
        Value::String(choice) => (Some(implied_verdict(module, choice)), Some(choice.as_str())),
        Value::Object(parts) => (
            parts.get("verdict").and_then(Value::as_bool),
            parts.get("choice").and_then(Value::as_str),
        ),
        _ => (None, None),
    };
    let verdict_ok = verdict.is_none_or(|v| review.verdict == Some(v));
    let choice_ok = choice.is_none_or(|expected| {
        review.choice.as_deref().is_some_and(|given| {
            if module == Module::Sorter || module == Module::Detective {
                same_label(given, expected)
            } else {
                given == expected
            }
        })
    });
    Some(verdict_ok && choice_ok)
}

/// The XP a decision earns and the streak after it: 10 per decision, doubled while the
/// streak is at least 10; a wrong golden answer costs 25 and resets the streak.
pub fn award(streak_before: i64, correct: Option<bool>) -> (i64, i64) {
    if correct == Some(false) {
        return (XP_PENALTY, 0);
    }
    let streak = streak_before + 1;
    let xp = if streak >= DOUBLE_XP_STREAK {
        2 * XP_PER_DECISION
    } else {
        XP_PER_DECISION
    };
    (xp, streak)
}

/// The level reached with `xp` (1 + one per 100 XP).
pub fn level(xp: i64) -> i64 {
    1 + xp.max(0) / XP_PER_LEVEL
}

/// The trust score: `(correct + 1) / (scored + 2)`, Laplace-smoothed, 0.5 to start.
#[allow(clippy::cast_precision_loss)]
pub fn trust_score(correct: i64, scored: i64) -> f64 {
    (correct + 1) as f64 / (scored + 2) as f64
}

/// `numerator / denominator`, or `None` when nothing was counted.
#[allow(clippy::cast_precision_loss)]
pub fn ratio(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn outcome(decision: Decision, verdict: Option<bool>, choice: Option<&str>) -> Outcome {
        Outcome {
            decision,
            verdict,
            choice: choice.map(str::to_owned),
            reason: None,
            severity: None,
            detail: None,
        }
    }

    #[test]
    fn golden_answers_of_each_form() {
        let approve = outcome(Decision::Approve, Some(true), None);
        assert_eq!(
            golden_correct(Module::Swiper, &json!(false), &approve),
            Some(false)
        );
        assert_eq!(
            golden_correct(Module::Swiper, &json!(true), &approve),
            Some(true)
        );
        let escalate = outcome(Decision::Escalate, None, None);
        assert_eq!(
            golden_correct(Module::Swiper, &json!(true), &escalate),
            None
        );
        let billing = outcome(Decision::Approve, Some(true), Some("Billing"));
        assert_eq!(
            golden_correct(Module::Sorter, &json!("billing"), &billing),
            Some(true)
        );
        assert_eq!(
            golden_correct(Module::Sorter, &json!("Spam"), &billing),
            Some(false)
        );
        let contradicted = outcome(Decision::Flag, Some(false), Some("contradicted"));
        assert_eq!(
            golden_correct(Module::Grounding, &json!("contradicted"), &contradicted),
            Some(true)
        );
        assert_eq!(
            golden_correct(Module::Grounding, &json!({"verdict": false}), &contradicted),
            Some(true)
        );
        assert_eq!(
            golden_correct(
                Module::Grounding,
                &json!({"verdict": false, "choice": "unsupported"}),
                &contradicted
            ),
            Some(false)
        );
        let b = outcome(Decision::Approve, Some(true), Some("b"));
        assert_eq!(
            golden_correct(Module::Versus, &json!({"choice": "b"}), &b),
            Some(true)
        );
    }

    #[test]
    fn xp_streaks_levels_and_trust() {
        assert_eq!(award(0, None), (10, 1));
        assert_eq!(award(8, Some(true)), (10, 9));
        assert_eq!(award(9, None), (20, 10));
        assert_eq!(award(25, Some(false)), (-25, 0));
        assert_eq!((level(0), level(99), level(100), level(-50)), (1, 1, 2, 1));
        assert!((trust_score(0, 0) - 0.5).abs() < 1e-9);
        assert!((trust_score(0, 1) - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(ratio(1, 0), None);
        assert_eq!(ratio(1, 2), Some(0.5));
    }
}
