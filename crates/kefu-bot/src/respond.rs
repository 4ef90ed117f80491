//! One conversation turn: what the bot does with a customer message given the conversation so
//! far — answer, suggest, small talk, ask for details before handing over, or hand over —
//! and the reply it shows.

use crate::bot::Bot;
use crate::collect::{PendingHandoff, declines, fields_to_ask, question_budget, question_for};
use crate::conversation::{ConversationState, Outcome, Turn};
use crate::decide::{Decision, SUGGESTIONS, decide_with};
use crate::handoff::{HandoffReason, HumanIntent, human_intent, message_trigger};
use crate::normalize::normalize_surface;
use crate::rank::Ranked;
use crate::smalltalk;
use crate::summary::{Field, HandoffSummary, ask_for, missing_fields, summarize};

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
    /// The fields the reply asks for: before a handoff ([`Decision::Collect`]), or in the
    /// handoff message itself when the bot hands over at once.
    pub missing: Vec<Field>,
    /// The customer's question when this turn failed to answer it (no match, or unsure
    /// twice), for knowledge-base editors; `None` on the turns that only collect details.
    pub unanswered: Option<String>,
}

impl Bot {
    /// Decides what to do with one customer message, given the conversation so far.
    ///
    /// Order: a request for a person, a request that always needs one, or anger hand over;
    /// then a confident match is answered (unless its category needs a person); small talk
    /// gets its canned reply; an unsure match is suggested, or handed over when the previous
    /// turn was unsure too; no match hands over. A handoff first asks for missing details when
    /// the policy of [`crate::collect`] allows; the next message is then taken as the answer.
    pub fn respond(&self, query: &str, state: &ConversationState) -> BotTurn {
        let surface = normalize_surface(query);
        if let Some(pending) = &state.pending {
            return self.collected_reply(query, &surface, state, pending);
        }
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
            Decision::Handoff { .. } | Decision::Collect { .. } => Outcome::HandedOff,
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
        let reply = match &decision {
            Decision::Handoff { reason } => {
                let unanswered = is_unanswered(reason).then(|| query.to_owned());
                return self.hand_over_or_ask(state, reason.clone(), unanswered);
            }
            Decision::Answer { id, .. } => {
                self.entry(id).map(|e| e.answer.clone()).unwrap_or_default()
            }
            Decision::Suggest { candidates } => self.suggestion_text(candidates),
            Decision::SmallTalk { kind } => smalltalk::reply(*kind).to_owned(),
            Decision::Collect { .. } => String::new(),
        };
        BotTurn {
            decision,
            reply,
            state,
            summary: None,
            missing: Vec::new(),
            unanswered: None,
        }
    }

    fn suggestion_text(&self, candidates: &[Ranked]) -> String {
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

    /// A handoff is due (`state` already holds this turn): ask for missing details first when
    /// the budget of the reason allows it, else hand over now.
    fn hand_over_or_ask(
        &self,
        state: ConversationState,
        reason: HandoffReason,
        unanswered: Option<String>,
    ) -> BotTurn {
        let summary = summarize(&state, reason.clone());
        let ask = fields_to_ask(&missing_fields(&summary));
        if question_budget(&reason) > 0 && !ask.is_empty() {
            let mut reply = opening(&reason).to_owned();
            let can_skip = reason == HandoffReason::CustomerAsked;
            reply.push_str(&question_for(&ask, can_skip).unwrap_or_default());
            let pending = PendingHandoff {
                reason,
                questions: 1,
                asked: ask.clone(),
            };
            return collect_turn(state, pending, ask, reply, unanswered);
        }
        let missing = missing_fields(&summary);
        let mut reply = match &reason {
            HandoffReason::NoMatch => {
                "抱歉，我暂时没能理解您的问题，正在为您转接人工客服。".to_owned()
            }
            HandoffReason::NegativeEmotion { .. } => {
                "非常抱歉给您带来不好的体验，正在为您优先转接人工客服。".to_owned()
            }
            _ => "好的，正在为您转接人工客服。".to_owned(),
        };
        if let Some(question) = ask_for(&missing) {
            reply.push_str(&question);
        }
        BotTurn {
            decision: Decision::Handoff { reason },
            reply,
            state,
            summary: Some(summary),
            missing,
            unanswered,
        }
    }

    /// The customer's reply to a question asked before a handoff: ask once more for what is
    /// still missing if the reply brought something and the budget allows, else hand over
    /// with what was collected. Anger, a repeated request for a person or a refusal hands
    /// over at once.
    fn collected_reply(
        &self,
        query: &str,
        surface: &str,
        state: &ConversationState,
        pending: &PendingHandoff,
    ) -> BotTurn {
        let reason = match message_trigger(surface) {
            Some(urgent @ HandoffReason::NegativeEmotion { .. }) => urgent,
            Some(
                theft @ HandoffReason::NeedsPerson {
                    intent: HumanIntent::AccountTheft,
                },
            ) => theft,
            _ => pending.reason.clone(),
        };
        let state = state.with_turn(Turn {
            query: query.to_owned(),
            outcome: Outcome::HandedOff,
            entry_id: None,
            category: None,
        });
        let mut summary = summarize(&state, reason.clone());
        let missing = missing_fields(&summary);
        // A follow-up asks only for essentials: the domain alone is not worth another turn
        // when a description is known (the agent and routing can tell it from that).
        let mut ask = fields_to_ask(&missing);
        ask.retain(|f| *f != Field::Domain);
        let progressed = pending.asked.iter().any(|f| !missing.contains(f));
        let stop = declines(surface) || question_budget(&reason) == 0;
        if !stop && progressed && !ask.is_empty() && pending.questions < question_budget(&reason) {
            let mut asked = pending.asked.clone();
            asked.extend(ask.iter().filter(|f| !pending.asked.contains(f)));
            let mut reply = "收到。".to_owned();
            reply.push_str(&question_for(&ask, true).unwrap_or_default());
            let pending = PendingHandoff {
                reason,
                questions: pending.questions.saturating_add(1),
                asked,
            };
            return collect_turn(state, pending, ask, reply, None);
        }
        summary.collected = pending
            .asked
            .iter()
            .copied()
            .filter(|f| !missing.contains(f))
            .collect();
        let reply = if summary.collected.is_empty() {
            "好的，正在为您转接人工客服，请稍候。"
        } else {
            "谢谢，已记录。正在为您转接人工客服，请稍候。"
        };
        BotTurn {
            decision: Decision::Handoff { reason },
            reply: reply.to_owned(),
            state: state.with_pending(None),
            summary: Some(summary),
            missing: Vec::new(),
            unanswered: None,
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
        let decision = decide_with(ranked, self.thresholds());
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

/// A turn that asks the customer for `ask` before handing over (`state` holds this turn).
fn collect_turn(
    mut state: ConversationState,
    pending: PendingHandoff,
    ask: Vec<Field>,
    reply: String,
    unanswered: Option<String>,
) -> BotTurn {
    if let Some(last) = state.turns.last_mut() {
        last.outcome = Outcome::Collecting;
    }
    BotTurn {
        decision: Decision::Collect {
            reason: pending.reason.clone(),
            fields: ask.clone(),
        },
        reply,
        state: state.with_pending(Some(pending)),
        summary: None,
        missing: ask,
        unanswered,
    }
}

fn is_unanswered(reason: &HandoffReason) -> bool {
    matches!(
        reason,
        HandoffReason::NoMatch | HandoffReason::LowConfidenceTwice
    )
}

/// What the bot says before its question, by why it hands over.
fn opening(reason: &HandoffReason) -> &'static str {
    match reason {
        HandoffReason::NoMatch => "抱歉，我暂时没能理解您的问题，马上为您转接人工客服。",
        HandoffReason::LowConfidenceTwice => "抱歉没能找到准确的答案，马上为您转接人工客服。",
        HandoffReason::NeedsPerson { .. } => "这类问题需要人工客服处理，马上为您转接。",
        _ => "好的，马上为您转接人工客服。",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::tests::{entry, fixture};
    use crate::smalltalk::SmallTalk;

    fn respond(text: &str) -> BotTurn {
        fixture().respond(text, &ConversationState::default())
    }

    /// Sends each message in turn, starting a fresh conversation.
    fn converse(messages: &[&str]) -> Vec<BotTurn> {
        let bot = fixture();
        let mut state = ConversationState::default();
        messages
            .iter()
            .map(|m| {
                let turn = bot.respond(m, &state);
                state = turn.state.clone();
                turn
            })
            .collect()
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
    fn an_ambiguous_question_gets_suggestions() {
        let turn = respond("手机号");
        let Decision::Suggest { candidates } = &turn.decision else {
            panic!("expected a suggestion, got {:?}", turn.decision);
        };
        assert!(candidates.len() >= 2 && candidates.len() <= 3);
        assert!(turn.reply.contains("您是不是想问"));
    }

    #[test]
    fn an_unknown_question_asks_for_details_then_hands_over_with_them() {
        let turns = converse(&["股票交易手续费是多少", "我的账号是 13800138000"]);
        assert_eq!(
            turns[0].decision,
            Decision::Collect {
                reason: HandoffReason::NoMatch,
                fields: vec![Field::Domain, Field::Account],
            }
        );
        assert_eq!(turns[0].decision.kind(), "handoff");
        assert_eq!(turns[0].unanswered.as_deref(), Some("股票交易手续费是多少"));
        assert!(turns[0].summary.is_none());
        assert!(turns[0].reply.contains("账号"), "{}", turns[0].reply);
        assert_eq!(
            turns[1].decision,
            Decision::Handoff {
                reason: HandoffReason::NoMatch
            }
        );
        let summary = turns[1].summary.as_ref().unwrap();
        assert_eq!(summary.account.as_deref(), Some("13800138000"));
        assert_eq!(summary.description.as_deref(), Some("股票交易手续费是多少"));
        assert_eq!(summary.collected, vec![Field::Account]);
        assert_eq!(turns[1].unanswered, None);
        assert_eq!(turns[1].state.pending, None);
    }

    #[test]
    fn asking_for_a_person_gets_one_question_that_can_be_skipped() {
        let turns = converse(&["转人工", "转人工"]);
        assert_eq!(
            turns[0].decision,
            Decision::Collect {
                reason: HandoffReason::CustomerAsked,
                fields: vec![Field::Description, Field::Account],
            }
        );
        assert!(turns[0].reply.contains("直接回复“转人工”"));
        assert_eq!(
            turns[1].decision,
            Decision::Handoff {
                reason: HandoffReason::CustomerAsked
            }
        );
        assert!(turns[1].summary.as_ref().unwrap().collected.is_empty());
    }

    #[test]
    fn an_explicit_request_is_never_asked_twice() {
        let turns = converse(&["转人工", "直播间被限流了"]);
        let Decision::Handoff { .. } = turns[1].decision else {
            panic!("expected a handoff, got {:?}", turns[1].decision);
        };
        let summary = turns[1].summary.as_ref().unwrap();
        assert_eq!(summary.description.as_deref(), Some("直播间被限流了"));
        assert_eq!(summary.collected, vec![Field::Description]);
        assert_eq!(summary.account, None);
    }

    #[test]
    fn a_request_with_everything_known_hands_over_at_once() {
        let turns = converse(&["忘记登录密码怎么办", "账号13800138000，转人工"]);
        assert_eq!(
            turns[1].decision,
            Decision::Handoff {
                reason: HandoffReason::CustomerAsked
            }
        );
        let summary = turns[1].summary.as_ref().unwrap();
        assert_eq!(summary.domain.as_deref(), Some("账号"));
        assert_eq!(summary.bot_answers, vec!["password"]);
    }

    #[test]
    fn a_partial_answer_gets_one_more_question_within_the_budget() {
        let turns = converse(&["量子纠缠实验室门票", "直播相关的问题", "138001380001"]);
        assert_eq!(turns[0].decision.kind(), "handoff");
        assert!(matches!(turns[0].decision, Decision::Collect { .. }));
        assert_eq!(
            turns[1].decision,
            Decision::Collect {
                reason: HandoffReason::NoMatch,
                fields: vec![Field::Account],
            }
        );
        assert!(turns[1].reply.starts_with("收到"));
        let summary = turns[2].summary.as_ref().unwrap();
        assert_eq!(summary.account.as_deref(), Some("138001380001"));
        assert_eq!(summary.domain.as_deref(), Some("直播"));
        assert_eq!(summary.collected, vec![Field::Domain, Field::Account]);
    }

    #[test]
    fn a_reply_that_brings_nothing_is_not_asked_again() {
        let turns = converse(&["量子纠缠实验室门票", "嗯"]);
        assert!(matches!(turns[1].decision, Decision::Handoff { .. }));
    }

    #[test]
    fn anger_during_collection_hands_over_at_once_as_urgent() {
        let turns = converse(&["量子纠缠实验室门票", "你们这是骗子吧"]);
        assert_eq!(
            turns[1].decision,
            Decision::Handoff {
                reason: HandoffReason::NegativeEmotion {
                    cue: "骗子".to_owned()
                }
            }
        );
    }

    #[test]
    fn anger_hands_over_at_once_and_asks_in_the_same_message() {
        let turn = respond("你们这个垃圾平台，气死我了");
        assert!(matches!(
            turn.decision,
            Decision::Handoff {
                reason: HandoffReason::NegativeEmotion { .. }
            }
        ));
        assert!(turn.missing.contains(&Field::Account));
        assert!(turn.reply.contains("账号"));
        assert!(turn.summary.is_some());
    }

    #[test]
    fn a_stolen_account_hands_over_at_once_and_appeals_ask_first() {
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
            Decision::Collect {
                reason: HandoffReason::NeedsPerson {
                    intent: HumanIntent::ContentAppeal
                },
                fields: vec![Field::Account],
            }
        );
        assert!(turn.reply.contains("需要人工客服处理"));
    }

    #[test]
    fn low_confidence_twice_in_a_row_hands_over() {
        let bot = fixture();
        let first = bot.respond("手机号", &ConversationState::default());
        assert_eq!(first.decision.kind(), "suggest");
        let second = bot.respond("手机号", &first.state);
        assert_eq!(
            second.decision,
            Decision::Collect {
                reason: HandoffReason::LowConfidenceTwice,
                fields: vec![Field::Description, Field::Account],
            }
        );
        assert_eq!(second.unanswered.as_deref(), Some("手机号"));
        let third = bot.respond("13800138000，换了手机号登录不了", &second.state);
        let summary = third.summary.unwrap();
        assert_eq!(summary.asked.len(), 3);
        assert_eq!(summary.domain.as_deref(), Some("账号"));
        assert_eq!(summary.reason, HandoffReason::LowConfidenceTwice);
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
    fn an_empty_knowledge_base_hands_everything_over() {
        let bot = Bot::new(Vec::new()).unwrap();
        let turn = bot.respond("忘记密码", &ConversationState::default());
        assert!(matches!(
            turn.decision,
            Decision::Collect {
                reason: HandoffReason::NoMatch,
                ..
            }
        ));
        let _ = entry;
    }
}
