//! `GET /console/admin/teams`: the teams — code, name, frontline or specialist, their
//! active members and the domains that escalate to them — and a form to add one
//! (`POST /console/admin/teams`, kefu-service `admin::create_team`: admins only;
//! supervisors read the page without the form). Members
//! join a team from their account's page (`/console/admin/agents/{id}`).

use super::super::console::{Console, enter};
use super::people::{FieldErrors, field_errors, people_page, refused_status};
use super::posted;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_domain::AgentRole;
use kefu_service::ServiceError;
use kefu_service::admin;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Member {
    id: i64,
    name: String,
}

#[derive(Serialize)]
struct Row {
    id: i64,
    code: String,
    name: String,
    specialist: bool,
    members: Vec<Member>,
    domains: Vec<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TeamForm {
    code: String,
    name: String,
    specialist: Option<String>,
}

#[derive(Serialize)]
struct TeamsPage {
    teams: Vec<Row>,
    form: TeamForm,
    errors: FieldErrors,
    /// Admins add teams; supervisors read.
    may_edit: bool,
    csrf: String,
}

async fn teams_page(
    state: &AppState,
    console: &Console,
    form: TeamForm,
    refused: Option<&ServiceError>,
) -> Response {
    let read = async {
        let teams = admin::list_teams(state, &console.caller).await?;
        let agents = admin::list_agents(state, &console.caller).await?;
        let categories = admin::list_categories(state, &console.caller).await?;
        Ok::<_, ServiceError>((teams, agents, categories))
    };
    let (teams, agents, categories) = match read.await {
        Ok(x) => x,
        Err(e) => return console.service_error(&e),
    };
    let rows = teams
        .into_iter()
        .map(|t| Row {
            members: agents
                .iter()
                .filter(|a| a.active && a.team_id == Some(t.id))
                .map(|a| Member {
                    id: a.id.0,
                    name: a.display_name.clone(),
                })
                .collect(),
            domains: categories
                .iter()
                .filter(|c| c.specialist_team.as_deref() == Some(t.code.as_str()))
                .map(|c| c.code.as_str().to_owned())
                .collect(),
            id: t.id.0,
            code: t.code,
            name: t.name,
            specialist: t.specialist,
        })
        .collect();
    people_page(
        console,
        "teams",
        refused.map_or(StatusCode::OK, refused_status),
        "console/teams.html",
        TeamsPage {
            teams: rows,
            form,
            errors: refused
                .and_then(|e| field_errors(e, console.lang.lang))
                .unwrap_or_default(),
            may_edit: console.staff.role.covers(AgentRole::Admin),
            csrf: console.csrf.clone(),
        },
    )
}

/// `GET /console/admin/teams`.
pub async fn show_teams(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    match enter(&state, &uri, &headers).await {
        Ok(console) => teams_page(&state, &console, TeamForm::default(), None).await,
        Err(r) => r,
    }
}

/// `POST /console/admin/teams`: adds a team.
pub async fn create_team(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, f): (_, TeamForm) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let done = admin::create_team(
        &state,
        &console.caller,
        f.code.trim(),
        &f.name,
        f.specialist.is_some(),
    )
    .await;
    match done {
        Ok(t) => Redirect::to(&format!("/console/admin/teams#team-{}", t.id.0)).into_response(),
        Err(e) if !e.errors.is_empty() => teams_page(&state, &console, f, Some(&e)).await,
        Err(e) => console.service_error(&e),
    }
}
