//! `/api/v1/canned-replies`: the canned replies agents insert into their answers (with the
//! variables `{customer}`, `{ticket}`, `{agent}`, `{subject}`). Any staff member lists and
//! reads them; admins create, change and delete them.

use crate::extract::{ApiJson, ApiQuery, Authed};
use crate::problem::{ApiError, ApiResult, ErrorCode, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_domain::CannedReply;
use kefu_service::canned::{self, CannedReplyInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A canned reply as stored (variables not filled in).
#[derive(Debug, Serialize, ToSchema)]
pub struct CannedReplyView {
    pub id: i64,
    /// `zh-CN` or `en`.
    #[schema(value_type = crate::openapi::HelpLanguageName)]
    pub lang: String,
    pub title: String,
    pub body: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl From<CannedReply> for CannedReplyView {
    fn from(r: CannedReply) -> Self {
        Self {
            id: r.id,
            lang: r.lang,
            title: r.title,
            body: r.body,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The canned replies.
#[derive(Debug, Serialize, ToSchema)]
pub struct CannedReplyList {
    pub items: Vec<CannedReplyView>,
}

/// Which canned replies to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CannedRepliesQuery {
    /// Only this language (`zh-CN` or `en`); all when absent.
    pub lang: Option<String>,
}

/// A canned reply to create (every field) or change (the fields given).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CannedReplyRequest {
    /// `zh-CN` or `en`.
    #[schema(value_type = Option<crate::openapi::HelpLanguageName>)]
    pub lang: Option<String>,
    /// Unique per language, 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub title: Option<String>,
    /// 1–4,000 characters; variables `{customer}`, `{ticket}`, `{agent}`, `{subject}`.
    #[schema(min_length = 1, max_length = 4000)]
    pub body: Option<String>,
}

impl From<CannedReplyRequest> for CannedReplyInput {
    fn from(r: CannedReplyRequest) -> Self {
        Self {
            lang: r.lang,
            title: r.title,
            body: r.body,
        }
    }
}

fn reply_id(id: &str) -> Result<i64, ApiError> {
    id.parse::<i64>().map_err(|_| {
        ApiError::new(
            ErrorCode::CannedReplyNotFound,
            "Canned reply ids are integers.",
        )
    })
}

/// Lists the canned replies (any staff).
#[utoipa::path(get, path = "/api/v1/canned-replies", operation_id = "list_canned_replies", tag = "tickets",
    params(CannedRepliesQuery),
    responses((status = 200, body = CannedReplyList), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_canned_replies(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<CannedRepliesQuery>,
) -> ApiResult<Json<CannedReplyList>> {
    if let Some(l) = q.lang.as_deref()
        && !canned::LANGS.contains(&l)
    {
        return Err(ApiError(kefu_service::ServiceError::field(
            "lang",
            "must be zh-CN or en",
        )));
    }
    let items = canned::list(&state, &caller, q.lang.as_deref()).await?;
    Ok(Json(CannedReplyList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Reads one canned reply (any staff).
#[utoipa::path(get, path = "/api/v1/canned-replies/{id}", operation_id = "find_canned_reply", tag = "tickets",
    params(("id" = i64, Path, description = "The canned reply's id", minimum = 1)),
    responses((status = 200, body = CannedReplyView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn find_canned_reply(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<CannedReplyView>> {
    let r = canned::get(&state, &caller, reply_id(&id)?).await?;
    Ok(Json(r.into()))
}

/// Creates a canned reply (admins).
#[utoipa::path(post, path = "/api/v1/canned-replies", operation_id = "create_canned_reply", tag = "admin",
    request_body = CannedReplyRequest,
    responses((status = 201, body = CannedReplyView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn create_canned_reply(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<CannedReplyRequest>,
) -> ApiResult<(StatusCode, Json<CannedReplyView>)> {
    let r = canned::create(&state, &caller, req.into()).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// Changes the fields given of a canned reply (admins).
#[utoipa::path(patch, path = "/api/v1/canned-replies/{id}", operation_id = "update_canned_reply", tag = "admin",
    params(("id" = i64, Path, description = "The canned reply's id", minimum = 1)),
    request_body = CannedReplyRequest,
    responses((status = 200, body = CannedReplyView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn update_canned_reply(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CannedReplyRequest>,
) -> ApiResult<Json<CannedReplyView>> {
    let r = canned::update(&state, &caller, reply_id(&id)?, req.into()).await?;
    Ok(Json(r.into()))
}

/// Deletes a canned reply (admins).
#[utoipa::path(delete, path = "/api/v1/canned-replies/{id}", operation_id = "delete_canned_reply", tag = "admin",
    params(("id" = i64, Path, description = "The canned reply's id", minimum = 1)),
    responses((status = 204, description = "Deleted"), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn delete_canned_reply(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    canned::delete(&state, &caller, reply_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
