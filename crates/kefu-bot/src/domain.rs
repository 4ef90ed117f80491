//! Service domains as the summary carries them: always the catalogue *code* (`account`,
//! `live_streaming`, … of `kefu_domain::category::DEFAULT_CATALOGUE`), whatever the knowledge
//! base's categories or the customer's words were, and a display name in the reader's
//! language only when shown.

use kefu_domain::category::DEFAULT_CATALOGUE;

use crate::messages::Lang;
use crate::normalize::normalize_surface;

/// Words that point to a domain, by domain code (general language of the default catalogue's
/// domains).
const DOMAIN_WORDS: &[(&str, &[&str])] = &[
    (
        "account",
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
            "account",
            "login",
            "log in",
            "password",
            "sign up",
        ],
    ),
    (
        "live_streaming",
        &["直播", "带货", "开播", "连麦", "主播", "live", "stream"],
    ),
    (
        "content_review",
        &[
            "审核",
            "下架",
            "限流",
            "违规",
            "删除作品",
            "作品",
            "视频",
            "review",
            "video",
            "takedown",
            "removed",
        ],
    ),
    (
        "advertising",
        &[
            "广告", "投流", "dou+", "推广", "计划", "投放", "advert", "campaign", " ad ",
        ],
    ),
    (
        "creator_incentives",
        &[
            "激励",
            "收益",
            "分成",
            "创作者",
            "提现",
            "creator",
            "payout",
            "earnings",
            "withdraw",
        ],
    ),
    (
        "reports_complaints",
        &["举报", "投诉", "骗子", "诈骗", "report", "complain", "scam"],
    ),
];

/// The domain a message points to: the one whose word appears first.
pub fn domain_of(message: &str) -> Option<String> {
    let text = format!(" {} ", normalize_surface(message));
    DOMAIN_WORDS
        .iter()
        .filter_map(|(code, words)| {
            words
                .iter()
                .filter_map(|w| text.find(w))
                .min()
                .map(|at| (at, *code))
        })
        .min()
        .map(|(_, code)| code.to_owned())
}

/// The domain code of a knowledge-base category: a catalogue code as it is, a catalogue
/// name (账号, Account) as its code, anything else by its words; an unknown category is kept
/// as it is.
pub fn domain_code(category: &str) -> String {
    let trimmed = category.trim();
    DEFAULT_CATALOGUE
        .iter()
        .find(|(code, zh, en, _)| {
            *code == trimmed || *zh == trimmed || en.eq_ignore_ascii_case(trimmed)
        })
        .map(|(code, ..)| (*code).to_owned())
        .or_else(|| domain_of(trimmed))
        .unwrap_or_else(|| trimmed.to_owned())
}

/// The name of a domain code in a language (the code itself when it is not in the
/// catalogue).
pub fn domain_name(code: &str, lang: Lang) -> String {
    DEFAULT_CATALOGUE
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|(_, zh, en, _)| match lang {
            Lang::Zh => (*zh).to_owned(),
            Lang::En => (*en).to_owned(),
        })
        .unwrap_or_else(|| code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_domain_is_a_catalogue_code() {
        for (code, _) in DOMAIN_WORDS {
            assert!(DEFAULT_CATALOGUE.iter().any(|(c, ..)| c == code), "{code}");
        }
    }

    #[test]
    fn categories_become_codes_whatever_their_language() {
        assert_eq!(domain_code("account"), "account");
        assert_eq!(domain_code("账号"), "account");
        assert_eq!(domain_code("Live streaming"), "live_streaming");
        assert_eq!(domain_code("内容审核申诉"), "content_review");
        assert_eq!(domain_code("股票"), "股票");
    }

    #[test]
    fn messages_point_to_the_domain_named_first() {
        assert_eq!(
            domain_of("直播间被限流了").as_deref(),
            Some("live_streaming")
        );
        assert_eq!(
            domain_of("提现一直没到账").as_deref(),
            Some("creator_incentives")
        );
        assert_eq!(
            domain_of("I forgot my password").as_deref(),
            Some("account")
        );
        assert_eq!(domain_of("你好"), None);
    }

    #[test]
    fn a_code_is_shown_in_one_language() {
        assert_eq!(domain_name("account", Lang::Zh), "账号");
        assert_eq!(domain_name("account", Lang::En), "Account");
        assert_eq!(domain_name("股票", Lang::En), "股票");
    }
}
