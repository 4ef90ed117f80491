//! API tests: the real server on 127.0.0.1:0, real HTTP. One test binary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

mod app_users;
mod attachments;
mod audit;
mod bad_input;
mod bad_values;
mod bot_choice;
mod bot_first;
mod canned;
mod channels;
mod channels_outbound;
mod chat_pages;
mod console;
mod console_admin;
mod console_people;
mod console_ticket;
mod customer_side;
mod email;
mod english_kb;
mod escalation;
mod flow;
mod hardening;
mod intake;
mod learning;
mod lifecycle;
mod limits;
mod live;
mod live_limits;
mod live_nodes;
mod openapi;
mod pages;
mod policies;
mod report_hours;
mod report_pages;
mod reports;
mod roles;
mod rosters;
mod routing;
mod sessions;
mod supervision;
mod survey;
mod survey_link;
mod unroutable;

use kefu_server::{AppState, Limits};
use kefu_service::seed::{SeedReport, seed_defaults};
use kefu_service::{Caller, Core, Settings};
use kefu_store::testing::TestDatabase;
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;

/// A running server with a fresh database.
pub struct TestApp {
    pub base: String,
    pub http: Client,
    pub seed: SeedReport,
    pub state: AppState,
    /// A key for the `api` channel, whose tickets go straight to people (no bot first).
    pub api_key: String,
    /// Sending (or dropping) starts the server's graceful shutdown.
    pub shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// The server task; it ends once shutdown has drained.
    pub server: tokio::task::JoinHandle<std::io::Result<()>>,
    _db: TestDatabase,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Limits::default()).await
}

/// A running server with a fresh database and the given connection limits.
pub async fn spawn_app_with(limits: Limits) -> TestApp {
    spawn_app_configured(limits, |_| {}).await
}

/// A running server with a fresh database, the given limits and settings changed by
/// `configure`; the configured channel adapters are installed.
pub async fn spawn_app_configured(
    limits: Limits,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    let db = TestDatabase::sqlite().await.unwrap();
    let seed = seed_defaults(db.store.as_ref(), jiff::Timestamp::now())
        .await
        .unwrap()
        .unwrap();
    let mut settings = Settings {
        body_limit_bytes: 64 * 1024,
        ..Settings::default()
    };
    configure(&mut settings);
    let core = Core::new(db.store.clone(), settings).await.unwrap();
    kefu_server::channels::install(&core).unwrap();
    let state = AppState::new(Arc::new(core));
    // Bind before spawning: the port is ready when this returns, no sleeps needed.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(kefu_server::serve_with(
        listener,
        state.clone(),
        limits,
        async move {
            let _ = stop.await;
        },
    ));
    let (_, api_key) =
        kefu_service::admin::create_api_key(&state, &Caller::System, "tests", Some("api"), None)
            .await
            .unwrap();
    TestApp {
        base,
        http: Client::new(),
        seed,
        state,
        api_key,
        shutdown: Some(shutdown),
        server,
        _db: db,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The `api` channel key: tickets skip the bot.
    pub fn channel_key(&self) -> &str {
        &self.api_key
    }

    /// The seeded in-app channel key: tickets meet the bot first.
    pub fn in_app_key(&self) -> &str {
        &self.seed.channel_key
    }

    pub fn password(&self, email: &str) -> &str {
        &self
            .seed
            .accounts
            .iter()
            .find(|(e, ..)| e == email)
            .unwrap()
            .2
    }

    /// Logs in a seeded account and returns its session token.
    pub async fn login(&self, email: &str) -> String {
        let r = self
            .http
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": self.password(email)}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Opens a ticket through the `api` channel (straight to the queue).
    pub async fn open(&self, external_id: &str, body: &str) -> Value {
        let r = self
            .http
            .post(self.url("/api/v1/tickets"))
            .bearer_auth(self.channel_key())
            .json(&json!({"customer": {"external_id": external_id}, "body": body, "category": "account"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }

    /// The `/metrics` page's text.
    pub async fn metrics(&self) -> String {
        self.get("/metrics")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.http.post(self.url(path))
    }

    /// GETs `path` with a bearer token, expecting 200; the JSON body.
    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        let r = self.get(path).bearer_auth(token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "GET {path}");
        r.json().await.unwrap()
    }
}

/// The staff account id behind a token.
pub async fn me(app: &TestApp, token: &str) -> i64 {
    let r = app
        .get("/api/v1/auth/me")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

/// Sets the caller's presence; returns what it assigned and handed back.
pub async fn presence(app: &TestApp, token: &str, p: &str) -> Value {
    let r = app
        .http
        .put(app.url("/api/v1/agents/me/presence"))
        .bearer_auth(token)
        .json(&json!({"presence": p}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// Asserts a problem+json answer with the given status and code; returns the body.
pub async fn expect_problem(r: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(r.status(), status, "{:?}", r.headers());
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(ct, "application/problem+json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status.as_u16());
    assert!(body["instance"].is_string());
    body
}

#[tokio::test]
async fn health_metrics_and_openapi_are_served() {
    let app = spawn_app().await;
    assert_eq!(
        app.get("/healthz").send().await.unwrap().status(),
        StatusCode::OK
    );
    app.open("m-1", "你好").await;
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("kefu_tickets{status=\"queued\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("route=\"/api/v1/tickets\",status=\"201\""),
        "{metrics}"
    );
    let doc: Value = app
        .get("/api/openapi.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/tickets",
        "/api/v1/tickets/{number}",
        "/api/v1/tickets/{number}/take",
        "/api/v1/tickets/{number}/assign",
        "/api/v1/tickets/{number}/replies",
        "/api/v1/tickets/{number}/notes",
        "/api/v1/tickets/{number}/status",
        "/api/v1/tickets/{number}/events",
        "/api/v1/tickets/{number}/escalate",
        "/api/v1/tickets/{number}/send-back",
        "/api/v1/tickets/{number}/transfer",
        "/api/v1/agents/me/presence",
        "/api/v1/agents/{id}/roster",
        "/api/v1/coverage",
        "/api/v1/customer/tickets/{number}",
        "/api/v1/customer/tickets/{number}/messages",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/me",
        "/api/v1/agents",
        "/api/v1/agents/{id}",
        "/api/v1/teams",
        "/api/v1/categories",
        "/api/v1/categories/{code}",
        "/api/v1/api-keys",
        "/api/v1/api-keys/{id}",
        "/api/v1/customer/tickets/{number}/feedback",
        "/api/v1/kb/articles",
        "/api/v1/kb/articles/{id}",
        "/api/v1/kb/articles/{id}/publish",
        "/api/v1/bot/ask",
        "/api/v1/bot/unanswered",
        "/api/v1/customer/tickets",
        "/healthz",
        "/metrics",
        "/api/openapi.json",
    ] {
        assert!(paths.contains_key(p), "OpenAPI lacks {p}");
    }
    let text = doc.to_string();
    for code in kefu_server::problem::ErrorCode::ALL {
        assert!(
            text.contains(code.as_str()),
            "OpenAPI does not document {}",
            code.as_str()
        );
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_get_problems() {
    let app = spawn_app().await;
    expect_problem(
        app.get("/api/v1/nope").send().await.unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_problem(
        app.http
            .delete(app.url("/api/v1/tickets"))
            .send()
            .await
            .unwrap(),
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
}

/// The value of the series `name` (with its labels, exactly as rendered) in `text`.
pub fn series(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn metrics_carry_the_queue_agents_jobs_and_bot_decisions() {
    let app = spawn_app().await;
    app.open("m-2", "账号登录不了").await;
    let opened = app.open_in_app("m-3", "请问客服是免费的吗").await;
    app.say(&opened, "谢谢").await;
    let token = app.login("agent1@kefu.local").await;
    presence(&app, &token, "away").await;
    let text = app.metrics().await;
    assert_eq!(
        series(&text, "kefu_queue_length{domain=\"account\"}"),
        Some(1.0),
        "{text}"
    );
    let oldest = series(&text, "kefu_queue_oldest_waiting_seconds").unwrap();
    assert!((0.0..60.0).contains(&oldest), "{text}");
    assert_eq!(series(&text, "kefu_agents{presence=\"away\"}"), Some(1.0));
    assert_eq!(series(&text, "kefu_agents{presence=\"online\"}"), Some(0.0));
    assert!(
        series(&text, "kefu_jobs{state=\"dead\"}").is_some(),
        "{text}"
    );
    assert!(series(&text, "kefu_jobs_due").is_some(), "{text}");
    assert!(series(&text, "kefu_live_connections").is_some(), "{text}");
    // The recorder is shared by every test in this process: at least this test's turns.
    let decisions: f64 = text
        .lines()
        .filter(|l| l.starts_with("kefu_bot_decisions_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert!(decisions >= 1.0, "{text}");
    assert_eq!(series(&text, "kefu_store_up"), Some(1.0));
}
