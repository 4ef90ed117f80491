//! A small seeded PRNG (xoshiro256** seeded by SplitMix64) and the distributions the
//! simulator draws from. Hand-written so runs are reproducible across platforms and crate
//! versions.

use super::scenario::Distribution;

/// xoshiro256**: fast, 256-bit state, good statistical quality for simulation.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn seeded(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Self {
            s: [next(), next(), next(), next()],
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in the open interval (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Exponential with the given mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * self.uniform().ln()
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// One draw, in seconds.
    pub fn sample(&mut self, d: &Distribution) -> f64 {
        match *d {
            Distribution::Fixed { seconds } => seconds,
            Distribution::Exponential { mean_seconds } => self.exponential(mean_seconds),
            Distribution::Lognormal {
                mean_seconds,
                sd_seconds,
            } => {
                let s2 = (1.0 + (sd_seconds / mean_seconds).powi(2)).ln();
                let mu = mean_seconds.ln() - s2 / 2.0;
                (mu + s2.sqrt() * self.normal()).exp()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_and_sd(d: &Distribution) -> (f64, f64) {
        let mut r = Rng::seeded(7);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.sample(d)).collect();
        let mean = xs.iter().sum::<f64>() / f64::from(n);
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / f64::from(n);
        (mean, var.sqrt())
    }

    #[test]
    fn same_seed_gives_the_same_stream() {
        let (mut a, mut b) = (Rng::seeded(1), Rng::seeded(1));
        assert!((0..100).all(|_| a.next_u64() == b.next_u64()));
        assert_ne!(Rng::seeded(2).next_u64(), Rng::seeded(1).next_u64());
    }

    #[test]
    fn exponential_and_lognormal_have_the_configured_moments() {
        let (m, s) = mean_and_sd(&Distribution::Exponential {
            mean_seconds: 180.0,
        });
        assert!((m / 180.0 - 1.0).abs() < 0.01 && (s / 180.0 - 1.0).abs() < 0.02);
        let (m, s) = mean_and_sd(&Distribution::Lognormal {
            mean_seconds: 300.0,
            sd_seconds: 150.0,
        });
        assert!((m / 300.0 - 1.0).abs() < 0.01 && (s / 150.0 - 1.0).abs() < 0.03);
    }
}
