//! Tickets nobody can take: a waiting ticket whose language, or domain, no active agent
//! (online or not) has a skill for would starve in the queue unseen. Routing checks when a
//! ticket is left waiting and flags it to supervisors once, with an `unroutable` event in its
//! log; the staff ticket view shows the flag ([`flag`]).

use crate::core::Core;
use crate::error::ServiceResult;
use jiff::Timestamp;
use kefu_domain::{AgentRole, EventKind, Ticket, TicketEvent};
use kefu_routing::AgentSkills;
use std::collections::HashSet;

/// The skill no active frontline agent has, if any: `language:<tag>` first, then
/// `category:<code>`. Agents without language skills speak Chinese (as routing reads them).
pub fn missing_skill(
    agents: &[kefu_domain::Agent],
    language: &str,
    category: &str,
) -> Option<String> {
    TeamSkills::of(agents).missing(language, category)
}

/// What the active frontline agents can do between them: the languages they speak
/// (primary subtags) and the domains they cover. Built once per staff snapshot, so the
/// check per waiting ticket is two set lookups.
#[derive(Debug, Default)]
pub struct TeamSkills {
    languages: HashSet<String>,
    categories: HashSet<String>,
}

fn primary(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or(tag)
        .to_ascii_lowercase()
}

impl TeamSkills {
    pub fn of(agents: &[kefu_domain::Agent]) -> Self {
        let mut team = Self::default();
        for a in agents
            .iter()
            .filter(|a| a.active && a.role != AgentRole::Specialist)
        {
            let skills = AgentSkills::from_domain(&a.skills);
            if skills.languages.is_empty() {
                team.languages.insert("zh".to_owned());
            }
            team.languages
                .extend(skills.languages.iter().map(|l| primary(l)));
            team.categories
                .extend(skills.categories.into_iter().map(|c| c.category));
        }
        team
    }

    /// See [`missing_skill`].
    pub fn missing(&self, language: &str, category: &str) -> Option<String> {
        let wanted = primary(language);
        if !self.languages.contains(&wanted) {
            return Some(format!("language:{wanted}"));
        }
        if !self.categories.contains(category) {
            return Some(format!("category:{category}"));
        }
        None
    }
}

/// Flags `ticket` when it waits for a skill nobody has (once per ticket). Runs only for a
/// ticket routing just left waiting in the general queue, so an assigned ticket costs
/// nothing; a failure is logged, never raised (the ticket is accepted already).
pub async fn check(state: &Core, ticket: &Ticket, language: Option<&str>) {
    if let Err(e) = flag_if_starving(state, ticket, language).await {
        tracing::warn!(ticket.number = %ticket.number, error = %e.detail, "unroutable check failed");
    }
}

/// How long a read of the staff accounts answers "does anyone have this skill".
const SNAPSHOT_TTL: std::time::Duration = std::time::Duration::from_secs(10);

/// What the staff can do, read at most every [`SNAPSHOT_TTL`] on this node.
async fn staff(state: &Core) -> ServiceResult<std::sync::Arc<TeamSkills>> {
    let fresh = state.staff_snapshot.lock().ok().and_then(|s| {
        s.as_ref()
            .filter(|(at, _)| at.elapsed() < SNAPSHOT_TTL)
            .map(|(_, agents)| agents.clone())
    });
    if let Some(agents) = fresh {
        return Ok(agents);
    }
    let agents = std::sync::Arc::new(TeamSkills::of(&state.store.list_agents().await?));
    if let Ok(mut slot) = state.staff_snapshot.lock() {
        *slot = Some((std::time::Instant::now(), agents.clone()));
    }
    Ok(agents)
}

async fn flag_if_starving(
    state: &Core,
    ticket: &Ticket,
    language: Option<&str>,
) -> ServiceResult<()> {
    let language = match language {
        Some(l) => l.to_owned(),
        None => state.store.customer(ticket.customer_id).await?.language,
    };
    let team = staff(state).await?;
    let Some(reason) = team.missing(&language, ticket.category.as_str()) else {
        return Ok(());
    };
    let written = state
        .store
        .flag_ticket(
            ticket.id,
            EventKind::Unroutable {
                reason: reason.clone(),
            },
            Timestamp::now(),
        )
        .await?;
    if written {
        state.events_written();
        tracing::warn!(ticket.number = %ticket.number, skill = %reason, "ticket waits for a skill no active agent has");
    }
    Ok(())
}

/// The flag in a ticket's log: the missing skill, when the ticket was found unroutable.
pub fn flag(events: &[TicketEvent]) -> Option<String> {
    events.iter().rev().find_map(|e| match &e.kind {
        EventKind::Unroutable { reason } => Some(reason.clone()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_domain::{Agent, AgentId, Skill};

    fn agent(skills: &[&str], role: AgentRole) -> Agent {
        Agent {
            id: AgentId(1),
            email: "a@x".into(),
            display_name: "a".into(),
            role,
            team_id: None,
            skills: skills
                .iter()
                .map(|s| Skill {
                    name: (*s).into(),
                    level: 3,
                    certified: true,
                })
                .collect(),
            chat_capacity: 3,
            active: true,
            created_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_language_or_domain_nobody_has_is_named_and_chinese_is_everyones() {
        let zh = [agent(&["category:account"], AgentRole::Agent)];
        assert_eq!(missing_skill(&zh, "zh-CN", "account"), None);
        assert_eq!(
            missing_skill(&zh, "en-US", "account").as_deref(),
            Some("language:en")
        );
        assert_eq!(
            missing_skill(&zh, "zh", "ads").as_deref(),
            Some("category:ads")
        );
        let en = [agent(&["category:account", "lang:en"], AgentRole::Agent)];
        assert_eq!(missing_skill(&en, "en", "account"), None);
        let specialist = [agent(
            &["category:account", "lang:en"],
            AgentRole::Specialist,
        )];
        assert_eq!(
            missing_skill(&specialist, "en", "account").as_deref(),
            Some("language:en")
        );
        let mut gone = agent(&["category:account", "lang:en"], AgentRole::Agent);
        gone.active = false;
        assert_eq!(
            missing_skill(&[gone], "en", "account").as_deref(),
            Some("language:en")
        );
    }
}
