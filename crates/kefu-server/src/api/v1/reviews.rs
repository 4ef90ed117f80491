//! `/api/v1/reviews`: the review tasks low satisfaction scores open, for supervisors and
//! admins — listed, assigned, closed with an outcome.

use crate::extract::{ApiJson, ApiQuery, Authed};
use crate::problem::{ApiError, ApiResult, ErrorCode, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use kefu_domain::{AgentId, TeamId};
use kefu_service::reviews::{self, ReviewQuery, TicketReview};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A review of a low satisfaction score.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: i64,
    #[schema(pattern = "^[0-9]{15}$")]
    pub ticket_number: String,
    /// The score that opened it (1 or 2).
    #[schema(minimum = 1, maximum = 5)]
    pub score: u8,
    /// The team that resolved the ticket (its supervisor reviews).
    pub team_id: Option<i64>,
    /// `open` or `closed`.
    #[schema(value_type = crate::openapi::ReviewStatusName)]
    pub status: String,
    pub assignee_id: Option<i64>,
    /// Set when closed.
    pub outcome: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<jiff::Timestamp>,
}

fn view(t: TicketReview) -> ReviewView {
    let r = t.review;
    ReviewView {
        id: r.id,
        ticket_number: t.ticket_number.as_string(),
        score: r.score,
        team_id: r.team.map(|t| t.0),
        status: r.status.as_str().into(),
        assignee_id: r.assignee.map(|a| a.0),
        outcome: r.outcome,
        created_at: r.created_at,
        updated_at: r.updated_at,
        closed_at: r.closed_at,
    }
}

/// Which reviews to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReviewsQuery {
    /// `open` or `closed`; any when absent.
    #[param(pattern = "^(open|closed)$")]
    pub status: Option<String>,
    /// Only reviews of this team.
    #[param(minimum = 1)]
    pub team_id: Option<i64>,
    /// The `id` of the last review of the previous page.
    #[param(minimum = 1)]
    pub cursor: Option<i64>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// Lists reviews, oldest first (supervisors and admins).
#[utoipa::path(get, path = "/api/v1/reviews", operation_id = "list_reviews", tag = "reviews",
    params(ReviewsQuery),
    responses((status = 200, body = [ReviewView]), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_reviews(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<ReviewsQuery>,
) -> ApiResult<Json<Vec<ReviewView>>> {
    let query = ReviewQuery {
        status: q.status.as_deref(),
        team: q.team_id.map(TeamId),
        cursor: q.cursor,
        limit: q.limit,
    };
    let page = reviews::list(&state, &caller, query).await?;
    Ok(Json(page.into_iter().map(view).collect()))
}

/// Who takes a review.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignReviewRequest {
    /// A staff member's id.
    pub agent_id: i64,
}

/// How a review ended.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseReviewRequest {
    /// What was found and done, 1–2,000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub outcome: String,
}

fn review_id(id: &str) -> Result<i64, ApiError> {
    id.parse::<i64>()
        .map_err(|_| ApiError::new(ErrorCode::ReviewNotFound, "Review ids are integers."))
}

/// Gives a review to a staff member (supervisors and admins).
#[utoipa::path(post, path = "/api/v1/reviews/{id}/assign", operation_id = "assign_review", tag = "reviews",
    params(("id" = i64, Path, description = "The review's id", minimum = 1)),
    request_body = AssignReviewRequest,
    responses((status = 200, body = ReviewView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn assign_review(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AssignReviewRequest>,
) -> ApiResult<Json<ReviewView>> {
    let r = reviews::assign(&state, &caller, review_id(&id)?, AgentId(req.agent_id)).await?;
    Ok(Json(view(r)))
}

/// Closes a review with its outcome (supervisors and admins).
#[utoipa::path(post, path = "/api/v1/reviews/{id}/close", operation_id = "close_review", tag = "reviews",
    params(("id" = i64, Path, description = "The review's id", minimum = 1)),
    request_body = CloseReviewRequest,
    responses((status = 200, body = ReviewView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn close_review(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CloseReviewRequest>,
) -> ApiResult<Json<ReviewView>> {
    let r = reviews::close(&state, &caller, review_id(&id)?, &req.outcome).await?;
    Ok(Json(view(r)))
}
