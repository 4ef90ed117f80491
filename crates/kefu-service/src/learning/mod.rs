//! The learning loop, for knowledge-base editors (supervisors and admins):
//!
//! - [`clusters`]: the questions the bot could not answer, or whose answer the customer
//!   found not helpful, grouped with the bot engine's own similarity
//!   ([`kefu_bot::cluster`]) and ranked by volume, each with example questions and the
//!   entry the bot ranks best for them — one action adds them to that entry as similar
//!   phrasings (a new article version), another hides the cluster;
//! - [`proposals`]: tickets people resolved whose questions cluster together and whose
//!   agents gave the same kind of answer, proposed as new FAQ entries (the question cluster
//!   and the agents' most used reply); approving one saves it as a draft article through the
//!   knowledge-base use-cases, dismissing hides it;
//! - [`versions`]: the bot's answers per article version — how often each was contained
//!   and found helpful — next to the version's author and time, so an editor sees whether a
//!   change helped.
//!
//! Clustering reads a bounded window of the newest questions ([`WINDOW_MAX`]) and runs off
//! the async threads.

pub mod clusters;
pub mod proposals;
pub mod versions;

use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ServiceError, ServiceResult};
use kefu_domain::AgentRole;
use kefu_store::Dismissal;

/// The most recent questions (or tickets) clustered at most.
pub const WINDOW_MAX: u32 = 5000;
/// The window when none is asked for.
pub const WINDOW_DEFAULT: u32 = 1000;
/// Example questions shown per cluster.
pub const EXAMPLES: usize = 5;
/// The most phrasings added to an entry at once.
pub const PHRASINGS_MAX: usize = 20;

/// What an editor can dismiss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DismissKind {
    /// A cluster of unanswered questions.
    Cluster,
    /// A FAQ proposal.
    Proposal,
}

impl DismissKind {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DismissKind::Cluster => "cluster",
            DismissKind::Proposal => "proposal",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<DismissKind> {
        match s {
            "cluster" => Some(DismissKind::Cluster),
            "proposal" => Some(DismissKind::Proposal),
            _ => None,
        }
    }
}

/// The key of a cluster: the analyzed text of its leader (stable while the leader is).
pub fn key_of(question: &str) -> String {
    kefu_bot::analyze::analyze(question).text
}

/// Checks a window size (`limit`), defaulting when absent.
pub fn window(limit: Option<u32>) -> ServiceResult<u32> {
    let limit = limit.unwrap_or(WINDOW_DEFAULT);
    if !(1..=WINDOW_MAX).contains(&limit) {
        return Err(ServiceError::field(
            "limit",
            format!("must be from 1 to {WINDOW_MAX}"),
        ));
    }
    Ok(limit)
}

/// Hides a cluster or a proposal by its key (editors only); dismissing twice is harmless.
pub async fn dismiss(
    core: &Core,
    caller: &Caller,
    kind: DismissKind,
    key: &str,
) -> ServiceResult<()> {
    let staff = caller.require(AgentRole::Supervisor)?;
    let key = key.trim();
    if key.is_empty() || key.chars().count() > kefu_domain::kb::QUESTION_MAX * 5 {
        return Err(ServiceError::field(
            "key",
            "must be a cluster or proposal key",
        ));
    }
    core.store
        .dismiss(Dismissal {
            kind: kind.as_str().to_owned(),
            key: key.to_owned(),
            by: staff.map(|s| s.agent_id),
            at: jiff::Timestamp::now(),
        })
        .await?;
    Ok(())
}

/// The keys of a kind editors dismissed.
async fn dismissed(
    core: &Core,
    kind: DismissKind,
) -> ServiceResult<std::collections::HashSet<String>> {
    Ok(core
        .store
        .dismissed(kind.as_str())
        .await?
        .into_iter()
        .collect())
}

/// The knowledge-base entry the bot ranks best over some questions, with its question.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestedEntry {
    pub slug: String,
    pub question: String,
    /// The mean confidence of the bot in this entry over the questions, in [0, 1].
    pub score: f64,
    /// True when that confidence reaches the bot's own threshold for offering an entry
    /// ("did you mean…"): the entry is likely the right home for the questions; below it,
    /// it is only the closest there is, and a new entry may fit better.
    pub close: bool,
}

fn suggested(bot: &kefu_bot::Bot, questions: &[&str]) -> Option<SuggestedEntry> {
    let best = kefu_bot::cluster::suggest(bot, questions)?;
    let question = bot.entry(&best.id)?.question.clone();
    Some(SuggestedEntry {
        close: best.score >= bot.thresholds().suggest,
        slug: best.id,
        question,
        score: best.score,
    })
}
