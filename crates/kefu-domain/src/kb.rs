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

impl ArticleContent {
    /// Trims every field and checks lengths; duplicate phrasings are dropped.
    pub fn normalized(self) -> Result<Self, ArticleError> {
        if !chars_in(&self.question, QUESTION_MAX) {
            return Err(ArticleError::Question);
        }
        if !chars_in(&self.answer, ANSWER_MAX) {
            return Err(ArticleError::Answer);
        }
        if self.similar.len() > SIMILAR_MAX
            || !self.similar.iter().all(|s| chars_in(s, QUESTION_MAX))
        {
            return Err(ArticleError::Similar);
        }
        if self.keywords.len() > 20 || !self.keywords.iter().all(|k| chars_in(k, 40)) {
            return Err(ArticleError::Keywords);
        }
        let mut similar: Vec<String> = Vec::with_capacity(self.similar.len());
        for s in self.similar.iter().map(|s| s.trim().to_owned()) {
            if !similar.contains(&s) {
                similar.push(s);
            }
        }
        Ok(Self {
            question: self.question.trim().to_owned(),
            answer: self.answer.trim().to_owned(),
            similar,
            keywords: self.keywords.iter().map(|k| k.trim().to_owned()).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(q: &str, a: &str) -> ArticleContent {
        ArticleContent {
            question: q.into(),
            answer: a.into(),
            similar: vec![" 怎么登录 ".into(), "怎么登录".into()],
            keywords: vec![],
        }
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
