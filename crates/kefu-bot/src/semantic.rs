//! The semantic model: static token embeddings trained to mimic a multilingual sentence
//! encoder (multilingual-e5-small), loaded from one binary file and used to add a
//! meaning-based similarity to the lexical score (see `Bot::with_model`). This crate takes
//! any model or none; the `kefu` binary embeds the shipped one and uses it by default.
//!
//! A sentence vector is the mean of the vectors of its tokens — the same tokens the lexical
//! path analyzes ([`tokens`]): jieba words, character 1–2-grams and pinyin 1–2-grams, each
//! with a stream prefix. Unknown tokens are skipped; the bot weighs a query's tokens by
//! their IDF in its knowledge base ([`SemanticModel::encode_weighted`]). The file is built by
//! `scripts/semantic/build_model.py`; its layout (all integers little-endian):
//!
//! ```text
//! magic      8 bytes   "KEFUSEM1"
//! dim        u32       vector size, 1..=4096
//! vocab      u32       number of tokens V, ≤ 4,000,000
//! tokens     V ×       u16 byte length + UTF-8 bytes (non-empty, unique)
//! scales     V × f32   one finite scale per token
//! vectors    V × dim × i8, row-major: vector[t][j] = scales[t] · i8[t][j]
//! ```
//!
//! Nothing may follow the vectors. Loading checks every field and never panics.

use std::collections::HashMap;

use crate::analyze::{Analyzed, analyze};
use crate::error::BotError;

/// The first bytes of every model file.
pub const MAGIC: &[u8; 8] = b"KEFUSEM1";
const MAX_DIM: usize = 4096;
const MAX_VOCAB: usize = 4_000_000;

/// One token stream of an analysis, as the model's vocabulary names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Jieba words, `w:`.
    Words,
    /// Character unigrams and bigrams, `c:`.
    Chars,
    /// Pinyin syllables and bigrams, `s:`.
    Sounds,
}

impl Stream {
    /// The prefix of this stream's tokens in the model file.
    pub fn prefix(self) -> &'static str {
        match self {
            Stream::Words => "w:",
            Stream::Chars => "c:",
            Stream::Sounds => "s:",
        }
    }
}

/// The tokens a text contributes to its sentence vector, from its lexical analysis:
/// `w:` jieba words, `c:` character unigrams and bigrams, `s:` pinyin syllables and bigrams.
pub fn tokens(analyzed: &Analyzed) -> Vec<String> {
    let words = analyzed.words.iter().map(|w| format!("w:{w}"));
    let chars = analyzed.chars.iter().map(|c| format!("c:{c}"));
    let sounds = analyzed.sounds.iter().map(|s| format!("s:{s}"));
    words.chain(chars).chain(sounds).collect()
}

/// Static token embeddings: a vocabulary and one quantized vector per token.
#[derive(Debug, Clone, PartialEq)]
pub struct SemanticModel {
    dim: usize,
    vocab: HashMap<String, usize>,
    scales: Vec<f32>,
    vectors: Vec<i8>,
}

/// A cursor over the model bytes that reports what was missing instead of panicking.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], BotError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| bad(format!("file ends inside {what}")))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u32(&mut self, what: &str) -> Result<usize, BotError> {
        let b = self.take(4, what)?;
        let v = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        usize::try_from(v).map_err(|_| bad(format!("{what} too large")))
    }

    fn u16(&mut self, what: &str) -> Result<usize, BotError> {
        let b = self.take(2, what)?;
        Ok(usize::from(u16::from_le_bytes([b[0], b[1]])))
    }
}

fn bad(reason: String) -> BotError {
    BotError::BadModel { reason }
}

impl SemanticModel {
    /// Parses and validates a model file (layout in the module documentation).
    pub fn from_bytes(bytes: &[u8]) -> Result<SemanticModel, BotError> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(MAGIC.len(), "the magic")? != MAGIC {
            return Err(bad("not a kefu semantic model (bad magic)".to_owned()));
        }
        let dim = r.u32("the dimension")?;
        if dim == 0 || dim > MAX_DIM {
            return Err(bad(format!("dimension {dim} outside 1..={MAX_DIM}")));
        }
        let size = r.u32("the vocabulary size")?;
        if size > MAX_VOCAB {
            return Err(bad(format!("vocabulary size {size} above {MAX_VOCAB}")));
        }
        // Every token takes at least 3 bytes; refuse sizes the file cannot hold before
        // allocating for them.
        if size.saturating_mul(3) > bytes.len() {
            return Err(bad(format!("vocabulary size {size} larger than the file")));
        }
        let mut vocab = HashMap::with_capacity(size);
        for t in 0..size {
            let len = r.u16("a token length")?;
            let raw = r.take(len, "a token")?;
            let token =
                std::str::from_utf8(raw).map_err(|_| bad(format!("token #{t} is not UTF-8")))?;
            if token.is_empty() {
                return Err(bad(format!("token #{t} is empty")));
            }
            if vocab.insert(token.to_owned(), t).is_some() {
                return Err(bad(format!("token {token:?} appears twice")));
            }
        }
        let raw_scales = r.take(size.saturating_mul(4), "the scales")?;
        let scales: Vec<f32> = raw_scales
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if let Some(t) = scales.iter().position(|s| !s.is_finite()) {
            return Err(bad(format!("scale of token #{t} is not finite")));
        }
        let cells = size
            .checked_mul(dim)
            .ok_or_else(|| bad("vector table too large".to_owned()))?;
        let vectors: Vec<i8> = r
            .take(cells, "the vectors")?
            .iter()
            .map(|b| i8::from_le_bytes([*b]))
            .collect();
        if r.at != bytes.len() {
            return Err(bad(format!(
                "{} unexpected bytes after the vectors",
                bytes.len() - r.at
            )));
        }
        Ok(SemanticModel {
            dim,
            vocab,
            scales,
            vectors,
        })
    }

    /// The size of the vectors [`SemanticModel::encode`] returns.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of tokens in the vocabulary.
    pub fn vocab_len(&self) -> usize {
        self.vocab.len()
    }

    /// The unit-length sentence vector of a raw text (all zeros when no token is known).
    pub fn encode(&self, text: &str) -> Vec<f32> {
        self.encode_analyzed(&analyze(text))
    }

    /// The unit-length sentence vector of an analyzed text (all zeros when no token is known):
    /// the direction of the mean of its token vectors, as the model was trained.
    pub fn encode_analyzed(&self, analyzed: &Analyzed) -> Vec<f32> {
        self.encode_weighted(analyzed, |_, _| 1.0)
    }

    /// Like [`SemanticModel::encode_analyzed`] with a weight per token: `weight(stream,
    /// term)` multiplies the vector of each token (the bot weighs query tokens by their IDF
    /// in the knowledge base).
    pub fn encode_weighted(
        &self,
        analyzed: &Analyzed,
        weight: impl Fn(Stream, &str) -> f32,
    ) -> Vec<f32> {
        let mut sum = vec![0.0_f32; self.dim];
        let mut key = String::new();
        let streams = [
            (Stream::Words, &analyzed.words),
            (Stream::Chars, &analyzed.chars),
            (Stream::Sounds, &analyzed.sounds),
        ];
        for (stream, terms) in streams {
            for term in terms {
                key.clear();
                key.push_str(stream.prefix());
                key.push_str(term);
                let Some(&t) = self.vocab.get(key.as_str()) else {
                    continue;
                };
                let scale = self.scales[t] * weight(stream, term);
                let row = &self.vectors[t * self.dim..(t + 1) * self.dim];
                for (s, q) in sum.iter_mut().zip(row) {
                    *s += scale * f32::from(*q);
                }
            }
        }
        let norm = sum.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > f32::MIN_POSITIVE {
            for v in &mut sum {
                *v /= norm;
            }
        }
        sum
    }
}

/// The dot product of two vectors (the cosine when both have unit length).
///
/// Eight independent partial sums let the compiler use SIMD lanes (a single running sum of
/// floats must be added in order); this loop is most of the semantic cost per query.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0.0_f32; 8];
    let mut xs = a.chunks_exact(8);
    let mut ys = b.chunks_exact(8);
    for (x, y) in (&mut xs).zip(&mut ys) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    let tail: f32 = xs
        .remainder()
        .iter()
        .zip(ys.remainder())
        .map(|(x, y)| x * y)
        .sum();
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Serializes a model in the file layout, for tests.
    pub(crate) fn model_bytes(dim: u32, rows: &[(&str, f32, &[i8])]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend(dim.to_le_bytes());
        out.extend(u32::try_from(rows.len()).unwrap().to_le_bytes());
        for (token, _, _) in rows {
            out.extend(u16::try_from(token.len()).unwrap().to_le_bytes());
            out.extend(token.as_bytes());
        }
        for (_, scale, _) in rows {
            out.extend(scale.to_le_bytes());
        }
        for (_, _, v) in rows {
            out.extend(v.iter().map(|x| x.to_le_bytes()[0]));
        }
        out
    }

    /// A tiny hand-made model: 密码-like tokens point one way, 直播-like tokens another.
    pub(crate) fn tiny() -> Vec<u8> {
        model_bytes(
            3,
            &[
                ("w:密码", 0.01, &[100, 0, 0]),
                ("w:忘记", 0.01, &[80, 20, 0]),
                ("c:密", 0.01, &[50, 0, 0]),
                ("w:直播", 0.01, &[0, 100, 0]),
                ("c:播", 0.01, &[0, 50, 10]),
                ("s:zi", 0.01, &[0, 0, 127]),
            ],
        )
    }

    #[test]
    fn a_tiny_model_encodes_deterministically_to_unit_vectors() {
        let model = SemanticModel::from_bytes(&tiny()).unwrap();
        assert_eq!(model.dim(), 3);
        assert_eq!(model.vocab_len(), 6);
        let a = model.encode("忘记密码");
        assert_eq!(a, model.encode("忘记密码"));
        assert!((dot(&a, &a) - 1.0).abs() < 1e-5, "{a:?}");
        let b = model.encode("密码忘记了");
        let c = model.encode("直播");
        assert!(dot(&a, &b) > 0.9, "{a:?} {b:?}");
        assert!(dot(&a, &c) < 0.5, "{a:?} {c:?}");
    }

    #[test]
    fn token_weights_steer_the_sentence_vector() {
        let model = SemanticModel::from_bytes(&tiny()).unwrap();
        let analyzed = analyze("忘记密码直播");
        let plain = model.encode_analyzed(&analyzed);
        let live = model.encode("直播");
        let no_password =
            model.encode_weighted(
                &analyzed,
                |_, term| if term.contains('密') { 0.0 } else { 1.0 },
            );
        let heavy_live =
            model.encode_weighted(
                &analyzed,
                |_, term| if term.contains('播') { 10.0 } else { 1.0 },
            );
        assert!(
            dot(&no_password, &live) > dot(&plain, &live),
            "{no_password:?}"
        );
        assert!(
            dot(&heavy_live, &live) > dot(&plain, &live),
            "{heavy_live:?}"
        );
        assert_eq!(model.encode_weighted(&analyzed, |_, _| 1.0), plain);
    }

    #[test]
    fn dot_adds_every_product_whatever_the_length() {
        for n in [0, 1, 7, 8, 9, 16, 23, 256] {
            let a: Vec<f32> = (0..n).map(|i| i as f32).collect();
            let b: Vec<f32> = (0..n).map(|i| 1.0 - i as f32 * 0.5).collect();
            let expected: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!(
                (dot(&a, &b) - expected).abs() <= 1e-3 * expected.abs().max(1.0),
                "{n}"
            );
        }
        assert_eq!(dot(&[1.0, 2.0, 3.0], &[1.0]), 1.0);
    }

    #[test]
    fn a_text_without_known_tokens_encodes_to_zeros() {
        let model = SemanticModel::from_bytes(&tiny()).unwrap();
        assert_eq!(model.encode("xyz"), vec![0.0; 3]);
        assert_eq!(model.encode(""), vec![0.0; 3]);
    }

    #[test]
    fn tokens_carry_their_stream_prefix() {
        let t = tokens(&analyze("忘记密码"));
        assert!(t.contains(&"w:密码".to_owned()), "{t:?}");
        assert!(t.contains(&"c:密码".to_owned()), "{t:?}");
        assert!(t.iter().any(|x| x.starts_with("s:")), "{t:?}");
    }

    fn reason(bytes: &[u8]) -> String {
        match SemanticModel::from_bytes(bytes) {
            Err(BotError::BadModel { reason }) => reason,
            other => panic!("expected a bad model, got {other:?}"),
        }
    }

    #[test]
    fn a_bad_header_is_rejected() {
        let mut bytes = tiny();
        bytes[0] = b'X';
        assert!(reason(&bytes).contains("magic"));
        assert!(reason(b"KEFU").contains("magic"));
        assert!(reason(&[]).contains("magic"));
        assert!(reason(&model_bytes(0, &[])).contains("dimension"));
        assert!(reason(&model_bytes(5000, &[])).contains("dimension"));
    }

    #[test]
    fn wrong_sizes_and_contents_are_rejected() {
        let good = tiny();
        for cut in [9, 13, 20, good.len() - 1] {
            assert!(reason(&good[..cut]).contains("ends inside"), "cut {cut}");
        }
        let mut longer = good.clone();
        longer.push(0);
        assert!(reason(&longer).contains("unexpected bytes"));
        let mut huge = good.clone();
        huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(SemanticModel::from_bytes(&huge).is_err());
        let dup = model_bytes(1, &[("a", 1.0, &[1]), ("a", 1.0, &[1])]);
        assert!(reason(&dup).contains("twice"));
        let nan = model_bytes(1, &[("a", f32::NAN, &[1])]);
        assert!(reason(&nan).contains("finite"));
        let empty = model_bytes(1, &[("", 1.0, &[1])]);
        assert!(reason(&empty).contains("empty"));
        let mut not_utf8 = model_bytes(1, &[("ab", 1.0, &[1])]);
        not_utf8[18] = 0xff;
        assert!(reason(&not_utf8).contains("UTF-8"));
    }

    #[test]
    fn an_empty_vocabulary_is_a_valid_model_that_knows_nothing() {
        let model = SemanticModel::from_bytes(&model_bytes(4, &[])).unwrap();
        assert_eq!(model.encode("忘记密码"), vec![0.0; 4]);
    }
}
