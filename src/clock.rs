//! Time as a value: every "now" the server uses comes from a [`Clock`], so that ages,
//! windows and leases can be tested without sleeping.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A point in time with millisecond precision (the precision of every API timestamp).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    millis: i64,
}

impl Timestamp {
    /// The timestamp `millis` milliseconds after the Unix epoch.
    pub const fn from_unix_millis(millis: i64) -> Self {
        Self { millis }
    }

    /// Milliseconds since the Unix epoch.
    pub const fn unix_millis(self) -> i64 {
        self.millis
    }

    /// This timestamp moved by `millis` (negative moves back).
    pub const fn plus_millis(self, millis: i64) -> Self {
        Self {
            millis: self.millis.saturating_add(millis),
        }
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC with exactly three fractional digits and `Z`, like JavaScript's
    /// `toISOString`: `2026-02-20T12:00:00.000Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.to_offset_date_time();
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second(),
            at.millisecond()
        )
    }
}

impl Timestamp {
    /// Parses the canonical form written by [`Display`](fmt::Display)
    /// (`2026-02-20T12:00:00.000Z`); anything else is `None`.
    pub fn parse_canonical(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        let shape_ok = b.len() == 24
            && [
                (4, b'-'),
                (7, b'-'),
                (10, b'T'),
                (13, b':'),
                (16, b':'),
                (19, b'.'),
                (23, b'Z'),
            ]
            .iter()
            .all(|&(i, c)| b[i] == c);
        if !shape_ok {
            return None;
        }
        let num = |from: usize, to: usize| -> Option<u16> {
            let digits = text.get(from..to)?;
            if digits.bytes().all(|c| c.is_ascii_digit()) {
                digits.parse().ok()
            } else {
                None
            }
        };
        let month = time::Month::try_from(u8::try_from(num(5, 7)?).ok()?).ok()?;
        let date = time::Date::from_calendar_date(
            i32::from(num(0, 4)?),
            month,
            u8::try_from(num(8, 10)?).ok()?,
        )
        .ok()?;
        let clock = time::Time::from_hms_milli(
            u8::try_from(num(11, 13)?).ok()?,
            u8::try_from(num(14, 16)?).ok()?,
            u8::try_from(num(17, 19)?).ok()?,
            num(20, 23)?,
        )
        .ok()?;
        let nanos = time::PrimitiveDateTime::new(date, clock)
            .assume_utc()
            .unix_timestamp_nanos();
        i64::try_from(nanos / 1_000_000)
            .ok()
            .map(Self::from_unix_millis)
    }

    /// Parses any RFC 3339 date-time (`2026-01-01T00:00:00Z`, fractions and offsets
    /// allowed), truncated to the millisecond; anything else is `None`.
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        let at = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .ok()?;
        i64::try_from(at.unix_timestamp_nanos().div_euclid(1_000_000))
            .ok()
            .map(Self::from_unix_millis)
    }

    /// JavaScript's `Date.prototype.toString()` in UTC, as the original prints dates in
    /// prompts: `Wed Nov 25 2026 04:29:09 GMT+0000 (Coordinated Universal Time)`.
    pub fn to_js_date_string(self) -> String {
        let at = self.to_offset_date_time();
        let weekday = &at.weekday().to_string()[..3];
        let month = &at.month().to_string()[..3];
        format!(
            "{weekday} {month} {:02} {:04} {:02}:{:02}:{:02} GMT+0000 (Coordinated Universal Time)",
            at.day(),
            at.year(),
            at.hour(),
            at.minute(),
            at.second()
        )
    }

    fn to_offset_date_time(self) -> time::OffsetDateTime {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.millis) * 1_000_000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    }
}

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Timestamp::from_unix_millis(millis)
    }
}

/// A clock that stands still until told to move: for tests of ages, leases and
/// timeouts without sleeping.
#[derive(Debug, Default)]
pub struct ManualClock {
    millis: std::sync::atomic::AtomicI64,
}

impl ManualClock {
    /// A clock showing `at`.
    pub fn new(at: Timestamp) -> Self {
        Self {
            millis: std::sync::atomic::AtomicI64::new(at.unix_millis()),
        }
    }

    /// Moves the clock forward by `millis`.
    pub fn advance(&self, millis: i64) {
        self.millis
            .fetch_add(millis, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_millis(self.millis.load(std::sync::atomic::Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_to_iso_string() {
        assert_eq!(
            Timestamp::from_unix_millis(0).to_string(),
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(
            Timestamp::from_unix_millis(1_771_588_800_123).to_string(),
            "2026-02-20T12:00:00.123Z"
        );
    }

    #[test]
    fn parses_what_it_formats() {
        for millis in [0, 1, 999, 1_771_588_800_123, 4_102_444_799_999] {
            let ts = Timestamp::from_unix_millis(millis);
            assert_eq!(Timestamp::parse_canonical(&ts.to_string()), Some(ts));
        }
        for text in [
            "",
            "2026-02-20T12:00:00Z",
            "2026-02-20 12:00:00.000Z",
            "2026-13-20T12:00:00.000Z",
            "2026-02-30T12:00:00.000Z",
            "2026-02-20T12:00:00.00aZ",
            "2026-02-20T12:00:00.000+",
        ] {
            assert_eq!(Timestamp::parse_canonical(text), None, "{text}");
        }
    }

    #[test]
    fn parses_rfc3339_in_its_usual_forms() {
        let noon = Timestamp::parse_canonical("2026-01-01T12:00:00.000Z");
        assert!(noon.is_some());
        for text in [
            "2026-01-01T12:00:00Z",
            "2026-01-01T12:00:00.000Z",
            "2026-01-01T13:00:00+01:00",
            "2026-01-01t12:00:00z",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(text), noon, "{text}");
        }
        assert_eq!(
            Timestamp::parse_rfc3339("2026-01-01T12:00:00.1239Z").map(Timestamp::unix_millis),
            noon.map(|t| t.unix_millis() + 123)
        );
        for bad in ["", "2026-01-01", "yesterday", "2026-01-01T12:00:00"] {
            assert_eq!(Timestamp::parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn prints_like_javascript_date_to_string() {
        assert_eq!(
            Timestamp::from_unix_millis(1_795_580_949_000).to_js_date_string(),
            "Wed Nov 25 2026 04:29:09 GMT+0000 (Coordinated Universal Time)"
        );
    }
}
