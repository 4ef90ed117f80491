//! `/api/v1/channels`: signed platform webhooks, the inbox of refused payloads, and a
//! ticket's deliveries to its customer (docs/CHANNELS.md).

use crate::extract::{ApiQuery, Authed};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use kefu_service::channels::webhook::{self, WebhookOutcome};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What kefu did with a webhook delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookReceipt {
    /// `received` (on a ticket) or `ignored` (a ping, nothing for kefu).
    pub status: &'static str,
    /// The ticket the message is on.
    pub ticket_number: Option<String>,
    /// A new ticket was opened for it.
    pub opened: bool,
    /// The platform sent this message id before: nothing was written now.
    pub duplicate: bool,
    /// Why it was ignored.
    pub reason: Option<String>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Receives one signed message from a platform: `X-Kefu-Timestamp` (unix seconds) and
/// `X-Kefu-Signature: sha256=<hex HMAC-SHA256 of timestamp + "." + body>` under the
/// channel's secret. Timestamps older than 5 minutes are refused; a repeated platform
/// message id is answered again without writing anything; an unknown shape is refused
/// (422) and kept in the inbox.
#[utoipa::path(post, path = "/api/v1/channels/{channel}/webhook", operation_id = "receive_channel_webhook", tag = "channels",
    params(("channel" = String, Path, description = "A configured webhook channel's name")),
    request_body(content = Object, description = "The platform's payload (docs/CHANNELS.md)"),
    responses((status = 200, body = WebhookReceipt), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn receive_channel_webhook(
    State(state): State<AppState>,
    Path(channel): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<WebhookReceipt>> {
    let outcome = webhook::receive(
        &state,
        &channel,
        header(&headers, "x-kefu-timestamp"),
        header(&headers, "x-kefu-signature"),
        &body,
    )
    .await?;
    Ok(Json(match outcome {
        WebhookOutcome::Received(r) => WebhookReceipt {
            status: "received",
            ticket_number: Some(r.ticket.number.to_string()),
            opened: r.opened,
            duplicate: r.duplicate,
            reason: None,
        },
        WebhookOutcome::Ignored(why) => WebhookReceipt {
            status: "ignored",
            ticket_number: None,
            opened: false,
            duplicate: false,
            reason: Some(why),
        },
    }))
}

/// A payload kefu refused, kept for an admin.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxEntryView {
    pub id: i64,
    /// The channel it came to.
    pub channel: String,
    /// Why it was refused.
    pub reason: String,
    /// The body as received (at most 64 KiB, as text).
    pub payload: String,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: jiff::Timestamp,
}

/// Paging of the inbox.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Entries with ids below this one (the next page).
    pub before: Option<i64>,
}

/// Payloads the channels refused, newest first (admins).
#[utoipa::path(get, path = "/api/v1/channels/inbox", operation_id = "list_channel_inbox", tag = "channels",
    params(InboxQuery),
    responses((status = 200, body = [InboxEntryView]), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_channel_inbox(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> ApiResult<Json<Vec<InboxEntryView>>> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(crate::problem::ApiError::field(
            "limit",
            "must be from 1 to 200",
        ));
    }
    let rows = webhook::inbox(&state, &caller, limit, q.before).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| InboxEntryView {
                id: r.id,
                channel: r.adapter,
                reason: r.reason,
                payload: r.payload,
                received_at: r.received_at,
            })
            .collect(),
    ))
}

/// One delivery to a ticket's customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    /// `reply`, `bot`, `notification`, `survey`, `public_redirect` or `system`.
    pub kind: String,
    /// `private` or `public`.
    pub visibility: String,
    /// The channel adapter that delivers it (none: the ticket's channel has none).
    pub channel: Option<String>,
    pub body: String,
    /// `pending`, `delivered`, `failed` or `undeliverable`.
    pub status: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<jiff::Timestamp>,
}

/// A ticket's deliveries to its customer, oldest first (staff who may follow the ticket).
#[utoipa::path(get, path = "/api/v1/tickets/{number}/deliveries", operation_id = "list_ticket_deliveries", tag = "channels",
    params(("number" = String, Path, description = "Ticket number", pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$")),
    responses((status = 200, body = [DeliveryView]), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_ticket_deliveries(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(number): Path<String>,
) -> ApiResult<Json<Vec<DeliveryView>>> {
    let number = kefu_service::lookup::parse_number(&number)?;
    let rows = kefu_service::channels::outbound::list(&state, &caller, &number).await?;
    Ok(Json(
        rows.into_iter()
            .map(|d| DeliveryView {
                id: d.id,
                kind: d.kind,
                visibility: d.visibility,
                channel: d.adapter,
                body: d.body,
                status: d.status,
                attempts: d.attempts,
                last_error: d.last_error,
                created_at: d.created_at,
                finished_at: d.finished_at,
            })
            .collect(),
    ))
}
