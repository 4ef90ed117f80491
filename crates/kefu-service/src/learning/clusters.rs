//! Clusters of the questions the bot could not answer (`no_match`, `low_confidence_twice`)
//! or whose answer was not helpful (`not_helpful`), and the one action that turns a cluster
//! into similar phrasings of an existing entry.

use super::{DismissKind, EXAMPLES, PHRASINGS_MAX, SuggestedEntry, dismissed, key_of, suggested};
use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::kb_articles::{ArticleInput, put_article};
use jiff::Timestamp;
use kefu_domain::{AgentRole, KbArticle};
use std::collections::BTreeMap;

/// One cluster of unanswered questions.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionCluster {
    /// Stable key (the analyzed text of its leader), for dismissing it.
    pub key: String,
    /// How many questions it holds.
    pub volume: usize,
    /// Distinct questions, the most typical first (at most [`EXAMPLES`] shown as examples,
    /// at most [`PHRASINGS_MAX`] kept to add as phrasings).
    pub questions: Vec<String>,
    /// How many questions had each reason (`no_match`, `not_helpful` …), most first.
    pub reasons: Vec<(String, usize)>,
    /// The newest question's time.
    pub last_at: Timestamp,
    /// The entry the bot ranks best for the questions: where to add them.
    pub suggested: Option<SuggestedEntry>,
}

impl QuestionCluster {
    /// The example questions to show.
    pub fn examples(&self) -> &[String] {
        &self.questions[..self.questions.len().min(EXAMPLES)]
    }
}

/// The clusters of the newest `limit` unanswered questions, largest first, without the
/// dismissed ones (editors only).
pub async fn list_clusters(
    core: &Core,
    caller: &Caller,
    limit: Option<u32>,
) -> ServiceResult<Vec<QuestionCluster>> {
    caller.require(AgentRole::Supervisor)?;
    let limit = super::window(limit)?;
    let records = core.store.unanswered(limit).await?;
    let hidden = dismissed(core, DismissKind::Cluster).await?;
    let bot = crate::bot::current(core)
        .ok_or_else(|| ServiceError::new(ErrorCode::ServiceUnavailable, "The bot is not ready."))?;
    crate::bot::off_runtime(move || {
        let texts: Vec<&str> = records.iter().map(|r| r.question.query.as_str()).collect();
        let model = bot.model().cloned();
        kefu_bot::cluster::cluster(&texts, model, kefu_bot::cluster::DEFAULT_THRESHOLD)
            .into_iter()
            .filter_map(|c| {
                let questions: Vec<String> = c
                    .distinct
                    .iter()
                    .take(PHRASINGS_MAX)
                    .map(|i| texts[*i].trim().to_owned())
                    .collect();
                let key = key_of(&questions[0]);
                if key.is_empty() || questions.iter().any(|q| hidden.contains(&key_of(q))) {
                    return None;
                }
                let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
                for m in &c.members {
                    *reasons
                        .entry(records[*m].question.reason.as_str())
                        .or_default() += 1;
                }
                let mut reasons: Vec<(String, usize)> = reasons
                    .into_iter()
                    .map(|(r, n)| (r.to_owned(), n))
                    .collect();
                reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                let last_at = c.members.iter().map(|m| records[*m].at).max()?;
                let refs: Vec<&str> = questions.iter().map(String::as_str).collect();
                Some(QuestionCluster {
                    key,
                    volume: c.volume(),
                    suggested: suggested(&bot, &refs),
                    questions,
                    reasons,
                    last_at,
                })
            })
            .collect()
    })
    .await
}

/// Adds `phrasings` to the article `slug` as similar phrasings: a new version by the
/// caller, published at once when `publish`. With `cluster`, that cluster is dismissed
/// too (its questions are answered from now on). Editors only.
pub async fn add_phrasings(
    core: &Core,
    caller: &Caller,
    slug: &str,
    phrasings: Vec<String>,
    publish: bool,
    cluster: Option<&str>,
) -> ServiceResult<KbArticle> {
    caller.require(AgentRole::Supervisor)?;
    let phrasings: Vec<String> = phrasings
        .into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    if phrasings.is_empty() || phrasings.len() > PHRASINGS_MAX {
        return Err(ServiceError::field(
            "phrasings",
            format!("give 1 to {PHRASINGS_MAX} non-empty phrasings"),
        ));
    }
    let article = core.store.article(slug, true).await?.ok_or_else(|| {
        ServiceError::new(ErrorCode::ArticleNotFound, format!("No article {slug:?}."))
    })?;
    let c = article.content;
    let mut similar = c.similar;
    for p in phrasings {
        if p != c.question && !similar.contains(&p) {
            similar.push(p);
        }
    }
    let saved = put_article(
        core,
        caller,
        slug,
        ArticleInput {
            category: article.category,
            question: c.question,
            answer: c.answer,
            similar,
            keywords: c.keywords,
            question_en: c.question_en,
            answer_en: c.answer_en,
            similar_en: c.similar_en,
            publish,
        },
    )
    .await?;
    if let Some(key) = cluster {
        super::dismiss(core, caller, DismissKind::Cluster, key).await?;
    }
    Ok(saved)
}
