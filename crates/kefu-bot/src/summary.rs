//! The handoff summary an agent reads first: what was asked, what the bot did, why it handed
//! over, and the fields it found or collected (domain, account, short description) — plus
//! which of those are still missing, so the bot can ask for them before handing over
//! (see [`crate::collect`]).

use serde::{Deserialize, Serialize};

use crate::conversation::{ConversationState, Outcome};
use crate::handoff::{HandoffReason, without_requests};
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

/// Service domains and words that point to them (the default catalogue's domains).
const DOMAINS: &[(&str, &[&str])] = &[
    (
        "账号",
        &[
            "账号",
            "登录",
            "密码",
            "注册",
            "封号",
            "解封",
            "被盗",
            "实名",
            "手机号",
            "验证码",
        ],
    ),
    ("直播", &["直播", "带货", "开播", "连麦", "主播"]),
    (
        "内容审核",
        &["审核", "下架", "限流", "违规", "删除作品", "作品", "视频"],
    ),
    (
        "广告投放",
        &["广告", "投流", "dou+", "推广", "计划", "投放"],
    ),
    ("创作者激励", &["激励", "收益", "分成", "创作者", "提现"]),
    ("举报投诉", &["举报", "投诉", "骗子", "诈骗"]),
];

/// Everything an agent gets when the bot hands over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoffSummary {
    /// The customer's messages, oldest first.
    pub asked: Vec<String>,
    /// The entries the bot answered or suggested, oldest first.
    pub bot_answers: Vec<String>,
    /// Why the bot handed over.
    pub reason: HandoffReason,
    /// The service domain, from the matched entries' categories or the words used.
    pub domain: Option<String>,
    /// An account id or phone number found in the messages.
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
    let bot_answers = state
        .turns
        .iter()
        .filter(|t| matches!(t.outcome, Outcome::Answered | Outcome::Suggested))
        .filter_map(|t| t.entry_id.clone())
        .collect();
    let domain = state
        .turns
        .iter()
        .rev()
        .find_map(|t| t.category.clone())
        .or_else(|| {
            asked
                .iter()
                .rev()
                .find_map(|q| domain_of(&without_account(q)))
        });
    let account = asked.iter().find_map(|q| account_in(q));
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
        reason,
        domain,
        account,
        description,
        collected: Vec::new(),
    }
}

/// Characters that only glue a request together (我要…, 帮我…吗).
const GLUE: &str = "我你您要帮能吗请给下可以的了吧呢啊一好";

/// How many meaningful characters a message has once a request for a person, an account
/// number, fillers and glue characters are taken out: "我要转人工" or "13800138000" has
/// none, so it does not describe a problem.
fn substance(message: &str) -> usize {
    let mut text = without_requests(&normalize_surface(message));
    if let Some(account) = account_in(message) {
        text = text.replace(&account, " ");
    }
    normalize(&text)
        .chars()
        .filter(|c| (is_han(*c) && !GLUE.contains(*c)) || c.is_ascii_alphanumeric())
        .count()
}

/// A message without its account number and the word that labels it (账号是…, 手机号…),
/// which say nothing about the domain of the problem.
fn without_account(message: &str) -> String {
    let Some(account) = account_in(message) else {
        return message.to_owned();
    };
    let mut text = normalize_surface(message).replace(&account, " ");
    for label in ["绑定手机号", "手机号", "账号", "id"] {
        text = text.replace(label, " ");
    }
    text
}

/// The domain a message points to: the one whose word appears first.
pub fn domain_of(message: &str) -> Option<String> {
    let text = normalize_surface(message);
    DOMAINS
        .iter()
        .filter_map(|(domain, words)| {
            words
                .iter()
                .filter_map(|w| text.find(w))
                .min()
                .map(|at| (at, *domain))
        })
        .min()
        .map(|(_, domain)| domain.to_owned())
}

/// The first account-like token of a message: a run of at least 6 latin letters and digits
/// with at least 5 digits (an id or a phone number).
pub fn account_in(message: &str) -> Option<String> {
    normalize_surface(message)
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .find(|token| token.len() >= 6 && token.chars().filter(char::is_ascii_digit).count() >= 5)
        .map(str::to_owned)
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
    if fields.is_empty() {
        return None;
    }
    let names: Vec<&str> = fields
        .iter()
        .map(|f| match f {
            Field::Domain => "问题类型（如账号、直播、广告、创作者激励）",
            Field::Account => "您的账号或绑定手机号",
            Field::Description => "问题的简要描述",
        })
        .collect();
    Some(format!(
        "为了让人工客服更快处理，请告诉我：{}。",
        names.join("、")
    ))
}

impl HandoffSummary {
    /// The summary as a short Chinese text for the agent.
    pub fn to_text(&self) -> String {
        let or_unknown = |v: &Option<String>| v.clone().unwrap_or_else(|| "未提供".to_owned());
        let collected: Vec<&str> = self
            .collected
            .iter()
            .map(|f| match f {
                Field::Domain => "问题类型",
                Field::Account => "账号",
                Field::Description => "问题描述",
            })
            .collect();
        let mut text = format!(
            "转人工原因：{}\n问题类型：{}\n账号：{}\n问题描述：{}\n客户消息：{}\n机器人已答：{}",
            self.reason.label(),
            or_unknown(&self.domain),
            or_unknown(&self.account),
            or_unknown(&self.description),
            self.asked.join(" / "),
            if self.bot_answers.is_empty() {
                "无".to_owned()
            } else {
                self.bot_answers.join("、")
            },
        );
        if !collected.is_empty() {
            text.push_str(&format!(
                "\n转人工前已向客户补充询问：{}",
                collected.join("、")
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
                    query: (*q).to_owned(),
                    outcome: *o,
                    entry_id: id.map(str::to_owned),
                    category: None,
                })
                .collect(),
            pending: None,
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
        assert_eq!(summary.domain.as_deref(), Some("直播"));
        assert_eq!(summary.account.as_deref(), Some("13800138000"));
        assert_eq!(
            summary.description.as_deref(),
            Some("直播间被限流了，账号 13800138000")
        );
        assert_eq!(summary.bot_answers, vec!["faq-1"]);
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
        assert_eq!(summary.domain.as_deref(), Some("创作者激励"));
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
}
