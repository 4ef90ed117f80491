//! The chat, the online form and the widget over real HTTP: only the embedded chat may be
//! framed; the chat's calls need the page's CSRF token from this site and belong to the
//! signed visitor cookie; the form needs its token, names bad fields, and gives a number
//! and a code that open the ticket. (Browser tests in e2e/tests/chat.test.mjs drive them.)

use crate::attachments::{form, png};
use crate::{TestApp, expect_problem, spawn_app};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

fn header(r: &Response, name: &str) -> String {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn set_cookie(r: &Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn cookie_value(set: &str) -> String {
    set.split(';').next().unwrap().to_owned()
}

/// A page's CSRF token (in `data-csrf` or the hidden field) and the cookie that holds it.
async fn page_token(app: &TestApp, path: &str) -> (String, String) {
    let r = app.get(path).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = cookie_value(&set_cookie(&r, "kefu_csrf").unwrap());
    let html = r.text().await.unwrap();
    let at = html
        .find("data-csrf=\"")
        .map(|i| i + "data-csrf=\"".len())
        .or_else(|| html.find("name=\"csrf\" value=\"").map(|i| i + 19))
        .unwrap();
    (html[at..].split('"').next().unwrap().to_owned(), cookie)
}

#[tokio::test]
async fn only_the_embedded_chat_may_be_framed_and_the_widget_loads_anywhere() {
    let app = spawn_app().await;
    let r = app.get("/chat").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(header(&r, "content-security-policy").contains("frame-ancestors 'none'"));
    assert_eq!(header(&r, "x-frame-options"), "DENY");
    let body = r.text().await.unwrap();
    assert!(body.contains("转人工") && body.contains("<nav"));
    assert!(!body.contains("<script>"), "no inline script");

    let r = app.get("/chat?embed=1&lang=en").send().await.unwrap();
    let csp = header(&r, "content-security-policy");
    assert!(csp.contains("frame-ancestors *"), "{csp}");
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    let body = r.text().await.unwrap();
    assert!(body.contains("Talk to a person"));
    assert!(!body.contains("<nav"), "no site header in the frame");

    let r = app.get("/widget.js").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(header(&r, "content-type").starts_with("text/javascript"));
    assert_eq!(header(&r, "cross-origin-resource-policy"), "cross-origin");
    assert!(r.text().await.unwrap().contains("/chat?embed=1"));
}

async fn start(app: &TestApp, token: Option<&str>, cookie: Option<&str>, body: &str) -> Response {
    let mut req = app.post("/chat/start").json(&json!({ "body": body }));
    if let Some(t) = token {
        req = req.header("x-kefu-csrf", t);
    }
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.unwrap()
}

/// The ticket as its customer sees it, with the lookup code.
async fn customer_view(app: &TestApp, number: &str, code: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/customer/tickets/{number}"))
        .header("x-lookup-code", code)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn session(app: &TestApp, cookie: Option<&str>) -> Value {
    let mut req = app.get("/chat/session");
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let r = req.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "cache-control"), "no-store");
    r.json().await.unwrap()
}

#[tokio::test]
async fn the_chat_belongs_to_the_signed_visitor_cookie_and_needs_the_pages_token() {
    let app = spawn_app().await;
    let (token, _) = page_token(&app, "/chat").await;

    let r = start(&app, None, None, "登录不上").await;
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let forged = format!("{}.{}", "a".repeat(32), "b".repeat(64));
    let r = start(&app, Some(&forged), None, "登录不上").await;
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .post("/chat/start")
        .header("x-kefu-csrf", &token)
        .header("origin", "https://evil.example")
        .json(&json!({ "body": "登录不上" }))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = start(&app, Some(&token), None, "").await;
    expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

    let r = start(&app, Some(&token), None, "登录不上怎么办").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let set = set_cookie(&r, "kefu_visitor").unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    let visitor = cookie_value(&set);
    let started: Value = r.json().await.unwrap();
    assert_eq!(started["opened"], true);
    let number = started["chat"]["number"].as_str().unwrap().to_owned();
    let code = started["chat"]["lookup_code"].as_str().unwrap().to_owned();

    let mine = session(&app, Some(&visitor)).await;
    assert_eq!(mine["chat"]["number"], number.as_str());
    assert_eq!(session(&app, None).await["chat"], Value::Null);
    let forged_visitor = format!("kefu_visitor={}.{}", "c".repeat(32), "d".repeat(64));
    assert_eq!(
        session(&app, Some(&forged_visitor)).await["chat"],
        Value::Null
    );

    // The same visitor again: the open chat, with the message added.
    let r = start(&app, Some(&token), Some(&visitor), "还是不行").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(set_cookie(&r, "kefu_visitor").is_none());
    let again: Value = r.json().await.unwrap();
    assert_eq!(again["opened"], false);
    assert_eq!(again["chat"]["number"], number.as_str());

    // The code drives the customer API: both messages and the bot's answer are there.
    let view = customer_view(&app, &number, &code).await;
    let bodies: Vec<&str> = view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert!(bodies.contains(&"登录不上怎么办") && bodies.contains(&"还是不行"));
}

async fn post_form(
    app: &TestApp,
    cookie: &str,
    parts: &[(&str, Option<&str>, &[u8])],
) -> (StatusCode, String) {
    let (content_type, body) = form(parts);
    let r = app
        .post("/form")
        .header("content-type", content_type)
        .header("cookie", cookie)
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_online_form_needs_its_token_names_bad_fields_and_gives_a_number_and_code() {
    let app = spawn_app().await;
    let (token, cookie) = page_token(&app, "/form").await;
    let image = png();
    let xss = "<script>alert(1)</script> 直播间被封了";

    let (status, _) = post_form(
        &app,
        &cookie,
        &[
            ("category", None, b"general"),
            ("description", None, b"no token here"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, html) = post_form(
        &app,
        &cookie,
        &[
            ("csrf", None, token.as_bytes()),
            ("category", None, b"live_streaming"),
            ("field.live_streaming.room_id", None, b"12a"),
            ("description", None, xss.as_bytes()),
            ("contact", None, b"someone@example.com"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("直播间 ID"), "the field is named");
    assert!(
        html.contains("&lt;script&gt;alert(1)"),
        "typed text comes back escaped"
    );
    assert!(!html.contains("<script>alert(1)"));

    let (status, html) = post_form(
        &app,
        &cookie,
        &[
            ("csrf", None, token.as_bytes()),
            ("submission", None, b"form-test-1"),
            ("category", None, b"live_streaming"),
            ("field.live_streaming.room_id", None, b"880123"),
            (
                "field.account.account_id",
                None,
                b"ignored: another domain's",
            ),
            ("description", None, xss.as_bytes()),
            ("contact", None, b"+86 138 0000 0000"),
            ("images", Some("shot.png"), &image),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{html}");
    let grab = |id: &str| {
        let at = html.find(&format!("id=\"{id}\">")).unwrap() + id.len() + 6;
        html[at..].split('<').next().unwrap().to_owned()
    };
    let number = grab("result-number").replace('-', "");
    let code = grab("result-code");
    assert!(html.contains("href=\"/ticket\""));

    let view = customer_view(&app, &number, &code).await;
    assert_eq!(view["category"], "live_streaming");
    let first = &view["messages"][0];
    assert_eq!(first["body"], xss);
    assert_eq!(first["attachments"][0]["kind"], "image");
}
