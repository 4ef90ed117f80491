//! The console's ticket view over real HTTP: what an agent sees of a handed-over ticket
//! (conversation, hand-over summary, suggested answers, canned replies, the customer's other
//! tickets), user text shown as text, and every move as a CSRF-checked form post that runs
//! the same use-case as the API.

use super::console::{Signed, sign_in};
use super::*;

/// The ticket as the API shows it to staff.
async fn detail(app: &TestApp, number: &str) -> Value {
    let token = app.login("supervisor@kefu.local").await;
    let r = app
        .get(&format!("/api/v1/tickets/{number}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// Posts a move from the ticket view and returns the answer.
async fn post_move(
    app: &TestApp,
    who: &Signed,
    number: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> Response {
    who.post(app, &format!("/console/tickets/{number}/{action}"), fields)
        .send()
        .await
        .unwrap()
}

/// A done move goes back to the ticket view with a notice.
async fn done(app: &TestApp, who: &Signed, number: &str, action: &str, fields: &[(&str, &str)]) {
    let r = post_move(app, who, number, action, fields).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{action}: {}",
        r.text().await.unwrap()
    );
    assert_eq!(
        r.headers()["location"],
        format!("/console/tickets/{number}?done=1").as_str()
    );
}

async fn page(app: &TestApp, who: &Signed, number: &str) -> String {
    who.page(app, &format!("/console/tickets/{number}")).await
}

#[tokio::test]
async fn the_ticket_view_shows_a_handed_over_ticket_with_everything_an_agent_needs() {
    let app = spawn_app().await;
    let opened = app.open_in_app("ct-1", "请问客服是免费的吗").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    app.say(&opened, "我要转人工").await;
    let after = app
        .say(&opened, "账号 13800138000，直播带货的佣金一直没结算")
        .await;
    assert_eq!(after["status"], "queued");
    let payload = "<script>alert(1)</script> 作品一直显示审核中，审核需要多长时间？";
    app.say(&opened, payload).await;
    let other = app.open_in_app("ct-1", "怎么修改绑定的手机号").await;
    let other_number = other["ticket"]["number"].as_str().unwrap();

    let agent = sign_in(&app, "agent1@kefu.local").await;
    let html = page(&app, &agent, &number).await;
    // The customer's text is shown as text, never as markup.
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; 作品一直显示审核中"),
        "{html}"
    );
    assert!(!html.contains("<script>alert(1)"));
    // (minijinja also escapes `/`; the rest is easier to read without that.)
    let html = html.replace("&#x2f;", "/");
    // The conversation: customer, bot and the bot's internal hand-over note.
    for class in ["msg customer", "msg bot", "msg note"] {
        assert!(html.contains(class), "{class}");
    }
    let summary = html
        .split("id=\"handoff-summary\">")
        .nth(1)
        .unwrap()
        .split("</p>")
        .next()
        .unwrap();
    assert!(summary.contains("13800138000"), "{summary}");
    // The entries the bot answered with are named by their questions, not their ids.
    assert!(!summary.contains("kb-"), "{summary}");
    assert!(summary.contains("机器人已答：「"), "{summary}");
    // The facts name the category and the channel in the reader's language.
    let fact = |id: &str| {
        html.split(&format!("id=\"{id}\">"))
            .nth(1)
            .and_then(|rest| rest.split("</dd>").next())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(fact("ticket-channel"), "App 内");
    assert!(
        !fact("ticket-category").is_empty() && !fact("ticket-category").contains('_'),
        "{}",
        fact("ticket-category")
    );
    // Suggested answers for the customer's last message, each with an insert button.
    let suggestions = html.split("id=\"suggestions\"").nth(1).unwrap();
    let suggestions = suggestions.split("</ul>").next().unwrap();
    assert!(suggestions.contains("审核"), "{suggestions}");
    assert!(suggestions.contains("data-insert=\"suggestion-1\""));
    // Canned replies in the customer's language, variables filled in.
    let canned = html.split("id=\"canned\"").nth(1).unwrap();
    let canned = canned.split("</ul>").next().unwrap();
    assert!(canned.contains("我是客服客服小李"), "{canned}");
    assert!(!canned.contains("{agent}") && !canned.contains("{ticket}"));
    // The customer's other ticket, linked.
    let others = html.split("id=\"other-tickets\"").nth(1).unwrap();
    let others = others.split("</ul>").next().unwrap();
    assert!(others.contains(&format!("href=\"/console/tickets/{other_number}\"")));
    assert!(!others.contains(&number), "not this ticket itself");
    // Every form carries the CSRF token; the keyboard shortcuts are listed.
    let forms = html.matches("<form ").count();
    assert!(forms >= 8, "{forms} forms");
    assert_eq!(
        html.matches(&format!("name=\"csrf\" value=\"{}\"", agent.csrf))
            .count(),
        forms
    );
    assert!(html.contains("id=\"shortcuts\""));
    assert!(
        html.contains("id=\"take-submit\""),
        "a queued ticket can be taken"
    );
    assert!(!html.contains("id=\"send-back-form\""), "not escalated");
    assert!(!html.contains("<script>") && !html.contains("onclick"));
}

#[tokio::test]
async fn the_ticket_view_answers_not_found_for_a_bad_or_unknown_number() {
    let app = spawn_app().await;
    let agent = sign_in(&app, "agent1@kefu.local").await;
    let opened = app.open("ct-9", "你好").await;
    let number = opened["ticket"]["number"].as_str().unwrap();
    // Same shape, last character changed: the check digit no longer matches.
    let mut wrong = number.to_owned();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    for path in [
        "/console/tickets/nope",
        &format!("/console/tickets/{wrong}"),
    ] {
        let r = agent.get(&app, path).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let signed_out = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = signed_out
        .get(app.url(&format!("/console/tickets/{number}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "to the sign-in page");
}

#[tokio::test]
async fn an_agent_takes_replies_notes_parks_and_resolves_from_the_ticket_view() {
    let app = spawn_app().await;
    let opened = app.open("ct-2", "账号登录不上了").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let agent = sign_in(&app, "agent1@kefu.local").await;

    done(&app, &agent, &number, "take", &[]).await;
    let html = agent
        .page(&app, &format!("/console/tickets/{number}?done=1"))
        .await;
    assert!(html.contains("id=\"move-notice\""));
    assert!(html.contains("客服小李"), "the assignee");
    assert!(!html.contains("id=\"take-submit\""), "already mine");

    // A refused move shows the view again with the field that was wrong.
    let r = post_move(&app, &agent, &number, "reply", &[("body", "  ")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let notice = html.split("id=\"move-notice\">").nth(1).unwrap();
    assert!(notice.starts_with("未能完成： body"), "{notice}");

    done(
        &app,
        &agent,
        &number,
        "reply",
        &[("body", "<b>请重置密码</b>")],
    )
    .await;
    done(&app, &agent, &number, "note", &[("body", "已核实手机号")]).await;
    let html = page(&app, &agent, &number).await;
    assert!(html.contains("&lt;b&gt;请重置密码&lt;&#x2f;b&gt;"));
    let d = detail(&app, &number).await;
    let kinds: Vec<&str> = d["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["customer", "agent", "internal_note"]);

    done(&app, &agent, &number, "pending", &[]).await;
    assert_eq!(
        detail(&app, &number).await["ticket"]["status"],
        "pending_customer"
    );
    done(&app, &agent, &number, "resolve", &[]).await;
    assert_eq!(detail(&app, &number).await["ticket"]["status"], "resolved");
}

#[tokio::test]
async fn moves_need_the_csrf_token_and_the_ownership_rules_of_the_service() {
    let app = spawn_app().await;
    let opened = app.open("ct-3", "视频被限流了").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let agent = sign_in(&app, "agent1@kefu.local").await;
    let other = sign_in(&app, "agent2@kefu.local").await;

    // Without the token, or from another site, nothing happens.
    let r = agent
        .post_without_token(&app, &format!("/console/tickets/{number}/take"), &[])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = agent
        .http
        .post(app.url(&format!("/console/tickets/{number}/take")))
        .header("cookie", &agent.cookie)
        .header("origin", "https://evil.example")
        .form(&[("csrf", agent.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(detail(&app, &number).await["ticket"]["assignee_id"].is_null());

    done(&app, &agent, &number, "take", &[]).await;
    // Someone else's ticket: refused by the service's ownership rule, shown on the page.
    let r = post_move(&app, &other, &number, "resolve", &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("id=\"move-notice\""));
    assert_eq!(detail(&app, &number).await["ticket"]["status"], "assigned");
    // An unknown move is not found.
    let r = post_move(&app, &agent, &number, "explode", &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_ticket_is_escalated_sent_back_and_transferred_from_the_ticket_view() {
    let app = spawn_app().await;
    let opened = app.open("ct-4", "账号被盗了，需要找回").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let agent = sign_in(&app, "agent1@kefu.local").await;
    done(&app, &agent, &number, "take", &[]).await;

    // Escalating needs a specialist team and a reason.
    let r = post_move(
        &app,
        &agent,
        &number,
        "escalate",
        &[("team", "frontline"), ("reason", "需要核实")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = post_move(
        &app,
        &agent,
        &number,
        "escalate",
        &[("team", "account_security")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    done(
        &app,
        &agent,
        &number,
        "escalate",
        &[("team", "account_security"), ("reason", "需要核实身份")],
    )
    .await;
    assert_eq!(detail(&app, &number).await["ticket"]["status"], "escalated");

    // A specialist of that team sees why it came up and the send-back form, and uses it.
    let specialist = sign_in(&app, "account.security@kefu.local").await;
    let html = page(&app, &specialist, &number).await;
    assert!(html.contains("id=\"send-back-form\""));
    assert!(
        html.contains("<p class=\"summary\" id=\"escalation-reason\">需要核实身份</p>"),
        "{html}"
    );
    assert!(
        html.contains("<dd id=\"ticket-category\">账号</dd>"),
        "{html}"
    );
    // Taken by the specialist (now `assigned` to them), it can still be sent back.
    done(&app, &specialist, &number, "take", &[]).await;
    assert_eq!(detail(&app, &number).await["ticket"]["status"], "assigned");
    let html = page(&app, &specialist, &number).await;
    assert!(html.contains("id=\"send-back-form\""), "{html}");
    assert!(html.contains("id=\"escalation-reason\">需要核实身份</p>"));
    done(
        &app,
        &specialist,
        &number,
        "send_back",
        &[("findings", "身份已核实")],
    )
    .await;
    let d = detail(&app, &number).await;
    assert_ne!(d["ticket"]["status"], "escalated", "{d}");
    let html = page(&app, &agent, &number).await;
    assert!(!html.contains("escalation-reason"), "no longer escalated");

    // The frontline agent transfers it to a colleague.
    let r = post_move(&app, &agent, &number, "transfer", &[("reason", "换班")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "no target");
    let colleague = me(&app, &app.login("agent2@kefu.local").await).await;
    let colleague = colleague.to_string();
    done(
        &app,
        &agent,
        &number,
        "transfer",
        &[("agent", colleague.as_str()), ("reason", "换班")],
    )
    .await;
    let d = detail(&app, &number).await;
    assert_eq!(d["ticket"]["assignee_id"].to_string(), colleague, "{d}");
}
