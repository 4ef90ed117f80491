//! The bot's "did you mean…" menu as a real choice through the API: suggestions travel with
//! the bot message as `{id, question}`, the customer picks by button (`{"pick": id}`), by
//! number, or says none of them fit; English customers are answered in English.

use super::*;

/// Three entries close enough that a short question about them gets a menu (a made-up
/// domain, so the shipped knowledge base does not change what the menu holds).
const MARS: [(&str, &str, &str); 3] = [
    (
        "kb-mars-001",
        "火星直播间的氧气补给怎么申请？",
        "在「直播中心」→「氧气补给」提交申请即可。",
    ),
    (
        "kb-mars-002",
        "火星直播间的氧气补给多久到账？",
        "氧气补给审核通过后24小时内到账。",
    ),
    (
        "kb-mars-003",
        "火星直播间的氧气补给可以转赠吗？",
        "氧气补给不能转赠给其他直播间。",
    ),
];

const MENU_QUESTION: &str = "火星氧气补给";

impl TestApp {
    async fn publish_mars(&self) {
        let supervisor = self.login("supervisor@kefu.local").await;
        for (id, question, answer) in MARS {
            let draft =
                json!({"category": "live_streaming", "question": question, "answer": answer});
            let r = self
                .http
                .put(self.url(&format!("/api/v1/kb/articles/{id}")))
                .bearer_auth(&supervisor)
                .json(&draft)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "{}", r.status());
            let r = self
                .post(&format!("/api/v1/kb/articles/{id}/publish"))
                .bearer_auth(&supervisor)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
    }

    async fn customer_view(&self, opened: &Value) -> Value {
        let number = opened["ticket"]["number"].as_str().unwrap();
        self.get(&format!("/api/v1/customer/tickets/{number}"))
            .header("x-lookup-code", opened["lookup_code"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn send(&self, opened: &Value, body: &Value) -> reqwest::Response {
        let number = opened["ticket"]["number"].as_str().unwrap();
        self.post(&format!("/api/v1/customer/tickets/{number}/messages"))
            .header("x-lookup-code", opened["lookup_code"].as_str().unwrap())
            .json(body)
            .send()
            .await
            .unwrap()
    }

    async fn unanswered(&self) -> Vec<String> {
        let supervisor = self.login("supervisor@kefu.local").await;
        let list: Value = self
            .get("/api/v1/bot/unanswered")
            .bearer_auth(&supervisor)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .map(|u| u["question"].as_str().unwrap().to_owned())
            .collect()
    }
}

fn last(view: &Value) -> &Value {
    view["messages"].as_array().unwrap().last().unwrap()
}

fn answer_of(id: &str) -> &'static str {
    MARS.iter().find(|(i, ..)| *i == id).unwrap().2
}

/// Opens a ticket whose first bot message is the menu; returns it and the offered ids.
async fn menu(app: &TestApp, customer: &str) -> (Value, Vec<String>) {
    app.publish_mars().await;
    let opened = app.open_in_app(customer, MENU_QUESTION).await;
    assert_eq!(opened["ticket"]["status"], "new");
    let view = app.customer_view(&opened).await;
    let bot = last(&view);
    assert_eq!(bot["from"], "bot");
    let offered: Vec<String> = bot["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert!(!s["question"].as_str().unwrap().is_empty(), "{s}");
            s["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert!(offered.len() >= 2, "a menu of choices: {view}");
    assert!(
        offered.iter().all(|id| id.starts_with("kb-mars-")),
        "{offered:?}"
    );
    (opened, offered)
}

#[tokio::test]
async fn a_menu_carries_its_choices_and_a_button_pick_answers_with_that_entry() {
    let app = spawn_app().await;
    let (opened, offered) = menu(&app, "p-1").await;
    let picked = &offered[1];
    let r = app.send(&opened, &json!({"pick": picked})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let view: Value = r.json().await.unwrap();
    let messages = view["messages"].as_array().unwrap();
    let (customer, bot) = (&messages[messages.len() - 2], &messages[messages.len() - 1]);
    let question = MARS.iter().find(|(i, ..)| i == picked).unwrap().1;
    assert_eq!(
        (customer["from"].as_str(), customer["body"].as_str()),
        (Some("customer"), Some(question))
    );
    assert_eq!(bot["from"], "bot");
    assert_eq!(bot["body"], answer_of(picked));
    assert_eq!(bot["suggestions"], json!([]));
    // Only bot menus carry suggestions; the customer's own messages never do.
    assert!(
        messages
            .iter()
            .filter(|m| m["from"] != "bot")
            .all(|m| m["suggestions"] == json!([]))
    );
}

#[tokio::test]
async fn a_pick_is_checked_and_a_pick_after_the_bot_is_done_is_refused() {
    let app = spawn_app().await;
    let (opened, _) = menu(&app, "p-2").await;
    let r = app.send(&opened, &json!({})).await;
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "body");
    // An id the bot does not know, with no question to fall back on.
    let r = app.send(&opened, &json!({"pick": "kb-nowhere-001"})).await;
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "pick");
    // With the question as the button showed it, an unknown id still gets an answer.
    let r = app
        .send(
            &opened,
            &json!({"pick": "kb-nowhere-001", "body": MARS[2].1}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let view: Value = r.json().await.unwrap();
    assert_eq!(last(&view)["body"], MARS[2].2);

    let skip = app.open_in_app("p-2b", "转人工").await;
    let after = app.say(&skip, "转人工").await;
    assert_eq!(after["status"], "queued");
    let r = app.send(&skip, &json!({"pick": "kb-mars-001"})).await;
    expect_problem(r, StatusCode::CONFLICT, "bot_not_handling").await;
}

#[tokio::test]
async fn picking_by_number_answers_that_offer_and_is_never_listed_as_a_question() {
    let app = spawn_app().await;
    let (opened, offered) = menu(&app, "p-3").await;
    let view = app.say(&opened, "2").await;
    let bot = last(&view);
    assert_eq!(bot["from"], "bot");
    assert_eq!(bot["body"], answer_of(&offered[1]));
    let listed = app.unanswered().await;
    assert!(!listed.iter().any(|q| q == "2"), "{listed:?}");
}

#[tokio::test]
async fn none_of_these_asks_to_rephrase_once_then_a_person_takes_over() {
    let app = spawn_app().await;
    let (opened, _) = menu(&app, "p-4").await;
    let view = app.say(&opened, "都不是").await;
    assert_eq!(view["status"], "new");
    let bot = last(&view);
    assert!(bot["body"].as_str().unwrap().contains("换个说法"), "{bot}");
    assert_eq!(bot["suggestions"], json!([]));
    // Still unsure: a person, after at most one question for the details.
    let rephrased = "火星直播间氧气补给的问题";
    let mut view = app.say(&opened, rephrased).await;
    if view["status"] == "new" {
        view = app.say(&opened, "转人工").await;
    }
    assert_eq!(view["status"], "queued", "{view}");
    let listed = app.unanswered().await;
    assert!(
        listed.iter().any(|q| q == rephrased || q == MENU_QUESTION),
        "the real question is listed: {listed:?}"
    );
    for reply in ["都不是", "1", "2", "转人工"] {
        assert!(!listed.iter().any(|q| q == reply), "{reply}: {listed:?}");
    }
}

#[tokio::test]
async fn an_english_customer_is_answered_in_english() {
    let app = spawn_app().await;
    let r = app
        .post("/api/v1/tickets")
        .bearer_auth(app.in_app_key())
        .json(&json!({"customer": {"external_id": "e", "language": "en"}, "body": "How do I change my password?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let opened: Value = r.json().await.unwrap();
    let view = app.customer_view(&opened).await;
    let bot = last(&view);
    assert_eq!(bot["from"], "bot");
    let body = bot["body"].as_str().unwrap();
    let opening: String = body.chars().take(12).collect();
    assert!(opening.is_ascii(), "English bot text: {body}");
    // "Not helpful" is answered in the conversation's language too.
    let number = opened["ticket"]["number"].as_str().unwrap();
    if view["status"] == "new" {
        let r = app
            .post(&format!("/api/v1/customer/tickets/{number}/feedback"))
            .header("x-lookup-code", opened["lookup_code"].as_str().unwrap())
            .json(&json!({"helpful": false}))
            .send()
            .await
            .unwrap();
        if r.status() == StatusCode::CREATED {
            let after: Value = r.json().await.unwrap();
            let reply = last(&after)["body"].as_str().unwrap().to_owned();
            assert!(reply.starts_with("Sorry"), "{reply}");
        }
    }
}
