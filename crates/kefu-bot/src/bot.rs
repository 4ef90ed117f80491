//! The bot: a validated knowledge base with its index, and the entry points `rank` and
//! `respond`.

use crate::analyze::analyze;
use crate::conversation::{ConversationState, Outcome, Turn};
use crate::decide::{Decision, LEXICAL, SUGGESTIONS, Thresholds, decide_with};
use crate::error::BotError;
use crate::handoff::{HandoffReason, human_intent, message_trigger};
use crate::index::Index;
use crate::kb::{FaqEntry, validate};
use crate::normalize::normalize_surface;
use crate::rank::{Ranked, entry_scores, margin_factor, top_k};
use crate::semantic::{SemanticModel, dot};
use crate::smalltalk;
use crate::summary::{Field, HandoffSummary, ask_for, missing_fields, summarize};

/// How much of the mixed score the semantic similarity makes up (the rest is the lexical
/// score). Chosen on held-out phrasings of the default knowledge base that the model never
/// saw (the `semantic_weight` example: Recall@1 rises up to 0.6 and is flat after), never
/// on benchmark queries; see `scripts/semantic/README.md`.
pub const SEMANTIC_WEIGHT: f64 = 0.6;

/// The thresholds of the mixed score, calibrated like the lexical ones (the synthetic probes
/// of `decide.rs`, on the development FAQ questions only) with
/// `cargo run -p kefu-bot --release --example calibrate -- FAQ.jsonl MODEL.bin`: the best
/// pair had no margin (scale 0) and answer threshold 0.69 (96.0% precision on in-scope
/// probes, 5.0% of out-of-scope probes answered); the suggest threshold is the median top
/// similarity of out-of-scope probes (0.43). Rerun it after rebuilding the model.
pub const SEMANTIC: Thresholds = Thresholds {
    answer: 0.69,
    suggest: 0.43,
    margin_scale: 0.0,
};

/// The semantic side of a bot: the model and the unit vector of every indexed phrasing.
#[derive(Debug, Clone)]
struct Semantic {
    model: SemanticModel,
    weight: f64,
    /// `phrasings × dim`, row-major, in index order.
    vectors: Vec<f32>,
}

/// A knowledge base ready to answer; cheap to rebuild when the knowledge base changes.
#[derive(Debug, Clone)]
pub struct Bot {
    entries: Vec<FaqEntry>,
    index: Index,
    semantic: Option<Semantic>,
    thresholds: Thresholds,
}

impl Bot {
    /// Validates the entries (non-empty unique ids, non-empty questions) and indexes them.
    pub fn new(entries: Vec<FaqEntry>) -> Result<Bot, BotError> {
        Bot::with_model(entries, None)
    }

    /// Like [`Bot::new`], and with a semantic model also embeds every phrasing, so that
    /// scores mix the lexical score with the semantic similarity ([`SEMANTIC_WEIGHT`]) and
    /// decisions use the [`SEMANTIC`] thresholds. `None` gives the lexical bot.
    pub fn with_model(
        entries: Vec<FaqEntry>,
        model: Option<SemanticModel>,
    ) -> Result<Bot, BotError> {
        Bot::with_model_weight(entries, model, SEMANTIC_WEIGHT, SEMANTIC)
    }

    /// [`Bot::with_model`] with another mixing weight in [0, 1] and thresholds, for
    /// calibration tools.
    pub fn with_model_weight(
        entries: Vec<FaqEntry>,
        model: Option<SemanticModel>,
        weight: f64,
        thresholds: Thresholds,
    ) -> Result<Bot, BotError> {
        validate(&entries)?;
        let index = Index::build(&entries);
        let semantic = model.map(|model| {
            let vectors = index
                .phrasings
                .iter()
                .flat_map(|p| model.encode_analyzed(&p.analyzed))
                .collect();
            Semantic {
                model,
                weight: weight.clamp(0.0, 1.0),
                vectors,
            }
        });
        let thresholds = if semantic.is_some() {
            thresholds
        } else {
            LEXICAL
        };
        Ok(Bot {
            entries,
            index,
            semantic,
            thresholds,
        })
    }

    /// True when the bot mixes in a semantic model.
    pub fn has_model(&self) -> bool {
        self.semantic.is_some()
    }

    /// The decision thresholds of this bot's scoring.
    pub fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// The knowledge base the bot was built from.
    pub fn entries(&self) -> &[FaqEntry] {
        &self.entries
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
        let factor = margin_factor(top, second, self.thresholds.margin_scale);
        ranked.truncate(k);
        for r in &mut ranked {
            r.score *= factor;
        }
        ranked
    }

    /// The best `k` entries by raw similarity in [0, 1], before the margin is taken into
    /// account.
    pub fn similarities(&self, query: &str, k: usize) -> Vec<Ranked> {
        if k == 0 {
            return Vec::new();
        }
        let analyzed = analyze(query);
        let mut scores = entry_scores(&self.index, &self.entries, &analyzed);
        if let Some(semantic) = &self.semantic {
            let q = semantic.model.encode_analyzed(&analyzed);
            let dim = semantic.model.dim();
            let mut best = vec![0.0_f64; self.entries.len()];
            for (p, phrasing) in self.index.phrasings.iter().enumerate() {
                let v = &semantic.vectors[p * dim..(p + 1) * dim];
                let cos = f64::from(dot(&q, v)).clamp(0.0, 1.0);
                let b = &mut best[phrasing.entry];
                *b = b.max(cos);
            }
            let w = semantic.weight;
            for (s, sem) in scores.iter_mut().zip(best) {
                *s = ((1.0 - w) * *s + w * sem).clamp(0.0, 1.0);
            }
        }
        top_k(&scores, k)
            .into_iter()
            .map(|(e, score)| Ranked {
                id: self.entries[e].id.clone(),
                score,
            })
            .collect()
    }
}

/// The bot's reply to one message.
#[derive(Debug, Clone, PartialEq)]
pub struct BotTurn {
    /// What the bot decided.
    pub decision: Decision,
    /// The reply shown to the customer, in Chinese.
    pub reply: String,
    /// The conversation state including this turn; pass it to the next `respond`.
    pub state: ConversationState,
    /// For a handoff: the summary for the agent.
    pub summary: Option<HandoffSummary>,
    /// For a handoff: the fields the bot asks for before handing over (already in `reply`).
    pub missing: Vec<Field>,
}

impl Bot {
    /// Decides what to do with one customer message, given the conversation so far.
    ///
    /// Order: a request for a person, a request that always needs one, or anger hand over at
    /// once; then a confident match is answered (unless its category needs a person); small
    /// talk gets its canned reply; an unsure match is suggested, or handed over when the
    /// previous turn was unsure too; no match hands over.
    pub fn respond(&self, query: &str, state: &ConversationState) -> BotTurn {
        let surface = normalize_surface(query);
        let ranked = self.similarities(query, SUGGESTIONS);
        let decision = self.decision_for(&surface, &ranked, state);
        let top = ranked.first().and_then(|r| self.entry(&r.id));
        let outcome = match &decision {
            Decision::Answer { .. } => Outcome::Answered,
            Decision::Suggest { .. } => Outcome::Suggested,
            Decision::SmallTalk { .. } => Outcome::SmallTalk,
            Decision::Handoff {
                reason: HandoffReason::NoMatch,
            } => Outcome::NotUnderstood,
            Decision::Handoff { .. } => Outcome::HandedOff,
        };
        let (entry_id, category) = match (&decision, top) {
            (Decision::Answer { .. } | Decision::Suggest { .. }, Some(e)) => {
                (Some(e.id.clone()), e.category.clone())
            }
            _ => (None, None),
        };
        let state = state.with_turn(Turn {
            query: query.to_owned(),
            outcome,
            entry_id,
            category,
        });
        let mut summary = None;
        let mut missing = Vec::new();
        let reply = match &decision {
            Decision::Answer { id, .. } => {
                self.entry(id).map(|e| e.answer.clone()).unwrap_or_default()
            }
            Decision::Suggest { candidates } => {
                let lines: Vec<String> = candidates
                    .iter()
                    .filter_map(|c| self.entry(&c.id))
                    .enumerate()
                    .map(|(i, e)| format!("{}. {}", i + 1, e.question))
                    .collect();
                format!(
                    "您是不是想问：\n{}\n请回复序号，或换个说法描述您的问题。",
                    lines.join("\n")
                )
            }
            Decision::SmallTalk { kind } => smalltalk::reply(*kind).to_owned(),
            Decision::Handoff { reason } => {
                let s = summarize(&state, reason.clone());
                missing = missing_fields(&s);
                let mut text = match reason {
                    HandoffReason::NoMatch => {
                        "抱歉，我暂时没能理解您的问题，正在为您转接人工客服。".to_owned()
                    }
                    HandoffReason::NegativeEmotion { .. } => {
                        "非常抱歉给您带来不好的体验，正在为您优先转接人工客服。".to_owned()
                    }
                    _ => "好的，正在为您转接人工客服。".to_owned(),
                };
                if let Some(question) = ask_for(&missing) {
                    text.push_str(&question);
                }
                summary = Some(s);
                text
            }
        };
        BotTurn {
            decision,
            reply,
            state,
            summary,
            missing,
        }
    }

    fn decision_for(
        &self,
        surface: &str,
        ranked: &[Ranked],
        state: &ConversationState,
    ) -> Decision {
        if let Some(reason) = message_trigger(surface) {
            return Decision::Handoff { reason };
        }
        let decision = decide_with(ranked, &self.thresholds);
        match decision {
            Decision::Answer { ref id, .. } => {
                let category = self.entry(id).and_then(|e| e.category.as_deref());
                if let Some(intent) = category.and_then(|c| human_intent("", Some(c))) {
                    return Decision::Handoff {
                        reason: HandoffReason::NeedsPerson { intent },
                    };
                }
                decision
            }
            _ => {
                if let Some(kind) = smalltalk::detect(surface) {
                    return Decision::SmallTalk { kind };
                }
                if decision.is_low_confidence() && state.last_was_unsure() {
                    return Decision::Handoff {
                        reason: HandoffReason::LowConfidenceTwice,
                    };
                }
                decision
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handoff::HumanIntent;
    use crate::smalltalk::SmallTalk;

    fn entry(id: &str, question: &str, similar: &[&str], category: Option<&str>) -> FaqEntry {
        FaqEntry {
            id: id.to_owned(),
            question: question.to_owned(),
            answer: format!("{id}的答案"),
            category: category.map(str::to_owned),
            similar: similar.iter().map(|s| (*s).to_owned()).collect(),
            keywords: Vec::new(),
        }
    }

    fn bot() -> Bot {
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

    fn respond(text: &str) -> BotTurn {
        bot().respond(text, &ConversationState::default())
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
    fn a_paraphrase_is_answered_with_the_standard_answer() {
        let turn = respond("你好，请问那个登陆密码忘了怎么办啊");
        assert!(
            matches!(turn.decision, Decision::Answer { ref id, .. } if id == "password"),
            "{turn:?}"
        );
        assert_eq!(turn.reply, "password的答案");
        assert_eq!(turn.state.turns.len(), 1);
    }

    #[test]
    fn typos_and_homophones_still_find_the_entry() {
        for text in [
            "忘计登陆蜜码怎么半",
            "怎么开铜直播全限",
            "创作者激励收意什么时侯到帐",
        ] {
            let ranked = bot().rank(text, 1);
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
        assert_eq!(bot().rank("口令忘了如何处理", 1)[0].id, "password");
        assert_eq!(bot().rank("直播权限怎么开通", 1)[0].id, "live");
        assert_eq!(bot().rank("电话号码要更换", 1)[0].id, "phone");
    }

    #[test]
    fn an_ambiguous_question_gets_suggestions() {
        let turn = respond("手机号");
        let Decision::Suggest { candidates } = &turn.decision else {
            panic!("expected a suggestion, got {:?}", turn.decision);
        };
        assert!(candidates.len() >= 2 && candidates.len() <= 3);
        assert!(turn.reply.contains("您是不是想问"));
    }

    #[test]
    fn an_unknown_question_hands_over_with_a_summary() {
        let turn = respond("股票交易手续费是多少");
        assert_eq!(
            turn.decision,
            Decision::Handoff {
                reason: HandoffReason::NoMatch
            }
        );
        assert!(turn.summary.is_some());
        assert!(turn.reply.contains("人工"));
    }

    #[test]
    fn asking_for_a_person_hands_over_and_asks_for_missing_fields() {
        let turn = respond("转人工");
        assert_eq!(
            turn.decision,
            Decision::Handoff {
                reason: HandoffReason::CustomerAsked
            }
        );
        assert!(turn.missing.contains(&Field::Account));
        assert!(turn.reply.contains("账号"));
    }

    #[test]
    fn anger_hands_over() {
        let turn = respond("你们这个垃圾平台，气死我了");
        assert!(matches!(
            turn.decision,
            Decision::Handoff {
                reason: HandoffReason::NegativeEmotion { .. }
            }
        ));
    }

    #[test]
    fn appeals_and_theft_hand_over_even_when_the_kb_knows_them() {
        let turn = respond("我的账号被盗了");
        assert_eq!(
            turn.decision,
            Decision::Handoff {
                reason: HandoffReason::NeedsPerson {
                    intent: HumanIntent::AccountTheft
                }
            }
        );
        let turn = respond("视频审核不通过怎么办");
        assert_eq!(
            turn.decision,
            Decision::Handoff {
                reason: HandoffReason::NeedsPerson {
                    intent: HumanIntent::ContentAppeal
                }
            }
        );
    }

    #[test]
    fn low_confidence_twice_in_a_row_hands_over() {
        let bot = bot();
        let first = bot.respond("手机号", &ConversationState::default());
        assert_eq!(first.decision.kind(), "suggest");
        let second = bot.respond("手机号", &first.state);
        assert_eq!(
            second.decision,
            Decision::Handoff {
                reason: HandoffReason::LowConfidenceTwice
            }
        );
        let summary = second.summary.unwrap();
        assert_eq!(summary.asked.len(), 2);
        assert_eq!(summary.domain.as_deref(), Some("账号"));
    }

    #[test]
    fn small_talk_gets_a_canned_reply_not_a_handoff() {
        let turn = respond("你好");
        assert_eq!(
            turn.decision,
            Decision::SmallTalk {
                kind: SmallTalk::Greeting
            }
        );
        assert!(!turn.reply.is_empty());
        assert_eq!(
            respond("你是机器人吗").decision,
            Decision::SmallTalk {
                kind: SmallTalk::AreYouABot
            }
        );
        assert_eq!(
            respond("谢谢").decision,
            Decision::SmallTalk {
                kind: SmallTalk::Thanks
            }
        );
    }

    #[test]
    fn rank_is_sorted_bounded_and_limited_to_k() {
        let ranked = bot().rank("怎么退款", 3);
        assert!(ranked.len() <= 3);
        assert!(ranked.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(ranked.iter().all(|r| (0.0..=1.0).contains(&r.score)));
        assert!(bot().rank("怎么退款", 0).is_empty());
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
        let semantic = Bot::with_model(entries, Some(tiny_model())).unwrap();
        assert!(semantic.has_model());
        assert_eq!(semantic.thresholds(), &SEMANTIC);
        let ranked = semantic.rank("账户被锁", 2);
        assert_eq!(ranked[0].id, "password", "{ranked:?}");
        assert!(ranked.iter().all(|r| (0.0..=1.0).contains(&r.score)));
    }

    #[test]
    fn without_a_model_the_bot_is_the_lexical_bot() {
        let entries = bot().entries().to_vec();
        let none = Bot::with_model(entries, None).unwrap();
        assert_eq!(none.thresholds(), &LEXICAL);
        let lexical = bot();
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

    #[test]
    fn an_empty_knowledge_base_hands_everything_over() {
        let bot = Bot::new(Vec::new()).unwrap();
        let turn = bot.respond("忘记密码", &ConversationState::default());
        assert_eq!(
            turn.decision,
            Decision::Handoff {
                reason: HandoffReason::NoMatch
            }
        );
    }
}
