//! Fixtures of the routing and SLA-timer suites: a ticket on a channel, an agent, a routed
//! assignment.

use super::at;
use kefu_domain::*;
use kefu_store::*;
use std::sync::Arc;

pub fn ticket_on(external_id: &str, channel: Channel) -> NewTicket {
    NewTicket {
        customer: CustomerProfile {
            identity: CustomerRef {
                channel,
                external_id: external_id.into(),
            },
            display_name: None,
            email: None,
            phone: None,
            language: "zh-CN".into(),
        },
        channel,
        subject: "登录不了".into(),
        body: "验证码收不到".into(),
        attachments: vec![],
        category: CategoryCode::parse("account").unwrap(),
        priority: Priority::Normal,
        status: TicketStatus::Queued,
        context: serde_json::json!({}),
        first_response_due: Some(at(3600)),
        actor: Actor::Customer,
        idempotency: None,
        bot: None,
        sla: None,
        jobs: Vec::new(),
        at: at(0),
    }
}

pub async fn open(store: &Arc<dyn Store>, external_id: &str) -> Ticket {
    store
        .open_ticket(ticket_on(external_id, Channel::InApp))
        .await
        .unwrap()
        .ticket
}

pub async fn agent(store: &Arc<dyn Store>, email: &str, capacity: u16) -> Agent {
    store
        .create_agent(NewAgent {
            email: email.into(),
            display_name: "客服".into(),
            role: AgentRole::Agent,
            team_id: None,
            password_hash: None,
            skills: vec![],
            chat_capacity: capacity,
            at: at(0),
        })
        .await
        .unwrap()
}

pub fn routed(t: &Ticket, a: &Agent, capacity: u32) -> RoutedAssignment {
    RoutedAssignment {
        ticket_id: t.id,
        agent_id: a.id,
        chat: true,
        capacity,
        reason: "least loaded (0/1 chat) among 1 eligible".into(),
        at: at(10),
    }
}
