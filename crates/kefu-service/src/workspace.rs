//! The agent's ticket workspace (the console's ticket view): the ticket with every message
//! and internal note, the bot's hand-over summary, the customer's other tickets, suggested
//! knowledge-base answers for the customer's last message (the bot engine's ranking, in the
//! customer's language), the canned replies filled in for this ticket, and what the moves
//! need (teams, agents). Reads only; each move is its own use-case.

use crate::caller::Caller;
use crate::canned::{self, FilledReply};
use crate::core::Core;
use crate::error::ServiceResult;
use crate::handling::{self, TicketDetail};
use crate::help::{self, HelpMatch};
use kefu_bot::Lang;
use kefu_domain::{
    Agent, EventKind, MessageKind, ReplyValues, Team, Ticket, TicketEvent, TicketNumber,
    TicketStatus,
};
use kefu_store::{TicketFilter, TicketSort};

/// Most of the customer's other tickets shown.
pub const OTHER_TICKETS: u32 = 20;
/// Most suggested answers shown.
pub const SUGGESTIONS: usize = 3;

/// Everything the ticket view shows.
pub struct Workspace {
    pub detail: TicketDetail,
    /// The bot's hand-over summary (the latest), when the bot handed the ticket over.
    pub summary: Option<String>,
    /// Why the ticket was sent up to the specialist team holding it, until it is sent back.
    pub escalation_reason: Option<String>,
    pub other_tickets: Vec<Ticket>,
    pub suggestions: Vec<HelpMatch>,
    /// The canned replies in the customer's language, filled in for this ticket.
    pub canned: Vec<FilledReply>,
    pub teams: Vec<Team>,
    /// Active staff, for a transfer.
    pub agents: Vec<Agent>,
    /// The name of the agent who holds the ticket, if any.
    pub assignee_name: Option<String>,
    /// The language the customer writes in (suggestions and canned replies follow it).
    pub lang: Lang,
    /// Whether the caller may take the ticket (open, and not already theirs).
    pub may_take: bool,
    /// Whether the caller may send the escalated ticket back.
    pub may_send_back: bool,
}

/// Reads the workspace of one ticket (any staff member may read any ticket).
pub async fn workspace(
    core: &Core,
    caller: &Caller,
    number: &TicketNumber,
) -> ServiceResult<Workspace> {
    let staff = caller.staff()?;
    let detail = handling::ticket_detail(core, caller, number).await?;
    let t = &detail.ticket;
    let events = core.store.events(t.id).await?;
    let summary = events.iter().rev().find_map(|e| match &e.kind {
        EventKind::HandedOff { summary, .. } => Some(summary.clone()),
        _ => None,
    });
    let escalation_reason = open_escalation_reason(t.status, &events);
    let other_tickets = core
        .store
        .list_tickets(&TicketFilter {
            customer: Some(t.customer_id),
            sort: TicketSort::Newest,
            limit: OTHER_TICKETS.saturating_add(1),
            ..TicketFilter::default()
        })
        .await?
        .into_iter()
        .filter(|o| o.id != t.id)
        .take(usize::try_from(OTHER_TICKETS).unwrap_or(usize::MAX))
        .collect();
    let lang = Lang::parse(&detail.customer.language).unwrap_or_default();
    let last_customer =
        detail.messages.iter().rev().find(|m| {
            m.kind == MessageKind::Customer && says_more_than_asking_for_a_person(&m.body)
        });
    let suggestions = match last_customer {
        // A failed or empty search leaves the panel empty; the ticket still shows.
        Some(m) => help::search(
            core,
            caller,
            &m.body
                .chars()
                .take(help::SEARCH_MAX_CHARS)
                .collect::<String>(),
            lang,
        )
        .await
        .map(|mut s| {
            s.truncate(SUGGESTIONS);
            s
        })
        .unwrap_or_default(),
        None => Vec::new(),
    };
    let agents = crate::admin::active_agents(core).await?;
    let me = agents.iter().find(|a| a.id == staff.agent_id);
    let assignee_name = t
        .assignee
        .and_then(|id| agents.iter().find(|a| a.id == id))
        .map(|a| a.display_name.clone());
    let customer_name = detail.customer.display_name.clone().unwrap_or_default();
    let number = t.number.grouped();
    let values = ReplyValues {
        customer: &customer_name,
        ticket: &number,
        agent: me.map_or("", |a| a.display_name.as_str()),
        subject: &t.subject,
    };
    let canned = canned::filled(
        &canned::list(core, caller, None).await?,
        lang.tag(),
        &values,
    );
    let teams = core.store.list_teams().await?;
    let may_take = t.status.is_open() && t.assignee != Some(staff.agent_id);
    // A specialist who took the escalated ticket (now `assigned` to them) still sends it back.
    let may_send_back = escalation_reason.is_some() && crate::escalation::may_send_back(&staff, t);
    Ok(Workspace {
        may_take,
        may_send_back,
        summary,
        escalation_reason,
        other_tickets,
        suggestions,
        canned,
        teams,
        agents,
        assignee_name,
        lang,
        detail,
    })
}

/// The reason of an open escalation — the ticket is open and its latest escalation was not
/// sent back yet (the store's rule for a send-back), whether a specialist took it or it
/// waits in the team's queue: the specialist reads why it came up (the event log is not on
/// the ticket view).
fn open_escalation_reason(status: TicketStatus, events: &[TicketEvent]) -> Option<String> {
    if !status.is_open() {
        return None;
    }
    events.iter().rev().find_map(|e| match &e.kind {
        EventKind::Escalated { reason, .. } => Some(Some(reason.clone())),
        EventKind::SentBack { .. } => Some(None),
        _ => None,
    })?
}

/// Whether a customer message says something to answer: "转人工" alone would only suggest
/// the entry about reaching a person.
fn says_more_than_asking_for_a_person(body: &str) -> bool {
    let surface = kefu_bot::normalize::normalize_surface(body);
    let rest = kefu_bot::handoff::without_requests(&surface);
    // "我要" or "请" may be left of the request; a question needs a little more.
    rest.chars().filter(|c| c.is_alphanumeric()).count() >= 3
}

#[cfg(test)]
mod tests {
    use super::says_more_than_asking_for_a_person as says_more;
    use super::{EventKind, TicketEvent, TicketStatus, open_escalation_reason};
    use kefu_domain::{Actor, EventId, TicketId};

    fn event(seq: i64, kind: EventKind) -> TicketEvent {
        TicketEvent {
            id: EventId(seq),
            ticket_id: TicketId(1),
            seq,
            actor: Actor::System,
            kind,
            at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    fn escalated(reason: &str) -> EventKind {
        EventKind::Escalated {
            team: "account_security".into(),
            from_agent: None,
            reason: reason.into(),
        }
    }

    fn sent_back() -> EventKind {
        EventKind::SentBack {
            to_agent: None,
            findings: "checked".into(),
        }
    }

    #[test]
    fn the_specialist_reads_the_reason_of_the_open_escalation_queued_or_taken() {
        let once = [event(1, escalated("first time up"))];
        let again = [
            event(1, escalated("first time up")),
            event(2, sent_back()),
            event(3, escalated("up again: the login log")),
        ];
        for status in [TicketStatus::Escalated, TicketStatus::Assigned] {
            assert_eq!(
                open_escalation_reason(status, &once).as_deref(),
                Some("first time up")
            );
            assert_eq!(
                open_escalation_reason(status, &again).as_deref(),
                Some("up again: the login log"),
                "{status:?}"
            );
            assert_eq!(
                open_escalation_reason(status, &again[..2]),
                None,
                "sent back"
            );
            assert_eq!(open_escalation_reason(status, &[]), None, "never escalated");
        }
        assert_eq!(
            open_escalation_reason(TicketStatus::Resolved, &again),
            None,
            "closed"
        );
    }

    #[test]
    fn a_bare_request_for_a_person_is_not_what_the_suggestions_answer() {
        for bare in ["转人工", "我要转人工", "人工客服", "  转人工！ "] {
            assert!(!says_more(bare), "{bare}");
        }
        for real in ["我的账号被封了，转人工", "怎么修改密码", "直播权限怎么开通"]
        {
            assert!(says_more(real), "{real}");
        }
    }
}
