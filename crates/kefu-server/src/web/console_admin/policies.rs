//! The "must read" policy updates in the console: `GET /console/policies` lists the
//! caller's unread must-read updates first (each with its acknowledge button), then every
//! update; supervisors and admins also get the publish form (`POST /console/policies`) and,
//! on `GET /console/policies/{id}`, who has and has not acknowledged. The console's script
//! asks `GET /console/policies/unread.json` on every page and shows a banner while any
//! must-read update is unacknowledged.

use super::super::console::{Console, enter};
use super::super::texts::console_admin::AdminTexts;
use super::{page, posted, redirect, time};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use kefu_service::policies::{self, PolicyInput};
use kefu_service::types::PolicyUpdate;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Item {
    id: i64,
    title: String,
    body: String,
    must_read: bool,
    published: String,
    acknowledged: Option<String>,
}

fn item(p: PolicyUpdate, acknowledged: Option<jiff::Timestamp>) -> Item {
    Item {
        id: p.id,
        title: p.title,
        body: p.body,
        must_read: p.must_read,
        published: time(p.published_at),
        acknowledged: acknowledged.map(time),
    }
}

#[derive(Serialize)]
struct ListPage {
    unread: Vec<Item>,
    all: Vec<Item>,
    may_publish: bool,
    csrf: String,
}

#[derive(Serialize)]
struct AckLine {
    name: String,
    email: String,
    at: Option<String>,
}

#[derive(Serialize)]
struct OnePage {
    policy: Item,
    acks: Option<Vec<AckLine>>,
    acknowledged: usize,
    pending: usize,
    csrf: String,
}

/// `GET /console/policies`.
pub async fn show_policies(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let console = match enter(&state, &uri, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let listed = policies::list(&state, &console.caller).await;
    let unread = policies::unread(&state, &console.caller).await;
    match (listed, unread) {
        (Ok(all), Ok(unread)) => page(
            &console,
            "policies",
            "console/policies.html",
            ListPage {
                unread: unread.into_iter().map(|p| item(p, None)).collect(),
                all: all
                    .into_iter()
                    .map(|v| item(v.policy, v.acknowledged_at))
                    .collect(),
                may_publish: console.staff.is_supervisor(),
                csrf: console.csrf.clone(),
            },
        ),
        (Err(e), _) | (_, Err(e)) => console.service_error(&e),
    }
}

/// The policy id of a path, or the console's not-found page for one that is no integer.
fn id_of(console: &Console, raw: &str) -> Result<i64, Box<Response>> {
    raw.parse::<i64>().map_err(|_| {
        Box::new(console.service_error(&kefu_service::ServiceError::new(
            kefu_service::ErrorCode::PolicyNotFound,
            "Policy ids are integers.",
        )))
    })
}

/// `GET /console/policies/{id}`: one update; for supervisors, its acknowledgements.
pub async fn show_policy(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let console = match enter(&state, &uri, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let id = match id_of(&console, &id) {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let view = match policies::find(&state, &console.caller, id).await {
        Ok(v) => v,
        Err(e) => return console.service_error(&e),
    };
    let acks = if console.staff.is_supervisor() {
        match policies::acknowledgements(&state, &console.caller, id).await {
            Ok(r) => Some(
                r.lines
                    .into_iter()
                    .map(|l| AckLine {
                        name: l.agent.display_name,
                        email: l.agent.email,
                        at: l.acknowledged_at.map(time),
                    })
                    .collect::<Vec<_>>(),
            ),
            Err(e) => return console.service_error(&e),
        }
    } else {
        None
    };
    let acknowledged = acks.iter().flatten().filter(|l| l.at.is_some()).count();
    let pending = acks.as_ref().map_or(0, Vec::len) - acknowledged;
    page(
        &console,
        "policies",
        "console/policy.html",
        OnePage {
            policy: item(view.policy, view.acknowledged_at),
            acks,
            acknowledged,
            pending,
            csrf: console.csrf.clone(),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PublishForm {
    title: String,
    body: String,
    must_read: Option<String>,
}

/// `POST /console/policies`: publishes an update (supervisors and admins).
pub async fn publish(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, f): (_, PublishForm) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = PolicyInput {
        title: f.title,
        body: f.body,
        must_read: f.must_read.is_some(),
    };
    let done = policies::publish(&state, &console.caller, input).await;
    redirect(&console, done, |p| format!("/console/policies/{}", p.id))
}

/// `POST /console/policies/{id}/acknowledge`: the caller acknowledges an update.
pub async fn acknowledge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, ()) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let id = match id_of(&console, &id) {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let done = policies::acknowledge(&state, &console.caller, id).await;
    redirect(&console, done, |_| "/console/policies".into())
}

#[derive(Serialize)]
struct Unread {
    count: usize,
    text: &'static str,
}

/// `GET /console/policies/unread.json`: how many must-read updates the caller has not
/// acknowledged, and the banner's text (403 when signed out).
pub async fn unread_json(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let Ok(console) = enter(&state, &uri, &headers).await else {
        return StatusCode::FORBIDDEN.into_response();
    };
    match policies::unread(&state, &console.caller).await {
        Ok(list) => (
            [(header::CACHE_CONTROL, "no-store")],
            Json(Unread {
                count: list.len(),
                text: AdminTexts::of(console.lang.lang).policies_unread_banner,
            }),
        )
            .into_response(),
        Err(e) => crate::problem::ApiError(e).into_response(),
    }
}
