//! Text normalization: turns what a customer typed or said into the canonical surface form
//! every other module works on (width, case, traditional → simplified, punctuation and emoji,
//! repeated characters and words, spoken fillers, general misspellings, numbers).
//!
//! Every step is linear in the length of the message: normalization runs on every query.

use crate::traditional::{simplify, simplify_zhe};

/// General misspellings and homophone slips of Chinese, mapped to the standard spelling.
/// Only errors that are common in any Chinese text belong here, never product wording.
const VARIANTS: &[(&str, &str)] = &[
    ("登陆", "登录"),
    ("登錄", "登录"),
    ("登入", "登录"),
    ("帐", "账"),
    ("梅有", "没有"),
    ("木有", "没有"),
    ("么有", "没有"),
    ("没得", "没有"),
    ("怎莫", "怎么"),
    ("肿么", "怎么"),
    ("怎摸", "怎么"),
    ("咋个", "怎么"),
    ("咋样", "怎么样"),
    ("咋", "怎么"),
    ("如何", "怎么"),
    ("怎样", "怎么"),
    ("为啥", "为什么"),
    ("为何", "为什么"),
    ("神马", "什么"),
    ("啥", "什么"),
    ("密玛", "密码"),
    ("在那里", "在哪里"),
    ("在那儿", "在哪里"),
    ("在哪儿", "在哪里"),
    ("哪儿", "哪里"),
    ("多钱", "多少钱"),
    ("冲值", "充值"),
    ("帐户", "账户"),
    ("按装", "安装"),
    ("以经", "已经"),
    ("己经", "已经"),
    ("因该", "应该"),
    ("在吗", ""),
];

/// Spoken filler phrases removed wherever they appear: long enough never to be part of
/// another word.
const FILLER_PHRASES: &[&str] = &[
    "我想问一下",
    "我想咨询一下",
    "麻烦问一下",
    "想问一下",
    "我想问问",
    "我问一下",
    "我问问",
    "请问一下",
    "问一下",
    "就是说",
    "怎么说呢",
    "这样子",
];

/// Spoken filler words, removed only where the segmenter sees them as a word of their own:
/// 额 goes in "额，我想问" but stays in 余额, 金额 and 额度; 嘛 stays in 干嘛.
const FILLER_WORDS: &[&str] = &[
    "那个", "就是", "然后", "请问", "的话", "那么", "呃", "嗯", "哦", "噢", "额", "唉", "哎", "诶",
    "欸", "啊", "呀", "嘛", "呢", "吧", "哈", "啦", "哇", "喂",
];

/// Greetings dropped when they open a longer message (a bare greeting is kept for small talk).
const OPENING_GREETINGS: &[&str] = &["你好", "您好", "hello", "hi", "客服", "在不在"];

/// Chinese numerals turned into digits when they stick to a latin word (`lv二` → `lv2`).
const CHINESE_DIGITS: &[(char, char)] = &[
    ('零', '0'),
    ('一', '1'),
    ('二', '2'),
    ('两', '2'),
    ('三', '3'),
    ('四', '4'),
    ('五', '5'),
    ('六', '6'),
    ('七', '7'),
    ('八', '8'),
    ('九', '9'),
];

/// True for the characters of Chinese words (CJK unified ideographs and extension A).
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// Maps one character to its canonical form: half width, lower case, simplified; `None`
/// when it is punctuation, a symbol or an emoji (these become a word break).
fn canonical_char(c: char) -> Option<char> {
    let c = match c {
        '\u{3000}' => ' ',
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(u32::from(c) - 0xfee0).unwrap_or(c),
        _ => c,
    };
    let c = simplify(c);
    if is_han(c) || c.is_ascii_alphanumeric() || c == '+' {
        Some(c.to_ascii_lowercase())
    } else if c.is_alphanumeric() {
        c.to_lowercase().next()
    } else {
        None
    }
}

/// Width, case, script, punctuation and general misspellings, keeping every word the
/// customer said: the form used to detect intents such as greetings or a request for a person.
pub fn normalize_surface(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        match canonical_char(c) {
            Some(c) => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
            }
            None => pending_space = true,
        }
    }
    let mut out = join_latin_numbers(&simplify_zhe(&out));
    for (wrong, right) in VARIANTS {
        if out.contains(wrong) {
            out = out.replace(wrong, right);
        }
    }
    collapse_repeats(&out)
}

/// The full normalization used for matching: [`normalize_surface`] plus removal of spoken
/// fillers and of an opening greeting.
pub fn normalize(text: &str) -> String {
    normalize_from_surface(normalize_surface(text))
}

/// [`normalize`] of a text whose [`normalize_surface`] form is `surface`.
pub(crate) fn normalize_from_surface(surface: String) -> String {
    let mut out = surface.clone();
    for phrase in FILLER_PHRASES {
        if out.contains(phrase) {
            out = out.replace(phrase, " ");
        }
    }
    let mut out = squeeze_spaces(&without_filler_words(&out));
    for greeting in OPENING_GREETINGS {
        if let Some(rest) = out.strip_prefix(greeting)
            && !rest.trim().is_empty()
            && !(greeting.is_ascii() && rest.starts_with(|c: char| c.is_ascii_alphanumeric()))
        {
            out = rest.trim_start().to_owned();
        }
    }
    let out = collapse_repeats(&out);
    if out.is_empty() { surface } else { out }
}

/// The text with every filler word that stands as a word of its own (see [`FILLER_WORDS`])
/// replaced by a space.
fn without_filler_words(text: &str) -> String {
    if !FILLER_WORDS.iter().any(|w| text.contains(w)) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for token in crate::segment::cut(text) {
        if FILLER_WORDS.contains(&token) {
            out.push(' ');
        } else {
            out.push_str(token);
        }
    }
    out
}

fn squeeze_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `level-2` → `level2`, `lv二` → `lv2`, `lv 2` → `lv2`, and the common `lv` abbreviation
/// of "level" before a digit → `level`.
fn join_latin_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        let prev_latin = out.last().is_some_and(char::is_ascii_lowercase);
        let next_digitish = chars
            .get(i + 1)
            .is_some_and(|n| n.is_ascii_digit() || digit_of(*n).is_some());
        if (c == ' ' || c == '-') && prev_latin && next_digitish {
            continue;
        }
        if prev_latin && let Some(d) = digit_of(c) {
            out.push(d);
            continue;
        }
        out.push(c);
    }
    let joined: String = out.into_iter().collect();
    expand_level(&joined)
}

fn digit_of(c: char) -> Option<char> {
    CHINESE_DIGITS
        .iter()
        .find(|(han, _)| *han == c)
        .map(|(_, d)| *d)
}

fn expand_level(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !chars[i - 1].is_ascii_alphabetic();
        if starts_word
            && chars[i] == 'l'
            && chars.get(i + 1) == Some(&'v')
            && chars.get(i + 2).is_some_and(char::is_ascii_digit)
        {
            out.push_str("level");
            i += 2;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Collapses runs of one character repeated three times or more (`嗯嗯嗯`, `！！！` already
/// gone; digits are kept) and immediately repeated words of two to four Chinese characters
/// (`那个那个`). One pass, constant work per character.
fn collapse_repeats(text: &str) -> String {
    let mut out: Vec<char> = Vec::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let mut run = 1_usize;
        while chars.next_if_eq(&c).is_some() {
            run += 1;
        }
        let keep = if run >= 3 && !c.is_ascii_digit() {
            1
        } else {
            run
        };
        for _ in 0..keep {
            out.push(c);
            drop_repeated_word(&mut out);
        }
    }
    out.into_iter().collect()
}

/// Drops the last word of `out` when it repeats the word just before it (2–4 Chinese
/// characters).
fn drop_repeated_word(out: &mut Vec<char>) {
    for len in 2..=4 {
        let n = out.len();
        if n >= 2 * len
            && out[n - len..].iter().all(|ch| is_han(*ch))
            && out[n - 2 * len..n - len] == out[n - len..]
        {
            out.truncate(n - len);
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_case_become_half_width_lower_case() {
        assert_eq!(normalize_surface("ＡＢＣ１２３ Ｌevel"), "abc123 level");
    }

    #[test]
    fn traditional_characters_become_simplified() {
        assert_eq!(normalize_surface("帳號無法登錄"), "账号无法登录");
    }

    #[test]
    fn punctuation_and_emoji_are_stripped() {
        assert_eq!(
            normalize_surface("密码忘了！！😭怎么办？"),
            "密码忘了 怎么办"
        );
    }

    #[test]
    fn general_misspellings_are_corrected() {
        assert_eq!(normalize_surface("登陆不了帐号"), "登录不了账号");
        assert_eq!(normalize_surface("梅有收到"), "没有收到");
    }

    #[test]
    fn repeated_characters_and_words_collapse() {
        assert_eq!(normalize_surface("嗯嗯嗯好的"), "嗯好的");
        assert_eq!(normalize_surface("那个那个密码"), "那个密码");
    }

    #[test]
    fn spoken_fillers_and_opening_greeting_are_removed() {
        assert_eq!(
            normalize("你好，请问那个呃密码忘了怎么办啊"),
            "密码忘了怎么办"
        );
    }

    #[test]
    fn a_bare_greeting_survives_normalization() {
        assert_eq!(normalize("你好"), "你好");
    }

    #[test]
    fn chinese_numerals_attached_to_latin_become_digits() {
        assert_eq!(normalize_surface("lv二"), "level2");
        assert_eq!(normalize_surface("level-2怎么买"), "level2怎么买");
        assert_eq!(normalize_surface("lv2"), "level2");
        assert_eq!(normalize_surface("二维码"), "二维码");
    }

    #[test]
    fn filler_words_go_only_when_they_stand_alone() {
        assert_eq!(normalize("额，我的余额不对"), "我的余额不对");
        assert_eq!(normalize("金额和额度在哪看"), "金额和额度在哪看");
        assert_eq!(normalize("你们这是干嘛"), "你们这是干嘛");
        assert_eq!(normalize("那个那个就是说密码忘了啊"), "密码忘了");
    }

    #[test]
    fn traditional_domain_words_become_simplified() {
        assert_eq!(
            normalize_surface("內容審核、創作者激勵、舉報投訴、帶貨"),
            "内容审核 创作者激励 举报投诉 带货"
        );
        assert_eq!(normalize_surface("等著審核"), "等着审核");
    }

    #[test]
    fn a_latin_greeting_is_not_cut_off_a_longer_word() {
        assert_eq!(normalize("history of my account"), "history of my account");
        assert_eq!(normalize("hi my account"), "my account");
    }

    #[test]
    fn a_very_long_repeated_message_collapses_in_one_pass() {
        let one_char = "啊".repeat(20_000);
        assert_eq!(normalize_surface(&one_char), "啊");
        let word = "密码".repeat(10_000);
        assert_eq!(normalize_surface(&word), "密码");
        let mixed = format!("{}忘了{}", "！".repeat(20_000), "的".repeat(20_000));
        assert_eq!(normalize_surface(&mixed), "忘了的");
    }

    #[test]
    fn digits_are_not_collapsed() {
        assert_eq!(normalize_surface("10000元"), "10000元");
    }
}
