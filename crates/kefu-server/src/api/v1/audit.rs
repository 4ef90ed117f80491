//! `/api/v1/audit`: the audit log of admin and knowledge-base changes, newest first, for
//! admins (what is recorded, and when, is in kefu-service's `audit` module).

use crate::extract::{ApiQuery, Authed};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use kefu_service::audit::{self, AuditActor, AuditQuery, AuditRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Filters and paging of the audit log; each filter matches exactly.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditLogQuery {
    /// `agent:<id>`, an agent id, or `system` (the CLI, workers, the login guard).
    #[param(max_length = 40)]
    pub actor: Option<String>,
    /// A dotted action name (`agent.created`, `kb.article.published`, …).
    #[param(min_length = 1, max_length = 200)]
    pub action: Option<String>,
    /// What the change was to (`agent:7`, `article:login-help`, `api_key:3`, …).
    #[param(min_length = 1, max_length = 200)]
    pub subject: Option<String>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]+$")]
    pub cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// One audited change.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub id: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
    /// `agent:<id>` or `system`.
    pub actor: String,
    /// The staff member, when it was one.
    pub actor_agent_id: Option<i64>,
    pub action: String,
    pub subject: Option<String>,
    /// A small object saying what changed; never a password, hash or token.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// A page of the audit log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntryView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl From<AuditRecord> for AuditEntryView {
    fn from(r: AuditRecord) -> Self {
        let e = r.entry;
        AuditEntryView {
            id: r.id,
            at: e.at,
            actor: e.actor.key(),
            actor_agent_id: match e.actor {
                AuditActor::Agent(id) => Some(id.0),
                AuditActor::System => None,
            },
            action: e.action,
            subject: e.subject,
            detail: e.detail,
        }
    }
}

/// The audit log: who changed staff, teams, the catalogue, SLA policies, API keys, the
/// knowledge base, dead jobs and rosters, and logins locked — newest first (admins).
#[utoipa::path(get, path = "/api/v1/audit", operation_id = "list_audit_entries", tag = "admin",
    params(AuditLogQuery),
    responses((status = 200, body = AuditPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_audit_entries(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<AuditLogQuery>,
) -> ApiResult<Json<AuditPage>> {
    let cursor = match q.cursor.as_deref() {
        None => None,
        Some(c) => Some(
            c.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::field("cursor", "is not a cursor from a previous page"))?,
        ),
    };
    let (rows, next) = audit::list(
        &state,
        &caller,
        AuditQuery {
            actor: q.actor.as_deref(),
            action: q.action.as_deref(),
            subject: q.subject.as_deref(),
            cursor,
            limit: q.limit,
        },
    )
    .await?;
    Ok(Json(AuditPage {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor: next.map(|id| id.to_string()),
    }))
}
