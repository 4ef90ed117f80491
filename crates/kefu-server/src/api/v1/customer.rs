//! `/api/v1/customer/tickets`: customers look up their own tickets and write to them.
//! Proof of ownership is the lookup code (`X-Lookup-Code`) or the channel that opened the
//! ticket (its API key plus `X-Customer-Id`). A wrong proof and a missing ticket answer the
//! same `ticket_not_found`.

use super::types::{AttachmentView, MessageInput};
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::extract::{ApiJson, MaybeAuth};
use crate::service::lookup::{self, Proof, parse_number};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use kefu_domain::{Message, Ticket, TicketStatus};
use serde::Serialize;
use utoipa::ToSchema;

/// A ticket as its customer sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerTicketView {
    pub number: String,
    pub number_display: String,
    pub status: String,
    /// A sentence on where the ticket stands (zh-CN).
    pub progress: String,
    pub subject: String,
    pub category: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
    /// When a person will have answered at the latest (absent once they have).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expected_response_by: Option<jiff::Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub resolved_at: Option<jiff::Timestamp>,
    /// While queued: tickets ahead of this one (0 = next).
    pub queue_position: Option<u64>,
    /// While queued: the estimated wait in whole minutes (absent when nobody is on duty).
    pub estimated_wait_minutes: Option<i64>,
    /// While with a specialist team: when it should be resolved by.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expected_resolution_by: Option<jiff::Timestamp>,
    /// Public messages, oldest first (internal notes never appear).
    pub messages: Vec<CustomerMessageView>,
}

/// A message as the customer sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerMessageView {
    /// customer, bot, agent or system.
    pub from: String,
    pub body: String,
    pub attachments: Vec<AttachmentView>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

/// The view with the queue position and wait while queued, and the expected resolution
/// time while escalated.
async fn view_now(
    state: &AppState,
    t: &Ticket,
    messages: &[Message],
) -> ApiResult<CustomerTicketView> {
    let mut v = view(t, messages);
    match t.status {
        TicketStatus::Queued => {
            (v.queue_position, v.estimated_wait_minutes) =
                crate::service::routing::queue_eta(state, t).await?;
        }
        TicketStatus::Escalated => {
            v.expected_resolution_by =
                crate::service::sla::expected_resolution(&state.catalogue(), t);
        }
        _ => {}
    }
    Ok(v)
}

fn view(t: &Ticket, messages: &[Message]) -> CustomerTicketView {
    CustomerTicketView {
        number: t.number.as_string(),
        number_display: t.number.grouped(),
        status: t.status.as_str().into(),
        progress: t.status.progress_zh().into(),
        subject: t.subject.clone(),
        category: t.category.as_str().into(),
        created_at: t.created_at,
        updated_at: t.updated_at,
        expected_response_by: if t.first_response_at.is_none() && t.status.is_open() {
            t.first_response_due
        } else {
            None
        },
        resolved_at: t.resolved_at,
        queue_position: None,
        estimated_wait_minutes: None,
        expected_resolution_by: None,
        messages: messages
            .iter()
            .filter(|m| m.kind.is_public())
            .map(|m| CustomerMessageView {
                from: m.kind.as_str().into(),
                body: m.body.clone(),
                attachments: m.attachments.iter().map(AttachmentView::from).collect(),
                created_at: m.created_at,
            })
            .collect(),
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

async fn own_ticket(
    state: &AppState,
    auth: &MaybeAuth,
    headers: &HeaderMap,
    number: &str,
) -> ApiResult<Ticket> {
    let number = parse_number(number)?;
    let proof = match (
        header(headers, "x-lookup-code"),
        &auth.0,
        header(headers, "x-customer-id"),
    ) {
        (Some(code), _, _) => Proof::Code(code),
        (None, Some(principal), Some(external_id)) => Proof::Channel {
            principal,
            external_id,
        },
        _ => {
            return Err(ApiError::new(
                ErrorCode::Unauthenticated,
                "Send the lookup code as X-Lookup-Code, or the channel's key with X-Customer-Id.",
            ));
        }
    };
    lookup::find_own_ticket(state, &number, proof).await
}

/// Looks up a ticket by number, with proof that it is the caller's.
#[utoipa::path(get, path = "/api/v1/customer/tickets/{number}", operation_id = "lookup_ticket", tag = "customer",
    params(("number" = String, Path), ("X-Lookup-Code" = Option<String>, Header), ("X-Customer-Id" = Option<String>, Header)),
    responses((status = 200, body = CustomerTicketView), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn lookup_ticket(
    State(state): State<AppState>,
    auth: MaybeAuth,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> ApiResult<Json<CustomerTicketView>> {
    let t = own_ticket(&state, &auth, &headers, &number).await?;
    let messages = lookup::public_messages(&state, &t).await?;
    Ok(Json(view_now(&state, &t, &messages).await?))
}

/// Adds the customer's message to their ticket (reopens a recently resolved one).
#[utoipa::path(post, path = "/api/v1/customer/tickets/{number}/messages", operation_id = "add_customer_message", tag = "customer",
    params(("number" = String, Path), ("X-Lookup-Code" = Option<String>, Header), ("X-Customer-Id" = Option<String>, Header)),
    request_body = MessageInput,
    responses((status = 201, body = CustomerTicketView), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn add_customer_message(
    State(state): State<AppState>,
    auth: MaybeAuth,
    headers: HeaderMap,
    Path(number): Path<String>,
    ApiJson(req): ApiJson<MessageInput>,
) -> ApiResult<(StatusCode, Json<CustomerTicketView>)> {
    let t = own_ticket(&state, &auth, &headers, &number).await?;
    lookup::add_customer_message(&state, &t, req).await?;
    let t = state.store.ticket(t.id).await?;
    let messages = lookup::public_messages(&state, &t).await?;
    Ok((
        StatusCode::CREATED,
        Json(view_now(&state, &t, &messages).await?),
    ))
}

/// Rates the bot's last answer: "not helpful" counts like low confidence and may bring a
/// person in.
#[utoipa::path(post, path = "/api/v1/customer/tickets/{number}/feedback", operation_id = "rate_bot_answer", tag = "customer",
    params(("number" = String, Path), ("X-Lookup-Code" = Option<String>, Header), ("X-Customer-Id" = Option<String>, Header)),
    request_body = super::kb::FeedbackRequest,
    responses((status = 201, body = CustomerTicketView), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn rate_bot_answer(
    State(state): State<AppState>,
    auth: MaybeAuth,
    headers: HeaderMap,
    Path(number): Path<String>,
    ApiJson(req): ApiJson<super::kb::FeedbackRequest>,
) -> ApiResult<(StatusCode, Json<CustomerTicketView>)> {
    let t = own_ticket(&state, &auth, &headers, &number).await?;
    crate::service::bot::feedback(&state, &t, req.helpful).await?;
    let t = state.store.ticket(t.id).await?;
    let messages = lookup::public_messages(&state, &t).await?;
    Ok((
        StatusCode::CREATED,
        Json(view_now(&state, &t, &messages).await?),
    ))
}
