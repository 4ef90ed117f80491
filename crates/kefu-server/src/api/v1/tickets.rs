//! `/api/v1/tickets`: intake (channels) and the agent-side ticket routes.

use super::types::{AttachmentInput, MessageInput, MessageView, TicketView};
use crate::extract::{ApiJson, ApiQuery, Authed, RawJson};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use kefu_domain::{AgentId, CategoryCode, CustomerId, Priority, TicketId, TicketStatus};
use kefu_service::handling::{self, ListScope};
use kefu_service::types::{TicketCursor, TicketFilter, TicketSort};
use kefu_service::{intake, lookup::parse_number};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The customer a ticket is opened for, as the channel knows them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    /// The channel's own id for the customer (app user id, social handle, e-mail).
    #[schema(min_length = 1, max_length = 200)]
    pub external_id: String,
    #[schema(max_length = 100)]
    pub name: Option<String>,
    #[schema(max_length = 254)]
    pub email: Option<String>,
    /// Digits, spaces and `+ - ( )`.
    #[schema(max_length = 32, pattern = "^[0-9+()\\- ]*$")]
    pub phone: Option<String>,
    /// BCP 47 tag; `zh-CN` when absent.
    #[schema(max_length = 35, pattern = "^[A-Za-z0-9-]*$")]
    pub language: Option<String>,
}

/// A new request from a customer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenTicketRequest {
    pub customer: CustomerInput,
    /// Defaults to the API key's channel; a key bound to a channel may not name another.
    #[schema(value_type = Option<crate::openapi::ChannelName>)]
    pub channel: Option<String>,
    /// 1–200 characters; the start of the body when absent.
    #[schema(min_length = 1, max_length = 200)]
    pub subject: Option<String>,
    /// The customer's message, up to 20,000 characters; may be left out when there are
    /// attachments (a voice message alone).
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub body: String,
    /// A category code from the catalogue; `general` when absent.
    #[schema(pattern = "^[a-z][a-z0-9_]{1,39}$")]
    pub category: Option<String>,
    /// `normal` when absent.
    #[schema(value_type = Option<crate::openapi::PriorityName>)]
    pub priority: Option<String>,
    #[serde(default)]
    #[schema(max_items = 10)]
    pub attachments: Vec<AttachmentInput>,
    /// Free-form context from the channel (app version, device, page …), a JSON object of
    /// at most 16 KiB.
    #[schema(value_type = Option<Object>)]
    pub context: Option<serde_json::Value>,
}

/// The opened ticket and the customer's lookup code.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenTicketResponse {
    pub ticket: TicketView,
    /// Give this to the customer: with the number, it proves the ticket is theirs.
    pub lookup_code: String,
    /// True when this answers a retry with the same Idempotency-Key.
    pub replayed: bool,
}

/// Opens a ticket. Retries are safe with an `Idempotency-Key` header.
#[utoipa::path(post, path = "/api/v1/tickets", operation_id = "open_ticket", tag = "intake",
    request_body = OpenTicketRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters. Same key and body return the same ticket (200); same key with another body is 409", min_length = 1, max_length = 255, pattern = "^[!-~]{1,255}$"), ("X-App-Token" = Option<String>, Header, description = "Instead of a bearer token: an in-app user's token, signed by the app's backend; they open tickets for themselves only (docs/CHANNELS.md)", max_length = 4096)),
    responses((status = 201, body = OpenTicketResponse), (status = 200, description = "Replayed", body = OpenTicketResponse),
        (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn open_ticket(
    State(state): State<AppState>,
    Authed(caller): Authed,
    headers: HeaderMap,
    body: RawJson<OpenTicketRequest>,
) -> ApiResult<(StatusCode, Json<OpenTicketResponse>)> {
    let key = intake::idempotency_key(headers.get("idempotency-key").map(|v| v.as_bytes()))?;
    let opened = intake::open_ticket(&state, &caller, body.value.into(), &body.bytes, key).await?;
    let status = if opened.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    tracing::debug!(ticket.number = %opened.ticket.number, replayed = opened.replayed, "ticket opened");
    Ok((
        status,
        Json(OpenTicketResponse {
            ticket: TicketView::from(&opened.ticket),
            lookup_code: opened.lookup_code,
            replayed: opened.replayed,
        }),
    ))
}

/// Filters of the ticket list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListTicketsQuery {
    /// Comma-separated statuses (`queued,assigned`).
    #[param(value_type = Option<Vec<crate::openapi::TicketStatusName>>, style = Form, explode = false)]
    pub status: Option<String>,
    /// An agent id, or `me`.
    #[param(pattern = "^(me|[0-9]+)$")]
    pub assignee: Option<String>,
    /// A team's code (`account_security`) or id.
    #[param(pattern = "^([a-z][a-z0-9_]{1,39}|[0-9]+)$")]
    pub team: Option<String>,
    /// A category code.
    #[param(pattern = "^[a-z][a-z0-9_]{1,39}$")]
    pub category: Option<String>,
    #[param(value_type = Option<crate::openapi::PriorityName>)]
    pub priority: Option<String>,
    pub customer_id: Option<i64>,
    /// Finds the customer by e-mail.
    #[param(max_length = 254)]
    pub customer_email: Option<String>,
    /// `newest` (default) or `urgent` (priority, then oldest first).
    #[param(value_type = Option<crate::openapi::TicketSortName>)]
    pub sort: Option<String>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]+\\.[0-9]+$")]
    pub cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// One page of tickets.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<TicketView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Lists tickets: my tickets, a team's queue, a customer's history.
#[utoipa::path(get, path = "/api/v1/tickets", operation_id = "list_tickets", tag = "tickets", params(ListTicketsQuery),
    responses((status = 200, body = TicketPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_tickets(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<ListTicketsQuery>,
) -> ApiResult<Json<TicketPage>> {
    let mut filter = TicketFilter {
        limit: q.limit.unwrap_or(50),
        ..TicketFilter::default()
    };
    if !(1..=200).contains(&filter.limit) {
        return Err(ApiError::field("limit", "must be from 1 to 200"));
    }
    if let Some(s) = &q.status {
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            filter.statuses.push(
                part.parse::<TicketStatus>()
                    .map_err(|e| ApiError::field("status", e.to_string()))?,
            );
        }
    }
    if let Some(cat) = &q.category {
        filter.category =
            Some(CategoryCode::parse(cat).map_err(|e| ApiError::field("category", e.to_string()))?);
    }
    if let Some(p) = &q.priority {
        filter.priority = Some(
            p.parse::<Priority>()
                .map_err(|e| ApiError::field("priority", e.to_string()))?,
        );
    }
    filter.customer = q.customer_id.map(CustomerId);
    filter.sort = match q.sort.as_deref() {
        None | Some("newest") => TicketSort::Newest,
        Some("urgent") => TicketSort::Urgent,
        Some(_) => return Err(ApiError::field("sort", "must be newest or urgent")),
    };
    if let Some(cursor) = &q.cursor {
        filter.after =
            Some(parse_cursor(cursor).ok_or_else(|| {
                ApiError::field("cursor", "is not a cursor from a previous page")
            })?);
    }
    let limit = filter.limit;
    let scope = ListScope {
        assignee: q.assignee,
        team: q.team,
        customer_email: q.customer_email,
    };
    let tickets = handling::list_tickets(&state, &caller, filter, scope).await?;
    let next_cursor = (tickets.len() == usize::try_from(limit).unwrap_or(usize::MAX))
        .then(|| {
            tickets
                .last()
                .map(|t| format!("{}.{}", t.priority.rank(), t.id.0))
        })
        .flatten();
    Ok(Json(TicketPage {
        items: tickets.iter().map(TicketView::from).collect(),
        next_cursor,
    }))
}

fn parse_cursor(s: &str) -> Option<TicketCursor> {
    let (p, id) = s.split_once('.')?;
    Some(TicketCursor {
        priority: p.parse().ok()?,
        id: TicketId(id.parse().ok()?),
    })
}

/// A ticket with everything staff need to work it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetail {
    pub ticket: TicketView,
    pub customer: CustomerView,
    /// All messages, internal notes included.
    pub messages: Vec<MessageView>,
    /// Set when the ticket waits for a skill no active agent has (online or not), naming
    /// it (`language:en`, `category:ads`): nobody can be routed this ticket until a
    /// supervisor rosters someone with the skill or moves it. Also in the event log as
    /// `unroutable`.
    pub unroutable: Option<String>,
}

/// The customer as staff see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerView {
    pub id: i64,
    #[schema(value_type = crate::openapi::ChannelName)]
    pub channel: String,
    pub external_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: String,
}

/// Reads one ticket with its customer and messages.
#[utoipa::path(get, path = "/api/v1/tickets/{number}", operation_id = "find_ticket", tag = "tickets",
    params(("number" = String, Path, description = "The ticket number, 15 digits or grouped (`261130-0000-0000-7`)", pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$")),
    responses((status = 200, body = TicketDetail), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn find_ticket(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(number): Path<String>,
) -> ApiResult<Json<TicketDetail>> {
    let handling::TicketDetail {
        ticket: t,
        customer,
        messages,
        unroutable,
    } = handling::ticket_detail(&state, &caller, &parse_number(&number)?).await?;
    Ok(Json(TicketDetail {
        ticket: TicketView::from(&t),
        customer: CustomerView {
            id: customer.id.0,
            channel: customer.identity.channel.as_str().into(),
            external_id: customer.identity.external_id,
            name: customer.display_name,
            email: customer.email,
            phone: customer.phone,
            language: customer.language,
        },
        messages: messages.iter().map(MessageView::from).collect(),
        unroutable,
    }))
}

/// Takes a ticket for yourself.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/take", operation_id = "take_ticket", tag = "tickets",
    params(("number" = String, Path, description = "The ticket number, 15 digits or grouped (`261130-0000-0000-7`)", pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$")),
    responses((status = 200, body = TicketView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn take_ticket(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(number): Path<String>,
) -> ApiResult<Json<TicketView>> {
    let t = handling::take(&state, &caller, &parse_number(&number)?).await?;
    Ok(Json(TicketView::from(&t)))
}

/// Who gets the ticket and why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub agent_id: i64,
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
}

/// Assigns a ticket to an agent (supervisor or admin).
#[utoipa::path(post, path = "/api/v1/tickets/{number}/assign", operation_id = "assign_ticket", tag = "tickets",
    params(("number" = String, Path, description = "The ticket number, 15 digits or grouped (`261130-0000-0000-7`)", pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$")), request_body = AssignRequest,
    responses((status = 200, body = TicketView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn assign_ticket(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(number): Path<String>,
    ApiJson(req): ApiJson<AssignRequest>,
) -> ApiResult<Json<TicketView>> {
    let number = parse_number(&number)?;
    let t = handling::assign(&state, &caller, &number, AgentId(req.agent_id), req.reason).await?;
    Ok(Json(TicketView::from(&t)))
}

/// A reply to the customer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// Up to 20,000 characters (after trimming); required unless there are attachments.
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub body: String,
    #[serde(default)]
    #[schema(max_items = 10)]
    pub attachments: Vec<AttachmentInput>,
    /// Move the ticket with the reply: usually pending_customer or resolved.
    #[schema(value_type = Option<crate::openapi::TicketStatusName>)]
    pub status: Option<String>,
}

/// Replies to the customer (takes the ticket first when nobody owns it).
#[utoipa::path(post, path = "/api/v1/tickets/{number}/replies", operation_id = "reply_to_ticket", tag = "tickets",
    params(("number" = String, Path, description = "The ticket number, 15 digits or grouped (`261130-0000-0000-7`)", pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$")), request_body = ReplyRequest,
    responses((status = 201, body = MessageView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn reply_to_ticket(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(number): Path<String>,
    ApiJson(req): ApiJson<ReplyRequest>,
) -> ApiResult<(StatusCode, Json<MessageView>)> {
    let status = req
        .status
        .as_deref()
        .map(str::parse::<TicketStatus>)
        .transpose()
        .map_err(|e| ApiError::field("status", e.to_string()))?;
    let input = MessageInput {
        body: req.body,
        attachments: req.attachments,
    };
    let number = parse_number(&number)?;
    let m = handling::reply(&state, &caller, &number, input.into(), status).await?;
    Ok((StatusCode::CREATED, Json(MessageView::from(&m))))
}

/// Adds an internal note (never shown to the customer).
#[utoipa::path(post, path = "/api/v1/tickets/{number}/notes", operation_id = "add_note", tag = "tickets",
    params(("number" = String, Path, description = "The ticket number, 15 digits or grouped (`261130-0000-0000-7`)", pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$")), request_body = MessageInput,
    responses((status = 201, body = MessageView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn add_note(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(number): Path<String>,
    ApiJson(req): ApiJson<MessageInput>,
) -> ApiResult<(StatusCode, Json<MessageView>)> {
    let m = handling::note(&state, &caller, &parse_number(&number)?, req.into()).await?;
    Ok((StatusCode::CREATED, Json(MessageView::from(&m))))
}

/// A status change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeStatusRequest {
    #[schema(value_type = crate::openapi::TicketStatusName)]
    pub status: String,
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// Moves a ticket through the status machine; illegal moves are 409 `illegal_transition`.
#[utoipa::path(post, path = "/api/v1/tickets/{number}/status", operation_id = "change_ticket_status", tag = "tickets",
    params(("number" = String, Path, description = "The ticket number, 15 digits or grouped (`261130-0000-0000-7`)", pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$")), request_body = ChangeStatusRequest,
    responses((status = 200, body = TicketView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn change_ticket_status(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(number): Path<String>,
    ApiJson(req): ApiJson<ChangeStatusRequest>,
) -> ApiResult<Json<TicketView>> {
    let to = req
        .status
        .parse::<TicketStatus>()
        .map_err(|e| ApiError::field("status", e.to_string()))?;
    let number = parse_number(&number)?;
    let t = handling::change_status(&state, &caller, &number, to, req.reason).await?;
    Ok(Json(TicketView::from(&t)))
}

/// Classification changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTicketRequest {
    /// A category code from the catalogue.
    #[schema(pattern = "^[a-z][a-z0-9_]{1,39}$")]
    pub category: Option<String>,
    #[schema(value_type = Option<crate::openapi::PriorityName>)]
    pub priority: Option<String>,
}

/// Sets a ticket's category and/or priority.
#[utoipa::path(patch, path = "/api/v1/tickets/{number}", operation_id = "update_ticket", tag = "tickets",
    params(("number" = String, Path, description = "The ticket number, 15 digits or grouped (`261130-0000-0000-7`)", pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$")), request_body = UpdateTicketRequest,
    responses((status = 200, body = TicketView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn update_ticket(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(number): Path<String>,
    ApiJson(req): ApiJson<UpdateTicketRequest>,
) -> ApiResult<Json<TicketView>> {
    let priority = req
        .priority
        .as_deref()
        .map(str::parse::<Priority>)
        .transpose()
        .map_err(|e| ApiError::field("priority", e.to_string()))?;
    let number = parse_number(&number)?;
    let t = handling::update(&state, &caller, &number, req.category.as_deref(), priority).await?;
    Ok(Json(TicketView::from(&t)))
}

/// One entry of a ticket's event log.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: i64,
    /// Who: `{"type":"agent","id":3}`, `{"type":"customer"}`, `{"type":"system"}` …
    #[schema(value_type = Object)]
    pub actor: serde_json::Value,
    /// What: `{"kind":"status_changed","from":"queued","to":"assigned",…}`.
    #[schema(value_type = Object)]
    pub change: serde_json::Value,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
}

/// The full event log of a ticket: every change, with who and when.
#[utoipa::path(get, path = "/api/v1/tickets/{number}/events", operation_id = "list_ticket_events", tag = "tickets",
    params(("number" = String, Path, description = "The ticket number, 15 digits or grouped (`261130-0000-0000-7`)", pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$")),
    responses((status = 200, body = [EventView]), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_ticket_events(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(number): Path<String>,
) -> ApiResult<Json<Vec<EventView>>> {
    let events = handling::ticket_events(&state, &caller, &parse_number(&number)?).await?;
    let views = events
        .into_iter()
        .map(|e| EventView {
            id: e.id.0,
            actor: serde_json::to_value(&e.actor).unwrap_or_default(),
            change: serde_json::to_value(&e.kind).unwrap_or_default(),
            at: e.at,
        })
        .collect();
    Ok(Json(views))
}

impl From<CustomerInput> for kefu_service::inputs::CustomerInput {
    fn from(c: CustomerInput) -> Self {
        Self {
            external_id: c.external_id,
            name: c.name,
            email: c.email,
            phone: c.phone,
            language: c.language,
        }
    }
}

impl From<OpenTicketRequest> for kefu_service::inputs::NewTicketInput {
    fn from(r: OpenTicketRequest) -> Self {
        Self {
            customer: r.customer.into(),
            channel: r.channel,
            subject: r.subject,
            body: r.body,
            category: r.category,
            priority: r.priority,
            attachments: r.attachments.into_iter().map(Into::into).collect(),
            context: r.context,
        }
    }
}
