//! Ranking: turns the three stream matches of each phrasing into one score in [0, 1], and
//! phrasing scores into entry scores.
//!
//! The formula is fixed (not learned) and meant to read as a confidence:
//!
//! ```text
//! stream(m)  = ⅔·cosine + ⅓·query_coverage (BM25 over the query's IDF mass)
//! phrasing   = 0.45·stream(chars) + 0.25·stream(words) + 0.30·stream(sounds)
//! entry      = best + AGREEMENT·second·(1 − best) + keyword bonus, capped at 1
//! score      = entry · min(1, ½ + (top entry − second entry) / (2·MARGIN_SCALE))
//! ```
//!
//! The last line (the margin, see [`confidence`]) is applied by `Bot::rank`;
//! `Bot::similarities` and [`rank_entries`] give the raw entry scores.
//!
//! Characters carry most of the weight (robust to segmentation mistakes), words add
//! exactness, sounds (pinyin with dialect folding) forgive typos and homophones. Query
//! coverage keeps a query whose content the knowledge base does not know from scoring high.
//! There is deliberately no "share of the FAQ question found in the query" term: it favours
//! short umbrella entries (账号问题, 其他问题) that many queries contain by accident. Every
//! term is in [0, 1], so the sum is too.

use std::cell::Cell;

use serde::{Deserialize, Serialize};

use crate::analyze::Analyzed;
use crate::index::{Index, Scratch, StreamMatch, char_mask};
use crate::kb::FaqEntry;

const COSINE_WEIGHT: f64 = 2.0 / 3.0;
const QUERY_COVERAGE_WEIGHT: f64 = 1.0 / 3.0;
const CHARS_WEIGHT: f64 = 0.45;
const WORDS_WEIGHT: f64 = 0.25;
const SOUNDS_WEIGHT: f64 = 0.30;
/// Share of the remaining headroom granted when a second phrasing of the entry also matches.
const AGREEMENT: f64 = 0.1;
/// How far the best entry must lead the second for its score to count in full as a
/// confidence; see [`confidence`]. Set with the `calibrate` example (see `decide.rs`).
pub const MARGIN_SCALE: f64 = 0.3;
/// Bonus for each keyword of the entry found in the query, up to [`MAX_KEYWORD_BONUS`].
const KEYWORD_BONUS: f64 = 0.05;
const MAX_KEYWORD_BONUS: f64 = 0.1;

/// One entry of a ranking: its id and a score in [0, 1] (higher is more likely right).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    /// The FAQ entry id.
    pub id: String,
    /// Confidence in [0, 1].
    pub score: f64,
}

fn stream_score(m: &StreamMatch) -> f64 {
    COSINE_WEIGHT * m.cosine + QUERY_COVERAGE_WEIGHT * m.query_coverage
}

/// The score of one phrasing from its three stream matches.
pub fn phrasing_score(chars: &StreamMatch, words: &StreamMatch, sounds: &StreamMatch) -> f64 {
    (CHARS_WEIGHT * stream_score(chars)
        + WORDS_WEIGHT * stream_score(words)
        + SOUNDS_WEIGHT * stream_score(sounds))
    .clamp(0.0, 1.0)
}

/// Scores every entry against an analyzed query and returns `(entry position, score)` for
/// the best `k`, best first (ties broken by position, so the order is deterministic).
pub fn rank_entries(
    index: &Index,
    entries: &[FaqEntry],
    query: &Analyzed,
    k: usize,
) -> Vec<(usize, f64)> {
    if k == 0 {
        return Vec::new();
    }
    top_k(&entry_scores(index, entries, query), k)
}

/// The lexical score of every entry (by position; 0 when the entry shares nothing with the
/// query).
pub fn entry_scores(index: &Index, entries: &[FaqEntry], query: &Analyzed) -> Vec<f64> {
    if index.phrasings.is_empty() {
        return vec![0.0; entries.len()];
    }
    // A phrasing's score is CHARS·chars + WORDS·words + SOUNDS·sounds, added in that order
    // from zero (a stream that shares no term adds 0, as before); phrasings no stream
    // touches keep 0, which changes no entry's best or second (the best two of a set do
    // not depend on the order they are seen in).
    let n = index.phrasings.len();
    let mut scratch = SCRATCH
        .take()
        .filter(|s| s.scores.len() == n)
        .unwrap_or_else(|| Box::new(PhrasingScratch::new(n)));
    let PhrasingScratch {
        search,
        scores,
        touched,
    } = &mut *scratch;
    let streams = [
        (&index.chars, &query.chars, CHARS_WEIGHT),
        (&index.words, &query.words, WORDS_WEIGHT),
        (&index.sounds, &query.sounds, SOUNDS_WEIGHT),
    ];
    for (stream, tokens, weight) in streams {
        stream.matches(tokens, search, |p, m| {
            if scores[p] == 0.0 {
                touched.push(p);
            }
            scores[p] += weight * stream_score(&m);
        });
    }
    let mut best = vec![0.0_f64; entries.len()];
    let mut second = vec![0.0_f64; entries.len()];
    for &p in touched.iter() {
        let s = scores[p].clamp(0.0, 1.0);
        scores[p] = 0.0;
        let e = index.phrasings[p].entry;
        if s > best[e] {
            second[e] = best[e];
            best[e] = s;
        } else if s > second[e] {
            second[e] = s;
        }
    }
    touched.clear();
    SCRATCH.set(Some(scratch));
    let query_chars = char_mask(&query.text);
    (0..entries.len())
        .map(|e| {
            if best[e] <= 0.0 {
                return 0.0;
            }
            let agreement = AGREEMENT * second[e] * (1.0 - best[e]);
            let bonus = keyword_bonus(&index.keywords[e], &query.text, query_chars);
            (best[e] + agreement + bonus).clamp(0.0, 1.0)
        })
        .collect()
}

thread_local! {
    /// The per-phrasing accumulators of [`entry_scores`], kept between the queries of a
    /// thread (all zero between uses) instead of allocated and zeroed for each. It is taken
    /// out while in use, so a panic in the middle drops it rather than leaving it dirty.
    static SCRATCH: Cell<Option<Box<PhrasingScratch>>> = const { Cell::new(None) };
}

/// See [`SCRATCH`].
struct PhrasingScratch {
    search: Scratch,
    /// Each phrasing's score, summed over the streams.
    scores: Vec<f64>,
    /// The phrasings with a score.
    touched: Vec<usize>,
}

impl PhrasingScratch {
    fn new(phrasings: usize) -> PhrasingScratch {
        PhrasingScratch {
            search: Scratch::new(phrasings),
            scores: vec![0.0; phrasings],
            touched: Vec::new(),
        }
    }
}

/// The best `k` positive scores as `(position, score)`, best first, ties broken by position.
pub fn top_k(scores: &[f64], k: usize) -> Vec<(usize, f64)> {
    let mut scored: Vec<(usize, f64)> = scores
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, s)| *s > 0.0)
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.truncate(k);
    scored
}

/// The confidence of a ranking whose best two similarities are `top` and `second`:
/// `top · min(1, ½ + (top − second) / (2·scale))`. A clear winner keeps its similarity; a near
/// tie (two entries equally plausible) halves it. `scale = 0` turns the margin off.
pub fn confidence(top: f64, second: f64, scale: f64) -> f64 {
    top * margin_factor(top, second, scale)
}

/// The factor [`confidence`] applies; multiplying every score of a ranking by it keeps the
/// order and makes the top score the confidence.
pub fn margin_factor(top: f64, second: f64, scale: f64) -> f64 {
    if scale <= 0.0 {
        return 1.0;
    }
    (0.5 + (top - second).max(0.0) / (2.0 * scale)).min(1.0)
}

/// `keywords` as the index holds them (analyzed, none empty, each with the
/// [`char_mask`] of its characters); `query_chars` is the mask of the query's: a keyword
/// with a character the query lacks is not searched for.
fn keyword_bonus(keywords: &[(String, u128)], query: &str, query_chars: u128) -> f64 {
    let hits = keywords
        .iter()
        .filter(|(k, mask)| mask & query_chars == *mask && query.contains(k.as_str()))
        .count();
    (KEYWORD_BONUS * crate::index::count(hits)).min(MAX_KEYWORD_BONUS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::analyze;

    fn entry(id: &str, question: &str) -> FaqEntry {
        FaqEntry {
            id: id.to_owned(),
            question: question.to_owned(),
            answer: String::new(),
            category: None,
            similar: Vec::new(),
            ..FaqEntry::default()
        }
    }

    #[test]
    fn an_exact_question_scores_near_one() {
        let entries = vec![entry("a", "忘记密码怎么办"), entry("b", "怎么开直播")];
        let index = Index::build(&entries);
        let ranked = rank_entries(&index, &entries, &analyze("忘记密码怎么办"), 2);
        assert_eq!(ranked[0].0, 0);
        assert!(ranked[0].1 > 0.95, "{ranked:?}");
    }

    #[test]
    fn scores_stay_in_the_unit_interval_and_sorted() {
        let entries = vec![entry("a", "忘记密码"), entry("b", "密码密码密码")];
        let index = Index::build(&entries);
        let ranked = rank_entries(&index, &entries, &analyze("密码 密码"), 5);
        assert!(ranked.iter().all(|(_, s)| (0.0..=1.0).contains(s)));
        assert!(ranked.windows(2).all(|w| w[0].1 >= w[1].1));
    }

    #[test]
    fn keywords_lift_their_entry() {
        let mut with = entry("a", "资金问题");
        with.keywords = vec!["提现".to_owned()];
        let entries = vec![with, entry("b", "资金问题汇总")];
        let index = Index::build(&entries);
        let ranked = rank_entries(&index, &entries, &analyze("资金提现"), 2);
        assert_eq!(ranked[0].0, 0);
    }

    #[test]
    fn a_near_tie_lowers_the_confidence_and_a_clear_lead_keeps_it() {
        assert!((confidence(0.8, 0.1, MARGIN_SCALE) - 0.8).abs() < 1e-12);
        assert!((confidence(0.8, 0.8, MARGIN_SCALE) - 0.4).abs() < 1e-12);
        assert!((confidence(0.8, 0.8, 0.0) - 0.8).abs() < 1e-12);
    }

    #[test]
    fn a_query_sharing_nothing_ranks_nothing() {
        let entries = vec![entry("a", "忘记密码")];
        let index = Index::build(&entries);
        assert!(rank_entries(&index, &entries, &analyze("xyz"), 3).is_empty());
    }
}
