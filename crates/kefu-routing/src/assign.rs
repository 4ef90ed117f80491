//! Eligibility and choice: which agents may take a ticket, and which one does.
//!
//! Eligible: on shift, online, skilled in the ticket's domain (certified when the domain
//! requires it, at the minimum level) and language, under capacity for the ticket's channel
//! kind. Among the eligible, the least loaded (by load ratio) wins, then the longest idle,
//! then the lowest id, so every decision is deterministic and can be explained in one line.

use jiff::Timestamp;
use kefu_domain::{AgentId, Channel, Priority, Skill, TicketId};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// Chat tickets are held live and count against chat capacity; the rest are asynchronous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    Chat,
    Async,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 2] = [Self::Chat, Self::Async];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::Async => "async",
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Self::Chat => 0,
            Self::Async => 1,
        }
    }
}

impl From<Channel> for ChannelKind {
    fn from(c: Channel) -> Self {
        if c.is_chat() { Self::Chat } else { Self::Async }
    }
}

/// Whether an agent is at their desk: the domain's presence, so the server's stored value
/// and the engine's are one type.
pub use kefu_domain::AgentPresence as Presence;

/// An agent's skill in one domain (category code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategorySkill {
    pub category: String,
    /// 1 (novice) to 5 (expert).
    pub level: u8,
    /// Passed the domain's training; required where the policy says so.
    pub certified: bool,
}

/// The domains and languages an agent can handle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentSkills {
    pub categories: Vec<CategorySkill>,
    /// Language tags (`zh`, `en`).
    pub languages: Vec<String>,
}

impl AgentSkills {
    /// From the domain's `category:<code>` / `lang:<tag>` skills; other names are ignored.
    pub fn from_domain(skills: &[Skill]) -> Self {
        let mut out = Self::default();
        for s in skills {
            if let Some(code) = s.name.strip_prefix("category:") {
                out.categories.push(CategorySkill {
                    category: code.to_owned(),
                    level: s.level,
                    certified: s.certified,
                });
            } else if let Some(lang) = s.name.strip_prefix("lang:") {
                out.languages.push(lang.to_owned());
            }
        }
        out
    }

    pub fn category(&self, code: &str) -> Option<&CategorySkill> {
        self.categories.iter().find(|c| c.category == code)
    }

    pub fn speaks(&self, language: &str) -> bool {
        self.languages.iter().any(|l| l == language)
    }
}

/// Concurrent tickets per channel kind (a capacity, or a current load).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerKind {
    pub chat: u16,
    #[serde(rename = "async")]
    pub asynchronous: u16,
}

impl PerKind {
    pub fn get(self, kind: ChannelKind) -> u16 {
        match kind {
            ChannelKind::Chat => self.chat,
            ChannelKind::Async => self.asynchronous,
        }
    }

    pub fn get_mut(&mut self, kind: ChannelKind) -> &mut u16 {
        match kind {
            ChannelKind::Chat => &mut self.chat,
            ChannelKind::Async => &mut self.asynchronous,
        }
    }
}

/// What routing knows about an agent at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentState {
    pub id: AgentId,
    pub skills: AgentSkills,
    pub capacity: PerKind,
    pub load: PerKind,
    pub presence: Presence,
    /// Computed from the roster by [`crate::shift`].
    pub on_shift: bool,
    pub last_assigned_at: Option<Timestamp>,
}

impl AgentState {
    /// Whether the agent has room for one more ticket of this kind.
    pub fn has_room(&self, kind: ChannelKind) -> bool {
        self.load.get(kind) < self.capacity.get(kind)
    }
}

/// A ticket waiting for an agent, with what routing needs to place it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedTicket {
    pub id: TicketId,
    pub priority: Priority,
    pub category: String,
    pub language: String,
    pub channel: ChannelKind,
    pub created_at: Timestamp,
    /// When the current SLA target (first or next response) is due.
    pub sla_deadline: Timestamp,
}

/// Why an agent may not take a ticket (the first rule that fails).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ineligible {
    OffShift,
    NotOnline(Presence),
    MissingCategory,
    NotCertified,
    LevelTooLow,
    MissingLanguage,
    AtCapacity,
}

/// The outcome of a decision: who, and why in one line (for the ticket's event log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub agent_id: AgentId,
    pub reason: String,
}

/// The rules a deployment configures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentPolicy {
    /// Category codes whose tickets go only to agents certified in them.
    #[serde(default)]
    pub certification_required: BTreeSet<String>,
    /// The lowest skill level accepted for a domain (0 or 1 accept everyone).
    #[serde(default)]
    pub min_level: u8,
}

impl AssignmentPolicy {
    /// Whether an agent's skill in a domain is enough under this policy.
    pub fn skill_qualifies(&self, skill: &CategorySkill) -> Result<(), Ineligible> {
        if self.certification_required.contains(&skill.category) && !skill.certified {
            return Err(Ineligible::NotCertified);
        }
        if skill.level < self.min_level {
            return Err(Ineligible::LevelTooLow);
        }
        Ok(())
    }

    /// `Ok` when the agent may take the ticket now, else the first rule that fails.
    pub fn check(&self, ticket: &QueuedTicket, agent: &AgentState) -> Result<(), Ineligible> {
        if !agent.on_shift {
            return Err(Ineligible::OffShift);
        }
        if agent.presence != Presence::Online {
            return Err(Ineligible::NotOnline(agent.presence));
        }
        let skill = agent
            .skills
            .category(&ticket.category)
            .ok_or(Ineligible::MissingCategory)?;
        self.skill_qualifies(skill)?;
        if !agent.skills.speaks(&ticket.language) {
            return Err(Ineligible::MissingLanguage);
        }
        if !agent.has_room(ticket.channel) {
            return Err(Ineligible::AtCapacity);
        }
        Ok(())
    }

    pub fn is_eligible(&self, ticket: &QueuedTicket, agent: &AgentState) -> bool {
        self.check(ticket, agent).is_ok()
    }

    /// The best eligible agent in `agents` for `ticket`, or `None` when nobody may take it.
    pub fn choose(
        &self,
        ticket: &QueuedTicket,
        agents: &[AgentState],
        now: Timestamp,
    ) -> Option<Choice> {
        self.choose_among(ticket, agents.iter(), now)
    }

    /// Like [`Self::choose`] over any candidates (e.g. an index of agents by skill).
    pub fn choose_among<'a>(
        &self,
        ticket: &QueuedTicket,
        candidates: impl IntoIterator<Item = &'a AgentState>,
        now: Timestamp,
    ) -> Option<Choice> {
        let kind = ticket.channel;
        let mut best: Option<&AgentState> = None;
        let mut eligible = 0usize;
        for agent in candidates {
            if !self.is_eligible(ticket, agent) {
                continue;
            }
            eligible += 1;
            if best.is_none_or(|b| better(agent, b, kind) == Ordering::Less) {
                best = Some(agent);
            }
        }
        let agent = best?;
        Some(Choice {
            agent_id: agent.id,
            reason: explain(agent, kind, eligible, now),
        })
    }
}

/// `Less` when `a` should be chosen before `b`: load ratio, then longest idle, then id.
pub fn better(a: &AgentState, b: &AgentState, kind: ChannelKind) -> Ordering {
    let (la, ca) = (u32::from(a.load.get(kind)), u32::from(a.capacity.get(kind)));
    let (lb, cb) = (u32::from(b.load.get(kind)), u32::from(b.capacity.get(kind)));
    // la/ca < lb/cb without division (capacities of eligible agents are positive).
    (la * cb)
        .cmp(&(lb * ca))
        .then_with(|| match (a.last_assigned_at, b.last_assigned_at) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => x.cmp(&y),
        })
        .then_with(|| a.id.cmp(&b.id))
}

fn explain(agent: &AgentState, kind: ChannelKind, eligible: usize, now: Timestamp) -> String {
    let idle = match agent.last_assigned_at {
        None => "no assignment yet".to_owned(),
        Some(t) => {
            let minutes = now.duration_since(t).as_secs().max(0) / 60;
            format!("idle {minutes} min")
        }
    };
    format!(
        "least loaded ({}/{} {}) among {eligible} eligible; {idle}",
        agent.load.get(kind),
        agent.capacity.get(kind),
        kind.as_str(),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn ts(secs: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + secs).unwrap()
    }

    pub(crate) fn agent(id: i64) -> AgentState {
        AgentState {
            id: AgentId(id),
            skills: AgentSkills {
                categories: vec![CategorySkill {
                    category: "account".into(),
                    level: 3,
                    certified: true,
                }],
                languages: vec!["zh".into()],
            },
            capacity: PerKind {
                chat: 5,
                asynchronous: 10,
            },
            load: PerKind::default(),
            presence: Presence::Online,
            on_shift: true,
            last_assigned_at: None,
        }
    }

    pub(crate) fn ticket(id: i64) -> QueuedTicket {
        QueuedTicket {
            id: TicketId(id),
            priority: Priority::Normal,
            category: "account".into(),
            language: "zh".into(),
            channel: ChannelKind::Chat,
            created_at: ts(0),
            sla_deadline: ts(3600),
        }
    }

    #[test]
    fn off_shift_agent_is_not_eligible() {
        let mut a = agent(1);
        a.on_shift = false;
        let p = AssignmentPolicy::default();
        assert_eq!(p.check(&ticket(1), &a), Err(Ineligible::OffShift));
        assert_eq!(p.choose(&ticket(1), &[a], ts(0)), None);
    }

    #[test]
    fn away_and_offline_agents_are_not_eligible() {
        let p = AssignmentPolicy::default();
        for presence in [Presence::Away, Presence::Offline] {
            let mut a = agent(1);
            a.presence = presence;
            assert_eq!(
                p.check(&ticket(1), &a),
                Err(Ineligible::NotOnline(presence))
            );
        }
    }

    #[test]
    fn agent_without_the_domain_or_language_is_not_eligible() {
        let p = AssignmentPolicy::default();
        let mut t = ticket(1);
        t.category = "advertising".into();
        assert_eq!(p.check(&t, &agent(1)), Err(Ineligible::MissingCategory));
        let mut t = ticket(1);
        t.language = "en".into();
        assert_eq!(p.check(&t, &agent(1)), Err(Ineligible::MissingLanguage));
    }

    #[test]
    fn uncertified_agent_gets_only_domains_without_certification() {
        let mut a = agent(1);
        a.skills.categories[0].certified = false;
        let open = AssignmentPolicy::default();
        assert!(open.is_eligible(&ticket(1), &a));
        let strict = AssignmentPolicy {
            certification_required: ["account".to_owned()].into(),
            min_level: 0,
        };
        assert_eq!(strict.check(&ticket(1), &a), Err(Ineligible::NotCertified));
        a.skills.categories[0].certified = true;
        assert!(strict.is_eligible(&ticket(1), &a));
    }

    #[test]
    fn full_chat_capacity_still_leaves_room_for_async_tickets() {
        let mut a = agent(1);
        a.load.chat = 5;
        let p = AssignmentPolicy::default();
        assert_eq!(p.check(&ticket(1), &a), Err(Ineligible::AtCapacity));
        let mut t = ticket(2);
        t.channel = ChannelKind::Async;
        assert!(p.is_eligible(&t, &a));
    }

    #[test]
    fn least_loaded_agent_wins_and_the_reason_says_so() {
        let mut a = agent(1);
        a.load.chat = 2;
        let mut b = agent(2);
        b.load.chat = 1;
        b.last_assigned_at = Some(ts(0));
        let mut c = agent(3);
        c.presence = Presence::Away;
        let choice = AssignmentPolicy::default()
            .choose(&ticket(1), &[a, b, c], ts(12 * 60))
            .unwrap();
        assert_eq!(choice.agent_id, AgentId(2));
        assert_eq!(
            choice.reason,
            "least loaded (1/5 chat) among 2 eligible; idle 12 min"
        );
    }

    #[test]
    fn load_is_compared_as_a_ratio_of_capacity() {
        let mut a = agent(1);
        a.capacity.chat = 2;
        a.load.chat = 1; // 50%
        let mut b = agent(2);
        b.capacity.chat = 10;
        b.load.chat = 4; // 40%
        let choice = AssignmentPolicy::default()
            .choose(&ticket(1), &[a, b], ts(0))
            .unwrap();
        assert_eq!(choice.agent_id, AgentId(2));
    }

    #[test]
    fn equal_load_goes_to_the_longest_idle_then_the_lowest_id() {
        let mut a = agent(1);
        a.last_assigned_at = Some(ts(100));
        let mut b = agent(2);
        b.last_assigned_at = Some(ts(50));
        let p = AssignmentPolicy::default();
        let pick = |agents: &[AgentState]| p.choose(&ticket(1), agents, ts(200)).unwrap().agent_id;
        assert_eq!(pick(&[a.clone(), b.clone()]), AgentId(2));
        b.last_assigned_at = a.last_assigned_at;
        assert_eq!(pick(&[b.clone(), a.clone()]), AgentId(1));
    }

    #[test]
    fn domain_skills_are_read_from_prefixed_names() {
        let skills = AgentSkills::from_domain(&[
            Skill {
                name: "category:account".into(),
                level: 4,
                certified: true,
            },
            Skill {
                name: "lang:en".into(),
                level: 3,
                certified: false,
            },
            Skill {
                name: "typing".into(),
                level: 5,
                certified: false,
            },
        ]);
        assert_eq!(skills.category("account").unwrap().level, 4);
        assert!(skills.speaks("en"));
        assert_eq!(skills.categories.len(), 1);
        assert_eq!(skills.languages, vec!["en".to_owned()]);
    }

    #[test]
    fn chat_channel_maps_to_chat_kind() {
        assert_eq!(ChannelKind::from(Channel::InApp), ChannelKind::Chat);
        assert_eq!(ChannelKind::from(Channel::Email), ChannelKind::Async);
    }
}
