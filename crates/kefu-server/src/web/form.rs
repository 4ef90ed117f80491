//! The online form (留言/工单): `GET /form` shows it (the domain, that domain's fields, a
//! description, a contact, images); `POST /form` (multipart, with the CSRF token) uploads
//! the images and opens the ticket as the cookie's visitor, then shows the number, the
//! lookup code and how to check it. The rules of every field are kefu-service's
//! ([`kefu_service::online_form`]); a refused form comes back filled in, each bad field
//! named. A retried post (the same hidden `submission` id) opens one ticket.

use super::chat_assets as assets;
use super::csrf::CsrfKey;
use super::error::{error_page, service_error_page};
use super::form_errors::{FieldErrorView, refused};
use super::lang::PageLang;
use super::render::{Extra, page};
use super::texts::chat::ChatTexts;
use super::visitor::visitor_or_new;
use crate::client_addr::ClientAddr;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use kefu_service::attachments::{self, NewUpload};
use kefu_service::online_form::{self, FieldKind, OnlineForm};
use kefu_service::visitor::{OwnTicket, caller};
use kefu_service::{Caller, ServiceError};
use serde::Serialize;

/// Room for the form's text fields and the multipart framing.
const FORM_OVERHEAD_BYTES: u64 = 64 * 1024;

/// A domain for the picker.
#[derive(Serialize)]
struct DomainOption {
    code: String,
    name: String,
}

/// A domain field as the form shows it.
#[derive(Serialize)]
struct FieldView {
    category: &'static str,
    name: &'static str,
    label: &'static str,
    required: bool,
    kind: &'static str,
    value: String,
}

/// What was typed, shown again when the form is refused.
#[derive(Default, Serialize)]
struct Values {
    category: String,
    description: String,
    contact: String,
}

#[derive(Serialize)]
struct FormView {
    csrf: String,
    submission: String,
    domains: Vec<DomainOption>,
    fields: Vec<FieldView>,
    values: Values,
    errors: Vec<FieldErrorView>,
    /// The ids of the inputs refused (marked `aria-invalid`).
    invalid: Vec<String>,
    chat_css: String,
    form_js: String,
}

#[derive(Serialize)]
struct ResultView {
    number: String,
    number_display: String,
    code: String,
    /// For the button that opens the ticket at once (a POST to `/ticket`).
    csrf: String,
}

fn kind_name(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::AccountId => "account",
        FieldKind::Link => "link",
        FieldKind::Number => "number",
    }
}

/// The form, filled with `form` and marked with `errors`.
fn show(
    state: &AppState,
    lang: &PageLang,
    headers: &HeaderMap,
    status: StatusCode,
    form: &OnlineForm,
    errors: Vec<FieldErrorView>,
    extra_cookie: Option<HeaderValue>,
) -> Response {
    let c = ChatTexts::of(lang.lang);
    let domains = state
        .catalogue()
        .categories
        .iter()
        .map(|d| DomainOption {
            code: d.code.as_str().to_owned(),
            name: kefu_service::core::category_name_in(d, lang.lang).to_owned(),
        })
        .collect();
    let fields = online_form::FIELDS
        .iter()
        .map(|f| FieldView {
            category: f.category,
            name: f.name,
            label: c.field_label(f.name),
            required: f.required,
            kind: kind_name(f.kind),
            value: form
                .fields
                .iter()
                .find(|(n, _)| n == f.name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        })
        .collect();
    let (csrf, set) = CsrfKey::derive(&state.lookup_secret).token_for(headers);
    let submission = form
        .idempotency_key
        .clone()
        .unwrap_or_else(|| kefu_service::credentials::hex(&rand::random::<[u8; 16]>()));
    page(
        lang,
        status,
        "form.html",
        FormView {
            csrf,
            submission,
            domains,
            fields,
            values: Values {
                category: form.category.clone(),
                description: form.description.clone(),
                contact: form.contact.clone(),
            },
            invalid: errors.iter().filter_map(|e| e.target.clone()).collect(),
            errors,
            chat_css: assets::CSS.href(),
            form_js: assets::FORM_JS.href(),
        },
        Extra {
            cookies: set.into_iter().chain(extra_cookie).collect(),
            private: true,
        },
    )
}

/// `GET /form`.
pub async fn show_form(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let lang = PageLang::of(&uri, &headers);
    show(
        &state,
        &lang,
        &headers,
        StatusCode::OK,
        &OnlineForm::default(),
        Vec::new(),
        None,
    )
}

/// What the multipart post held.
#[derive(Default)]
struct Posted {
    csrf: Option<String>,
    lang: Option<String>,
    form: OnlineForm,
    /// `(file name, bytes)` of each non-empty image.
    images: Vec<(Option<String>, Vec<u8>)>,
}

/// Reads the multipart form; `None` when it cannot be read (too large, malformed).
async fn read(state: &AppState, request: Request) -> Option<Posted> {
    let max = state.settings.attachments.max_bytes()
        * u64::try_from(online_form::MAX_IMAGES).unwrap_or(5)
        + FORM_OVERHEAD_BYTES;
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, usize::try_from(max).unwrap_or(usize::MAX))
        .await
        .ok()?;
    let request = Request::from_parts(parts, Body::from(bytes));
    let mut multipart = axum::extract::Multipart::from_request(request, state)
        .await
        .ok()?;
    let mut posted = Posted::default();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "images" {
            let file = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.ok()?.to_vec();
            if !bytes.is_empty() {
                posted.images.push((file, bytes));
            }
            continue;
        }
        let text = field.text().await.ok()?;
        let f = &mut posted.form;
        match name.as_str() {
            "csrf" => posted.csrf = Some(text),
            "lang" => posted.lang = Some(text),
            "submission" => f.idempotency_key = Some(text).filter(|t| !t.trim().is_empty()),
            "category" => f.category = text,
            "description" => f.description = text,
            "contact" => f.contact = text,
            other => {
                // `field.<domain>.<name>`: only the chosen domain's count (read after all).
                if let Some((domain, field)) =
                    other.strip_prefix("field.").and_then(|r| r.split_once('.'))
                {
                    f.fields.push((format!("{domain}.{field}"), text));
                }
            }
        }
    }
    let category = posted.form.category.clone();
    posted.form.fields = std::mem::take(&mut posted.form.fields)
        .into_iter()
        .filter_map(|(k, v)| {
            let (domain, name) = k.split_once('.')?;
            (domain == category).then(|| (name.to_owned(), v))
        })
        .collect();
    Some(posted)
}

/// Uploads the images as the visitor; their ids, or the refusal.
async fn upload_images(
    state: &AppState,
    who: &Caller,
    images: Vec<(Option<String>, Vec<u8>)>,
) -> Result<Vec<String>, ServiceError> {
    if images.len() > online_form::MAX_IMAGES {
        return Err(ServiceError::field(
            "images",
            format!("at most {} images", online_form::MAX_IMAGES),
        ));
    }
    let mut ids = Vec::with_capacity(images.len());
    for (name, bytes) in images {
        let up = NewUpload {
            name,
            bytes,
            kind: Some("image".into()),
            ticket: None,
        };
        ids.push(attachments::upload(state, who, up).await?.record.id);
    }
    Ok(ids)
}

/// `POST /form`.
pub async fn submit_form(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    uri: Uri,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let lang = PageLang::of(&uri, &headers);
    let Some(posted) = read(&state, request).await else {
        return error_page(&lang, StatusCode::BAD_REQUEST);
    };
    if !CsrfKey::derive(&state.lookup_secret).accepts(&headers, posted.csrf.as_deref()) {
        tracing::info!("online form refused: missing or bad CSRF token");
        return error_page(&lang, StatusCode::FORBIDDEN);
    }
    if state.rate_limits.check_visitor_intake(addr).is_err() {
        return error_page(&lang, StatusCode::TOO_MANY_REQUESTS);
    }
    let mut lang = lang;
    if let Some(l) = posted.lang.as_deref().and_then(kefu_service::Lang::parse) {
        lang.lang = l;
    }
    let t = ChatTexts::of(lang.lang);
    let (who, set) = visitor_or_new(&state, &headers);
    let who = caller(who);
    let mut form = posted.form;
    form.language = Some(lang.lang.tag().to_owned());
    let done = match upload_images(&state, &who, posted.images).await {
        Ok(ids) => {
            form.images = ids;
            online_form::submit(&state, &who, form.clone()).await
        }
        Err(e) => Err(e),
    };
    match done {
        Ok(own) => show_result(&state, &lang, &headers, own, set),
        Err(e) if crate::problem::status(e.code).is_client_error() => {
            let status = crate::problem::status(e.code);
            show(
                &state,
                &lang,
                &headers,
                status,
                &form,
                refused(t, &e, &form),
                set,
            )
        }
        Err(e) => service_error_page(&lang, &e),
    }
}

fn show_result(
    state: &AppState,
    lang: &PageLang,
    headers: &HeaderMap,
    own: OwnTicket,
    set: Option<HeaderValue>,
) -> Response {
    let (csrf, csrf_set) = CsrfKey::derive(&state.lookup_secret).token_for(headers);
    page(
        lang,
        StatusCode::CREATED,
        "form_result.html",
        ResultView {
            number: own.ticket.number.as_string(),
            number_display: own.ticket.number.grouped(),
            code: own.lookup_code,
            csrf,
        },
        Extra {
            cookies: set.into_iter().chain(csrf_set).collect(),
            private: true,
        },
    )
}
