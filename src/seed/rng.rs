//! A small deterministic generator (SplitMix64) and the distributions the seed draws from.
//!
//! Every child gets its own stream derived from the seed and its index, so what a child looks
//! like does not depend on chunk sizes, threads or the other children.

use chrono::NaiveDateTime;

#[derive(Debug, Clone)]
pub struct Rng(u64);

/// SplitMix64's output function: a good 64-bit mixer.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Streams, so that two uses of one index never share numbers.
#[derive(Debug, Clone, Copy)]
pub enum Stream {
    World = 1,
    Child = 2,
    Missing = 3,
    Episodes = 4,
    Pairs = 5,
}

impl Rng {
    /// An independent generator for item `index` of `stream`.
    pub fn derive(seed: u64, stream: Stream, index: u64) -> Rng {
        let s = mix(seed.wrapping_add(0x9E37_79B9_7F4A_7C15).wrapping_mul(stream as u64 + 1));
        Rng(mix(s ^ mix(index.wrapping_add(0xA076_1D64_78BD_642F))))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform index below `n`; 0 when `n` is 0.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform integer in `lo..=hi` (`lo` when `hi < lo`).
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        lo + ((u128::from(self.next_u64()) * u128::from(span)) >> 64) as i64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// One item, uniformly. The slice must not be empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// One value by integer weight. The slice must not be empty.
    pub fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut r = ((u128::from(self.next_u64()) * u128::from(total.max(1))) >> 64) as u64;
        for (v, w) in items {
            if r < u64::from(*w) {
                return *v;
            }
            r -= u64::from(*w);
        }
        items[items.len() - 1].0
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f64();
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// Pareto with scale `xm` and shape `alpha`: heavy tailed, at least `xm`.
    pub fn pareto(&mut self, xm: f64, alpha: f64) -> f64 {
        xm / (1.0 - self.f64()).powf(1.0 / alpha)
    }

    /// `x` rounded down or up at random so the expectation is `x`.
    pub fn round(&mut self, x: f64) -> u64 {
        let floor = x.floor();
        floor as u64 + u64::from(self.chance(x - floor))
    }

    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for chunk in out.chunks_mut(8) {
            let b = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&b[..chunk.len()]);
        }
        out
    }

    /// A random (version 4) UUID.
    pub fn uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.bytes::<16>()).into_uuid().to_string()
    }

    /// A time-ordered (version 7) UUID for an instant, as the registry makes for notifications.
    pub fn uuid_v7(&mut self, at: NaiveDateTime) -> String {
        let millis = u64::try_from(at.and_utc().timestamp_millis()).unwrap_or(0);
        uuid::Builder::from_unix_timestamp_millis(millis, &self.bytes::<10>()).into_uuid().to_string()
    }
}

/// Cumulative weights for repeated weighted picks among many items.
#[derive(Debug, Clone, Default)]
pub struct Cumulative {
    acc: Vec<f64>,
}

impl Cumulative {
    pub fn new(weights: impl IntoIterator<Item = f64>) -> Cumulative {
        let mut total = 0.0;
        let acc = weights
            .into_iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        Cumulative { acc }
    }

    pub fn total(&self) -> f64 {
        self.acc.last().copied().unwrap_or(0.0)
    }

    /// An index by weight; None when every weight is zero.
    pub fn pick(&self, rng: &mut Rng) -> Option<usize> {
        let total = self.total();
        if total <= 0.0 {
            return None;
        }
        let r = rng.f64() * total;
        let i = self.acc.partition_point(|&a| a <= r);
        Some(i.min(self.acc.len() - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_deterministic_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::derive(1, Stream::Child, 7).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::derive(1, Stream::Child, 7).next_u64(), Rng::derive(1, Stream::Missing, 7).next_u64());
        assert_ne!(Rng::derive(1, Stream::Child, 7).next_u64(), Rng::derive(2, Stream::Child, 7).next_u64());
    }

    #[test]
    fn distributions_stay_in_range() {
        let mut r = Rng::derive(3, Stream::World, 0);
        for _ in 0..10_000 {
            assert!((0.0..1.0).contains(&r.f64()));
            assert!(r.below(5) < 5);
            assert!((3..=9).contains(&r.int(3, 9)));
            assert!(r.pareto(1.0, 1.5) >= 1.0);
        }
        let c = Cumulative::new([0.0, 1.0, 0.0, 3.0]);
        let mut seen = [0usize; 4];
        for _ in 0..4000 {
            seen[c.pick(&mut r).unwrap_or(0)] += 1;
        }
        assert_eq!((seen[0], seen[2]), (0, 0));
        assert!(seen[3] > 2 * seen[1]);
        assert!(Cumulative::new([0.0]).pick(&mut r).is_none());
        let u = r.uuid();
        assert_eq!(uuid::Uuid::parse_str(&u).map(|u| u.get_version_num()).ok(), Some(4));
    }
}
