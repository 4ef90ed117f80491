//! Sessions end for good when an account's password changes or it is deactivated.

use super::*;

async fn me(app: &TestApp, token: &str) -> StatusCode {
    app.get("/api/v1/auth/me")
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

async fn patch_agent(app: &TestApp, admin: &str, id: i64, body: Value) {
    let r = app
        .http
        .patch(app.url(&format!("/api/v1/agents/{id}")))
        .bearer_auth(admin)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn a_password_change_ends_every_earlier_session() {
    password_change_ends_sessions(spawn_app().await).await;
}

#[tokio::test]
async fn a_password_change_ends_every_earlier_session_on_postgresql() {
    let Some(url) = kefu_store::testing::postgres_url() else {
        eprintln!("skipped: KEFU_TEST_POSTGRES_URL is not set");
        return;
    };
    let db = TestDatabase::postgres(&url).await.unwrap();
    let app = super::limits::spawn_on(db, Default::default(), Default::default()).await;
    password_change_ends_sessions(app).await;
}

async fn password_change_ends_sessions(app: TestApp) {
    let admin = app.login("admin@kefu.local").await;
    let first = app.login("agent1@kefu.local").await;
    let second = app.login("agent1@kefu.local").await;
    let id = crate::me(&app, &first).await;
    assert_eq!(me(&app, &first).await, StatusCode::OK);
    patch_agent(
        &app,
        &admin,
        id,
        json!({"password": "a brand new password"}),
    )
    .await;
    assert_eq!(me(&app, &first).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&app, &second).await, StatusCode::UNAUTHORIZED);
    // The admin's own session is untouched; the new password opens a new one.
    assert_eq!(me(&app, &admin).await, StatusCode::OK);
    let r = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "agent1@kefu.local", "password": "a brand new password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn reactivating_an_account_does_not_bring_old_sessions_back() {
    let app = spawn_app().await;
    let admin = app.login("admin@kefu.local").await;
    let token = app.login("agent1@kefu.local").await;
    let id = crate::me(&app, &token).await;
    patch_agent(&app, &admin, id, json!({"active": false})).await;
    assert_eq!(me(&app, &token).await, StatusCode::UNAUTHORIZED);
    patch_agent(&app, &admin, id, json!({"active": true})).await;
    assert_eq!(me(&app, &token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        me(&app, &app.login("agent1@kefu.local").await).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn revoking_an_api_key_by_id_cannot_end_someone_elses_session() {
    let app = spawn_app().await;
    let admin = app.login("admin@kefu.local").await;
    let agent = app.login("agent1@kefu.local").await;
    // Session credentials share the id sequence with keys: try every small id.
    for id in 1..=40 {
        let r = app
            .http
            .delete(app.url(&format!("/api/v1/api-keys/{id}")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert!(
            r.status() == StatusCode::NO_CONTENT || r.status() == StatusCode::NOT_FOUND,
            "{id}: {}",
            r.status()
        );
    }
    for token in [&admin, &agent] {
        let r = app
            .get("/api/v1/auth/me")
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "a session was revoked as a key");
    }
}
