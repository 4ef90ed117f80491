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

use crate::handoff::{HandoffReason, HumanIntent, asks_for_person};
use crate::summary::Field;

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

/// The one short question asking for `fields` (none when nothing is asked).
pub fn question_for(fields: &[Field], can_skip: bool) -> Option<String> {
    if fields.is_empty() {
        return None;
    }
    let names: Vec<&str> = fields
        .iter()
        .map(|f| match f {
            Field::Description => "遇到了什么问题（一句话即可）",
            Field::Domain => {
                "问题属于哪一类（账号、直播、内容审核、广告投放、创作者激励、举报投诉或其他）"
            }
            Field::Account => "您的账号或绑定手机号",
        })
        .collect();
    let mut text = format!(
        "为了让人工客服更快帮您处理，请告诉我{}。",
        names.join("，以及")
    );
    if can_skip {
        text.push_str("不方便的话直接回复“转人工”即可。");
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_surface;

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
    }
}
