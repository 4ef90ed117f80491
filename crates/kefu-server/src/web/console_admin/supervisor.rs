//! `GET /console/supervisor`: the live dashboard — the queue by domain and priority, staff
//! on duty with presence and load, the tickets nearest to an SLA breach (each with a form
//! to reassign it), today's arrivals against rostered and Erlang C staff, and the bot's
//! containment, with two charts drawn as SVG ([`crate::web::charts`]). The page's script
//! swaps in `GET /console/supervisor/live` (the same section) every few seconds;
//! `POST /console/supervisor/assign` reassigns a ticket.

use super::super::charts::{self, ChartTexts};
use super::super::console::{Console, enter};
use super::super::render::environment;
use super::super::texts::console::ConsoleTexts;
use super::super::texts::console_admin::AdminTexts;
use super::{WithTexts, page, posted, redirect, time};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use kefu_domain::AgentId;
use kefu_service::dashboard::{self, Dashboard, Targets};
use kefu_service::lookup::parse_number;
use kefu_service::types::{DEFAULT_TIME_ZONE, time_zone};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

#[derive(Serialize)]
struct Lane {
    category: String,
    priority: &'static str,
    priority_label: &'static str,
    escalated: bool,
    count: u64,
}

#[derive(Serialize)]
struct Duty {
    name: String,
    role: &'static str,
    presence: &'static str,
    on_shift: bool,
    chats: u32,
    capacity: u16,
    tickets: u32,
}

#[derive(Serialize)]
struct Near {
    number: String,
    number_display: String,
    subject: String,
    priority: &'static str,
    priority_label: &'static str,
    status: &'static str,
    status_label: &'static str,
    assignee: Option<String>,
    due: String,
}

#[derive(Serialize)]
struct Pick {
    id: i64,
    name: String,
}

#[derive(Serialize)]
struct DashboardPage {
    at: String,
    queue: Vec<Lane>,
    duty: Vec<Duty>,
    nearest: Vec<Near>,
    agents: Vec<Pick>,
    hours_svg: String,
    queue_svg: String,
    bot_conversations: u64,
    bot_contained: u64,
    bot_rate: Option<String>,
    staffing_note: String,
    csrf: String,
}

fn chart_texts(a: &AdminTexts) -> ChartTexts {
    ChartTexts {
        hours_caption: a.chart_hours,
        arrivals: a.chart_arrivals,
        rostered: a.chart_rostered,
        needed: a.chart_needed,
        hour_axis: a.chart_hour_axis,
        count_axis: a.chart_count_axis,
        queue_caption: a.chart_queue,
        queue_empty: a.queue_empty,
        priorities: a.priorities,
    }
}

/// A priority's label in the page's language.
fn priority_label(a: &AdminTexts, p: kefu_domain::Priority) -> &'static str {
    let at = kefu_domain::Priority::ALL.iter().position(|x| *x == p);
    at.map_or(p.as_str(), |i| a.priorities[i])
}

fn view(
    d: Dashboard,
    agents: Vec<kefu_domain::Agent>,
    category_name: &dyn Fn(&str) -> String,
    a: &AdminTexts,
    c: &'static ConsoleTexts,
    csrf: &str,
) -> DashboardPage {
    let name_of = |id: AgentId| {
        agents
            .iter()
            .find(|x| x.id == id)
            .map_or_else(|| format!("#{}", id.0), |x| x.display_name.clone())
    };
    let t = chart_texts(a);
    let hours_svg = charts::hours_chart(&d.hours, &t).unwrap_or_else(|e| {
        tracing::error!(error = %e, "the hours chart did not draw");
        String::new()
    });
    let queue_svg = charts::queue_chart(&d.queue, category_name, &t).unwrap_or_else(|e| {
        tracing::error!(error = %e, "the queue chart did not draw");
        String::new()
    });
    let Targets {
        aht_seconds,
        service_level,
        answer_seconds,
        shrinkage,
    } = d.targets;
    DashboardPage {
        at: time(d.at),
        queue: d
            .queue
            .iter()
            .map(|w| Lane {
                category: category_name(w.category.as_str()),
                priority: w.priority.as_str(),
                priority_label: priority_label(a, w.priority),
                escalated: w.escalated,
                count: w.count,
            })
            .collect(),
        duty: d
            .staff
            .iter()
            .map(|s| Duty {
                name: s.agent.display_name.clone(),
                role: s.agent.role.as_str(),
                presence: s.presence.as_str(),
                on_shift: s.on_shift,
                chats: s.chats,
                capacity: s.agent.chat_capacity,
                tickets: s.tickets,
            })
            .collect(),
        nearest: d
            .nearest_breach
            .iter()
            .map(|n| Near {
                number: n.ticket.number.as_string(),
                number_display: n.ticket.number.grouped(),
                subject: n.ticket.subject.clone(),
                priority: n.ticket.priority.as_str(),
                priority_label: priority_label(a, n.ticket.priority),
                status: n.ticket.status.as_str(),
                status_label: c.status_name(n.ticket.status.as_str()),
                assignee: n.ticket.assignee.map(name_of),
                due: time(n.due_at),
            })
            .collect(),
        agents: agents
            .iter()
            .filter(|x| x.active)
            .map(|x| Pick {
                id: x.id.0,
                name: x.display_name.clone(),
            })
            .collect(),
        hours_svg,
        queue_svg,
        bot_conversations: d.bot.conversations,
        bot_contained: d.bot.contained,
        bot_rate: d.bot.rate.map(|r| format!("{:.0}%", r * 100.0)),
        staffing_note: a
            .staffing_note
            .replace("{aht}", &format!("{aht_seconds:.0}"))
            .replace("{sl}", &format!("{:.0}", service_level * 100.0))
            .replace("{answer}", &format!("{answer_seconds:.0}"))
            .replace("{shrink}", &format!("{:.0}", shrinkage * 100.0)),
        csrf: csrf.to_owned(),
    }
}

async fn read(state: &AppState, console: &Console) -> Result<DashboardPage, Response> {
    let zone = time_zone(DEFAULT_TIME_ZONE)
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())?;
    let d = dashboard::dashboard(state, &console.caller, &zone, Targets::default())
        .await
        .map_err(|e| console.service_error(&e))?;
    let agents = kefu_service::admin::list_agents(state, &console.caller)
        .await
        .map_err(|e| console.service_error(&e))?;
    let catalogue = state.catalogue();
    let lang = console.lang.lang;
    let category_name = |code: &str| catalogue.category_name(code, lang);
    Ok(view(
        d,
        agents,
        &category_name,
        AdminTexts::of(lang),
        ConsoleTexts::of(lang),
        &console.csrf,
    ))
}

/// `GET /console/supervisor`.
pub async fn show_dashboard(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let console = match enter(&state, &uri, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match read(&state, &console).await {
        Ok(v) => page(&console, "supervisor", "console/supervisor.html", v),
        Err(r) => r,
    }
}

static FRAGMENT: LazyLock<minijinja::Environment<'static>> = LazyLock::new(|| {
    environment(&[(
        "console/supervisor_live.html",
        include_str!("../templates/console/supervisor_live.html"),
    )])
});

/// `GET /console/supervisor/live`: the dashboard's section alone, for the page's script
/// (403 when signed out: the script then reloads the page).
pub async fn dashboard_fragment(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let Ok(console) = enter(&state, &uri, &headers).await else {
        return StatusCode::FORBIDDEN.into_response();
    };
    let v = match read(&state, &console).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let value = WithTexts {
        a: AdminTexts::of(console.lang.lang),
        page: v,
    };
    match FRAGMENT
        .get_template("console/supervisor_live.html")
        .and_then(|t| t.render(&value))
    {
        Ok(html) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "the dashboard fragment did not render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AssignForm {
    number: String,
    agent_id: String,
}

/// `POST /console/supervisor/assign`: gives a ticket to the picked agent, then back to
/// the dashboard.
pub async fn reassign(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, f): (_, AssignForm) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let number = match parse_number(&f.number) {
        Ok(n) => n,
        Err(e) => return console.service_error(&e),
    };
    let Ok(agent) = f.agent_id.trim().parse::<i64>() else {
        return console.service_error(&kefu_service::ServiceError::field(
            "agent_id",
            "pick an agent",
        ));
    };
    let done =
        kefu_service::handling::assign(&state, &console.caller, &number, AgentId(agent), None)
            .await;
    redirect(&console, done, |_| "/console/supervisor".into())
}
