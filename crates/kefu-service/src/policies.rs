//! "Must read" policy updates: a supervisor or admin publishes one (title, body, must-read
//! or for information); every staff member sees the must-read ones they have not
//! acknowledged when they sign in and acknowledges each; supervisors see who has and who
//! has not.

use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use jiff::Timestamp;
use kefu_domain::{Agent, AgentRole};
use kefu_store::{NewPolicy, PolicyAck, PolicyUpdate, StoreError};

/// Longest title, in characters.
pub const TITLE_MAX_CHARS: usize = 200;
/// Longest body, in characters.
pub const BODY_MAX_CHARS: usize = 20_000;
/// How many updates a list shows at most.
pub const LIST_LIMIT: u32 = 200;

/// An update as an editor writes it.
#[derive(Debug, Clone)]
pub struct PolicyInput {
    pub title: String,
    pub body: String,
    pub must_read: bool,
}

/// An update as one staff member sees it: with when they acknowledged it.
#[derive(Debug, Clone)]
pub struct PolicyView {
    pub policy: PolicyUpdate,
    /// `None` while unacknowledged (always `None` for updates that are not must-read
    /// and were never acknowledged).
    pub acknowledged_at: Option<Timestamp>,
}

/// One staff member's line in an update's acknowledgement list.
#[derive(Debug, Clone)]
pub struct AckLine {
    pub agent: Agent,
    pub acknowledged_at: Option<Timestamp>,
}

/// Who has and who has not acknowledged an update.
#[derive(Debug, Clone)]
pub struct AckReport {
    pub policy: PolicyUpdate,
    /// Every active staff member (and anyone inactive who acknowledged), acknowledged
    /// first (earliest first), then the others by name.
    pub lines: Vec<AckLine>,
}

fn not_found(id: i64) -> ServiceError {
    ServiceError::new(ErrorCode::PolicyNotFound, format!("No policy update {id}."))
}

/// Publishes an update (supervisors and admins), with its audit row.
pub async fn publish(
    core: &Core,
    caller: &Caller,
    input: PolicyInput,
) -> ServiceResult<PolicyUpdate> {
    let staff = caller.require(AgentRole::Supervisor)?;
    let mut c = crate::validate::Checks::default();
    let title = c.text("title", &input.title, 1, TITLE_MAX_CHARS);
    let body = c.text("body", &input.body, 1, BODY_MAX_CHARS);
    c.finish()?;
    let by = crate::audit::actor(caller);
    let audit = crate::audit::with(move |p: &PolicyUpdate| {
        vec![crate::audit::entry_by(
            by,
            "policy.published",
            Some(format!("policy:{}", p.id)),
            serde_json::json!({ "title": p.title, "must_read": p.must_read }),
        )]
    });
    let new = NewPolicy {
        title,
        body,
        must_read: input.must_read,
        author: staff.map(|s| s.agent_id),
        at: Timestamp::now(),
    };
    Ok(core.store.publish_policy(new, audit).await?)
}

/// The newest updates, each with when the caller acknowledged it (any staff member).
pub async fn list(core: &Core, caller: &Caller) -> ServiceResult<Vec<PolicyView>> {
    let staff = caller.staff()?;
    let updates = core.store.policy_updates(LIST_LIMIT).await?;
    let unread: Vec<i64> = core
        .store
        .unread_policies(staff.agent_id)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    let mut views = Vec::with_capacity(updates.len());
    for policy in updates {
        let acknowledged_at = if policy.must_read && !unread.contains(&policy.id) {
            mine(core, &policy, staff.agent_id).await?
        } else {
            None
        };
        views.push(PolicyView {
            policy,
            acknowledged_at,
        });
    }
    Ok(views)
}

async fn mine(
    core: &Core,
    policy: &PolicyUpdate,
    agent: kefu_domain::AgentId,
) -> ServiceResult<Option<Timestamp>> {
    Ok(core
        .store
        .policy_acknowledgements(policy.id)
        .await?
        .into_iter()
        .find(|a| a.agent == agent)
        .map(|a| a.at))
}

/// One update, with when the caller acknowledged it (any staff member).
pub async fn find(core: &Core, caller: &Caller, id: i64) -> ServiceResult<PolicyView> {
    let staff = caller.staff()?;
    let policy = core
        .store
        .policy_update(id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let acknowledged_at = mine(core, &policy, staff.agent_id).await?;
    Ok(PolicyView {
        policy,
        acknowledged_at,
    })
}

/// The must-read updates the caller has not acknowledged, oldest first: what they are
/// shown when they sign in.
pub async fn unread(core: &Core, caller: &Caller) -> ServiceResult<Vec<PolicyUpdate>> {
    let staff = caller.staff()?;
    Ok(core.store.unread_policies(staff.agent_id).await?)
}

/// The caller acknowledges an update (once; acknowledging again keeps the first time).
pub async fn acknowledge(core: &Core, caller: &Caller, id: i64) -> ServiceResult<Timestamp> {
    let staff = caller.staff()?;
    let ack = PolicyAck {
        policy: id,
        agent: staff.agent_id,
        at: Timestamp::now(),
    };
    core.store
        .acknowledge_policy(ack)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => not_found(id),
            other => other.into(),
        })
}

/// Who has acknowledged an update and who has not (supervisors and admins).
pub async fn acknowledgements(core: &Core, caller: &Caller, id: i64) -> ServiceResult<AckReport> {
    caller.require(AgentRole::Supervisor)?;
    let policy = core
        .store
        .policy_update(id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let acks = core.store.policy_acknowledgements(id).await?;
    let agents = core.store.list_agents().await?;
    Ok(AckReport {
        policy,
        lines: ack_lines(agents, &acks),
    })
}

/// Acknowledged first (earliest first), then active staff who have not, by name.
fn ack_lines(agents: Vec<Agent>, acks: &[kefu_store::Acknowledgement]) -> Vec<AckLine> {
    let when = |a: &Agent| acks.iter().find(|k| k.agent == a.id).map(|k| k.at);
    let mut lines: Vec<AckLine> = agents
        .into_iter()
        .filter_map(|agent| {
            let acknowledged_at = when(&agent);
            (agent.active || acknowledged_at.is_some()).then_some(AckLine {
                agent,
                acknowledged_at,
            })
        })
        .collect();
    lines.sort_by(|a, b| match (a.acknowledged_at, b.acknowledged_at) {
        (Some(x), Some(y)) => x.cmp(&y).then(a.agent.id.0.cmp(&b.agent.id.0)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.agent.display_name.cmp(&b.agent.display_name),
    });
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_domain::AgentId;

    fn agent(id: i64, name: &str, active: bool) -> Agent {
        Agent {
            id: AgentId(id),
            email: format!("{id}@x"),
            display_name: name.into(),
            role: AgentRole::Agent,
            team_id: None,
            skills: vec![],
            chat_capacity: 3,
            active,
            created_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_list_puts_acknowledged_first_and_leaves_out_inactive_staff_who_did_not() {
        let at = |s| Timestamp::from_second(s).unwrap();
        let acks = [
            kefu_store::Acknowledgement {
                agent: AgentId(3),
                at: at(20),
            },
            kefu_store::Acknowledgement {
                agent: AgentId(4),
                at: at(10),
            },
        ];
        let lines = ack_lines(
            vec![
                agent(1, "b", true),
                agent(2, "a", true),
                agent(3, "c", false),
                agent(4, "d", true),
                agent(5, "e", false),
            ],
            &acks,
        );
        let got: Vec<(i64, bool)> = lines
            .iter()
            .map(|l| (l.agent.id.0, l.acknowledged_at.is_some()))
            .collect();
        assert_eq!(got, [(4, true), (3, true), (2, false), (1, false)]);
    }
}
