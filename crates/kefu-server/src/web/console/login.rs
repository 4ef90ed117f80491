//! Signing in and out of the console. `GET /console/login` shows the form; `POST` checks
//! the origin and CSRF token, then signs in through kefu-service's login use-case (the same
//! guard as the API's: delays, lock-out, bounded hashing) and stores the session token in
//! the `kefu_staff` cookie ([`super::session`]). `POST /console/logout` revokes the session
//! and clears the cookie.

use super::render::{Frame, page};
use super::session;
use super::{csrf_key, error_page, post_allowed};
use crate::client_addr::ClientAddr;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_service::admin;
use kefu_service::{ErrorCode, ServiceError};
use serde::{Deserialize, Serialize};

use super::super::lang::PageLang;
use super::super::texts::console::ConsoleTexts;

/// The sign-in form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LoginForm {
    csrf: Option<String>,
    email: String,
    password: String,
    next: Option<String>,
}

#[derive(Serialize)]
struct LoginView<'a> {
    email: &'a str,
    next: &'a str,
    error: Option<&'a str>,
}

/// Where to go after signing in: a console address, else the desk. Anything else (another
/// site, `//host`, a backslash trick) is ignored.
fn next_page(next: Option<&str>) -> &str {
    next.filter(|n| {
        n.starts_with("/console")
            && !n.starts_with("/console/login")
            && !n.contains(['\\', '\r', '\n'])
            && !n.contains("//")
    })
    .unwrap_or("/console")
}

fn query_next(uri: &Uri) -> Option<String> {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned())
}

fn show(
    state: &AppState,
    lang: &PageLang,
    headers: &HeaderMap,
    status: StatusCode,
    view: LoginView<'_>,
) -> Response {
    let (csrf, set) = csrf_key(state).token_for(headers);
    page(
        Frame {
            lang,
            me: None,
            current: "login",
            csrf: &csrf,
            cookies: set.into_iter().collect(),
        },
        status,
        "console/login.html",
        view,
    )
}

/// `GET /console/login`: the form (or the desk, when already signed in).
pub async fn show_login(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let next = query_next(&uri);
    let next = next_page(next.as_deref());
    if session::staff_caller(&state, &headers).await.is_some() {
        return Redirect::to(next).into_response();
    }
    let lang = PageLang::of(&uri, &headers);
    show(
        &state,
        &lang,
        &headers,
        StatusCode::OK,
        LoginView {
            email: "",
            next,
            error: None,
        },
    )
}

fn refusal(c: &ConsoleTexts, e: &ServiceError) -> (StatusCode, &'static str) {
    match e.code {
        ErrorCode::AccountLocked | ErrorCode::RateLimited => {
            (StatusCode::TOO_MANY_REQUESTS, c.login_locked)
        }
        ErrorCode::InvalidCredentials | ErrorCode::ValidationFailed => {
            (StatusCode::UNAUTHORIZED, c.login_failed)
        }
        _ => (crate::problem::status(e.code), c.error_internal),
    }
}

/// `POST /console/login`: signs in and goes to the desk (or the page asked for).
pub async fn log_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = PageLang::of(&uri, &headers);
    let form: LoginForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    if !post_allowed(&state, &headers, form.csrf.as_deref()) {
        return error_page(&lang, None, StatusCode::FORBIDDEN);
    }
    let next = next_page(form.next.as_deref());
    match admin::login(
        &state,
        &state.login_guard,
        &form.email,
        &form.password,
        client,
    )
    .await
    {
        Ok(s) => {
            let max_age = (s.expires_at - jiff::Timestamp::now()).get_seconds().max(0);
            let mut r = Redirect::to(next).into_response();
            if let Some(c) =
                session::session_cookie(&s.token, max_age, state.settings.secure_cookies)
            {
                r.headers_mut().append(axum::http::header::SET_COOKIE, c);
            }
            r
        }
        Err(e) => {
            let (status, message) = refusal(ConsoleTexts::of(lang.lang), &e);
            if status.is_server_error() {
                tracing::error!(error.code = e.code.as_str(), "console sign-in failed");
            }
            show(
                &state,
                &lang,
                &headers,
                status,
                LoginView {
                    email: &form.email,
                    next,
                    error: Some(message),
                },
            )
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CsrfOnly {
    csrf: Option<String>,
}

/// `POST /console/logout`: revokes the session and clears the cookie.
pub async fn log_out(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: CsrfOnly = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    if !post_allowed(&state, &headers, form.csrf.as_deref()) {
        return error_page(&PageLang::of(&uri, &headers), None, StatusCode::FORBIDDEN);
    }
    if let Some(caller) = session::staff_caller(&state, &headers).await
        && let Err(e) = admin::logout(&state, &caller).await
    {
        tracing::warn!(
            error.code = e.code.as_str(),
            "console sign-out: revoking failed"
        );
    }
    let mut r = Redirect::to("/console/login").into_response();
    r.headers_mut().append(
        axum::http::header::SET_COOKIE,
        session::cleared_cookie(state.settings.secure_cookies),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_console_addresses_are_followed_after_signing_in() {
        assert_eq!(next_page(Some("/console/tickets/1")), "/console/tickets/1");
        assert_eq!(next_page(Some("https://evil.example/")), "/console");
        assert_eq!(next_page(Some("//evil.example/console")), "/console");
        assert_eq!(next_page(Some("/console//evil.example")), "/console");
        assert_eq!(next_page(Some("/console\\@evil")), "/console");
        assert_eq!(next_page(Some("/console/login")), "/console");
        assert_eq!(next_page(None), "/console");
    }
}
