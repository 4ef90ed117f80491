//! `/api/v1/customer/tickets`: customers look up their own tickets and write to them.
//! Proof of ownership is the lookup code (`X-Lookup-Code`) or the channel that opened the
//! ticket (its API key plus `X-Customer-Id`). A wrong proof and a missing ticket answer the
//! same `ticket_not_found`.

use super::types::{AttachmentInput, AttachmentView};
use crate::extract::{ApiJson, ApiQuery, CustomerAuth};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_domain::{Message, Ticket, TicketId};
use kefu_service::lookup::{self, CustomerTicket, parse_number};
use kefu_service::messages::Messages;
use serde::Deserialize;
use serde::Serialize;
use utoipa::IntoParams;
use utoipa::ToSchema;

/// A ticket as its customer sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerTicketView {
    #[schema(pattern = "^[0-9]{15}$")]
    pub number: String,
    #[schema(pattern = "^[0-9]{6}-[0-9]{4}-[0-9]{4}-[0-9]$")]
    pub number_display: String,
    #[schema(value_type = crate::openapi::TicketStatusName)]
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
    /// customer, bot, agent or system (never internal_note).
    #[schema(value_type = crate::openapi::MessageKindName)]
    pub from: String,
    pub body: String,
    pub attachments: Vec<AttachmentView>,
    /// On a bot message that offers choices ("did you mean…"), best first: show them as
    /// buttons that send `{"pick": id}`; the customer may also answer with the number.
    /// Empty on every other message.
    pub suggestions: Vec<SuggestionView>,
    /// On a survey message (`from` = `survey`): the satisfaction survey to answer through
    /// `POST …/satisfaction`. Absent on every other message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub survey: Option<SurveyInviteView>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

/// The satisfaction survey a survey message asks the customer to answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyInviteView {
    /// `score` (1–5 and a comment: people resolved the ticket) or `helpful` (one tap: the
    /// bot resolved it).
    #[schema(value_type = crate::openapi::SurveyFormName)]
    pub form: String,
    /// Answers the survey once without the lookup code: send it as `token`.
    pub token: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: jiff::Timestamp,
}

/// One choice a bot message offers.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionView {
    /// The knowledge-base entry; send it back as `pick`.
    pub id: String,
    /// Its question, in the conversation's language.
    pub question: String,
}

/// A customer's message, or their pick of a suggestion the bot offered.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerMessageInput {
    /// Up to 20,000 characters (after trimming). Required unless `pick` or attachments are
    /// given; with `pick`, the question as the button showed it (used if the entry is gone).
    #[schema(max_length = 20000)]
    pub body: Option<String>,
    /// The `id` of a suggestion on a bot message: the bot answers with that entry, and the
    /// customer's message is its question. Only while the bot handles the ticket (status
    /// `new`).
    #[schema(min_length = 1, max_length = 200)]
    pub pick: Option<String>,
    /// Not with `pick`.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub attachments: Vec<AttachmentInput>,
}

impl From<CustomerMessageInput> for lookup::CustomerMessageInput {
    fn from(m: CustomerMessageInput) -> Self {
        Self {
            body: m.body,
            pick: m.pick,
            attachments: m.attachments.into_iter().map(Into::into).collect(),
        }
    }
}

/// The view with the queue position and wait while queued, and the expected resolution
/// time while with a specialist.
fn view_now(c: &CustomerTicket) -> CustomerTicketView {
    let mut v = view(&c.ticket, &c.messages, &c.language);
    v.queue_position = c.queue_position;
    v.estimated_wait_minutes = c.estimated_wait_minutes;
    v.expected_resolution_by = c.expected_resolution_by;
    v
}

pub(crate) fn message_view(m: &Message) -> CustomerMessageView {
    CustomerMessageView {
        from: m.kind.as_str().into(),
        body: m.body.clone(),
        attachments: m.attachments.iter().map(AttachmentView::from).collect(),
        suggestions: m
            .suggestions
            .iter()
            .map(|s| SuggestionView {
                id: s.id.clone(),
                question: s.question.clone(),
            })
            .collect(),
        survey: m.survey.as_ref().map(|s| SurveyInviteView {
            form: s.form.as_str().into(),
            token: s.token.clone(),
            expires_at: s.expires_at,
        }),
        created_at: m.created_at,
    }
}

/// The progress line from the message catalogue, in the customer's language.
fn progress(status: kefu_domain::TicketStatus, language: &str) -> String {
    (Messages::for_language(language).progress)(status).to_owned()
}

fn view(t: &Ticket, messages: &[Message], language: &str) -> CustomerTicketView {
    CustomerTicketView {
        number: t.number.as_string(),
        number_display: t.number.grouped(),
        status: t.status.as_str().into(),
        progress: progress(t.status, language),
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
            .map(message_view)
            .collect(),
    }
}

/// Looks up a ticket by number, with proof that it is the caller's.
#[utoipa::path(get, path = "/api/v1/customer/tickets/{number}", operation_id = "lookup_ticket", tag = "customer",
    params(("number" = String, Path, description = "The ticket number, 15 digits or grouped (`261130-0000-0000-7`)", pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$"), ("X-Lookup-Code" = Option<String>, Header, description = "The 8-character lookup code given when the ticket was opened (case, spaces and dashes do not matter)"), ("X-Customer-Id" = Option<String>, Header, description = "With a channel's API key as bearer token: the channel's id for the customer", max_length = 200), ("X-App-Token" = Option<String>, Header, description = "An in-app user's token, signed by the app's backend (docs/CHANNELS.md)", max_length = 4096)),
    responses((status = 200, body = CustomerTicketView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn lookup_ticket(
    State(state): State<AppState>,
    CustomerAuth(caller): CustomerAuth,
    Path(number): Path<String>,
) -> ApiResult<Json<CustomerTicketView>> {
    let c = lookup::customer_ticket(&state, &caller, &parse_number(&number)?).await?;
    Ok(Json(view_now(&c)))
}

/// Adds the customer's message to their ticket (reopens a recently resolved one), or their
/// pick of a suggestion the bot offered (`{"pick": id}`).
#[utoipa::path(post, path = "/api/v1/customer/tickets/{number}/messages", operation_id = "add_customer_message", tag = "customer",
    params(("number" = String, Path, description = "The ticket number, 15 digits or grouped (`261130-0000-0000-7`)", pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$"), ("X-Lookup-Code" = Option<String>, Header, description = "The 8-character lookup code given when the ticket was opened (case, spaces and dashes do not matter)"), ("X-Customer-Id" = Option<String>, Header, description = "With a channel's API key as bearer token: the channel's id for the customer", max_length = 200), ("X-App-Token" = Option<String>, Header, description = "An in-app user's token, signed by the app's backend (docs/CHANNELS.md)", max_length = 4096)),
    request_body = CustomerMessageInput,
    responses((status = 201, body = CustomerTicketView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn add_customer_message(
    State(state): State<AppState>,
    CustomerAuth(caller): CustomerAuth,
    Path(number): Path<String>,
    ApiJson(req): ApiJson<CustomerMessageInput>,
) -> ApiResult<(StatusCode, Json<CustomerTicketView>)> {
    let number = parse_number(&number)?;
    let c = lookup::add_customer_message(&state, &caller, &number, req.into()).await?;
    Ok((StatusCode::CREATED, Json(view_now(&c))))
}

/// Rates the bot's last answer: "not helpful" counts like low confidence and may bring a
/// person in.
#[utoipa::path(post, path = "/api/v1/customer/tickets/{number}/feedback", operation_id = "rate_bot_answer", tag = "customer",
    params(("number" = String, Path, description = "The ticket number, 15 digits or grouped (`261130-0000-0000-7`)", pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$"), ("X-Lookup-Code" = Option<String>, Header, description = "The 8-character lookup code given when the ticket was opened (case, spaces and dashes do not matter)"), ("X-Customer-Id" = Option<String>, Header, description = "With a channel's API key as bearer token: the channel's id for the customer", max_length = 200), ("X-App-Token" = Option<String>, Header, description = "An in-app user's token, signed by the app's backend (docs/CHANNELS.md)", max_length = 4096)),
    request_body = super::kb::FeedbackRequest,
    responses((status = 201, body = CustomerTicketView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn rate_bot_answer(
    State(state): State<AppState>,
    CustomerAuth(caller): CustomerAuth,
    Path(number): Path<String>,
    ApiJson(req): ApiJson<super::kb::FeedbackRequest>,
) -> ApiResult<(StatusCode, Json<CustomerTicketView>)> {
    let number = parse_number(&number)?;
    let c = kefu_service::bot::feedback(&state, &caller, &number, req.helpful).await?;
    Ok((StatusCode::CREATED, Json(view_now(&c))))
}

/// Paging of a customer's own tickets.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListOwnTicketsQuery {
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]+$")]
    pub cursor: Option<String>,
}

/// One of the customer's tickets in their list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerTicketSummary {
    #[schema(pattern = "^[0-9]{15}$")]
    pub number: String,
    #[schema(pattern = "^[0-9]{6}-[0-9]{4}-[0-9]{4}-[0-9]$")]
    pub number_display: String,
    #[schema(value_type = crate::openapi::TicketStatusName)]
    pub status: String,
    /// A sentence on where the ticket stands (zh-CN).
    pub progress: String,
    pub subject: String,
    pub category: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

/// A page of a customer's tickets, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerTicketPage {
    pub items: Vec<CustomerTicketSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Lists the customer's own tickets, newest first: with the channel's key (bound to a
/// channel) and `X-Customer-Id`, so a customer who lost a number finds it again.
#[utoipa::path(get, path = "/api/v1/customer/tickets", operation_id = "list_own_tickets", tag = "customer",
    params(ListOwnTicketsQuery, ("X-Customer-Id" = Option<String>, Header, description = "With the channel's key: the channel's id for the customer", min_length = 1, max_length = 200), ("X-App-Token" = Option<String>, Header, description = "An in-app user's token, signed by the app's backend (docs/CHANNELS.md)", max_length = 4096)),
    responses((status = 200, body = CustomerTicketPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn list_own_tickets(
    State(state): State<AppState>,
    CustomerAuth(caller): CustomerAuth,
    ApiQuery(q): ApiQuery<ListOwnTicketsQuery>,
) -> ApiResult<Json<CustomerTicketPage>> {
    let limit = q.limit.unwrap_or(20);
    let before = match q.cursor.as_deref() {
        None => None,
        Some(c) => Some(TicketId(c.trim().parse().map_err(|_| {
            ApiError::field("cursor", "is not a cursor from a previous page")
        })?)),
    };
    let lookup::OwnTickets { tickets, language } =
        lookup::list_own_tickets(&state, &caller, limit, before).await?;
    let next_cursor = (tickets.len() == usize::try_from(limit).unwrap_or(usize::MAX))
        .then(|| tickets.last().map(|t| t.id.0.to_string()))
        .flatten();
    Ok(Json(CustomerTicketPage {
        items: tickets
            .iter()
            .map(|t| CustomerTicketSummary {
                number: t.number.as_string(),
                number_display: t.number.grouped(),
                status: t.status.as_str().into(),
                progress: progress(t.status, &language),
                subject: t.subject.clone(),
                category: t.category.as_str().into(),
                created_at: t.created_at,
                updated_at: t.updated_at,
            })
            .collect(),
        next_cursor,
    }))
}

/// Paging of a ticket's messages.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MessagesQuery {
    /// Only messages after this message id (`id` of the last one seen); from the start when
    /// absent.
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// A message as the customer sees it, with its id for paging.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerMessagePageItem {
    pub id: i64,
    #[serde(flatten)]
    pub message: CustomerMessageView,
}

/// Reads the public messages of the customer's ticket, oldest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/customer/tickets/{number}/messages", operation_id = "list_customer_messages", tag = "customer",
    params(("number" = String, Path, description = "The ticket number, 15 digits or grouped (`261130-0000-0000-7`)", pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$"), MessagesQuery, ("X-Lookup-Code" = Option<String>, Header, description = "The 8-character lookup code given when the ticket was opened (case, spaces and dashes do not matter)"), ("X-Customer-Id" = Option<String>, Header, description = "With a channel's API key as bearer token: the channel's id for the customer", max_length = 200), ("X-App-Token" = Option<String>, Header, description = "An in-app user's token, signed by the app's backend (docs/CHANNELS.md)", max_length = 4096)),
    responses((status = 200, body = [CustomerMessagePageItem]), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn list_customer_messages(
    State(state): State<AppState>,
    CustomerAuth(caller): CustomerAuth,
    Path(number): Path<String>,
    ApiQuery(q): ApiQuery<MessagesQuery>,
) -> ApiResult<Json<Vec<CustomerMessagePageItem>>> {
    let number = parse_number(&number)?;
    let page =
        lookup::customer_messages(&state, &caller, &number, q.after, q.limit.unwrap_or(50)).await?;
    Ok(Json(
        page.iter()
            .map(|m| CustomerMessagePageItem {
                id: m.id.0,
                message: message_view(m),
            })
            .collect(),
    ))
}
