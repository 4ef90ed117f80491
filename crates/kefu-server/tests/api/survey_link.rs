//! The survey on a channel without a ticket view (social media here; e-mail takes the same
//! path): the delivered survey carries a signed link, `/survey?ticket=…&token=…`, whose page
//! answers it once, for that ticket only; a low score through it opens a review.

use super::channels::{Receiver, drain, spawn_channels, start_receiver};
use super::channels_outbound::{reply_with, taken_ticket};
use super::pages::{csrf_field, post_form, set_cookie};
use super::*;

/// The survey deliveries the platform accepted, in order.
fn surveys(rx: &Receiver) -> Vec<String> {
    rx.accepted
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, d)| d["kind"] == "survey")
        .map(|(_, d)| d["text"].as_str().unwrap().to_owned())
        .collect()
}

/// A social ticket of `user`, taken by agent1 and resolved with a reply; its number.
async fn resolved_ticket(app: &TestApp, user: &str) -> String {
    let (number, agent) = taken_ticket(app, user).await;
    let resolve = json!({"body": "已为您处理好了", "status": "resolved"});
    reply_with(app, &agent, &number, resolve).await;
    drain(app).await;
    number
}

/// The path and query of the link in a delivered survey.
fn link_in(text: &str) -> String {
    let at = text
        .find("https://support.example/survey?")
        .unwrap_or_else(|| panic!("no survey link in {text:?}"));
    let link = text[at..].split_whitespace().next().unwrap();
    link.trim_start_matches("https://support.example")
        .to_owned()
}

#[tokio::test]
async fn a_delivered_survey_links_to_a_page_that_answers_it_once_for_its_ticket_only() {
    let (rx, url) = start_receiver().await;
    let app = spawn_channels(Some(url), |s| {
        s.survey.link_base = "https://support.example".into();
    })
    .await;
    let number = resolved_ticket(&app, "u-1").await;
    let other = resolved_ticket(&app, "u-2").await;
    let sent = surveys(&rx);
    assert_eq!(sent.len(), 2, "{sent:?}");
    let link = link_in(&sent[0]);
    assert!(
        link.starts_with(&format!("/survey?ticket={number}&token=")),
        "{link}"
    );

    // The link's token on another ticket reads as a refused link.
    let token = link.split("&token=").nth(1).unwrap().to_owned();
    let r = app
        .get(&format!("/survey?ticket={other}&token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!r.text().await.unwrap().contains("name=\"score\""));

    // The page asks for the score; answering with 2 thanks and opens a review.
    let r = app.get(&link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = set_cookie(&r, "kefu_csrf").unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("name=\"score\""), "{html}");
    let csrf = csrf_field(&html);
    let form = [
        ("csrf", csrf.as_str()),
        ("number", number.as_str()),
        ("token", token.as_str()),
        ("score", "2"),
        ("comment", "等了太久"),
    ];
    let r = post_form(&app, "/survey", Some(&cookie), &form).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("id=\"survey-notice\""));
    let supervisor = app.login("supervisor@kefu.local").await;
    let open: Value = app
        .get_json("/api/v1/reviews?status=open", &supervisor)
        .await;
    let open = open.as_array().unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["ticket_number"], number.as_str());
    assert_eq!(open[0]["score"], 2);

    // Not twice: the second answer is refused, and the link now only thanks.
    let mut again = form;
    again[3] = ("score", "5");
    let r = post_form(&app, "/survey", Some(&cookie), &again).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = app.get(&link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!r.text().await.unwrap().contains("name=\"score\""));
    let detail: Value = app
        .get_json(&format!("/api/v1/tickets/{number}"), &supervisor)
        .await;
    assert_eq!(
        detail["ticket"]["status"], "resolved",
        "answering does not reopen"
    );

    // Without the CSRF cookie the form is refused; an altered token reads as refused.
    let r = post_form(&app, "/survey", None, &form).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .get(&format!("/survey?ticket={number}&token={token}0"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
