//! The pages' static files, compiled into the binary and served under a name that carries
//! a hash of their bytes (`/static/kefu.3f2a9c0d1e.css`), so they can be cached for a year:
//! a changed file gets a new name. A name with an old hash is a 404.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// One static file.
pub struct Asset {
    /// The name with its hash, as linked from the pages.
    pub file: String,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

impl Asset {
    pub fn new(stem: &str, ext: &str, content_type: &'static str, bytes: &'static [u8]) -> Self {
        let digest = Sha256::digest(bytes);
        let hash = kefu_service::credentials::hex(&digest[..5]);
        Self {
            file: format!("{stem}.{hash}.{ext}"),
            content_type,
            bytes,
        }
    }

    /// The address pages link to.
    pub fn href(&self) -> String {
        format!("/static/{}", self.file)
    }
}

/// The style sheet.
pub static CSS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "kefu",
        "css",
        "text/css; charset=utf-8",
        include_bytes!("static/kefu.css"),
    )
});

/// The help center's script (search as you type, local times).
pub static JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "help",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("static/help.js"),
    )
});

/// The staff console's style sheet (on top of [`CSS`]).
pub static CONSOLE_CSS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "console",
        "css",
        "text/css; charset=utf-8",
        include_bytes!("static/console.css"),
    )
});

/// The staff console's script (live channel, countdowns, inserts, shortcuts).
pub static CONSOLE_JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "console",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("static/console.js"),
    )
});

/// `GET /static/{file}`.
pub async fn serve_asset(Path(file): Path<String>) -> Response {
    let Some(asset) = [&*CSS, &*JS, &*CONSOLE_CSS, &*CONSOLE_JS]
        .into_iter()
        .chain(super::chat_assets::all())
        .find(|a| a.file == file)
    else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        asset.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_a_hash_of_the_bytes() {
        assert!(CSS.file.starts_with("kefu.") && CSS.file.ends_with(".css"));
        assert_eq!(CSS.file.len(), "kefu.".len() + 10 + ".css".len());
        assert_ne!(CSS.file, JS.file);
        assert_eq!(JS.href(), format!("/static/{}", JS.file));
    }
}
