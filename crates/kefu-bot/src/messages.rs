//! Every text the bot shows, in each language it speaks (zh-CN and en), and the language of a
//! message. One table, so that a new language or a rewording is one change in one place.

use serde::{Deserialize, Serialize};

/// A language the bot speaks. Serialized as its BCP 47 tag (`zh-CN`, `en`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    /// Simplified Chinese, the product's first language.
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Reads a language tag as a channel sends it (`zh`, `zh-CN`, `zh-Hans`, `en`, `en-US`,
    /// any case); `None` for a language the bot does not speak.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language a message is written in, when it says: English when it is mostly latin
    /// letters (at least three, and four times as many as Chinese characters), Chinese when
    /// it has Chinese characters; `None` for digits, symbols or a word too short to tell.
    pub fn detect(text: &str) -> Option<Lang> {
        let han = text
            .chars()
            .filter(|c| crate::normalize::is_han(*c))
            .count();
        let latin = text.chars().filter(char::is_ascii_alphabetic).count();
        if latin >= 3 && latin >= 4 * han {
            Some(Lang::En)
        } else if han > 0 {
            Some(Lang::Zh)
        } else {
            None
        }
    }
}

/// A fixed text of the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// Opens the suggestion menu.
    SuggestIntro,
    /// Closes the suggestion menu.
    SuggestOutro,
    /// After "none of these": asks to say it another way.
    Rephrase,
    /// Hands over now: nothing matched.
    HandoffNoMatch,
    /// Hands over now: the customer is upset.
    HandoffUpset,
    /// Hands over now: any other reason.
    HandoffOther,
    /// Before a question: nothing matched.
    OpeningNoMatch,
    /// Before a question: unsure twice.
    OpeningUnsure,
    /// Before a question: the request needs a person.
    OpeningNeedsPerson,
    /// Before a question: any other reason.
    OpeningOther,
    /// Acknowledges a partial answer before asking again.
    Received,
    /// Hands over after collecting nothing.
    HandoffAfterNothing,
    /// Hands over after collecting something.
    HandoffAfterCollected,
    /// The collection question; `{}` is the list of fields.
    CollectQuestion,
    /// How to skip the collection question.
    CollectSkip,
    /// Joins field names in the collection question.
    FieldJoin,
    /// The short question appended to an immediate handoff; `{}` is the list of fields.
    AskFor,
    /// Joins field names in [`Text::AskFor`].
    AskForJoin,
    /// Small talk: greeting.
    Greeting,
    /// Small talk: thanks.
    Thanks,
    /// Small talk: goodbye.
    Goodbye,
    /// Small talk: are you a bot.
    AreYouABot,
    /// The customer said an answer did not help, and the bot was unsure before: a person
    /// takes over.
    NotHelpfulHandoff,
    /// The customer said an answer did not help: asks to rephrase, or to ask for a person.
    NotHelpfulRephrase,
}

/// The text in a language.
pub fn text(lang: Lang, key: Text) -> &'static str {
    let (zh, en) = match key {
        Text::SuggestIntro => ("您是不是想问：", "Did you mean:"),
        Text::SuggestOutro => (
            "请回复序号，或换个说法描述您的问题。",
            "Reply with a number, or describe your question in other words.",
        ),
        Text::Rephrase => (
            "好的。请换个说法描述一下您的问题，我再帮您找找。",
            "All right. Please describe your question in other words and I will look again.",
        ),
        Text::HandoffNoMatch => (
            "抱歉，我暂时没能理解您的问题，正在为您转接人工客服。",
            "Sorry, I could not understand your question. I am passing you to a customer service agent.",
        ),
        Text::HandoffUpset => (
            "非常抱歉给您带来不好的体验，正在为您优先转接人工客服。",
            "We are very sorry for the trouble. I am passing you to an agent with priority.",
        ),
        Text::HandoffOther => (
            "好的，正在为您转接人工客服。",
            "OK, I am passing you to a customer service agent.",
        ),
        Text::OpeningNoMatch => (
            "抱歉，我暂时没能理解您的问题，马上为您转接人工客服。",
            "Sorry, I could not understand your question; an agent will take over shortly.",
        ),
        Text::OpeningUnsure => (
            "抱歉没能找到准确的答案，马上为您转接人工客服。",
            "Sorry, I could not find the right answer; an agent will take over shortly.",
        ),
        Text::OpeningNeedsPerson => (
            "这类问题需要人工客服处理，马上为您转接。",
            "This kind of request needs an agent; I am passing you over.",
        ),
        Text::OpeningOther => (
            "好的，马上为您转接人工客服。",
            "OK, an agent will take over shortly.",
        ),
        Text::Received => ("收到。", "Got it."),
        Text::HandoffAfterNothing => (
            "好的，正在为您转接人工客服，请稍候。",
            "OK, I am passing you to an agent. Please wait a moment.",
        ),
        Text::HandoffAfterCollected => (
            "谢谢，已记录。正在为您转接人工客服，请稍候。",
            "Thank you, noted. I am passing you to an agent. Please wait a moment.",
        ),
        Text::CollectQuestion => (
            "为了让人工客服更快帮您处理，请告诉我{}。",
            " To help the agent solve it faster, please tell me {}.",
        ),
        Text::CollectSkip => (
            "不方便的话直接回复“转人工”即可。",
            " If you would rather not, just reply \"agent\".",
        ),
        Text::FieldJoin => ("，以及", ", and "),
        Text::AskFor => (
            "为了让人工客服更快处理，请告诉我：{}。",
            " To help the agent, please tell me: {}.",
        ),
        Text::AskForJoin => ("、", ", "),
        Text::Greeting => (
            "您好，我是智能客服，请问有什么可以帮您？",
            "Hello, I am the virtual assistant. How can I help you?",
        ),
        Text::Thanks => (
            "不客气，还有其他问题随时问我。",
            "You are welcome. Ask me any time if there is anything else.",
        ),
        Text::Goodbye => (
            "感谢您的咨询，再见！",
            "Thank you for contacting us. Goodbye!",
        ),
        Text::AreYouABot => (
            "我是智能客服机器人，可以回答常见问题；需要人工时请说“转人工”。",
            "I am a virtual assistant for common questions; say \"agent\" to talk to a person.",
        ),
        Text::NotHelpfulHandoff => (
            "抱歉没能帮到您，正在为您转接人工客服。",
            "Sorry I could not help. I am passing you to a customer service agent.",
        ),
        Text::NotHelpfulRephrase => (
            "抱歉没能帮到您。可以换个说法再描述一下问题，或回复“转人工”联系人工客服。",
            "Sorry I could not help. Please describe your question in other words, or reply \"agent\" to talk to a person.",
        ),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// [`text`] with its `{}` replaced by `value`.
pub fn fill(lang: Lang, key: Text, value: &str) -> String {
    text(lang, key).replacen("{}", value, 1)
}

/// Names of the fields an agent needs: in the collection question, in the short question of
/// an immediate handoff, and in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldText {
    /// In the collection question.
    Question,
    /// In the short question of an immediate handoff.
    Short,
    /// In the summary (a label).
    Label,
}

/// The name of a field in a language and a place.
pub fn field_name(lang: Lang, field: crate::summary::Field, place: FieldText) -> &'static str {
    use crate::summary::Field;
    let (zh, en) = match (place, field) {
        (FieldText::Question, Field::Description) => (
            "遇到了什么问题（一句话即可）",
            "what went wrong (one sentence is enough)",
        ),
        (FieldText::Question, Field::Domain) => (
            "问题属于哪一类（账号、直播、内容审核、广告投放、创作者激励、举报投诉或其他）",
            "what it is about (account, live streaming, content review, advertising, creator incentives, reports and complaints, or other)",
        ),
        (FieldText::Question | FieldText::Short, Field::Account) => (
            "您的账号或绑定手机号",
            "your account ID or the phone number linked to it",
        ),
        (FieldText::Short, Field::Domain) => (
            "问题类型（如账号、直播、广告、创作者激励）",
            "the kind of problem (account, live streaming, ads, creator incentives…)",
        ),
        (FieldText::Short, Field::Description) => ("问题的简要描述", "a short description"),
        (FieldText::Label, Field::Domain) => ("问题类型", "Domain"),
        (FieldText::Label, Field::Account) => ("账号", "Account"),
        (FieldText::Label, Field::Description) => ("问题描述", "Description"),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_detected_from_mostly_latin_letters() {
        assert_eq!(Lang::detect("How do I change my password?"), Some(Lang::En));
        assert_eq!(Lang::detect("怎么修改密码"), Some(Lang::Zh));
        assert_eq!(Lang::detect("dou+怎么投放"), Some(Lang::Zh));
        assert_eq!(Lang::detect("level2 怎么买"), Some(Lang::Zh));
        assert_eq!(Lang::detect("2"), None);
        assert_eq!(Lang::detect("ok"), None);
    }

    #[test]
    fn channel_tags_are_read_loosely() {
        assert_eq!(Lang::parse("zh-Hans"), Some(Lang::Zh));
        assert_eq!(Lang::parse("EN_us"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(serde_json::to_string(&Lang::Zh).unwrap(), "\"zh-CN\"");
        assert_eq!(Lang::En.tag(), "en");
    }

    #[test]
    fn every_text_exists_in_both_languages() {
        use Text::*;
        for key in [
            SuggestIntro,
            SuggestOutro,
            Rephrase,
            HandoffNoMatch,
            HandoffUpset,
            HandoffOther,
            OpeningNoMatch,
            OpeningUnsure,
            OpeningNeedsPerson,
            OpeningOther,
            Received,
            HandoffAfterNothing,
            HandoffAfterCollected,
            CollectQuestion,
            CollectSkip,
            FieldJoin,
            AskFor,
            AskForJoin,
            Greeting,
            Thanks,
            Goodbye,
            AreYouABot,
            NotHelpfulHandoff,
            NotHelpfulRephrase,
        ] {
            let (zh, en) = (text(Lang::Zh, key), text(Lang::En, key));
            assert!(!zh.is_empty() && !en.is_empty(), "{key:?}");
            assert!(!en.chars().any(crate::normalize::is_han), "{key:?}: {en}");
            assert_eq!(zh.contains("{}"), en.contains("{}"), "{key:?}");
        }
    }
}
