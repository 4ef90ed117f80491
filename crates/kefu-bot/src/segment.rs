//! Segmentation: jieba words (with the platform's own terms added to the dictionary) and
//! character n-grams, the two token streams the lexical index is built from.

use std::sync::OnceLock;

use jieba_rs::Jieba;

use crate::normalize::is_han;

/// Terms of the platform that the general jieba dictionary splits or does not know.
const PLATFORM_TERMS: &[&str] = &[
    "直播带货",
    "创作者激励",
    "封禁",
    "申诉",
    "解封",
    "转人工",
    "人工客服",
    "账号",
    "实名认证",
    "投流",
    "dou+",
    "橱窗",
    "限流",
    "封号",
    "带货",
    "验证码",
    "手机号",
    "到账",
    "客服",
    "工作时间",
    "打不开",
    "收不到",
    "开直播",
    "粉丝",
    "作品",
    "违规",
    "举报",
    "投诉",
    "广告投放",
    "提现",
];

/// Words too common to carry meaning on their own.
const STOPWORDS: &[&str] = &[
    "的", "了", "吗", "我", "你", "您", "是", "在", "么", "和", "与", "这", "就", "都", "也", "还",
    "要", "想", "给", "把", "被", "让", "个", "一下", "一个", "我的", "他", "她", "它", "们",
    "我们", "你们", "过", "着", "得", "地", "之", "啊", "吧", "呢", "嘛", "有", "没",
];

fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(|| {
        let mut jieba = Jieba::new();
        for term in PLATFORM_TERMS {
            jieba.add_word(term, Some(200_000), None);
        }
        jieba
    })
}

/// Loads the segmentation dictionary (and the traditional → simplified table) now rather than on the first query.
pub fn warm_up() {
    let _ = jieba();
    crate::traditional::warm_up();
}

/// Every jieba token of a text, whitespace and stopwords included, in order (the HMM guesser
/// is off, as in [`words`]).
pub fn cut(text: &str) -> Vec<&str> {
    jieba()
        .cut(text, false)
        .into_iter()
        .map(|token| token.word)
        .collect()
}

/// True for words that carry no meaning on their own.
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.contains(&word)
}

/// Jieba words of a normalized text, without whitespace and stopwords. The HMM guesser of
/// new words is off: on disfluent, typo-laden messages it invents words that match nothing.
pub fn words(text: &str) -> Vec<String> {
    jieba()
        .cut(text, false)
        .into_iter()
        .map(|token| token.word.trim())
        .filter(|word| !word.is_empty() && !is_stopword(word))
        .map(str::to_owned)
        .collect()
}

/// Units for character n-grams: each Chinese character is one unit, each run of latin letters
/// and digits is one unit (`level2`), whitespace separates.
pub fn units(text: &str) -> Vec<String> {
    let mut units = Vec::new();
    let mut latin = String::new();
    for c in text.chars() {
        if is_han(c) {
            if !latin.is_empty() {
                units.push(std::mem::take(&mut latin));
            }
            units.push(c.to_string());
        } else if c.is_whitespace() {
            if !latin.is_empty() {
                units.push(std::mem::take(&mut latin));
            }
        } else {
            latin.push(c);
        }
    }
    if !latin.is_empty() {
        units.push(latin);
    }
    units
}

/// Character unigrams and bigrams of a normalized text (bigrams do not cross whitespace-free
/// boundaries only: the text is already free of punctuation).
pub fn char_ngrams(text: &str) -> Vec<String> {
    let units = units(text);
    let mut grams: Vec<String> = units.iter().filter(|u| !is_stopword(u)).cloned().collect();
    grams.extend(
        units
            .windows(2)
            .map(|pair| format!("{}{}", pair[0], pair[1])),
    );
    grams
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_terms_stay_whole() {
        let words = words("直播带货被限流了怎么申诉");
        assert!(words.contains(&"直播带货".to_owned()), "{words:?}");
        assert!(words.contains(&"限流".to_owned()), "{words:?}");
        assert!(words.contains(&"申诉".to_owned()), "{words:?}");
    }

    #[test]
    fn stopwords_are_dropped_from_words() {
        assert!(!words("我的密码忘了").contains(&"的".to_owned()));
    }

    #[test]
    fn latin_runs_are_single_units() {
        assert_eq!(units("level2怎么买"), vec!["level2", "怎", "么", "买"]);
    }

    #[test]
    fn char_ngrams_hold_unigrams_and_bigrams() {
        let grams = char_ngrams("密码忘");
        assert_eq!(grams, vec!["密", "码", "忘", "密码", "码忘"]);
    }
}
