//! The console's people and catalogue pages over real HTTP (signed in with the session
//! cookie): a team, a category and an account made from the forms and read back through
//! the JSON API; a refused form marked by field with what was written kept; supervisors
//! certify on the skills page but may not touch accounts; CSRF on the forms. (e2e/ drives
//! the same pages in Chromium.)

use super::console::{Signed, sign_in};
use super::*;

/// A form POST from a console page (with its CSRF token).
async fn send(s: &Signed, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Response {
    s.post(app, path, fields).send().await.unwrap()
}

/// The staff accounts as the JSON API lists them to an admin.
async fn agents(app: &TestApp) -> Vec<Value> {
    let token = app.login("admin@kefu.local").await;
    let r = app
        .get("/api/v1/agents")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// An account's skills, by name (the order they are stored in is no promise).
fn skills(agent: &Value) -> Vec<Value> {
    let mut v = agent["skills"].as_array().unwrap().clone();
    v.sort_by_key(|s| s["name"].as_str().unwrap().to_owned());
    v
}

#[tokio::test]
async fn an_admin_makes_a_team_a_category_and_a_certified_account_from_the_forms() {
    let app = spawn_app().await;
    let admin = sign_in(&app, "admin@kefu.local").await;
    let r = send(
        &admin,
        &app,
        "/console/admin/teams",
        &[("code", "vip"), ("name", "VIP 组"), ("specialist", "on")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = send(
        &admin,
        &app,
        "/console/admin/categories",
        &[
            ("code", "vip_care"),
            ("name_zh", "大客户"),
            ("name_en", "VIP care"),
            ("specialist_team", "vip"),
            ("requires_certification", "on"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let token = app.login("admin@kefu.local").await;
    let cats: Value = app
        .get("/api/v1/categories")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let vip = cats
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "vip_care")
        .expect("the new category");
    assert_eq!(vip["specialist_team"], "vip");
    assert_eq!(vip["requires_certification"], true);
    assert_eq!(vip["always_human"], false);

    // The team's id is in the account form's team picker.
    let (_, page) = {
        let r = admin
            .get(&app, "/console/admin/agents")
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    };
    let at = page.find(">VIP 组</option>").expect("the team is offered");
    let team_id = page[..at]
        .rsplit("value=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();

    let fields = [
        ("email", "vip1@kefu.local"),
        ("display_name", "小王"),
        ("role", "specialist"),
        ("team_id", team_id.as_str()),
        ("chat_capacity", "3"),
        ("password", "short"),
        ("level.vip_care", "4"),
        ("cert.vip_care", "on"),
        ("level.account", "2"),
        ("languages", "zh-CN:5 en"),
    ];
    // A short password: the form comes back marked there, the rest kept.
    let r = send(&admin, &app, "/console/admin/agents", &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("id=\"err-password\""), "{page}");
    assert!(page.contains("value=\"vip1@kefu.local\""));
    assert!(page.contains("value=\"zh-CN:5 en\""));
    assert!(
        !page.contains("value=\"short\""),
        "a password is never shown again"
    );
    let mut fields = fields.to_vec();
    fields[5] = ("password", "a-long-enough-password");
    let r = send(&admin, &app, "/console/admin/agents", &fields).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("id=\"agent-created\""));

    let all = agents(&app).await;
    let vip = all
        .iter()
        .find(|a| a["email"] == "vip1@kefu.local")
        .expect("created");
    assert_eq!(vip["role"], "specialist");
    assert_eq!(vip["team_id"].to_string(), team_id);
    assert_eq!(vip["chat_capacity"], 3);
    assert_eq!(
        skills(vip),
        [
            json!({"name": "category:account", "level": 2, "certified": false}),
            json!({"name": "category:vip_care", "level": 4, "certified": true}),
            json!({"name": "lang:en", "level": 3, "certified": false}),
            json!({"name": "lang:zh-CN", "level": 5, "certified": false}),
        ]
    );
    // The new account signs in with the password the admin set.
    let r = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "vip1@kefu.local", "password": "a-long-enough-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // The account's page changes it; deactivating ends its sessions.
    let id = vip["id"].to_string();
    let r = send(
        &admin,
        &app,
        &format!("/console/admin/agents/{id}"),
        &[
            ("display_name", "小王 (VIP)"),
            ("role", "agent"),
            ("team_id", ""),
            ("chat_capacity", "6"),
            ("password", ""),
            ("level.vip_care", "5"),
            ("cert.vip_care", "on"),
            ("languages", ""),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = send(
        &admin,
        &app,
        &format!("/console/admin/agents/{id}/active"),
        &[("active", "false")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let all = agents(&app).await;
    let vip = all
        .iter()
        .find(|a| a["email"] == "vip1@kefu.local")
        .unwrap();
    assert_eq!(vip["display_name"], "小王 (VIP)");
    assert_eq!(vip["role"], "agent");
    assert_eq!(vip["team_id"], Value::Null);
    assert_eq!(vip["chat_capacity"], 6);
    assert_eq!(vip["active"], false);
    assert_eq!(
        vip["skills"],
        json!([{"name": "category:vip_care", "level": 5, "certified": true}])
    );
}

#[tokio::test]
async fn refused_fields_are_marked_and_taken_codes_said_so() {
    let app = spawn_app().await;
    let admin = sign_in(&app, "admin@kefu.local").await;
    for (path, fields, marked) in [
        (
            "/console/admin/teams",
            vec![("code", "frontline"), ("name", "again")],
            "err-code",
        ),
        (
            "/console/admin/teams",
            vec![("code", "Bad Code"), ("name", "x")],
            "err-code",
        ),
        (
            "/console/admin/categories",
            vec![("code", "vip_care"), ("name_zh", ""), ("name_en", "VIP")],
            "err-name_zh",
        ),
        (
            "/console/admin/categories",
            vec![
                ("code", "vip_care"),
                ("name_zh", "大客户"),
                ("name_en", "VIP"),
                ("specialist_team", "nobody"),
            ],
            "err-specialist_team",
        ),
        (
            "/console/admin/agents",
            vec![
                ("email", "agent1@kefu.local"),
                ("display_name", "x"),
                ("role", "agent"),
            ],
            "err-email",
        ),
        (
            "/console/admin/agents",
            vec![
                ("email", "new@kefu.local"),
                ("display_name", "x"),
                ("role", "agent"),
                ("chat_capacity", "0"),
            ],
            "err-chat_capacity",
        ),
        (
            "/console/admin/agents",
            vec![
                ("email", "new@kefu.local"),
                ("display_name", "x"),
                ("role", "agent"),
                ("languages", "en:9"),
            ],
            "new-err-languages",
        ),
        (
            "/console/admin/agents",
            vec![
                ("email", "new@kefu.local"),
                ("display_name", "x"),
                ("role", "agent"),
                ("level.account", "7"),
            ],
            "new-err-skills",
        ),
    ] {
        let r = admin.post(&app, path, &fields).send().await.unwrap();
        assert!(
            r.status().is_client_error(),
            "{path} {fields:?}: {}",
            r.status()
        );
        let page = r.text().await.unwrap();
        assert!(
            page.contains(&format!("id=\"{marked}\"")),
            "{path} {fields:?}"
        );
        assert!(page.contains("aria-invalid=\"true\""), "{path} {fields:?}");
    }
    let r = send(
        &admin,
        &app,
        "/console/admin/teams",
        &[("code", "frontline"), ("name", "again")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("这个代码已被使用"));
    assert!(
        !agents(&app)
            .await
            .iter()
            .any(|a| a["email"] == "new@kefu.local"),
        "nothing refused was written"
    );
}

#[tokio::test]
async fn supervisors_certify_on_the_skills_page_but_do_not_touch_accounts() {
    let app = spawn_app().await;
    let sup = sign_in(&app, "supervisor@kefu.local").await;
    let agent1 = agents(&app)
        .await
        .into_iter()
        .find(|a| a["email"] == "agent1@kefu.local")
        .unwrap();
    let id = agent1["id"].to_string();
    let r = send(
        &sup,
        &app,
        &format!("/console/admin/skills/{id}"),
        &[
            ("level.live_streaming", "4"),
            ("cert.live_streaming", "on"),
            ("languages", "zh-CN:5"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let agent1 = agents(&app)
        .await
        .into_iter()
        .find(|a| a["email"] == "agent1@kefu.local")
        .unwrap();
    assert_eq!(
        skills(&agent1),
        [
            json!({"name": "category:live_streaming", "level": 4, "certified": true}),
            json!({"name": "lang:zh-CN", "level": 5, "certified": false}),
        ]
    );
    // A certification without a level comes back in that agent's form, open.
    let r = send(
        &sup,
        &app,
        &format!("/console/admin/skills/{id}"),
        &[("cert.account", "on")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains(&format!("id=\"a{id}-err-skills\"")));
    assert!(page.contains(&format!("id=\"skills-{id}\" open")));

    // Accounts, teams and categories are the admins'.
    for (path, fields) in [
        (
            "/console/admin/agents",
            vec![
                ("email", "x@kefu.local"),
                ("display_name", "x"),
                ("role", "agent"),
            ],
        ),
        (
            "/console/admin/teams",
            vec![("code", "vip"), ("name", "VIP")],
        ),
        (
            "/console/admin/categories",
            vec![("code", "vip"), ("name_zh", "大客户"), ("name_en", "VIP")],
        ),
        (
            &format!("/console/admin/agents/{id}/active"),
            vec![("active", "false")],
        ),
    ] {
        let r = sup.post(&app, path, &fields).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let r = sup.get(&app, "/console/admin/teams").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!r.text().await.unwrap().contains("id=\"team-form\""));
    // Agents do not read these pages at all.
    let agent = sign_in(&app, "agent2@kefu.local").await;
    for path in [
        "/console/admin/agents",
        "/console/admin/skills",
        "/console/admin/categories",
    ] {
        let r = agent.get(&app, path).send().await.unwrap();
        let status = r.status();
        if path.ends_with("categories") {
            // Any staff member reads the catalogue; only the form is the admins'.
            assert_eq!(status, StatusCode::OK);
            assert!(!r.text().await.unwrap().contains("id=\"category-form\""));
        } else {
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
    }
    // And no form goes through without its CSRF token.
    let admin = sign_in(&app, "admin@kefu.local").await;
    for path in [
        "/console/admin/teams".to_owned(),
        "/console/admin/categories".to_owned(),
        "/console/admin/agents".to_owned(),
        format!("/console/admin/agents/{id}"),
        format!("/console/admin/agents/{id}/active"),
        format!("/console/admin/skills/{id}"),
    ] {
        let r = admin
            .post_without_token(
                &app,
                &path,
                &[("code", "zz"), ("name", "zz"), ("active", "false")],
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
}
