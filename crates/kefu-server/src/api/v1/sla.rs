//! `/api/v1/sla-policies`: the targets tickets are measured against.

use crate::extract::{ApiJson, Authed};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use kefu_domain::{Priority, SlaPolicy, SlaTargets};
use kefu_service::sla_policies;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Targets for one priority, for one category or all.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaPolicyView {
    /// A category code, or null for every category without its own policy.
    pub category: Option<String>,
    /// low, normal, high or urgent.
    pub priority: String,
    /// At most 1,440 (24 hours).
    pub first_response_minutes: u32,
    pub next_response_minutes: u32,
    pub resolution_minutes: u32,
}

impl From<&SlaPolicy> for SlaPolicyView {
    fn from(p: &SlaPolicy) -> Self {
        Self {
            category: p.category.clone(),
            priority: p.priority.as_str().into(),
            first_response_minutes: p.targets.first_response_minutes,
            next_response_minutes: p.targets.next_response_minutes,
            resolution_minutes: p.targets.resolution_minutes,
        }
    }
}

/// New targets for a priority (and optionally a category).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutSlaPolicyRequest {
    pub category: Option<String>,
    /// low, normal, high or urgent.
    pub priority: String,
    /// 1–1,440.
    pub first_response_minutes: u32,
    pub next_response_minutes: u32,
    pub resolution_minutes: u32,
}

/// Lists the SLA policies (any staff).
#[utoipa::path(get, path = "/api/v1/sla-policies", operation_id = "list_sla_policies", tag = "admin",
    responses((status = 200, body = [SlaPolicyView]), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_sla_policies(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> ApiResult<Json<Vec<SlaPolicyView>>> {
    let policies = sla_policies::list(&state, &caller).await?;
    Ok(Json(policies.iter().map(SlaPolicyView::from).collect()))
}

/// Sets the targets for a priority, for one category or all (admins). New tickets use them
/// at once.
#[utoipa::path(put, path = "/api/v1/sla-policies", operation_id = "put_sla_policy", tag = "admin",
    request_body = PutSlaPolicyRequest,
    responses((status = 200, body = SlaPolicyView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn put_sla_policy(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<PutSlaPolicyRequest>,
) -> ApiResult<Json<SlaPolicyView>> {
    let priority = req
        .priority
        .parse::<Priority>()
        .map_err(|e| ApiError::field("priority", e.to_string()))?;
    let targets = SlaTargets {
        first_response_minutes: req.first_response_minutes,
        next_response_minutes: req.next_response_minutes,
        resolution_minutes: req.resolution_minutes,
    };
    let policy =
        sla_policies::put(&state, &caller, req.category.as_deref(), priority, targets).await?;
    Ok(Json(SlaPolicyView::from(&policy)))
}
