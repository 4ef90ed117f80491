//! Every user-facing text the service, its workers and (through them) the store write, in
//! each language kefu ships (zh-CN, the default, and en): customers' progress lines and the
//! bot's closing words, staff notes for hand-backs and SLA breaches.
//!
//! One [`Messages`] value per language, a struct with one field per text, so a language
//! that lacks a text does not compile. Texts for staff use the deployment's staff language
//! (`Settings::staff_language`); texts for a customer use the customer's language. The
//! bot's own conversation texts live in `kefu_bot::messages`; this catalogue holds only
//! what the service writes itself.

mod en;
pub mod notify;
mod zh_cn;

use jiff::Timestamp;
use kefu_bot::messages::Lang;
use kefu_domain::{AgentPresence, Priority, SurveyForm, TicketStatus};

/// The catalogue of one language.
#[derive(Debug)]
pub struct Messages {
    /// The BCP 47 tag (`zh-CN`, `en`).
    pub tag: &'static str,
    /// Customers: where their ticket stands, one line per status.
    pub progress: fn(TicketStatus) -> &'static str,
    /// Customers: the bot closing a conversation that went quiet after its answer.
    pub bot_closing: &'static str,
    /// Customers: the bot answering "that helped".
    pub bot_helpful: &'static str,
    /// Staff: a live chat returned to the queue because its agent (`name`) changed presence.
    pub chat_handed_back_on_presence: fn(name: &str, to: AgentPresence) -> String,
    /// Staff: a live chat returned to the queue because its agent's shift ended.
    pub chat_handed_back_at_shift_end: fn(name: &str) -> String,
    /// Staff: a live chat returned to the queue because a roster change put its agent off
    /// shift.
    pub chat_handed_back_off_roster: fn(name: &str) -> String,
    /// Staff (the team lead): an SLA target (`first_response`, …) was breached at `due_at`
    /// and the ticket is now at `priority`.
    pub sla_breach_lead_note: fn(target: &str, due_at: Timestamp, priority: Priority) -> String,
    /// Staff: why a breached ticket went back to the queue (its owner was not present).
    pub sla_breach_requeued: fn(target: &str) -> String,
    /// Staff: why a ticket went back to its frontline owner (or the queue) from a
    /// specialist team.
    pub sent_back_reason: &'static str,
    /// Staff: why the bot handed a conversation over after "not helpful" twice.
    pub handoff_not_helpful: &'static str,
    /// Customers: the satisfaction survey after a resolution (a 1–5 score, or whether the
    /// bot's answer helped).
    pub survey_ask: fn(SurveyForm) -> &'static str,
    /// Customers: the one reminder of an unanswered survey.
    pub survey_reminder: fn(SurveyForm) -> &'static str,
}

impl Messages {
    /// The catalogue for a language tag as customers and channels send it (`zh`, `zh-CN`,
    /// `en-US`, any case); zh-CN for anything kefu does not speak.
    pub fn for_language(tag: &str) -> &'static Messages {
        Self::for_lang(Lang::parse(tag).unwrap_or_default())
    }

    /// The catalogue for one of the bot's languages.
    pub fn for_lang(lang: Lang) -> &'static Messages {
        match lang {
            Lang::Zh => &zh_cn::MESSAGES,
            Lang::En => &en::MESSAGES,
        }
    }

    /// Every catalogue kefu ships.
    pub fn all() -> [&'static Messages; 2] {
        [&zh_cn::MESSAGES, &en::MESSAGES]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> Timestamp {
        Timestamp::from_second(1_790_000_000).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn tags_choose_their_catalogue_and_anything_else_is_chinese() {
        assert_eq!(Messages::for_language("zh-CN").tag, "zh-CN");
        assert_eq!(Messages::for_language("zh").tag, "zh-CN");
        assert_eq!(Messages::for_language("en-US").tag, "en");
        assert_eq!(Messages::for_language("EN").tag, "en");
        assert_eq!(Messages::for_language("fr").tag, "zh-CN");
        assert_eq!(Messages::for_language("").tag, "zh-CN");
    }

    #[test]
    fn every_catalogue_has_a_non_empty_text_for_every_key() {
        // The struct makes a missing key a compile error; this checks none is left blank.
        for m in Messages::all() {
            for s in TicketStatus::ALL {
                assert!(!(m.progress)(s).is_empty(), "{} {s}", m.tag);
            }
            assert!(!m.bot_closing.is_empty());
            assert!(!m.bot_helpful.is_empty());
            for p in AgentPresence::ALL {
                assert!((m.chat_handed_back_on_presence)("客服", p).contains("客服"));
            }
            assert!((m.chat_handed_back_at_shift_end)("Ann").contains("Ann"));
            assert!((m.chat_handed_back_off_roster)("Ann").contains("Ann"));
            let note = (m.sla_breach_lead_note)("resolution", at(), Priority::Urgent);
            assert!(!note.is_empty());
            assert!(!(m.sla_breach_requeued)("first_response").is_empty());
            assert!(!m.sent_back_reason.is_empty());
            assert!(!m.handoff_not_helpful.is_empty());
            for f in SurveyForm::ALL {
                assert!(!(m.survey_ask)(f).is_empty());
                assert!(!(m.survey_reminder)(f).is_empty());
                assert_ne!((m.survey_ask)(f), (m.survey_reminder)(f));
            }
        }
    }

    #[test]
    fn the_catalogues_differ_where_they_should() {
        let (zh, en) = (
            Messages::for_language("zh-CN"),
            Messages::for_language("en"),
        );
        for s in TicketStatus::ALL {
            assert_ne!((zh.progress)(s), (en.progress)(s), "{s}");
        }
        assert_ne!(zh.bot_closing, en.bot_closing);
        for f in SurveyForm::ALL {
            assert_ne!((zh.survey_ask)(f), (en.survey_ask)(f));
        }
    }

    #[test]
    fn breach_note_names_the_target_and_priority_in_the_staff_language() {
        let zh = (Messages::for_language("zh-CN").sla_breach_lead_note)(
            "first_response",
            at(),
            Priority::High,
        );
        assert!(zh.contains("首次响应") && zh.contains("高"), "{zh}");
        let en = (Messages::for_language("en").sla_breach_lead_note)(
            "first_response",
            at(),
            Priority::High,
        );
        assert!(en.contains("first response") && en.contains("high"), "{en}");
    }
}
