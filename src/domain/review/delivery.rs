//! The rules of verdict delivery (docs/review-api.md#verdict-webhooks, docs/decisions.md#delivery-retries): how a body is
//! signed, when a failed attempt is tried again, and when to give up.

use crate::domain::signature::hmac_sha256_hex;

/// The longest wait a receiver's `Retry-After` can impose: two hours.
const MAX_RETRY_AFTER_S: i64 = 2 * 60 * 60;

/// The gaps between attempts when `LOOP_WEBHOOK_RETRY_SCHEDULE` is unset.
pub const DEFAULT_SCHEDULE: [i64; 5] = [10, 60, 300, 1800, 7200];

/// The `X-LoopQuest-Signature` value of `body` under the project's signing secret:
/// `sha256=` and the lowercase hex HMAC-SHA256 of the exact bytes sent.
pub fn signature(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hmac_sha256_hex(secret.as_bytes(), body))
}

/// The seconds to wait before each retry; a delivery gets one attempt more than there
/// are gaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule {
    gaps: Vec<i64>,
}

impl Default for RetrySchedule {
    /// 10 s, 1 min, 5 min, 30 min, 2 h: six attempts in all.
    fn default() -> Self {
        Self {
            gaps: DEFAULT_SCHEDULE.to_vec(),
        }
    }
}

impl std::fmt::Display for RetrySchedule {
    /// The comma-separated form [`RetrySchedule::parse`] reads.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let gaps: Vec<String> = self.gaps.iter().map(i64::to_string).collect();
        f.write_str(&gaps.join(","))
    }
}

impl RetrySchedule {
    /// Parses `10,60,300`: non-negative whole seconds, comma-separated (an empty list
    /// means a single attempt).
    pub fn parse(text: &str) -> Result<Self, String> {
        let gaps = text
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<i64>()
                    .ok()
                    .filter(|gap| (0..=MAX_RETRY_AFTER_S * 12).contains(gap))
                    .ok_or_else(|| format!("{part:?} is not a number of seconds (0 to 86400)"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { gaps })
    }

    /// The most attempts one series makes.
    pub fn max_attempts(&self) -> i64 {
        i64::try_from(self.gaps.len()).unwrap_or(i64::MAX - 1) + 1
    }

    /// After failed attempt number `attempts` (1-based), how many seconds until the next
    /// one, or `None` when that was the last. A receiver's `Retry-After` replaces the
    /// scheduled gap when it is longer, up to two hours.
    pub fn next_gap(&self, attempts: i64, retry_after: Option<i64>) -> Option<i64> {
        let index = usize::try_from(attempts - 1).ok()?;
        let scheduled = *self.gaps.get(index)?;
        let asked = retry_after.map_or(0, |s| s.clamp(0, MAX_RETRY_AFTER_S));
        Some(scheduled.max(asked))
    }
}

/// What one attempt's answer means for its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judgement {
    /// A 2xx: delivered.
    Delivered,
    /// Failed; try again in this many seconds.
    RetryIn(i64),
    /// Failed, and that was the last attempt.
    GiveUp,
    /// 410 Gone: stop; a subscription that answers it is removed.
    Gone,
}

/// Judges attempt number `attempt` (1-based) that got HTTP `status` (`None`: no answer
/// — timeout, refused connection, TLS error) and possibly a `Retry-After` in seconds,
/// which only a 429 or 503 may impose. Redirects are not followed: a 3xx is a failure.
pub fn judge(
    schedule: &RetrySchedule,
    attempt: i64,
    status: Option<u16>,
    retry_after: Option<i64>,
) -> Judgement {
    match status {
        Some(200..=299) => Judgement::Delivered,
        Some(410) => Judgement::Gone,
        _ => {
            let asked = retry_after.filter(|_| matches!(status, Some(429 | 503)));
            schedule
                .next_gap(attempt, asked)
                .map_or(Judgement::GiveUp, Judgement::RetryIn)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_cover_the_exact_bytes() {
        let body = br#"{"task_id":"t","verdict":true}"#;
        let signed = signature("whsec_abc", body);
        assert_eq!(
            signed,
            format!("sha256={}", hmac_sha256_hex(b"whsec_abc", body))
        );
        assert_eq!(signed.len(), 7 + 64);
        assert_ne!(signed, signature("whsec_abd", body));
    }

    #[test]
    fn the_default_schedule_makes_six_attempts() {
        let schedule = RetrySchedule::default();
        assert_eq!(schedule.max_attempts(), 6);
        let gaps: Vec<Option<i64>> = (1..=6).map(|n| schedule.next_gap(n, None)).collect();
        assert_eq!(
            gaps,
            [Some(10), Some(60), Some(300), Some(1800), Some(7200), None]
        );
    }

    #[test]
    fn retry_after_lengthens_but_never_shortens_and_is_capped() {
        let schedule = RetrySchedule::default();
        assert_eq!(schedule.next_gap(1, Some(120)), Some(120));
        assert_eq!(schedule.next_gap(2, Some(5)), Some(60));
        assert_eq!(schedule.next_gap(1, Some(999_999)), Some(7200));
    }

    #[test]
    fn answers_are_judged() {
        let schedule = RetrySchedule::default();
        assert_eq!(judge(&schedule, 1, Some(204), None), Judgement::Delivered);
        assert_eq!(judge(&schedule, 1, Some(500), None), Judgement::RetryIn(10));
        assert_eq!(judge(&schedule, 1, None, None), Judgement::RetryIn(10));
        assert_eq!(judge(&schedule, 1, Some(302), None), Judgement::RetryIn(10));
        assert_eq!(
            judge(&schedule, 1, Some(503), Some(90)),
            Judgement::RetryIn(90)
        );
        assert_eq!(
            judge(&schedule, 1, Some(500), Some(90)),
            Judgement::RetryIn(10),
            "only 429 and 503 set the pace"
        );
        assert_eq!(judge(&schedule, 6, Some(500), None), Judgement::GiveUp);
        assert_eq!(judge(&schedule, 1, Some(410), None), Judgement::Gone);
    }

    #[test]
    fn schedules_parse_strictly() {
        assert_eq!(
            RetrySchedule::parse("0, 0,1").map(|s| s.max_attempts()),
            Ok(4)
        );
        assert_eq!(RetrySchedule::parse("").map(|s| s.max_attempts()), Ok(1));
        assert_eq!(RetrySchedule::default().to_string(), "10,60,300,1800,7200");
        assert!(RetrySchedule::parse("10,x").is_err());
        assert!(RetrySchedule::parse("-1").is_err());
    }
}
