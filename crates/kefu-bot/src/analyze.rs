//! Analysis: one text → the token streams the index matches on (normalized, synonyms made
//! canonical, then jieba words, character 1–2-grams and pinyin 1–2-grams).

use crate::normalize::{normalize_from_surface, normalize_surface};
use crate::phonetic::{syllable_bigrams, syllables};
use crate::segment::{char_ngrams, is_stopword, words};
use crate::synonym::canonicalize;

/// The token streams of one text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analyzed {
    /// The normalized text with synonyms made canonical.
    pub text: String,
    /// Jieba words without stopwords.
    pub words: Vec<String>,
    /// Character unigrams (without stopwords) and bigrams.
    pub chars: Vec<String>,
    /// Pinyin syllables (without those of stopwords) and syllable bigrams.
    pub sounds: Vec<String>,
}

/// Runs the whole analysis chain on a raw text.
pub fn analyze(raw: &str) -> Analyzed {
    analyze_surface(&normalize_surface(raw))
}

/// [`analyze`] of a text whose [`normalize_surface`] form is `surface` (a turn has it
/// already).
pub(crate) fn analyze_surface(surface: &str) -> Analyzed {
    let text = canonicalize(&normalize_from_surface(surface.to_owned()));
    let words = words(&text);
    let chars = char_ngrams(&text);
    let mut sounds: Vec<String> = crate::segment::units(&text)
        .iter()
        .zip(syllables(&text))
        .filter(|(unit, _)| !is_stopword(unit))
        .map(|(_, syllable)| syllable)
        .collect();
    sounds.extend(syllable_bigrams(&text));
    Analyzed {
        text,
        words,
        chars,
        sounds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysis_normalizes_then_canonicalizes_synonyms() {
        let a = analyze("請問，如何修改登陸口令？");
        assert_eq!(a.text, "怎么修改登录密码");
    }

    #[test]
    fn homophone_slips_share_sounds_but_not_characters() {
        let a = analyze("股票梅有到账");
        let b = analyze("股票没有到账");
        assert_eq!(a.sounds, b.sounds);
    }

    #[test]
    fn every_stream_is_filled_for_a_chinese_question() {
        let a = analyze("怎么开通直播带货");
        assert!(!a.words.is_empty() && !a.chars.is_empty() && !a.sounds.is_empty());
    }
}
