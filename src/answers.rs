//! Answers a worker can serve again without recomputing them: a read whose answer
//! depends only on the stored data and on the time (the dispatch queue preview, which
//! agents and the dashboard poll) is kept with the data version it was computed at and
//! the moment it stops holding, and served again while both still match.
//!
//! A data version is only meaningful on the connection that read it (SQLite's
//! `data_version` is a property of the connection), so each worker keeps its own
//! [`Answers`] beside its own connection.

use std::ops::Range;
use std::sync::{Arc, Mutex, PoisonError};

/// Answers kept per worker: a few, since clients poll a handful of distinct queries.
const KEPT: usize = 8;

/// Bytes of answers kept per worker: each is a whole response body (a page of 50 queue
/// entries is some 40 KB), and a server has a worker per half core, so what a worker
/// keeps is bounded by size as well as by number. A larger answer is not kept.
const KEPT_BYTES: usize = 256 * 1024;

/// What an answer was computed from: the connection's `data_version` (which changes
/// whenever another connection commits) and the count of writes made through the
/// server's writer (which covers writes made on this very connection, as the writer
/// does when it has no connection of its own).
pub type Version = (i64, u64);

/// One worker's kept answers.
#[derive(Default)]
pub struct Answers {
    kept: Mutex<Vec<Answer>>,
}

struct Answer {
    key: String,
    version: Version,
    /// When the answer holds (Unix milliseconds): from when it was computed (a clock
    /// set back must not be served an answer from its future) until it changes.
    holds: Range<i64>,
    body: Arc<[u8]>,
    /// When it was last served, in calls to [`Answers::get`], to drop the stalest first.
    used: u64,
}

impl Answers {
    /// The answer kept for `key`, if it was computed at `version` and still holds at
    /// `now_ms`.
    pub fn get(&self, key: &str, version: Version, now_ms: i64) -> Option<Arc<[u8]>> {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let tick = kept.iter().map(|a| a.used).max().unwrap_or(0) + 1;
        let answer = kept.iter_mut().find(|a| a.key == key)?;
        if answer.version != version || !answer.holds.contains(&now_ms) {
            return None;
        }
        answer.used = tick;
        Some(answer.body.clone())
    }

    /// Keeps `body` as the answer to `key` at `version` for the moments `holds`, in place
    /// of the one kept for `key` and, when there is no room, of those served least
    /// recently.
    pub fn keep(&self, key: &str, version: Version, holds: Range<i64>, body: Arc<[u8]>) {
        if body.len() > KEPT_BYTES {
            return;
        }
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let used = kept.iter().map(|a| a.used).max().unwrap_or(0) + 1;
        kept.retain(|a| a.key != key);
        while kept.len() >= KEPT
            || kept.iter().map(|a| a.body.len()).sum::<usize>() + body.len() > KEPT_BYTES
        {
            let stalest = kept.iter().enumerate().min_by_key(|(_, a)| a.used);
            let Some((stalest, _)) = stalest else {
                break;
            };
            kept.swap_remove(stalest);
        }
        kept.push(Answer {
            key: key.to_owned(),
            version,
            holds,
            body,
            used,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> Arc<[u8]> {
        Arc::from(text.as_bytes())
    }

    #[test]
    fn an_answer_is_served_at_its_version_until_it_lapses() {
        let answers = Answers::default();
        answers.keep("q", (3, 1), 5..1_000, body("a"));
        assert_eq!(answers.get("q", (3, 1), 999).as_deref(), Some(&b"a"[..]));
        assert!(answers.get("q", (3, 1), 1_000).is_none(), "lapsed");
        assert!(
            answers.get("q", (3, 1), 4).is_none(),
            "the clock was set back"
        );
        assert!(
            answers.get("q", (4, 1), 10).is_none(),
            "another connection wrote"
        );
        assert!(answers.get("q", (3, 2), 10).is_none(), "the writer wrote");
        assert!(answers.get("other", (3, 1), 10).is_none());
        answers.keep("q", (4, 1), 5..2_000, body("b"));
        assert_eq!(answers.get("q", (4, 1), 1_500).as_deref(), Some(&b"b"[..]));
    }

    #[test]
    fn when_full_the_answer_served_least_recently_goes() {
        let answers = Answers::default();
        for n in 0..KEPT {
            answers.keep(&format!("k{n}"), (1, 0), 0..100, body("x"));
        }
        assert!(answers.get("k0", (1, 0), 0).is_some());
        answers.keep("new", (1, 0), 0..100, body("y"));
        assert!(
            answers.get("k0", (1, 0), 0).is_some(),
            "served lately, kept"
        );
        assert!(answers.get("k1", (1, 0), 0).is_none(), "the stalest went");
        assert!(answers.get("new", (1, 0), 0).is_some());
        assert_eq!(answers.kept.lock().map(|k| k.len()).unwrap_or(0), KEPT);
    }

    #[test]
    fn what_is_kept_is_bounded_in_bytes() {
        let answers = Answers::default();
        let big = |byte: u8| -> Arc<[u8]> { vec![byte; KEPT_BYTES / 2].into() };
        answers.keep("a", (1, 0), 0..100, big(b'a'));
        answers.keep("b", (1, 0), 0..100, big(b'b'));
        answers.keep("c", (1, 0), 0..100, big(b'c'));
        assert!(answers.get("a", (1, 0), 0).is_none(), "made room for c");
        assert!(answers.get("b", (1, 0), 0).is_some());
        assert!(answers.get("c", (1, 0), 0).is_some());
        answers.keep("huge", (1, 0), 0..100, vec![0; KEPT_BYTES + 1].into());
        assert!(
            answers.get("huge", (1, 0), 0).is_none(),
            "too large to keep"
        );
        assert!(
            answers.get("b", (1, 0), 0).is_some(),
            "and nothing made way for it"
        );
    }
}
