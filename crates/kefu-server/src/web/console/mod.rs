//! The staff console (`/console`): sign-in ([`login`]) with the session in an HttpOnly
//! cookie ([`session`]), the agent's desk ([`home`]) and the ticket view ([`ticket`]), in
//! one layout with a navigation list ([`nav`], [`render`]). Every page needs a staff
//! session (signed-out readers are sent to the sign-in page); every POST needs this site's
//! `Origin` and the CSRF token ([`super::csrf`]). Handlers are thin: each calls one of
//! kefu-service's use-cases as the signed-in staff member.

pub mod home;
pub mod login;
pub mod nav;
pub mod render;
pub mod session;
pub mod ticket;

use super::csrf::CsrfKey;
use super::lang::PageLang;
use super::texts::console::ConsoleTexts;
use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kefu_service::{Caller, ErrorCode, ServiceError, Staff};
use render::{Frame, Me};
use serde::Serialize;

/// The console's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(home::show_desk))
        .route("/console/desk.json", get(home::desk_json))
        .route("/console/presence", post(home::set_presence))
        .route("/console/tickets/{number}", get(ticket::show_ticket))
        .route(
            "/console/tickets/{number}/{action}",
            post(ticket::move_ticket),
        )
        .route("/console/login", get(login::show_login).post(login::log_in))
        .route("/console/logout", post(login::log_out))
}

/// A signed-in request: who, in which language, and the page's CSRF token.
pub struct Console {
    pub caller: Caller,
    pub staff: Staff,
    pub me: Me,
    pub lang: PageLang,
    pub csrf: String,
    /// A fresh CSRF cookie, when the request had none that verifies.
    pub set_csrf: Option<HeaderValue>,
}

impl Console {
    /// Renders a page of the console for this staff member.
    pub fn page<T: Serialize>(
        &self,
        current: &str,
        status: StatusCode,
        template: &str,
        value: T,
    ) -> Response {
        render::page(
            Frame {
                lang: &self.lang,
                me: Some((&self.me, self.staff.role)),
                current,
                csrf: &self.csrf,
                cookies: self.set_csrf.iter().cloned().collect(),
            },
            status,
            template,
            value,
        )
    }

    /// The console's error page for a service error (a server error is logged here, once).
    pub fn service_error(&self, e: &ServiceError) -> Response {
        let status = crate::problem::status(e.code);
        if status.is_server_error() {
            tracing::error!(
                error.code = e.code.as_str(),
                error.cause = e.cause.as_deref().unwrap_or("-"),
                "console page failed"
            );
        }
        let status = if e.code == ErrorCode::TicketNotFound {
            StatusCode::NOT_FOUND
        } else {
            status
        };
        error_page(&self.lang, Some(self), status)
    }
}

pub(crate) fn csrf_key(state: &AppState) -> CsrfKey {
    CsrfKey::derive(&state.lookup_secret)
}

/// Where a signed-out reader of `uri` is sent: the sign-in page, then back.
fn to_login(uri: &Uri) -> Response {
    let next = uri.path_and_query().map_or("/console", |p| p.as_str());
    let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    Redirect::to(&format!("/console/login?next={next}")).into_response()
}

/// The staff member behind the session cookie, for a console page; `Err` is the answer
/// instead (the sign-in page for a signed-out reader).
pub async fn enter(state: &AppState, uri: &Uri, headers: &HeaderMap) -> Result<Console, Response> {
    let lang = PageLang::of(uri, headers);
    let Some(caller) = session::staff_caller(state, headers).await else {
        return Err(to_login(uri));
    };
    let staff = caller.staff().map_err(|_| to_login(uri))?;
    let (agent, presence) = match kefu_service::desk::me(state, &caller).await {
        Ok(x) => x,
        Err(e) => {
            tracing::error!(
                error.code = e.code.as_str(),
                "console: reading the account failed"
            );
            return Err(error_page(&lang, None, StatusCode::SERVICE_UNAVAILABLE));
        }
    };
    let (csrf, set_csrf) = csrf_key(state).token_for(headers);
    Ok(Console {
        me: Me {
            name: agent.display_name,
            role: ConsoleTexts::of(lang.lang).role_names.of(staff.role),
            presence: presence.as_str(),
        },
        caller,
        staff,
        lang,
        csrf,
        set_csrf,
    })
}

/// Whether a console POST may go on: it comes from this site (`Origin`, else `Referer`)
/// and carries the CSRF token of its page.
pub fn post_allowed(state: &AppState, headers: &HeaderMap, csrf_field: Option<&str>) -> bool {
    let ok = session::same_origin(headers) && csrf_key(state).accepts(headers, csrf_field);
    if !ok {
        tracing::info!("console form refused: foreign origin or missing or bad CSRF token");
    }
    ok
}

/// [`enter`] for a POST: the origin and CSRF checks first, then the session.
pub async fn enter_post(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    csrf_field: Option<&str>,
) -> Result<Console, Response> {
    if !post_allowed(state, headers, csrf_field) {
        return Err(error_page(
            &PageLang::of(uri, headers),
            None,
            StatusCode::FORBIDDEN,
        ));
    }
    enter(state, uri, headers).await
}

#[derive(Serialize)]
struct ErrorView {
    message: &'static str,
    status: u16,
    request_id: Option<String>,
}

/// The console's error page: what went wrong in the reader's language and the request id.
pub fn error_page(lang: &PageLang, console: Option<&Console>, status: StatusCode) -> Response {
    let c = ConsoleTexts::of(lang.lang);
    let message = match status {
        StatusCode::FORBIDDEN => c.error_forbidden,
        StatusCode::NOT_FOUND => c.error_not_found,
        StatusCode::TOO_MANY_REQUESTS => c.error_rate_limited,
        _ => c.error_internal,
    };
    render::page(
        Frame {
            lang,
            me: console.map(|c| (&c.me, c.staff.role)),
            current: "",
            csrf: console.map_or("", |c| c.csrf.as_str()),
            cookies: Vec::new(),
        },
        status,
        "console/error.html",
        ErrorView {
            message,
            status: status.as_u16(),
            request_id: crate::request_id::current(),
        },
    )
}
