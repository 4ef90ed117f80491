//! Pinyin: the sound of a text as toneless syllables, so that homophone slips (梅有/没有,
//! 登陆/登录) and near-homophones still share features.

use pinyin::ToPinyin;

use crate::segment::units;

/// Toneless pinyin syllables of a normalized text; latin runs are kept as they are.
pub fn syllables(text: &str) -> Vec<String> {
    units(text)
        .into_iter()
        .map(|unit| {
            let mut chars = unit.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => c
                    .to_pinyin()
                    .map_or_else(|| unit.clone(), |p| fold_fuzzy(p.plain())),
                _ => unit,
            }
        })
        .collect()
}

/// Folds the sound pairs that speakers of many dialects merge (zh/z, ch/c, sh/s, ing/in,
/// eng/en, ang/an), so that near-homophones count as the same syllable.
fn fold_fuzzy(syllable: &str) -> String {
    let mut s = syllable.to_owned();
    for (from, to) in [("zh", "z"), ("ch", "c"), ("sh", "s")] {
        if let Some(rest) = s.strip_prefix(from) {
            s = format!("{to}{rest}");
            break;
        }
    }
    for (from, to) in [("ing", "in"), ("eng", "en"), ("ang", "an")] {
        if let Some(stem) = s.strip_suffix(from) {
            s = format!("{stem}{to}");
            break;
        }
    }
    s
}

/// Pinyin bigrams of a text (the syllable-level analogue of character bigrams).
pub fn syllable_bigrams(text: &str) -> Vec<String> {
    let syllables = syllables(text);
    syllables
        .windows(2)
        .map(|pair| format!("{}_{}", pair[0], pair[1]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homophones_share_syllables() {
        assert_eq!(syllables("梅有"), syllables("没有"));
    }

    #[test]
    fn near_homophones_fold_to_one_syllable() {
        assert_eq!(syllables("登录"), syllables("灯路"));
        assert_eq!(syllables("是"), syllables("四"));
    }

    #[test]
    fn latin_runs_stay_as_they_are() {
        assert_eq!(syllables("level2价格"), vec!["level2", "jia", "ge"]);
    }

    #[test]
    fn bigrams_join_neighbouring_syllables() {
        assert_eq!(syllable_bigrams("没有"), vec!["mei_you"]);
    }
}
