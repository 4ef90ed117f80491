//! The customer's answer to a suggestion menu: a choice (by number, by repeating an offered
//! question's words — see [`crate::pick`] — or by a button, [`Bot::pick`]) is answered with
//! the chosen entry; "none of these" gets one request to rephrase, after which a message the
//! bot still does not understand goes to a person (the usual "unsure twice" rule).

use crate::bot::Bot;
use crate::conversation::{ConversationState, Outcome, Turn};
use crate::decide::{Decision, SUGGESTIONS, decide_with};
use crate::messages::{Text, text};
use crate::pick::{PickReply, by_words, parse};
use crate::respond::BotTurn;

impl Bot {
    /// The customer chose entry `entry_id` by a button of a suggestion menu (any entry of the
    /// knowledge base: a button of an older menu still means that entry). `None` when no entry
    /// has that id (the knowledge base changed): the channel then sends the button's text as
    /// an ordinary message.
    pub fn pick(&self, state: &ConversationState, entry_id: &str) -> Option<BotTurn> {
        let lang = state.language.unwrap_or_default();
        let entry = self.entry(entry_id)?;
        let mut state = state.clone().with_pending(None);
        state.language = Some(lang);
        Some(self.answer_choice(entry.question_in(lang), entry_id, &state))
    }

    /// A message sent while a suggestion menu is open, read as a choice; `None` when it is
    /// not one (it is then a new message). `state.language` is already set.
    pub(crate) fn menu_reply(
        &self,
        query: &str,
        surface: &str,
        state: &ConversationState,
    ) -> Option<BotTurn> {
        let offered = state.offered();
        if offered.is_empty() {
            return None;
        }
        match parse(surface, offered.len()) {
            Some(PickReply::Choice(at)) => {
                return Some(self.answer_choice(query, &offered[at], state));
            }
            Some(PickReply::NoneOfThese) => return Some(self.rephrase(query, state)),
            None => {}
        }
        let lang = state.language.unwrap_or_default();
        let (ids, questions): (Vec<&str>, Vec<&str>) = offered
            .iter()
            .filter_map(|id| self.entry(id))
            .map(|e| (e.id.as_str(), e.question_in(lang)))
            .unzip();
        let id = ids[by_words(query, &questions)?];
        // Words that also make a confident question of their own about another entry are
        // that question, not a choice.
        if let Decision::Answer { id: other, .. } = decide_with(
            &self.similarities(query, SUGGESTIONS),
            self.thresholds_for(query),
        ) && other != id
        {
            return None;
        }
        Some(self.answer_choice(query, id, state))
    }

    /// Answers with the chosen entry (or hands over, when its category always needs a
    /// person).
    fn answer_choice(&self, query: &str, id: &str, state: &ConversationState) -> BotTurn {
        let decision = match self.needs_person(id) {
            Some(reason) => Decision::Handoff { reason },
            None => Decision::Answer {
                id: id.to_owned(),
                score: 1.0,
            },
        };
        self.turn_for(query, decision, state)
    }

    /// "None of these": ask once to say it another way. The turn counts as not understood,
    /// so that a next message the bot is unsure about goes to a person.
    fn rephrase(&self, query: &str, state: &ConversationState) -> BotTurn {
        let lang = state.language.unwrap_or_default();
        BotTurn {
            decision: Decision::Suggest {
                candidates: Vec::new(),
            },
            reply: text(lang, Text::Rephrase).to_owned(),
            state: state.with_turn(Turn::new(query, Outcome::NotUnderstood)),
            summary: None,
            missing: Vec::new(),
            unanswered: None,
            suggestions: Vec::new(),
            language: lang,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::tests::fixture;
    use crate::handoff::HandoffReason;
    use crate::respond::tests::converse;

    /// The menu "手机号" gets from the fixture, and its offers.
    fn menu() -> (Bot, BotTurn) {
        let bot = fixture();
        let turn = bot.respond("手机号", &ConversationState::default());
        assert_eq!(turn.decision.kind(), "suggest", "{:?}", turn.decision);
        (bot, turn)
    }

    fn answered(turn: &BotTurn) -> Option<&str> {
        match &turn.decision {
            Decision::Answer { id, .. } => Some(id),
            _ => None,
        }
    }

    #[test]
    fn the_state_and_the_turn_keep_every_offer_in_order() {
        let (_, turn) = menu();
        let Decision::Suggest { candidates } = &turn.decision else {
            unreachable!()
        };
        let ids: Vec<&str> = candidates.iter().map(|c| c.id.as_str()).collect();
        assert!(ids.len() >= 2);
        assert_eq!(turn.state.offered(), ids.as_slice());
        let shown: Vec<&str> = turn.suggestions.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(shown, ids);
        assert!(
            turn.reply
                .contains(&format!("2. {}", turn.suggestions[1].question))
        );
    }

    #[test]
    fn a_number_or_ordinal_answers_with_that_offer() {
        let (bot, menu) = menu();
        let second = menu.state.offered()[1].clone();
        for reply in ["2", "２", "2.", "第二个", "第2个", "二", "the second"] {
            let turn = bot.respond(reply, &menu.state);
            assert_eq!(answered(&turn), Some(second.as_str()), "{reply}: {turn:?}");
            assert_eq!(turn.state.turns.last().unwrap().outcome, Outcome::Answered);
            assert_eq!(turn.reply, format!("{second}的答案"));
            assert!(turn.suggestions.is_empty());
        }
    }

    #[test]
    fn repeating_an_offer_words_answers_with_it() {
        let (bot, menu) = menu();
        let first = menu.suggestions[0].clone();
        let turn = bot.respond(&first.question, &menu.state);
        assert_eq!(answered(&turn), Some(first.id.as_str()), "{turn:?}");
    }

    #[test]
    fn a_button_answers_with_its_entry() {
        let (bot, menu) = menu();
        let id = menu.state.offered()[2 % menu.state.offered().len()].clone();
        let turn = bot.pick(&menu.state, &id).unwrap();
        assert_eq!(answered(&turn), Some(id.as_str()));
        assert_eq!(turn.state.turns.len(), 2);
        assert!(bot.pick(&menu.state, "no-such-entry").is_none());
    }

    #[test]
    fn none_of_these_asks_once_to_rephrase_then_hands_over() {
        let turns = converse(&["手机号", "都不是", "嗯"]);
        assert_eq!(turns[1].decision.kind(), "suggest");
        assert!(turns[1].suggestions.is_empty());
        assert!(turns[1].reply.contains("换个说法"), "{}", turns[1].reply);
        assert!(turns[1].state.offered().is_empty());
        assert_eq!(turns[1].unanswered, None);
        assert_eq!(
            turns[2].decision.kind(),
            "handoff",
            "{:?}",
            turns[2].decision
        );
        assert_eq!(turns[2].unanswered.as_deref(), Some("手机号"));
        let english = converse(&["手机号", "none of these"]);
        assert!(english[1].reply.contains("换个说法"));
    }

    #[test]
    fn a_failed_choice_records_the_real_question_not_the_number() {
        let turns = converse(&["手机号", "5"]);
        assert!(
            matches!(
                turns[1].decision,
                Decision::Collect {
                    reason: HandoffReason::LowConfidenceTwice,
                    ..
                }
            ),
            "{:?}",
            turns[1].decision
        );
        assert_eq!(turns[1].unanswered.as_deref(), Some("手机号"));
    }

    #[test]
    fn a_request_for_a_person_is_not_read_as_a_choice() {
        let turns = converse(&["手机号", "转人工"]);
        assert!(matches!(
            turns[1].decision,
            Decision::Collect {
                reason: HandoffReason::CustomerAsked,
                ..
            }
        ));
    }

    #[test]
    fn a_number_without_an_open_menu_is_an_ordinary_message() {
        let turns = converse(&["忘记登录密码怎么办", "2"]);
        assert_eq!(turns[0].decision.kind(), "answer");
        assert_ne!(turns[1].decision.kind(), "answer");
    }
}
