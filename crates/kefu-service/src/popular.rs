//! The help center's popular questions from real use: the knowledge-base entries the bot
//! answered most often in the last [`WINDOW_DAYS`] days, counted once per conversation,
//! from the bot's stored conversation states (the newest [`SESSIONS_READ`] of the window).
//! While fewer than [`SHOWN`] were answered in the window (a new database) the curated list
//! ([`crate::help::POPULAR`]) fills the rest.

use crate::caller::Caller;
use crate::core::Core;
use crate::error::ServiceResult;
use crate::help::{HelpEntry, POPULAR};
use kefu_bot::{ConversationState, Lang, Outcome};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// How far back answers count.
pub const WINDOW_DAYS: i64 = 7;
/// Most conversations read per count (the newest of the window): bounds the work per view.
pub const SESSIONS_READ: u32 = 2_000;
/// How many questions the help center shows.
pub const SHOWN: usize = 6;

/// Entry ids by how many conversations the bot answered them in, most first (ties by id).
/// A state that does not parse counts for nothing.
pub fn count_answered(states: &[String]) -> Vec<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for state in states {
        let Ok(c) = serde_json::from_str::<ConversationState>(state) else {
            continue;
        };
        let answered: HashSet<&String> = c
            .turns
            .iter()
            .filter(|t| t.outcome == Outcome::Answered)
            .filter_map(|t| t.entry_id.as_ref())
            .collect();
        for id in answered {
            *counts.entry(id.clone()).or_default() += 1;
        }
    }
    let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked
}

/// How long a count is reused on this node before it is made again: the help center is
/// the busiest page, and a count reads up to [`SESSIONS_READ`] conversations.
pub const REUSE: std::time::Duration = std::time::Duration::from_secs(60);

/// The entry ids the bot answered most in the window, most first: this node's count of a
/// moment ago, else a new one. An empty count is not kept, so the first answers on a new
/// database show at once.
async fn ranked_ids(core: &Core) -> ServiceResult<Arc<Vec<String>>> {
    let kept = core.popular_snapshot.lock().ok().and_then(|s| {
        s.as_ref()
            .filter(|(at, _)| at.elapsed() < REUSE)
            .map(|(_, ids)| ids.clone())
    });
    if let Some(ids) = kept {
        return Ok(ids);
    }
    let since = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(WINDOW_DAYS * 24))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let states = core.store.recent_bot_states(since, SESSIONS_READ).await?;
    let ranked = crate::bot::off_runtime(move || count_answered(&states)).await?;
    let ids: Arc<Vec<String>> = Arc::new(ranked.into_iter().map(|(id, _)| id).collect());
    if !ids.is_empty()
        && let Ok(mut slot) = core.popular_snapshot.lock()
    {
        *slot = Some((std::time::Instant::now(), ids.clone()));
    }
    Ok(ids)
}

/// The popular questions in the reader's language: the most answered published entries of
/// the window, then (while fewer than [`SHOWN`] were answered, as on a new database) the
/// curated list's.
pub async fn popular(core: &Core, _caller: &Caller, lang: Lang) -> ServiceResult<Vec<HelpEntry>> {
    let bot = crate::help::bot(core)?;
    let ranked = ranked_ids(core).await?;
    let mut seen = HashSet::new();
    Ok(ranked
        .iter()
        .map(String::as_str)
        .chain(POPULAR.iter().copied())
        .filter(|id| seen.insert(*id))
        .filter_map(|id| bot.entry(id).map(|e| crate::help::entry_in(e, lang)))
        .take(SHOWN)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_bot::Turn;

    fn state(turns: &[(Outcome, &str)]) -> String {
        let c = ConversationState {
            turns: turns
                .iter()
                .map(|(outcome, id)| Turn {
                    query: "q".into(),
                    outcome: *outcome,
                    entry_id: Some((*id).into()),
                    category: None,
                    offered: vec![],
                })
                .collect(),
            ..ConversationState::default()
        };
        serde_json::to_string(&c).unwrap()
    }

    #[test]
    fn answers_count_once_per_conversation_and_suggestions_not_at_all() {
        let states = vec![
            state(&[(Outcome::Answered, "kb-b"), (Outcome::Answered, "kb-b")]),
            state(&[(Outcome::Answered, "kb-b"), (Outcome::Answered, "kb-a")]),
            state(&[(Outcome::Suggested, "kb-c"), (Outcome::Answered, "kb-a")]),
            state(&[(Outcome::Suggested, "kb-c")]),
            "not json".to_owned(),
        ];
        assert_eq!(
            count_answered(&states),
            [("kb-a".to_owned(), 2), ("kb-b".to_owned(), 2)],
            "ties by id; kb-c was only offered"
        );
        assert!(count_answered(&[]).is_empty());
    }
}
