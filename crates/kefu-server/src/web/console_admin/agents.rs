//! The staff accounts (admins, as kefu-service decides):
//!
//! - `GET /console/admin/agents`: every account — name, e-mail, role, team, chat capacity,
//!   skills, active or not — and the form for a new one (`POST`, `admin::create_agent`;
//!   a password left empty is generated and shown once);
//! - `GET /console/admin/agents/{id}`: one account's form — name, role, team, capacity, a
//!   new password, skills and certifications, languages (`POST`, `admin::update_agent`);
//! - `POST /console/admin/agents/{id}/active`: deactivate (signed out at once) or
//!   reactivate.
//!
//! A refused form comes back with each message next to its field. Supervisors may read
//! these pages (the forms are not shown to them) and change skills on the skills page.

use super::super::console::{Console, enter};
use super::people::{FieldErrors, field_errors, people_page, refused_status};
use super::posted;
use super::skills::{SkillFields, fields_of, posted_fields, skill_label, skills_of};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_domain::{Agent, AgentId, AgentRole};
use kefu_service::admin::{self, AgentChanges, AgentInput};
use kefu_service::{ErrorCode, ServiceError};
use serde::{Deserialize, Serialize};

/// The account form's own fields (the skills fieldset is read apart).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct AgentForm {
    email: String,
    display_name: String,
    role: String,
    team_id: String,
    chat_capacity: String,
    #[serde(skip_serializing)]
    password: String,
}

impl AgentForm {
    fn of(a: &Agent) -> Self {
        AgentForm {
            email: a.email.clone(),
            display_name: a.display_name.clone(),
            role: a.role.as_str().to_owned(),
            team_id: a.team_id.map(|t| t.0.to_string()).unwrap_or_default(),
            chat_capacity: a.chat_capacity.to_string(),
            password: String::new(),
        }
    }

    fn team_id(&self) -> Result<Option<i64>, ServiceError> {
        optional(&self.team_id, "team_id", "no such team")
    }

    fn chat_capacity(&self) -> Result<Option<u16>, ServiceError> {
        optional(&self.chat_capacity, "chat_capacity", "must be from 1 to 50")
    }

    fn password(&self) -> Option<&str> {
        Some(self.password.as_str()).filter(|p| !p.is_empty())
    }
}

/// A number field that may be left empty (`None`); anything else not a number is refused.
fn optional<T: std::str::FromStr>(
    raw: &str,
    field: &str,
    message: &str,
) -> Result<Option<T>, ServiceError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| ServiceError::field(field, message))
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct Row {
    id: i64,
    name: String,
    email: String,
    role: String,
    team: Option<String>,
    chat_capacity: u16,
    skills: Vec<String>,
    active: bool,
}

/// What the agents' pages show beside their own values.
#[derive(Serialize)]
struct Choices {
    roles: Vec<Choice>,
    teams: Vec<Choice>,
    /// Admins change accounts; supervisors read them (and change skills on the skills page).
    may_edit: bool,
}

async fn choices(state: &AppState, console: &Console) -> Result<Choices, ServiceError> {
    let p = super::super::texts::console_people::PeopleTexts::of(console.lang.lang);
    let teams = admin::list_teams(state, &console.caller).await?;
    Ok(Choices {
        roles: AgentRole::ALL
            .iter()
            .zip(p.roles)
            .map(|(r, label)| Choice {
                value: r.as_str().to_owned(),
                label: label.to_owned(),
            })
            .collect(),
        teams: teams
            .into_iter()
            .map(|t| Choice {
                value: t.id.0.to_string(),
                label: t.name,
            })
            .collect(),
        may_edit: console.staff.role.covers(AgentRole::Admin),
    })
}

#[derive(Serialize)]
struct AgentsPage {
    agents: Vec<Row>,
    #[serde(flatten)]
    choices: Choices,
    form: AgentForm,
    skills: SkillFields,
    errors: FieldErrors,
    /// The account created just now, and its generated password (shown once).
    created: Option<(String, Option<String>)>,
    csrf: String,
}

/// The accounts page; `form` and `skills` fill the new account's form.
async fn agents_page(
    state: &AppState,
    console: &Console,
    form: AgentForm,
    skills: SkillFields,
    refused: Option<&ServiceError>,
    created: Option<(String, Option<String>)>,
) -> Response {
    let read = async {
        let agents = admin::list_agents(state, &console.caller).await?;
        Ok::<_, ServiceError>((agents, choices(state, console).await?))
    };
    let (agents, choices) = match read.await {
        Ok(x) => x,
        Err(e) => return console.service_error(&e),
    };
    let team_name = |id: i64| {
        choices
            .teams
            .iter()
            .find(|t| t.value == id.to_string())
            .map(|t| t.label.clone())
    };
    let role_name = |role: AgentRole| {
        choices
            .roles
            .iter()
            .find(|r| r.value == role.as_str())
            .map_or_else(String::new, |r| r.label.clone())
    };
    let categories = state.catalogue().categories;
    let lang = console.lang.lang;
    let rows = agents
        .into_iter()
        .map(|a| Row {
            id: a.id.0,
            team: a.team_id.and_then(|t| team_name(t.0)),
            skills: a
                .skills
                .iter()
                .map(|s| skill_label(&categories, lang, s))
                .collect(),
            name: a.display_name,
            email: a.email,
            role: role_name(a.role),
            chat_capacity: a.chat_capacity,
            active: a.active,
        })
        .collect();
    people_page(
        console,
        "agents",
        refused.map_or(StatusCode::OK, refused_status),
        "console/agents.html",
        AgentsPage {
            agents: rows,
            choices,
            form,
            skills,
            errors: refused
                .and_then(|e| field_errors(e, console.lang.lang))
                .unwrap_or_default(),
            created,
            csrf: console.csrf.clone(),
        },
    )
}

/// `GET /console/admin/agents`.
pub async fn show_agents(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let console = match enter(&state, &uri, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let form = AgentForm {
        role: AgentRole::Agent.as_str().into(),
        ..AgentForm::default()
    };
    let skills = fields_of(&state.catalogue().categories, console.lang.lang, &[]);
    agents_page(&state, &console, form, skills, None, None).await
}

/// `POST /console/admin/agents`: creates an account.
pub async fn create_agent(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, f): (_, AgentForm) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let skills = posted_fields(&state, &console, &body);
    let done = async {
        let input = AgentInput {
            email: &f.email,
            display_name: &f.display_name,
            role: &f.role,
            team_id: f.team_id()?,
            password: f.password(),
            skills: skills_of(&skills)?,
            chat_capacity: f.chat_capacity()?,
        };
        admin::create_agent(&state, &console.caller, input).await
    };
    match done.await {
        Ok((agent, generated)) => {
            let fresh = AgentForm {
                role: AgentRole::Agent.as_str().into(),
                ..AgentForm::default()
            };
            let empty = fields_of(&state.catalogue().categories, console.lang.lang, &[]);
            let created = Some((agent.display_name, generated));
            agents_page(&state, &console, fresh, empty, None, created).await
        }
        Err(e) if !e.errors.is_empty() => {
            agents_page(&state, &console, f, skills, Some(&e), None).await
        }
        Err(e) => console.service_error(&e),
    }
}

#[derive(Serialize)]
struct AgentPage {
    id: i64,
    active: bool,
    saved: bool,
    #[serde(flatten)]
    choices: Choices,
    form: AgentForm,
    skills: SkillFields,
    errors: FieldErrors,
    csrf: String,
}

/// One account, as the admin's list has it.
async fn account(state: &AppState, console: &Console, id: AgentId) -> Result<Agent, ServiceError> {
    admin::list_agents(state, &console.caller)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| ServiceError::new(ErrorCode::AgentNotFound, format!("No agent {id}.")))
}

async fn agent_page(
    state: &AppState,
    console: &Console,
    id: AgentId,
    posted: Option<(AgentForm, SkillFields, &ServiceError)>,
    saved: bool,
) -> Response {
    let read = async {
        let agent = account(state, console, id).await?;
        Ok::<_, ServiceError>((agent, choices(state, console).await?))
    };
    let (agent, choices) = match read.await {
        Ok(x) => x,
        Err(e) => return console.service_error(&e),
    };
    let (form, skills, status, errors) = match posted {
        Some((f, s, e)) => (
            AgentForm {
                email: agent.email.clone(),
                ..f
            },
            s,
            refused_status(e),
            field_errors(e, console.lang.lang).unwrap_or_default(),
        ),
        None => (
            AgentForm::of(&agent),
            fields_of(
                &state.catalogue().categories,
                console.lang.lang,
                &agent.skills,
            ),
            StatusCode::OK,
            FieldErrors::new(),
        ),
    };
    people_page(
        console,
        "agents",
        status,
        "console/agent.html",
        AgentPage {
            id: agent.id.0,
            active: agent.active,
            saved,
            choices,
            form,
            skills,
            errors,
            csrf: console.csrf.clone(),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /console/admin/agents/{id}` (`?saved=1` after a change).
pub async fn show_agent(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let saved = q.saved.is_some();
    match enter(&state, &uri, &headers).await {
        Ok(console) => agent_page(&state, &console, AgentId(id), None, saved).await,
        Err(r) => r,
    }
}

/// `POST /console/admin/agents/{id}`: changes an account (a new password only when given).
pub async fn update_agent(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, f): (_, AgentForm) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let id = AgentId(id);
    let skills = posted_fields(&state, &console, &body);
    let done = async {
        let changes = AgentChanges {
            display_name: Some(&f.display_name),
            role: Some(&f.role),
            team_id: Some(f.team_id()?),
            password: f.password(),
            skills: Some(skills_of(&skills)?),
            chat_capacity: f.chat_capacity()?,
            active: None,
        };
        admin::update_agent(&state, &console.caller, id, changes).await
    };
    match done.await {
        Ok(_) => Redirect::to(&format!("/console/admin/agents/{}?saved=1", id.0)).into_response(),
        Err(e) if !e.errors.is_empty() => {
            agent_page(&state, &console, id, Some((f, skills, &e)), false).await
        }
        Err(e) => console.service_error(&e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActiveForm {
    active: String,
}

/// `POST /console/admin/agents/{id}/active` (`active=false` deactivates, `true` brings the
/// account back).
pub async fn set_active(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, f): (_, ActiveForm) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let active = match f.active.as_str() {
        "true" => true,
        "false" => false,
        _ => return console.service_error(&ServiceError::field("active", "must be true or false")),
    };
    let changes = AgentChanges {
        active: Some(active),
        ..AgentChanges::default()
    };
    match admin::update_agent(&state, &console.caller, AgentId(id), changes).await {
        Ok(_) => Redirect::to(&format!("/console/admin/agents/{id}")).into_response(),
        Err(e) => console.service_error(&e),
    }
}
