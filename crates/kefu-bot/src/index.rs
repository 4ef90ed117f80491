//! The inverted index: one small hand-written index per token stream (words, characters,
//! sounds) over every phrasing of every FAQ entry, with IDF weights, TF-IDF norms and the
//! per-document figures BM25 and coverage need. Rebuilding it is linear in the KB size.

use std::collections::HashMap;

use crate::analyze::{Analyzed, analyze};
use crate::kb::FaqEntry;
use crate::semantic::Stream;

/// BM25 term-frequency saturation.
const BM25_K1: f64 = 1.2;
/// BM25 length normalization.
const BM25_B: f64 = 0.75;

/// Converts a count to `f64` without a lossy cast (counts here are far below 2^32).
pub fn count(n: usize) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX))
}

/// One posting: a phrasing that holds the term, and how often.
#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: usize,
    tf: f64,
    /// `1 + ln tf`, made once here rather than per query.
    sublinear_tf: f64,
}

/// The per-phrasing matching figures of one token stream for one query, each in [0, 1].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StreamMatch {
    /// Cosine of the sublinear TF-IDF vectors.
    pub cosine: f64,
    /// BM25 of the query over the phrasing, divided by its ceiling: the IDF mass of the query
    /// (unknown query terms count with the highest IDF, so unmatched content lowers it).
    pub query_coverage: f64,
}

/// A map keyed by terms: a fast fixed hash (every query looks up each of its terms; the
/// keys come from the knowledge base and the order is never iterated).
pub(crate) type TermMap<V> = HashMap<String, V, foldhash::fast::FixedState>;

/// An inverted index over one token stream.
#[derive(Debug, Clone, Default)]
pub struct StreamIndex {
    vocab: TermMap<usize>,
    idf: Vec<f64>,
    postings: Vec<Vec<Posting>>,
    doc_len: Vec<f64>,
    doc_norm: Vec<f64>,
    /// BM25's length normalization of each phrasing, `1 − b + b·len / avg_len`.
    doc_length: Vec<f64>,
    avg_len: f64,
    unknown_idf: f64,
}

/// Each distinct token with its count, in token order (sorted): no hash map per query.
fn term_counts(tokens: &[String]) -> Vec<(&str, usize)> {
    let mut sorted: Vec<&str> = tokens.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let mut counts: Vec<(&str, usize)> = Vec::with_capacity(sorted.len());
    for t in sorted {
        match counts.last_mut() {
            Some((last, n)) if *last == t => *n += 1,
            _ => counts.push((t, 1)),
        }
    }
    counts
}

fn sublinear(tf: f64) -> f64 {
    1.0 + tf.ln()
}

impl StreamIndex {
    /// Builds the index of one stream; `docs[i]` are the tokens of phrasing `i`.
    pub fn build(docs: &[&[String]]) -> Self {
        let mut index = StreamIndex::default();
        let mut doc_terms: Vec<Vec<(usize, f64)>> = Vec::with_capacity(docs.len());
        for (doc, tokens) in docs.iter().enumerate() {
            let mut terms = Vec::new();
            for (term, tf) in term_counts(tokens) {
                let next = index.vocab.len();
                let id = *index.vocab.entry(term.to_owned()).or_insert(next);
                if id == index.postings.len() {
                    index.postings.push(Vec::new());
                }
                index.postings[id].push(Posting {
                    doc,
                    tf: count(tf),
                    sublinear_tf: sublinear(count(tf)),
                });
                terms.push((id, count(tf)));
            }
            index.doc_len.push(count(tokens.len()));
            doc_terms.push(terms);
        }
        let n = count(docs.len());
        index.idf = index
            .postings
            .iter()
            .map(|p| ((1.0 + n) / (1.0 + count(p.len()))).ln() + 1.0)
            .collect();
        index.unknown_idf = (1.0 + n).ln() + 1.0;
        index.avg_len = if docs.is_empty() {
            1.0
        } else {
            (index.doc_len.iter().sum::<f64>() / n).max(1.0)
        };
        index.doc_length = index
            .doc_len
            .iter()
            .map(|len| 1.0 - BM25_B + BM25_B * len / index.avg_len)
            .collect();
        for terms in &doc_terms {
            let norm = terms
                .iter()
                .map(|(id, tf)| (sublinear(*tf) * index.idf[*id]).powi(2))
                .sum::<f64>()
                .sqrt();
            index.doc_norm.push(norm.max(f64::MIN_POSITIVE));
        }
        index
    }

    /// The IDF of a term (the highest IDF for a term no phrasing holds).
    pub fn idf(&self, term: &str) -> f64 {
        self.vocab
            .get(term)
            .map_or(self.unknown_idf, |&id| self.idf[id])
    }

    /// Number of indexed phrasings.
    pub fn len(&self) -> usize {
        self.doc_len.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.doc_len.is_empty()
    }

    /// Matches a query's tokens against every phrasing; phrasings sharing no term keep zeros.
    pub fn search(&self, query: &[String]) -> Vec<StreamMatch> {
        let mut out = vec![StreamMatch::default(); self.len()];
        let mut scratch = Scratch::new(self.len());
        self.matches(query, &mut scratch, |d, m| out[d] = m);
        out
    }

    /// Calls `found(phrasing, match)` for every phrasing that shares a term with the query
    /// (each once; the others match with zeros), with [`StreamIndex::search`]'s figures.
    /// `scratch` must have room for every phrasing and is left as it was given (zeros).
    pub(crate) fn matches(
        &self,
        query: &[String],
        scratch: &mut Scratch,
        mut found: impl FnMut(usize, StreamMatch),
    ) {
        let Scratch { dot, bm25, touched } = scratch;
        touched.clear();
        let mut query_norm = 0.0;
        let mut query_mass = 0.0;
        for (term, tf) in term_counts(query) {
            let Some(&id) = self.vocab.get(term) else {
                query_norm += (sublinear(count(tf)) * self.unknown_idf).powi(2);
                query_mass += self.unknown_idf;
                continue;
            };
            let idf = self.idf[id];
            let weight = sublinear(count(tf)) * idf;
            query_norm += weight * weight;
            query_mass += idf;
            for posting in &self.postings[id] {
                let d = posting.doc;
                if dot[d] == 0.0 && bm25[d] == 0.0 {
                    touched.push(d);
                }
                dot[d] += weight * posting.sublinear_tf * idf;
                let length = self.doc_length[d];
                bm25[d] += idf * posting.tf * (BM25_K1 + 1.0) / (posting.tf + BM25_K1 * length);
            }
        }
        let query_norm = query_norm.sqrt().max(f64::MIN_POSITIVE);
        let query_mass = query_mass.max(f64::MIN_POSITIVE);
        for &d in touched.iter() {
            found(
                d,
                StreamMatch {
                    cosine: (dot[d] / (query_norm * self.doc_norm[d])).min(1.0),
                    query_coverage: (bm25[d] / query_mass).min(1.0),
                },
            );
            dot[d] = 0.0;
            bm25[d] = 0.0;
        }
    }
}

/// Per-phrasing accumulators of one search, kept at zero between searches so that one
/// allocation serves the three streams of a query.
pub(crate) struct Scratch {
    dot: Vec<f64>,
    bm25: Vec<f64>,
    touched: Vec<usize>,
}

impl Scratch {
    /// Room for `docs` phrasings.
    pub(crate) fn new(docs: usize) -> Scratch {
        Scratch {
            dot: vec![0.0; docs],
            bm25: vec![0.0; docs],
            touched: Vec::new(),
        }
    }
}

/// A 128-bit signature of the characters of a text: a text holds another only when its
/// mask holds the other's (the converse may fail: two characters can share a bit).
pub(crate) fn char_mask(text: &str) -> u128 {
    text.chars().fold(0, |mask, c| {
        mask | 1_u128 << (u32::from(c).wrapping_mul(0x9e37_79b1) >> 25)
    })
}

/// One indexed phrasing: which entry it belongs to and its analysis.
#[derive(Debug, Clone)]
pub struct Phrasing {
    /// Position of the entry in the knowledge base.
    pub entry: usize,
    /// The analyzed phrasing.
    pub analyzed: Analyzed,
}

/// The whole index: every phrasing of every entry, over three token streams.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Every phrasing, in entry order.
    pub phrasings: Vec<Phrasing>,
    /// Jieba words.
    pub words: StreamIndex,
    /// Character 1–2-grams.
    pub chars: StreamIndex,
    /// Pinyin syllables and syllable bigrams.
    pub sounds: StreamIndex,
    /// Each entry's keywords, normalized and canonicalized as queries are (done once here:
    /// per query it was most of a turn's time), each with the [`char_mask`] of its
    /// characters.
    pub keywords: Vec<Vec<(String, u128)>>,
}

impl Index {
    /// The IDF of a term in one stream (see [`StreamIndex::idf`]).
    pub fn idf(&self, stream: Stream, term: &str) -> f64 {
        match stream {
            Stream::Words => self.words.idf(term),
            Stream::Chars => self.chars.idf(term),
            Stream::Sounds => self.sounds.idf(term),
        }
    }

    /// Indexes the standard question and each similar phrasing of every entry.
    pub fn build(entries: &[FaqEntry]) -> Self {
        let phrasings: Vec<Phrasing> = entries
            .iter()
            .enumerate()
            .flat_map(|(entry, e)| {
                e.phrasings().map(move |p| Phrasing {
                    entry,
                    analyzed: analyze(p),
                })
            })
            .collect();
        let words: Vec<&[String]> = phrasings
            .iter()
            .map(|p| p.analyzed.words.as_slice())
            .collect();
        let chars: Vec<&[String]> = phrasings
            .iter()
            .map(|p| p.analyzed.chars.as_slice())
            .collect();
        let sounds: Vec<&[String]> = phrasings
            .iter()
            .map(|p| p.analyzed.sounds.as_slice())
            .collect();
        let keywords = entries
            .iter()
            .map(|e| {
                e.keywords
                    .iter()
                    .map(|k| crate::synonym::canonicalize(&crate::normalize::normalize(k)))
                    .filter(|k| !k.is_empty())
                    .map(|k| {
                        let mask = char_mask(&k);
                        (k, mask)
                    })
                    .collect()
            })
            .collect();
        Index {
            keywords,
            words: StreamIndex::build(&words),
            chars: StreamIndex::build(&chars),
            sounds: StreamIndex::build(&sounds),
            phrasings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn identical_documents_have_full_cosine() {
        let doc = tokens(&["密码", "忘记"]);
        let other = tokens(&["直播", "规则"]);
        let index = StreamIndex::build(&[&doc, &other]);
        let m = index.search(&doc);
        assert!((m[0].cosine - 1.0).abs() < 1e-9);
        assert!((m[0].query_coverage - 1.0).abs() < 0.2);
        assert_eq!(m[1], StreamMatch::default());
    }

    #[test]
    fn unknown_query_terms_lower_query_coverage() {
        let doc = tokens(&["密码", "忘记"]);
        let index = StreamIndex::build(&[&doc]);
        let full = index.search(&doc)[0].query_coverage;
        let noisy = index.search(&tokens(&["密码", "忘记", "股票", "基金"]))[0].query_coverage;
        assert!(noisy < full);
    }

    #[test]
    fn a_text_holding_another_holds_its_character_mask() {
        for (text, part) in [
            ("怎么修改登录密码", "密码"),
            ("dou+退款", "dou+"),
            ("余额", "余额"),
        ] {
            let (t, p) = (char_mask(text), char_mask(part));
            assert_eq!(t & p, p, "{text} {part}");
        }
        assert_ne!(char_mask("直播"), char_mask("密码"));
    }

    #[test]
    fn a_search_leaves_its_scratch_clean_for_the_next() {
        let (a, b) = (tokens(&["密码", "忘记"]), tokens(&["直播", "规则", "密码"]));
        let index = StreamIndex::build(&[&a, &b]);
        let mut scratch = Scratch::new(2);
        let mut first = vec![StreamMatch::default(); 2];
        index.matches(&b, &mut scratch, |d, m| first[d] = m);
        let mut again = vec![StreamMatch::default(); 2];
        index.matches(&b, &mut scratch, |d, m| again[d] = m);
        assert_eq!(first, again);
        assert_eq!(first, index.search(&b));
    }

    #[test]
    fn every_phrasing_of_an_entry_is_indexed() {
        let entry = FaqEntry {
            id: "a".to_owned(),
            question: "忘记密码".to_owned(),
            answer: "重置".to_owned(),
            category: None,
            similar: vec!["密码想不起来了".to_owned()],
            ..FaqEntry::default()
        };
        let index = Index::build(&[entry]);
        assert_eq!(index.phrasings.len(), 2);
        assert_eq!(index.chars.len(), 2);
    }
}
