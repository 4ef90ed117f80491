//! "Check my ticket": `GET /ticket` asks for the number and lookup code; `POST /ticket`
//! shows the ticket (status, progress line, public conversation) with a reply box;
//! `POST /ticket/reply` adds the customer's message and shows the ticket again;
//! `POST /ticket/survey` answers the satisfaction survey shown under the conversation. The
//! POSTs need the CSRF token ([`super::csrf`]) and count as lookups (and messages) for the
//! rate limits; the code travels in the form body, never in an address. A wrong code and a
//! missing ticket read the same.

use super::csrf::CsrfKey;
use super::error::{error_page, service_error_page};
use super::lang::PageLang;
use super::render::{Extra, page};
use super::texts::Texts;
use crate::api::v1::customer::message_view;
use crate::client_addr::ClientAddr;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use kefu_domain::TicketStatus;
use kefu_service::lookup::{self, CustomerMessageInput, CustomerTicket, parse_number};
use kefu_service::messages::Messages;
use kefu_service::survey::{self, AnswerInput};
use kefu_service::{Caller, CustomerProof, ErrorCode, ServiceError};
use serde::{Deserialize, Serialize};

/// The fields of both forms (the reply form repeats the number and code, hidden).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct TicketForm {
    csrf: Option<String>,
    pub(super) number: String,
    code: String,
    body: Option<String>,
    pub(super) lang: Option<String>,
    /// The survey form: a score 1–5 (with a comment) or helpful `true`/`false`, and the
    /// survey's token.
    score: Option<String>,
    helpful: Option<String>,
    comment: Option<String>,
    pub(super) token: Option<String>,
}

/// The lookup form with what was typed and an error, if any.
#[derive(Serialize)]
struct FormView<'a> {
    csrf: &'a str,
    number: &'a str,
    error: Option<&'a str>,
}

/// One message as the page shows it.
#[derive(Serialize)]
struct MessageView {
    from: &'static str,
    side: &'static str,
    body: String,
    created_at: String,
    attachments: Vec<(String, String)>,
}

/// The ticket as the page shows it.
#[derive(Serialize)]
struct TicketView {
    number: String,
    number_display: String,
    status: &'static str,
    progress: &'static str,
    /// 1 received, 2 in progress, 3 resolved (the progress line).
    step: u8,
    subject: String,
    created_at: String,
    expected_response_by: Option<String>,
    queue_position: Option<u64>,
    estimated_wait_minutes: Option<i64>,
    expected_resolution_by: Option<String>,
    messages: Vec<MessageView>,
}

fn time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn step(status: TicketStatus) -> u8 {
    match status {
        TicketStatus::New | TicketStatus::Queued => 1,
        TicketStatus::Assigned | TicketStatus::PendingCustomer | TicketStatus::Escalated => 2,
        TicketStatus::Resolved | TicketStatus::Closed => 3,
    }
}

fn ticket_view(c: &CustomerTicket, t: &Texts, lang: kefu_service::Lang) -> TicketView {
    let ticket = &c.ticket;
    let messages = c
        .messages
        .iter()
        .filter(|m| m.kind.is_public())
        .map(|m| {
            let v = message_view(m);
            let (from, side) = match v.from.as_str() {
                "customer" => (t.from_customer, "me"),
                "bot" => (t.from_bot, "them"),
                "agent" => (t.from_agent, "them"),
                _ => (t.from_system, "system"),
            };
            MessageView {
                from,
                side,
                body: v.body,
                created_at: time(v.created_at),
                attachments: v
                    .attachments
                    .into_iter()
                    .filter(|a| super::render::linkable(&a.url))
                    .map(|a| (a.name, a.url))
                    .collect(),
            }
        })
        .collect();
    TicketView {
        number: ticket.number.as_string(),
        number_display: ticket.number.grouped(),
        status: ticket.status.as_str(),
        progress: (Messages::for_lang(lang).progress)(ticket.status),
        step: step(ticket.status),
        subject: ticket.subject.clone(),
        created_at: time(ticket.created_at),
        expected_response_by: (ticket.first_response_at.is_none() && ticket.status.is_open())
            .then_some(ticket.first_response_due)
            .flatten()
            .map(time),
        queue_position: c.queue_position,
        estimated_wait_minutes: c.estimated_wait_minutes,
        expected_resolution_by: c.expected_resolution_by.map(time),
        messages,
    }
}

pub(super) fn csrf_key(state: &AppState) -> CsrfKey {
    CsrfKey::derive(&state.lookup_secret)
}

pub(super) fn cookies(set: Option<HeaderValue>) -> Extra {
    Extra {
        cookies: set.into_iter().collect(),
        private: true,
    }
}

fn show_form(
    lang: &PageLang,
    status: StatusCode,
    headers: &HeaderMap,
    state: &AppState,
    number: &str,
    error: Option<&str>,
) -> Response {
    let (csrf, set) = csrf_key(state).token_for(headers);
    page(
        lang,
        status,
        "ticket_form.html",
        FormView {
            csrf: &csrf,
            number,
            error,
        },
        cookies(set),
    )
}

/// `GET /ticket`: the lookup form.
pub async fn show_ticket_form(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let lang = PageLang::of(&uri, &headers);
    show_form(&lang, StatusCode::OK, &headers, &state, "", None)
}

/// The ticket page's values.
#[derive(Serialize)]
struct TicketPage<'a> {
    ticket: TicketView,
    /// The lookup code, carried in the reply form (the page is never cached).
    code: &'a str,
    csrf: &'a str,
    notice: Option<Notice>,
    /// The satisfaction survey to answer, unless it was just answered.
    survey: Option<SurveyView>,
    survey_notice: Option<Notice>,
}

/// The survey form under the conversation.
#[derive(Serialize)]
struct SurveyView {
    /// `score` or `helpful`.
    form: &'static str,
    token: String,
}

/// The notices of one showing of the ticket: the reply box's and the survey's.
#[derive(Default)]
struct Notes {
    reply: Option<Notice>,
    survey: Option<Notice>,
}

/// The ticket's latest survey while its token is current. The customer's view carries no
/// "answered" mark, so an answered survey shows its form until it is answered again, which
/// the service refuses with `survey_already_answered` and the page reads as thanks.
fn survey_view(c: &CustomerTicket, now: jiff::Timestamp) -> Option<SurveyView> {
    let invite = c.messages.iter().rev().find_map(|m| m.survey.as_ref())?;
    let token = invite.token.clone().filter(|_| invite.expires_at > now)?;
    Some(SurveyView {
        form: invite.form.as_str(),
        token,
    })
}

/// A notice above the reply box: sent, or why not.
#[derive(Serialize)]
struct Notice {
    ok: bool,
    text: String,
}

fn show_ticket(
    lang: &PageLang,
    status: StatusCode,
    headers: &HeaderMap,
    state: &AppState,
    c: &CustomerTicket,
    code: &str,
    notes: Notes,
) -> Response {
    let (csrf, set) = csrf_key(state).token_for(headers);
    let t = Texts::of(lang.lang);
    let answered = notes.survey.as_ref().is_some_and(|n| n.ok);
    page(
        lang,
        status,
        "ticket.html",
        TicketPage {
            ticket: ticket_view(c, t, lang.lang),
            code,
            csrf: &csrf,
            notice: notes.reply,
            survey: survey_view(c, jiff::Timestamp::now()).filter(|_| !answered),
            survey_notice: notes.survey,
        },
        cookies(set),
    )
}

/// Reads the form body and checks its CSRF token; `Err` is the page to answer with.
fn read_form(
    lang: &PageLang,
    state: &AppState,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<TicketForm, Box<Response>> {
    let form: TicketForm = serde_urlencoded::from_bytes(body).unwrap_or_default();
    if !csrf_key(state).accepts(headers, form.csrf.as_deref()) {
        tracing::info!("page form refused: missing or bad CSRF token");
        return Err(Box::new(error_page(lang, StatusCode::FORBIDDEN)));
    }
    Ok(form)
}

/// The page's language for a POST: the form's `lang` field counts like `?lang=`.
fn post_lang(uri: &Uri, headers: &HeaderMap, form_lang: Option<&str>) -> PageLang {
    let mut lang = PageLang::of(uri, headers);
    if let Some(l) = form_lang.and_then(kefu_service::Lang::parse) {
        lang.lang = l;
    }
    lang
}

/// A posted form, CSRF-checked, and the page's language for the answer.
pub(super) fn posted_form(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(PageLang, TicketForm), Box<Response>> {
    let form = read_form(&PageLang::of(uri, headers), state, headers, body)?;
    let lang = post_lang(uri, headers, form.lang.as_deref());
    Ok((lang, form))
}

/// Looks the ticket up with the form's number and code; `Err` is the page to answer with.
fn look_up(
    lang: &PageLang,
    state: &AppState,
    headers: &HeaderMap,
    addr: Option<std::net::IpAddr>,
    form: &TicketForm,
) -> Result<(kefu_domain::TicketNumber, Caller), Box<Response>> {
    let t = Texts::of(lang.lang);
    if state.rate_limits.check_lookup(addr, &form.number).is_err() {
        return Err(Box::new(error_page(lang, StatusCode::TOO_MANY_REQUESTS)));
    }
    let Ok(number) = parse_number(form.number.trim()) else {
        return Err(Box::new(show_form(
            lang,
            StatusCode::BAD_REQUEST,
            headers,
            state,
            &form.number,
            Some(t.ticket_bad_number),
        )));
    };
    let caller = Caller::Customer(CustomerProof::LookupCode(form.code.clone()));
    Ok((number, caller))
}

fn lookup_failed(
    lang: &PageLang,
    state: &AppState,
    headers: &HeaderMap,
    form: &TicketForm,
    e: &ServiceError,
) -> Response {
    if e.code == ErrorCode::TicketNotFound || e.code == ErrorCode::Unauthenticated {
        let t = Texts::of(lang.lang);
        return show_form(
            lang,
            StatusCode::NOT_FOUND,
            headers,
            state,
            &form.number,
            Some(t.ticket_not_found),
        );
    }
    service_error_page(lang, e)
}

/// `POST /ticket`: the ticket, when the number and code match.
pub async fn check_ticket(
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
    let (number, caller) = match look_up(&lang, &state, &headers, addr, &form) {
        Ok(x) => x,
        Err(page) => return *page,
    };
    match lookup::customer_ticket(&state, &caller, &number).await {
        Ok(c) => show_ticket(
            &lang,
            StatusCode::OK,
            &headers,
            &state,
            &c,
            &form.code,
            Notes::default(),
        ),
        Err(e) => lookup_failed(&lang, &state, &headers, &form, &e),
    }
}

/// What both ticket-page posts check first: the CSRF token and form, the lookup code, and
/// the lookup and message rate limits. `Err` is the page to answer instead.
fn checked_post(
    state: &AppState,
    addr: Option<std::net::IpAddr>,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(PageLang, TicketForm, kefu_domain::TicketNumber, Caller), Box<Response>> {
    let (lang, form) = posted_form(state, uri, headers, body)?;
    let (number, caller) = look_up(&lang, state, headers, addr, &form)?;
    if state.rate_limits.check_message(&form.number).is_err() {
        return Err(Box::new(error_page(&lang, StatusCode::TOO_MANY_REQUESTS)));
    }
    Ok((lang, form, number, caller))
}

/// `POST /ticket/reply`: adds the customer's message, then shows the ticket.
pub async fn reply_on_ticket(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (lang, form, number, caller) = match checked_post(&state, addr, &uri, &headers, &body) {
        Ok(x) => x,
        Err(page) => return *page,
    };
    let t = Texts::of(lang.lang);
    let input = CustomerMessageInput {
        body: Some(form.body.clone().unwrap_or_default()),
        ..CustomerMessageInput::default()
    };
    match lookup::add_customer_message(&state, &caller, &number, input).await {
        Ok(c) => {
            let notice = Notice {
                ok: true,
                text: t.reply_sent.to_owned(),
            };
            show_ticket(
                &lang,
                StatusCode::OK,
                &headers,
                &state,
                &c,
                &form.code,
                Notes {
                    reply: Some(notice),
                    ..Notes::default()
                },
            )
        }
        // The message was refused (empty, too long, the ticket closed): say why, with the
        // ticket as it stands.
        Err(e)
            if crate::problem::status(e.code).is_client_error()
                && e.code != ErrorCode::TicketNotFound
                && e.code != ErrorCode::Unauthenticated =>
        {
            let status = crate::problem::status(e.code);
            let why = refusal(&e);
            match lookup::customer_ticket(&state, &caller, &number).await {
                Ok(c) => {
                    let notice = Notice {
                        ok: false,
                        text: format!("{} {why}", t.reply_refused),
                    };
                    show_ticket(
                        &lang,
                        status,
                        &headers,
                        &state,
                        &c,
                        &form.code,
                        Notes {
                            reply: Some(notice),
                            ..Notes::default()
                        },
                    )
                }
                Err(e) => lookup_failed(&lang, &state, &headers, &form, &e),
            }
        }
        Err(e) => lookup_failed(&lang, &state, &headers, &form, &e),
    }
}

/// Why the service refused a customer's input, in one line.
pub(super) fn refusal(e: &ServiceError) -> String {
    e.errors
        .first()
        .map_or(e.detail.clone(), |f| format!("{} {}", f.field, f.message))
}

/// The survey answer a form holds; `Err` is why it cannot be one.
pub(super) fn answer_input(form: &TicketForm) -> Result<AnswerInput, &'static str> {
    let score = match form.score.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(s.parse::<i64>().map_err(|_| "score must be from 1 to 5")?),
    };
    let helpful = match form.helpful.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Err("helpful must be true or false"),
    };
    Ok(AnswerInput {
        score,
        helpful,
        comment: form.comment.clone().filter(|c| !c.trim().is_empty()),
        token: form.token.clone(),
    })
}

/// `POST /ticket/survey`: answers the ticket's satisfaction survey, then shows the ticket
/// with thanks (also when it was answered before), or with why the answer was refused.
pub async fn answer_survey_on_ticket(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (lang, form, number, caller) = match checked_post(&state, addr, &uri, &headers, &body) {
        Ok(x) => x,
        Err(page) => return *page,
    };
    // The code is checked first: the token alone would answer, but this page shows the
    // ticket, which only its code opens.
    let c = match lookup::customer_ticket(&state, &caller, &number).await {
        Ok(c) => c,
        Err(e) => return lookup_failed(&lang, &state, &headers, &form, &e),
    };
    let t = Texts::of(lang.lang);
    let outcome = match answer_input(&form) {
        Ok(input) => survey::answer(&state, &caller, &number, input)
            .await
            .map(|_| ())
            .map_err(|e| {
                if e.code == ErrorCode::SurveyAlreadyAnswered {
                    None
                } else {
                    Some(e)
                }
            }),
        Err(why) => {
            let notice = Notice {
                ok: false,
                text: format!("{} {why}", t.survey_refused),
            };
            // As the service answers a score out of range.
            return show_ticket(
                &lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                &headers,
                &state,
                &c,
                &form.code,
                Notes {
                    survey: Some(notice),
                    ..Notes::default()
                },
            );
        }
    };
    let (status, notice) = match outcome {
        Ok(()) | Err(None) => (
            StatusCode::OK,
            Notice {
                ok: true,
                text: t.survey_thanks.to_owned(),
            },
        ),
        Err(Some(e)) if crate::problem::status(e.code).is_client_error() => (
            crate::problem::status(e.code),
            Notice {
                ok: false,
                text: format!("{} {}", t.survey_refused, refusal(&e)),
            },
        ),
        Err(Some(e)) => return service_error_page(&lang, &e),
    };
    show_ticket(
        &lang,
        status,
        &headers,
        &state,
        &c,
        &form.code,
        Notes {
            survey: Some(notice),
            ..Notes::default()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_line_has_three_steps() {
        assert_eq!(step(TicketStatus::New), 1);
        assert_eq!(step(TicketStatus::Escalated), 2);
        assert_eq!(step(TicketStatus::Closed), 3);
    }
}
