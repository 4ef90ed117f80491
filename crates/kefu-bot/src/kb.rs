//! Knowledge-base entries as the bot receives them (the caller loads and stores them), and
//! their validation.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::error::BotError;
use crate::messages::Lang;

/// One FAQ entry: a standard question, its answer and optional alternative phrasings, in
/// Chinese and optionally in English.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqEntry {
    /// Stable identifier, unique within a knowledge base.
    pub id: String,
    /// The standard question.
    pub question: String,
    /// The standard answer given to the customer.
    pub answer: String,
    /// Domain or category, e.g. `账号` or `直播`.
    #[serde(default)]
    pub category: Option<String>,
    /// Other phrasings of the same question.
    #[serde(default)]
    pub similar: Vec<String>,
    /// Words that, when present in a query, speak for this entry.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The standard question in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question_en: Option<String>,
    /// The answer in English, given to customers who write English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_en: Option<String>,
    /// Other English phrasings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub similar_en: Vec<String>,
}

impl FaqEntry {
    /// The standard question followed by every non-empty similar phrasing, the English ones
    /// after the Chinese: all are indexed together, so a query finds its entry in either.
    pub fn phrasings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.question.as_str())
            .chain(self.similar.iter().map(String::as_str))
            .chain(self.question_en.as_deref())
            .chain(self.similar_en.iter().map(String::as_str))
            .filter(|p| !p.trim().is_empty())
    }

    /// The question to show in a language: the English one when there is one.
    pub fn question_in(&self, lang: Lang) -> &str {
        match (lang, self.question_en.as_deref()) {
            (Lang::En, Some(q)) if !q.trim().is_empty() => q,
            _ => &self.question,
        }
    }

    /// The answer to give in a language: the English one when there is one.
    pub fn answer_in(&self, lang: Lang) -> &str {
        match (lang, self.answer_en.as_deref()) {
            (Lang::En, Some(a)) if !a.trim().is_empty() => a,
            _ => &self.answer,
        }
    }
}

/// Checks that ids are non-empty and unique and that every entry has a question.
pub fn validate(entries: &[FaqEntry]) -> Result<(), BotError> {
    let mut seen = HashSet::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        if entry.id.trim().is_empty() {
            return Err(BotError::EmptyId { index });
        }
        if entry.question.trim().is_empty() {
            return Err(BotError::EmptyQuestion {
                id: entry.id.clone(),
            });
        }
        if !seen.insert(entry.id.as_str()) {
            return Err(BotError::DuplicateId {
                id: entry.id.clone(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, question: &str) -> FaqEntry {
        FaqEntry {
            id: id.to_owned(),
            question: question.to_owned(),
            answer: "答".to_owned(),
            category: None,
            similar: vec!["  ".to_owned(), "别的说法".to_owned()],
            ..FaqEntry::default()
        }
    }

    #[test]
    fn duplicate_ids_are_rejected() {
        let err = validate(&[entry("a", "问"), entry("a", "问")]).unwrap_err();
        assert_eq!(err, BotError::DuplicateId { id: "a".to_owned() });
    }

    #[test]
    fn empty_ids_and_questions_are_rejected() {
        assert_eq!(
            validate(&[entry(" ", "问")]),
            Err(BotError::EmptyId { index: 0 })
        );
        assert_eq!(
            validate(&[entry("a", "")]),
            Err(BotError::EmptyQuestion { id: "a".to_owned() })
        );
    }

    #[test]
    fn blank_similar_phrasings_are_skipped() {
        let e = entry("a", "问");
        assert_eq!(e.phrasings().collect::<Vec<_>>(), vec!["问", "别的说法"]);
    }

    #[test]
    fn english_phrasings_are_indexed_and_shown_to_english_readers() {
        let mut e = entry("a", "怎么修改密码");
        e.question_en = Some("How do I change my password?".to_owned());
        e.answer_en = Some("Go to Settings.".to_owned());
        e.similar_en = vec!["change password".to_owned()];
        assert_eq!(
            e.phrasings().collect::<Vec<_>>(),
            vec![
                "怎么修改密码",
                "别的说法",
                "How do I change my password?",
                "change password"
            ]
        );
        assert_eq!(e.question_in(Lang::En), "How do I change my password?");
        assert_eq!(e.answer_in(Lang::En), "Go to Settings.");
        assert_eq!(e.answer_in(Lang::Zh), "答");
        let chinese_only = entry("b", "问");
        assert_eq!(chinese_only.answer_in(Lang::En), "答");
    }

    #[test]
    fn similar_and_keywords_default_to_empty() {
        let e: FaqEntry =
            serde_json::from_str(r#"{"id":"x","question":"q","answer":"a"}"#).unwrap();
        assert!(e.similar.is_empty() && e.keywords.is_empty() && e.category.is_none());
        assert!(e.question_en.is_none() && e.answer_en.is_none() && e.similar_en.is_empty());
    }
}
