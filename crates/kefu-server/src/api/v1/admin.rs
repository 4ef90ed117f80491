//! Admin resources: agents, teams, categories and API keys.

use crate::extract::{ApiJson, Authed};
use crate::problem::{ApiError, ApiResult, ErrorCode, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_domain::{Agent, AgentId, ApiKeyId, Category, Skill, Team};
use kefu_service::admin::{self, AgentChanges, AgentInput};
use kefu_service::types::Credential;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// A skill: `category:<code>` or `lang:<tag>`, level 1–5.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillView {
    /// `category:<code>` or `lang:<tag>`.
    #[schema(
        pattern = "^(category:[a-z][a-z0-9_]{1,39}|lang:.{1,35})$",
        example = "category:account"
    )]
    pub name: String,
    /// 1–5.
    #[schema(minimum = 1, maximum = 5)]
    pub level: u8,
    /// Domains needing training are routed only once certified.
    #[serde(default)]
    pub certified: bool,
}

impl From<SkillView> for Skill {
    fn from(s: SkillView) -> Self {
        Skill {
            name: s.name,
            level: s.level,
            certified: s.certified,
        }
    }
}

/// A staff account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentView {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    #[schema(value_type = crate::openapi::AgentRoleName)]
    pub role: String,
    pub team_id: Option<i64>,
    pub skills: Vec<SkillView>,
    pub chat_capacity: u16,
    pub active: bool,
}

impl From<&Agent> for AgentView {
    fn from(a: &Agent) -> Self {
        Self {
            id: a.id.0,
            email: a.email.clone(),
            display_name: a.display_name.clone(),
            role: a.role.as_str().into(),
            team_id: a.team_id.map(|t| t.0),
            skills: a
                .skills
                .iter()
                .map(|s| SkillView {
                    name: s.name.clone(),
                    level: s.level,
                    certified: s.certified,
                })
                .collect(),
            chat_capacity: a.chat_capacity,
            active: a.active,
        }
    }
}

/// A staff account with where they stand now.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentStatusView {
    #[serde(flatten)]
    pub agent: AgentView,
    /// online, away or offline.
    pub presence: String,
    /// On shift by their roster now (always, without a roster).
    pub on_shift: bool,
    /// Live chats held now (out of `chat_capacity`).
    pub chats: u32,
    /// Asynchronous tickets held now.
    pub tickets: u32,
}

/// Lists staff accounts with presence, shift and load (supervisors and admins).
#[utoipa::path(get, path = "/api/v1/agents", operation_id = "list_agents", tag = "admin",
    responses((status = 200, body = [AgentStatusView]), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_agents(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> ApiResult<Json<Vec<AgentStatusView>>> {
    let board = kefu_service::board::staff_board(&state, &caller).await?;
    let agents = admin::list_agents(&state, &caller).await?;
    Ok(Json(
        agents
            .iter()
            .map(|a| {
                let now = board.iter().find(|s| s.agent.id == a.id);
                AgentStatusView {
                    agent: AgentView::from(a),
                    presence: now.map_or("offline", |s| s.presence.as_str()).into(),
                    on_shift: now.is_some_and(|s| s.on_shift),
                    chats: now.map_or(0, |s| s.chats),
                    tickets: now.map_or(0, |s| s.tickets),
                }
            })
            .collect(),
    ))
}

/// A new staff account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAgentRequest {
    #[schema(min_length = 3, max_length = 254)]
    pub email: String,
    /// 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: String,
    #[schema(value_type = crate::openapi::AgentRoleName)]
    pub role: String,
    pub team_id: Option<i64>,
    /// 10–200 characters; generated and returned once when absent.
    #[schema(min_length = 10, max_length = 200)]
    pub password: Option<String>,
    #[serde(default)]
    pub skills: Vec<SkillView>,
    /// Concurrent chats, 1–50.
    #[schema(minimum = 1, maximum = 50)]
    pub chat_capacity: Option<u16>,
}

/// The new account, and its password if one was generated.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreateAgentResponse {
    pub agent: AgentView,
    pub generated_password: Option<String>,
}

/// Creates a staff account (admins).
#[utoipa::path(post, path = "/api/v1/agents", operation_id = "create_agent", tag = "admin", request_body = CreateAgentRequest,
    responses((status = 201, body = CreateAgentResponse), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn create_agent(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<CreateAgentRequest>,
) -> ApiResult<(StatusCode, Json<CreateAgentResponse>)> {
    let (agent, generated_password) = admin::create_agent(
        &state,
        &caller,
        AgentInput {
            email: &req.email,
            display_name: &req.display_name,
            role: &req.role,
            team_id: req.team_id,
            password: req.password.as_deref(),
            skills: req.skills.into_iter().map(Skill::from).collect(),
            chat_capacity: req.chat_capacity,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreateAgentResponse {
            agent: (&agent).into(),
            generated_password,
        }),
    ))
}

/// Distinguishes an absent field from an explicit `null` (which clears a team).
fn double_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

/// Changes to a staff account; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAgentRequest {
    /// 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
    #[schema(value_type = Option<crate::openapi::AgentRoleName>)]
    pub role: Option<String>,
    /// A team id, or null to leave every team.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub team_id: Option<Option<i64>>,
    /// 10–200 characters.
    #[schema(min_length = 10, max_length = 200)]
    pub password: Option<String>,
    pub skills: Option<Vec<SkillView>>,
    /// Concurrent chats, 1–50.
    #[schema(minimum = 1, maximum = 50)]
    pub chat_capacity: Option<u16>,
    pub active: Option<bool>,
}

/// Updates a staff account (admins; supervisors may change only `skills`, e.g. certify an
/// agent in a domain); deactivating one ends its sessions.
#[utoipa::path(patch, path = "/api/v1/agents/{id}", operation_id = "update_agent", tag = "admin",
    params(("id" = i64, Path, description = "The agent's id")), request_body = UpdateAgentRequest,
    responses((status = 200, body = AgentView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn update_agent(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateAgentRequest>,
) -> ApiResult<Json<AgentView>> {
    let id = AgentId(
        id.parse()
            .map_err(|_| ApiError::new(ErrorCode::AgentNotFound, "Agent ids are integers."))?,
    );
    let agent = admin::update_agent(
        &state,
        &caller,
        id,
        AgentChanges {
            display_name: req.display_name.as_deref(),
            role: req.role.as_deref(),
            team_id: req.team_id,
            password: req.password.as_deref(),
            skills: req.skills.map(|s| s.into_iter().map(Skill::from).collect()),
            chat_capacity: req.chat_capacity,
            active: req.active,
        },
    )
    .await?;
    Ok(Json((&agent).into()))
}

/// A team.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub specialist: bool,
}

impl From<&Team> for TeamView {
    fn from(t: &Team) -> Self {
        Self {
            id: t.id.0,
            code: t.code.clone(),
            name: t.name.clone(),
            specialist: t.specialist,
        }
    }
}

/// Lists teams (any staff).
#[utoipa::path(get, path = "/api/v1/teams", operation_id = "list_teams", tag = "admin",
    responses((status = 200, body = [TeamView]), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_teams(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> ApiResult<Json<Vec<TeamView>>> {
    Ok(Json(
        admin::list_teams(&state, &caller)
            .await?
            .iter()
            .map(TeamView::from)
            .collect(),
    ))
}

/// A new team.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTeamRequest {
    /// 2–40 characters of a–z, 0–9 and `_`, starting with a letter.
    #[schema(pattern = "^[a-z][a-z0-9_]{1,39}$")]
    pub code: String,
    /// 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[serde(default)]
    pub specialist: bool,
}

/// Creates a team (admins).
#[utoipa::path(post, path = "/api/v1/teams", operation_id = "create_team", tag = "admin", request_body = CreateTeamRequest,
    responses((status = 201, body = TeamView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn create_team(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<CreateTeamRequest>,
) -> ApiResult<(StatusCode, Json<TeamView>)> {
    let team = admin::create_team(&state, &caller, &req.code, &req.name, req.specialist).await?;
    Ok((StatusCode::CREATED, Json((&team).into())))
}

/// A service domain.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CategoryView {
    #[schema(pattern = "^[a-z][a-z0-9_]{1,39}$")]
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub specialist_team: Option<String>,
    pub always_human: bool,
    /// Routed only to agents certified in this domain.
    pub requires_certification: bool,
}

impl From<&Category> for CategoryView {
    fn from(c: &Category) -> Self {
        Self {
            code: c.code.as_str().into(),
            name_zh: c.name_zh.clone(),
            name_en: c.name_en.clone(),
            specialist_team: c.specialist_team.clone(),
            always_human: c.always_human,
            requires_certification: c.requires_certification,
        }
    }
}

/// Lists the catalogue of service domains (any staff).
#[utoipa::path(get, path = "/api/v1/categories", operation_id = "list_categories", tag = "admin",
    responses((status = 200, body = [CategoryView]), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_categories(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> ApiResult<Json<Vec<CategoryView>>> {
    Ok(Json(
        admin::list_categories(&state, &caller)
            .await?
            .iter()
            .map(CategoryView::from)
            .collect(),
    ))
}

/// A category's names and routing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutCategoryRequest {
    /// 1–50 characters.
    #[schema(min_length = 1, max_length = 50)]
    pub name_zh: String,
    /// 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name_en: String,
    /// Code of the team escalations go to.
    #[schema(pattern = "^[a-z][a-z0-9_]{1,39}$")]
    pub specialist_team: Option<String>,
    #[serde(default)]
    pub always_human: bool,
    /// Route only to agents certified in this domain; defaults to `always_human`.
    pub requires_certification: Option<bool>,
}

/// Creates or replaces a category (admins).
#[utoipa::path(put, path = "/api/v1/categories/{code}", operation_id = "put_category", tag = "admin",
    params(("code" = String, Path, description = "2–40 characters of a–z, 0–9 and `_`, starting with a letter", pattern = "^[a-z][a-z0-9_]{1,39}$")), request_body = PutCategoryRequest,
    responses((status = 200, body = CategoryView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn put_category(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<PutCategoryRequest>,
) -> ApiResult<Json<CategoryView>> {
    let input = admin::CategoryInput {
        code: &code,
        name_zh: &req.name_zh,
        name_en: &req.name_en,
        specialist_team: req.specialist_team.as_deref(),
        always_human: req.always_human,
        requires_certification: req.requires_certification.unwrap_or(req.always_human),
    };
    let cat = admin::upsert_category(&state, &caller, input).await?;
    Ok(Json((&cat).into()))
}

/// An API key (never with its token).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: i64,
    pub name: String,
    /// The channel it opens tickets for.
    #[schema(value_type = Option<crate::openapi::ChannelName>)]
    pub channel: Option<String>,
    /// The staff account it acts as.
    pub agent_id: Option<i64>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<jiff::Timestamp>,
}

impl From<&Credential> for ApiKeyView {
    fn from(c: &Credential) -> Self {
        Self {
            id: c.id.0,
            name: c.name.clone(),
            channel: c.channel.map(|ch| ch.as_str().into()),
            agent_id: c.agent_id.map(|a| a.0),
            created_at: c.created_at,
            revoked_at: c.revoked_at,
        }
    }
}

/// Lists API keys (admins).
#[utoipa::path(get, path = "/api/v1/api-keys", operation_id = "list_api_keys", tag = "admin",
    responses((status = 200, body = [ApiKeyView]), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_api_keys(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> ApiResult<Json<Vec<ApiKeyView>>> {
    Ok(Json(
        admin::list_api_keys(&state, &caller)
            .await?
            .iter()
            .map(ApiKeyView::from)
            .collect(),
    ))
}

/// A new API key: for a channel, or acting as a staff member.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// The channel the key opens tickets for (not with `agent_id`).
    #[schema(value_type = Option<crate::openapi::ChannelName>)]
    pub channel: Option<String>,
    /// The staff account the key acts as (not with `channel`).
    pub agent_id: Option<i64>,
}

/// The key and its token, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreateApiKeyResponse {
    pub key: ApiKeyView,
    pub token: String,
}

/// Creates an API key (admins).
#[utoipa::path(post, path = "/api/v1/api-keys", operation_id = "create_api_key", tag = "admin", request_body = CreateApiKeyRequest,
    responses((status = 201, body = CreateApiKeyResponse), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn create_api_key(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<CreateApiKeyRequest>,
) -> ApiResult<(StatusCode, Json<CreateApiKeyResponse>)> {
    let (key, token) = admin::create_api_key(
        &state,
        &caller,
        &req.name,
        req.channel.as_deref(),
        req.agent_id,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreateApiKeyResponse {
            key: (&key).into(),
            token,
        }),
    ))
}

/// Revokes an API key (admins); it stops working at once on this node.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", operation_id = "revoke_api_key", tag = "admin",
    params(("id" = i64, Path, description = "The API key's id")),
    responses((status = 204, description = "Revoked"), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn revoke_api_key(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = ApiKeyId(
        id.parse()
            .map_err(|_| ApiError::new(ErrorCode::ApiKeyNotFound, "API key ids are integers."))?,
    );
    admin::revoke(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
