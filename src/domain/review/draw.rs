//! The draw behind every card a reviewer is dealt (docs/reviewer-quality.md, "The
//! draw"): which cards are decoys, which are golden tasks mixed in, which recent card a
//! decoy copies and what it changes all follow from two HMAC-SHA256 values of the
//! project's decoy seed over (project, reviewer, card number). The seed keeps reviewers
//! from predicting their probes; anyone holding it (an administrator, `loop audit
//! verify`) can recompute every draw.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The name of this derivation, the first line of every message it hashes: a future
/// change of the rules gets a new name, so old draws keep recomputing.
pub const ALGORITHM: &str = "loop-decoy-v1";

/// Rates are parts per million.
pub const PPM: i64 = 1_000_000;

/// The numbers drawn for one card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Draw {
    /// Compared with the decoy rate: is this card a probe?
    pub probe: u64,
    /// Compared with the golden rate: is this card a golden task mixed in?
    pub golden: u64,
    /// Which recent card a decoy copies.
    pub pick: u64,
    /// Which of the possible changes a decoy plants, and how.
    pub plant: [u64; 4],
}

/// HMAC-SHA256 of `message` under `key`.
fn mac(key: &[u8], message: &str) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().into()
}

/// The four big-endian 64-bit words of a 32-byte hash.
fn words(hash: [u8; 32]) -> [u64; 4] {
    let mut out = [0u64; 4];
    for (word, chunk) in out.iter_mut().zip(hash.chunks_exact(8)) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        *word = u64::from_be_bytes(bytes);
    }
    out
}

/// The draw of card number `seq` (from 0) dealt to `reviewer_id` in `project_id`,
/// under the project's decoy `seed` (its text, as stored, is the HMAC key):
/// `H = HMAC(seed, "loop-decoy-v1\n<project>\n<reviewer>\n<seq>")` gives `probe`,
/// `golden` and `pick` (its first three 64-bit words); `HMAC` of the same message plus
/// `"\nplant"` gives the four words of `plant`.
pub fn draw(seed: &str, project_id: &str, reviewer_id: &str, seq: i64) -> Draw {
    let message = format!("{ALGORITHM}\n{project_id}\n{reviewer_id}\n{seq}");
    let first = words(mac(seed.as_bytes(), &message));
    let plant = words(mac(seed.as_bytes(), &format!("{message}\nplant")));
    Draw {
        probe: first[0],
        golden: first[1],
        pick: first[2],
        plant,
    }
}

/// Whether a drawn `value` falls under a rate of `rate_ppm` parts per million:
/// `floor(value × 10⁶ / 2⁶⁴) < rate_ppm`, so 0 never hits and 1 000 000 always does.
pub fn hits(value: u64, rate_ppm: i64) -> bool {
    let scaled = (u128::from(value) * 1_000_000) >> 64;
    i128::try_from(scaled).unwrap_or(i128::MAX) < i128::from(rate_ppm)
}

/// `value mod n` as an index (0 when `n` is 0).
pub fn index(value: u64, n: usize) -> usize {
    match u64::try_from(n) {
        Ok(n) if n > 0 => usize::try_from(value % n).unwrap_or(0),
        _ => 0,
    }
}

impl Draw {
    /// Whether this card is a probe at a decoy rate of `rate_ppm`.
    pub fn is_probe(&self, rate_ppm: i64) -> bool {
        hits(self.probe, rate_ppm)
    }

    /// Whether this card mixes in a golden task at a golden rate of `rate_ppm`.
    pub fn is_golden(&self, rate_ppm: i64) -> bool {
        hits(self.golden, rate_ppm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_inputs_draw_the_same_card_and_any_change_draws_another() {
        let a = draw("seed", "p", "r", 7);
        assert_eq!(a, draw("seed", "p", "r", 7));
        for other in [
            draw("seed2", "p", "r", 7),
            draw("seed", "p2", "r", 7),
            draw("seed", "p", "r2", 7),
            draw("seed", "p", "r", 8),
        ] {
            assert_ne!(a, other);
        }
    }

    #[test]
    fn the_draw_is_the_documented_hmac() {
        // Computed independently:
        // python3 -c 'import hmac,hashlib;print(hmac.new(b"seed",b"loop-decoy-v1\np\nr\n0",hashlib.sha256).hexdigest())'
        // and the same with b"...\n0\nplant".
        let drawn = draw("seed", "p", "r", 0);
        assert_eq!(
            format!(
                "{:016x}{:016x}{:016x}",
                drawn.probe, drawn.golden, drawn.pick
            ),
            "33a5491ec626a2087e616a77c336628a17061a30256ae487"
        );
        assert_eq!(
            drawn
                .plant
                .iter()
                .map(|w| format!("{w:016x}"))
                .collect::<String>(),
            "91c5029be6409ccfc80bbeb1281c4404c30b753d913c6d76ca66bedc554539a0"
        );
    }

    #[test]
    fn rates_are_parts_per_million() {
        assert!(!hits(0, 0));
        assert!(hits(0, 1));
        assert!(hits(u64::MAX, PPM));
        assert!(!hits(u64::MAX, PPM - 1));
        assert!(hits(u64::MAX / 2, 500_001));
        assert!(!hits(u64::MAX / 2 + 1, 500_000));
        assert_eq!((index(7, 3), index(7, 0)), (1, 0));
    }

    #[test]
    fn a_rate_of_one_in_twenty_probes_about_one_card_in_twenty() {
        let probes = (0..20_000)
            .filter(|seq| draw("k", "p", "r", *seq).is_probe(50_000))
            .count();
        // Binomial(20000, 0.05): mean 1000, standard deviation about 31; ±5σ.
        assert!((845..=1155).contains(&probes), "{probes}");
    }
}
