//! Presence, escalation, send-back and transfer routes.

use super::types::TicketView;
use crate::extract::{ApiJson, Authed};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use kefu_domain::{AgentId, AgentPresence};
use kefu_service::escalation::{self, TransferTo};
use kefu_service::lookup::parse_number;
use kefu_service::routing;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The caller's new presence.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresenceRequest {
    #[schema(value_type = crate::openapi::PresenceName)]
    pub presence: String,
}

/// What changed with the presence.
#[derive(Debug, Serialize, ToSchema)]
pub struct PresenceView {
    #[schema(value_type = crate::openapi::PresenceName)]
    pub presence: String,
    /// Numbers of the tickets routed to the caller now that they are online.
    #[schema(pattern = "^[0-9]{15}$")]
    pub assigned: Vec<String>,
    /// Numbers of the chat tickets handed back to the queue because the caller left.
    #[schema(pattern = "^[0-9]{15}$")]
    pub requeued: Vec<String>,
}

/// Sets the caller's presence. Coming online pulls the most urgent tickets the caller can
/// take; going away or offline returns their live chats to the queue.
#[utoipa::path(put, path = "/api/v1/agents/me/presence", operation_id = "set_presence", tag = "routing",
    request_body = PresenceRequest,
    responses((status = 200, body = PresenceView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn set_presence(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<PresenceRequest>,
) -> ApiResult<Json<PresenceView>> {
    let presence = req
        .presence
        .parse::<AgentPresence>()
        .map_err(|e| ApiError::field("presence", e.to_string()))?;
    let done = routing::set_presence(&state, &caller, presence).await?;
    Ok(Json(PresenceView {
        presence: presence.as_str().into(),
        assigned: done.assigned.iter().map(|t| t.number.as_string()).collect(),
        requeued: done.requeued.iter().map(|t| t.number.as_string()).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalateRequest {
    /// A specialist team's code (`account_security`).
    #[schema(pattern = "^[a-z][a-z0-9_]{1,39}$")]
    pub team_code: String,
    /// 1–2,000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Escalates a ticket to a specialist team (its owner or a supervisor).
#[utoipa::path(post, path = "/api/v1/tickets/{number}/escalate", operation_id = "escalate_ticket", tag = "routing",
    params(("number" = String, Path, description = "The ticket number, 15 digits or grouped (`261130-0000-0000-7`)", pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$")), request_body = EscalateRequest,
    responses((status = 200, body = TicketView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn escalate_ticket(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(number): Path<String>,
    ApiJson(req): ApiJson<EscalateRequest>,
) -> ApiResult<Json<TicketView>> {
    let number = parse_number(&number)?;
    let t = escalation::escalate(&state, &caller, &number, &req.team_code, &req.reason).await?;
    Ok(Json(TicketView::from(&t)))
}

/// The specialist's findings.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBackRequest {
    /// 1–2,000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub findings: String,
}

/// Sends an escalated ticket back to its frontline owner (or the queue) with findings,
/// kept as an internal note.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/send-back", operation_id = "send_back_ticket", tag = "routing",
    params(("number" = String, Path, description = "The ticket number, 15 digits or grouped (`261130-0000-0000-7`)", pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$")), request_body = SendBackRequest,
    responses((status = 200, body = TicketView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn send_back_ticket(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(number): Path<String>,
    ApiJson(req): ApiJson<SendBackRequest>,
) -> ApiResult<Json<TicketView>> {
    let number = parse_number(&number)?;
    let t = escalation::send_back(&state, &caller, &number, &req.findings).await?;
    Ok(Json(TicketView::from(&t)))
}

/// To an agent, or back to the queue for a team: exactly one of the two.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    pub agent_id: Option<i64>,
    #[schema(pattern = "^[a-z][a-z0-9_]{1,39}$")]
    pub team_code: Option<String>,
    /// 1–2,000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Transfers a ticket to another agent or team (its owner or a supervisor).
#[utoipa::path(post, path = "/api/v1/tickets/{number}/transfer", operation_id = "transfer_ticket", tag = "routing",
    params(("number" = String, Path, description = "The ticket number, 15 digits or grouped (`261130-0000-0000-7`)", pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$")), request_body = TransferRequest,
    responses((status = 200, body = TicketView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn transfer_ticket(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(number): Path<String>,
    ApiJson(req): ApiJson<TransferRequest>,
) -> ApiResult<Json<TicketView>> {
    let to = match (req.agent_id, req.team_code.as_deref()) {
        (Some(id), None) => TransferTo::Agent(AgentId(id)),
        (None, Some(code)) => TransferTo::Team(code),
        _ => {
            return Err(ApiError::field(
                "agent_id",
                "give exactly one of agent_id and team_code",
            ));
        }
    };
    let number = parse_number(&number)?;
    let t = escalation::transfer(&state, &caller, &number, to, &req.reason).await?;
    Ok(Json(TicketView::from(&t)))
}
