//! Sliding-window rate limits (docs/review-api.md#rate-limits): at most `limit` counted requests per
//! key in any window of `window_ms`. Kept in memory; a restart resets them.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use crate::clock::Timestamp;

/// Keys tracked before stale ones are swept out, so hostile clients cannot grow the map
/// without bound.
const SWEEP_AT: usize = 10_000;

/// Whether a request may proceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Counted; this many remain, and the window's oldest request leaves at `reset_ms`.
    Allowed {
        /// Requests left in the window.
        remaining: usize,
        /// When the oldest counted request leaves the window (Unix milliseconds).
        reset_ms: i64,
    },
    /// Refused (and not counted); retry after this many whole seconds (at least 1).
    Limited {
        /// Seconds until a request would be admitted.
        retry_after_s: i64,
    },
}

/// A set of per-key sliding windows.
pub struct RateLimiter {
    limit: u32,
    window_ms: i64,
    hits: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl RateLimiter {
    /// At most `limit` requests per `window_ms` per key.
    pub fn new(limit: u32, window_ms: i64) -> Self {
        Self {
            limit,
            window_ms,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// The configured limit.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Counts a request for `key` at `now` if the window has room.
    pub fn admit(&self, key: &str, now: Timestamp) -> Decision {
        let now = now.unix_millis();
        let mut hits = self
            .hits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if hits.len() > SWEEP_AT {
            let window = self.window_ms;
            hits.retain(|_, times| times.back().is_some_and(|t| now - t < window));
        }
        let times = hits.entry(key.to_owned()).or_default();
        while times.front().is_some_and(|t| now - t >= self.window_ms) {
            times.pop_front();
        }
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        if times.len() >= limit {
            let oldest = times.front().copied().unwrap_or(now);
            let wait_ms = (oldest + self.window_ms - now).max(1);
            return Decision::Limited {
                retry_after_s: (wait_ms + 999) / 1000,
            };
        }
        times.push_back(now);
        let oldest = times.front().copied().unwrap_or(now);
        Decision::Allowed {
            remaining: limit - times.len(),
            reset_ms: oldest + self.window_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(ms)
    }

    #[test]
    fn a_full_window_refuses_until_the_oldest_leaves() {
        let limiter = RateLimiter::new(3, 60_000);
        assert_eq!(
            limiter.admit("k", at(0)),
            Decision::Allowed {
                remaining: 2,
                reset_ms: 60_000
            }
        );
        assert!(matches!(
            limiter.admit("k", at(10_000)),
            Decision::Allowed { remaining: 1, .. }
        ));
        assert!(matches!(
            limiter.admit("k", at(20_000)),
            Decision::Allowed { remaining: 0, .. }
        ));
        assert_eq!(
            limiter.admit("k", at(30_000)),
            Decision::Limited { retry_after_s: 30 }
        );
        assert_eq!(
            limiter.admit("k", at(59_999)),
            Decision::Limited { retry_after_s: 1 }
        );
        assert!(
            matches!(limiter.admit("k", at(60_000)), Decision::Allowed { .. }),
            "the first request left the window"
        );
    }

    #[test]
    fn refused_requests_are_not_counted_and_keys_are_separate() {
        let limiter = RateLimiter::new(1, 1000);
        assert!(matches!(
            limiter.admit("a", at(0)),
            Decision::Allowed { .. }
        ));
        for t in 1..10 {
            assert!(matches!(
                limiter.admit("a", at(t * 50)),
                Decision::Limited { .. }
            ));
        }
        assert!(matches!(
            limiter.admit("a", at(1000)),
            Decision::Allowed { .. }
        ));
        assert!(matches!(
            limiter.admit("b", at(0)),
            Decision::Allowed { .. }
        ));
    }
}
