//! Reviewer scoring (docs/reviewer-quality.md#scores, docs/review-api.md#golden-tasks):
//! golden answers, XP and streaks, levels, badges, and the metrics built from a
//! reviewer's tally (accuracy, catch rate, agreement, trust). XP never affects verdicts.

use serde::Serialize;
use serde_json::Value;

use super::decision::{Outcome, same_label};
use crate::domain::enums::{Decision, Module};

/// XP for an ordinary decision.
const XP_PER_DECISION: i64 = 10;
/// From this streak on, decisions earn double.
const DOUBLE_XP_STREAK: i64 = 10;
/// XP lost for a wrong golden answer or a missed decoy.
const XP_PENALTY: i64 = -25;
/// Bonus XP for a caught decoy, on top of the decision's own.
const XP_DECOY_CAUGHT: i64 = 25;
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
/// streak is at least 10; a caught decoy earns 25 more; a wrong golden answer or a
/// missed decoy (`correct: Some(false)`) costs 25 and resets the streak.
pub fn award(streak_before: i64, correct: Option<bool>, decoy: bool) -> (i64, i64) {
    if correct == Some(false) {
        return (XP_PENALTY, 0);
    }
    let streak = streak_before + 1;
    let base = if streak >= DOUBLE_XP_STREAK {
        2 * XP_PER_DECISION
    } else {
        XP_PER_DECISION
    };
    let bonus = if decoy && correct == Some(true) {
        XP_DECOY_CAUGHT
    } else {
        0
    };
    (base + bonus, streak)
}

/// The level reached with `xp` (1 + one per 100 XP).
pub fn level(xp: i64) -> i64 {
    1 + xp.max(0) / XP_PER_LEVEL
}

/// The trust score: `(correct + 1) / (scored + 2)` over golden and decoy outcomes,
/// Laplace-smoothed, 0.5 to start.
#[allow(clippy::cast_precision_loss)]
pub fn trust_score(correct: i64, scored: i64) -> f64 {
    (correct + 1) as f64 / (scored + 2) as f64
}

/// `numerator / denominator`, or `None` when nothing was counted.
#[allow(clippy::cast_precision_loss)]
pub fn ratio(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// Raw counts behind a reviewer's metrics, over every project or one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Decisions made (decoys included).
    pub reviews: i64,
    /// XP earned in total.
    pub xp: i64,
    /// The streak after the latest decision.
    pub streak: i64,
    /// The longest streak.
    pub best_streak: i64,
    /// Golden decisions scored (escalations abstain).
    pub golden_scored: i64,
    /// Golden decisions that matched the answer.
    pub golden_correct: i64,
    /// Decoys decided.
    pub decoys_seen: i64,
    /// Decoys scored (escalations abstain).
    pub decoys_scored: i64,
    /// Decoys caught.
    pub decoys_caught: i64,
    /// Counted reviews of multi-review tasks whose final verdict people reached.
    pub consensus_reviews: i64,
    /// Of those, the ones matching that verdict.
    pub consensus_agreed: i64,
}

/// How one decision counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scored {
    /// On a decoy.
    pub decoy: bool,
    /// On a golden task.
    pub golden: bool,
    /// Right or wrong (`None`: not scored).
    pub correct: Option<bool>,
    /// XP it earned.
    pub xp: i64,
    /// The streak after it.
    pub streak: i64,
}

impl Tally {
    /// The tally after one more decision.
    pub fn after(mut self, scored: &Scored) -> Self {
        let counted = |flag: bool| i64::from(flag);
        self.reviews += 1;
        self.xp += scored.xp;
        self.streak = scored.streak;
        self.best_streak = self.best_streak.max(scored.streak);
        if scored.golden {
            self.golden_scored += counted(scored.correct.is_some());
            self.golden_correct += counted(scored.correct == Some(true));
        }
        if scored.decoy {
            self.decoys_seen += 1;
            self.decoys_scored += counted(scored.correct.is_some());
            self.decoys_caught += counted(scored.correct == Some(true));
        }
        self
    }
}

/// A badge: its name and whether a tally has earned it.
type Badge = (&'static str, fn(&Tally) -> bool);

/// Every badge, in the order they are listed.
const BADGES: &[Badge] = &[
    ("first_review", |t| t.reviews >= 1),
    ("reviews_100", |t| t.reviews >= 100),
    ("reviews_1000", |t| t.reviews >= 1000),
    ("streak_10", |t| t.best_streak >= 10),
    ("streak_50", |t| t.best_streak >= 50),
    ("streak_100", |t| t.best_streak >= 100),
    ("decoy_caught", |t| t.decoys_caught >= 1),
    ("decoy_hunter", |t| t.decoys_caught >= 10),
    ("calibrated", |t| {
        t.golden_scored >= 10 && t.golden_correct * 10 >= t.golden_scored * 9
    }),
    ("trusted", |t| {
        let scored = t.golden_scored + t.decoys_scored;
        scored >= 20 && trust_score(t.golden_correct + t.decoys_caught, scored) >= 0.9
    }),
];

/// The badges `tally` has earned.
pub fn badges(tally: &Tally) -> Vec<&'static str> {
    BADGES
        .iter()
        .filter(|(_, earned)| earned(tally))
        .map(|(name, _)| *name)
        .collect()
}

/// A reviewer's metrics, as `GET /api/v1/review/stats` and the admin's reviewer list
/// show them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// XP earned in total.
    pub xp: i64,
    /// 1 + one per 100 XP.
    pub level: i64,
    /// The streak after the latest decision.
    pub streak: i64,
    /// The longest streak.
    pub best_streak: i64,
    /// Decisions made.
    pub reviews: i64,
    /// Correct golden decisions / scored golden decisions.
    pub accuracy: Option<f64>,
    /// Caught decoys / scored decoys.
    pub catch_rate: Option<f64>,
    /// Reviews matching the final consensus / reviews of multi-review tasks.
    pub agreement: Option<f64>,
    /// `(correct + 1) / (scored + 2)` over golden and decoy outcomes.
    pub trust_score: f64,
    /// Badges earned.
    pub badges: Vec<&'static str>,
    /// Golden decisions scored.
    pub golden_scored: i64,
    /// Golden decisions right.
    pub golden_correct: i64,
    /// Decoys decided.
    pub decoys_seen: i64,
    /// Decoys scored.
    pub decoys_scored: i64,
    /// Decoys caught.
    pub decoys_caught: i64,
}

impl Stats {
    /// The metrics of `tally`.
    pub fn of(tally: &Tally) -> Self {
        Self {
            xp: tally.xp,
            level: level(tally.xp),
            streak: tally.streak,
            best_streak: tally.best_streak,
            reviews: tally.reviews,
            accuracy: ratio(tally.golden_correct, tally.golden_scored),
            catch_rate: ratio(tally.decoys_caught, tally.decoys_scored),
            agreement: ratio(tally.consensus_agreed, tally.consensus_reviews),
            trust_score: trust_score(
                tally.golden_correct + tally.decoys_caught,
                tally.golden_scored + tally.decoys_scored,
            ),
            badges: badges(tally),
            golden_scored: tally.golden_scored,
            golden_correct: tally.golden_correct,
            decoys_seen: tally.decoys_seen,
            decoys_scored: tally.decoys_scored,
            decoys_caught: tally.decoys_caught,
        }
    }
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
        assert_eq!(award(0, None, false), (10, 1));
        assert_eq!(award(8, Some(true), false), (10, 9));
        assert_eq!(award(9, None, false), (20, 10));
        assert_eq!(award(25, Some(false), false), (-25, 0));
        assert_eq!((level(0), level(99), level(100), level(-50)), (1, 1, 2, 1));
        assert!((trust_score(0, 0) - 0.5).abs() < 1e-9);
        assert!((trust_score(0, 1) - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(ratio(1, 0), None);
        assert_eq!(ratio(1, 2), Some(0.5));
    }

    #[test]
    fn decoys_caught_earn_a_bonus_and_missed_ones_cost() {
        assert_eq!(award(3, Some(true), true), (35, 4), "10 + 25");
        assert_eq!(
            award(12, Some(true), true),
            (45, 13),
            "20 + 25 past a streak of 10"
        );
        assert_eq!(award(12, Some(false), true), (-25, 0));
        assert_eq!(award(3, None, true), (10, 4), "an escalation abstains");
    }

    /// A history of decisions, each `(decoy, golden, correct)`, scored one by one.
    fn history(decisions: &[(bool, bool, Option<bool>)]) -> Tally {
        decisions
            .iter()
            .fold(Tally::default(), |tally, &(decoy, golden, correct)| {
                let (xp, streak) = award(tally.streak, correct, decoy);
                tally.after(&Scored {
                    decoy,
                    golden,
                    correct,
                    xp,
                    streak,
                })
            })
    }

    #[test]
    fn metrics_of_a_constructed_history() {
        let ordinary = (false, false, None);
        let golden_right = (false, true, Some(true));
        let golden_wrong = (false, true, Some(false));
        let golden_abstained = (false, true, None);
        let caught = (true, false, Some(true));
        let missed = (true, false, Some(false));
        let decoy_escalated = (true, false, None);
        let tally = history(&[
            ordinary,
            golden_right,
            caught,
            ordinary,
            missed,
            golden_wrong,
            golden_abstained,
            caught,
            decoy_escalated,
            golden_right,
        ]);
        assert_eq!(tally.reviews, 10);
        assert_eq!((tally.golden_scored, tally.golden_correct), (3, 2));
        assert_eq!(
            (tally.decoys_seen, tally.decoys_scored, tally.decoys_caught),
            (4, 3, 2)
        );
        // 10, 10, 35, 10, -25 (reset), -25 (reset), 10, 35, 10, 10.
        assert_eq!(tally.xp, 10 + 10 + 35 + 10 - 25 - 25 + 10 + 35 + 10 + 10);
        assert_eq!((tally.streak, tally.best_streak), (4, 4));
        let stats = Stats::of(&tally);
        assert_eq!(stats.accuracy, Some(2.0 / 3.0));
        assert_eq!(stats.catch_rate, Some(2.0 / 3.0));
        assert!(
            (stats.trust_score - 5.0 / 8.0).abs() < 1e-12,
            "(2 + 2 + 1) / (3 + 3 + 2)"
        );
        assert_eq!(stats.agreement, None);
        assert_eq!(stats.level, 1);
        assert_eq!(stats.badges, ["first_review", "decoy_caught"]);
        let agreeing = Tally {
            consensus_reviews: 4,
            consensus_agreed: 3,
            ..tally
        };
        assert_eq!(Stats::of(&agreeing).agreement, Some(0.75));
    }

    #[test]
    fn badges_follow_the_tally() {
        let seasoned = Tally {
            reviews: 1200,
            best_streak: 60,
            decoys_caught: 12,
            decoys_scored: 12,
            golden_scored: 10,
            golden_correct: 9,
            ..Tally::default()
        };
        assert_eq!(
            badges(&seasoned),
            [
                "first_review",
                "reviews_100",
                "reviews_1000",
                "streak_10",
                "streak_50",
                "decoy_caught",
                "decoy_hunter",
                "calibrated",
                "trusted"
            ]
        );
        assert!(badges(&Tally::default()).is_empty());
    }
}
