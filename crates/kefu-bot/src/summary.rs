//! The handoff summary an agent reads first: what was asked, what the bot did, why it handed
//! over, and the fields it found or collected (domain, account, short description) — plus
//! which of those are still missing, so the bot can ask for them before handing over
//! (see [`crate::collect`]).

use serde::{Deserialize, Serialize};

pub use crate::account::account_in;
use crate::account::{accounts_in, bare_handle};
use crate::conversation::{ConversationState, Outcome};
pub use crate::domain::domain_of;
use crate::domain::{domain_code, domain_name};
use crate::handoff::{HandoffReason, without_requests};
use crate::messages::{FieldText, Lang, field_name};
use crate::normalize::{is_han, normalize, normalize_surface};

/// A field an agent needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The service domain (账号, 直播, …).
    Domain,
    /// The customer's account id or phone number.
    Account,
    /// A short description of the problem.
    Description,
}

/// Everything an agent gets when the bot hands over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoffSummary {
    /// The customer's messages, oldest first.
    pub asked: Vec<String>,
    /// The entries the bot answered with, oldest first.
    pub bot_answers: Vec<String>,
    /// The entries the bot only offered as suggestions (not answered), oldest first.
    #[serde(default)]
    pub offered: Vec<String>,
    /// Why the bot handed over.
    pub reason: HandoffReason,
    /// The service domain as a catalogue code (`account`, `live_streaming`, …; see
    /// [`crate::domain`]), from the matched entries' categories or the words used.
    pub domain: Option<String>,
    /// The account ids, handles, phone numbers or e-mail addresses found in the messages
    /// (several joined with " / ").
    pub account: Option<String>,
    /// The longest substantive message, shortened.
    pub description: Option<String>,
    /// The fields the bot asked for before handing over and got.
    #[serde(default)]
    pub collected: Vec<Field>,
}

/// Longest description kept, in characters.
const DESCRIPTION_CHARS: usize = 120;

/// Builds the summary of a conversation (including the current message as its last turn).
pub fn summarize(state: &ConversationState, reason: HandoffReason) -> HandoffSummary {
    let asked: Vec<String> = state.turns.iter().map(|t| t.query.clone()).collect();
    let bot_answers: Vec<String> = state
        .turns
        .iter()
        .filter(|t| t.outcome == Outcome::Answered)
        .filter_map(|t| t.entry_id.clone())
        .collect();
    let mut offered: Vec<String> = Vec::new();
    for t in state
        .turns
        .iter()
        .filter(|t| t.outcome == Outcome::Suggested)
    {
        let ids = if t.offered.is_empty() {
            t.entry_id.iter().cloned().collect()
        } else {
            t.offered.clone()
        };
        for id in ids {
            if !offered.contains(&id) && !bot_answers.contains(&id) {
                offered.push(id);
            }
        }
    }
    let domain = state
        .turns
        .iter()
        .rev()
        .find_map(|t| t.category.as_deref().map(domain_code))
        .or_else(|| {
            asked
                .iter()
                .rev()
                .find_map(|q| domain_of(&without_account(q)))
        });
    let mut accounts: Vec<String> = Vec::new();
    for (i, t) in state.turns.iter().enumerate() {
        let mut found = accounts_in(&t.query);
        // A bare `wang_2024` is a handle only as the answer to the bot's question.
        let answers_question = i > 0 && state.turns[i - 1].outcome == Outcome::Collecting;
        if found.is_empty() && answers_question {
            found.extend(bare_handle(&t.query));
        }
        for a in found {
            if !accounts.contains(&a) {
                accounts.push(a);
            }
        }
    }
    let account = (!accounts.is_empty()).then(|| accounts.join(" / "));
    let description = state
        .turns
        .iter()
        .filter(|t| t.outcome != Outcome::SmallTalk)
        .map(|t| t.query.trim())
        .filter(|q| substance(q) >= 4)
        .max_by_key(|q| substance(q))
        .map(|q| q.chars().take(DESCRIPTION_CHARS).collect());
    HandoffSummary {
        asked,
        bot_answers,
        offered,
        reason,
        domain,
        account,
        description,
        collected: Vec::new(),
    }
}

/// Characters that only glue a request together (我要…, 帮我…吗).
const GLUE: &str = "我你您要帮能吗请给下可以的了吧呢啊一好";

/// How much a message says about a problem once a request for a person, account items,
/// fillers and glue characters are taken out: its meaningful Chinese characters plus two
/// per latin word. "我要转人工", "13800138000" or "wang_2024" say nothing.
pub(crate) fn substance(message: &str) -> usize {
    let mut raw = message.to_owned();
    for item in accounts_in(message).into_iter().chain(bare_handle(message)) {
        raw = raw.replace(&item, " ");
    }
    let text = normalize(&without_requests(&normalize_surface(&raw)));
    let han = text
        .chars()
        .filter(|c| is_han(*c) && !GLUE.contains(*c))
        .count();
    let latin = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()) && w.len() >= 2)
        .count();
    han + 2 * latin
}

/// A message without its account items and the words that label them (账号是…, 手机号…),
/// which say nothing about the domain of the problem.
fn without_account(message: &str) -> String {
    let items = accounts_in(message);
    if items.is_empty() {
        return message.to_owned();
    }
    let mut text = message.to_lowercase();
    for item in items {
        text = text.replace(&item, " ");
    }
    let mut text = normalize_surface(&text);
    for label in [
        "绑定手机号",
        "手机号",
        "抖音号",
        "账号",
        "uid",
        "id",
        "account",
    ] {
        text = text.replace(label, " ");
    }
    text
}

/// The fields still missing from a summary, in the order the bot should ask for them.
pub fn missing_fields(summary: &HandoffSummary) -> Vec<Field> {
    let mut missing = Vec::new();
    if summary.domain.is_none() {
        missing.push(Field::Domain);
    }
    if summary.account.is_none() {
        missing.push(Field::Account);
    }
    if summary.description.is_none() {
        missing.push(Field::Description);
    }
    missing
}

/// A Chinese question asking the customer for the missing fields.
pub fn ask_for(fields: &[Field]) -> Option<String> {
    ask_for_in(Lang::Zh, fields)
}

/// A question asking the customer for the missing fields, in a language.
pub fn ask_for_in(lang: Lang, fields: &[Field]) -> Option<String> {
    use crate::messages::{Text, fill, text};
    if fields.is_empty() {
        return None;
    }
    let names: Vec<&str> = fields
        .iter()
        .map(|f| field_name(lang, *f, FieldText::Short))
        .collect();
    Some(fill(
        lang,
        Text::AskFor,
        &names.join(text(lang, Text::AskForJoin)),
    ))
}

impl HandoffSummary {
    /// The summary as a short Chinese text for the agent.
    pub fn to_text(&self) -> String {
        self.to_text_in(Lang::Zh)
    }

    /// The summary as a short text for an agent who reads `lang`: every label and the domain
    /// in that language (the customer's messages as they wrote them). Says what the bot
    /// really did: which entries it answered with, which it only offered.
    pub fn to_text_in(&self, lang: Lang) -> String {
        self.to_text_titled(lang, |_| None)
    }

    /// [`Self::to_text_in`] with the entries named: `title` gives an entry id's question
    /// (quoted in the text); an id it does not know is written as it is.
    pub fn to_text_titled(&self, lang: Lang, title: impl Fn(&str) -> Option<String>) -> String {
        let zh = lang == Lang::Zh;
        let pick =
            |zh_text: &'static str, en_text: &'static str| if zh { zh_text } else { en_text };
        let unknown = pick("未提供", "not given");
        let or_unknown = |v: &Option<String>| v.clone().unwrap_or_else(|| unknown.to_owned());
        let list = |ids: &[String]| {
            if ids.is_empty() {
                return pick("无", "none").to_owned();
            }
            let named: Vec<String> = ids
                .iter()
                .map(|id| match title(id) {
                    Some(t) if zh => format!("「{t}」"),
                    Some(t) => format!("\"{t}\""),
                    None => id.clone(),
                })
                .collect();
            named.join(pick("、", ", "))
        };
        let label = |f: Field| field_name(lang, f, FieldText::Label);
        let colon = pick("：", ": ");
        let domain = self.domain.as_deref().map(|d| domain_name(d, lang));
        let mut text = format!(
            "{}{colon}{}\n{}{colon}{}\n{}{colon}{}\n{}{colon}{}\n{}{colon}{}\n{}{colon}{}",
            pick("转人工原因", "Handoff reason"),
            self.reason.label_in(lang),
            label(Field::Domain),
            or_unknown(&domain),
            label(Field::Account),
            or_unknown(&self.account),
            label(Field::Description),
            or_unknown(&self.description),
            pick("客户消息", "Customer messages"),
            self.asked.join(" / "),
            pick("机器人已答", "Bot answered"),
            list(&self.bot_answers),
        );
        if !self.offered.is_empty() {
            text.push_str(&format!(
                "\n{}{colon}{}",
                pick("机器人推荐过", "Bot offered"),
                list(&self.offered)
            ));
        }
        if !self.collected.is_empty() {
            let collected: Vec<&str> = self.collected.iter().map(|f| label(*f)).collect();
            text.push_str(&format!(
                "\n{}{colon}{}",
                pick("转人工前已向客户补充询问", "Collected before the handoff"),
                collected.join(pick("、", ", "))
            ));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::Turn;

    fn state(turns: &[(&str, Outcome, Option<&str>)]) -> ConversationState {
        ConversationState {
            turns: turns
                .iter()
                .map(|(q, o, id)| Turn {
                    entry_id: id.map(str::to_owned),
                    ..Turn::new(q, *o)
                })
                .collect(),
            ..ConversationState::default()
        }
    }

    #[test]
    fn the_summary_collects_domain_account_and_description() {
        let s = state(&[
            ("你好", Outcome::SmallTalk, None),
            (
                "直播间被限流了，账号 13800138000",
                Outcome::Suggested,
                Some("faq-1"),
            ),
            ("转人工", Outcome::HandedOff, None),
        ]);
        let summary = summarize(&s, HandoffReason::CustomerAsked);
        assert_eq!(summary.domain.as_deref(), Some("live_streaming"));
        assert_eq!(summary.account.as_deref(), Some("13800138000"));
        assert_eq!(
            summary.description.as_deref(),
            Some("直播间被限流了，账号 13800138000")
        );
        assert!(summary.bot_answers.is_empty());
        assert_eq!(summary.offered, vec!["faq-1"]);
        assert!(missing_fields(&summary).is_empty());
        assert!(summary.to_text().contains("客户要求转人工"));
    }

    #[test]
    fn missing_fields_are_reported_and_asked_for() {
        let summary = summarize(
            &state(&[("转人工", Outcome::HandedOff, None)]),
            HandoffReason::CustomerAsked,
        );
        assert_eq!(
            missing_fields(&summary),
            vec![Field::Domain, Field::Account, Field::Description]
        );
        let question = ask_for(&missing_fields(&summary)).unwrap();
        assert!(question.contains("账号"));
        assert_eq!(ask_for(&[]), None);
    }

    #[test]
    fn a_request_for_a_person_or_a_bare_account_is_no_description() {
        let summary = summarize(
            &state(&[
                ("能帮我转人工吗", Outcome::Collecting, None),
                ("账号 13800138000", Outcome::HandedOff, None),
            ]),
            HandoffReason::CustomerAsked,
        );
        assert_eq!(summary.description, None);
        assert_eq!(summary.account.as_deref(), Some("13800138000"));
        let summary = summarize(
            &state(&[
                ("转人工", Outcome::Collecting, None),
                ("提现一直没到账", Outcome::HandedOff, None),
            ]),
            HandoffReason::CustomerAsked,
        );
        assert_eq!(summary.description.as_deref(), Some("提现一直没到账"));
        assert_eq!(summary.domain.as_deref(), Some("creator_incentives"));
    }

    #[test]
    fn collected_fields_are_named_in_the_text() {
        let mut summary = summarize(
            &state(&[("直播权限申请被拒绝了", Outcome::Collecting, None)]),
            HandoffReason::NoMatch,
        );
        assert!(!summary.to_text().contains("补充询问"));
        summary.collected = vec![Field::Account];
        assert!(
            summary.to_text().contains("补充询问：账号"),
            "{}",
            summary.to_text()
        );
    }

    #[test]
    fn short_numbers_are_not_accounts() {
        assert_eq!(account_in("我充了100元"), None);
        assert_eq!(account_in("我的id是 abc12345"), Some("abc12345".to_owned()));
    }

    #[test]
    fn a_handle_and_a_phone_in_one_reply_fill_the_account_not_the_description() {
        let summary = summarize(
            &state(&[
                ("直播权限申请一直不通过", Outcome::Collecting, None),
                (
                    "抖音号 wang_2024，绑定手机 138****1234",
                    Outcome::HandedOff,
                    None,
                ),
            ]),
            HandoffReason::NoMatch,
        );
        assert_eq!(summary.account.as_deref(), Some("wang_2024 / 138****1234"));
        assert_eq!(
            summary.description.as_deref(),
            Some("直播权限申请一直不通过")
        );
        assert!(
            !summary.to_text().contains("账号：未提供"),
            "{}",
            summary.to_text()
        );
    }

    #[test]
    fn a_bare_handle_answering_the_question_is_the_account() {
        let summary = summarize(
            &state(&[
                ("视频审核不通过", Outcome::Collecting, None),
                ("wang_2024", Outcome::HandedOff, None),
            ]),
            HandoffReason::NoMatch,
        );
        assert_eq!(summary.account.as_deref(), Some("wang_2024"));
        assert_eq!(summary.description.as_deref(), Some("视频审核不通过"));
        let unasked = summarize(
            &state(&[("wang_2024", Outcome::HandedOff, None)]),
            HandoffReason::NoMatch,
        );
        assert_eq!(unasked.account, None);
    }

    #[test]
    fn an_email_from_any_turn_is_the_account() {
        let summary = summarize(
            &state(&[
                ("my email is lucy@example.com", Outcome::Suggested, None),
                ("I cannot log in", Outcome::HandedOff, None),
            ]),
            HandoffReason::CustomerAsked,
        );
        assert_eq!(summary.account.as_deref(), Some("lucy@example.com"));
        assert_eq!(summary.domain.as_deref(), Some("account"));
    }

    #[test]
    fn the_text_says_what_the_bot_answered_and_what_it_only_offered() {
        let mut s = state(&[
            ("怎么修改密码", Outcome::Suggested, Some("kb-1")),
            ("1", Outcome::Answered, Some("kb-1")),
            ("还是不行", Outcome::Suggested, Some("kb-7")),
        ]);
        s.turns[0].offered = vec!["kb-1".into(), "kb-2".into(), "kb-3".into()];
        s.turns[2].offered = vec!["kb-7".into(), "kb-2".into()];
        let summary = summarize(&s, HandoffReason::LowConfidenceTwice);
        assert_eq!(summary.bot_answers, vec!["kb-1"]);
        assert_eq!(summary.offered, vec!["kb-2", "kb-3", "kb-7"]);
        let zh = summary.to_text();
        assert!(zh.contains("机器人已答：kb-1"), "{zh}");
        assert!(zh.contains("机器人推荐过：kb-2、kb-3、kb-7"), "{zh}");
    }

    #[test]
    fn the_text_names_the_entries_by_their_questions_when_it_can() {
        let mut s = state(&[
            ("怎么修改密码", Outcome::Suggested, Some("kb-1")),
            ("1", Outcome::Answered, Some("kb-1")),
        ]);
        s.turns[0].offered = vec!["kb-1".into(), "kb-gone".into()];
        let summary = summarize(&s, HandoffReason::CustomerAsked);
        let title = |id: &str| (id == "kb-1").then(|| "如何修改密码".to_owned());
        let zh = summary.to_text_titled(Lang::Zh, title);
        assert!(zh.contains("机器人已答：「如何修改密码」"), "{zh}");
        assert!(zh.contains("机器人推荐过：kb-gone"), "{zh}");
        let en = summary.to_text_titled(Lang::En, title);
        assert!(en.contains("Bot answered: \"如何修改密码\""), "{en}");
    }

    #[test]
    fn the_domain_is_shown_in_the_reader_language_only() {
        let summary = summarize(
            &state(&[("直播间被限流了", Outcome::HandedOff, None)]),
            HandoffReason::CustomerAsked,
        );
        assert_eq!(summary.domain.as_deref(), Some("live_streaming"));
        let zh = summary.to_text_in(Lang::Zh);
        let en = summary.to_text_in(Lang::En);
        assert!(
            zh.contains("问题类型：直播") && !zh.contains("Live"),
            "{zh}"
        );
        assert!(
            en.contains("Domain: Live streaming") && !en.contains("问题类型"),
            "{en}"
        );
        assert!(!en.contains("客户要求"), "{en}");
    }
}
