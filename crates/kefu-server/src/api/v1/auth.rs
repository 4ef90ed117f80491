//! `/api/v1/auth`: staff log in for a session token, see who they are, log out.

use crate::client_addr::ClientAddr;
use crate::extract::{ApiJson, Authed};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kefu_service::admin;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// E-mail and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(max_length = 254, example = "admin@kefu.local")]
    pub email: String,
    #[schema(max_length = 200)]
    pub password: String,
}

/// A session token; send it as `Authorization: Bearer <token>`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub token: String,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: jiff::Timestamp,
    pub agent: super::admin::AgentView,
}

/// Logs a staff member in.
#[utoipa::path(post, path = "/api/v1/auth/login", operation_id = "login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let session = admin::login(
        &state,
        &state.login_guard,
        &req.email,
        &req.password,
        client,
    )
    .await?;
    Ok(Json(LoginResponse {
        token: session.token,
        expires_at: session.expires_at,
        agent: (&session.agent).into(),
    }))
}

/// Revokes the token used for this request.
#[utoipa::path(post, path = "/api/v1/auth/logout", operation_id = "logout", tag = "auth",
    responses((status = 204, description = "Logged out"), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn logout(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> ApiResult<StatusCode> {
    admin::logout(&state, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The staff account behind the token.
#[utoipa::path(get, path = "/api/v1/auth/me", operation_id = "current_agent", tag = "auth",
    responses((status = 200, body = super::admin::AgentView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn current_agent(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> ApiResult<Json<super::admin::AgentView>> {
    let agent = admin::current_agent(&state, &caller).await?;
    Ok(Json((&agent).into()))
}
