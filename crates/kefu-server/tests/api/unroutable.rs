//! A ticket waiting for a skill no active agent has is flagged to supervisors — an
//! `unroutable` event and a visible flag — never left to starve silently.

use super::*;

/// Takes English off every agent who has it.
async fn nobody_speaks_english(app: &TestApp, admin: &str) {
    let agents: Value = app
        .get("/api/v1/agents")
        .bearer_auth(admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let agents = agents
        .get("items")
        .cloned()
        .unwrap_or(agents)
        .as_array()
        .unwrap()
        .clone();
    for a in agents {
        let skills: Vec<Value> = a["skills"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| !s["name"].as_str().unwrap().starts_with("lang:en"))
            .cloned()
            .collect();
        if skills.len() == a["skills"].as_array().unwrap().len() {
            continue;
        }
        let r = app
            .http
            .patch(app.url(&format!("/api/v1/agents/{}", a["id"])))
            .bearer_auth(admin)
            .json(&json!({"skills": skills}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
}

async fn open_in(app: &TestApp, customer: &str, language: &str, body: &str) -> Value {
    let r = app
        .post("/api/v1/tickets")
        .bearer_auth(app.channel_key())
        .json(&json!({"customer": {"external_id": customer, "language": language}, "body": body}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

#[tokio::test]
async fn an_english_ticket_with_no_english_agent_is_flagged_once_and_a_chinese_one_is_not() {
    let app = spawn_app().await;
    let admin = app.login("admin@kefu.local").await;
    nobody_speaks_english(&app, &admin).await;
    let english = open_in(&app, "e", "en", "How do I change my password?").await;
    let chinese = open_in(&app, "z", "zh-CN", "怎么修改密码").await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let detail = |number: String| {
        let (app, supervisor) = (&app, &supervisor);
        async move {
            app.get(&format!("/api/v1/tickets/{number}"))
                .bearer_auth(supervisor)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let number = english["ticket"]["number"].as_str().unwrap().to_owned();
    let seen = detail(number.clone()).await;
    assert_eq!(seen["unroutable"], "language:en", "{seen}");
    let other = detail(chinese["ticket"]["number"].as_str().unwrap().to_owned()).await;
    assert_eq!(other["unroutable"], Value::Null, "{other}");

    let events: Value = app
        .get(&format!("/api/v1/tickets/{number}/events"))
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let flags: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["change"]["kind"] == "unroutable")
        .collect();
    assert_eq!(flags.len(), 1, "{events}");
    assert_eq!(flags[0]["change"]["reason"], "language:en");
}
