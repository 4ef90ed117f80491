//! `GET /api/v1/dashboard`: the supervisor's live dashboard as JSON (the console's
//! supervisor page draws the same read).

use crate::extract::{ApiQuery, Authed};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use kefu_service::dashboard::{self, Dashboard, Targets};
use kefu_service::types::{DEFAULT_TIME_ZONE, time_zone};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The dashboard's parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DashboardQuery {
    /// IANA zone "today" and its hours are in; default `Asia/Shanghai`.
    #[param(example = "Asia/Shanghai")]
    pub time_zone: Option<String>,
}

/// Unowned tickets waiting in one lane.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QueueLaneView {
    pub category: String,
    #[schema(value_type = crate::openapi::PriorityName)]
    pub priority: String,
    /// Escalated to a specialist team (else the frontline queue).
    pub escalated: bool,
    pub count: u64,
}

/// A staff member signed in (or still holding tickets).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DutyView {
    pub agent_id: i64,
    pub display_name: String,
    #[schema(value_type = crate::openapi::AgentRoleName)]
    pub role: String,
    #[schema(value_type = crate::openapi::PresenceName)]
    pub presence: String,
    /// On shift by their roster now (always, without one).
    pub on_shift: bool,
    /// Live chats held, against the chat capacity.
    pub chats: u32,
    pub chat_capacity: u16,
    /// Asynchronous tickets held.
    pub tickets: u32,
}

/// A ticket close to an SLA breach.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BreachView {
    #[schema(pattern = "^[0-9]{15}$")]
    pub ticket_number: String,
    pub subject: String,
    pub category: String,
    #[schema(value_type = crate::openapi::PriorityName)]
    pub priority: String,
    #[schema(value_type = crate::openapi::TicketStatusName)]
    pub status: String,
    pub assignee_id: Option<i64>,
    /// When the earliest pending target is breached (may be past: the timer has not fired).
    #[schema(value_type = String, format = DateTime)]
    pub due_at: jiff::Timestamp,
}

/// One local hour of today.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HourView {
    #[schema(minimum = 0, maximum = 23)]
    pub hour: i8,
    /// Tickets opened in this hour so far.
    pub arrivals: u64,
    /// Agents the rosters put on duty (agents without a roster count every hour).
    pub rostered: u32,
    /// Agents Erlang C asks for these arrivals, after shrinkage.
    pub needed: u32,
}

/// The bot today.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BotTodayView {
    /// Tickets opened today that the bot spoke in.
    pub conversations: u64,
    /// Of those, resolved by the bot itself.
    pub contained: u64,
    /// `contained / conversations`; `null` before the first conversation.
    pub containment_rate: Option<f64>,
}

/// The service targets the `needed` column was computed with.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TargetsView {
    pub aht_seconds: f64,
    pub service_level: f64,
    pub answer_seconds: f64,
    pub shrinkage: f64,
}

/// The supervisor dashboard.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DashboardView {
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
    pub time_zone: String,
    pub queue: Vec<QueueLaneView>,
    pub on_duty: Vec<DutyView>,
    pub nearest_breach: Vec<BreachView>,
    /// 24 local hours of today.
    pub hours: Vec<HourView>,
    pub bot: BotTodayView,
    pub targets: TargetsView,
}

impl DashboardView {
    pub fn of(d: Dashboard, time_zone: &str) -> Self {
        Self {
            at: d.at,
            time_zone: time_zone.to_owned(),
            queue: d
                .queue
                .into_iter()
                .map(|w| QueueLaneView {
                    category: w.category.as_str().to_owned(),
                    priority: w.priority.as_str().to_owned(),
                    escalated: w.escalated,
                    count: w.count,
                })
                .collect(),
            on_duty: d
                .staff
                .into_iter()
                .map(|s| DutyView {
                    agent_id: s.agent.id.0,
                    display_name: s.agent.display_name,
                    role: s.agent.role.to_string(),
                    presence: s.presence.as_str().to_owned(),
                    on_shift: s.on_shift,
                    chats: s.chats,
                    chat_capacity: s.agent.chat_capacity,
                    tickets: s.tickets,
                })
                .collect(),
            nearest_breach: d
                .nearest_breach
                .into_iter()
                .map(|b| BreachView {
                    ticket_number: b.ticket.number.as_string(),
                    subject: b.ticket.subject,
                    category: b.ticket.category.as_str().to_owned(),
                    priority: b.ticket.priority.as_str().to_owned(),
                    status: b.ticket.status.as_str().to_owned(),
                    assignee_id: b.ticket.assignee.map(|a| a.0),
                    due_at: b.due_at,
                })
                .collect(),
            hours: d
                .hours
                .into_iter()
                .map(|h| HourView {
                    hour: h.hour,
                    arrivals: h.arrivals,
                    rostered: h.rostered,
                    needed: h.needed,
                })
                .collect(),
            bot: BotTodayView {
                conversations: d.bot.conversations,
                contained: d.bot.contained,
                containment_rate: d.bot.rate,
            },
            targets: TargetsView {
                aht_seconds: d.targets.aht_seconds,
                service_level: d.targets.service_level,
                answer_seconds: d.targets.answer_seconds,
                shrinkage: d.targets.shrinkage,
            },
        }
    }
}

/// The zone a dashboard is read in: `time_zone` or the default, checked.
pub fn zone_of(name: Option<&str>) -> Result<(String, jiff::tz::TimeZone), ApiError> {
    let name = name.map(str::trim).unwrap_or(DEFAULT_TIME_ZONE);
    let zone = time_zone(name).map_err(|_| {
        ApiError::field(
            "time_zone",
            format!("{name:?} is not a known IANA time zone"),
        )
    })?;
    Ok((name.to_owned(), zone))
}

/// The live queue by domain and priority, staff signed in with presence and load, the
/// tickets nearest to an SLA breach, today's arrivals per local hour against rostered and
/// needed (Erlang C) staff, and the bot's containment today (supervisors and admins).
#[utoipa::path(get, path = "/api/v1/dashboard", operation_id = "find_dashboard", tag = "routing",
    params(DashboardQuery),
    responses((status = 200, body = DashboardView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn find_dashboard(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> ApiResult<Json<DashboardView>> {
    let (name, zone) = zone_of(q.time_zone.as_deref())?;
    let d = dashboard::dashboard(&state, &caller, &zone, Targets::default()).await?;
    Ok(Json(DashboardView::of(d, &name)))
}
