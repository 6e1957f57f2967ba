//! Shared by the benches: a fixed-seed generator, so every run measures the same corpus.

/// A 64-bit linear congruential generator (Knuth's MMIX constants); the high bits are used.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}
