//! Reading the customer's reply to a suggestion menu: a choice by number or ordinal (`1`,
//! `２`, `第二个`, `第2个`, `二`, "the second", "2."), by repeating the words of one offered
//! question, or "none of these". Works on the surface-normalized reply (full width folded,
//! punctuation gone).

use crate::normalize::{is_han, normalize};

/// What a reply to a suggestion menu says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickReply {
    /// The offered entry at this position (0-based).
    Choice(usize),
    /// None of the offered entries is right.
    NoneOfThese,
}

/// Replies that reject every offer.
const NONE_OF_THESE: &[&str] = &[
    "都不是",
    "都不对",
    "都没有",
    "都不符合",
    "都不相关",
    "没有我要的",
    "没有我想要的",
    "不是这些",
    "不是这个",
    "以上都不",
    "none of these",
    "none of them",
    "not these",
    "neither",
    "none",
    "not any of these",
];

/// Words a Chinese choice may be wrapped in (我选第二个吧, 是第2条).
const PREFIXES: &[&str] = &[
    "我选择",
    "我选",
    "选择",
    "我要",
    "选",
    "要",
    "是",
    "就",
    "第",
];
const SUFFIXES: &[&str] = &[
    "个问题",
    "问题",
    "个吧",
    "个",
    "条",
    "项",
    "号",
    "种",
    "吧",
    "的",
    "呢",
    "啊",
];

const ORDINALS_EN: &[(&str, usize)] = &[
    ("first", 1),
    ("1st", 1),
    ("one", 1),
    ("second", 2),
    ("2nd", 2),
    ("two", 2),
    ("third", 3),
    ("3rd", 3),
    ("three", 3),
    ("fourth", 4),
    ("4th", 4),
    ("four", 4),
    ("fifth", 5),
    ("5th", 5),
    ("five", 5),
];
/// English words around a choice ("the second one please", "option 2").
const FILLERS_EN: &[&str] = &[
    "the", "one", "option", "number", "no", "choice", "please", "i", "want", "choose", "pick",
    "is", "it", "its", "s", "question", "answer",
];

/// Reads a reply to a menu of `offered` entries; `None` when it is not a choice (then it is
/// a new message).
pub fn parse(surface: &str, offered: usize) -> Option<PickReply> {
    let text = surface.trim();
    if NONE_OF_THESE.iter().any(|w| {
        if w.is_ascii() {
            text == *w || text.starts_with(&format!("{w} ")) || text.contains(&format!(" {w}"))
        } else {
            text.contains(w)
        }
    }) {
        return Some(PickReply::NoneOfThese);
    }
    let number = chinese_choice(text).or_else(|| english_choice(text))?;
    (1..=offered)
        .contains(&number)
        .then(|| PickReply::Choice(number - 1))
}

fn digit_value(token: &str) -> Option<usize> {
    if let Ok(n) = token.parse::<usize>() {
        return Some(n);
    }
    let mut chars = token.chars();
    let c = chars.next()?;
    if chars.next().is_some() {
        return None;
    }
    "一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .map(|p| p + 1)
        .or((c == '两').then_some(2))
}

fn chinese_choice(text: &str) -> Option<usize> {
    let mut rest: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if rest.chars().count() > 8 {
        return None;
    }
    loop {
        let before = rest.len();
        for p in PREFIXES {
            if let Some(r) = rest.strip_prefix(p) {
                rest = r.to_owned();
            }
        }
        for s in SUFFIXES {
            if let Some(r) = rest.strip_suffix(s) {
                rest = r.to_owned();
            }
        }
        if rest.len() == before {
            break;
        }
    }
    digit_value(&rest)
}

fn english_choice(text: &str) -> Option<usize> {
    if !text.is_ascii() {
        return None;
    }
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || words.len() > 5 {
        return None;
    }
    let mut number = None;
    for w in &words {
        // The surface form joins "option 3" into "option3".
        let prefix = w.trim_end_matches(|c: char| c.is_ascii_digit());
        let w: &str = if prefix.len() < w.len() && FILLERS_EN.contains(&prefix) {
            &w[prefix.len()..]
        } else {
            w
        };
        let value = w
            .parse::<usize>()
            .ok()
            .or_else(|| ORDINALS_EN.iter().find(|(o, _)| *o == w).map(|(_, n)| *n));
        match value {
            // "one" alone is a number; in "the second one" it is a filler.
            Some(n) if number.is_none() || (w == "one" && number.is_some()) => {
                number = number.or(Some(n));
            }
            Some(_) => return None,
            None if FILLERS_EN.contains(&w) => {}
            None => return None,
        }
    }
    number
}

/// Units every question shares (怎么, 什么, how, do…): they tell no offer apart.
const GLUE: &[&str] = &[
    "怎么", "么办", "什么", "为什", "么样", "如何", "可以", "能不", "不能", "请问", "一下", "是不",
    "不是", "了吗", "我的", "怎样", "how", "do", "i", "my", "a", "the", "to", "what", "is", "can",
    "why", "of", "in", "it",
];

/// The units a reply and an offered question are compared on: Chinese character bigrams
/// (and single characters of one-character runs) and latin words, without [`GLUE`].
fn units(text: &str) -> Vec<String> {
    let mut out = raw_units(text);
    out.retain(|u| !GLUE.contains(&u.as_str()));
    out
}

fn raw_units(text: &str) -> Vec<String> {
    let text = normalize(text);
    let mut out = Vec::new();
    for part in text.split(|c: char| !(is_han(c) || c.is_ascii_alphanumeric())) {
        let mut han: Vec<char> = Vec::new();
        let mut latin = String::new();
        let flush_han = |han: &mut Vec<char>, out: &mut Vec<String>| {
            if han.len() == 1 {
                out.push(han[0].to_string());
            }
            out.extend(han.windows(2).map(|w| w.iter().collect::<String>()));
            han.clear();
        };
        for c in part.chars() {
            if is_han(c) {
                if !latin.is_empty() {
                    out.push(std::mem::take(&mut latin));
                }
                han.push(c);
            } else {
                flush_han(&mut han, &mut out);
                latin.push(c);
            }
        }
        flush_han(&mut han, &mut out);
        if !latin.is_empty() {
            out.push(latin);
        }
    }
    out
}

/// The offered question a reply repeats. Only units found in exactly one offer tell offers
/// apart (手机号 in every offer does not); the offer holding most of those is chosen when it
/// holds at least twice as many as any other, and the reply is mostly made of the offers'
/// words (at least half of its units appear in some offer).
pub fn by_words(reply: &str, questions: &[&str]) -> Option<usize> {
    let reply_units = units(reply);
    if reply_units.is_empty() || reply_units.iter().all(|u| u.chars().count() < 2) {
        return None;
    }
    let offers: Vec<Vec<String>> = questions.iter().map(|q| units(q)).collect();
    let holders = |u: &String| offers.iter().filter(|o| o.contains(u)).count();
    let covered = reply_units.iter().filter(|u| holders(u) > 0).count();
    if 2 * covered < reply_units.len() {
        return None;
    }
    let distinct: Vec<usize> = offers
        .iter()
        .map(|o| {
            reply_units
                .iter()
                .filter(|u| o.contains(u) && holders(u) == 1)
                .count()
        })
        .collect();
    let (best, &top) = distinct
        .iter()
        .enumerate()
        .max_by_key(|(i, s)| (**s, usize::MAX - i))?;
    let second = distinct
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != best)
        .map(|(_, s)| *s)
        .max()
        .unwrap_or(0);
    (top > 0 && top >= 2 * second).then_some(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_surface;

    fn pick(text: &str) -> Option<PickReply> {
        parse(&normalize_surface(text), 3)
    }

    #[test]
    fn numbers_in_any_width_or_wrapping_pick_an_offer() {
        for (text, at) in [
            ("1", 0),
            ("２", 1),
            ("2.", 1),
            ("3。", 2),
            ("第二个", 1),
            ("第2个", 1),
            ("二", 1),
            ("我选第三个吧", 2),
            ("选1", 0),
            ("第一条", 0),
        ] {
            assert_eq!(pick(text), Some(PickReply::Choice(at)), "{text}");
        }
    }

    #[test]
    fn english_ordinals_pick_an_offer() {
        for (text, at) in [
            ("the second", 1),
            ("the second one", 1),
            ("First one please", 0),
            ("option 3", 2),
            ("#2", 1),
            ("3rd", 2),
            ("one", 0),
        ] {
            assert_eq!(pick(text), Some(PickReply::Choice(at)), "{text}");
        }
    }

    #[test]
    fn numbers_outside_the_menu_or_inside_sentences_are_not_picks() {
        for text in [
            "4",
            "0",
            "第五个",
            "我充了2次",
            "2024年的账单",
            "one two",
            "the",
        ] {
            assert_eq!(pick(text), None, "{text}");
        }
    }

    #[test]
    fn none_of_these_in_chinese_and_english() {
        for text in [
            "都不是",
            "都不对啊",
            "都不是我要的",
            "none of these",
            "Not these.",
            "none",
        ] {
            assert_eq!(pick(text), Some(PickReply::NoneOfThese), "{text}");
        }
        assert_eq!(pick("nonetheless"), None);
    }

    #[test]
    fn repeating_the_words_of_one_offer_picks_it() {
        let offers = [
            "忘记密码了怎么重置",
            "怎么修改提现绑定的银行卡",
            "作品封面不合规怎么办",
        ];
        assert_eq!(by_words("重置密码", &offers), Some(0));
        assert_eq!(by_words("修改银行卡", &offers), Some(1));
        assert_eq!(by_words("封面", &offers), Some(2));
        assert_eq!(by_words("怎么办", &offers), None);
        assert_eq!(by_words("直播带货规则", &offers), None);
        assert_eq!(by_words("1", &offers), None);
        let alike = ["怎么更换绑定的手机号", "绑定的手机号不用了怎么登录"];
        assert_eq!(by_words("更换手机号", &alike), Some(0));
        assert_eq!(by_words("手机号不用了", &alike), Some(1));
        assert_eq!(by_words("绑定的手机号", &alike), None);
    }

    #[test]
    fn english_words_pick_an_english_offer() {
        let offers = [
            "How do I reset a forgotten password?",
            "How do I change my bank card?",
        ];
        assert_eq!(by_words("reset password", &offers), Some(0));
        assert_eq!(by_words("bank card", &offers), Some(1));
    }
}
