//! What each side is shown of a ticket event. Staff see the event as the event log has it,
//! with the message it added (internal notes included). Customers see what their ticket
//! view shows: public messages (the one rule of [`MessageKind::is_public`]), status, who
//! took the ticket by name, that it went to specialists — never internal notes, the bot's
//! hand-over summary, reasons, findings, SLA or routing events.

use super::Side;
use crate::core::Core;
use crate::error::ServiceResult;
use kefu_domain::{Actor, AgentId, EventKind, Message, MessageKind, TicketEvent, TicketId};

/// One event as the follower's side sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// The event as the staff event log shows it, and the message it added.
    Staff {
        actor: Actor,
        kind: EventKind,
        message: Option<Message>,
    },
    Customer(CustomerChange),
}

impl Change {
    /// The event's kind name (`message_added` …), the same on both sides.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Change::Staff { kind, .. } => kind.name(),
            Change::Customer(c) => c.kind_name(),
        }
    }
}

/// An event as the customer sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomerChange {
    Opened,
    /// A person will take over from the bot.
    HandedOff,
    /// A public message.
    MessageAdded(Message),
    StatusChanged {
        from: String,
        to: String,
        /// The sentence the ticket view shows for `to`, in the customer's language.
        progress: Option<String>,
    },
    /// A person took the ticket; their display name.
    Assigned {
        agent_name: Option<String>,
    },
    /// A specialist team is looking at it.
    Escalated,
    /// Back from the specialists with the frontline.
    SentBack,
    /// Another person took over; their display name when it went to a person.
    Transferred {
        agent_name: Option<String>,
    },
}

impl CustomerChange {
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::Opened => "opened",
            Self::HandedOff => "handed_off",
            Self::MessageAdded(_) => "message_added",
            Self::StatusChanged { .. } => "status_changed",
            Self::Assigned { .. } => "assigned",
            Self::Escalated => "escalated",
            Self::SentBack => "sent_back",
            Self::Transferred { .. } => "transferred",
        }
    }
}

/// What `side` is shown of `e`; `None` when that side is shown nothing of it. `language`
/// is the customer's (their progress lines are written in it).
pub(crate) async fn change(
    core: &Core,
    side: Side,
    language: &str,
    e: &TicketEvent,
) -> ServiceResult<Option<Change>> {
    match side {
        Side::Staff => {
            let message = match &e.kind {
                EventKind::MessageAdded { message_id, .. } => {
                    message(core, e.ticket_id, *message_id, true).await?
                }
                _ => None,
            };
            Ok(Some(Change::Staff {
                actor: e.actor.clone(),
                kind: e.kind.clone(),
                message,
            }))
        }
        Side::Customer => Ok(customer_change(core, language, e)
            .await?
            .map(Change::Customer)),
    }
}

async fn customer_change(
    core: &Core,
    language: &str,
    e: &TicketEvent,
) -> ServiceResult<Option<CustomerChange>> {
    Ok(Some(match &e.kind {
        EventKind::Opened { .. } => CustomerChange::Opened,
        EventKind::HandedOff { .. } => CustomerChange::HandedOff,
        EventKind::MessageAdded {
            message_id,
            message_kind,
        } => {
            // An unknown kind is hidden: only what is known to be public is shown.
            let public = message_kind
                .parse::<MessageKind>()
                .is_ok_and(MessageKind::is_public);
            if !public {
                return Ok(None);
            }
            match message(core, e.ticket_id, *message_id, false).await? {
                Some(mut m) => {
                    // The customer's side may answer the survey with its token.
                    crate::survey::sign_invites(core, std::slice::from_mut(&mut m));
                    CustomerChange::MessageAdded(m)
                }
                None => return Ok(None),
            }
        }
        EventKind::StatusChanged { from, to, .. } => CustomerChange::StatusChanged {
            from: from.clone(),
            to: to.clone(),
            progress: to.parse::<kefu_domain::TicketStatus>().ok().map(|s| {
                (crate::messages::Messages::for_language(language).progress)(s).to_owned()
            }),
        },
        EventKind::Assigned { agent_id, .. } => CustomerChange::Assigned {
            agent_name: agent_name(core, *agent_id).await?,
        },
        EventKind::Escalated { .. } => CustomerChange::Escalated,
        EventKind::SentBack { .. } => CustomerChange::SentBack,
        EventKind::Transferred { to_agent, .. } => CustomerChange::Transferred {
            agent_name: match to_agent {
                Some(id) => agent_name(core, *id).await?,
                None => None,
            },
        },
        EventKind::CategoryChanged { .. }
        | EventKind::PriorityChanged { .. }
        | EventKind::SlaWarning { .. }
        | EventKind::SlaBreached { .. }
        | EventKind::Unroutable { .. }
        | EventKind::SurveyAnswered { .. }
        | EventKind::ReviewOpened { .. }
        | EventKind::ReviewAssigned { .. }
        | EventKind::ReviewClosed { .. }
        | EventKind::CustomerNotified { .. }
        | EventKind::DeliveryFailed { .. } => return Ok(None),
    }))
}

/// The message an event added, as that side may read it (`None` if it is not theirs to
/// read, or gone).
async fn message(
    core: &Core,
    ticket: TicketId,
    id: i64,
    include_internal: bool,
) -> ServiceResult<Option<Message>> {
    let mut page = core
        .store
        .messages_page(ticket, include_internal, Some(id.saturating_sub(1)), 1)
        .await?;
    // Uploaded files get their download links, as in the ticket views.
    crate::attachments::sign_links(core, &mut page);
    Ok(page.into_iter().find(|m| m.id.0 == id))
}

async fn agent_name(core: &Core, id: AgentId) -> ServiceResult<Option<String>> {
    match core.store.agent(id).await {
        Ok(a) => Ok(Some(a.display_name)),
        Err(kefu_store::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
