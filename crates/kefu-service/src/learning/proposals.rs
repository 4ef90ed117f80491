//! FAQ proposals from tickets people resolved: their first customer messages are clustered
//! with the bot's similarity; inside a cluster the agents' replies are clustered the same
//! way, and when at least [`MIN_TICKETS`] tickets share the largest kind of reply, the
//! cluster is proposed as a new entry — the questions, and the reply most used (the leader
//! of that reply cluster). Questions the bot already answers with confidence (mean
//! confidence of its best entry at or above its answer threshold) are not proposed.

use super::{DismissKind, EXAMPLES, PHRASINGS_MAX, SuggestedEntry, dismissed, key_of, suggested};
use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::kb_articles::{ArticleInput, put_article};
use kefu_domain::{AgentRole, KbArticle, TicketNumber};
use kefu_store::HandledTicket;

/// Tickets that must share a kind of answer for a proposal.
pub const MIN_TICKETS: usize = 2;

/// A proposed FAQ entry.
#[derive(Debug, Clone, PartialEq)]
pub struct FaqProposal {
    /// Stable key (the analyzed text of the leading question), to approve or dismiss it.
    pub key: String,
    /// Tickets whose questions are in the cluster.
    pub tickets: usize,
    /// Distinct questions, the most typical first (at most [`PHRASINGS_MAX`]).
    pub questions: Vec<String>,
    /// Some of the tickets, to read the conversations.
    pub numbers: Vec<TicketNumber>,
    /// The agents' most used reply (the most typical of the largest kind of reply).
    pub answer: String,
    /// Tickets that got that kind of reply.
    pub answer_tickets: usize,
    /// The closest existing entry, if the bot finds one.
    pub closest: Option<SuggestedEntry>,
    /// The article id an approval creates.
    pub slug: String,
}

/// The proposals from the newest `limit` tickets people resolved, most tickets first,
/// without the dismissed (or approved) ones. Editors only.
pub async fn list_proposals(
    core: &Core,
    caller: &Caller,
    limit: Option<u32>,
) -> ServiceResult<Vec<FaqProposal>> {
    caller.require(AgentRole::Supervisor)?;
    let limit = super::window(limit)?;
    let handled = core.store.handled_tickets(limit).await?;
    let hidden = dismissed(core, DismissKind::Proposal).await?;
    let bot = crate::bot::current(core)
        .ok_or_else(|| ServiceError::new(ErrorCode::ServiceUnavailable, "The bot is not ready."))?;
    crate::bot::off_runtime(move || propose(&bot, &handled, &hidden)).await
}

fn propose(
    bot: &kefu_bot::Bot,
    handled: &[HandledTicket],
    hidden: &std::collections::HashSet<String>,
) -> Vec<FaqProposal> {
    use kefu_bot::cluster::{DEFAULT_THRESHOLD, cluster};
    let model = bot.model().cloned();
    let texts: Vec<String> = handled
        .iter()
        .map(|t| crate::bot::bot_input(&t.question))
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let answered = bot.thresholds().answer;
    let mut out = Vec::new();
    for c in cluster(&refs, model.clone(), DEFAULT_THRESHOLD) {
        if c.volume() < MIN_TICKETS {
            continue;
        }
        let questions: Vec<String> = c
            .distinct
            .iter()
            .take(PHRASINGS_MAX)
            .map(|i| refs[*i].trim().to_owned())
            .collect();
        let key = key_of(&questions[0]);
        if key.is_empty() || hidden.contains(&key) {
            continue;
        }
        // Each ticket's replies joined: one answer per ticket.
        let replies: Vec<String> = c
            .members
            .iter()
            .map(|m| crate::bot::bot_input(&handled[*m].replies.join("\n")))
            .collect();
        let reply_refs: Vec<&str> = replies.iter().map(String::as_str).collect();
        let Some(kind) = cluster(&reply_refs, model.clone(), DEFAULT_THRESHOLD)
            .into_iter()
            .next()
            .filter(|k| k.volume() >= MIN_TICKETS)
        else {
            continue;
        };
        let question_refs: Vec<&str> = questions.iter().map(String::as_str).collect();
        let closest = suggested(bot, &question_refs);
        if closest.as_ref().is_some_and(|s| s.score >= answered) {
            continue;
        }
        let leader = &handled[c.leader()];
        out.push(FaqProposal {
            key,
            tickets: c.volume(),
            numbers: c
                .members
                .iter()
                .take(EXAMPLES)
                .map(|m| handled[*m].number)
                .collect(),
            answer: replies[kind.leader()].trim().to_owned(),
            answer_tickets: kind.volume(),
            closest,
            slug: format!("learned-{}", leader.number.as_string().to_lowercase()),
            questions,
        });
    }
    out
}

/// An editor's approval of a proposal, possibly edited.
pub struct Approval {
    pub key: String,
    pub slug: String,
    pub category: Option<String>,
    pub question: String,
    pub answer: String,
    pub similar: Vec<String>,
}

/// Saves an approved proposal as a new, unpublished article (a draft an editor reviews
/// and publishes in the knowledge-base editor) and hides the proposal. Editors only.
pub async fn approve(core: &Core, caller: &Caller, a: Approval) -> ServiceResult<KbArticle> {
    caller.require(AgentRole::Supervisor)?;
    if core.store.article(&a.slug, true).await?.is_some() {
        return Err(ServiceError::field(
            "slug",
            "an article with this id exists already; choose another id",
        ));
    }
    let article = put_article(
        core,
        caller,
        &a.slug,
        ArticleInput {
            category: a.category,
            question: a.question,
            answer: a.answer,
            similar: a.similar,
            keywords: Vec::new(),
            question_en: None,
            answer_en: None,
            similar_en: Vec::new(),
            publish: false,
        },
    )
    .await?;
    super::dismiss(core, caller, DismissKind::Proposal, &a.key).await?;
    Ok(article)
}
