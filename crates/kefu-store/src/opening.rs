//! What both backends' one-round-trip intake (`sqlite::fast`, `postgres::fast`) bind: the
//! same twenty parameters, prepared once here.

use crate::{NewTicket, OpenedTicket, StoreError, StoreResult};
use kefu_domain::{
    CustomerId, EventKind, Message, MessageId, MessageKind, Ticket, TicketId, TicketNumber,
};

/// The JSON-encoded parts of a new ticket's rows.
pub(crate) struct OpeningParams {
    pub actor: String,
    pub opened: String,
    pub context: String,
    pub attachments: String,
    /// `[{"kind","target","due_at"}, …]`: the SLA timers to create.
    pub timers: String,
}

pub(crate) fn json<T: serde::Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Backend(e.to_string()))
}

pub(crate) fn params(new: &NewTicket) -> StoreResult<OpeningParams> {
    let timers: Vec<serde_json::Value> = new
        .sla
        .iter()
        .flat_map(|s| s.timers.iter())
        .filter_map(|(target, timer)| {
            timer.as_ref().map(|t| {
                serde_json::json!({"kind": t.kind.as_str(), "target": target, "due_at": t.due_at.as_millisecond()})
            })
        })
        .collect();
    Ok(OpeningParams {
        actor: json(&new.actor)?,
        opened: json(&EventKind::Opened {
            channel: new.channel.as_str().into(),
        })?,
        context: json(&new.context)?,
        attachments: json(&new.attachments)?,
        timers: json(&timers)?,
    })
}

/// The first message as written.
pub(crate) fn first_message(new: &NewTicket, ticket_id: i64, message_id: i64) -> Message {
    Message {
        id: MessageId(message_id),
        ticket_id: TicketId(ticket_id),
        kind: MessageKind::Customer,
        author_agent: None,
        body: new.body.clone(),
        attachments: new.attachments.clone(),
        suggestions: Vec::new(),
        survey: None,
        created_at: new.at,
    }
}

/// A new ticket as written (before any bot turn changes it).
pub(crate) fn opened_ticket(
    new: NewTicket,
    number: TicketNumber,
    customer_id: CustomerId,
    message: Message,
) -> OpenedTicket {
    OpenedTicket {
        ticket: Ticket {
            id: message.ticket_id,
            number,
            customer_id,
            channel: new.channel,
            subject: new.subject,
            category: new.category,
            priority: new.priority,
            status: new.status,
            assignee: None,
            team: None,
            context: new.context,
            created_at: new.at,
            updated_at: new.at,
            first_response_at: None,
            first_response_due: new.first_response_due,
            resolved_at: None,
        },
        first_message: Some(message),
        replayed: false,
    }
}

/// Binds `$1`…`$20` of either backend's intake statement.
macro_rules! bind_opening {
    ($query:expr, $new:expr, $number:expr, $p:expr) => {
        $query
            .bind($new.customer.identity.channel.as_str())
            .bind(&$new.customer.identity.external_id)
            .bind(&$new.customer.display_name)
            .bind(&$new.customer.email)
            .bind(&$new.customer.phone)
            .bind(&$new.customer.language)
            .bind($new.at.as_millisecond())
            .bind($number.as_string())
            .bind(&$new.subject)
            .bind($new.category.as_str())
            .bind(i32::from($new.priority.rank()))
            .bind($new.status.as_str())
            .bind(&$p.context)
            .bind($new.first_response_due.map(|t| t.as_millisecond()))
            .bind(&$new.body)
            .bind(&$p.attachments)
            .bind(&$p.actor)
            .bind(&$p.opened)
            .bind($new.sla.as_ref().map(|s| s.state.as_str()))
            .bind(&$p.timers)
    };
}

pub(crate) use bind_opening;
