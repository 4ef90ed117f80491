//! The chat's, the online form's and the widget's static files. The page files are served
//! at hashed addresses like the help center's ([`super::assets`]); `/widget.js` keeps its
//! address (other sites link to it) and is cached for an hour.

use super::assets::Asset;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;

/// The chat's and the form's style sheet.
pub static CSS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "chat",
        "css",
        "text/css; charset=utf-8",
        include_bytes!("static/chat.css"),
    )
});

/// The chat's script (messages, the live channel, images and voice).
pub static JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "chat",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("static/chat.js"),
    )
});

/// The online form's script (the fields of the chosen domain).
pub static FORM_JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "form",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("static/form.js"),
    )
});

/// The files served under `/static/`.
pub fn all() -> [&'static Asset; 3] {
    [&*CSS, &*JS, &*FORM_JS]
}

/// The embeddable script.
const WIDGET: &[u8] = include_bytes!("static/widget.js");

/// `GET /widget.js`.
pub async fn serve_widget() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
            // Other sites load it with a <script> tag.
            (
                header::HeaderName::from_static("cross-origin-resource-policy"),
                HeaderValue::from_static("cross-origin"),
            ),
        ],
        WIDGET,
    )
        .into_response()
}
