//! Handoff triggers: when the bot must pass the conversation to a person — the customer asks
//! for one, is upset or reports an emergency, the request is of a kind that always needs a
//! person, or the bot failed to understand twice in a row.

use serde::{Deserialize, Serialize};

/// Requests that always need a person, whatever the bot knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HumanIntent {
    /// Appeal against an account ban (封号申诉, 解封).
    BanAppeal,
    /// A stolen or hijacked account (被盗).
    AccountTheft,
    /// Appeal against a content-review decision (申诉).
    ContentAppeal,
}

/// Why the bot handed the conversation over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HandoffReason {
    /// The customer asked for a person.
    CustomerAsked,
    /// The customer is upset or reports something urgent; `cue` is the word that showed it.
    NegativeEmotion {
        /// The word that triggered the handoff.
        cue: String,
    },
    /// The request is of a kind that always needs a person.
    NeedsPerson {
        /// Which kind.
        intent: HumanIntent,
    },
    /// The bot was unsure on this turn and the previous one.
    LowConfidenceTwice,
    /// Nothing in the knowledge base matches.
    NoMatch,
}

impl HandoffReason {
    /// A short label for agents and summaries in a language.
    pub fn label_in(&self, lang: crate::messages::Lang) -> String {
        if lang == crate::messages::Lang::Zh {
            return self.label();
        }
        match self {
            HandoffReason::CustomerAsked => "The customer asked for an agent".to_owned(),
            HandoffReason::NegativeEmotion { cue } => {
                format!("The customer is upset or it is urgent (\"{cue}\")")
            }
            HandoffReason::NeedsPerson { intent } => match intent {
                HumanIntent::BanAppeal => "A ban appeal needs an agent".to_owned(),
                HumanIntent::AccountTheft => "A stolen account needs an agent".to_owned(),
                HumanIntent::ContentAppeal => "A content-review appeal needs an agent".to_owned(),
            },
            HandoffReason::LowConfidenceTwice => "The bot was unsure twice in a row".to_owned(),
            HandoffReason::NoMatch => "Nothing in the knowledge base matches".to_owned(),
        }
    }

    /// A short Chinese label for agents and summaries.
    pub fn label(&self) -> String {
        match self {
            HandoffReason::CustomerAsked => "客户要求转人工".to_owned(),
            HandoffReason::NegativeEmotion { cue } => format!("客户情绪激动或情况紧急（“{cue}”）"),
            HandoffReason::NeedsPerson { intent } => match intent {
                HumanIntent::BanAppeal => "封号申诉/解封需人工处理".to_owned(),
                HumanIntent::AccountTheft => "账号被盗需人工处理".to_owned(),
                HumanIntent::ContentAppeal => "内容审核申诉需人工处理".to_owned(),
            },
            HandoffReason::LowConfidenceTwice => "机器人连续两次无法确定答案".to_owned(),
            HandoffReason::NoMatch => "知识库中没有匹配的问题".to_owned(),
        }
    }
}

/// Phrases that ask for a person anywhere in a message.
const ASK_FOR_PERSON: &[&str] = &[
    "转人工",
    "转接人工",
    "人工服务",
    "找人工",
    "要人工",
    "接人工",
    "人工坐席",
    "真人",
    "活人",
    "找客服",
    "我要客服",
    "转客服",
    "不要机器人",
    "跟人说",
    "和人说",
];
/// English words that ask for a person.
const ASK_FOR_PERSON_EN: &[&str] = &[
    "human",
    "agent",
    "operator",
    "person",
    "representative",
    "rep",
];
/// Words that, before 机器人 in a message, refuse the bot (不想跟机器人聊, 别让机器人回复).
const REFUSALS: &[&str] = &["不要", "不想", "不用", "别", "不跟", "不和"];
/// Messages that, on their own, ask for a person.
const BARE_REQUESTS: &[&str] = &["人工", "人工客服", "客服", "我要人工客服", "找人工客服"];
/// Words that turn "人工客服" into a question about the service rather than a request.
const ABOUT_THE_SERVICE: &[&str] = &[
    "时间",
    "几点",
    "电话",
    "号码",
    "上班",
    "在线",
    "多久",
    "怎么联系",
];

/// Words of anger, distress or urgency.
const NEGATIVE_CUES: &[&str] = &[
    "投诉你们",
    "投诉",
    "骗子",
    "骗钱",
    "被骗",
    "诈骗",
    "被盗",
    "报警",
    "垃圾",
    "气死",
    "太差",
    "坑人",
    "无语",
    "曝光",
    "律师",
    "起诉",
    "消协",
    "12315",
    "急急",
    "紧急",
];
/// Common compounds in which a negative word is neutral.
const NEUTRAL_COMPOUNDS: &[&str] = &[
    "垃圾短信",
    "垃圾邮件",
    "垃圾信息",
    "垃圾清理",
    "投诉电话",
    "投诉渠道",
    "紧急联系人",
];
/// English words of anger or fraud.
const NEGATIVE_CUES_EN: &[&str] = &["scam", "fraud", "police", "lawyer", "terrible", "useless"];

const BAN_APPEAL: &[&str] = &["封号申诉", "解封", "被封", "封号", "封禁", "解除封禁"];
const THEFT: &[&str] = &["被盗", "盗号", "被人盗", "被黑", "被别人登录"];
const CONTENT_APPEAL: &[&str] = &["申诉"];

fn english_words(surface: &str) -> impl Iterator<Item = &str> {
    surface
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
}

/// True when the customer asks for a person. Takes the surface-normalized message.
pub fn asks_for_person(surface: &str) -> bool {
    if ASK_FOR_PERSON.iter().any(|p| surface.contains(p)) {
        return true;
    }
    if english_words(surface).any(|w| ASK_FOR_PERSON_EN.contains(&w)) {
        return true;
    }
    if let Some(at) = surface.find("机器人")
        && REFUSALS.iter().any(|r| surface[..at].contains(r))
    {
        return true;
    }
    let bare = crate::normalize::normalize(surface).replace(' ', "");
    let bare = bare.trim_start_matches(['我', '要', '找', '转', '接', '请']);
    if BARE_REQUESTS.contains(&bare) {
        return true;
    }
    surface.contains("人工客服") && !ABOUT_THE_SERVICE.iter().any(|w| surface.contains(w))
}

/// The message without its requests for a person (转人工, 人工客服, …), for judging what
/// else it says. Takes the surface-normalized message.
pub fn without_requests(surface: &str) -> String {
    let mut text = surface.to_owned();
    for phrase in ASK_FOR_PERSON.iter().chain(BARE_REQUESTS.iter().rev()) {
        text = text.replace(phrase, " ");
    }
    text
}

/// The cue of anger or urgency in a surface-normalized message, if any.
pub fn negative_emotion(surface: &str) -> Option<String> {
    negative_cues(surface).into_iter().next()
}

/// Every cue of anger or urgency in a surface-normalized message, Chinese ones first in the
/// order of [`NEGATIVE_CUES`].
pub fn negative_cues(surface: &str) -> Vec<String> {
    let mut text = surface.to_owned();
    for neutral in NEUTRAL_COMPOUNDS {
        text = text.replace(neutral, " ");
    }
    let chinese = NEGATIVE_CUES.iter().filter(|c| text.contains(*c));
    let english = english_words(&text).filter(|w| NEGATIVE_CUES_EN.contains(w));
    chinese.copied().chain(english).map(str::to_owned).collect()
}

/// The kind of request that always needs a person, from the message or the matched entry's
/// category.
pub fn human_intent(surface: &str, category: Option<&str>) -> Option<HumanIntent> {
    let text = match category {
        Some(c) => format!("{surface} {c}"),
        None => surface.to_owned(),
    };
    if THEFT.iter().any(|w| text.contains(w)) {
        Some(HumanIntent::AccountTheft)
    } else if BAN_APPEAL.iter().any(|w| text.contains(w)) {
        Some(HumanIntent::BanAppeal)
    } else if CONTENT_APPEAL.iter().any(|w| text.contains(w)) {
        Some(HumanIntent::ContentAppeal)
    } else {
        None
    }
}

/// The trigger that fires on this message alone (before looking at the knowledge base).
pub fn message_trigger(surface: &str) -> Option<HandoffReason> {
    let asked = asks_for_person(surface).then_some(HandoffReason::CustomerAsked);
    let intent = human_intent(surface, None).map(|intent| HandoffReason::NeedsPerson { intent });
    let upset = negative_emotion(surface).map(|cue| HandoffReason::NegativeEmotion { cue });
    // "转人工，账号被盗了" is a stolen account first: the most urgent reason wins (the one
    // that lets the bot ask the fewest questions), a request for a person on ties.
    [asked, intent, upset]
        .into_iter()
        .flatten()
        .min_by_key(crate::collect::question_budget)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_surface;

    fn trigger(text: &str) -> Option<HandoffReason> {
        message_trigger(&normalize_surface(text))
    }

    #[test]
    fn asking_for_a_person_hands_over() {
        for text in [
            "转人工",
            "我要找人工客服！",
            "人工",
            "能帮我转人工吗",
            "I want a real person",
            "agent please",
        ] {
            assert_eq!(trigger(text), Some(HandoffReason::CustomerAsked), "{text}");
        }
    }

    #[test]
    fn the_most_urgent_reason_wins_over_a_request_for_a_person() {
        assert_eq!(
            trigger("我要转人工，账号被盗了"),
            Some(HandoffReason::NeedsPerson {
                intent: HumanIntent::AccountTheft
            })
        );
        assert!(matches!(
            trigger("转人工！你们这是诈骗"),
            Some(HandoffReason::NegativeEmotion { .. })
        ));
        // A request that needs a person but is not urgent: the customer's own request decides.
        assert_eq!(
            trigger("转人工，我要申诉封号"),
            Some(HandoffReason::CustomerAsked)
        );
    }

    #[test]
    fn asking_about_the_service_hours_is_not_a_request_for_a_person() {
        assert_eq!(trigger("人工客服工作时间是几点"), None);
    }

    #[test]
    fn anger_and_fraud_hand_over_with_the_cue() {
        assert_eq!(
            trigger("你们就是骗子"),
            Some(HandoffReason::NegativeEmotion {
                cue: "骗子".to_owned()
            })
        );
        assert_eq!(
            trigger("this is a scam"),
            Some(HandoffReason::NegativeEmotion {
                cue: "scam".to_owned()
            })
        );
        assert!(matches!(
            trigger("我要投诉你们"),
            Some(HandoffReason::NegativeEmotion { .. })
        ));
    }

    #[test]
    fn refusing_the_bot_asks_for_a_person() {
        for text in [
            "我不想跟机器人聊",
            "别让机器人回复我",
            "connect me to a rep",
        ] {
            assert_eq!(trigger(text), Some(HandoffReason::CustomerAsked), "{text}");
        }
        assert_eq!(trigger("机器人答非所问怎么办"), None);
    }

    #[test]
    fn every_cue_of_a_message_is_listed() {
        assert_eq!(
            negative_cues(&normalize_surface("客服态度太差了我要投诉")),
            ["投诉", "太差"]
        );
        assert!(negative_cues("怎么开通直播").is_empty());
    }

    #[test]
    fn neutral_compounds_do_not_count_as_anger() {
        assert_eq!(trigger("怎么拦截垃圾短信"), None);
    }

    #[test]
    fn appeals_and_theft_always_need_a_person() {
        let needs = |intent| Some(HandoffReason::NeedsPerson { intent });
        assert_eq!(
            trigger("我的号被封了怎么解封"),
            needs(HumanIntent::BanAppeal)
        );
        assert_eq!(trigger("账号被盗了"), needs(HumanIntent::AccountTheft));
        assert_eq!(
            trigger("视频被下架了我要申诉"),
            needs(HumanIntent::ContentAppeal)
        );
    }

    #[test]
    fn a_category_can_require_a_person() {
        assert_eq!(
            human_intent("怎么办", Some("封号申诉")),
            Some(HumanIntent::BanAppeal)
        );
    }

    #[test]
    fn ordinary_questions_trigger_nothing() {
        assert_eq!(trigger("怎么开通直播"), None);
    }
}
