//! The bot first: in-app conversations meet the FAQ bot, which answers, hands over with a
//! summary, takes feedback, and learns published articles without a restart.

use super::*;

impl TestApp {
    /// Opens an in-app ticket (the bot answers first).
    pub async fn open_in_app(&self, external_id: &str, body: &str) -> Value {
        let r = self
            .post("/api/v1/tickets")
            .bearer_auth(self.in_app_key())
            .json(&json!({"customer": {"external_id": external_id}, "body": body}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }

    pub async fn say(&self, opened: &Value, body: &str) -> Value {
        let number = opened["ticket"]["number"].as_str().unwrap();
        let r = self
            .post(&format!("/api/v1/customer/tickets/{number}/messages"))
            .header("x-lookup-code", opened["lookup_code"].as_str().unwrap())
            .json(&json!({"body": body}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }

    pub async fn feedback(&self, opened: &Value, helpful: bool) -> Value {
        let number = opened["ticket"]["number"].as_str().unwrap();
        let r = self
            .post(&format!("/api/v1/customer/tickets/{number}/feedback"))
            .header("x-lookup-code", opened["lookup_code"].as_str().unwrap())
            .json(&json!({"helpful": helpful}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }
}

fn last_message(view: &Value) -> (String, String) {
    let m = view["messages"].as_array().unwrap().last().unwrap();
    (
        m["from"].as_str().unwrap().to_owned(),
        m["body"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_common_question_is_answered_by_the_bot_and_a_request_for_a_person_hands_over() {
    let app = spawn_app().await;
    let opened = app.open_in_app("b-1", "请问客服是免费的吗").await;
    assert_eq!(opened["ticket"]["status"], "new");
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let view: Value = app
        .get(&format!("/api/v1/customer/tickets/{number}"))
        .header("x-lookup-code", opened["lookup_code"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (from, body) = last_message(&view);
    assert_eq!(from, "bot");
    assert!(body.contains("免费"), "{body}");

    // Before handing over, the bot asks once for what the agent needs; the ticket stays new.
    let asking = app.say(&opened, "我要转人工").await;
    assert_eq!(asking["status"], "new");
    let (from, question) = last_message(&asking);
    assert_eq!(from, "bot");
    assert!(question.contains("账号"), "{question}");
    let after = app
        .say(&opened, "账号 13800138000，直播带货的佣金一直没结算")
        .await;
    assert_eq!(after["status"], "queued");
    let (from, _) = last_message(&after);
    assert_eq!(from, "bot");

    let agent = app.login("agent1@kefu.local").await;
    let detail: Value = app
        .get(&format!("/api/v1/tickets/{number}"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let note = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "internal_note")
        .unwrap();
    let note = note["body"].as_str().unwrap();
    for expected in [
        "转人工原因",
        "13800138000",
        "直播带货的佣金一直没结算",
        "补充询问：问题描述、账号",
    ] {
        assert!(note.contains(expected), "{expected}: {note}");
    }
    let events: Value = app
        .get(&format!("/api/v1/tickets/{number}/events"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let handoff = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["change"]["kind"] == "handed_off")
        .unwrap();
    assert_eq!(handoff["actor"]["type"], "bot");
    assert_eq!(handoff["change"]["reason"], "客户要求转人工");
    let queued = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["change"]["kind"] == "status_changed")
        .unwrap();
    assert_eq!(
        (
            queued["change"]["from"].as_str(),
            queued["change"]["to"].as_str()
        ),
        (Some("new"), Some("queued"))
    );
}

#[tokio::test]
async fn requests_that_always_need_a_person_are_queued_at_intake() {
    let app = spawn_app().await;
    let opened = app
        .open_in_app("b-2", "我的账号被盗了，绑定的手机号也被改了")
        .await;
    assert_eq!(opened["ticket"]["status"], "queued");
    assert_eq!(opened["ticket"]["category"], "account");
}

#[tokio::test]
async fn an_explicit_request_at_intake_asks_once_and_a_skip_hands_over() {
    let app = spawn_app().await;
    let opened = app.open_in_app("b-6", "转人工").await;
    assert_eq!(opened["ticket"]["status"], "new");
    let after = app.say(&opened, "转人工").await;
    assert_eq!(after["status"], "queued");
    assert!(last_message(&after).1.contains("转接人工"));
}

#[tokio::test]
async fn an_angry_customer_is_queued_at_once_without_questions() {
    let app = spawn_app().await;
    let opened = app.open_in_app("b-7", "你们就是骗子，气死我了").await;
    assert_eq!(opened["ticket"]["status"], "queued");
    // The bot promised priority: the ticket is high and its first-response deadline is the
    // high policy's hour, not normal's four.
    assert_eq!(opened["ticket"]["priority"], "high");
    let created: jiff::Timestamp = opened["ticket"]["created_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let due: jiff::Timestamp = opened["ticket"]["first_response_due"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(due.duration_since(created).as_secs(), 3600, "{opened}");
}

#[tokio::test]
async fn an_urgent_hand_over_later_in_the_chat_raises_the_priority_and_its_deadline() {
    let app = spawn_app().await;
    let opened = app.open_in_app("b-7b", "直播带货有什么规则").await;
    assert_eq!(opened["ticket"]["status"], "new");
    let after = app.say(&opened, "我的账号被盗了，快帮我").await;
    assert_eq!(after["status"], "queued", "{after}");
    let admin = app.login("admin@kefu.local").await;
    let number = opened["ticket"]["number"].as_str().unwrap();
    let t: Value = app
        .get(&format!("/api/v1/tickets/{number}"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(t["ticket"]["priority"], "high", "{t}");
    let created: jiff::Timestamp = t["ticket"]["created_at"].as_str().unwrap().parse().unwrap();
    let due: jiff::Timestamp = t["ticket"]["first_response_due"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(due.duration_since(created).as_secs(), 3600);
}

#[tokio::test]
async fn not_helpful_counts_like_low_confidence() {
    let app = spawn_app().await;
    let opened = app.open_in_app("b-3", "创作收益怎么提现").await;
    assert_eq!(opened["ticket"]["status"], "new");
    let first = app.feedback(&opened, false).await;
    assert_eq!(first["status"], "new");
    assert!(last_message(&first).1.contains("换个说法"));
    let second = app.feedback(&opened, false).await;
    assert_eq!(second["status"], "queued");
    let supervisor = app.login("supervisor@kefu.local").await;
    let unanswered: Value = app
        .get("/api/v1/bot/unanswered")
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        unanswered
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["reason"] == "not_helpful" && u["question"] == "创作收益怎么提现"),
        "{unanswered}"
    );
    // Once a person has it, feedback on the bot is closed.
    let number = opened["ticket"]["number"].as_str().unwrap();
    let r = app
        .post(&format!("/api/v1/customer/tickets/{number}/feedback"))
        .header("x-lookup-code", opened["lookup_code"].as_str().unwrap())
        .json(&json!({"helpful": true}))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::CONFLICT, "bot_not_handling").await;
}

#[tokio::test]
async fn a_published_article_is_answered_at_once_and_unknown_questions_are_listed() {
    let app = spawn_app().await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let question = "火星直播间的氧气补给怎么申请";
    let ask = |q: &'static str| {
        app.post("/api/v1/bot/ask")
            .bearer_auth(&supervisor)
            .json(&json!({"question": q}))
            .send()
    };
    let before: Value = ask(question).await.unwrap().json().await.unwrap();
    assert_ne!(before["decision"], "answer");
    let opened = app.open_in_app("b-4", question).await;
    let unanswered: Value = app
        .get("/api/v1/bot/unanswered")
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        unanswered
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["question"] == question),
        "{unanswered}"
    );
    let _ = opened;

    let draft = json!({"category": "live_streaming", "question": question, "answer": "在「直播中心」→「氧气补给」提交申请即可。", "similar": ["火星直播氧气怎么申请", "直播间氧气补给在哪申请"]});
    let r = app
        .http
        .put(app.url("/api/v1/kb/articles/kb-mars-001"))
        .bearer_auth(&supervisor)
        .json(&draft)
        .send()
        .await
        .unwrap();
    let saved: Value = r.json().await.unwrap();
    assert_eq!(
        (
            saved["latest_version"].as_u64(),
            saved["published_version"].as_u64()
        ),
        (Some(1), None)
    );
    let still: Value = ask(question).await.unwrap().json().await.unwrap();
    assert_ne!(still["decision"], "answer", "a draft must not be answered");
    let r = app
        .post("/api/v1/kb/articles/kb-mars-001/publish")
        .bearer_auth(&supervisor)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // A version that does not exist, or an article that does not: told apart.
    let r = app
        .post("/api/v1/kb/articles/kb-mars-001/publish")
        .bearer_auth(&supervisor)
        .json(&json!({"version": 9}))
        .send()
        .await
        .unwrap();
    let p = expect_problem(r, StatusCode::NOT_FOUND, "version_not_found").await;
    assert_eq!(p["errors"][0]["field"], "version");
    let r = app
        .post("/api/v1/kb/articles/kb-nowhere-001/publish")
        .bearer_auth(&supervisor)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::NOT_FOUND, "article_not_found").await;
    let after: Value = ask(question).await.unwrap().json().await.unwrap();
    assert_eq!(after["decision"], "answer", "{after}");
    assert_eq!(after["matches"][0]["id"], "kb-mars-001");
    // Saving the same content again makes no new version; a change does.
    let same: Value = app
        .http
        .put(app.url("/api/v1/kb/articles/kb-mars-001"))
        .bearer_auth(&supervisor)
        .json(&draft)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(same["latest_version"], 1);
    let mut changed = draft.clone();
    changed["answer"] = json!("新流程：在「直播中心」→「补给」里申请。");
    changed["publish"] = json!(true);
    let v2: Value = app
        .http
        .put(app.url("/api/v1/kb/articles/kb-mars-001"))
        .bearer_auth(&supervisor)
        .json(&changed)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            v2["latest_version"].as_u64(),
            v2["published_version"].as_u64()
        ),
        (Some(2), Some(2))
    );
    let detail: Value = app
        .get("/api/v1/kb/articles/kb-mars-001")
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["versions"].as_array().unwrap().len(), 2);
    let r = app
        .get("/api/v1/kb/articles/kb-nope")
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::NOT_FOUND, "article_not_found").await;
    let r = app
        .http
        .put(app.url("/api/v1/kb/articles/kb-bad"))
        .bearer_auth(&supervisor)
        .json(&json!({"question": "", "answer": "x"}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "question");
}

#[tokio::test]
async fn small_talk_is_answered_not_handed_over() {
    let app = spawn_app().await;
    let opened = app.open_in_app("b-5", "你好").await;
    assert_eq!(opened["ticket"]["status"], "new");
    let after = app.say(&opened, "你是机器人吗").await;
    assert_eq!(after["status"], "new");
    assert_eq!(last_message(&after).0, "bot");
}
