//! Collecting before handing over: when a handoff is due and the agent would lack the domain,
//! the account or a short description, the bot first asks for them — one short question per
//! turn, within a budget that depends on why it hands over — and then hands over with what it
//! got.
//!
//! The policy (what Udesk, 七鱼 and Zendesk flows do before a transfer, without making an
//! upset customer wait):
//!
//! | why the bot hands over | questions before the handoff |
//! |---|---|
//! | anger or urgency (投诉, 骗子, …), a stolen account | none: hand over at once; the handoff message asks for what is missing, and the customer's reply reaches the agent |
//! | the customer asked for a person (转人工) | at most one, which says how to skip it |
//! | no match, unsure twice, a request that always needs a person (ban or content appeal) | at most two |
//!
//! A reply that asks for a person again, refuses (不用了, 不方便), or shows anger ends the
//! collection at once, and so does a reply that brings none of what was asked. The account is
//! asked for together with a description of the problem; the domain only in the first
//! question, and only when the description is known but names no domain.

use serde::{Deserialize, Serialize};

use crate::bot::Bot;
use crate::conversation::{ConversationState, Outcome, Turn};
use crate::decide::Decision;
use crate::handoff::{HandoffReason, HumanIntent, asks_for_person, message_trigger};
use crate::messages::{FieldText, Lang, Text, field_name, fill, text};
use crate::respond::BotTurn;
use crate::summary::{Field, ask_for_in, missing_fields, summarize};

/// A handoff that waits for the details the bot asked for; kept in the conversation state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingHandoff {
    /// Why the bot is handing over.
    pub reason: HandoffReason,
    /// Questions asked so far.
    pub questions: u8,
    /// What the last question asked for.
    pub asked: Vec<Field>,
}

/// How many questions the bot may ask before handing over for this reason (see the module
/// documentation).
pub fn question_budget(reason: &HandoffReason) -> u8 {
    match reason {
        HandoffReason::NegativeEmotion { .. }
        | HandoffReason::NeedsPerson {
            intent: HumanIntent::AccountTheft,
        } => 0,
        HandoffReason::CustomerAsked => 1,
        HandoffReason::NeedsPerson { .. }
        | HandoffReason::LowConfidenceTwice
        | HandoffReason::NoMatch => 2,
    }
}

/// Words with which a customer declines to give more details.
const DECLINES: &[&str] = &[
    "不用",
    "不想说",
    "不方便",
    "不知道",
    "不清楚",
    "忘了",
    "没有账号",
    "直接转",
    "快点",
    "赶紧",
    "别问",
    "跳过",
    "算了",
    "skip",
];

/// True when a reply to the bot's question declines it: asks for a person again, refuses,
/// or hurries the bot. Takes the surface-normalized message.
pub fn declines(surface: &str) -> bool {
    asks_for_person(surface) || DECLINES.iter().any(|w| surface.contains(w))
}

/// Which of the missing fields to ask for now: the account together with a description, and
/// the domain only when a description is known (a description usually names its domain).
pub fn fields_to_ask(missing: &[Field]) -> Vec<Field> {
    let has = |f: Field| missing.contains(&f);
    let mut ask = Vec::new();
    if has(Field::Description) {
        ask.push(Field::Description);
    } else if has(Field::Domain) {
        ask.push(Field::Domain);
    }
    if has(Field::Account) {
        ask.push(Field::Account);
    }
    ask
}

/// The one short Chinese question asking for `fields` (none when nothing is asked).
pub fn question_for(fields: &[Field], can_skip: bool) -> Option<String> {
    question_for_in(Lang::Zh, fields, can_skip)
}

/// The one short question asking for `fields` in a language.
pub fn question_for_in(lang: Lang, fields: &[Field], can_skip: bool) -> Option<String> {
    if fields.is_empty() {
        return None;
    }
    let names: Vec<&str> = fields
        .iter()
        .map(|f| field_name(lang, *f, FieldText::Question))
        .collect();
    let mut question = fill(
        lang,
        Text::CollectQuestion,
        &names.join(text(lang, Text::FieldJoin)),
    );
    if can_skip {
        question.push_str(text(lang, Text::CollectSkip));
    }
    Some(question)
}

/// What the bot says before its question, by why it hands over.
fn opening(lang: Lang, reason: &HandoffReason) -> &'static str {
    let key = match reason {
        HandoffReason::NoMatch => Text::OpeningNoMatch,
        HandoffReason::LowConfidenceTwice => Text::OpeningUnsure,
        HandoffReason::NeedsPerson { .. } => Text::OpeningNeedsPerson,
        _ => Text::OpeningOther,
    };
    text(lang, key)
}

impl Bot {
    /// A handoff is due (`state` already holds this turn): ask for missing details first when
    /// the budget of the reason allows it, else hand over now.
    pub(crate) fn hand_over_or_ask(
        &self,
        state: ConversationState,
        reason: HandoffReason,
        unanswered: Option<String>,
    ) -> BotTurn {
        let lang = state.language.unwrap_or_default();
        let summary = summarize(&state, reason.clone());
        let ask = fields_to_ask(&missing_fields(&summary));
        if question_budget(&reason) > 0 && !ask.is_empty() {
            let mut reply = opening(lang, &reason).to_owned();
            let can_skip = reason == HandoffReason::CustomerAsked;
            reply.push_str(&question_for_in(lang, &ask, can_skip).unwrap_or_default());
            let pending = PendingHandoff {
                reason,
                questions: 1,
                asked: ask.clone(),
            };
            return collect_turn(state, pending, ask, reply, unanswered);
        }
        let missing = missing_fields(&summary);
        let key = match &reason {
            HandoffReason::NoMatch => Text::HandoffNoMatch,
            HandoffReason::NegativeEmotion { .. } => Text::HandoffUpset,
            _ => Text::HandoffOther,
        };
        let mut reply = text(lang, key).to_owned();
        if let Some(question) = ask_for_in(lang, &missing) {
            reply.push_str(&question);
        }
        BotTurn {
            decision: Decision::Handoff { reason },
            reply,
            state,
            summary: Some(summary),
            missing,
            unanswered,
            suggestions: Vec::new(),
            language: lang,
        }
    }

    /// The customer's reply to a question asked before a handoff: ask once more for what is
    /// still missing if the reply brought something and the budget allows, else hand over
    /// with what was collected. Anger, a repeated request for a person or a refusal hands
    /// over at once.
    pub(crate) fn collected_reply(
        &self,
        query: &str,
        surface: &str,
        state: &ConversationState,
        pending: &PendingHandoff,
    ) -> BotTurn {
        let lang = state.language.unwrap_or_default();
        let reason = match message_trigger(surface) {
            Some(urgent @ HandoffReason::NegativeEmotion { .. }) => urgent,
            Some(
                theft @ HandoffReason::NeedsPerson {
                    intent: HumanIntent::AccountTheft,
                },
            ) => theft,
            _ => pending.reason.clone(),
        };
        let state = state.with_turn(Turn::new(query, Outcome::HandedOff));
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
            let mut reply = text(lang, Text::Received).to_owned();
            reply.push_str(&question_for_in(lang, &ask, true).unwrap_or_default());
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
        let key = if summary.collected.is_empty() {
            Text::HandoffAfterNothing
        } else {
            Text::HandoffAfterCollected
        };
        BotTurn {
            decision: Decision::Handoff { reason },
            reply: text(lang, key).to_owned(),
            state: state.with_pending(None),
            summary: Some(summary),
            missing: Vec::new(),
            unanswered: None,
            suggestions: Vec::new(),
            language: lang,
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
    let language = state.language.unwrap_or_default();
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
        suggestions: Vec::new(),
        language,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::tests::fixture;
    use crate::normalize::normalize_surface;
    use crate::respond::tests::{converse, respond};

    #[test]
    fn upset_customers_and_stolen_accounts_are_never_asked_first() {
        assert_eq!(
            question_budget(&HandoffReason::NegativeEmotion {
                cue: "骗子".to_owned()
            }),
            0
        );
        assert_eq!(
            question_budget(&HandoffReason::NeedsPerson {
                intent: HumanIntent::AccountTheft
            }),
            0
        );
    }

    #[test]
    fn an_explicit_request_waits_for_one_question_at_most() {
        assert_eq!(question_budget(&HandoffReason::CustomerAsked), 1);
        assert_eq!(question_budget(&HandoffReason::NoMatch), 2);
        assert_eq!(
            question_budget(&HandoffReason::NeedsPerson {
                intent: HumanIntent::BanAppeal
            }),
            2
        );
    }

    #[test]
    fn asking_again_or_refusing_declines_the_question() {
        for reply in ["转人工", "不方便说", "别问了快点", "算了直接转吧"] {
            assert!(declines(&normalize_surface(reply)), "{reply}");
        }
        for reply in ["13800138000", "直播间被限流了"] {
            assert!(!declines(&normalize_surface(reply)), "{reply}");
        }
    }

    #[test]
    fn the_domain_is_asked_only_once_a_description_is_known() {
        assert_eq!(
            fields_to_ask(&[Field::Domain, Field::Account, Field::Description]),
            vec![Field::Description, Field::Account]
        );
        assert_eq!(
            fields_to_ask(&[Field::Domain, Field::Account]),
            vec![Field::Domain, Field::Account]
        );
        assert!(fields_to_ask(&[]).is_empty());
    }

    #[test]
    fn the_question_names_each_field_and_how_to_skip() {
        let q = question_for(&[Field::Description, Field::Account], true).unwrap();
        assert!(q.contains("什么问题") && q.contains("账号") && q.contains("转人工"));
        let q = question_for(&[Field::Account], false).unwrap();
        assert!(!q.contains("转人工"));
        assert_eq!(question_for(&[], true), None);
        let en = question_for_in(Lang::En, &[Field::Description, Field::Account], true).unwrap();
        assert!(
            en.contains("what went wrong") && en.contains("\"agent\""),
            "{en}"
        );
        assert!(en.is_ascii(), "{en}");
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
        assert_eq!(summary.domain.as_deref(), Some("account"));
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
        assert_eq!(summary.domain.as_deref(), Some("live_streaming"));
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
        assert_eq!(summary.domain.as_deref(), Some("account"));
        assert_eq!(summary.reason, HandoffReason::LowConfidenceTwice);
    }
}
