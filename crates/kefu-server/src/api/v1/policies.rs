//! `/api/v1/policies`: "must read" policy updates — published by supervisors and admins,
//! read and acknowledged by every staff member, with the acknowledgement list.

use crate::extract::{ApiJson, Authed};
use crate::problem::{ApiError, ApiResult, ErrorCode, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use kefu_service::policies::{self, PolicyInput, PolicyView};
use kefu_service::types::PolicyUpdate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A policy update.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PolicyUpdateView {
    pub id: i64,
    pub title: String,
    pub body: String,
    /// Every staff member must acknowledge it.
    pub must_read: bool,
    pub author_id: Option<i64>,
    #[schema(value_type = String, format = DateTime)]
    pub published_at: jiff::Timestamp,
    /// When the caller acknowledged it; `null` while they have not.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub acknowledged_at: Option<jiff::Timestamp>,
}

fn view(p: PolicyUpdate, acknowledged_at: Option<jiff::Timestamp>) -> PolicyUpdateView {
    PolicyUpdateView {
        id: p.id,
        title: p.title,
        body: p.body,
        must_read: p.must_read,
        author_id: p.author.map(|a| a.0),
        published_at: p.published_at,
        acknowledged_at,
    }
}

impl From<PolicyView> for PolicyUpdateView {
    fn from(v: PolicyView) -> Self {
        view(v.policy, v.acknowledged_at)
    }
}

/// A new policy update.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishPolicyRequest {
    /// 1–200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// 1–20,000 characters, shown as plain text.
    #[schema(min_length = 1, max_length = 20000)]
    pub body: String,
    /// Every staff member must acknowledge it (default true).
    pub must_read: Option<bool>,
}

/// One staff member's line in the acknowledgement list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AcknowledgementView {
    pub agent_id: i64,
    pub display_name: String,
    pub email: String,
    /// `null`: not acknowledged yet.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub acknowledged_at: Option<jiff::Timestamp>,
}

/// Who has and who has not acknowledged an update.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AcknowledgementsView {
    pub policy: PolicyUpdateView,
    /// Acknowledged first (earliest first), then the active staff who have not.
    pub staff: Vec<AcknowledgementView>,
    pub acknowledged: usize,
    pub pending: usize,
}

fn policy_id(id: &str) -> Result<i64, ApiError> {
    id.parse::<i64>()
        .map_err(|_| ApiError::new(ErrorCode::PolicyNotFound, "Policy ids are integers."))
}

/// Lists the newest policy updates (up to 200), each with when the caller acknowledged it
/// (any staff member).
#[utoipa::path(get, path = "/api/v1/policies", operation_id = "list_policies", tag = "policies",
    responses((status = 200, body = [PolicyUpdateView]), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_policies(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> ApiResult<Json<Vec<PolicyUpdateView>>> {
    let list = policies::list(&state, &caller).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Publishes a policy update (supervisors and admins).
#[utoipa::path(post, path = "/api/v1/policies", operation_id = "publish_policy", tag = "policies",
    request_body = PublishPolicyRequest,
    responses((status = 201, body = PolicyUpdateView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn publish_policy(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<PublishPolicyRequest>,
) -> ApiResult<(axum::http::StatusCode, Json<PolicyUpdateView>)> {
    let input = PolicyInput {
        title: req.title,
        body: req.body,
        must_read: req.must_read.unwrap_or(true),
    };
    let p = policies::publish(&state, &caller, input).await?;
    Ok((axum::http::StatusCode::CREATED, Json(view(p, None))))
}

/// The must-read updates the caller has not acknowledged, oldest first.
#[utoipa::path(get, path = "/api/v1/policies/unread", operation_id = "list_unread_policies", tag = "policies",
    responses((status = 200, body = [PolicyUpdateView]), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_unread_policies(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> ApiResult<Json<Vec<PolicyUpdateView>>> {
    let unread = policies::unread(&state, &caller).await?;
    Ok(Json(unread.into_iter().map(|p| view(p, None)).collect()))
}

/// One policy update, with when the caller acknowledged it.
#[utoipa::path(get, path = "/api/v1/policies/{id}", operation_id = "find_policy", tag = "policies",
    params(("id" = i64, Path, description = "The update's id", minimum = 1)),
    responses((status = 200, body = PolicyUpdateView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn find_policy(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<PolicyUpdateView>> {
    let v = policies::find(&state, &caller, policy_id(&id)?).await?;
    Ok(Json(v.into()))
}

/// The caller acknowledges an update (again: the first time is kept).
#[utoipa::path(post, path = "/api/v1/policies/{id}/acknowledge", operation_id = "acknowledge_policy", tag = "policies",
    params(("id" = i64, Path, description = "The update's id", minimum = 1)),
    responses((status = 200, body = PolicyUpdateView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn acknowledge_policy(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<PolicyUpdateView>> {
    let id = policy_id(&id)?;
    policies::acknowledge(&state, &caller, id).await?;
    let v = policies::find(&state, &caller, id).await?;
    Ok(Json(v.into()))
}

/// Who has acknowledged an update and who has not (supervisors and admins).
#[utoipa::path(get, path = "/api/v1/policies/{id}/acknowledgements", operation_id = "list_policy_acknowledgements", tag = "policies",
    params(("id" = i64, Path, description = "The update's id", minimum = 1)),
    responses((status = 200, body = AcknowledgementsView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_policy_acknowledgements(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<AcknowledgementsView>> {
    let report = policies::acknowledgements(&state, &caller, policy_id(&id)?).await?;
    let acknowledged = report
        .lines
        .iter()
        .filter(|l| l.acknowledged_at.is_some())
        .count();
    let staff: Vec<AcknowledgementView> = report
        .lines
        .into_iter()
        .map(|l| AcknowledgementView {
            agent_id: l.agent.id.0,
            display_name: l.agent.display_name,
            email: l.agent.email,
            acknowledged_at: l.acknowledged_at,
        })
        .collect();
    Ok(Json(AcknowledgementsView {
        policy: view(report.policy, None),
        pending: staff.len() - acknowledged,
        acknowledged,
        staff,
    }))
}
