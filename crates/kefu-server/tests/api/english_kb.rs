//! The default knowledge base answers English: an English question ranks its entry first
//! and the reply comes from the entry's English answer.

use crate::spawn_app;
use serde_json::{Value, json};

#[tokio::test]
async fn an_english_password_question_finds_the_password_change_entry_and_is_answered_in_english() {
    let app = spawn_app().await;
    let staff = app.login("supervisor@kefu.local").await;
    let r = app
        .post("/api/v1/bot/ask")
        .bearer_auth(&staff)
        .json(&json!({"question": "How do I change my password?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["matches"][0]["id"], "kb-account-026", "{body}");
    let reply = body["reply"].as_str().unwrap();
    assert!(reply.contains("password"), "{body}");
    assert!(
        !reply.contains("您"),
        "the reply is not the Chinese answer: {body}"
    );
    if body["decision"] == "answer" {
        assert!(reply.starts_with("While logged in"), "{body}");
    }

    // The article API shows the English fields.
    let article: Value = app
        .get("/api/v1/kb/articles/kb-account-026")
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        article["article"]["question_en"],
        "How do I change my password?"
    );
    assert!(article["article"]["similar_en"].as_array().unwrap().len() >= 3);
}

#[tokio::test]
async fn english_fields_are_saved_through_the_article_api() {
    let app = spawn_app().await;
    let staff = app.login("supervisor@kefu.local").await;
    let draft = json!({
        "category": "general", "question": "火星客服在哪", "answer": "在「我」→「火星客服」。",
        "question_en": "Where is Mars support?", "answer_en": "Go to Me (我) › Mars support.",
        "similar_en": ["mars support", "where is mars help"], "publish": true
    });
    let r = app
        .http
        .put(app.url("/api/v1/kb/articles/kb-mars-en"))
        .bearer_auth(&staff)
        .json(&draft)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let view: Value = r.json().await.unwrap();
    assert_eq!(view["answer_en"], "Go to Me (我) › Mars support.");
    assert_eq!(
        view["similar_en"],
        json!(["mars support", "where is mars help"])
    );

    let too_long = json!({"question": "q", "answer": "a", "question_en": "x".repeat(201)});
    let r = app
        .http
        .put(app.url("/api/v1/kb/articles/kb-mars-en2"))
        .bearer_auth(&staff)
        .json(&too_long)
        .send()
        .await
        .unwrap();
    let problem = crate::expect_problem(
        r,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(problem.to_string().contains("question_en"), "{problem}");
}
