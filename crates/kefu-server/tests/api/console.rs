//! The staff console over real HTTP: sign-in and sign-out with the session cookie, the
//! origin and CSRF checks on every POST, and the live channel opened with the cookie.
//! (Browser tests in e2e/ drive the same pages in Chromium.)

use super::live::{live_app, live_url, next};
use super::*;
use reqwest::redirect::Policy;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// A client that shows redirects instead of following them.
fn browser() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
}

/// The value of a cookie the answer sets, and the whole `Set-Cookie` line.
pub fn set_cookie(r: &Response, name: &str) -> Option<(String, String)> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|line| {
            line.split(';')
                .next()
                .and_then(|kv| kv.split_once('='))
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| (v.to_owned(), line.to_owned()))
        })
}

/// The hidden CSRF field of a page.
pub fn csrf_field(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_owned()
}

/// A signed-in console browser: its cookies, and the origin it sends.
pub struct Signed {
    pub http: Client,
    pub cookie: String,
    pub csrf: String,
    pub origin: String,
}

impl Signed {
    pub fn get(&self, app: &TestApp, path: &str) -> RequestBuilder {
        self.http
            .get(app.url(path))
            .header("cookie", &self.cookie)
            .header("accept", "text/html")
    }

    /// A console page that must answer 200, as text.
    pub async fn page(&self, app: &TestApp, path: &str) -> String {
        let r = self.get(app, path).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.text().await.unwrap()
    }

    /// A form POST from this site that lacks its CSRF field (a forged form).
    pub fn post_without_token(
        &self,
        app: &TestApp,
        path: &str,
        fields: &[(&str, &str)],
    ) -> RequestBuilder {
        self.http
            .post(app.url(path))
            .header("cookie", &self.cookie)
            .header("origin", &self.origin)
            .form(fields)
    }

    /// A form POST from a console page (origin, cookies, CSRF field first).
    pub fn post(&self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> RequestBuilder {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.http
            .post(app.url(path))
            .header("cookie", &self.cookie)
            .header("origin", &self.origin)
            .form(&all)
    }
}

/// Opens the sign-in page: the CSRF cookie and field.
async fn login_page(app: &TestApp, http: &Client) -> (String, String) {
    let r = http.get(app.url("/console/login")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (csrf_cookie, _) = set_cookie(&r, "kefu_csrf").unwrap();
    let field = csrf_field(&r.text().await.unwrap());
    (csrf_cookie, field)
}

/// Signs `email` in through the console's form.
pub async fn sign_in(app: &TestApp, email: &str) -> Signed {
    let http = browser();
    let (csrf_cookie, csrf) = login_page(app, &http).await;
    let origin = app.base.clone();
    let r = http
        .post(app.url("/console/login"))
        .header("cookie", format!("kefu_csrf={csrf_cookie}"))
        .header("origin", &origin)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", app.password(email)),
            ("next", "/console"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signing in redirects");
    assert_eq!(r.headers()["location"], "/console");
    let (session, line) = set_cookie(&r, "kefu_staff").unwrap();
    assert!(session.starts_with("kefu_s_"));
    assert!(
        line.contains("HttpOnly") && line.contains("SameSite=Lax"),
        "{line}"
    );
    assert!(
        !line.contains("Secure"),
        "not Secure unless configured: {line}"
    );
    Signed {
        http,
        cookie: format!("kefu_csrf={csrf_cookie}; kefu_staff={session}"),
        csrf,
        origin,
    }
}

#[tokio::test]
async fn the_console_sends_the_signed_out_to_the_sign_in_page_and_back() {
    let app = spawn_app().await;
    let http = browser();
    let r = http.get(app.url("/console?x=1")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        "/console/login?next=%2Fconsole%3Fx%3D1"
    );
    let r = http.get(app.url("/console")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let agent = sign_in(&app, "agent1@kefu.local").await;
    let r = agent.get(&app, "/console").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    // So that browsers name this site in the `Origin` of the console's form posts.
    assert_eq!(r.headers()["referrer-policy"], "same-origin");
    let html = r.text().await.unwrap();
    assert!(html.contains("客服小李"), "the agent's name is shown");
    assert!(html.contains("我的工作台"), "the navigation");
    assert!(html.contains("id=\"presence\""));
    assert!(!html.contains("<script>"), "no inline scripts");
    // Signed in, the sign-in page goes to the desk.
    let r = agent.get(&app, "/console/login").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn signing_in_needs_the_csrf_token_this_sites_origin_and_the_right_password() {
    let app = spawn_app().await;
    let http = browser();
    let (csrf_cookie, csrf) = login_page(&app, &http).await;
    let email = "agent1@kefu.local";
    let attempt = |csrf: Option<&str>, origin: Option<&str>, password: &str| {
        let mut fields = vec![
            ("email", email.to_owned()),
            ("password", password.to_owned()),
        ];
        if let Some(c) = csrf {
            fields.push(("csrf", c.to_owned()));
        }
        let mut req = http
            .post(app.url("/console/login"))
            .header("cookie", format!("kefu_csrf={csrf_cookie}"))
            .form(&fields);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    let good = app.password(email).to_owned();
    let r = attempt(None, Some(&app.base), &good).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no CSRF field");
    assert!(set_cookie(&r, "kefu_staff").is_none());
    let r = attempt(Some("forged.token"), Some(&app.base), &good)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a wrong CSRF field");
    let r = attempt(Some(&csrf), Some("https://evil.example"), &good)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a foreign origin");
    let r = attempt(Some(&csrf), None, &good).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no origin or referer");
    let r = attempt(Some(&csrf), Some(&app.base), "wrong password!")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&r, "kefu_staff").is_none());
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"login-error\""), "{html}");
    assert!(html.contains("agent1@kefu.local"), "the e-mail is kept");
    let r = attempt(Some(&csrf), Some(&app.base), &good).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn signing_out_revokes_the_session() {
    let app = spawn_app().await;
    let agent = sign_in(&app, "agent2@kefu.local").await;
    // A sign-out without the token is refused: a foreign page cannot sign anyone out.
    let r = agent
        .http
        .post(app.url("/console/logout"))
        .header("cookie", &agent.cookie)
        .header("origin", &agent.origin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = agent
        .post(&app, "/console/logout", &[])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/console/login");
    let (value, line) = set_cookie(&r, "kefu_staff").unwrap();
    assert!(value.is_empty() && line.contains("Max-Age=0"), "{line}");
    // The old cookie no longer signs anyone in.
    let r = agent.get(&app, "/console").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_live_channel_takes_the_session_cookie_from_this_site_only() {
    let app = live_app().await;
    let agent = sign_in(&app, "agent1@kefu.local").await;
    let request = |origin: &str| {
        let mut req = live_url(&app).into_client_request().unwrap();
        req.headers_mut()
            .insert("cookie", agent.cookie.parse().unwrap());
        req.headers_mut().insert("origin", origin.parse().unwrap());
        req
    };
    let (mut ws, _) = tokio_tungstenite::connect_async(request(&app.base))
        .await
        .unwrap();
    let ready = next(&mut ws).await;
    assert_eq!(ready["type"], "ready");
    assert_eq!(ready["side"], "staff");
    // From another site the cookie is ignored: the client must authenticate in a frame.
    let (mut ws, _) = tokio_tungstenite::connect_async(request("https://evil.example"))
        .await
        .unwrap();
    super::live::send(&mut ws, json!({"type": "pong"})).await;
    let refused = next(&mut ws).await;
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["code"], "unauthenticated");
}

#[tokio::test]
async fn the_desk_lists_my_tickets_and_the_queue_with_sla_deadlines_and_sets_presence() {
    let app = spawn_app().await;
    let first = app.open("desk-1", "<i>账号</i>登录不上").await;
    let second = app.open("desk-2", "直播权限申请").await;
    let number = |t: &Value| t["ticket"]["number"].as_str().unwrap().to_owned();
    let agent = sign_in(&app, "agent1@kefu.local").await;
    let desk = |who: &Signed| {
        who.get(&app, "/console/desk.json")
            .header("accept", "application/json")
            .send()
    };
    let d: Value = desk(&agent).await.unwrap().json().await.unwrap();
    assert_eq!(d["mine"], json!([]));
    let queue = d["queue"].as_array().unwrap();
    assert_eq!(queue.len(), 2, "{d}");
    for row in queue {
        assert_eq!(row["clock"], "first_response", "{row}");
        assert_eq!(
            (row["status"].as_str(), row["status_label"].as_str()),
            (Some("queued"), Some("排队中"))
        );
        assert!(row["due"].as_str().unwrap().ends_with('Z'), "UTC: {row}");
    }
    // The page lists them too, user text escaped, each with its deadline for the countdown.
    let html = agent.page(&app, "/console").await;
    assert!(html.contains("&lt;i&gt;账号&lt;&#x2f;i&gt;登录不上"));
    assert_eq!(html.matches("class=\"sla\" data-due=").count(), 2);

    let r = agent
        .post(
            &app,
            &format!("/console/tickets/{}/take", number(&first)),
            &[],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let d: Value = desk(&agent).await.unwrap().json().await.unwrap();
    assert_eq!(d["mine"][0]["number"], number(&first));
    assert_eq!(d["queue"].as_array().unwrap().len(), 1);
    assert_eq!(d["queue"][0]["number"], number(&second));

    // Presence: a form post (with its token), refused for an unknown value.
    let r = agent
        .post(&app, "/console/presence", &[("presence", "away")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = agent.page(&app, "/console").await;
    assert!(html.contains("<option value=\"away\" selected>"), "{html}");
    let r = agent
        .post(&app, "/console/presence", &[("presence", "asleep")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = agent
        .post_without_token(&app, "/console/presence", &[("presence", "online")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no CSRF token");
    // Signed out, the script's JSON answers 403.
    let r = app.get("/console/desk.json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
