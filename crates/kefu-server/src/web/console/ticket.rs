//! The ticket view, `GET /console/tickets/{number}`: the conversation (customer, bot,
//! agent and internal notes told apart), the bot's hand-over summary, the customer's other
//! tickets, suggested knowledge-base answers and canned replies to insert, and the moves —
//! `POST /console/tickets/{number}/{move}` with `move` one of `take`, `reply`, `note`,
//! `transfer`, `escalate`, `send_back`, `pending`, `resolve`. Each move is one call of a
//! kefu-service use-case as the signed-in staff member; a done move goes back to the view
//! (303), a refused one shows the view again with why.

use super::home::time;
use super::{Console, enter, enter_post};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_domain::{AgentId, Message, MessageKind, TicketNumber, TicketStatus};
use kefu_service::escalation::{self, TransferTo};
use kefu_service::handling;
use kefu_service::inputs::MessageInput;
use kefu_service::lookup::parse_number;
use kefu_service::workspace::{self, Workspace};
use kefu_service::{ServiceError, desk};
use serde::{Deserialize, Serialize};

use super::super::texts::console::ConsoleTexts;

#[derive(Serialize)]
struct MessageView {
    id: i64,
    /// `customer`, `bot`, `agent`, `note`, `system`.
    class: &'static str,
    from: &'static str,
    author: Option<String>,
    body: String,
    created_at: String,
    attachments: Vec<(String, String)>,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct OtherTicket {
    href: String,
    number_display: String,
    subject: String,
    status: &'static str,
    created_at: String,
}

#[derive(Serialize)]
struct Insertable {
    title: String,
    text: String,
}

#[derive(Serialize)]
struct Notice {
    ok: bool,
    text: String,
}

#[derive(Serialize)]
struct TicketPage {
    number: String,
    number_display: String,
    base: String,
    subject: String,
    status: &'static str,
    priority: &'static str,
    category: String,
    channel: &'static str,
    escalation_reason: Option<String>,
    team: Option<String>,
    assignee: Option<String>,
    created_at: String,
    due: Option<String>,
    customer: String,
    summary: Option<String>,
    messages: Vec<MessageView>,
    labels: String,
    other_tickets: Vec<OtherTicket>,
    suggestions: Vec<Insertable>,
    canned: Vec<Insertable>,
    teams: Vec<Choice>,
    specialist_teams: Vec<Choice>,
    agents: Vec<Choice>,
    can_take: bool,
    can_send_back: bool,
    prev: Option<String>,
    next: Option<String>,
    notice: Option<Notice>,
}

fn message_view(m: &Message, c: &ConsoleTexts, w: &Workspace) -> MessageView {
    let (class, from) = match m.kind {
        MessageKind::Customer => ("customer", c.from_customer),
        MessageKind::Bot => ("bot", c.from_bot),
        MessageKind::Agent => ("agent", c.from_agent),
        MessageKind::InternalNote => ("note", c.from_note),
        MessageKind::Survey => ("system", c.from_survey),
        MessageKind::System => ("system", c.from_system),
    };
    MessageView {
        id: m.id.0,
        class,
        from,
        author: m
            .author_agent
            .and_then(|id| w.agents.iter().find(|a| a.id == id))
            .map(|a| a.display_name.clone()),
        body: m.body.clone(),
        created_at: time(m.created_at),
        attachments: m
            .attachments
            .iter()
            .filter(|a| super::super::render::linkable(&a.url))
            .map(|a| (a.name.clone(), a.url.clone()))
            .collect(),
    }
}

fn labels(c: &ConsoleTexts) -> String {
    serde_json::json!({
        "customer": c.from_customer, "bot": c.from_bot, "agent": c.from_agent,
        "internal_note": c.from_note, "system": c.from_system, "survey": c.from_survey,
    })
    .to_string()
}

fn ticket_page(
    console: &Console,
    w: &Workspace,
    due: Option<jiff::Timestamp>,
    neighbours: (Option<String>, Option<String>),
    notice: Option<Notice>,
    category: String,
) -> TicketPage {
    let c = ConsoleTexts::of(console.lang.lang);
    let t = &w.detail.ticket;
    let number = t.number.as_string();
    let team_name = |id| w.teams.iter().find(|x| x.id == id).map(|x| x.name.clone());
    let staff = &console.staff;
    TicketPage {
        base: format!("/console/tickets/{number}"),
        number_display: t.number.grouped(),
        number,
        subject: t.subject.clone(),
        status: t.status.as_str(),
        priority: t.priority.as_str(),
        category,
        channel: c.channel_names.of(t.channel),
        escalation_reason: w.escalation_reason.clone(),
        team: t.team.and_then(team_name),
        assignee: w.assignee_name.clone(),
        created_at: time(t.created_at),
        due: due.map(time),
        customer: w
            .detail
            .customer
            .display_name
            .clone()
            .or_else(|| w.detail.customer.email.clone())
            .unwrap_or_else(|| format!("{} #{}", c.visitor, w.detail.customer.id.0)),
        summary: w.summary.clone(),
        messages: w
            .detail
            .messages
            .iter()
            .map(|m| message_view(m, c, w))
            .collect(),
        labels: labels(c),
        other_tickets: w
            .other_tickets
            .iter()
            .map(|o| OtherTicket {
                href: format!("/console/tickets/{}", o.number.as_string()),
                number_display: o.number.grouped(),
                subject: o.subject.clone(),
                status: o.status.as_str(),
                created_at: time(o.created_at),
            })
            .collect(),
        suggestions: w
            .suggestions
            .iter()
            .map(|s| Insertable {
                title: s.entry.question.clone(),
                text: s.entry.answer.clone(),
            })
            .collect(),
        canned: w
            .canned
            .iter()
            .map(|r| Insertable {
                title: r.title.clone(),
                text: r.text.clone(),
            })
            .collect(),
        teams: w
            .teams
            .iter()
            .map(|x| Choice {
                value: x.code.clone(),
                label: x.name.clone(),
            })
            .collect(),
        specialist_teams: w
            .teams
            .iter()
            .filter(|x| x.specialist)
            .map(|x| Choice {
                value: x.code.clone(),
                label: x.name.clone(),
            })
            .collect(),
        agents: w
            .agents
            .iter()
            .filter(|a| a.id != staff.agent_id)
            .map(|a| Choice {
                value: a.id.0.to_string(),
                label: format!("{} ({})", a.display_name, c.role_names.of(a.role)),
            })
            .collect(),
        can_take: w.may_take,
        can_send_back: w.may_send_back,
        prev: neighbours.0,
        next: neighbours.1,
        notice,
    }
}

/// The tickets before and after this one on the caller's desk (for `j` / `k`).
async fn neighbours(
    state: &AppState,
    console: &Console,
    number: &str,
) -> (Option<String>, Option<String>) {
    let Ok(d) = desk::desk(state, &console.caller).await else {
        return (None, None);
    };
    let all: Vec<String> = d
        .mine
        .iter()
        .chain(&d.queue)
        .map(|x| x.ticket.number.as_string())
        .collect();
    let href = |n: &String| format!("/console/tickets/{n}");
    match all.iter().position(|n| n == number) {
        Some(i) => (
            i.checked_sub(1).and_then(|p| all.get(p)).map(href),
            all.get(i + 1).map(href),
        ),
        None => (None, all.first().map(href)),
    }
}

async fn show(
    state: &AppState,
    console: &Console,
    number: &TicketNumber,
    status: StatusCode,
    notice: Option<Notice>,
) -> Response {
    match workspace::workspace(state, &console.caller, number).await {
        Ok(w) => {
            let n = neighbours(state, console, &number.as_string()).await;
            let due = desk::deadline(state, &w.detail.ticket).map(|(_, at)| at);
            let category = state
                .catalogue()
                .category_name(w.detail.ticket.category.as_str(), console.lang.lang);
            console.page(
                "home",
                status,
                "console/ticket.html",
                ticket_page(console, &w, due, n, notice, category),
            )
        }
        Err(e) => console.service_error(&e),
    }
}

/// A malformed number reads like a missing ticket.
fn not_found(console: &Console) -> Response {
    super::error_page(&console.lang, Some(console), StatusCode::NOT_FOUND)
}

/// `GET /console/tickets/{number}`.
pub async fn show_ticket(
    State(state): State<AppState>,
    Path(number): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let console = match enter(&state, &uri, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(number) = parse_number(&number) else {
        return not_found(&console);
    };
    let done = uri
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "done=1"));
    let notice = done.then(|| Notice {
        ok: true,
        text: ConsoleTexts::of(console.lang.lang).done.to_owned(),
    });
    show(&state, &console, &number, StatusCode::OK, notice).await
}

/// The fields of every move's form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MoveForm {
    csrf: Option<String>,
    body: String,
    reason: String,
    findings: String,
    team: String,
    agent: String,
    /// On a reply: also wait for the customer.
    then: String,
}

async fn run_move(
    state: &AppState,
    console: &Console,
    number: &TicketNumber,
    action: &str,
    f: MoveForm,
) -> Result<(), ServiceError> {
    let caller = &console.caller;
    match action {
        "take" => handling::take(state, caller, number).await.map(|_| ()),
        "reply" => {
            let then = (f.then == "pending").then_some(TicketStatus::PendingCustomer);
            let input = MessageInput {
                body: f.body,
                attachments: Vec::new(),
            };
            handling::reply(state, caller, number, input, then)
                .await
                .map(|_| ())
        }
        "note" => {
            let input = MessageInput {
                body: f.body,
                attachments: Vec::new(),
            };
            handling::note(state, caller, number, input)
                .await
                .map(|_| ())
        }
        "transfer" => {
            let to = match (f.agent.trim(), f.team.trim()) {
                ("", "") => return Err(ServiceError::field("agent", "choose an agent or a team")),
                ("", team) => TransferTo::Team(team),
                (agent, _) => TransferTo::Agent(AgentId(
                    agent
                        .parse()
                        .map_err(|_| ServiceError::field("agent", "must be an agent id"))?,
                )),
            };
            escalation::transfer(state, caller, number, to, &f.reason)
                .await
                .map(|_| ())
        }
        "escalate" => escalation::escalate(state, caller, number, f.team.trim(), &f.reason)
            .await
            .map(|_| ()),
        "send_back" => escalation::send_back(state, caller, number, &f.findings)
            .await
            .map(|_| ()),
        "pending" => {
            handling::change_status(state, caller, number, TicketStatus::PendingCustomer, None)
                .await
                .map(|_| ())
        }
        "resolve" => handling::change_status(state, caller, number, TicketStatus::Resolved, None)
            .await
            .map(|_| ()),
        _ => Err(ServiceError::new(
            kefu_service::ErrorCode::NotFound,
            "There is no such move.",
        )),
    }
}

fn refusal(e: &ServiceError) -> String {
    e.errors
        .first()
        .map_or(e.detail.clone(), |f| format!("{}: {}", f.field, f.message))
}

/// `POST /console/tickets/{number}/{move}`.
pub async fn move_ticket(
    State(state): State<AppState>,
    Path((number, action)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: MoveForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let console = match enter_post(&state, &uri, &headers, form.csrf.as_deref()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(number) = parse_number(&number) else {
        return not_found(&console);
    };
    let back = format!("/console/tickets/{}?done=1", number.as_string());
    match run_move(&state, &console, &number, &action, form).await {
        Ok(()) => Redirect::to(&back).into_response(),
        Err(e) => {
            let status = crate::problem::status(e.code);
            if status.is_server_error() || e.code == kefu_service::ErrorCode::TicketNotFound {
                return console.service_error(&e);
            }
            let c = ConsoleTexts::of(console.lang.lang);
            let notice = Notice {
                ok: false,
                text: format!("{} {}", c.refused, refusal(&e)),
            };
            show(&state, &console, &number, status, Some(notice)).await
        }
    }
}
