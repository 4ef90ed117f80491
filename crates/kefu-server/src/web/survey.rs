//! The survey link's page: `GET /survey?ticket=<number>&token=<token>` shows the question of
//! the survey the token answers (sent by e-mail or social media, where there is no ticket
//! view to answer in), and `POST /survey` answers it with the token alone — once, for that
//! ticket only (kefu-service checks both). A token that is expired, altered or for another
//! ticket reads the same, whatever the reason. Both count as lookups for the rate limits;
//! the POST needs the CSRF token.

use super::error::{error_page, service_error_page};
use super::lang::PageLang;
use super::render::page;
use super::texts::Texts;
use super::ticket::{answer_input, cookies, csrf_key, posted_form, refusal};
use crate::client_addr::ClientAddr;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use kefu_service::lookup::parse_number;
use kefu_service::{Caller, ErrorCode, survey};
use serde::{Deserialize, Serialize};

/// The link's query.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SurveyLink {
    ticket: String,
    token: String,
}

/// The page's values: the form while the survey is open, a notice after.
#[derive(Serialize)]
struct SurveyPage<'a> {
    number: &'a str,
    csrf: &'a str,
    survey: Option<SurveyForm<'a>>,
    notice: Option<Notice>,
}

#[derive(Serialize)]
struct SurveyForm<'a> {
    /// `score` or `helpful`.
    form: &'static str,
    token: &'a str,
}

#[derive(Serialize)]
struct Notice {
    ok: bool,
    text: String,
}

fn show(
    lang: &PageLang,
    status: StatusCode,
    headers: &HeaderMap,
    state: &AppState,
    number: &str,
    form: Option<(kefu_domain::SurveyForm, &str)>,
    notice: Option<Notice>,
) -> Response {
    let (csrf, set) = csrf_key(state).token_for(headers);
    page(
        lang,
        status,
        "survey.html",
        SurveyPage {
            number,
            csrf: &csrf,
            survey: form.map(|(f, token)| SurveyForm {
                form: f.as_str(),
                token,
            }),
            notice,
        },
        cookies(set),
    )
}

/// Thanks, with no form: the survey is answered.
fn thanks(lang: &PageLang, headers: &HeaderMap, state: &AppState, number: &str) -> Response {
    let notice = Notice {
        ok: true,
        text: Texts::of(lang.lang).survey_thanks.to_owned(),
    };
    show(
        lang,
        StatusCode::OK,
        headers,
        state,
        number,
        None,
        Some(notice),
    )
}

/// Why the answer was refused, with no form.
fn refused(
    lang: &PageLang,
    status: StatusCode,
    headers: &HeaderMap,
    state: &AppState,
    number: &str,
    why: String,
) -> Response {
    let notice = Notice {
        ok: false,
        text: why,
    };
    show(lang, status, headers, state, number, None, Some(notice))
}

/// The same page for every refused link.
fn link_refused(lang: &PageLang, headers: &HeaderMap, state: &AppState, number: &str) -> Response {
    let t = Texts::of(lang.lang);
    let why = format!("{} {}", t.survey_refused, t.survey_link_invalid);
    refused(lang, StatusCode::FORBIDDEN, headers, state, number, why)
}

/// `GET /survey?ticket=…&token=…`: the survey's question, or thanks if it was answered.
pub async fn show_survey(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    uri: Uri,
    headers: HeaderMap,
    Query(link): Query<SurveyLink>,
) -> Response {
    let lang = PageLang::of(&uri, &headers);
    if state.rate_limits.check_lookup(addr, &link.ticket).is_err() {
        return error_page(&lang, StatusCode::TOO_MANY_REQUESTS);
    }
    let Ok(number) = parse_number(link.ticket.trim()) else {
        return link_refused(&lang, &headers, &state, "");
    };
    let shown = number.to_string();
    match survey::by_link(&state, &number, &link.token).await {
        Ok(s) if s.answered_at.is_some() => thanks(&lang, &headers, &state, &shown),
        Ok(s) => show(
            &lang,
            StatusCode::OK,
            &headers,
            &state,
            &shown,
            Some((s.form, link.token.trim())),
            None,
        ),
        Err(e) if e.code == ErrorCode::SurveyTokenInvalid => {
            link_refused(&lang, &headers, &state, &shown)
        }
        Err(e) => service_error_page(&lang, &e),
    }
}

/// `POST /survey`: answers with the link's token; thanks, or why it was refused.
pub async fn answer_survey(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (lang, form) = match posted_form(&state, &uri, &headers, &body) {
        Ok(x) => x,
        Err(page) => return *page,
    };
    if state.rate_limits.check_lookup(addr, &form.number).is_err() {
        return error_page(&lang, StatusCode::TOO_MANY_REQUESTS);
    }
    let Ok(number) = parse_number(form.number.trim()) else {
        return link_refused(&lang, &headers, &state, "");
    };
    let shown = number.to_string();
    let t = Texts::of(lang.lang);
    let token = form.token.clone().unwrap_or_default();
    let input = match answer_input(&form) {
        Ok(input) => input,
        Err(why) => {
            let why = format!("{} {why}", t.survey_refused);
            return refused(
                &lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                &headers,
                &state,
                &shown,
                why,
            );
        }
    };
    // The token must be there: without it the service would ask for the customer's proof.
    if token.trim().is_empty() {
        return link_refused(&lang, &headers, &state, &shown);
    }
    match survey::answer(&state, &Caller::Anonymous, &number, input).await {
        Ok(_) => thanks(&lang, &headers, &state, &shown),
        Err(e) if e.code == ErrorCode::SurveyTokenInvalid => {
            link_refused(&lang, &headers, &state, &shown)
        }
        Err(e) if crate::problem::status(e.code).is_client_error() => {
            let why = format!("{} {}", t.survey_refused, refusal(&e));
            refused(
                &lang,
                crate::problem::status(e.code),
                &headers,
                &state,
                &shown,
                why,
            )
        }
        Err(e) => service_error_page(&lang, &e),
    }
}
