//! Dispatch priority (docs/engine-api.md#priority with docs/decisions.md#dispatch-order): which `todo` issue an agent
//! gets next. `score = priorityWeight + typeBonus + goalBonus + ageBonus`, where the age
//! bonus is one point per whole day since the issue was created.

use serde::Serialize;

use super::enums::{IssueStatus, IssueType, WireEnum};
use crate::clock::Timestamp;

/// Points for an issue whose project has an active goal.
pub const GOAL_ALIGNMENT_BONUS: i64 = 20;
/// Points per whole day of age.
pub const AGE_BONUS_PER_DAY: i64 = 1;
/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// Points for a priority: 1 (urgent) 100, 2 75, 3 50, 4 25, anything else 10.
pub fn priority_weight(priority: i64) -> i64 {
    match priority {
        1 => 100,
        2 => 75,
        3 => 50,
        4 => 25,
        _ => 10,
    }
}

/// Points for an issue type: signal 50, hypothesis 40, plan 30, task 20, monitor 10.
pub fn type_bonus(kind: IssueType) -> i64 {
    match kind {
        IssueType::Signal => 50,
        IssueType::Hypothesis => 40,
        IssueType::Plan => 30,
        IssueType::Task => 20,
        IssueType::Monitor => 10,
    }
}

/// Whole days from `created_ms` to `now_ms` (floor), in age-bonus points.
pub fn age_bonus(created_ms: i64, now_ms: i64) -> i64 {
    now_ms.saturating_sub(created_ms).div_euclid(DAY_MS) * AGE_BONUS_PER_DAY
}

/// The first moment after `now_ms` at which the age bonus of an issue created at
/// `created_ms` changes: its next whole day of age. Until then its score stands still,
/// which is what lets a queue answer be reused (docs/design.md#dispatch-queue).
pub fn next_age_bonus_change(created_ms: i64, now_ms: i64) -> i64 {
    let days = now_ms.saturating_sub(created_ms).div_euclid(DAY_MS);
    created_ms.saturating_add((days + 1).saturating_mul(DAY_MS))
}

/// The part of an issue's score that does not change with time: priority weight, type
/// bonus and goal bonus. Issues with the same static score are ordered by age alone, so
/// the best of them is simply the oldest.
pub fn static_score(priority: i64, kind: IssueType, goal_bonus: i64) -> i64 {
    priority_weight(priority) + type_bonus(kind) + goal_bonus
}

/// Every static score an issue can have, highest first.
pub fn possible_static_scores() -> Vec<i64> {
    let weights = [100, 75, 50, 25, 10];
    let mut scores: Vec<i64> = weights
        .iter()
        .flat_map(|w| {
            IssueType::ALL
                .iter()
                .map(|kind| type_bonus(*kind))
                .flat_map(move |b| [w + b, w + b + GOAL_ALIGNMENT_BONUS])
        })
        .collect();
    scores.sort_unstable_by(|a, b| b.cmp(a));
    scores.dedup();
    scores
}

/// A score and how it is made up (the `/queue` breakdown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Breakdown {
    /// From the priority.
    pub priority_weight: i64,
    /// From the project's active goal.
    pub goal_bonus: i64,
    /// From the age in whole days.
    pub age_bonus: i64,
    /// From the type.
    pub type_bonus: i64,
}

impl Breakdown {
    /// The breakdown of an issue's score at `now_ms`.
    pub fn of(
        priority: i64,
        kind: IssueType,
        goal_bonus: i64,
        created_ms: i64,
        now_ms: i64,
    ) -> Self {
        Self {
            priority_weight: priority_weight(priority),
            goal_bonus,
            age_bonus: age_bonus(created_ms, now_ms),
            type_bonus: type_bonus(kind),
        }
    }

    /// The total score.
    pub fn score(&self) -> i64 {
        self.priority_weight + self.goal_bonus + self.age_bonus + self.type_bonus
    }
}

/// Dispatch order: higher score first, then older (`createdAt` ascending), then `id`.
pub fn order_key(score: i64, created_ms: i64, id: &str) -> (std::cmp::Reverse<i64>, i64, &str) {
    (std::cmp::Reverse(score), created_ms, id)
}

/// The issue to claim among the oldest unblocked issue of each static score (`heads`:
/// static score, creation time, id), in [`order_key`] order at `now_ms`: its position
/// in `heads`.
pub fn pick<'a>(
    heads: impl IntoIterator<Item = (i64, i64, &'a str)>,
    now_ms: i64,
) -> Option<usize> {
    heads
        .into_iter()
        .enumerate()
        .min_by(|(_, (s1, c1, i1)), (_, (s2, c2, i2))| {
            let score = |s: i64, c: i64| s + age_bonus(c, now_ms);
            order_key(score(*s1, *c1), *c1, i1).cmp(&order_key(score(*s2, *c2), *c2, i2))
        })
        .map(|(position, _)| position)
}

/// The shortest and longest lease a claimer may ask for, in seconds.
pub const LEASE_SECONDS_RANGE: std::ops::RangeInclusive<i64> = 60..=86_400;

/// When a lease of `seconds` taken or renewed at `now` lapses.
pub fn lease_expiry(now: Timestamp, seconds: i64) -> Timestamp {
    now.plus_millis(seconds.saturating_mul(1000))
}

/// How a PATCH changes an issue's lease (docs/decisions.md#claim-leases): while a leased `in_progress`
/// issue stays `in_progress` the lease is renewed; when it leaves `in_progress` the lease
/// ends. `None` leaves the lease alone.
pub fn lease_after_update(
    current_status: IssueStatus,
    lease_seconds: Option<i64>,
    new_status: Option<IssueStatus>,
    now: Timestamp,
) -> Option<Option<Timestamp>> {
    let was_in_progress = current_status == IssueStatus::InProgress;
    let stays = new_status.is_none_or(|s| s == IssueStatus::InProgress);
    match (was_in_progress, stays, lease_seconds) {
        (true, true, Some(seconds)) => Some(Some(lease_expiry(now, seconds))),
        (true, false, _) => Some(None),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leases_renew_while_in_progress_and_end_after() {
        let now = Timestamp::from_unix_millis(1_000_000);
        let renewed = Some(Some(Timestamp::from_unix_millis(1_000_000 + 3_600_000)));
        assert_eq!(
            lease_after_update(IssueStatus::InProgress, Some(3600), None, now),
            renewed
        );
        assert_eq!(
            lease_after_update(
                IssueStatus::InProgress,
                Some(3600),
                Some(IssueStatus::InProgress),
                now
            ),
            renewed
        );
        assert_eq!(
            lease_after_update(
                IssueStatus::InProgress,
                Some(3600),
                Some(IssueStatus::Done),
                now
            ),
            Some(None)
        );
        assert_eq!(
            lease_after_update(IssueStatus::InProgress, None, None, now),
            None,
            "no lease, nothing to renew"
        );
        assert_eq!(
            lease_after_update(IssueStatus::Todo, None, Some(IssueStatus::InProgress), now),
            None,
            "a PATCH is not a claim"
        );
    }

    #[test]
    fn the_worked_example() {
        let now = 100 * DAY_MS;
        let b = Breakdown::of(
            2,
            IssueType::Signal,
            GOAL_ALIGNMENT_BONUS,
            now - 3 * DAY_MS,
            now,
        );
        assert_eq!(
            (b.priority_weight, b.type_bonus, b.goal_bonus, b.age_bonus),
            (75, 50, 20, 3)
        );
        assert_eq!(b.score(), 148);
    }

    #[test]
    fn weights_and_bonuses() {
        let weights: Vec<i64> = [1, 2, 3, 4, 0, 99]
            .iter()
            .map(|p| priority_weight(*p))
            .collect();
        assert_eq!(weights, [100, 75, 50, 25, 10, 10]);
        let bonuses: Vec<i64> = IssueType::ALL.iter().map(|t| type_bonus(*t)).collect();
        assert_eq!(bonuses, [50, 40, 30, 20, 10]);
    }

    #[test]
    fn age_is_whole_days_floored() {
        let now = 1000 * DAY_MS;
        assert_eq!(age_bonus(now, now), 0);
        assert_eq!(age_bonus(now - 30 * DAY_MS, now), 30);
        assert_eq!(age_bonus(now - 365 * DAY_MS, now), 365);
        assert_eq!(
            age_bonus(now - DAY_MS * 26 / 10, now),
            2,
            "2.6 days is 2 whole days"
        );
        assert_eq!(age_bonus(now - DAY_MS + 1, now), 0);
    }

    #[test]
    fn the_age_bonus_changes_at_each_whole_day_of_age_and_only_then() {
        let created = 7 * DAY_MS + 12_345;
        for now in [
            created - 3 * DAY_MS - 1,
            created - 1,
            created,
            created + 1,
            created + DAY_MS - 1,
            created + DAY_MS,
            created + 40 * DAY_MS + 999,
        ] {
            let next = next_age_bonus_change(created, now);
            assert!(next > now && next - now <= DAY_MS, "{now}: {next}");
            assert_eq!(
                age_bonus(created, next - 1),
                age_bonus(created, now),
                "{now}"
            );
            assert_eq!(
                age_bonus(created, next),
                age_bonus(created, now) + AGE_BONUS_PER_DAY,
                "{now}"
            );
        }
    }

    #[test]
    fn ties_go_to_the_oldest_then_the_smallest_id() {
        assert!(order_key(10, 5, "b") < order_key(10, 6, "a"));
        assert!(order_key(10, 5, "a") < order_key(10, 5, "b"));
        assert!(order_key(11, 9, "z") < order_key(10, 1, "a"));
    }

    /// Taking the oldest of each static score finds exactly what sorting every
    /// candidate finds.
    #[test]
    fn the_heads_of_each_static_score_agree_with_a_full_sort() {
        let now = 50 * DAY_MS + 12_345;
        let mut rows: Vec<(String, i64, IssueType, i64, i64)> = Vec::new();
        let mut seed: i64 = 7;
        for i in 0..400 {
            seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
            let priority = seed % 5;
            let kind = IssueType::ALL[usize::try_from((seed / 5) % 5).unwrap_or(0)];
            let goal = if seed % 3 == 0 {
                GOAL_ALIGNMENT_BONUS
            } else {
                0
            };
            let created = now - (seed % (40 * DAY_MS));
            rows.push((format!("id{i:03}"), priority, kind, goal, created));
        }
        let expected = rows
            .iter()
            .min_by_key(|(id, p, k, g, c)| {
                order_key(Breakdown::of(*p, *k, *g, *c, now).score(), *c, id)
            })
            .map(|r| r.0.clone());
        let mut heads: Vec<(i64, i64, &str)> = Vec::new();
        for class in possible_static_scores() {
            let oldest = rows
                .iter()
                .filter(|(_, p, k, g, _)| static_score(*p, *k, *g) == class)
                .min_by_key(|(id, _, _, _, c)| (*c, id.clone()));
            if let Some((id, _, _, _, c)) = oldest {
                heads.push((class, *c, id));
            }
        }
        let picked = pick(heads.iter().copied(), now).map(|i| heads[i].2.to_owned());
        assert_eq!(picked, expected);
    }

    #[test]
    fn every_static_score_is_listed() {
        let scores = possible_static_scores();
        assert_eq!(scores.first(), Some(&170));
        assert_eq!(scores.last(), Some(&20));
        assert!(scores.contains(&static_score(0, IssueType::Monitor, 0)));
        assert!(scores.windows(2).all(|w| w[0] > w[1]));
    }
}
