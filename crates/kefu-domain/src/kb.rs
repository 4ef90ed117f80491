//! Knowledge-base articles: versioned FAQ entries shared by agents and the bot.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The content of one version of an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleContent {
    /// The standard question.
    pub question: String,
    pub answer: String,
    /// Other ways customers ask it (相似问法).
    #[serde(default)]
    pub similar: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The standard question in English (English-speaking customers see it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question_en: Option<String>,
    /// The answer in English, given to customers who write English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_en: Option<String>,
    /// Other ways customers ask it in English.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub similar_en: Vec<String>,
}

/// An article with the content of the version that matters for the caller (published, or
/// latest when never published).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbArticle {
    /// Stable id shared with import files (`kb-account-001`).
    pub slug: String,
    pub category: Option<String>,
    /// The version the bot and customers see; `None` while only drafts exist.
    pub published_version: Option<u32>,
    pub latest_version: u32,
    /// The version `content` belongs to.
    pub version: u32,
    pub content: ArticleContent,
    pub updated_at: Timestamp,
}

/// Longest slug, question, answer (in characters) and most similar phrasings.
pub const SLUG_MAX: usize = 80;
pub const QUESTION_MAX: usize = 200;
pub const ANSWER_MAX: usize = 5000;
pub const SIMILAR_MAX: usize = 100;

/// Why article content is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArticleError {
    #[error("id must be 1–80 characters of letters, digits, '-', '_' or '.'")]
    Slug,
    #[error("question must be 1–200 characters")]
    Question,
    #[error("answer must be 1–5000 characters")]
    Answer,
    #[error("similar must hold at most 100 phrasings of 1–200 characters")]
    Similar,
    #[error("keywords must hold at most 20 words of 1–40 characters")]
    Keywords,
    #[error("question_en must be 1–200 characters when present")]
    QuestionEn,
    #[error("answer_en must be 1–5000 characters when present")]
    AnswerEn,
    #[error("similar_en must hold at most 100 phrasings of 1–200 characters")]
    SimilarEn,
}

impl ArticleError {
    /// The field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Slug => "id",
            Self::Question => "question",
            Self::Answer => "answer",
            Self::Similar => "similar",
            Self::Keywords => "keywords",
            Self::QuestionEn => "question_en",
            Self::AnswerEn => "answer_en",
            Self::SimilarEn => "similar_en",
        }
    }
}

fn chars_in(s: &str, max: usize) -> bool {
    let n = s.trim().chars().count();
    n >= 1 && n <= max
}

/// Checks a slug.
pub fn check_slug(slug: &str) -> Result<(), ArticleError> {
    let ok = (1..=SLUG_MAX).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok { Ok(()) } else { Err(ArticleError::Slug) }
}

/// Trimmed phrasings with duplicates dropped, or `None` when there are too many or one is
/// empty or too long.
fn phrasings(list: &[String]) -> Option<Vec<String>> {
    if list.len() > SIMILAR_MAX || !list.iter().all(|s| chars_in(s, QUESTION_MAX)) {
        return None;
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for s in list.iter().map(|s| s.trim().to_owned()) {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Some(out)
}

/// An optional text, trimmed; blank is absent, too long is an error.
fn optional(text: Option<String>, max: usize) -> Result<Option<String>, ()> {
    match text {
        Some(t) if !t.trim().is_empty() => {
            if chars_in(&t, max) {
                Ok(Some(t.trim().to_owned()))
            } else {
                Err(())
            }
        }
        _ => Ok(None),
    }
}

impl ArticleContent {
    /// Content with only the Chinese fields (no English).
    pub fn new(
        question: impl Into<String>,
        answer: impl Into<String>,
        similar: Vec<String>,
        keywords: Vec<String>,
    ) -> Self {
        Self {
            question: question.into(),
            answer: answer.into(),
            similar,
            keywords,
            question_en: None,
            answer_en: None,
            similar_en: Vec::new(),
        }
    }

    /// Trims every field and checks lengths; duplicate phrasings are dropped, and a blank
    /// English question or answer counts as absent.
    pub fn normalized(self) -> Result<Self, ArticleError> {
        if !chars_in(&self.question, QUESTION_MAX) {
            return Err(ArticleError::Question);
        }
        if !chars_in(&self.answer, ANSWER_MAX) {
            return Err(ArticleError::Answer);
        }
        let similar = phrasings(&self.similar).ok_or(ArticleError::Similar)?;
        if self.keywords.len() > 20 || !self.keywords.iter().all(|k| chars_in(k, 40)) {
            return Err(ArticleError::Keywords);
        }
        let question_en =
            optional(self.question_en, QUESTION_MAX).map_err(|()| ArticleError::QuestionEn)?;
        let answer_en =
            optional(self.answer_en, ANSWER_MAX).map_err(|()| ArticleError::AnswerEn)?;
        let similar_en = phrasings(&self.similar_en).ok_or(ArticleError::SimilarEn)?;
        Ok(Self {
            question: self.question.trim().to_owned(),
            answer: self.answer.trim().to_owned(),
            similar,
            keywords: self.keywords.iter().map(|k| k.trim().to_owned()).collect(),
            question_en,
            answer_en,
            similar_en,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(q: &str, a: &str) -> ArticleContent {
        ArticleContent::new(q, a, vec![" 怎么登录 ".into(), "怎么登录".into()], vec![])
    }

    #[test]
    fn english_fields_are_optional_trimmed_and_checked() {
        let mut c = content("登录不了", "请重置密码");
        c.question_en = Some(" Can't log in ".into());
        c.answer_en = Some("   ".into());
        c.similar_en = vec!["cant login".into(), " cant login ".into()];
        let n = c.clone().normalized().unwrap();
        assert_eq!(n.question_en.as_deref(), Some("Can't log in"));
        assert_eq!(n.answer_en, None, "blank is absent");
        assert_eq!(n.similar_en, vec!["cant login".to_owned()]);
        c.question_en = Some("q".repeat(201));
        assert_eq!(c.clone().normalized(), Err(ArticleError::QuestionEn));
        c.question_en = None;
        c.similar_en = vec![String::new()];
        assert_eq!(c.normalized(), Err(ArticleError::SimilarEn));
        assert_eq!(ArticleError::AnswerEn.field(), "answer_en");
    }

    #[test]
    fn content_is_trimmed_and_duplicate_phrasings_dropped() {
        let c = content(" 登录不了 ", "请重置密码").normalized().unwrap();
        assert_eq!(c.question, "登录不了");
        assert_eq!(c.similar, vec!["怎么登录".to_owned()]);
    }

    #[test]
    fn empty_or_oversized_fields_name_themselves() {
        assert_eq!(content("", "a").normalized(), Err(ArticleError::Question));
        assert_eq!(
            content("q", &"长".repeat(5001)).normalized(),
            Err(ArticleError::Answer)
        );
        assert_eq!(ArticleError::Answer.field(), "answer");
        assert!(check_slug("kb-account-001").is_ok());
        assert_eq!(check_slug("有空格 的"), Err(ArticleError::Slug));
    }
}
