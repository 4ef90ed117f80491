//! Small talk: greetings, thanks, goodbyes and "are you a robot?", answered with a canned
//! reply instead of a handoff.

use serde::{Deserialize, Serialize};

use crate::messages::{Lang, Text, text};

/// The kinds of small talk the bot answers itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmallTalk {
    /// 你好, hello.
    Greeting,
    /// 谢谢, thanks.
    Thanks,
    /// 再见, bye.
    Goodbye,
    /// 你是机器人吗, are you a bot.
    AreYouABot,
}

const GREETINGS: &[&str] = &[
    "你好",
    "您好",
    "hello",
    "hi",
    "hey",
    "在吗",
    "在不在",
    "有人吗",
    "早上好",
    "晚上好",
    "下午好",
    "嗨",
    "哈喽",
];
const THANKS: &[&str] = &[
    "谢谢",
    "多谢",
    "感谢",
    "thanks",
    "thank you",
    "thx",
    "好的谢谢",
    "ok谢谢",
];
const GOODBYES: &[&str] = &[
    "再见",
    "拜拜",
    "bye",
    "goodbye",
    "没事了",
    "没有了",
    "好的再见",
];
const BOT_QUESTIONS: &[&str] = &["机器人", "robot", "a bot", "ai吗", "真人吗", "是人吗"];

/// Recognizes small talk in a surface-normalized message. Only short messages count, so that
/// "你好，我的密码忘了" is treated as a question.
pub fn detect(surface: &str) -> Option<SmallTalk> {
    let text = surface.trim();
    if BOT_QUESTIONS.iter().any(|w| text.contains(w)) && text.chars().count() <= 16 {
        return Some(SmallTalk::AreYouABot);
    }
    let bare: String = crate::normalize::normalize(text).replace(' ', "");
    let bare = bare.as_str();
    let short = bare.chars().count() <= 8;
    let is = |list: &[&str]| {
        list.iter()
            .any(|w| bare == *w || (short && bare.starts_with(w) && bare.len() <= w.len() + 6))
    };
    if is(THANKS) {
        Some(SmallTalk::Thanks)
    } else if is(GOODBYES) {
        Some(SmallTalk::Goodbye)
    } else if is(GREETINGS) {
        Some(SmallTalk::Greeting)
    } else {
        None
    }
}

/// The canned Chinese reply for a kind of small talk.
pub fn reply(kind: SmallTalk) -> &'static str {
    reply_in(Lang::Zh, kind)
}

/// The canned reply for a kind of small talk in a language.
pub fn reply_in(lang: Lang, kind: SmallTalk) -> &'static str {
    let key = match kind {
        SmallTalk::Greeting => Text::Greeting,
        SmallTalk::Thanks => Text::Thanks,
        SmallTalk::Goodbye => Text::Goodbye,
        SmallTalk::AreYouABot => Text::AreYouABot,
    };
    text(lang, key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_surface;

    fn kind(text: &str) -> Option<SmallTalk> {
        detect(&normalize_surface(text))
    }

    #[test]
    fn greetings_thanks_and_goodbyes_are_small_talk() {
        assert_eq!(kind("你好！"), Some(SmallTalk::Greeting));
        assert_eq!(kind("Hello"), Some(SmallTalk::Greeting));
        assert_eq!(kind("谢谢啦"), Some(SmallTalk::Thanks));
        assert_eq!(kind("好的，再见"), Some(SmallTalk::Goodbye));
    }

    #[test]
    fn asking_whether_it_is_a_robot_is_small_talk() {
        assert_eq!(kind("你是机器人吗？"), Some(SmallTalk::AreYouABot));
        assert_eq!(kind("are you a bot"), Some(SmallTalk::AreYouABot));
    }

    #[test]
    fn a_greeting_followed_by_a_question_is_not_small_talk() {
        assert_eq!(kind("你好，我的密码忘了怎么找回"), None);
    }

    #[test]
    fn every_kind_has_a_chinese_reply() {
        for k in [
            SmallTalk::Greeting,
            SmallTalk::Thanks,
            SmallTalk::Goodbye,
            SmallTalk::AreYouABot,
        ] {
            assert!(!reply(k).is_empty());
            assert!(reply_in(Lang::En, k).is_ascii());
        }
    }
}
