//! The admin's operations pages: API keys (`/console/admin/api-keys`: list, create — the
//! token shown once — and revoke) and the dead-letter list of jobs
//! (`/console/admin/jobs`: each failed job with its last error; retry or discard). Admins only,
//! as kefu-service decides.

use super::super::console::{Console, enter};
use super::{page, posted, redirect, time};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use kefu_domain::ApiKeyId;
use kefu_service::types::JobId;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Key {
    id: i64,
    name: String,
    channel: Option<&'static str>,
    created: String,
    revoked: Option<String>,
}

#[derive(Serialize)]
struct KeysPage {
    keys: Vec<Key>,
    channels: Vec<&'static str>,
    /// The token of a key created just now (shown once).
    created: Option<String>,
    csrf: String,
}

async fn keys_page(state: &AppState, console: &Console, created: Option<String>) -> Response {
    match kefu_service::admin::list_api_keys(state, &console.caller).await {
        Ok(keys) => page(
            console,
            "api_keys",
            "console/api_keys.html",
            KeysPage {
                keys: keys
                    .into_iter()
                    .rev()
                    .map(|k| Key {
                        id: k.id.0,
                        name: k.name,
                        channel: k.channel.map(|c| c.as_str()),
                        created: time(k.created_at),
                        revoked: k.revoked_at.map(time),
                    })
                    .collect(),
                channels: kefu_domain::Channel::ALL
                    .iter()
                    .map(|c| c.as_str())
                    .collect(),
                created,
                csrf: console.csrf.clone(),
            },
        ),
        Err(e) => console.service_error(&e),
    }
}

/// `GET /console/admin/api-keys`.
pub async fn show_keys(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    match enter(&state, &uri, &headers).await {
        Ok(console) => keys_page(&state, &console, None).await,
        Err(r) => r,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct KeyForm {
    name: String,
    channel: String,
}

/// `POST /console/admin/api-keys`: creates a key and shows its token once.
pub async fn create_key(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, f): (_, KeyForm) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let channel = Some(f.channel.as_str()).filter(|c| !c.is_empty());
    match kefu_service::admin::create_api_key(&state, &console.caller, &f.name, channel, None).await
    {
        Ok((_, token)) => keys_page(&state, &console, Some(token)).await,
        Err(e) => console.service_error(&e),
    }
}

/// `POST /console/admin/api-keys/{id}/revoke`.
pub async fn revoke_key(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, ()) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let done = kefu_service::admin::revoke(&state, &console.caller, ApiKeyId(id)).await;
    redirect(&console, done, |()| "/console/admin/api-keys".into())
}

#[derive(Serialize)]
struct Dead {
    id: i64,
    kind: String,
    attempts: u32,
    error: Option<String>,
    dead: Option<String>,
}

#[derive(Serialize)]
struct JobsPage {
    jobs: Vec<Dead>,
    csrf: String,
}

/// `GET /console/admin/jobs`: the dead letters, most recently dead first.
pub async fn show_dead_jobs(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let console = match enter(&state, &uri, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match kefu_service::jobs::list_dead(&state, &console.caller, 200).await {
        Ok(jobs) => page(
            &console,
            "jobs",
            "console/jobs.html",
            JobsPage {
                jobs: jobs
                    .into_iter()
                    .map(|j| Dead {
                        id: j.id.0,
                        kind: j.kind,
                        attempts: j.attempts,
                        error: j.last_error,
                        dead: j.dead_at.map(time),
                    })
                    .collect(),
                csrf: console.csrf.clone(),
            },
        ),
        Err(e) => console.service_error(&e),
    }
}

/// `POST /console/admin/jobs/{id}/retry`: queues a dead job again.
pub async fn retry_job(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, ()) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let done = kefu_service::jobs::retry_dead(&state, &console.caller, JobId(id)).await;
    redirect(&console, done, |()| "/console/admin/jobs".into())
}

/// `POST /console/admin/jobs/{id}/discard`: deletes a dead job for good.
pub async fn discard_job(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, ()) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let done = kefu_service::jobs::discard_dead(&state, &console.caller, JobId(id)).await;
    redirect(&console, done, |()| "/console/admin/jobs".into())
}
