//! A deterministic generator, so that every run sends the same requests.

use serde_json::{Value, json};

/// xorshift64*: small, fast and the same on every machine.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub(super) fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }

    /// One of `items`.
    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A string of up to `max` characters drawn from an alphabet of troublemakers.
    pub(super) fn string(&mut self, max: usize) -> String {
        const ALPHABET: [char; 24] = [
            'a', 'Z', '0', ' ', '"', '\\', '/', '\u{0}', '\u{1}', '\u{1f}', '\u{7f}', '\n', '\t',
            'é', 'ß', '✓', '😀', '\u{202e}', '\u{feff}', '\u{fffd}', '%', '&', '=', '{',
        ];
        let len = self.below(max + 1);
        (0..len).map(|_| *self.pick(&ALPHABET)).collect()
    }

    /// A JSON value of any type, nested at most `depth` levels.
    pub(super) fn value(&mut self, depth: usize) -> Value {
        match self.below(if depth == 0 { 6 } else { 8 }) {
            0 => Value::Null,
            1 => Value::Bool(self.below(2) == 0),
            2 => json!(i64::try_from(self.next() >> 1).unwrap_or(0) - (1 << 62)),
            3 => json!(f64::from(u32::try_from(self.next() >> 40).unwrap_or(0)) / 7.0),
            4 | 5 => Value::String(self.string(12)),
            6 => Value::Array((0..self.below(4)).map(|_| self.value(depth - 1)).collect()),
            _ => Value::Object(
                (0..self.below(4))
                    .map(|_| (self.string(6), self.value(depth - 1)))
                    .collect(),
            ),
        }
    }
}
