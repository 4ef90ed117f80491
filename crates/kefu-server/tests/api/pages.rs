//! The web pages over real HTTP: status, the Content-Security-Policy, escaping of what users
//! write, the language switch, and CSRF refusal. (Browser tests in e2e/ drive the same pages
//! in Chromium.)

use crate::{TestApp, spawn_app};
use reqwest::{Response, StatusCode};
use serde_json::Value;

fn html_of(r: &Response) -> String {
    r.headers()["content-type"].to_str().unwrap().to_owned()
}

fn csp_of(r: &Response) -> String {
    r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned()
}

/// The value of a cookie the answer sets.
pub fn set_cookie(r: &Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.split(';')
                .next()
                .and_then(|kv| kv.split_once('='))
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| v.to_owned())
        })
}

/// The hidden CSRF field of a page.
pub fn csrf_field(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_help_center_is_html_under_a_strict_policy_with_versioned_assets() {
    let app = spawn_app().await;
    let r = app.get("/").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(html_of(&r).starts_with("text/html"));
    let csp = csp_of(&r);
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let body = r.text().await.unwrap();
    assert!(body.contains("<html lang=\"zh-CN\">"));
    assert!(body.contains("热门问题"));
    assert!(body.contains("/help/articles/kb-account-002"));
    assert!(!body.contains("style="), "no inline styles");
    assert!(!body.contains("<script>"), "no inline scripts");
    // minijinja escapes `/` in values as `&#x2f;` (browsers read it as `/`).
    let body = body.replace("&#x2f;", "/");
    let css = body
        .split("href=\"")
        .find_map(|s| s.split('"').next().filter(|h| h.ends_with(".css")))
        .unwrap()
        .to_owned();
    assert!(css.starts_with("/static/kefu."), "{css}");
    let r = app.get(&css).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let r = app.get("/static/kefu.0000000000.css").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn english_is_chosen_by_the_query_then_remembered_or_asked_by_the_browser() {
    let app = spawn_app().await;
    let r = app.get("/?lang=en").send().await.unwrap();
    assert_eq!(set_cookie(&r, "kefu_lang").as_deref(), Some("en"));
    let body = r.text().await.unwrap();
    assert!(body.contains("<html lang=\"en\">") && body.contains("Popular questions"));
    let r = app
        .get("/help/articles/kb-account-002")
        .header("cookie", "kefu_lang=en")
        .send()
        .await
        .unwrap();
    let body = r.text().await.unwrap();
    assert!(body.contains("Back to the help center"), "{body}");
    let r = app
        .get("/")
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("Popular questions"));
}

#[tokio::test]
async fn the_search_route_answers_with_published_matches_and_checks_its_input() {
    let app = spawn_app().await;
    let r = app
        .get("/api/v1/help/search")
        .query(&[("q", "怎么转人工客服")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let items = body["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.len() <= 5, "{body}");
    assert_eq!(items[0]["id"], "kb-general-002", "{body}");
    assert_eq!(items[0]["url"], "/help/articles/kb-general-002");
    let r = app
        .get("/api/v1/help/search")
        .query(&[("q", "I cannot log in"), ("lang", "en")])
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    let first = body["items"][0]["question"].as_str().unwrap();
    assert!(
        !first
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "English text: {first}"
    );
    let r = app.get("/api/v1/help/search").send().await.unwrap();
    crate::expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let r = app
        .get("/api/v1/help/search")
        .query(&[("q", "x".repeat(201))])
        .send()
        .await
        .unwrap();
    crate::expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let r = app
        .get("/api/v1/help/search")
        .query(&[("q", "登录"), ("lang", "fr")])
        .send()
        .await
        .unwrap();
    crate::expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn what_a_reader_types_comes_back_as_text() {
    let app = spawn_app().await;
    let r = app
        .get("/help/search")
        .query(&[("q", "<script>alert(1)</script>")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
            || body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{body}"
    );
    assert!(!body.contains("<script>alert(1)"));
    let r = app
        .get("/help/search")
        .query(&[("q", "怎么转人工客服")])
        .send()
        .await
        .unwrap();
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("/help/articles/kb-general-002")
    );
}

#[tokio::test]
async fn an_article_is_shown_when_published_and_anything_else_is_a_friendly_404() {
    let app = spawn_app().await;
    let r = app
        .get("/help/articles/kb-general-002")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("怎么转人工客服？"));
    let r = app
        .get("/help/articles/no-such-entry")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(html_of(&r).starts_with("text/html"));
    assert!(r.text().await.unwrap().contains("出错了"));
    // An unknown address: a page for browsers, a problem document for everyone else.
    let r = app
        .get("/no-such-page")
        .header("accept", "text/html,*/*")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(html_of(&r).starts_with("text/html"));
    let r = app.get("/no-such-page").send().await.unwrap();
    crate::expect_problem(r, StatusCode::NOT_FOUND, "not_found").await;
}

/// The lookup form's CSRF token and cookie.
async fn form_token(app: &TestApp) -> (String, String) {
    let r = app.get("/ticket").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = set_cookie(&r, "kefu_csrf").unwrap();
    let field = csrf_field(&r.text().await.unwrap());
    assert_eq!(cookie, field);
    (cookie, field)
}

pub async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> Response {
    let mut req = app.post(path).form(form);
    if let Some(c) = cookie {
        req = req.header("cookie", format!("kefu_csrf={c}"));
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn check_my_ticket_needs_the_right_code_and_a_csrf_token_and_escapes_replies() {
    let app = spawn_app().await;
    let opened = app.open("page-1", "我的账号登录不上了").await;
    let number = opened["ticket"]["number"].as_str().unwrap();
    let code = opened["lookup_code"].as_str().unwrap();
    let (cookie, token) = form_token(&app).await;
    let (cookie, token) = (cookie.as_str(), token.as_str());

    // Without the token, or with a token that is not the cookie's: 403.
    let r = post_form(
        &app,
        "/ticket",
        Some(cookie),
        &[("number", number), ("code", code)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(html_of(&r).starts_with("text/html"));
    let r = post_form(
        &app,
        "/ticket",
        None,
        &[("csrf", token), ("number", number), ("code", code)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // A wrong code: the same answer as a missing ticket, nothing of the ticket shown.
    let r = post_form(
        &app,
        "/ticket",
        Some(cookie),
        &[("csrf", token), ("number", number), ("code", "WRONG000")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body = r.text().await.unwrap();
    assert!(body.contains("未找到该工单，或查询码不正确"));
    assert!(!body.contains("登录不上了"));

    // The right code: status, progress and the conversation, with a reply box.
    let r = post_form(
        &app,
        "/ticket",
        Some(cookie),
        &[("csrf", token), ("number", number), ("code", code)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body = r.text().await.unwrap();
    assert!(body.contains("我的账号登录不上了"), "{body}");
    assert!(body.contains("action=\"/ticket/reply\""));

    // A reply is written as text, and shown escaped.
    let r = post_form(
        &app,
        "/ticket/reply",
        Some(cookie),
        &[
            ("csrf", token),
            ("number", number),
            ("code", code),
            ("body", "<script>alert(1)</script>"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(body.contains("&lt;script&gt;alert(1)"), "{body}");
    assert!(!body.contains("<script>alert(1)"));
    let stored = app
        .get(&format!("/api/v1/customer/tickets/{number}"))
        .header("x-lookup-code", code)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let last = stored["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["body"], "<script>alert(1)</script>");
    assert_eq!(last["from"], "customer");

    // A reply without the token is refused and not written.
    let r = post_form(
        &app,
        "/ticket/reply",
        Some(cookie),
        &[("number", number), ("code", code), ("body", "forged")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = post_form(
        &app,
        "/ticket/reply",
        Some(cookie),
        &[
            ("csrf", token),
            ("number", number),
            ("code", "WRONG000"),
            ("body", "x"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A bad number is named as such.
    let r = post_form(
        &app,
        "/ticket",
        Some(cookie),
        &[("csrf", token), ("number", "12"), ("code", code)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_resolved_ticket_shows_its_survey_which_the_page_answers_once_with_thanks() {
    let app = spawn_app().await;
    let agent = app.login("agent1@kefu.local").await;
    let opened = app.open("page-sv", "账号登录不了").await;
    let number = opened["ticket"]["number"].as_str().unwrap();
    let code = opened["lookup_code"].as_str().unwrap();
    let r = app
        .post(&format!("/api/v1/tickets/{number}/replies"))
        .bearer_auth(&agent)
        .json(&serde_json::json!({"body": "已为您处理好了", "status": "resolved"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let at = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_mins(1))
        .unwrap();
    let report = kefu_service::jobs::run_due(&app.state.core, at)
        .await
        .unwrap();
    assert!(report.failed.is_empty(), "{report:?}");

    // The ticket page shows the score form: five labelled radio buttons and a comment.
    let (cookie, csrf) = form_token(&app).await;
    let (cookie, csrf) = (cookie.as_str(), csrf.as_str());
    let r = post_form(
        &app,
        "/ticket",
        Some(cookie),
        &[("csrf", csrf), ("number", number), ("code", code)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(body.contains("action=\"/ticket/survey\""), "{body}");
    assert_eq!(body.matches("type=\"radio\" id=\"score-").count(), 5);
    assert!(body.contains("<label for=\"score-5\">"));
    assert!(body.contains("name=\"comment\""));
    let at = body.find("name=\"token\" value=\"").unwrap() + "name=\"token\" value=\"".len();
    let token = body[at..].split('"').next().unwrap().to_owned();
    assert!(!token.is_empty());
    let answer = |csrf: Option<&str>, score: &str| {
        let mut form = vec![
            ("number", number.to_owned()),
            ("code", code.to_owned()),
            ("token", token.clone()),
            ("score", score.to_owned()),
            ("comment", "<b>很好</b>".to_owned()),
        ];
        if let Some(c) = csrf {
            form.push(("csrf", c.to_owned()));
        }
        app.post("/ticket/survey")
            .header("cookie", format!("kefu_csrf={cookie}"))
            .form(&form)
    };

    // Without the CSRF token: refused, nothing recorded.
    let r = answer(None, "5").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A bad score: said on the page, escaped, the form still there.
    let r = answer(Some(csrf), "<9>").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("评价未能提交"), "{body}");
    assert!(body.contains("action=\"/ticket/survey\""));
    let r = answer(Some(csrf), "9").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("1 to 5"));

    // Score 5: thanks instead of the form; a second answer reads the same.
    for _ in 0..2 {
        let r = answer(Some(csrf), "5").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let body = r.text().await.unwrap();
        assert!(body.contains("感谢您的评价"), "{body}");
        assert!(!body.contains("action=\"/ticket/survey\""));
        assert!(body.contains("账号登录不了"));
    }
    let n = kefu_service::lookup::parse_number(number).unwrap();
    let t = app.state.store.ticket_by_number(&n).await.unwrap().unwrap();
    let survey = app.state.store.latest_survey(t.id).await.unwrap().unwrap();
    assert_eq!(survey.score, Some(5));
    assert_eq!(survey.comment.as_deref(), Some("<b>很好</b>"));
}
