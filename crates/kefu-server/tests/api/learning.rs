//! The learning loop over HTTP: unanswered questions clustered by volume with a suggested
//! entry and the one action that adds them to it; FAQ proposals from tickets people
//! resolved, approved as drafts; containment and helpful rate per article version.

use super::*;

impl TestApp {
    async fn put_kb(&self, token: &str, id: &str, article: Value) -> Value {
        let r = self
            .http
            .put(self.url(&format!("/api/v1/kb/articles/{id}")))
            .bearer_auth(token)
            .json(&article)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    async fn post_json(&self, path: &str, token: &str, body: Value) -> Response {
        self.post(path)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// An agent takes a queued ticket, replies and resolves it.
    async fn handle(&self, agent: &str, opened: &Value, reply: &str) {
        let number = opened["ticket"]["number"].as_str().unwrap();
        let r = self
            .post(&format!("/api/v1/tickets/{number}/take"))
            .bearer_auth(agent)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let r = self
            .post_json(
                &format!("/api/v1/tickets/{number}/replies"),
                agent,
                json!({"body": reply}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let r = self
            .post_json(
                &format!("/api/v1/tickets/{number}/status"),
                agent,
                json!({"status": "resolved"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
}

const OXYGEN: [&str; 3] = [
    "火星直播间的氧气补给怎么申请",
    "申请火星直播间氧气补给的方法",
    "怎么申请火星直播间的氧气补给",
];

#[tokio::test]
async fn unanswered_questions_cluster_by_volume_and_one_action_adds_them_to_the_suggested_entry() {
    let app = spawn_app().await;
    let supervisor = app.login("supervisor@kefu.local").await;
    for (i, q) in OXYGEN.iter().enumerate() {
        let opened = app.open_in_app(&format!("l-{i}"), q).await;
        assert_eq!(opened["ticket"]["status"], "new");
    }
    app.open_in_app("l-9", "海底餐厅的会员卡怎么办理").await;
    let unanswered = app.get_json("/api/v1/bot/unanswered", &supervisor).await;
    assert_eq!(unanswered.as_array().unwrap().len(), 4, "{unanswered}");
    // An entry about the subject now exists, without these phrasings.
    app.put_kb(
        &supervisor,
        "kb-mars-oxygen",
        json!({"category": "live_streaming", "question": "火星直播间氧气补给规则",
               "answer": "在「直播中心」→「氧气补给」提交申请。", "publish": true}),
    )
    .await;

    let clusters = app.get_json("/api/v1/learning/clusters", &supervisor).await;
    let list = clusters.as_array().unwrap();
    assert_eq!(list.len(), 2, "{clusters}");
    let first = &list[0];
    assert_eq!(first["volume"], 3, "{clusters}");
    let mut examples: Vec<&str> = first["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    examples.sort_unstable();
    let mut expected = OXYGEN.to_vec();
    expected.sort_unstable();
    assert_eq!(examples, expected);
    assert_eq!(first["suggested"]["id"], "kb-mars-oxygen", "{clusters}");
    assert_eq!(first["reasons"][0]["reason"], "no_match", "{clusters}");
    assert_eq!(list[1]["volume"], 1);
    assert_eq!(list[1]["examples"][0], "海底餐厅的会员卡怎么办理");

    // One action: the questions become phrasings of the entry, in a new published version.
    let r = app
        .post_json(
            "/api/v1/learning/phrasings",
            &supervisor,
            json!({"article": "kb-mars-oxygen", "phrasings": first["questions"], "cluster": first["key"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let article: Value = r.json().await.unwrap();
    assert_eq!(article["version"], 2);
    assert_eq!(article["published_version"], 2);
    assert_eq!(article["similar"].as_array().unwrap().len(), 3, "{article}");
    let asked: Value = app
        .post_json(
            "/api/v1/bot/ask",
            &supervisor,
            json!({"question": OXYGEN[1]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(asked["matches"][0]["id"], "kb-mars-oxygen", "{asked}");
    assert_eq!(asked["decision"], "answer", "{asked}");

    // The cluster is gone; the other is dismissed by hand.
    let clusters = app.get_json("/api/v1/learning/clusters", &supervisor).await;
    assert_eq!(clusters.as_array().unwrap().len(), 1, "{clusters}");
    let r = app
        .post_json(
            "/api/v1/learning/dismissals",
            &supervisor,
            json!({"kind": "cluster", "key": clusters[0]["key"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let clusters = app.get_json("/api/v1/learning/clusters", &supervisor).await;
    assert_eq!(clusters, json!([]));
}

#[tokio::test]
async fn learning_is_for_editors_and_bad_input_names_the_field() {
    let app = spawn_app().await;
    let agent = app.login("agent1@kefu.local").await;
    let r = app
        .get("/api/v1/learning/clusters")
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let r = app
        .post_json(
            "/api/v1/learning/phrasings",
            &supervisor,
            json!({"article": "kb-account-026", "phrasings": ["  "]}),
        )
        .await;
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "phrasings", "{p}");
    let r = app
        .post_json(
            "/api/v1/learning/phrasings",
            &supervisor,
            json!({"article": "kb-none", "phrasings": ["问题"]}),
        )
        .await;
    expect_problem(r, StatusCode::NOT_FOUND, "article_not_found").await;
    let r = app
        .get("/api/v1/learning/proposals?limit=0")
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap();
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "limit", "{p}");
    let r = app
        .post_json(
            "/api/v1/learning/dismissals",
            &supervisor,
            json!({"kind": "cluster", "key": "  "}),
        )
        .await;
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "key", "{p}");
}

#[tokio::test]
async fn resolved_tickets_with_the_same_kind_of_answer_are_proposed_and_approval_makes_a_draft() {
    let app = spawn_app().await;
    let agent = app.login("agent1@kefu.local").await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let same = [
        (
            "火星币怎么兑换成人民币",
            "火星币可以在「钱包」→「兑换」里按 1:1 兑换成人民币，1 个工作日到账。",
        ),
        (
            "火星币能换成人民币吗",
            "可以的，火星币在「钱包」→「兑换」按 1:1 兑换成人民币，1 个工作日到账。",
        ),
        (
            "怎么把火星币兑换人民币",
            "火星币在「钱包」→「兑换」里按 1:1 兑换为人民币，一般 1 个工作日到账。",
        ),
    ];
    for (i, (q, a)) in same.iter().enumerate() {
        let opened = app.open(&format!("p-{i}"), q).await;
        app.handle(&agent, &opened, a).await;
    }
    let other = app.open("p-9", "海底餐厅的会员卡怎么办理").await;
    app.handle(&agent, &other, "请到海底餐厅前台办理。").await;

    let proposals = app
        .get_json("/api/v1/learning/proposals", &supervisor)
        .await;
    let list = proposals.as_array().unwrap();
    assert_eq!(list.len(), 1, "{proposals}");
    let p = &list[0];
    assert_eq!(p["tickets"], 3, "{p}");
    assert_eq!(p["answer_tickets"], 3, "{p}");
    assert!(
        p["answer"].as_str().unwrap().contains("「钱包」→「兑换」"),
        "{p}"
    );
    assert_eq!(p["numbers"].as_array().unwrap().len(), 3);
    assert_eq!(p["questions"].as_array().unwrap().len(), 3);

    let approval = json!({
        "key": p["key"], "id": p["id"], "category": "general",
        "question": p["questions"][0], "answer": p["answer"],
        "similar": [p["questions"][1], p["questions"][2]],
    });
    let r = app
        .post_json(
            "/api/v1/learning/proposals/approve",
            &supervisor,
            approval.clone(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let article: Value = r.json().await.unwrap();
    assert_eq!(article["id"], p["id"]);
    assert!(article["published_version"].is_null(), "a draft: {article}");
    assert_eq!(article["similar"].as_array().unwrap().len(), 2);
    let proposals = app
        .get_json("/api/v1/learning/proposals", &supervisor)
        .await;
    assert_eq!(proposals, json!([]), "approved proposals are hidden");
    let r = app
        .post_json("/api/v1/learning/proposals/approve", &supervisor, approval)
        .await;
    let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "slug", "{problem}");
}

#[tokio::test]
async fn containment_and_helpful_rate_are_counted_per_article_version() {
    let app = spawn_app().await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let question = "火星直播间的氧气补给怎么申请";
    let v1 = json!({"category": "live_streaming", "question": question,
                    "answer": "在「直播中心」→「氧气补给」提交申请。", "publish": true});
    app.put_kb(&supervisor, "kb-mars-oxygen", v1).await;
    // Version 1: one answer that helped (contained), one that did not.
    let a = app.open_in_app("v-1", question).await;
    app.feedback(&a, true).await;
    let b = app.open_in_app("v-2", question).await;
    app.feedback(&b, false).await;
    // Version 2: one answer that helped.
    let v2 = json!({"category": "live_streaming", "question": question,
                    "answer": "打开「直播中心」→「氧气补给」，填写直播间 ID 后提交，1 小时内审核。", "publish": true});
    app.put_kb(&supervisor, "kb-mars-oxygen", v2).await;
    let c = app.open_in_app("v-3", question).await;
    app.feedback(&c, true).await;

    let outcomes = app.get_json("/api/v1/learning/versions", &supervisor).await;
    let article = outcomes
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "kb-mars-oxygen")
        .unwrap_or_else(|| panic!("{outcomes}"));
    assert_eq!(article["answers"], 3);
    assert_eq!(article["published_version"], 2);
    let v = article["versions"].as_array().unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(
        (
            &v[0]["version"],
            &v[0]["answers"],
            &v[0]["contained"],
            &v[0]["helpful_yes"]
        ),
        (&json!(2), &json!(1), &json!(1), &json!(1)),
        "{article}"
    );
    assert_eq!(v[0]["containment_rate"], 1.0);
    assert_eq!(v[0]["published"], true);
    assert_eq!(
        (
            &v[1]["version"],
            &v[1]["answers"],
            &v[1]["contained"],
            &v[1]["helpful_yes"],
            &v[1]["helpful_no"]
        ),
        (&json!(1), &json!(2), &json!(1), &json!(1), &json!(1)),
        "{article}"
    );
    assert_eq!(v[1]["containment_rate"], 0.5);
    assert_eq!(v[1]["helpful_rate"], 0.5);
    assert_eq!(v[1]["published"], false);
    assert!(
        v[1]["author"].as_str().is_some_and(|a| !a.is_empty()),
        "{article}"
    );
}
