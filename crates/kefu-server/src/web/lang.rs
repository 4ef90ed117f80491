//! The language of a page: `?lang=` (which is remembered in a cookie), else that cookie, else
//! the browser's `Accept-Language`, else zh-CN.

use axum::http::{HeaderMap, HeaderValue, Uri, header};
use kefu_service::Lang;

/// The cookie that remembers the reader's choice.
pub const COOKIE: &str = "kefu_lang";

/// The language a page is shown in, and how the reader switches it.
#[derive(Debug, Clone)]
pub struct PageLang {
    pub lang: Lang,
    /// The current address with `lang` set to the other language.
    pub switch_href: String,
    /// Set when `?lang=` chose a language: the cookie that remembers it.
    pub set_cookie: Option<HeaderValue>,
}

/// A cookie's value from the `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The first language of `Accept-Language` the pages speak (ordered by weight).
fn accepted(headers: &HeaderMap) -> Option<Lang> {
    let value = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut choices: Vec<(f32, Lang)> = value
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let lang = Lang::parse(pieces.next()?)?;
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (q > 0.0).then_some((q, lang))
        })
        .collect();
    // Stable: among equal weights the first listed wins.
    choices.sort_by(|a, b| b.0.total_cmp(&a.0));
    choices.first().map(|(_, lang)| *lang)
}

impl PageLang {
    /// Decides the language of a request.
    pub fn of(uri: &Uri, headers: &HeaderMap) -> Self {
        let query = uri.query().unwrap_or("");
        let asked = form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::parse(&v));
        let lang = asked
            .or_else(|| cookie(headers, COOKIE).and_then(Lang::parse))
            .or_else(|| accepted(headers))
            .unwrap_or_default();
        let other = match lang {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        };
        let mut rest = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| k != "lang") {
            rest.append_pair(&k, &v);
        }
        rest.append_pair("lang", other.tag());
        let set_cookie = asked.and_then(|l| {
            HeaderValue::from_str(&format!(
                "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                l.tag()
            ))
            .ok()
        });
        Self {
            lang,
            switch_href: format!("{}?{}", uri.path(), rest.finish()),
            set_cookie,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang_of(uri: &str, headers: &[(&'static str, &'static str)]) -> PageLang {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.append(*k, HeaderValue::from_static(v));
        }
        PageLang::of(&uri.parse().unwrap(), &map)
    }

    #[test]
    fn chinese_is_the_default_and_the_switch_keeps_the_query() {
        let p = lang_of("/help/search?q=%E7%99%BB%E5%BD%95", &[]);
        assert_eq!(p.lang, Lang::Zh);
        assert_eq!(p.switch_href, "/help/search?q=%E7%99%BB%E5%BD%95&lang=en");
        assert!(p.set_cookie.is_none());
    }

    #[test]
    fn the_query_beats_the_cookie_which_beats_the_browser() {
        let p = lang_of(
            "/?lang=en",
            &[("cookie", "kefu_lang=zh-CN"), ("accept-language", "zh")],
        );
        assert_eq!(p.lang, Lang::En);
        assert!(
            p.set_cookie
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("kefu_lang=en;")
        );
        assert_eq!(p.switch_href, "/?lang=zh-CN");
        let p = lang_of(
            "/",
            &[("cookie", "a=b; kefu_lang=en"), ("accept-language", "zh")],
        );
        assert_eq!(p.lang, Lang::En);
        let p = lang_of(
            "/",
            &[("accept-language", "fr;q=0.9, en-GB;q=0.8, zh;q=0.5")],
        );
        assert_eq!(p.lang, Lang::En);
        let p = lang_of("/", &[("accept-language", "fr, de")]);
        assert_eq!(p.lang, Lang::Zh);
    }
}
