//! The bot: a validated knowledge base with its index, and the ranking entry points `rank`
//! and `similarities` (`respond`, one conversation turn, is in [`crate::respond`]).

use std::sync::Arc;

use crate::actions::Sides;
use crate::analyze::analyze_surface;
use crate::decide::{LEXICAL, LEXICAL_EN, Thresholds};
use crate::error::BotError;
use crate::index::Index;
use crate::kb::{FaqEntry, validate};
use crate::messages::Lang;
use crate::normalize::normalize_surface;
use crate::phrasing_vectors::PhrasingVectors;
use crate::rank::{Ranked, entry_scores, margin_factor, top_k};
use crate::semantic::SemanticModel;

/// How much of the mixed score the semantic similarity makes up (the rest is the lexical
/// score). Chosen on held-out phrasings of the default knowledge base that the model never
/// saw (the `semantic_weight` example: Recall@1 rises up to 0.5–0.6 and is flat after), never
/// on benchmark queries; see `scripts/semantic/README.md`.
pub const SEMANTIC_WEIGHT: f64 = 0.6;

/// The thresholds of the mixed score, calibrated like the lexical ones (the synthetic probes
/// of `decide.rs`, on the development FAQ questions only) with
/// `cargo run -p kefu-bot --release --example calibrate -- FAQ.jsonl MODEL.bin`. For the
/// IDF-weighted, centered semantic score and the model kefu ships (2026-11-30), the best pair
/// was margin scale 0.15 and answer threshold 0.61 (96.7% precision on in-scope probes at
/// 61.8% coverage, 5.0% of out-of-scope probes answered; Recall@1 of the probes 91.4); the
/// suggest threshold is the median top similarity of out-of-scope probes (0.39). Rerun it
/// after rebuilding the model or changing the scoring.
pub const SEMANTIC: Thresholds = Thresholds {
    answer: 0.61,
    suggest: 0.39,
    margin_scale: 0.15,
};

/// The thresholds of the mixed score for a question written in English (see
/// [`LEXICAL_EN`] for why English has its own): the most right answers at ≥ 95% answer
/// precision on the questions written in English of the realistic set's `calibrate` half
/// (28 of 44, one wrong, no out-of-scope answer; [`SEMANTIC`] answered 19 of its 41
/// English-style questions); of the margin scales that tie, the one nearest the Chinese 0.15.
/// The suggest threshold is the Chinese one.
pub const SEMANTIC_EN: Thresholds = Thresholds {
    answer: 0.45,
    suggest: 0.39,
    margin_scale: 0.125,
};

/// What an entry whose question names the opposite action of the query keeps of its score
/// (see [`crate::actions`]): enough to stay among the suggestions, not enough to lead an
/// entry of the query's own action that is nearly as similar. A fixed a-priori discount,
/// not fitted to any benchmark.
pub const OPPOSITE_ACTION_FACTOR: f64 = 0.8;

#[expect(
    clippy::cast_possible_truncation,
    reason = "an IDF is a small positive number; f32 keeps it to 7 digits"
)]
fn idf_f32(idf: f64) -> f32 {
    idf as f32
}

/// A knowledge base ready to answer; cheap to rebuild when the knowledge base changes.
#[derive(Debug, Clone)]
pub struct Bot {
    entries: Vec<FaqEntry>,
    index: Index,
    /// The action sides each entry's question names (Chinese and English), by position.
    sides: Vec<Sides>,
    semantic: Option<PhrasingVectors>,
    thresholds: Thresholds,
    /// The thresholds for questions written in English.
    thresholds_en: Thresholds,
}

impl Bot {
    /// Validates the entries (non-empty unique ids, non-empty questions) and indexes them.
    pub fn new(entries: Vec<FaqEntry>) -> Result<Bot, BotError> {
        Bot::with_model(entries, None)
    }

    /// Like [`Bot::new`], and with a semantic model also embeds every phrasing, so that
    /// scores mix the lexical score with the semantic similarity ([`SEMANTIC_WEIGHT`]) and
    /// decisions use the [`SEMANTIC`] thresholds. `None` gives the lexical bot.
    /// The model is shared, not copied: rebuilding the index after a knowledge-base change
    /// reuses it.
    pub fn with_model(
        entries: Vec<FaqEntry>,
        model: Option<Arc<SemanticModel>>,
    ) -> Result<Bot, BotError> {
        Bot::with_model_weight(entries, model, SEMANTIC_WEIGHT, SEMANTIC)
    }

    /// [`Bot::with_model`] with another mixing weight in [0, 1] and thresholds, for
    /// calibration tools.
    pub fn with_model_weight(
        entries: Vec<FaqEntry>,
        model: Option<Arc<SemanticModel>>,
        weight: f64,
        thresholds: Thresholds,
    ) -> Result<Bot, BotError> {
        validate(&entries)?;
        let index = Index::build(&entries);
        let semantic =
            model.map(|model| PhrasingVectors::build(model, weight, &index, entries.len()));
        let (thresholds, thresholds_en) = if semantic.is_some() {
            (thresholds, SEMANTIC_EN)
        } else {
            (LEXICAL, LEXICAL_EN)
        };
        let sides = entries
            .iter()
            .map(|e| {
                let zh = Sides::of(&normalize_surface(&e.question));
                let en = e.question_en.as_deref().map(normalize_surface);
                en.map_or(zh, |en| zh.union(Sides::of(&en)))
            })
            .collect();
        Ok(Bot {
            entries,
            index,
            sides,
            semantic,
            thresholds,
            thresholds_en,
        })
    }

    /// This bot deciding with other thresholds for questions in `lang` (the same index and
    /// model), for calibration tools that sweep them.
    pub fn with_thresholds(mut self, lang: Lang, thresholds: Thresholds) -> Bot {
        match lang {
            Lang::Zh => self.thresholds = thresholds,
            Lang::En => self.thresholds_en = thresholds,
        }
        self
    }

    /// True when the bot mixes in a semantic model.
    pub fn has_model(&self) -> bool {
        self.semantic.is_some()
    }

    /// The semantic model the bot mixes in, if any (shared, for [`crate::cluster`]).
    pub fn model(&self) -> Option<&Arc<SemanticModel>> {
        self.semantic.as_ref().map(|s| &s.model)
    }

    /// The decision thresholds of this bot's scoring (for Chinese questions).
    pub fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// The decision thresholds for one question: English ones when it is written in English
    /// ([`Lang::detect`]), else [`Bot::thresholds`].
    pub fn thresholds_for(&self, query: &str) -> &Thresholds {
        self.thresholds_in(Lang::detect(query).unwrap_or_default())
    }

    /// The decision thresholds for questions written in `lang`.
    pub fn thresholds_in(&self, lang: Lang) -> &Thresholds {
        match lang {
            Lang::Zh => &self.thresholds,
            Lang::En => &self.thresholds_en,
        }
    }

    /// The knowledge base the bot was built from.
    pub fn entries(&self) -> &[FaqEntry] {
        &self.entries
    }

    /// True when the query names one side of an action pair and the entry's question only
    /// the other (see [`crate::actions`]).
    pub fn opposes(&self, query: &str, id: &str) -> bool {
        self.sides_oppose(Sides::of(&normalize_surface(query)), id)
    }

    /// [`Bot::opposes`] for a query whose sides are known.
    pub(crate) fn sides_oppose(&self, query: Sides, id: &str) -> bool {
        self.entries
            .iter()
            .position(|e| e.id == id)
            .is_some_and(|at| query.opposes(self.sides[at]))
    }

    /// Looks an entry up by id.
    pub fn entry(&self, id: &str) -> Option<&FaqEntry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The best `k` entries for a query, best first, with scores in [0, 1] usable as a
    /// confidence: similarities scaled by how clearly the best entry leads (see
    /// [`crate::rank::confidence`]).
    pub fn rank(&self, query: &str, k: usize) -> Vec<Ranked> {
        let mut ranked = self.similarities(query, k.max(2));
        let top = ranked.first().map_or(0.0, |r| r.score);
        let second = ranked.get(1).map_or(0.0, |r| r.score);
        let factor = margin_factor(top, second, self.thresholds_for(query).margin_scale);
        ranked.truncate(k);
        for r in &mut ranked {
            r.score *= factor;
        }
        ranked
    }

    /// The best `k` entries by raw similarity in [0, 1], before the margin is taken into
    /// account.
    ///
    /// With a semantic model, an entry's score is `(1 − w)·lexical + w·cosine`, the cosine
    /// being the best over the entry's phrasings between centered sentence vectors (see
    /// [`center`]). Phrasings are encoded as the model was trained (the mean of their token
    /// vectors); the query weighs each token by its IDF in this knowledge base, as the
    /// lexical index does (a term no phrasing holds gets the highest IDF): words every
    /// entry uses (怎么, 账号 in an account FAQ) say little about which entry is meant, and a
    /// long spoken query is mostly such words.
    ///
    /// An entry whose question names the opposite action of the query (加入 / 退出, see
    /// [`crate::actions`]) keeps [`OPPOSITE_ACTION_FACTOR`] of its score.
    pub fn similarities(&self, query: &str, k: usize) -> Vec<Ranked> {
        self.similarities_of_surface(&normalize_surface(query), k)
    }

    /// [`Bot::similarities`] of a query given as its [`normalize_surface`] form (`respond`
    /// has it already; the analysis and the action sides both start from it).
    pub(crate) fn similarities_of_surface(&self, surface: &str, k: usize) -> Vec<Ranked> {
        if k == 0 {
            return Vec::new();
        }
        let sides = Sides::of(surface);
        let analyzed = analyze_surface(surface);
        let scores = entry_scores(&self.index, &self.entries, &analyzed);
        let factors: Vec<f64> = self
            .sides
            .iter()
            .map(|entry_sides| {
                if sides.opposes(*entry_sides) {
                    OPPOSITE_ACTION_FACTOR
                } else {
                    1.0
                }
            })
            .collect();
        let best = match &self.semantic {
            Some(semantic) => {
                let mut q = semantic.model.encode_weighted(&analyzed, |stream, term| {
                    idf_f32(self.index.idf(stream, term))
                });
                if q.iter().all(|v| *v == 0.0) {
                    // No token the model knows ("asdfgh", a new brand name): centering would
                    // turn the empty vector into the knowledge base's anti-mean, which some
                    // phrasing is always close to. The lexical score is all this query has.
                    lexical_top_k(&scores, &factors, k)
                } else {
                    semantic.center_query(&mut q);
                    semantic.top_k(&q, &scores, &factors, k)
                }
            }
            None => lexical_top_k(&scores, &factors, k),
        };
        best.into_iter()
            .map(|(e, score)| Ranked {
                id: self.entries[e].id.clone(),
                score,
            })
            .collect()
    }
}

/// The opposite-action discount (`factors`, 1 or [`OPPOSITE_ACTION_FACTOR`] per entry) on
/// the lexical scores, then the best `k`.
fn lexical_top_k(scores: &[f64], factors: &[f64], k: usize) -> Vec<(usize, f64)> {
    let discounted: Vec<f64> = scores.iter().zip(factors).map(|(s, f)| s * f).collect();
    top_k(&discounted, k)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn entry(
        id: &str,
        question: &str,
        similar: &[&str],
        category: Option<&str>,
    ) -> FaqEntry {
        FaqEntry {
            id: id.to_owned(),
            question: question.to_owned(),
            answer: format!("{id}的答案"),
            category: category.map(str::to_owned),
            similar: similar.iter().map(|s| (*s).to_owned()).collect(),
            ..FaqEntry::default()
        }
    }

    /// A small knowledge base over several domains, shared with the conversation tests.
    pub(crate) fn fixture() -> Bot {
        Bot::new(vec![
            entry(
                "password",
                "忘记登录密码怎么办",
                &["密码想不起来了"],
                Some("账号"),
            ),
            entry(
                "live",
                "怎么开通直播权限",
                &["如何申请开直播"],
                Some("直播"),
            ),
            entry(
                "payout",
                "创作者激励收益什么时候到账",
                &[],
                Some("创作者激励"),
            ),
            entry(
                "ads",
                "DOU+投放后怎么退款",
                &["投流的钱能退吗"],
                Some("广告投放"),
            ),
            entry("appeal", "视频审核不通过怎么办", &[], Some("内容审核申诉")),
            entry("phone", "怎么更换绑定的手机号", &[], Some("账号")),
            entry(
                "phone-lost",
                "绑定的手机号不用了怎么登录",
                &[],
                Some("账号"),
            ),
        ])
        .unwrap()
    }

    #[test]
    fn new_rejects_an_invalid_knowledge_base() {
        let dup = vec![entry("a", "问", &[], None), entry("a", "答", &[], None)];
        assert!(matches!(Bot::new(dup), Err(BotError::DuplicateId { .. })));
        assert!(matches!(
            Bot::new(vec![entry("", "问", &[], None)]),
            Err(BotError::EmptyId { .. })
        ));
    }

    #[test]
    fn typos_and_homophones_still_find_the_entry() {
        for text in [
            "忘计登陆蜜码怎么半",
            "怎么开铜直播全限",
            "创作者激励收意什么时侯到帐",
        ] {
            let ranked = fixture().rank(text, 1);
            let expected = if text.contains("直播") {
                "live"
            } else if text.contains("激励") {
                "payout"
            } else {
                "password"
            };
            assert_eq!(ranked[0].id, expected, "{text}: {ranked:?}");
        }
    }

    #[test]
    fn synonyms_and_word_order_do_not_matter() {
        assert_eq!(fixture().rank("口令忘了如何处理", 1)[0].id, "password");
        assert_eq!(fixture().rank("直播权限怎么开通", 1)[0].id, "live");
        assert_eq!(fixture().rank("电话号码要更换", 1)[0].id, "phone");
    }

    #[test]
    fn rank_is_sorted_bounded_and_limited_to_k() {
        let ranked = fixture().rank("怎么退款", 3);
        assert!(ranked.len() <= 3);
        assert!(ranked.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(ranked.iter().all(|r| (0.0..=1.0).contains(&r.score)));
        assert!(fixture().rank("怎么退款", 0).is_empty());
    }

    fn tiny_model() -> SemanticModel {
        let bytes = crate::semantic::tests::model_bytes(
            2,
            &[
                ("c:码", 0.01, &[100, 0]),
                ("c:锁", 0.01, &[100, 0]),
                ("c:播", 0.01, &[0, 100]),
            ],
        );
        SemanticModel::from_bytes(&bytes).unwrap()
    }

    #[test]
    fn a_semantic_model_finds_an_entry_that_shares_no_word() {
        let entries = vec![
            entry("password", "忘记密码", &[], None),
            entry("live", "直播规则", &[], None),
        ];
        let lexical = Bot::new(entries.clone()).unwrap();
        assert!(!lexical.has_model());
        assert!(lexical.rank("账户被锁", 2).is_empty());
        let semantic = Bot::with_model(entries, Some(Arc::new(tiny_model()))).unwrap();
        assert!(semantic.has_model());
        assert_eq!(semantic.thresholds(), &SEMANTIC);
        let ranked = semantic.rank("账户被锁", 2);
        assert_eq!(ranked[0].id, "password", "{ranked:?}");
        assert!(ranked.iter().all(|r| (0.0..=1.0).contains(&r.score)));
    }

    #[test]
    fn the_direction_every_phrasing_shares_does_not_count_as_similarity() {
        // Every token leans the same way (the first axis); only the rest tells them apart.
        let bytes = crate::semantic::tests::model_bytes(
            3,
            &[
                ("c:码", 0.01, &[100, 20, 0]),
                ("c:锁", 0.01, &[100, 20, 0]),
                ("c:播", 0.01, &[100, 0, 20]),
            ],
        );
        let model = Arc::new(SemanticModel::from_bytes(&bytes).unwrap());
        let entries = vec![
            entry("password", "忘记密码", &[], None),
            entry("live", "直播规则", &[], None),
        ];
        let bot = Bot::with_model_weight(entries, Some(model), 1.0, SEMANTIC).unwrap();
        let ranked = bot.similarities("账户被锁", 2);
        // Uncentered, "live" would have a cosine of 0.96 with the query.
        assert_eq!(ranked.len(), 1, "{ranked:?}");
        assert_eq!(ranked[0].id, "password");
    }

    #[test]
    fn a_query_of_tokens_the_model_never_saw_is_scored_lexically_alone() {
        // Two of three phrasings lean one way, so the anti-mean is close to the third.
        let entries = vec![
            entry("password", "忘记密码", &[], None),
            entry("code", "验证码", &[], None),
            entry("live", "直播规则", &[], None),
        ];
        let lexical = Bot::new(entries.clone()).unwrap();
        let semantic = Bot::with_model(entries, Some(Arc::new(tiny_model()))).unwrap();
        // Not a token of the tiny model: no phrasing may look like it.
        for q in ["qqqq zzzz", "asdfgh"] {
            let (a, b) = (semantic.similarities(q, 2), lexical.similarities(q, 2));
            assert_eq!(a.len(), b.len(), "{q}: {a:?} {b:?}");
            for (x, y) in a.iter().zip(&b) {
                assert!(
                    x.id == y.id && (x.score - y.score).abs() < 1e-9,
                    "{q}: {a:?} {b:?}"
                );
            }
        }
        assert!(semantic.similarities("asdfgh", 2).is_empty());
    }

    #[test]
    fn a_question_in_english_decides_with_the_english_thresholds() {
        let lexical = fixture();
        assert_eq!(
            lexical.thresholds_for("How do I change my password"),
            &LEXICAL_EN
        );
        assert_eq!(lexical.thresholds_for("怎么改密码"), &LEXICAL);
        assert_eq!(lexical.thresholds_for("1"), &LEXICAL);
        let semantic =
            Bot::with_model(fixture().entries().to_vec(), Some(Arc::new(tiny_model()))).unwrap();
        assert_eq!(semantic.thresholds_for("forgot my password"), &SEMANTIC_EN);
        assert_eq!(semantic.thresholds_for("忘记密码"), &SEMANTIC);
        let tuned = semantic.with_thresholds(Lang::En, LEXICAL);
        assert_eq!(tuned.thresholds_in(Lang::En), &LEXICAL);
        assert_eq!(tuned.thresholds_in(Lang::Zh), &SEMANTIC);
    }

    #[test]
    fn without_a_model_the_bot_is_the_lexical_bot() {
        let entries = fixture().entries().to_vec();
        let none = Bot::with_model(entries, None).unwrap();
        assert_eq!(none.thresholds(), &LEXICAL);
        let lexical = fixture();
        for q in ["忘记密码", "怎么开直播", "手机号"] {
            let (a, b) = (none.rank(q, 5), lexical.rank(q, 5));
            // Index sums run in hash-map order, so scores may differ in the last bit.
            assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(&b) {
                assert!(
                    x.id == y.id && (x.score - y.score).abs() < 1e-9,
                    "{a:?} {b:?}"
                );
            }
        }
    }
}
