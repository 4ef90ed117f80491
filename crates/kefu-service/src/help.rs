//! The help center's public reads: search the published knowledge base as a customer types,
//! read one published article, the FAQs of each service domain, the popular questions.
//!
//! Everyone may read what is published, so every caller is accepted (the web pages and the
//! anonymous search route pass [`Caller::Anonymous`]); drafts are never shown because all of
//! this reads the bot's index, which holds published versions only (rebuilt at once on this
//! node when a version is published, within seconds on others). Texts come in the reader's
//! language: the English question and answer when the entry has them, else the Chinese.

use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::validate::Checks;
use kefu_bot::{Bot, FaqEntry, Lang};
use std::sync::Arc;

/// Longest search text, in characters (a question, not a document).
pub const SEARCH_MAX_CHARS: usize = 200;
/// Most matches a search returns.
pub const SEARCH_LIMIT: usize = 5;
/// The lowest similarity shown as a match: below it the top entries are noise (a first
/// character typed matches everything a little). Chosen by hand on the default knowledge
/// base; the bot's own answer threshold is much higher, as it answers alone.
pub const MIN_SIMILARITY: f64 = 0.2;

/// The questions the help center shows as popular after those answered lately (all of them
/// on a new database), by knowledge-base id: the requests the default catalogue says are
/// most common. Ids that are not published are skipped.
pub const POPULAR: &[&str] = &[
    "kb-account-002",
    "kb-account-003",
    "kb-general-002",
    "kb-general-004",
    "kb-content_review-003",
    "kb-live_streaming-001",
];

/// A published entry in the reader's language.
#[derive(Debug, Clone, PartialEq)]
pub struct HelpEntry {
    pub id: String,
    /// The category (service domain) code, if the entry has one.
    pub category: Option<String>,
    pub question: String,
    pub answer: String,
}

/// One search result, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct HelpMatch {
    pub entry: HelpEntry,
    /// Similarity in [0, 1].
    pub score: f64,
}

/// A service domain with its published entries.
#[derive(Debug, Clone, PartialEq)]
pub struct HelpDomain {
    pub code: String,
    /// The domain's name in the reader's language.
    pub name: String,
    pub entries: Vec<HelpEntry>,
}

pub(crate) fn entry_in(e: &FaqEntry, lang: Lang) -> HelpEntry {
    let (question, answer) = match lang {
        Lang::En => (
            e.question_en.clone().unwrap_or_else(|| e.question.clone()),
            e.answer_en.clone().unwrap_or_else(|| e.answer.clone()),
        ),
        Lang::Zh => (e.question.clone(), e.answer.clone()),
    };
    HelpEntry {
        id: e.id.clone(),
        category: e.category.clone(),
        question,
        answer,
    }
}

pub(crate) fn bot(core: &Core) -> ServiceResult<Arc<Bot>> {
    crate::bot::current(core)
        .ok_or_else(|| ServiceError::new(ErrorCode::ServiceUnavailable, "The bot is not ready."))
}

/// The published entries most like `query`, best first (at most [`SEARCH_LIMIT`], none
/// below [`MIN_SIMILARITY`]). The query is 1–[`SEARCH_MAX_CHARS`] characters after
/// trimming (field `q`).
pub async fn search(
    core: &Core,
    _caller: &Caller,
    query: &str,
    lang: Lang,
) -> ServiceResult<Vec<HelpMatch>> {
    let mut c = Checks::default();
    let query = c.text("q", query, 1, SEARCH_MAX_CHARS);
    c.finish()?;
    let bot = bot(core)?;
    crate::bot::off_runtime(move || {
        bot.similarities(&query, SEARCH_LIMIT)
            .into_iter()
            .filter(|r| r.score >= MIN_SIMILARITY)
            .filter_map(|r| {
                bot.entry(&r.id).map(|e| HelpMatch {
                    entry: entry_in(e, lang),
                    score: r.score,
                })
            })
            .collect()
    })
    .await
}

/// One published article, or `article_not_found` (drafts and unknown ids alike).
pub fn article(core: &Core, _caller: &Caller, id: &str, lang: Lang) -> ServiceResult<HelpEntry> {
    let bot = bot(core)?;
    bot.entry(id)
        .map(|e| entry_in(e, lang))
        .ok_or_else(|| ServiceError::new(ErrorCode::ArticleNotFound, "No such published article."))
}

/// Every domain of the catalogue that has published entries, in catalogue order, with its
/// entries in id order.
pub fn domains(core: &Core, _caller: &Caller, lang: Lang) -> ServiceResult<Vec<HelpDomain>> {
    let bot = bot(core)?;
    let mut entries: Vec<&FaqEntry> = bot.entries().iter().collect();
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    let domains = core
        .catalogue()
        .categories
        .iter()
        .map(|c| HelpDomain {
            code: c.code.as_str().to_owned(),
            name: crate::core::category_name_in(c, lang).to_owned(),
            entries: entries
                .iter()
                .filter(|e| e.category.as_deref() == Some(c.code.as_str()))
                .map(|e| entry_in(e, lang))
                .collect(),
        })
        .filter(|d| !d.entries.is_empty())
        .collect();
    Ok(domains)
}

/// The popular questions: the entries the bot answered most lately, then the [`POPULAR`]
/// list's ([`crate::popular`]).
pub async fn popular(core: &Core, caller: &Caller, lang: Lang) -> ServiceResult<Vec<HelpEntry>> {
    crate::popular::popular(core, caller, lang).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> FaqEntry {
        FaqEntry {
            id: "kb-1".into(),
            question: "登录不上怎么办？".into(),
            answer: "请重置密码。".into(),
            category: Some("account".into()),
            question_en: Some("I cannot log in".into()),
            answer_en: Some("Reset your password.".into()),
            ..FaqEntry::default()
        }
    }

    #[test]
    fn an_entry_reads_in_the_readers_language_and_falls_back_to_chinese() {
        let e = entry();
        assert_eq!(entry_in(&e, Lang::Zh).question, "登录不上怎么办？");
        assert_eq!(entry_in(&e, Lang::En).answer, "Reset your password.");
        let zh_only = FaqEntry {
            question_en: None,
            answer_en: None,
            ..entry()
        };
        assert_eq!(entry_in(&zh_only, Lang::En).question, "登录不上怎么办？");
    }

    #[test]
    fn the_popular_list_names_entries_of_the_default_knowledge_base() {
        for id in POPULAR {
            assert!(
                crate::kb::DEFAULT_KB.contains(&format!("\"id\": \"{id}\"")),
                "{id} is not in the default knowledge base"
            );
        }
    }
}
