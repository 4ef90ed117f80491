//! Containment: how much of a set of labelled questions the bot settles on the first turn
//! by itself, and how rightly. Each question goes through [`Bot::respond`] with a fresh
//! conversation — the path a service takes for a customer's first message — and is tallied
//! by what the bot did and whether that was right for the question's kind.
//!
//! The figures ([`Tally`]) are those of issue 9's containment bar: the answer rate of
//! answerable questions (right and wrong), the answer precision over every outright answer,
//! the menu and hand-over rates of answerable questions (a hand-over split by whether the
//! customer asked for a person, the request needs one or the bot was unsure), Recall@1/@3 of
//! the ranking, the out-of-scope questions that got an answer, and the requests for a person
//! that were handed over. The set itself (`data/realistic/`) is read by the callers.

use serde::Deserialize;

use crate::bot::Bot;
use crate::conversation::ConversationState;
use crate::decide::Decision;
use crate::handoff::HandoffReason;

/// What a question is, for scoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// The knowledge base answers it (`gold_id`).
    Answerable,
    /// Nothing in the knowledge base answers it.
    Oos,
    /// The customer asks for a person.
    Person,
}

/// One labelled question.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    /// What the customer writes.
    pub query: String,
    /// The entry that answers it, for an answerable question.
    #[serde(default)]
    pub gold_id: Option<String>,
    /// Its kind.
    pub kind: CaseKind,
    /// How it is written (colloquial, short, typo, english, …), for per-style figures.
    pub style: String,
    /// The half it belongs to (`calibrate` or `holdout`).
    pub split: String,
}

/// Counts over a set of questions; the rates are methods.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Answerable questions.
    pub answerable: usize,
    /// … answered outright with their entry.
    pub right: usize,
    /// … answered outright with another entry.
    pub wrong: usize,
    /// … offered a menu.
    pub menu: usize,
    /// … handed over because the customer asked, the request needs a person, or the
    /// customer is upset.
    pub handoff_needed: usize,
    /// … handed over because the bot was unsure (no match).
    pub handoff_unsure: usize,
    /// … given a small-talk reply.
    pub small_talk: usize,
    /// … whose entry the ranking puts first.
    pub top1: usize,
    /// … within the first three.
    pub top3: usize,
    /// Out-of-scope questions.
    pub oos: usize,
    /// … answered outright with an entry (a false answer).
    pub oos_answered: usize,
    /// Requests for a person.
    pub person: usize,
    /// … handed over (or asked for details before the hand-over).
    pub person_handed: usize,
    /// … answered outright with an entry (a false answer).
    pub person_answered: usize,
}

fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        100.0 * n as f64 / d as f64
    }
}

impl Tally {
    /// Adds what the bot does with one question.
    pub fn add(&mut self, bot: &Bot, case: &Case) {
        let decision = bot
            .respond(&case.query, &ConversationState::default())
            .decision;
        let handoff_reason = match &decision {
            Decision::Handoff { reason } | Decision::Collect { reason, .. } => Some(reason),
            _ => None,
        };
        let answered = match &decision {
            Decision::Answer { id, .. } => Some(id.as_str()),
            _ => None,
        };
        match case.kind {
            CaseKind::Answerable => {
                self.answerable += 1;
                let gold = case.gold_id.as_deref();
                let ranked = bot.rank(&case.query, 3);
                if ranked.first().map(|r| r.id.as_str()) == gold {
                    self.top1 += 1;
                }
                if ranked.iter().any(|r| Some(r.id.as_str()) == gold) {
                    self.top3 += 1;
                }
                match (answered, handoff_reason) {
                    (Some(id), _) if Some(id) == gold => self.right += 1,
                    (Some(_), _) => self.wrong += 1,
                    (None, Some(HandoffReason::NoMatch | HandoffReason::LowConfidenceTwice)) => {
                        self.handoff_unsure += 1;
                    }
                    (None, Some(_)) => self.handoff_needed += 1,
                    (None, None) if matches!(decision, Decision::Suggest { .. }) => {
                        self.menu += 1;
                    }
                    (None, None) => self.small_talk += 1,
                }
            }
            CaseKind::Oos => {
                self.oos += 1;
                if answered.is_some() {
                    self.oos_answered += 1;
                }
            }
            CaseKind::Person => {
                self.person += 1;
                if handoff_reason.is_some() {
                    self.person_handed += 1;
                }
                if answered.is_some() {
                    self.person_answered += 1;
                }
            }
        }
    }

    /// The tally of a set of questions.
    pub fn of<'a>(bot: &Bot, cases: impl IntoIterator<Item = &'a Case>) -> Tally {
        let mut tally = Tally::default();
        for case in cases {
            tally.add(bot, case);
        }
        tally
    }

    /// Outright answers, right or wrong, over every kind of question.
    pub fn answers(&self) -> usize {
        self.right + self.wrong + self.oos_answered + self.person_answered
    }

    /// Percent of answerable questions answered outright with their entry (containment).
    pub fn answer_rate(&self) -> f64 {
        pct(self.right, self.answerable)
    }

    /// Percent of answerable questions answered outright with another entry.
    pub fn wrong_rate(&self) -> f64 {
        pct(self.wrong, self.answerable)
    }

    /// Percent of outright answers that are right.
    pub fn precision(&self) -> f64 {
        pct(self.right, self.answers())
    }

    /// Percent of answerable questions offered a menu.
    pub fn menu_rate(&self) -> f64 {
        pct(self.menu, self.answerable)
    }

    /// Percent of answerable questions handed over because the bot was unsure.
    pub fn unsure_handoff_rate(&self) -> f64 {
        pct(self.handoff_unsure, self.answerable)
    }

    /// Percent of answerable questions handed over because a person is needed or asked for.
    pub fn needed_handoff_rate(&self) -> f64 {
        pct(self.handoff_needed, self.answerable)
    }

    /// Recall@1 of the ranking, percent of answerable questions.
    pub fn recall1(&self) -> f64 {
        pct(self.top1, self.answerable)
    }

    /// Recall@3 of the ranking.
    pub fn recall3(&self) -> f64 {
        pct(self.top3, self.answerable)
    }

    /// Percent of out-of-scope questions answered outright.
    pub fn oos_answer_rate(&self) -> f64 {
        pct(self.oos_answered, self.oos)
    }

    /// Percent of requests for a person that were handed over.
    pub fn person_handoff_rate(&self) -> f64 {
        pct(self.person_handed, self.person)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::tests::fixture;

    fn case(query: &str, gold: Option<&str>, kind: CaseKind) -> Case {
        Case {
            query: query.to_owned(),
            gold_id: gold.map(str::to_owned),
            kind,
            style: "test".to_owned(),
            split: "calibrate".to_owned(),
        }
    }

    #[test]
    fn each_question_is_counted_by_what_the_bot_did() {
        let cases = [
            case("忘记登录密码怎么办", Some("password"), CaseKind::Answerable),
            case("忘记登录密码怎么办", Some("live"), CaseKind::Answerable),
            case("手机号", Some("phone-lost"), CaseKind::Answerable),
            case("转人工", None, CaseKind::Person),
            case("怎么开通直播权限", None, CaseKind::Oos),
            case("今天天气怎么样呀朋友们", None, CaseKind::Oos),
        ];
        let t = Tally::of(&fixture(), &cases);
        assert_eq!(
            (t.answerable, t.right, t.wrong, t.menu),
            (3, 1, 1, 1),
            "{t:?}"
        );
        assert_eq!((t.top1, t.top3), (1, 2), "{t:?}");
        assert_eq!((t.person, t.person_handed, t.person_answered), (1, 1, 0));
        assert_eq!((t.oos, t.oos_answered), (2, 1), "{t:?}");
        assert_eq!(t.answers(), 3);
        assert!((t.precision() - 100.0 / 3.0).abs() < 1e-9);
        assert!((t.answer_rate() - 100.0 / 3.0).abs() < 1e-9);
        assert!((t.menu_rate() - 100.0 / 3.0).abs() < 1e-9);
    }
}
