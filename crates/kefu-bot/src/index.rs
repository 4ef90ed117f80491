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

/// An inverted index over one token stream.
#[derive(Debug, Clone, Default)]
pub struct StreamIndex {
    vocab: HashMap<String, usize>,
    idf: Vec<f64>,
    postings: Vec<Vec<Posting>>,
    doc_len: Vec<f64>,
    doc_norm: Vec<f64>,
    avg_len: f64,
    unknown_idf: f64,
}

fn term_counts(tokens: &[String]) -> HashMap<&str, usize> {
    let mut counts = HashMap::with_capacity(tokens.len());
    for t in tokens {
        *counts.entry(t.as_str()).or_insert(0) += 1;
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
                index.postings[id].push(Posting { doc, tf: count(tf) });
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
        let docs = self.len();
        let mut dot = vec![0.0; docs];
        let mut bm25 = vec![0.0; docs];
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
                dot[d] += weight * sublinear(posting.tf) * idf;
                let length = 1.0 - BM25_B + BM25_B * self.doc_len[d] / self.avg_len;
                bm25[d] += idf * posting.tf * (BM25_K1 + 1.0) / (posting.tf + BM25_K1 * length);
            }
        }
        let query_norm = query_norm.sqrt().max(f64::MIN_POSITIVE);
        let query_mass = query_mass.max(f64::MIN_POSITIVE);
        (0..docs)
            .map(|d| StreamMatch {
                cosine: (dot[d] / (query_norm * self.doc_norm[d])).min(1.0),
                query_coverage: (bm25[d] / query_mass).min(1.0),
            })
            .collect()
    }
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
    /// per query it was most of a turn's time).
    pub keywords: Vec<Vec<String>>,
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
