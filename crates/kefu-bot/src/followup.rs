//! Follow-ups: a message that only makes sense after the previous one (那如果忘了旧密码呢,
//! 还有别的办法吗, "and if I lost my phone?", "what about the web version?"). The bot ranks
//! such a message together with the previous question when the message alone does not give
//! a confident answer (see `Bot::respond`).

/// Openings of a Chinese follow-up (那…, 那如果…, 还有…).
const OPENINGS_ZH: &[&str] = &[
    "那如果",
    "那要是",
    "那万一",
    "那假如",
    "那",
    "还有",
    "另外",
    "如果",
    "要是",
    "万一",
    "假如",
    "其他",
    "其它",
    "别的",
];
/// Phrases that ask for more of the same (还有别的办法吗).
const MORE_ZH: &[&str] = &[
    "别的办法",
    "其他办法",
    "其它办法",
    "别的方法",
    "其他方法",
    "其他方式",
    "别的方式",
    "还有别的",
    "还有其他",
    "还能怎么",
    "还可以怎么",
];
/// Openings of an English follow-up.
const OPENINGS_EN: &[&str] = &[
    "and if",
    "and what",
    "what about",
    "what if",
    "how about",
    "and how",
    "and ",
    "also",
    "but if",
    "any other",
    "is there another",
    "is there any other",
];

/// The longest message still read as a follow-up, in characters: a long message carries
/// its own context.
const MAX_CHARS_ZH: usize = 14;
const MAX_WORDS_EN: usize = 10;

/// True when a surface-normalized message reads as a follow-up of the previous turn.
pub fn is_followup(surface: &str) -> bool {
    let text = surface.trim();
    if text.is_empty() {
        return false;
    }
    if text.is_ascii() {
        let words = text.split_whitespace().count();
        return words <= MAX_WORDS_EN
            && (OPENINGS_EN.iter().any(|o| text.starts_with(o))
                || text.contains("another way")
                || text.contains("other way"));
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    // 那个 is a filler, not "then…".
    if compact.chars().count() > MAX_CHARS_ZH || compact.starts_with("那个") {
        return false;
    }
    OPENINGS_ZH.iter().any(|o| compact.starts_with(o))
        || MORE_ZH.iter().any(|m| compact.contains(m))
        || compact.ends_with('呢')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_surface;

    fn followup(text: &str) -> bool {
        is_followup(&normalize_surface(text))
    }

    #[test]
    fn short_messages_that_lean_on_the_previous_turn_are_follow_ups() {
        for text in [
            "那如果忘了旧密码呢",
            "还有别的办法吗？",
            "那电脑上呢",
            "如果没有绑定手机怎么办",
            "其他方法呢",
            "and if I lost my phone?",
            "What about the web version",
            "is there another way",
        ] {
            assert!(followup(text), "{text}");
        }
    }

    #[test]
    fn self_contained_questions_are_not_follow_ups() {
        for text in [
            "怎么修改密码",
            "创作者激励计划怎么加入",
            "那个我想问一下直播带货需要什么条件才能开通呢，我粉丝不够",
            "How do I change my password?",
            "那个密码怎么改",
            "",
        ] {
            assert!(!followup(text), "{text}");
        }
    }
}
