//! The agent side: reading tickets, list views, taking, replying, notes, status and
//! classification changes. Staff may read every ticket and take queued ones; changes follow
//! the one ownership rule of [`Staff::may_change`].

use super::intake::attachments;
use super::validate::Checks;
use crate::caller::{Caller, Staff};
use crate::core::Core;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::inputs::MessageInput;
use jiff::Timestamp;
use kefu_domain::ticket::BODY_MAX_CHARS;
use kefu_domain::{
    AgentId, AgentRole, CategoryCode, Customer, Message, MessageKind, Priority, Ticket,
    TicketEvent, TicketNumber, TicketStatus,
};
use kefu_store::{Assignment, NewMessage, StatusChange, StoreError, TicketFilter, TicketPatch};

/// The ticket by number, for any staff member.
pub async fn ticket(core: &Core, caller: &Caller, number: &TicketNumber) -> ServiceResult<Ticket> {
    caller.staff()?;
    by_number(core, number).await
}

pub(crate) async fn by_number(core: &Core, number: &TicketNumber) -> ServiceResult<Ticket> {
    core.store
        .ticket_by_number(number)
        .await?
        .ok_or_else(|| ServiceError::new(ErrorCode::TicketNotFound, format!("No ticket {number}.")))
}

/// A ticket with everything staff need to work it.
pub struct TicketDetail {
    pub ticket: Ticket,
    pub customer: Customer,
    /// All messages, internal notes included.
    pub messages: Vec<Message>,
    /// The skill it waits for that no active agent has (`language:en`), when routing
    /// flagged it ([`crate::starving`]).
    pub unroutable: Option<String>,
}

/// Reads one ticket with its customer and every message.
pub async fn ticket_detail(
    core: &Core,
    caller: &Caller,
    number: &TicketNumber,
) -> ServiceResult<TicketDetail> {
    let ticket = ticket(core, caller, number).await?;
    let customer = core.store.customer(ticket.customer_id).await?;
    let mut messages = core.store.messages(ticket.id, true).await?;
    crate::attachments::sign_links(core, &mut messages);
    let unroutable = crate::starving::flag(&core.store.events(ticket.id).await?);
    Ok(TicketDetail {
        ticket,
        customer,
        messages,
        unroutable,
    })
}

/// The full event log of a ticket.
pub async fn ticket_events(
    core: &Core,
    caller: &Caller,
    number: &TicketNumber,
) -> ServiceResult<Vec<TicketEvent>> {
    let ticket = ticket(core, caller, number).await?;
    Ok(core.store.events(ticket.id).await?)
}

/// Who the agent-side list is narrowed to, as the caller named them.
#[derive(Debug, Clone, Default)]
pub struct ListScope {
    /// `me`, or an agent id.
    pub assignee: Option<String>,
    /// A team's code (`account_security`) or id.
    pub team: Option<String>,
    /// The customer's e-mail address.
    pub customer_email: Option<String>,
}

/// A page of the agent-side list (my tickets, a team's queue, a customer's history).
pub async fn list_tickets(
    core: &Core,
    caller: &Caller,
    mut filter: TicketFilter,
    scope: ListScope,
) -> ServiceResult<Vec<Ticket>> {
    let staff = caller.staff()?;
    filter.assignee = match scope.assignee.as_deref().map(str::trim) {
        None => filter.assignee,
        Some("me") => Some(staff.agent_id),
        Some(id) => Some(AgentId(id.parse().map_err(|_| {
            ServiceError::field("assignee", "must be an agent id or `me`")
        })?)),
    };
    if let Some(team) = scope.team.as_deref().map(str::trim) {
        let teams = core.store.list_teams().await?;
        let found = teams
            .iter()
            .find(|t| t.code == team || team.parse::<i64>().is_ok_and(|id| id == t.id.0))
            .ok_or_else(|| ServiceError::field("team", format!("no team {team:?}")))?;
        filter.team = Some(found.id);
    }
    if let Some(email) = scope.customer_email.as_deref() {
        let lookup = kefu_store::CustomerLookup::Email(email.trim().to_lowercase());
        match core.store.find_customer(&lookup).await? {
            Some(c) => filter.customer = Some(c.id),
            None => return Ok(vec![]),
        }
    }
    Ok(core.store.list_tickets(&filter).await?)
}

/// Takes a ticket: queued or unowned tickets go to the caller; someone else's only for
/// supervisors.
pub async fn take(core: &Core, caller: &Caller, number: &TicketNumber) -> ServiceResult<Ticket> {
    let staff = caller.staff()?;
    let t = by_number(core, number).await?;
    if t.assignee.is_some_and(|a| a != staff.agent_id) {
        staff.require_owner(&t)?;
    }
    write_assignment(
        core,
        &staff,
        &t,
        staff.agent_id,
        "taken by the agent".into(),
    )
    .await
}

/// Assigns a ticket to an agent (supervisors and admins).
pub async fn assign(
    core: &Core,
    caller: &Caller,
    number: &TicketNumber,
    agent: AgentId,
    reason: Option<String>,
) -> ServiceResult<Ticket> {
    let staff = caller.staff()?;
    staff.require(AgentRole::Supervisor)?;
    let reason = match reason {
        Some(r) => super::escalation::reason_text("reason", &r)?,
        None => "assigned by a supervisor".into(),
    };
    let t = by_number(core, number).await?;
    write_assignment(core, &staff, &t, agent, reason).await
}

async fn write_assignment(
    core: &Core,
    staff: &Staff,
    t: &Ticket,
    agent: AgentId,
    reason: String,
) -> ServiceResult<Ticket> {
    let assignment = Assignment {
        ticket_id: t.id,
        agent_id: agent,
        actor: Caller::Staff(*staff).actor(),
        reason,
        at: Timestamp::now(),
    };
    core.store
        .assign_ticket(assignment)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ServiceError::field("agent_id", "no such agent"),
            other => other.into(),
        })
}

/// A reply to the customer, optionally moving the ticket (usually to pending_customer or
/// resolved). The body is checked first; replying to an unowned open ticket takes it.
pub async fn reply(
    core: &Core,
    caller: &Caller,
    number: &TicketNumber,
    input: MessageInput,
    status: Option<TicketStatus>,
) -> ServiceResult<Message> {
    let staff = caller.staff()?;
    let (body, files) = checked_message(&input)?;
    let mut t = by_number(core, number).await?;
    if t.assignee.is_none() && t.status.is_open() {
        t = take(core, caller, number).await?;
    }
    staff.require_owner(&t)?;
    let m = write(core, &staff, &t, MessageKind::Agent, body, files, status).await?;
    let after = core.store.ticket(t.id).await?;
    super::routing::follow(core, &t, &after, super::routing::Wrote::Agent).await;
    Ok(m)
}

/// An internal note, visible to staff only. Anyone on staff may add one.
pub async fn note(
    core: &Core,
    caller: &Caller,
    number: &TicketNumber,
    input: MessageInput,
) -> ServiceResult<Message> {
    let staff = caller.staff()?;
    let (body, files) = checked_message(&input)?;
    let t = by_number(core, number).await?;
    write(
        core,
        &staff,
        &t,
        MessageKind::InternalNote,
        body,
        files,
        None,
    )
    .await
}

fn checked_message(input: &MessageInput) -> ServiceResult<(String, Vec<kefu_domain::Attachment>)> {
    let mut c = Checks::default();
    // A message may be a file alone.
    let min_body = usize::from(input.attachments.is_empty());
    let body = c.text("body", &input.body, min_body, BODY_MAX_CHARS);
    let files = attachments(&mut c, "attachments", &input.attachments);
    c.finish()?;
    Ok((body, files))
}

async fn write(
    core: &Core,
    staff: &Staff,
    t: &Ticket,
    kind: MessageKind,
    body: String,
    attachments: Vec<kefu_domain::Attachment>,
    status: Option<TicketStatus>,
) -> ServiceResult<Message> {
    // Uploaded files must be the writer's own or already on the ticket; they are bound to
    // it now that the writer may write there.
    let mut attachments = attachments;
    let caller = Caller::Staff(*staff);
    crate::attachments::resolve(
        core,
        &caller,
        crate::attachments::Target::Ticket(t.id),
        "attachments",
        &mut attachments,
    )
    .await?;
    crate::attachments::bind(core, &caller, t.id, &attachments).await?;
    let now = Timestamp::now();
    let new = NewMessage {
        ticket_id: t.id,
        kind,
        actor: Caller::Staff(*staff).actor(),
        author_agent: Some(staff.agent_id),
        body,
        attachments,
        then_status: status,
        at: now,
    };
    let jobs = on_resolution(core, staff, t, status, now);
    let m = core.store.add_message_with_jobs(new, jobs).await?;
    core.events_written();
    let mut written = [m];
    crate::attachments::sign_links(core, &mut written);
    let [m] = written;
    Ok(m)
}

/// The jobs a move to `to` brings, written with the change: resolving enqueues the
/// `ticket.close` job (see `jobs::close`) and the satisfaction survey asking for a score,
/// on behalf of the assignee (else the staff member resolving it).
fn on_resolution(
    core: &Core,
    staff: &Staff,
    t: &Ticket,
    to: Option<TicketStatus>,
    at: Timestamp,
) -> Vec<kefu_store::NewJob> {
    if to == Some(TicketStatus::Resolved) && t.status != TicketStatus::Resolved {
        let agent = t.assignee.or(Some(staff.agent_id));
        let survey = crate::survey::send::job(core, t, kefu_domain::SurveyForm::Score, agent, at);
        std::iter::once(crate::jobs::close::job(core, t.id, at))
            .chain(survey)
            .collect()
    } else {
        Vec::new()
    }
}

/// Longest status-change reason, in characters.
pub const STATUS_REASON_MAX_CHARS: usize = 500;

/// Moves a ticket through the status machine.
pub async fn change_status(
    core: &Core,
    caller: &Caller,
    number: &TicketNumber,
    to: TicketStatus,
    reason: Option<String>,
) -> ServiceResult<Ticket> {
    let staff = caller.staff()?;
    let mut c = Checks::default();
    let reason = c.opt_text("reason", reason.as_deref(), STATUS_REASON_MAX_CHARS);
    c.finish()?;
    let t = by_number(core, number).await?;
    staff.require_owner(&t)?;
    let now = Timestamp::now();
    let change = StatusChange {
        ticket_id: t.id,
        to,
        actor: caller.actor(),
        reason,
        at: now,
    };
    let jobs = on_resolution(core, &staff, &t, Some(to), now);
    let after = core.store.change_status_with_jobs(change, jobs).await?;
    core.events_written();
    super::routing::follow(core, &t, &after, super::routing::Wrote::Nobody).await;
    Ok(after)
}

/// Re-classifies a ticket; the category must be in the catalogue.
pub async fn update(
    core: &Core,
    caller: &Caller,
    number: &TicketNumber,
    category: Option<&str>,
    priority: Option<Priority>,
) -> ServiceResult<Ticket> {
    let staff = caller.staff()?;
    let category = match category {
        None => None,
        Some(code) if core.catalogue().has_category(code) => Some(
            CategoryCode::parse(code)
                .map_err(|e| ServiceError::field("category", e.to_string()))?,
        ),
        Some(code) => {
            return Err(ServiceError::field(
                "category",
                format!("unknown category {code:?}"),
            ));
        }
    };
    let t = by_number(core, number).await?;
    staff.require_owner(&t)?;
    reclassify(core, &t, category, priority, caller.actor()).await
}

/// Changes a ticket's category and/or priority; its SLA targets and first-response
/// deadline follow (time already counted stays counted).
pub async fn reclassify(
    core: &Core,
    t: &Ticket,
    category: Option<CategoryCode>,
    priority: Option<Priority>,
    actor: kefu_domain::Actor,
) -> ServiceResult<Ticket> {
    let mut changed = t.clone();
    if let Some(c) = &category {
        changed.category = c.clone();
    }
    if let Some(p) = priority {
        changed.priority = p;
    }
    let retarget = changed.category != t.category || changed.priority != t.priority;
    let patch = TicketPatch {
        ticket_id: t.id,
        category,
        priority,
        first_response_due: retarget
            .then(|| super::sla::first_response_due(&core.catalogue(), &changed))
            .flatten(),
        actor,
        at: Timestamp::now(),
    };
    let after = core.store.update_ticket(patch).await?;
    if retarget {
        super::sla::record(
            core,
            &after,
            super::sla::SlaEvent::Retargeted,
            after.updated_at,
        )
        .await;
    }
    Ok(after)
}
