//! `GET /console/admin/sla`: the SLA policies — first-response, next-response and
//! resolution targets per priority, for all domains or one — each row with a form to change
//! it, and a form to add targets for one domain (`POST /console/admin/sla`,
//! kefu-service `sla_policies::put`: admins only, the 24 h first-response ceiling checked
//! there). New tickets use changed targets at once.

use super::super::console::enter;
use super::{categories, page, posted, redirect};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use kefu_domain::{AgentRole, Priority, SlaTargets};
use kefu_service::{ServiceError, sla_policies};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Row {
    category: String,
    priority: &'static str,
    first_response: u32,
    next_response: u32,
    resolution: u32,
}

#[derive(Serialize)]
struct SlaPage {
    policies: Vec<Row>,
    categories: Vec<String>,
    priorities: Vec<&'static str>,
    may_edit: bool,
    csrf: String,
}

/// `GET /console/admin/sla`.
pub async fn show_policies(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let console = match enter(&state, &uri, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut list = match sla_policies::list(&state, &console.caller).await {
        Ok(l) => l,
        Err(e) => return console.service_error(&e),
    };
    list.sort_by(|a, b| (&a.category, a.priority).cmp(&(&b.category, b.priority)));
    page(
        &console,
        "sla",
        "console/sla.html",
        SlaPage {
            policies: list
                .into_iter()
                .map(|p| Row {
                    category: p.category.unwrap_or_default(),
                    priority: p.priority.as_str(),
                    first_response: p.targets.first_response_minutes,
                    next_response: p.targets.next_response_minutes,
                    resolution: p.targets.resolution_minutes,
                })
                .collect(),
            categories: categories(&state),
            priorities: Priority::ALL.iter().map(|p| p.as_str()).collect(),
            may_edit: console.staff.role.covers(AgentRole::Admin),
            csrf: console.csrf.clone(),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SlaForm {
    category: String,
    priority: String,
    first_response_minutes: String,
    next_response_minutes: String,
    resolution_minutes: String,
}

fn minutes(field: &str, raw: &str) -> Result<u32, ServiceError> {
    raw.trim()
        .parse()
        .map_err(|_| ServiceError::field(field, "must be a whole number of minutes"))
}

fn targets(f: &SlaForm) -> Result<(Priority, SlaTargets), ServiceError> {
    let priority = f
        .priority
        .parse()
        .map_err(|_| ServiceError::field("priority", "must be low, normal, high or urgent"))?;
    Ok((
        priority,
        SlaTargets {
            first_response_minutes: minutes("first_response_minutes", &f.first_response_minutes)?,
            next_response_minutes: minutes("next_response_minutes", &f.next_response_minutes)?,
            resolution_minutes: minutes("resolution_minutes", &f.resolution_minutes)?,
        },
    ))
}

/// `POST /console/admin/sla`: sets the targets of one priority (for one domain or all).
pub async fn put_policy(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, f): (_, SlaForm) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (priority, t) = match targets(&f) {
        Ok(x) => x,
        Err(e) => return console.service_error(&e),
    };
    let category = Some(f.category.trim()).filter(|c| !c.is_empty());
    let done = sla_policies::put(&state, &console.caller, category, priority, t).await;
    redirect(&console, done, |_| "/console/admin/sla".into())
}
