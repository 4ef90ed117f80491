//! The console's pages: their own templates (`templates/console/`, every value
//! HTML-escaped) in the layout `console/base.html` — the navigation from [`super::nav`],
//! who is signed in with their presence, the sign-out form — with the help center's
//! headers (CSP without inline scripts, no caching). Other console pages register their
//! templates in [`TEMPLATES`] and render through [`page`].

use super::super::assets::{CONSOLE_CSS, CONSOLE_JS, CSS};
use super::super::lang::PageLang;
use super::super::render::{Extra, environment, html_response};
use super::super::texts::console::ConsoleTexts;
use super::nav::{NavItem, items};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kefu_domain::AgentRole;
use minijinja::Environment;
use serde::Serialize;
use std::sync::LazyLock;

/// The console's templates, by name.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "console/base.html",
        include_str!("../templates/console/base.html"),
    ),
    (
        "console/login.html",
        include_str!("../templates/console/login.html"),
    ),
    (
        "console/error.html",
        include_str!("../templates/console/error.html"),
    ),
    (
        "console/home.html",
        include_str!("../templates/console/home.html"),
    ),
    (
        "console/ticket.html",
        include_str!("../templates/console/ticket.html"),
    ),
    (
        "console/shortcuts.html",
        include_str!("../templates/console/shortcuts.html"),
    ),
    // The supervisor and admin pages (web/console_admin/).
    (
        "console/supervisor.html",
        include_str!("../templates/console/supervisor.html"),
    ),
    (
        "console/supervisor_live.html",
        include_str!("../templates/console/supervisor_live.html"),
    ),
    (
        "console/policies.html",
        include_str!("../templates/console/policies.html"),
    ),
    (
        "console/policy.html",
        include_str!("../templates/console/policy.html"),
    ),
    (
        "console/kb_list.html",
        include_str!("../templates/console/kb_list.html"),
    ),
    (
        "console/kb_edit.html",
        include_str!("../templates/console/kb_edit.html"),
    ),
    (
        "console/learning.html",
        include_str!("../templates/console/learning.html"),
    ),
    (
        "console/api_keys.html",
        include_str!("../templates/console/api_keys.html"),
    ),
    (
        "console/jobs.html",
        include_str!("../templates/console/jobs.html"),
    ),
    (
        "console/rosters.html",
        include_str!("../templates/console/rosters.html"),
    ),
    (
        "console/sla.html",
        include_str!("../templates/console/sla.html"),
    ),
    // The people and catalogue pages (web/console_admin/{categories,teams,agents,skills}.rs).
    (
        "console/categories.html",
        include_str!("../templates/console/categories.html"),
    ),
    (
        "console/teams.html",
        include_str!("../templates/console/teams.html"),
    ),
    (
        "console/agents.html",
        include_str!("../templates/console/agents.html"),
    ),
    (
        "console/agent.html",
        include_str!("../templates/console/agent.html"),
    ),
    (
        "console/skills.html",
        include_str!("../templates/console/skills.html"),
    ),
    (
        "console/skill_fields.html",
        include_str!("../templates/console/skill_fields.html"),
    ),
    (
        "console/agent_fields.html",
        include_str!("../templates/console/agent_fields.html"),
    ),
    (
        "console/reports.html",
        include_str!("../templates/console/reports.html"),
    ),
];

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| environment(TEMPLATES));

/// The signed-in staff member as the layout shows them.
#[derive(Debug, Clone, Serialize)]
pub struct Me {
    pub name: String,
    pub role: &'static str,
    /// `online`, `away` or `offline`.
    pub presence: &'static str,
}

/// What one console page shows around its own values.
pub struct Frame<'a> {
    pub lang: &'a PageLang,
    /// Who is signed in, and their role (no one on the sign-in page).
    pub me: Option<(&'a Me, AgentRole)>,
    /// The [`super::nav::NavEntry::key`] of this page.
    pub current: &'a str,
    /// The CSRF token of the page's forms (sign-out included).
    pub csrf: &'a str,
    /// `Set-Cookie` values to send (a fresh CSRF cookie, a session).
    pub cookies: Vec<HeaderValue>,
}

#[derive(Serialize)]
struct Layout<'a, T: Serialize> {
    c: &'static ConsoleTexts,
    lang: &'static str,
    switch_href: &'a str,
    css: String,
    console_css: String,
    js: String,
    nav: Vec<NavItem>,
    me: Option<&'a Me>,
    csrf: &'a str,
    #[serde(flatten)]
    page: T,
}

/// Renders a console page.
pub fn page<T: Serialize>(
    frame: Frame<'_>,
    status: StatusCode,
    template: &str,
    page: T,
) -> Response {
    let lang = frame.lang.lang;
    let layout = Layout {
        c: ConsoleTexts::of(lang),
        lang: lang.tag(),
        switch_href: &frame.lang.switch_href,
        css: CSS.href(),
        console_css: CONSOLE_CSS.href(),
        js: CONSOLE_JS.href(),
        nav: frame
            .me
            .map(|(_, role)| items(role, lang, frame.current))
            .unwrap_or_default(),
        me: frame.me.map(|(me, _)| me),
        csrf: frame.csrf,
        page,
    };
    match ENV.get_template(template).and_then(|t| t.render(&layout)) {
        Ok(html) => {
            let mut r = html_response(
                frame.lang,
                status,
                html,
                Extra {
                    cookies: frame.cookies,
                    private: true,
                },
            );
            // Under the site-wide `no-referrer`, browsers send `Origin: null` with a form
            // POST, which the console's origin check must refuse; `same-origin` lets this
            // site's own forms name their origin and still tells other sites nothing.
            r.headers_mut().insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            );
            r
        }
        Err(e) => {
            tracing::error!(template, error = %e, "console page did not render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_console_template_compiles() {
        for (name, source) in TEMPLATES {
            let mut env = Environment::new();
            for (n, s) in TEMPLATES {
                if n != name {
                    let _ = env.add_template(n, s);
                }
            }
            if let Err(e) = env.add_template(name, source) {
                panic!("{name}: {e:#}");
            }
            assert!(ENV.get_template(name).is_ok(), "{name}");
        }
    }
}

#[cfg(test)]
mod render_tests {
    use super::*;

    #[test]
    fn the_desk_renders_with_escaped_values() {
        let me = Me {
            name: "<b>x</b>".into(),
            role: "agent",
            presence: "online",
        };
        let layout = Layout {
            c: ConsoleTexts::of(kefu_service::Lang::En),
            lang: "en",
            switch_href: "/console?lang=zh-CN",
            css: String::new(),
            console_css: String::new(),
            js: String::new(),
            nav: items(AgentRole::Agent, kefu_service::Lang::En, "home"),
            me: Some(&me),
            csrf: "tok",
            page: serde_json::json!({"mine": [{"number": "1", "number_display": "1", "href": "/x",
                "subject": "<script>alert(1)</script>", "status": "assigned", "priority": "normal",
                "due": "2026-01-01T00:00:00Z", "clock": "first_response"}], "queue": []}),
        };
        let html = ENV
            .get_template("console/home.html")
            .and_then(|t| t.render(&layout))
            .map_err(|e| format!("{e:#}"))
            .unwrap();
        assert!(html.contains("&lt;script&gt;alert(1)"));
        assert!(html.contains("&lt;b&gt;x"));
        assert!(html.contains("Nothing here."), "the empty queue");
    }
}
