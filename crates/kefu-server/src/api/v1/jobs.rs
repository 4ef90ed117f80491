//! `/api/v1/jobs`: the durable background work as admins watch it — counts by state, the
//! dead letters, and queueing a dead job again.

use crate::extract::{ApiQuery, Authed};
use crate::problem::{ApiError, ApiResult, ErrorCode, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_service::jobs;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Jobs by state.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobCountsView {
    /// Waiting to run (now or later), not under a lease.
    pub pending: u64,
    /// Of the pending ones, those due now.
    pub due: u64,
    /// Being run by a node now.
    pub leased: u64,
    /// Gave up after their last attempt.
    pub dead: u64,
}

/// A dead job.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadJobView {
    pub id: i64,
    /// What it does (`ticket.close`, `bot.confirm`, …).
    pub kind: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub attempts: u32,
    pub last_error: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub dead_at: Option<jiff::Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

/// Paging of the dead letters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeadJobsQuery {
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Jobs by state (admins).
#[utoipa::path(get, path = "/api/v1/jobs", operation_id = "count_jobs", tag = "admin",
    responses((status = 200, body = JobCountsView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn count_jobs(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> ApiResult<Json<JobCountsView>> {
    let c = jobs::counts(&state, &caller).await?;
    Ok(Json(JobCountsView {
        pending: c.pending,
        due: c.due,
        leased: c.leased,
        dead: c.dead,
    }))
}

/// The dead letters, most recently dead first (admins).
#[utoipa::path(get, path = "/api/v1/jobs/dead", operation_id = "list_dead_jobs", tag = "admin",
    params(DeadJobsQuery),
    responses((status = 200, body = [DeadJobView]), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_dead_jobs(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<DeadJobsQuery>,
) -> ApiResult<Json<Vec<DeadJobView>>> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::field("limit", "must be from 1 to 500"));
    }
    let dead = jobs::list_dead(&state, &caller, limit).await?;
    Ok(Json(
        dead.into_iter()
            .map(|j| DeadJobView {
                id: j.id.0,
                kind: j.kind,
                payload: j.payload,
                attempts: j.attempts,
                last_error: j.last_error,
                dead_at: j.dead_at,
                created_at: j.created_at,
            })
            .collect(),
    ))
}

/// Queues a dead job again with fresh attempts (admins).
#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", operation_id = "retry_dead_job", tag = "admin",
    params(("id" = i64, Path, description = "A dead job's id", minimum = 1)),
    responses((status = 204), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn retry_dead_job(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = id
        .parse::<i64>()
        .map_err(|_| ApiError::new(ErrorCode::NotFound, "Job ids are integers."))?;
    jobs::retry_dead(&state, &caller, kefu_service::types::JobId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
