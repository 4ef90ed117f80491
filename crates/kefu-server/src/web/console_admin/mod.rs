//! The console's supervisor and admin pages: the live dashboard ([`supervisor`]), the
//! "must read" policy updates ([`policies`]), rosters on a week grid with the coverage view
//! ([`rosters`]), the reports with charts and CSV links ([`reports`]), the knowledge-base
//! editor ([`kb`]) and its learning loop ([`learning`]), SLA policies ([`sla`]), API keys
//! and the dead-letter list of jobs ([`ops`]), and the people and catalogue pages —
//! categories ([`categories`]), teams ([`teams`]), staff accounts ([`agents`]), skills and
//! certifications ([`skills`]), sharing [`people`]. They use the console's sign-in, layout and
//! CSRF checks ([`super::console`]); every read and write is one of kefu-service's
//! use-cases, which decide who may do what.

pub mod agents;
pub mod categories;
pub mod kb;
pub mod learning;
pub mod ops;
pub mod people;
pub mod policies;
pub mod reports;
pub mod rosters;
pub mod skills;
pub mod sla;
pub mod supervisor;
pub mod teams;

use super::console::{Console, enter_post};
use super::texts::console_admin::AdminTexts;
use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kefu_service::ServiceResult;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The supervisor and admin pages' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/supervisor", get(supervisor::show_dashboard))
        .route(
            "/console/supervisor/live",
            get(supervisor::dashboard_fragment),
        )
        .route("/console/supervisor/assign", post(supervisor::reassign))
        .route(
            "/console/policies",
            get(policies::show_policies).post(policies::publish),
        )
        .route("/console/policies/unread.json", get(policies::unread_json))
        .route("/console/policies/{id}", get(policies::show_policy))
        .route(
            "/console/policies/{id}/acknowledge",
            post(policies::acknowledge),
        )
        .route("/console/reports", get(reports::show_first))
        .route("/console/reports/{name}", get(reports::show_report))
        .route("/console/reports/{name}/csv", get(reports::download_csv))
        .route("/console/rosters", get(rosters::show_rosters))
        .route("/console/rosters/{id}", post(rosters::put_roster))
        .route("/console/kb", get(kb::show_articles))
        .route("/console/kb/new", get(kb::new_article))
        .route(
            "/console/kb/{id}",
            get(kb::show_article).post(kb::save_article),
        )
        .route("/console/kb/{id}/publish", post(kb::publish))
        .route("/console/learning", get(learning::show_learning))
        .route("/console/learning/phrasings", post(learning::add_phrasings))
        .route("/console/learning/approve", post(learning::approve))
        .route("/console/learning/dismiss", post(learning::dismiss))
        .route(
            "/console/admin/api-keys",
            get(ops::show_keys).post(ops::create_key),
        )
        .route("/console/admin/api-keys/{id}/revoke", post(ops::revoke_key))
        .route(
            "/console/admin/sla",
            get(sla::show_policies).post(sla::put_policy),
        )
        .route("/console/admin/jobs", get(ops::show_dead_jobs))
        .route("/console/admin/jobs/{id}/retry", post(ops::retry_job))
        .route("/console/admin/jobs/{id}/discard", post(ops::discard_job))
        .route(
            "/console/admin/categories",
            get(categories::show_categories).post(categories::put_category),
        )
        .route(
            "/console/admin/teams",
            get(teams::show_teams).post(teams::create_team),
        )
        .route(
            "/console/admin/agents",
            get(agents::show_agents).post(agents::create_agent),
        )
        .route(
            "/console/admin/agents/{id}",
            get(agents::show_agent).post(agents::update_agent),
        )
        .route(
            "/console/admin/agents/{id}/active",
            post(agents::set_active),
        )
        .route("/console/admin/skills", get(skills::show_skills))
        .route("/console/admin/skills/{id}", post(skills::put_skills))
        .route("/console/admin.js", get(serve_script))
        .route("/console/admin.css", get(serve_styles))
}

/// A page's values with the texts of its language (`a` in the templates).
#[derive(Serialize)]
pub struct WithTexts<T: Serialize> {
    pub a: &'static AdminTexts,
    #[serde(flatten)]
    pub page: T,
}

/// Renders one of these pages inside the console's layout.
pub fn page<T: Serialize>(console: &Console, current: &str, template: &str, value: T) -> Response {
    console.page(
        current,
        StatusCode::OK,
        template,
        WithTexts {
            a: AdminTexts::of(console.lang.lang),
            page: value,
        },
    )
}

/// A form body, or the default (every field then fails its own check).
pub fn form<T: DeserializeOwned + Default>(body: &[u8]) -> T {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CsrfField {
    csrf: Option<String>,
}

/// A form post to one of these pages: the origin and CSRF checks and the session first
/// ([`enter_post`]), then the form's own fields. `Err` is the answer instead.
pub async fn posted<T: DeserializeOwned + Default>(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Console, T), Response> {
    let token: CsrfField = form(body);
    let console = enter_post(state, uri, headers, token.csrf.as_deref()).await?;
    Ok((console, form(body)))
}

/// A form's answer: on success a redirect (303) to the page `to` names, else the
/// console's error page for the service error.
pub fn redirect<T>(
    console: &Console,
    result: ServiceResult<T>,
    to: impl FnOnce(T) -> String,
) -> Response {
    match result {
        Ok(v) => Redirect::to(&to(v)).into_response(),
        Err(e) => console.service_error(&e),
    }
}

/// The catalogue's domain codes, for the pages' pickers.
pub fn categories(state: &AppState) -> Vec<String> {
    state
        .catalogue()
        .categories
        .iter()
        .map(|c| c.code.as_str().to_owned())
        .collect()
}

/// A time as the pages write it (RFC 3339, UTC; the console's script shows it locally).
pub fn time(t: jiff::Timestamp) -> String {
    super::console::home::time(t)
}

/// `GET /console/admin.js` and `/console/admin.css`: these pages' script and styles
/// (revalidated on each load: the layout links them by a fixed name).
pub async fn serve_script() -> Response {
    static_file(
        "text/javascript; charset=utf-8",
        include_str!("../static/admin.js"),
    )
}

pub async fn serve_styles() -> Response {
    static_file(
        "text/css; charset=utf-8",
        include_str!("../static/admin.css"),
    )
}

fn static_file(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type),
            (axum::http::header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}
