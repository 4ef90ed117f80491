//! Templates (minijinja, compiled into the binary, every value HTML-escaped) and the answer
//! every page gets: HTML with a strict Content-Security-Policy, no caching of what may be
//! personal, and the language and CSRF cookies the page set.

use super::assets::{CSS, JS};
use super::lang::PageLang;
use super::texts::Texts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::{AutoEscape, Environment};
use serde::Serialize;
use std::sync::LazyLock;

/// No inline script or style, nothing from elsewhere, no framing, forms only to this site.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Whether an attachment's address may be a link on a page: this site's own paths or
/// http(s) (never `javascript:` or `data:`).
pub fn linkable(url: &str) -> bool {
    url.starts_with('/') || url.starts_with("https://") || url.starts_with("http://")
}

/// The templates, by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("home.html", include_str!("templates/home.html")),
    ("search.html", include_str!("templates/search.html")),
    ("article.html", include_str!("templates/article.html")),
    (
        "ticket_form.html",
        include_str!("templates/ticket_form.html"),
    ),
    ("ticket.html", include_str!("templates/ticket.html")),
    (
        "survey_fields.html",
        include_str!("templates/survey_fields.html"),
    ),
    ("survey.html", include_str!("templates/survey.html")),
    ("error.html", include_str!("templates/error.html")),
    (
        "search_form.html",
        include_str!("templates/search_form.html"),
    ),
    ("chat.html", include_str!("templates/chat.html")),
    ("form.html", include_str!("templates/form.html")),
    ("more_help.html", include_str!("templates/more_help.html")),
    (
        "form_result.html",
        include_str!("templates/form_result.html"),
    ),
];

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| environment(TEMPLATES));

/// An environment of `templates`, every value HTML-escaped whatever the template's name.
pub fn environment(templates: &[(&'static str, &'static str)]) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    for (name, source) in templates {
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = %name, error = %e, "page template does not compile");
        }
    }
    env
}

/// What every page's layout needs.
#[derive(Serialize)]
struct Layout<'a, T: Serialize> {
    t: &'static Texts,
    /// The chat's, the online form's and the widget's texts.
    c: &'static super::texts::chat::ChatTexts,
    lang: &'static str,
    switch_href: &'a str,
    css: String,
    js: String,
    #[serde(flatten)]
    page: T,
}

/// Cookies and caching of one answer.
#[derive(Default)]
pub struct Extra {
    /// `Set-Cookie` values to send.
    pub cookies: Vec<HeaderValue>,
    /// `no-store` (the page shows a customer's ticket) rather than `no-cache`.
    pub private: bool,
}

/// Renders `template` with the layout's values and `page`'s.
pub fn page<T: Serialize>(
    lang: &PageLang,
    status: StatusCode,
    template: &str,
    page: T,
    extra: Extra,
) -> Response {
    let layout = Layout {
        t: Texts::of(lang.lang),
        c: super::texts::chat::ChatTexts::of(lang.lang),
        lang: lang.lang.tag(),
        switch_href: &lang.switch_href,
        css: CSS.href(),
        js: JS.href(),
        page,
    };
    match ENV.get_template(template).and_then(|t| t.render(&layout)) {
        Ok(html) => html_response(lang, status, html, extra),
        Err(e) => {
            tracing::error!(template, error = %e, "page did not render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response()
        }
    }
}

/// A rendered page as the answer: the CSP, caching and the cookies the page set.
pub fn html_response(lang: &PageLang, status: StatusCode, html: String, extra: Extra) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if extra.private {
            "no-store"
        } else {
            "private, no-cache"
        }),
    );
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Cookie, Accept-Language"),
    );
    for cookie in lang.set_cookie.iter().chain(&extra.cookies) {
        headers.append(header::SET_COOKIE, cookie.clone());
    }
    (status, headers, html).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        for (name, _) in TEMPLATES {
            assert!(ENV.get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn every_template_file_is_registered() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/web/templates");
        for file in std::fs::read_dir(dir).unwrap() {
            let file = file.unwrap();
            if file.file_type().unwrap().is_dir() {
                continue; // console/ has its own list (web::console::render)
            }
            let name = file.file_name().to_string_lossy().into_owned();
            assert!(TEMPLATES.iter().any(|(n, _)| *n == name), "{name}");
        }
    }

    #[test]
    fn values_are_escaped_in_every_template() {
        let env = &*ENV;
        let t = env.get_template("error.html").unwrap();
        let html = t
            .render(Layout {
                t: Texts::of(kefu_service::Lang::Zh),
                c: super::super::texts::chat::ChatTexts::of(kefu_service::Lang::Zh),
                lang: "zh-CN",
                switch_href: "/?lang=en",
                css: String::new(),
                js: String::new(),
                page: super::super::error::ErrorView {
                    message: "<script>alert(1)</script>",
                    status: 404,
                    request_id: None,
                },
            })
            .unwrap();
        assert!(html.contains("&lt;script&gt;alert(1)&lt;"), "{html}");
        assert!(!html.contains("<script>alert"));
    }
}
