//! Text normalization: turns what a customer typed or said into the canonical surface form
//! every other module works on (width, case, traditional → simplified, punctuation and emoji,
//! repeated characters and words, spoken fillers, general misspellings, numbers).

use std::collections::HashMap;
use std::sync::OnceLock;

/// Traditional → simplified pairs for the characters common in customer-service text.
/// Each pair is `traditional simplified`; a compact table instead of a full converter keeps
/// the crate small, and the long tail barely matters for matching.
const TRADITIONAL_PAIRS: &str = "們们個个這这麼么會会說说時时來来對对過过還还沒没當当後后問问題题\
號号碼码賬账帳账戶户錢钱銀银轉转開开關关買买賣卖費费貨货動动為为幣币價价錄录陸陆機机電电話话\
網网線线無无發发現现實实認认證证訊讯應应軟软體体頁页裡里裏里見见請请謝谢讓让進进單单點点擊击\
務务業业員员門门間间處处辦办嗎吗聽听讀读寫写變变樣样產产與与從从參参幫帮長长東东車车馬马語语\
紅红條条總总結结給给經经紀纪約约級级統统績绩續续絡络細细紙纸組组織织終终絕绝編编設设計计訂订\
記记評评詢询試试誤误調调談谈論论識识護护資资財财貼贴賠赔購购貸贷負负頻频顯显額额願愿類类顧顾\
領领項项順顺預预頭头異异盜盗騙骗報报舉举斷断態态權权壓压廣广歡欢濟济滿满測测準准決决況况減减\
凍冻刪删劃划則则剛刚勞劳勢势區区協协卻却雙双敗败數数於于舊旧書书暫暂極极構构標标檢检樂乐歸归\
歷历氣气濾滤爭争狀状獎奖獲获環环畫画療疗盤盘監监確确禮礼種种稱称穩稳積积競竞筆笔節节範范簡简\
簽签納纳純纯絲丝綁绑維维緊紧練练縮缩繫系聯联聲声腦脑臉脸興兴蘋苹藝艺虧亏補补裝装製制複复規规\
視视覽览觀观觸触託托訪访許许詳详誠诚該该課课諮咨證证議议販贩責责貴贵質质賺赚賽赛贈赠贊赞趕赶\
跡迹軍军較较載载輔辅輕轻輸输農农邊边運运達达違违遠远適适遲迟選选遺遗郵邮醫医釋释針针鈔钞銷销\
錯错鍵键鎖锁鐘钟鐵铁閉闭閒闲閱阅闆板隊队陽阳階阶際际隨随險险隱隐難难靜静響响頂顶須须顏颜飯饭\
養养餘余館馆驗验驚惊髮发鬆松鬧闹麗丽黨党齊齐齡龄戲戏鎮镇獨独嚴严啟启屬属層层麼么兒儿實实憑凭\
捨舍據据擇择撥拨擁拥換换損损攝摄註注詐诈騷骚擾扰憂忧慮虑惡恶氣气煩烦";

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

/// Spoken fillers removed anywhere in the text (longest first).
const FILLERS: &[&str] = &[
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
    "那个",
    "就是",
    "然后",
    "请问",
    "的话",
    "那么",
    "这样子",
    "呃",
    "嗯",
    "哦",
    "噢",
    "额",
    "唉",
    "哎",
    "诶",
    "欸",
    "啊",
    "呀",
    "嘛",
    "呢",
    "吧",
    "哈",
    "啦",
    "哇",
    "喂",
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

fn traditional_table() -> &'static HashMap<char, char> {
    static TABLE: OnceLock<HashMap<char, char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let chars: Vec<char> = TRADITIONAL_PAIRS.chars().collect();
        chars
            .chunks_exact(2)
            .map(|pair| (pair[0], pair[1]))
            .collect()
    })
}

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
    let c = traditional_table().get(&c).copied().unwrap_or(c);
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
    let mut out = join_latin_numbers(&out);
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
    let surface = normalize_surface(text);
    let mut out = surface.clone();
    for filler in FILLERS {
        if out.contains(filler) {
            out = out.replace(filler, " ");
        }
    }
    let mut out = squeeze_spaces(&out);
    for greeting in OPENING_GREETINGS {
        if let Some(rest) = out.strip_prefix(greeting)
            && !rest.trim().is_empty()
        {
            out = rest.trim_start().to_owned();
        }
    }
    let out = collapse_repeats(&out);
    if out.is_empty() { surface } else { out }
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
/// gone) and immediately repeated words of two to four characters (`那个那个`).
fn collapse_repeats(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        let run_start = chars[..i].iter().rev().take_while(|p| **p == c).count();
        let run_end = chars[i + 1..].iter().take_while(|n| **n == c).count();
        if run_start + run_end >= 2 && run_start > 0 && !c.is_ascii_digit() {
            continue;
        }
        out.push(c);
        for len in 2..=4 {
            let n = out.len();
            if n >= 2 * len
                && out[n - len..].iter().all(|ch| is_han(*ch))
                && out[n - 2 * len..n - len] == out[n - len..]
            {
                out.truncate(n - len);
                break;
            }
        }
    }
    out.into_iter().collect()
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
    fn digits_are_not_collapsed() {
        assert_eq!(normalize_surface("10000元"), "10000元");
    }
}
