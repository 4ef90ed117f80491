//! The agent's desk, `GET /console`: my open tickets and the queue I may take from, each
//! with its SLA deadline (the page's script counts down to it in the viewer's time zone),
//! and the presence switch (`POST /console/presence`). `GET /console/desk.json` gives the
//! same lists to the script, which reloads them when the live channel reports a change or
//! every few seconds (new tickets reach nobody's live subscription until they are listed).

use super::super::texts::console::ConsoleTexts;
use super::{Console, enter, enter_post};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_domain::AgentPresence;
use kefu_service::desk::{self, DeskTicket, SlaClock};
use kefu_service::routing;
use serde::{Deserialize, Serialize};

/// One ticket row of the desk.
#[derive(Debug, Serialize)]
pub struct Row {
    pub number: String,
    pub number_display: String,
    pub href: String,
    pub subject: String,
    pub status: &'static str,
    pub priority: &'static str,
    /// The status and priority in the reader's language.
    pub status_label: &'static str,
    pub priority_label: &'static str,
    /// The SLA deadline (RFC 3339, UTC), and which target it is (`first_response`,
    /// `resolution`).
    pub due: Option<String>,
    pub clock: Option<&'static str>,
}

/// Both lists of the desk.
#[derive(Debug, Serialize)]
pub struct DeskView {
    pub mine: Vec<Row>,
    pub queue: Vec<Row>,
}

pub(crate) fn time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(crate) fn row(d: &DeskTicket, c: &'static ConsoleTexts) -> Row {
    let t = &d.ticket;
    let number = t.number.as_string();
    Row {
        href: format!("/console/tickets/{number}"),
        number_display: t.number.grouped(),
        number,
        subject: t.subject.clone(),
        status: t.status.as_str(),
        priority: t.priority.as_str(),
        status_label: c.status_name(t.status.as_str()),
        priority_label: c.priority_name(t.priority.as_str()),
        due: d.due.map(|(_, at)| time(at)),
        clock: d.due.map(|(clock, _)| match clock {
            SlaClock::FirstResponse => "first_response",
            SlaClock::Resolution => "resolution",
        }),
    }
}

fn view(d: &desk::Desk, console: &Console) -> DeskView {
    let c = ConsoleTexts::of(console.lang.lang);
    DeskView {
        mine: d.mine.iter().map(|x| row(x, c)).collect(),
        queue: d.queue.iter().map(|x| row(x, c)).collect(),
    }
}

async fn desk_of(state: &AppState, console: &Console) -> Result<DeskView, Response> {
    desk::desk(state, &console.caller)
        .await
        .map(|d| view(&d, console))
        .map_err(|e| console.service_error(&e))
}

/// `GET /console`: the desk.
pub async fn show_desk(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let console = match enter(&state, &uri, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match desk_of(&state, &console).await {
        Ok(v) => console.page("home", StatusCode::OK, "console/home.html", v),
        Err(r) => r,
    }
}

/// `GET /console/desk.json`: the desk's lists for the page's script (403 when signed out:
/// the script then reloads the page, which goes to the sign-in form).
pub async fn desk_json(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let Ok(console) = enter(&state, &uri, &headers).await else {
        return StatusCode::FORBIDDEN.into_response();
    };
    match desk::desk(&state, &console.caller).await {
        Ok(d) => (
            [(axum::http::header::CACHE_CONTROL, "no-store")],
            Json(view(&d, &console)),
        )
            .into_response(),
        Err(e) => crate::problem::ApiError(e).into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PresenceForm {
    csrf: Option<String>,
    presence: String,
}

/// `POST /console/presence`: sets the caller's presence, then back to the desk.
pub async fn set_presence(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: PresenceForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let console = match enter_post(&state, &uri, &headers, form.csrf.as_deref()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let presence = match form.presence.as_str() {
        "online" => AgentPresence::Online,
        "away" => AgentPresence::Away,
        "offline" => AgentPresence::Offline,
        _ => {
            return console.service_error(&kefu_service::ServiceError::field(
                "presence",
                "must be online, away or offline",
            ));
        }
    };
    match routing::set_presence(&state, &console.caller, presence).await {
        Ok(_) => Redirect::to("/console").into_response(),
        Err(e) => console.service_error(&e),
    }
}
