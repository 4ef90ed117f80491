//! The semantic side of a bot: the unit vector of every indexed phrasing, and the search
//! that mixes the best cosine of each entry into its lexical score.
//!
//! Comparing a query with every phrasing (thousands of 256-float rows) was most of a turn's
//! time, yet only the best few entries are returned. So each phrasing also keeps a coarse
//! copy, its vector rounded to small integers (12 bits), and how far the rounding moved it.
//! The query is rounded the same way; one integer dot product per phrasing (a quarter of
//! the work, half the memory) and the two rounding distances bound its exact cosine from
//! above, to a few ten-thousandths. Entries are taken in the order of that bound on their
//! mixed score, their phrasings compared exactly, and the search stops once the `k`-th best
//! exact score is above every remaining bound. The result is the one the full comparison
//! gives: the same entries, and the same scores to the bit (each compared entry is scored
//! by the same arithmetic as before).

use std::ops::Range;
use std::sync::Arc;

use crate::index::Index;
use crate::semantic::{SemanticModel, dot};

/// Added to every bound, far above the rounding error of a 256-term `f32` dot product, so
/// that rounding can never prune an entry the exact comparison would keep.
const BOUND_SLACK: f64 = 1e-4;

/// The model and the centered unit vector of every indexed phrasing, with the coarse copies
/// of the bound.
#[derive(Debug, Clone)]
pub(crate) struct PhrasingVectors {
    pub(crate) model: Arc<SemanticModel>,
    pub(crate) weight: f64,
    /// `phrasings × dim`, row-major, in index order, centered (see [`center`]).
    vectors: Vec<f32>,
    /// The mean of the phrasings' unit vectors: the component every sentence of this
    /// knowledge base shares, removed from phrasings and queries alike.
    mean: Vec<f32>,
    /// The phrasings of each entry (index order keeps an entry's phrasings together).
    ranges: Vec<Range<usize>>,
    /// `phrasings × dim`: each vector divided by its [`Coarse::scale`] and rounded.
    coarse: Vec<i16>,
    /// Per phrasing: the scale, and the rounding distance and norm of the bound.
    coarse_rows: Vec<Coarse>,
    /// The largest integer of a coarse vector: the integer dot product of two coarse
    /// vectors cannot overflow an `i32`.
    levels: f64,
}

/// How a coarse vector relates to its exact one.
#[derive(Debug, Clone, Copy)]
struct Coarse {
    /// `exact ≈ scale · coarse`.
    scale: f64,
    /// `‖exact − scale · coarse‖`.
    error: f64,
    /// `‖exact‖`.
    norm: f64,
}

/// Removes the common component `mean` from a unit vector and scales it back to unit length.
/// Static sentence vectors of one domain all lean one way (every question of a securities
/// app is "about money and accounts"); without the shared part, cosines measure what sets
/// one question apart from the others.
pub(crate) fn center(row: &mut [f32], mean: &[f32]) {
    for (v, m) in row.iter_mut().zip(mean) {
        *v -= m;
    }
    let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > f32::MIN_POSITIVE {
        for v in row.iter_mut() {
            *v /= norm;
        }
    }
}

impl PhrasingVectors {
    /// Encodes and centers every phrasing of `index` (`entries` entries).
    pub(crate) fn build(
        model: Arc<SemanticModel>,
        weight: f64,
        index: &Index,
        entries: usize,
    ) -> PhrasingVectors {
        let mut vectors: Vec<f32> = index
            .phrasings
            .iter()
            .flat_map(|p| model.encode_analyzed(&p.analyzed))
            .collect();
        let dim = model.dim();
        let mut mean = vec![0.0_f32; dim];
        for row in vectors.chunks(dim) {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += v;
            }
        }
        let n = index.phrasings.len().max(1) as f32;
        for m in &mut mean {
            *m /= n;
        }
        for row in vectors.chunks_mut(dim) {
            center(row, &mean);
        }
        let mut ranges = vec![0..0; entries];
        for (p, phrasing) in index.phrasings.iter().enumerate() {
            let range = &mut ranges[phrasing.entry];
            if range.start == range.end {
                *range = p..p + 1;
            } else {
                range.end = p + 1;
            }
        }
        let levels = coarse_levels(dim);
        let mut coarse = vec![0_i16; vectors.len()];
        let coarse_rows = vectors
            .chunks(dim.max(1))
            .zip(coarse.chunks_mut(dim.max(1)))
            .map(|(row, out)| quantize(row, levels, out))
            .collect();
        PhrasingVectors {
            model,
            weight: weight.clamp(0.0, 1.0),
            vectors,
            mean,
            ranges,
            coarse,
            coarse_rows,
            levels,
        }
    }

    /// Centers a query vector as the phrasings were.
    pub(crate) fn center_query(&self, q: &mut [f32]) {
        center(q, &self.mean);
    }

    /// The best `k` entries by mixed score `((1 − w)·lexical + w·cosine)`, clamped to [0, 1]
    /// and multiplied by `factor[e]`, as `(entry, score)`, best first, positive scores only,
    /// ties broken by position: what [`crate::rank::top_k`] gives over every entry's mixed
    /// score, with the cosine of an entry the best over its phrasings (negative counted as
    /// 0), but comparing only the phrasings of entries that can still make the best `k`.
    pub(crate) fn top_k(
        &self,
        q: &[f32],
        lexical: &[f64],
        factor: &[f64],
        k: usize,
    ) -> Vec<(usize, f64)> {
        if k == 0 {
            return Vec::new();
        }
        let dim = self.model.dim();
        let w = self.weight;
        let mix =
            |e: usize, sem: f64| ((1.0 - w) * lexical[e] + w * sem).clamp(0.0, 1.0) * factor[e];
        // q·v = q̃·ṽ + q̃·(v − ṽ) + (q − q̃)·v ≤ q̃·ṽ + ‖q̃‖·‖v − ṽ‖ + ‖q − q̃‖·‖v‖, where q̃
        // and ṽ are the coarse vectors scaled back.
        let mut q_coarse = vec![0_i16; dim];
        let qc = quantize(q, self.levels, &mut q_coarse);
        let q_coarse_norm = (qc.norm + qc.error).max(0.0);
        let mut bounds: Vec<(usize, f64)> = self
            .ranges
            .iter()
            .enumerate()
            .map(|(e, range)| {
                let mut sem = 0.0_f64;
                for p in range.clone() {
                    let row = &self.coarse[p * dim..(p + 1) * dim];
                    let c = self.coarse_rows[p];
                    let near = qc.scale * c.scale * f64::from(dot_i16(&q_coarse, row));
                    sem = sem.max(near + q_coarse_norm * c.error + qc.error * c.norm);
                }
                (e, mix(e, (sem + BOUND_SLACK).clamp(0.0, 1.0)))
            })
            .collect();
        // Equal bounds may come in any order: the kept entries and their order do not
        // depend on it.
        bounds.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
        let mut best: Vec<(usize, f64)> = Vec::with_capacity(k + 1);
        for (e, bound) in bounds {
            if bound <= 0.0 || (best.len() == k && best[k - 1].1 > bound) {
                break;
            }
            let mut sem = 0.0_f64;
            for p in self.ranges[e].clone() {
                let cos = f64::from(dot(q, &self.vectors[p * dim..(p + 1) * dim])).clamp(0.0, 1.0);
                sem = sem.max(cos);
            }
            let score = mix(e, sem);
            if score > 0.0 {
                let at = best
                    .iter()
                    .position(|b| score.total_cmp(&b.1).then(b.0.cmp(&e)).is_gt())
                    .unwrap_or(best.len());
                best.insert(at, (e, score));
                best.truncate(k);
            }
        }
        best
    }
}

/// The largest integer of a coarse vector of `dim` numbers: 2047 (12 bits), or less when
/// `dim · levels²` would overflow an `i32`.
fn coarse_levels(dim: usize) -> f64 {
    let per_term = f64::from(i32::MAX) / crate::index::count(dim.max(1));
    per_term.sqrt().floor().clamp(1.0, 2047.0)
}

/// Rounds `row` to integers in `±levels` (into `out`) and says how far that moved it.
fn quantize(row: &[f32], levels: f64, out: &mut [i16]) -> Coarse {
    let max = row.iter().fold(0.0_f64, |m, v| m.max(f64::from(v.abs())));
    let scale = if max > 0.0 { max / levels } else { 0.0 };
    let mut error = 0.0_f64;
    let mut norm = 0.0_f64;
    for (v, o) in row.iter().zip(out.iter_mut()) {
        let v = f64::from(*v);
        let level = if scale > 0.0 {
            (v / scale).round().clamp(-levels, levels)
        } else {
            0.0
        };
        *o = to_i16(level);
        error += (v - scale * level).powi(2);
        norm += v * v;
    }
    Coarse {
        scale,
        error: error.sqrt(),
        norm: norm.sqrt(),
    }
}

#[expect(
    clippy::cast_possible_truncation,
    reason = "the level is a whole number within ±2047"
)]
fn to_i16(level: f64) -> i16 {
    level as i16
}

/// The integer dot product of two coarse vectors (exact: [`coarse_levels`] keeps it in an
/// `i32`). Thirty-two independent lanes let the compiler use SIMD multiply-adds
/// (`pmaddwd`), four to an iteration.
fn dot_i16(a: &[i16], b: &[i16]) -> i32 {
    const LANES: usize = 32;
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0_i32; LANES];
    let mut xs = a.chunks_exact(LANES);
    let mut ys = b.chunks_exact(LANES);
    for (x, y) in (&mut xs).zip(&mut ys) {
        for i in 0..LANES {
            lanes[i] = lanes[i].wrapping_add(i32::from(x[i]) * i32::from(y[i]));
        }
    }
    let tail = xs
        .remainder()
        .iter()
        .zip(ys.remainder())
        .fold(0_i32, |s, (x, y)| {
            s.wrapping_add(i32::from(*x) * i32::from(*y))
        });
    lanes.iter().fold(tail, |s, v| s.wrapping_add(*v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kb::FaqEntry;
    use crate::rank::top_k;

    /// A deterministic pseudo-random sequence (xorshift), for synthetic vectors.
    struct Noise(u64);

    impl Noise {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u64) -> usize {
            usize::try_from(self.next() % n).unwrap()
        }

        fn unit(&mut self) -> f64 {
            crate::index::count(self.below(1_000_000)) / 1e6
        }
    }

    const CHARS: &str =
        "密码忘记登录直播权限开通带货审核申诉举报投诉账号封禁解封广告退款激励收益提现";

    /// A model over the characters of [`CHARS`] with random 24-dimension vectors, and a
    /// knowledge base of 60 entries of one to six random phrasings each.
    fn synthetic(noise: &mut Noise) -> (PhrasingVectors, Vec<String>) {
        let mut chars: Vec<char> = CHARS.chars().collect();
        chars.sort_unstable();
        chars.dedup();
        let tokens: Vec<(String, Vec<i8>)> = chars
            .iter()
            .map(|c| {
                let v = (0..24)
                    .map(|_| {
                        i8::try_from(noise.below(255))
                            .unwrap_or(0)
                            .wrapping_sub(127)
                    })
                    .collect();
                (format!("c:{c}"), v)
            })
            .collect();
        let rows: Vec<(&str, f32, &[i8])> = tokens
            .iter()
            .map(|(t, v)| (t.as_str(), 0.01, v.as_slice()))
            .collect();
        let bytes = crate::semantic::tests::model_bytes(24, &rows);
        let model = Arc::new(SemanticModel::from_bytes(&bytes).unwrap());
        let text = |noise: &mut Noise| -> String {
            (0..2 + noise.below(6))
                .map(|_| chars[noise.below(chars.len() as u64)])
                .collect()
        };
        let entries: Vec<FaqEntry> = (0..60)
            .map(|e| FaqEntry {
                id: format!("e{e}"),
                question: text(noise),
                answer: "a".to_owned(),
                similar: (0..noise.below(6)).map(|_| text(noise)).collect(),
                ..FaqEntry::default()
            })
            .collect();
        let index = Index::build(&entries);
        let queries = (0..40).map(|_| text(noise)).collect();
        (
            PhrasingVectors::build(model, 0.6, &index, entries.len()),
            queries,
        )
    }

    /// Every phrasing compared: what [`PhrasingVectors::top_k`] must equal.
    fn every_phrasing(
        v: &PhrasingVectors,
        q: &[f32],
        lexical: &[f64],
        factor: &[f64],
        k: usize,
    ) -> Vec<(usize, f64)> {
        let dim = v.model.dim();
        let scores: Vec<f64> = v
            .ranges
            .iter()
            .enumerate()
            .map(|(e, range)| {
                let sem = range.clone().fold(0.0_f64, |best, p| {
                    let cos = f64::from(dot(q, &v.vectors[p * dim..(p + 1) * dim]));
                    best.max(cos.clamp(0.0, 1.0))
                });
                ((1.0 - v.weight) * lexical[e] + v.weight * sem).clamp(0.0, 1.0) * factor[e]
            })
            .collect();
        top_k(&scores, k)
    }

    #[test]
    fn pruning_returns_exactly_what_comparing_every_phrasing_returns() {
        let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3 {
            let (vectors, queries) = synthetic(&mut noise);
            let entries = vectors.ranges.len();
            for query in &queries {
                let mut q = vectors.model.encode(query);
                vectors.center_query(&mut q);
                // Lexical scores from none to strong, some entries discounted.
                let lexical: Vec<f64> = (0..entries)
                    .map(|_| {
                        if noise.below(3) == 0 {
                            0.0
                        } else {
                            noise.unit() * 0.5
                        }
                    })
                    .collect();
                let factor: Vec<f64> = (0..entries)
                    .map(|_| if noise.below(5) == 0 { 0.8 } else { 1.0 })
                    .collect();
                for k in [1, 3, 10, 100] {
                    assert_eq!(
                        vectors.top_k(&q, &lexical, &factor, k),
                        every_phrasing(&vectors, &q, &lexical, &factor, k),
                        "{query} k={k}"
                    );
                }
                assert!(vectors.top_k(&q, &lexical, &factor, 0).is_empty());
            }
        }
    }

    #[expect(clippy::cast_possible_truncation, reason = "test noise in [-0.5, 0.5]")]
    fn narrow(v: f64) -> f32 {
        v as f32
    }

    #[test]
    fn the_coarse_bound_is_never_below_the_exact_cosine_and_close_to_it() {
        let mut noise = Noise(7);
        let levels = coarse_levels(256);
        let vector = |noise: &mut Noise| -> Vec<f32> {
            let mut v: Vec<f32> = (0..256).map(|_| narrow(noise.unit() - 0.5)).collect();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter_mut().for_each(|x| *x /= norm);
            v
        };
        for _ in 0..200 {
            let (a, b) = (vector(&mut noise), vector(&mut noise));
            let (mut ca, mut cb) = (vec![0_i16; 256], vec![0_i16; 256]);
            let (qa, qb) = (quantize(&a, levels, &mut ca), quantize(&b, levels, &mut cb));
            let near = qa.scale * qb.scale * f64::from(dot_i16(&ca, &cb));
            let bound = near + (qa.norm + qa.error) * qb.error + qa.error * qb.norm;
            let exact = f64::from(dot(&a, &b));
            assert!(bound + 1e-6 >= exact, "{bound} < {exact}");
            assert!(bound - exact < 2e-3, "{bound} far above {exact}");
        }
    }
}
