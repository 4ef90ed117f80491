//! One conversation turn: what the bot does with a customer message given the conversation so
//! far — answer, suggest, small talk, ask for details before handing over, or hand over —
//! and the reply it shows, in the conversation's language. A reply to a suggestion menu is
//! handled in [`crate::menu`], collecting before a handoff in [`crate::collect`].

use serde::{Deserialize, Serialize};

use crate::actions::Sides;
use crate::bot::Bot;
use crate::conversation::{ConversationState, Outcome, Turn};
use crate::decide::{Decision, SUGGESTIONS, decide_with};
use crate::followup::is_followup;
use crate::handoff::{
    HandoffReason, asks_for_person, human_intent, message_trigger, negative_cues,
};
use crate::messages::{Lang, Text, text};
use crate::normalize::normalize_surface;
use crate::rank::Ranked;
use crate::smalltalk;
use crate::summary::{Field, HandoffSummary, substance};

/// One offered entry, for channels that show suggestions as buttons: the button sends `id`
/// back through [`Bot::pick`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The entry id.
    pub id: String,
    /// Its question, in the conversation's language.
    pub question: String,
}

/// The bot's reply to one message.
#[derive(Debug, Clone, PartialEq)]
pub struct BotTurn {
    /// What the bot decided.
    pub decision: Decision,
    /// The reply shown to the customer, in [`BotTurn::language`].
    pub reply: String,
    /// The conversation state including this turn; pass it to the next `respond`.
    pub state: ConversationState,
    /// For a handoff: the summary for the agent.
    pub summary: Option<HandoffSummary>,
    /// The fields the reply asks for: before a handoff ([`Decision::Collect`]), or in the
    /// handoff message itself when the bot hands over at once.
    pub missing: Vec<Field>,
    /// The customer's real question when this turn failed to answer it (no match, or unsure
    /// twice) — the question the customer asked, never their "1" or "都不是" in reply to a
    /// menu — for knowledge-base editors; `None` on the turns that only collect details.
    pub unanswered: Option<String>,
    /// The offered entries, best first, when the decision is a suggestion (empty otherwise,
    /// and empty for the request to rephrase after "none of these").
    pub suggestions: Vec<Suggestion>,
    /// The language of the reply (also kept in the state).
    pub language: Lang,
}

impl Bot {
    /// Decides what to do with one customer message, given the conversation so far.
    ///
    /// Order: a request for a person, a request that always needs one, or anger hand over
    /// (a word of anger that the confidently matched entry itself names is its topic, and
    /// is answered);
    /// a reply to an open suggestion menu is read as a choice ([`crate::menu`]); then a
    /// confident match is answered (unless its category needs a person, or its question names
    /// the opposite action of the message: that is only suggested); small talk gets its
    /// canned reply; an unsure match is suggested, or handed over when the previous turn was
    /// unsure too; no match hands over. A message that leans on the previous one (那如果…呢)
    /// and is not confident alone is ranked with the previous question. A handoff first asks
    /// for missing details when the policy of [`crate::collect`] allows; the next message is
    /// then taken as the answer.
    pub fn respond(&self, query: &str, state: &ConversationState) -> BotTurn {
        let lang = state.language_for(query);
        let mut state = state.clone();
        state.language = Some(lang);
        let state = &state;
        let surface = normalize_surface(query);
        if let Some(pending) = &state.pending {
            return self.collected_reply(query, &surface, state, pending);
        }
        // Only an open menu can take the message as a choice (the trigger is checked first).
        if !state.offered().is_empty()
            && message_trigger(&surface).is_none()
            && let Some(turn) = self.menu_reply(query, &surface, state)
        {
            return turn;
        }
        let ranked = self.ranked_in_context(query, &surface, state);
        let decision = self.decision_for(&surface, &ranked, state);
        self.turn_for(query, decision, state)
    }

    /// The turn for a decision on a message (`state` does not hold it yet).
    pub(crate) fn turn_for(
        &self,
        query: &str,
        decision: Decision,
        state: &ConversationState,
    ) -> BotTurn {
        let lang = state.language.unwrap_or_default();
        let outcome = match &decision {
            Decision::Answer { .. } => Outcome::Answered,
            Decision::Suggest { .. } => Outcome::Suggested,
            Decision::SmallTalk { .. } => Outcome::SmallTalk,
            Decision::Handoff {
                reason: HandoffReason::NoMatch,
            } => Outcome::NotUnderstood,
            Decision::Handoff { .. } | Decision::Collect { .. } => Outcome::HandedOff,
        };
        let mut turn = Turn::new(query, outcome);
        let shown = match &decision {
            Decision::Answer { id, .. } => self.entry(id),
            Decision::Suggest { candidates } => {
                turn.offered = candidates.iter().map(|c| c.id.clone()).collect();
                candidates.first().and_then(|c| self.entry(&c.id))
            }
            _ => None,
        };
        if let Some(e) = shown {
            turn.entry_id = Some(e.id.clone());
            turn.category = e.category.clone();
        }
        let state = state.with_turn(turn);
        let mut suggestions = Vec::new();
        let reply = match &decision {
            Decision::Handoff { reason } => {
                let unanswered = is_unanswered(reason).then(|| real_question(query, &state));
                return self.hand_over_or_ask(state, reason.clone(), unanswered);
            }
            Decision::Answer { id, .. } => self
                .entry(id)
                .map(|e| e.answer_in(lang).to_owned())
                .unwrap_or_default(),
            Decision::Suggest { candidates } => {
                suggestions = self.suggestions(candidates, lang);
                suggestion_text(&suggestions, lang)
            }
            Decision::SmallTalk { kind } => smalltalk::reply_in(lang, *kind).to_owned(),
            Decision::Collect { .. } => String::new(),
        };
        BotTurn {
            decision,
            reply,
            state,
            summary: None,
            missing: Vec::new(),
            unanswered: None,
            suggestions,
            language: lang,
        }
    }

    fn suggestions(&self, candidates: &[Ranked], lang: Lang) -> Vec<Suggestion> {
        candidates
            .iter()
            .filter_map(|c| self.entry(&c.id))
            .map(|e| Suggestion {
                id: e.id.clone(),
                question: e.question_in(lang).to_owned(),
            })
            .collect()
    }

    /// The ranking of a message: alone, or — when it reads as a follow-up and is not
    /// confident alone — together with the previous question (without the entry just
    /// answered), if that ranks better.
    fn ranked_in_context(
        &self,
        query: &str,
        surface: &str,
        state: &ConversationState,
    ) -> Vec<Ranked> {
        let alone = self.similarities_of_surface(surface, SUGGESTIONS);
        if matches!(
            decide_with(&alone, self.thresholds_for(query)),
            Decision::Answer { .. }
        ) || !is_followup(surface)
        {
            return alone;
        }
        let Some(previous) = previous_question(state) else {
            return alone;
        };
        let mut together = self.similarities(&format!("{previous} {query}"), SUGGESTIONS + 1);
        // A follow-up asks for something other than what was just answered (那如果…呢,
        // 还有别的办法吗): the previous question's own answer is not what it wants.
        if let Some(last) = state.turns.last()
            && last.outcome == Outcome::Answered
        {
            together.retain(|r| last.entry_id.as_ref() != Some(&r.id));
        }
        together.truncate(SUGGESTIONS);
        let top = |r: &[Ranked]| r.first().map_or(0.0, |r| r.score);
        if top(&together) > top(&alone) {
            together
        } else {
            alone
        }
    }

    fn decision_for(
        &self,
        surface: &str,
        ranked: &[Ranked],
        state: &ConversationState,
    ) -> Decision {
        let decision = decide_with(ranked, self.thresholds_for(surface));
        if let Some(reason) = message_trigger(surface)
            && !self.names_the_topic(surface, &decision)
        {
            return Decision::Handoff { reason };
        }
        match decision {
            Decision::Answer { ref id, .. } => {
                if let Some(reason) = self.needs_person(id) {
                    return Decision::Handoff { reason };
                }
                if self.sides_oppose(Sides::of(surface), id) {
                    // Never answer 退出 to a question about 加入: offer it among the others.
                    return Decision::Suggest {
                        candidates: ranked.iter().take(SUGGESTIONS).cloned().collect(),
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

    /// True when the only trigger of a message is a word of anger or urgency that the
    /// confidently matched entry's own question or keywords name: "落地页被投诉了" asks about
    /// a complaint, which the knowledge base answers, and the support team who wrote the
    /// entry chose to answer that word. A request for a person, a
    /// request that needs one, or a cue the entry does not name still hands over.
    fn names_the_topic(&self, surface: &str, decision: &Decision) -> bool {
        let Decision::Answer { id, .. } = decision else {
            return false;
        };
        let Some(entry) = self.entry(id) else {
            return false;
        };
        if asks_for_person(surface) || human_intent(surface, None).is_some() {
            return false;
        }
        let question = normalize_surface(&entry.question);
        let keywords: Vec<String> = entry
            .keywords
            .iter()
            .map(|k| normalize_surface(k))
            .collect();
        let cues = negative_cues(surface);
        !cues.is_empty()
            && cues.iter().all(|c| {
                question.contains(c.as_str()) || keywords.iter().any(|k| k.contains(c.as_str()))
            })
    }

    /// The handoff an answer with entry `id` turns into when its category always needs a
    /// person.
    pub(crate) fn needs_person(&self, id: &str) -> Option<HandoffReason> {
        let category = self.entry(id).and_then(|e| e.category.as_deref())?;
        human_intent("", Some(category)).map(|intent| HandoffReason::NeedsPerson { intent })
    }
}

/// The suggestion menu: the offered questions numbered, and how to choose.
fn suggestion_text(suggestions: &[Suggestion], lang: Lang) -> String {
    let lines: Vec<String> = suggestions
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}. {}", i + 1, s.question))
        .collect();
    format!(
        "{}\n{}\n{}",
        text(lang, Text::SuggestIntro),
        lines.join("\n"),
        text(lang, Text::SuggestOutro)
    )
}

/// The last question the customer asked that the bot worked on (answered, offered or failed
/// to understand), for a follow-up: a bare "1" or "都不是" is no question.
fn previous_question(state: &ConversationState) -> Option<&str> {
    let last = state.turns.last()?;
    if !matches!(
        last.outcome,
        Outcome::Answered | Outcome::Suggested | Outcome::NotUnderstood
    ) {
        return None;
    }
    state
        .turns
        .iter()
        .rev()
        .take_while(|t| !matches!(t.outcome, Outcome::HandedOff | Outcome::Collecting))
        .map(|t| t.query.as_str())
        .find(|q| is_question(q))
}

/// True when a message is a question of its own: it says something, and is not a reply to
/// a menu ("1", "第二个", "都不是").
fn is_question(query: &str) -> bool {
    substance(query) >= 2 && crate::pick::parse(&normalize_surface(query), 9).is_none()
}

/// The question to record as unanswered for a failed turn (`state` holds it): the message
/// itself when it is a question, else the question it replied to.
pub(crate) fn real_question(query: &str, state: &ConversationState) -> String {
    if is_question(query) {
        return query.to_owned();
    }
    state
        .turns
        .iter()
        .rev()
        .skip(1)
        .take_while(|t| {
            matches!(
                t.outcome,
                Outcome::Suggested | Outcome::NotUnderstood | Outcome::Answered
            )
        })
        .map(|t| t.query.as_str())
        .find(|q| is_question(q))
        .unwrap_or(query)
        .to_owned()
}

pub(crate) fn is_unanswered(reason: &HandoffReason) -> bool {
    matches!(
        reason,
        HandoffReason::NoMatch | HandoffReason::LowConfidenceTwice
    )
}

#[cfg(test)]
pub(crate) mod tests;
