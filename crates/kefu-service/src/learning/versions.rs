//! Containment and helpful rate per knowledge-base article version: every bot answer is
//! recorded with the article version published when it was given (`bot_answers`), then
//! marked when the customer says whether it helped and when the bot resolves the
//! conversation (contained). Each version is shown with its author and time (every saved
//! change is a version), so an editor sees whether a change helped.

use crate::caller::Caller;
use crate::core::Core;
use crate::error::ServiceResult;
use jiff::Timestamp;
use kefu_domain::{AgentId, AgentRole};
use std::collections::HashMap;

/// One version of an article and how the bot's answers with it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionOutcome {
    pub version: u32,
    /// The editor who saved it (none for imports and seeds) and when.
    pub author: Option<String>,
    pub created_at: Timestamp,
    /// True for the version published now.
    pub published: bool,
    pub answers: i64,
    pub contained: i64,
    pub helpful_yes: i64,
    pub helpful_no: i64,
}

impl VersionOutcome {
    /// Contained answers over answers, `None` without answers.
    pub fn containment_rate(&self) -> Option<f64> {
        rate(self.contained, self.answers)
    }

    /// "Helpful" over "helpful" and "not helpful", `None` without either.
    pub fn helpful_rate(&self) -> Option<f64> {
        rate(self.helpful_yes, self.helpful_yes + self.helpful_no)
    }
}

#[expect(
    clippy::cast_precision_loss,
    reason = "counts of answers stay far below 2^52"
)]
fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// An article the bot answered with, and its versions (newest first).
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleOutcomes {
    pub slug: String,
    pub question: String,
    pub published_version: Option<u32>,
    pub answers: i64,
    pub versions: Vec<VersionOutcome>,
}

/// Every article the bot answered with, most answers first, with each of its versions
/// (versions without answers too, so a change shows next to the one before). Editors only.
pub async fn list_version_outcomes(
    core: &Core,
    caller: &Caller,
) -> ServiceResult<Vec<ArticleOutcomes>> {
    caller.require(AgentRole::Supervisor)?;
    let mut by_article: HashMap<String, HashMap<u32, kefu_store::VersionAnswers>> = HashMap::new();
    for a in core.store.answers_by_version().await? {
        by_article
            .entry(a.slug.clone())
            .or_default()
            .insert(a.version, a);
    }
    let mut names: HashMap<AgentId, Option<String>> = HashMap::new();
    let mut out = Vec::with_capacity(by_article.len());
    for (slug, counts) in by_article {
        let Some(article) = core.store.article(&slug, true).await? else {
            continue;
        };
        let mut versions = Vec::new();
        for v in core.store.article_versions(&slug).await?.into_iter().rev() {
            let author = match v.author {
                Some(id) => author_name(core, &mut names, id).await,
                None => None,
            };
            let c = counts.get(&v.version);
            versions.push(VersionOutcome {
                version: v.version,
                author,
                created_at: v.created_at,
                published: article.published_version == Some(v.version),
                answers: c.map_or(0, |c| c.answers),
                contained: c.map_or(0, |c| c.contained),
                helpful_yes: c.map_or(0, |c| c.helpful_yes),
                helpful_no: c.map_or(0, |c| c.helpful_no),
            });
        }
        out.push(ArticleOutcomes {
            answers: versions.iter().map(|v| v.answers).sum(),
            slug,
            question: article.content.question,
            published_version: article.published_version,
            versions,
        });
    }
    out.sort_by(|a, b| b.answers.cmp(&a.answers).then(a.slug.cmp(&b.slug)));
    Ok(out)
}

async fn author_name(
    core: &Core,
    names: &mut HashMap<AgentId, Option<String>>,
    id: AgentId,
) -> Option<String> {
    if let Some(n) = names.get(&id) {
        return n.clone();
    }
    let name = core.store.agent(id).await.ok().map(|a| a.display_name);
    names.insert(id, name.clone());
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(answers: i64, contained: i64, yes: i64, no: i64) -> VersionOutcome {
        VersionOutcome {
            version: 1,
            author: None,
            created_at: Timestamp::UNIX_EPOCH,
            published: true,
            answers,
            contained,
            helpful_yes: yes,
            helpful_no: no,
        }
    }

    #[test]
    fn rates_are_shares_and_undefined_without_answers() {
        let o = outcome(4, 3, 1, 3);
        assert_eq!(o.containment_rate(), Some(0.75));
        assert_eq!(o.helpful_rate(), Some(0.25));
        let none = outcome(0, 0, 0, 0);
        assert_eq!(none.containment_rate(), None);
        assert_eq!(none.helpful_rate(), None);
    }
}
