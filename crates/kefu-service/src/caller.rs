//! Who is asking, and every rule about what they may do. Entry points only say who the
//! caller is (a token, a lookup code, a signed channel request); the decisions are here.

use crate::error::{ErrorCode, ServiceError, ServiceResult};
use kefu_domain::{AgentId, AgentRole, ApiKeyId, Channel, TeamId, Ticket};

/// A staff member: an agent, specialist, supervisor or admin, signed in or using a staff key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Staff {
    pub agent_id: AgentId,
    pub role: AgentRole,
    /// The agent's team, if any (specialists act on their team's escalations).
    pub team: Option<TeamId>,
    /// The session or key the request came with (scopes idempotency keys).
    pub credential: ApiKeyId,
}

/// A channel integration's API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelKey {
    pub key_id: ApiKeyId,
    /// The channel the key is bound to; unbound keys may open tickets but never act for a
    /// customer.
    pub channel: Option<Channel>,
}

/// What a customer offers as proof that a ticket is theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerProof {
    /// The lookup code returned at intake.
    LookupCode(String),
    /// A channel key vouching for one of its customers, by the channel's id for them.
    Channel {
        key: ChannelKey,
        external_id: String,
    },
    /// An in-app user, by a token the app's backend signed
    /// ([`crate::channels::app_token`]): the `in_app` customer `external_id`.
    AppUser { app: String, external_id: String },
}

/// Who is calling a use-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// Nobody in particular: the help center's public reads.
    Anonymous,
    /// A customer with a proof of ownership for the ticket they name.
    Customer(CustomerProof),
    /// A channel integration (intake, and acting for its customers with their id).
    Channel(ChannelKey),
    /// A staff member.
    Staff(Staff),
    /// kefu itself: workers, the CLI on the server's own machine.
    System,
}

impl Caller {
    /// The staff member, or `unauthenticated` / `forbidden`.
    pub fn staff(&self) -> ServiceResult<Staff> {
        match self {
            Caller::Staff(s) => Ok(*s),
            Caller::Anonymous | Caller::Customer(_) => Err(ServiceError::new(
                ErrorCode::Unauthenticated,
                "Sign in as staff: send a valid token as `Authorization: Bearer <token>`.",
            )),
            Caller::Channel(_) => Err(ServiceError::forbidden(
                "Channel API keys cannot use staff routes.",
            )),
            Caller::System => Err(ServiceError::forbidden(
                "This needs a staff member, not the system.",
            )),
        }
    }

    /// The staff member if their role covers `needed` (the system is allowed everything).
    pub fn require(&self, needed: AgentRole) -> ServiceResult<Option<Staff>> {
        if *self == Caller::System {
            return Ok(None);
        }
        let staff = self.staff()?;
        staff.require(needed)?;
        Ok(Some(staff))
    }

    /// The actor written in the event log for this caller's changes.
    pub fn actor(&self) -> kefu_domain::Actor {
        match self {
            Caller::Staff(s) => kefu_domain::Actor::Agent { id: s.agent_id },
            Caller::Channel(k) | Caller::Customer(CustomerProof::Channel { key: k, .. }) => {
                kefu_domain::Actor::Channel { key_id: k.key_id.0 }
            }
            Caller::Customer(CustomerProof::LookupCode(_) | CustomerProof::AppUser { .. }) => {
                kefu_domain::Actor::Customer
            }
            Caller::Anonymous | Caller::System => kefu_domain::Actor::System,
        }
    }
}

impl From<crate::credentials::Principal> for Caller {
    fn from(p: crate::credentials::Principal) -> Self {
        match p {
            crate::credentials::Principal::Staff(s) => Caller::Staff(s),
            crate::credentials::Principal::Channel(k) => Caller::Channel(k),
        }
    }
}

/// Resolves a bearer token to whom it stands for (this node's cache first, then the
/// database); `None` for an unknown, expired or revoked token or a deactivated account.
pub async fn authenticate(
    core: &crate::Core,
    token: &str,
) -> ServiceResult<Option<crate::credentials::Principal>> {
    use crate::credentials::{Principal, token_hash};
    use kefu_store::CredentialKind;
    let hash = token_hash(token);
    if let Some(p) = core.principals.get(&hash) {
        return Ok(Some(p));
    }
    let now = jiff::Timestamp::now().as_millisecond();
    let Some(cred) = core.store.credential_by_token(&hash, now).await? else {
        return Ok(None);
    };
    let principal = match (cred.kind, cred.agent_id) {
        (_, Some(agent_id)) => {
            let agent = core.store.agent(agent_id).await?;
            if !agent.active {
                return Ok(None);
            }
            Principal::Staff(Staff {
                agent_id,
                role: agent.role,
                team: agent.team_id,
                credential: cred.id,
            })
        }
        (CredentialKind::ApiKey, None) => Principal::Channel(ChannelKey {
            key_id: cred.id,
            channel: cred.channel,
        }),
        (CredentialKind::Session, None) => return Ok(None),
    };
    // Sessions can expire before the cache entry would: only cache what stays valid.
    if cred.expires_at.is_none() {
        core.principals.put(hash, principal.clone());
    }
    Ok(Some(principal))
}

impl Staff {
    /// Fails with `forbidden` unless the role covers `needed`.
    pub fn require(&self, needed: AgentRole) -> ServiceResult<()> {
        if self.role.covers(needed) {
            Ok(())
        } else {
            Err(ServiceError::forbidden(format!(
                "This needs the {needed} role; you are {}.",
                self.role
            )))
        }
    }

    pub fn is_supervisor(&self) -> bool {
        self.role.covers(AgentRole::Supervisor)
    }

    /// The one ownership rule for changing a ticket: its assignee, a supervisor or admin,
    /// or — for an unowned ticket escalated to a team — a member of that team. Unowned
    /// queued tickets are changed by taking them first.
    pub fn may_change(&self, ticket: &Ticket) -> bool {
        self.is_supervisor()
            || ticket.assignee == Some(self.agent_id)
            || (ticket.assignee.is_none()
                && ticket.status == kefu_domain::TicketStatus::Escalated
                && ticket.team.is_some()
                && ticket.team == self.team)
    }

    /// Whether this staff member may follow the ticket live ([`crate::live`]): supervisors
    /// and admins any ticket; others their own, their team's unowned ones, and — frontline
    /// agents — the shared queue of unowned tickets no team holds (any agent may take
    /// those).
    pub fn may_follow(&self, ticket: &Ticket) -> bool {
        self.is_supervisor()
            || ticket.assignee == Some(self.agent_id)
            || (ticket.assignee.is_none() && ticket.team.is_some() && ticket.team == self.team)
            || (ticket.assignee.is_none() && ticket.team.is_none() && self.role == AgentRole::Agent)
    }

    /// [`Staff::may_change`] as an error.
    pub fn require_owner(&self, ticket: &Ticket) -> ServiceResult<()> {
        if self.may_change(ticket) {
            Ok(())
        } else {
            Err(ServiceError::new(
                ErrorCode::NotTicketOwner,
                "Only the assigned agent or a supervisor can change this ticket; take it first.",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_domain::{
        CategoryCode, Channel, CustomerId, Priority, TicketId, TicketNumber, TicketStatus,
    };

    fn ticket(assignee: Option<i64>, team: Option<i64>) -> Ticket {
        let at = jiff::Timestamp::UNIX_EPOCH;
        Ticket {
            id: TicketId(1),
            number: TicketNumber::new(jiff::civil::date(2026, 11, 30), 1),
            customer_id: CustomerId(1),
            channel: Channel::Api,
            subject: "s".into(),
            category: CategoryCode::parse("general").unwrap(),
            priority: Priority::Normal,
            status: TicketStatus::Queued,
            assignee: assignee.map(AgentId),
            team: team.map(TeamId),
            context: serde_json::json!({}),
            created_at: at,
            updated_at: at,
            first_response_at: None,
            first_response_due: None,
            resolved_at: None,
        }
    }

    #[test]
    fn staff_follow_their_own_tickets_their_teams_queue_and_supervisors_all() {
        let agent = staff(AgentRole::Agent, Some(1));
        assert!(agent.may_follow(&ticket(Some(7), Some(2))), "their own");
        assert!(
            agent.may_follow(&ticket(None, Some(1))),
            "their team's queue"
        );
        assert!(agent.may_follow(&ticket(None, None)), "the shared queue");
        assert!(!agent.may_follow(&ticket(Some(8), Some(1))), "a teammate's");
        assert!(
            !agent.may_follow(&ticket(None, Some(2))),
            "another team's queue"
        );
        let specialist = staff(AgentRole::Specialist, Some(2));
        assert!(specialist.may_follow(&ticket(None, Some(2))));
        assert!(
            !specialist.may_follow(&ticket(None, None)),
            "not the frontline queue"
        );
        assert!(!specialist.may_follow(&ticket(Some(8), Some(1))));
        let supervisor = staff(AgentRole::Supervisor, None);
        assert!(supervisor.may_follow(&ticket(Some(8), Some(1))));
    }

    fn staff(role: AgentRole, team: Option<i64>) -> Staff {
        Staff {
            agent_id: AgentId(7),
            role,
            team: team.map(TeamId),
            credential: ApiKeyId(1),
        }
    }

    #[test]
    fn agents_need_the_role_they_ask_for() {
        let agent = Caller::Staff(staff(AgentRole::Agent, None));
        assert!(agent.require(AgentRole::Agent).is_ok());
        let err = agent.require(AgentRole::Supervisor).unwrap_err();
        assert_eq!(err.code, ErrorCode::Forbidden);
        assert!(Caller::System.require(AgentRole::Admin).is_ok());
        let anon = Caller::Anonymous.require(AgentRole::Agent).unwrap_err();
        assert_eq!(anon.code, ErrorCode::Unauthenticated);
        let key = Caller::Channel(ChannelKey {
            key_id: ApiKeyId(3),
            channel: None,
        });
        assert_eq!(key.staff().unwrap_err().code, ErrorCode::Forbidden);
    }
}
