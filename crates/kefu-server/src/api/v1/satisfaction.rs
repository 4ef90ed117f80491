//! `POST /api/v1/customer/tickets/{number}/satisfaction`: the customer answers the
//! satisfaction survey (回访) of their resolved ticket — with their usual proof
//! (`X-Lookup-Code`, or the channel's key and `X-Customer-Id`), or with the survey's token
//! in the body (`token`), which is what a link in an e-mail or a message carries. The token
//! is in the body, not a header, so it never lands in proxies' header logs.

use crate::extract::{ApiJson, CustomerAuth};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use kefu_service::Caller;
use kefu_service::lookup::parse_number;
use kefu_service::survey::{self, AnswerInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The customer's proof if they sent one, else anonymous (a token may answer instead).
pub struct MaybeCustomer(pub Caller);

impl FromRequestParts<AppState> for MaybeCustomer {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybeCustomer(
            CustomerAuth::from_request_parts(parts, state)
                .await
                .map_or(Caller::Anonymous, |CustomerAuth(c)| c),
        ))
    }
}

/// An answer to the satisfaction survey.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SatisfactionRequest {
    /// 1–5 (5 best): required when the survey asks for a score (people resolved the
    /// ticket). A score of 1 or 2 opens a review for the team's supervisor.
    #[schema(minimum = 1, maximum = 5)]
    pub score: Option<i64>,
    /// Required when the survey asks whether the bot's answer helped (the bot resolved the
    /// ticket).
    pub helpful: Option<bool>,
    /// Optional, up to 1,000 characters (after trimming), no control characters.
    #[schema(max_length = 1000)]
    pub comment: Option<String>,
    /// The survey's token (from the survey message's `survey.token`), instead of the
    /// customer's proof. Single use, bound to this ticket, valid until `survey.expires_at`.
    #[schema(min_length = 1, max_length = 200)]
    pub token: Option<String>,
}

/// The recorded answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct SatisfactionView {
    #[schema(pattern = "^[0-9]{15}$")]
    pub number: String,
    /// `score` or `helpful`: which question the survey asked.
    #[schema(value_type = crate::openapi::SurveyFormName)]
    pub form: String,
    pub score: Option<u8>,
    pub helpful: Option<bool>,
    pub comment: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub answered_at: jiff::Timestamp,
}

/// Answers the satisfaction survey of a resolved ticket, once.
#[utoipa::path(post, path = "/api/v1/customer/tickets/{number}/satisfaction", operation_id = "answer_satisfaction_survey", tag = "customer",
    params(("number" = String, Path, description = "The ticket number, 15 digits or grouped (`261130-0000-0000-7`)", pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$"), ("X-Lookup-Code" = Option<String>, Header, description = "The 8-character lookup code given when the ticket was opened (not needed with `token`)"), ("X-Customer-Id" = Option<String>, Header, description = "With a channel's API key as bearer token: the channel's id for the customer", max_length = 200), ("X-App-Token" = Option<String>, Header, description = "An in-app user's token, signed by the app's backend (docs/CHANNELS.md)", max_length = 4096)),
    request_body = SatisfactionRequest,
    responses((status = 201, body = SatisfactionView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn answer_satisfaction_survey(
    State(state): State<AppState>,
    MaybeCustomer(caller): MaybeCustomer,
    Path(number): Path<String>,
    ApiJson(req): ApiJson<SatisfactionRequest>,
) -> ApiResult<(StatusCode, Json<SatisfactionView>)> {
    let number = parse_number(&number)?;
    let input = AnswerInput {
        score: req.score,
        helpful: req.helpful,
        comment: req.comment,
        token: req.token,
    };
    let answered = survey::answer(&state, &caller, &number, input).await?;
    let s = answered.survey;
    Ok((
        StatusCode::CREATED,
        Json(SatisfactionView {
            number: number.as_string(),
            form: s.form.as_str().into(),
            score: s.score,
            helpful: s.helpful,
            comment: s.comment,
            answered_at: s.answered_at.unwrap_or(s.sent_at),
        }),
    ))
}
