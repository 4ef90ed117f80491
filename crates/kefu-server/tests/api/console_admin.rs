//! The console's supervisor and admin pages over real HTTP (signed in with the session
//! cookie): the dashboard with its two SVG charts and the reassign form, the policy pages
//! (publish, the unread count, acknowledge, the acknowledgement list), the knowledge-base
//! editor (save and publish, the diff, the bot answering at once), API keys and dead jobs;
//! role rules and CSRF on every form. (e2e/ drives the same pages in Chromium.)

use super::console::{Signed, sign_in};
use super::*;

async fn html(s: &Signed, app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = s.get(app, path).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// What the JSON API answers a supervisor at `path`.
async fn as_supervisor(app: &TestApp, path: &str) -> Value {
    let token = app.login("supervisor@kefu.local").await;
    let r = app.get(path).bearer_auth(&token).send().await.unwrap();
    r.json().await.unwrap()
}

#[tokio::test]
async fn the_dashboard_shows_two_charts_and_reassigns_a_ticket() {
    let app = spawn_app().await;
    let t = app.open("ca-1", "<script>alert(1)</script> 登录不了").await;
    let number = t["ticket"]["number"].as_str().unwrap().to_owned();
    let sup = sign_in(&app, "supervisor@kefu.local").await;
    let (status, page) = html(&sup, &app, "/console/supervisor").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.matches("<svg").count(), 2, "two charts");
    assert!(page.contains("id=\"hours-chart\"") && page.contains("id=\"queue-chart\""));
    assert!(
        page.contains(&format!("data-number=\"{number}\"")),
        "nearest to breach"
    );
    assert!(
        !page.contains("<script>alert(1)</script>"),
        "subjects escaped"
    );
    let item = page.find(&format!("data-number=\"{number}\"")).unwrap();
    let item = &page[item..item + page[item..].find("</li>").unwrap()];
    let at = item.find("class=\"badge prio-").unwrap();
    let label = item[at..]
        .split('>')
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    assert!(["低", "普通", "高", "紧急"].contains(&label), "{label}");
    assert!(
        page.contains("aria-current=\"page\">主管看板"),
        "the nav marks the page"
    );
    let (status, fragment) = html(&sup, &app, "/console/supervisor/live").await;
    assert_eq!(status, StatusCode::OK);
    assert!(fragment.starts_with("<p") && fragment.contains("<svg"));

    let agent_id = me(&app, &app.login("agent2@kefu.local").await)
        .await
        .to_string();
    let r = sup
        .post(
            &app,
            "/console/supervisor/assign",
            &[("number", &number), ("agent_id", &agent_id)],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let ticket = as_supervisor(&app, &format!("/api/v1/tickets/{number}")).await;
    assert_eq!(
        ticket["ticket"]["assignee_id"].to_string(),
        agent_id,
        "{ticket}"
    );

    let agent = sign_in(&app, "agent1@kefu.local").await;
    let (status, _) = html(&agent, &app, "/console/supervisor").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, desk) = html(&agent, &app, "/console").await;
    assert!(!desk.contains("主管看板"), "no dashboard link for agents");
}

#[tokio::test]
async fn a_policy_is_published_acknowledged_and_listed_from_the_forms() {
    let app = spawn_app().await;
    let sup = sign_in(&app, "supervisor@kefu.local").await;
    let r = sup
        .post(
            &app,
            "/console/policies",
            &[
                ("title", "带货新规"),
                ("body", "<b>即日起</b>"),
                ("must_read", "1"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    let id = to.rsplit('/').next().unwrap().to_owned();
    let agent = sign_in(&app, "agent1@kefu.local").await;
    let unread: Value = agent
        .get(&app, "/console/policies/unread.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unread["count"], 1);
    let (_, list) = html(&agent, &app, "/console/policies").await;
    assert!(list.contains("id=\"unread\"") && list.contains("&lt;b&gt;即日起&lt;"));
    assert!(!list.contains("publish-form"), "agents do not publish");
    let refused = agent
        .http
        .post(app.url(&format!("/console/policies/{id}/acknowledge")))
        .header("cookie", &agent.cookie)
        .header("origin", &agent.origin)
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let r = agent
        .post(&app, &format!("/console/policies/{id}/acknowledge"), &[])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let unread: Value = agent
        .get(&app, "/console/policies/unread.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unread["count"], 0);
    let (_, report) = html(&sup, &app, &to).await;
    let acked = report.find("class=\"acked\"").unwrap();
    assert!(report[acked..].contains("agent1@kefu.local"));
    let r = agent
        .post(&app, "/console/policies", &[("title", "x"), ("body", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_kb_editor_saves_publishes_and_diffs_and_the_bot_answers_at_once() {
    let app = spawn_app().await;
    let admin = sign_in(&app, "admin@kefu.local").await;
    let (status, list) = html(&admin, &app, "/console/kb").await;
    assert_eq!(status, StatusCode::OK);
    let at = list.find("href=\"/console/kb/").unwrap() + "href=\"/console/kb/".len();
    let id = list[at..].split('"').next().unwrap().to_owned();
    let id = if id == "new" {
        let at = list.rfind("href=\"/console/kb/").unwrap() + "href=\"/console/kb/".len();
        list[at..].split('"').next().unwrap().to_owned()
    } else {
        id
    };
    let (_, editor) = html(&admin, &app, &format!("/console/kb/{id}")).await;
    let question = {
        let at = editor.find("id=\"kb-question\"").unwrap();
        let v = editor[at..].find("value=\"").unwrap() + at + 7;
        editor[v..].split('"').next().unwrap().to_owned()
    };
    let r = admin
        .post(
            &app,
            &format!("/console/kb/{id}"),
            &[
                ("question", question.as_str()),
                ("answer", "独角兽答案：请到设置里操作。"),
                ("similar", "独角兽问题怎么办"),
                ("publish", "1"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, editor) = html(&admin, &app, &format!("/console/kb/{id}")).await;
    assert!(editor.contains("id=\"kb-diff\""));
    assert!(
        editor.contains("<span class=\"added\">+ A: 独角兽答案"),
        "{editor}"
    );
    let found: Value = app
        .get("/api/v1/help/search?q=独角兽问题怎么办")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(found.to_string().contains("独角兽答案"), "{found}");
    let agent = sign_in(&app, "agent1@kefu.local").await;
    let r = agent
        .post(
            &app,
            &format!("/console/kb/{id}"),
            &[("question", "q"), ("answer", "a")],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn admins_create_and_revoke_api_keys_and_discard_dead_jobs() {
    let app = spawn_app().await;
    let admin = sign_in(&app, "admin@kefu.local").await;
    let r = admin
        .post(
            &app,
            "/console/admin/api-keys",
            &[("name", "微博接入"), ("channel", "social")],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("id=\"new-key\"") && page.contains("微博接入"));
    let at = page.find("/console/admin/api-keys/").unwrap() + "/console/admin/api-keys/".len();
    let key_id = page[at..].split('/').next().unwrap().to_owned();
    let r = admin
        .post(
            &app,
            &format!("/console/admin/api-keys/{key_id}/revoke"),
            &[],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, jobs) = html(&admin, &app, "/console/admin/jobs").await;
    assert!(!jobs.contains("id=\"dead-jobs\""), "no dead jobs yet");

    // A malformed payload can never succeed: the job is dead at its first attempt.
    let job = kefu_store::NewJob::new(
        "ticket.close",
        json!({"why": "<script>alert(1)</script>"}),
        jiff::Timestamp::now(),
    );
    let now = jiff::Timestamp::now();
    let id = app.state.store.enqueue_job(job, now).await.unwrap();
    let later = now + jiff::SignedDuration::from_secs(5);
    kefu_service::jobs::run_due(&app.state.core, later)
        .await
        .unwrap();
    let (status, jobs) = html(&admin, &app, "/console/admin/jobs").await;
    assert_eq!(status, StatusCode::OK);
    let discard = format!("/console/admin/jobs/{}/discard", id.0);
    assert!(
        jobs.contains("ticket.close") && jobs.contains(&discard),
        "{jobs}"
    );
    let sup = sign_in(&app, "supervisor@kefu.local").await;
    let r = sup.post(&app, &discard, &[]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "admins only");
    let r = admin.post(&app, &discard, &[]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, jobs) = html(&admin, &app, "/console/admin/jobs").await;
    assert!(!jobs.contains(&discard), "discarded for good");
    let r = admin.post(&app, &discard, &[]).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "only a dead job is discarded"
    );
    let (status, _) = html(&sup, &app, "/console/admin/api-keys").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn supervisors_set_shifts_on_the_week_grid_and_see_the_coverage() {
    let app = spawn_app().await;
    let sup = sign_in(&app, "supervisor@kefu.local").await;
    let (status, page) = html(&sup, &app, "/console/rosters").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"week-grid\"") && page.contains("id=\"coverage\""));
    let agent_id = me(&app, &app.login("agent2@kefu.local").await).await;
    let path = format!("/console/rosters/{agent_id}");
    let r = sup
        .post(
            &app,
            &path,
            &[
                (
                    "shifts",
                    "mon tue wed 09:00-18:00 +12:00/60\nsat 22:00-06:00",
                ),
                ("time_zone", "Asia/Shanghai"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let roster = as_supervisor(&app, &format!("/api/v1/agents/{agent_id}/roster")).await;
    assert_eq!(roster["shifts"][0]["days"], json!(["mon", "tue", "wed"]));
    assert_eq!(roster["shifts"][0]["breaks"][0]["minutes"], 60, "{roster}");
    assert_eq!(roster["shifts"][1]["end"], "06:00");
    let (_, page) = html(&sup, &app, "/console/rosters").await;
    let row = page.find(&format!("id=\"agent-{agent_id}\"")).unwrap();
    let row = &page[row..page[row..].find("</tr>").unwrap() + row];
    assert_eq!(row.matches("09:00–18:00").count(), 3, "{row}");
    assert!(row.contains("22:00–06:00"));
    let at = page.find(&format!("id=\"shifts-{agent_id}\"")).unwrap();
    let text = &page[at..at + 200];
    assert!(text.contains("mon tue wed 09:00-18:00 +12:00"), "{text}");

    let r = sup
        .post(&app, &path, &[("shifts", "someday 25:00-18:00")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    let agent = sign_in(&app, "agent1@kefu.local").await;
    let (status, _) = html(&agent, &app, "/console/rosters").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let r = agent
        .post(&app, &path, &[("shifts", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn admins_change_sla_targets_and_the_ceiling_holds() {
    let app = spawn_app().await;
    let admin = sign_in(&app, "admin@kefu.local").await;
    let (status, page) = html(&admin, &app, "/console/admin/sla").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"sla-policies\"") && page.contains("id=\"sla-add\""));
    let set = |first: &'static str| {
        [
            ("category", "account"),
            ("priority", "urgent"),
            ("first_response_minutes", first),
            ("next_response_minutes", "45"),
            ("resolution_minutes", "600"),
        ]
    };
    let r = admin
        .post(&app, "/console/admin/sla", &set("7"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let policies = as_supervisor(&app, "/api/v1/sla-policies").await;
    let mine = policies
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["category"] == "account" && p["priority"] == "urgent")
        .unwrap_or_else(|| panic!("{policies}"))
        .clone();
    assert_eq!(mine["first_response_minutes"], 7, "{mine}");
    let (_, page) = html(&admin, &app, "/console/admin/sla").await;
    assert!(page.contains("value=\"600\""));

    let over = admin
        .post(&app, "/console/admin/sla", &set("1441"))
        .send()
        .await
        .unwrap();
    assert!(over.status().is_client_error(), "{}", over.status());
    let sup = sign_in(&app, "supervisor@kefu.local").await;
    let (status, page) = html(&sup, &app, "/console/admin/sla").await;
    assert_eq!(status, StatusCode::OK, "supervisors read the targets");
    assert!(!page.contains("id=\"sla-add\""));
    let r = sup
        .post(&app, "/console/admin/sla", &set("9"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
