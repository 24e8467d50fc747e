//! Where every random byte and every row id comes from: the operating system and the
//! clock, except on a thread that has installed a seeded generator ([`seeded`]). `loop
//! seed` does, so that its story comes out the same byte for byte every time (the same
//! ids, secrets, keys and password salts); no server thread ever does.

use std::cell::Cell;

/// SplitMix64: a tiny, well-mixed generator, plenty for reproducible demo data (never
/// for secrets that guard anything real).
#[derive(Debug, Clone, Copy)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator that always produces the same sequence from `seed`.
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Fills `bytes`.
    pub fn fill(&mut self, bytes: &mut [u8]) {
        for chunk in bytes.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
}

/// A seeded thread's generator and its id clock (ids are UUIDv7s whose instants count
/// up from the seed's epoch, one millisecond per id).
#[derive(Debug, Clone, Copy)]
struct Seeded {
    rng: Rng,
    next_id_millis: u64,
}

thread_local! {
    static SEEDED: Cell<Option<Seeded>> = const { Cell::new(None) };
}

/// Runs `work` with this thread's randomness and ids drawn from `seed` (ids stamped from
/// `epoch_millis` on), then restores the operating system's, even if `work` panics.
pub fn seeded<T>(seed: u64, epoch_millis: u64, work: impl FnOnce() -> T) -> T {
    struct Restore(Option<Seeded>);
    impl Drop for Restore {
        fn drop(&mut self) {
            SEEDED.set(self.0);
        }
    }
    let _restore = Restore(SEEDED.replace(Some(Seeded {
        rng: Rng::new(seed),
        next_id_millis: epoch_millis,
    })));
    work()
}

/// Fills `bytes` with random bytes: the operating system's, or the seeded generator's.
pub fn fill(bytes: &mut [u8]) -> Result<(), getrandom::Error> {
    match SEEDED.get() {
        None => getrandom::fill(bytes),
        Some(mut seeded) => {
            seeded.rng.fill(bytes);
            SEEDED.set(Some(seeded));
            Ok(())
        }
    }
}

/// A new row id: a lowercase hyphenated UUIDv7 (time-ordered, so inserts stay local in
/// the B-tree), or on a seeded thread the next id of its sequence.
pub fn new_id() -> String {
    match SEEDED.get() {
        None => uuid::Uuid::now_v7().to_string(),
        Some(mut seeded) => {
            let mut random = [0u8; 10];
            seeded.rng.fill(&mut random);
            let millis = seeded.next_id_millis;
            seeded.next_id_millis += 1;
            SEEDED.set(Some(seeded));
            uuid::Builder::from_unix_timestamp_millis(millis, &random)
                .into_uuid()
                .to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seeded_thread_repeats_itself_and_others_do_not() {
        let run = || {
            seeded(7, 1_767_603_600_000, || {
                let mut bytes = [0u8; 12];
                fill(&mut bytes).unwrap_or_else(|e| panic!("{e}"));
                (new_id(), new_id(), bytes)
            })
        };
        let (first, second) = (run(), run());
        assert_eq!(first, second);
        assert_ne!(first.0, first.1);
        assert!(first.0.starts_with("019b8d"), "{}", first.0);
        assert_ne!(new_id(), new_id());
        let mut a = [0u8; 12];
        let mut b = [0u8; 12];
        fill(&mut a).unwrap_or_else(|e| panic!("{e}"));
        fill(&mut b).unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(a, b);
    }
}
