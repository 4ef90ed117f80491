//! Traditional → simplified Chinese, character by character, from OpenCC's maintained table
//! (`data/opencc/TSCharacters.txt`, Apache-2.0, copied unchanged; see the README there).
//!
//! A character table is enough for matching: the knowledge base and the index are simplified,
//! and OpenCC's phrase tables only choose between simplified spellings that both index the
//! same way. Where a line offers several simplified candidates the first (OpenCC's default)
//! is taken.
//!
//! One supplement: OpenCC leaves 著 alone because it is also a simplified character (著作,
//! 显著), but in traditional text it is mostly the aspect particle 着 (帶著, 等著, 著急).
//! [`simplify_zhe`] turns it into 着 except in the compounds where 著 is the simplified
//! spelling too.

use std::sync::OnceLock;

/// OpenCC's table: `traditional<TAB>simplified[ more candidates]` per line, `#` comments.
const TS_CHARACTERS: &str = include_str!("../data/opencc/TSCharacters.txt");

/// Compounds in which 著 is standard simplified Chinese and stays.
const ZHU_COMPOUNDS: &[&str] = &[
    "著作", "著名", "著称", "著述", "著录", "著者", "显著", "名著", "原著", "专著", "巨著", "土著",
    "卓著", "编著", "论著", "遗著", "昭著", "译著", "新著", "拙著",
];

/// The table as `(traditional, simplified)` pairs sorted by the traditional character.
fn table() -> &'static [(char, char)] {
    static TABLE: OnceLock<Vec<(char, char)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut pairs: Vec<(char, char)> = TS_CHARACTERS
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| {
                let (key, values) = line.split_once('\t')?;
                let mut key = key.chars();
                let from = key.next()?;
                let to = values.split(' ').next()?.chars().next()?;
                key.next().is_none().then_some((from, to))
            })
            .collect();
        pairs.sort_unstable();
        pairs.dedup_by_key(|p| p.0);
        pairs
    })
}

/// Loads the table now rather than on the first query.
pub fn warm_up() {
    let _ = table();
}

/// The simplified form of one character (itself when it is not traditional).
pub fn simplify(c: char) -> char {
    // Every traditional character is a CJK ideograph (U+3400 and above).
    if u32::from(c) < 0x3400 {
        return c;
    }
    let table = table();
    table
        .binary_search_by_key(&c, |p| p.0)
        .map_or(c, |at| table[at].1)
}

/// Turns the traditional aspect particle 著 into 着 in an otherwise simplified text, except
/// inside the compounds where 著 is the simplified spelling too (see the module header).
pub fn simplify_zhe(text: &str) -> String {
    if !text.contains('著') {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if c != '著' {
            out.push(c);
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p));
        let next = chars.get(i + 1);
        let in_compound = ZHU_COMPOUNDS.iter().any(|w| {
            let mut w = w.chars();
            let (a, b) = (w.next(), w.next());
            (a == Some('著') && b.as_ref() == next) || (b == Some('著') && a.as_ref() == prev)
        });
        out.push(if in_compound { '著' } else { '着' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(text: &str) -> String {
        simplify_zhe(&text.chars().map(simplify).collect::<String>())
    }

    #[test]
    fn the_opencc_table_parses_into_thousands_of_characters() {
        assert!(table().len() > 4000, "{}", table().len());
        assert!(table().windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn the_domain_words_become_simplified() {
        assert_eq!(convert("內容審核"), "内容审核");
        assert_eq!(convert("創作者激勵"), "创作者激励");
        assert_eq!(convert("舉報投訴"), "举报投诉");
        assert_eq!(convert("直播帶貨"), "直播带货");
        assert_eq!(convert("儲值"), "储值");
    }

    #[test]
    fn zhe_is_the_particle_except_in_its_simplified_compounds() {
        assert_eq!(convert("帶著手機等著"), "带着手机等着");
        assert_eq!(convert("著急"), "着急");
        assert_eq!(convert("著名作者的原著很顯著"), "著名作者的原著很显著");
    }

    #[test]
    fn simplified_and_latin_text_is_unchanged() {
        assert_eq!(convert("忘记密码 level2"), "忘记密码 level2");
    }
}
