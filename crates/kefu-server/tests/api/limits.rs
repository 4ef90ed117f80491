//! Login lockout and hashing slots, and the rate limits on lookups, intake and customer
//! messages — through the real server with limits small enough to reach in a test.

use super::*;
use kefu_server::rate_limit::{Rate, RateLimits};
use kefu_service::login_guard::LoginLimits;
use std::time::Duration;

/// Like [`spawn_app`], with the given limits.
async fn spawn_limited(login: LoginLimits, rate: RateLimits) -> TestApp {
    let db = TestDatabase::sqlite().await.unwrap();
    spawn_on(db, login, rate).await
}

pub async fn spawn_on(db: TestDatabase, login: LoginLimits, rate: RateLimits) -> TestApp {
    let seed = seed_defaults(db.store.as_ref(), jiff::Timestamp::now())
        .await
        .unwrap()
        .unwrap();
    let core = Core::new(db.store.clone(), Settings::default())
        .await
        .unwrap();
    let state = AppState::new(Arc::new(core)).with_limits(login, rate);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(kefu_server::serve(listener, state.clone(), async move {
        let _ = stop.await;
    }));
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

fn quick_login() -> LoginLimits {
    LoginLimits {
        account_failures: 3,
        address_failures: 1000,
        delay_per_failure: Duration::from_millis(10),
        ..LoginLimits::default()
    }
}

async fn try_login(app: &TestApp, email: &str, password: &str) -> Response {
    app.post("/api/v1/auth/login")
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

fn retry_after(r: &Response) -> u64 {
    r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_then_the_right_one_waits() {
    let app = spawn_limited(quick_login(), RateLimits::default()).await;
    let email = "agent1@kefu.local";
    for _ in 0..2 {
        let r = try_login(&app, email, "wrong password").await;
        expect_problem(r, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
    let r = try_login(&app, email, "wrong password").await;
    assert_eq!(retry_after(&r), 60);
    expect_problem(r, StatusCode::TOO_MANY_REQUESTS, "account_locked").await;
    // Locked: even the right password waits, and says for how long.
    let r = try_login(&app, email, app.password(email)).await;
    assert!((1..=60).contains(&retry_after(&r)));
    let body = expect_problem(r, StatusCode::TOO_MANY_REQUESTS, "account_locked").await;
    assert!(!body.to_string().contains("wrong password"));
    // Another account is not affected; e-mail case does not dodge the lock.
    app.login("agent2@kefu.local").await;
    let r = try_login(&app, "AGENT1@kefu.local", app.password(email)).await;
    expect_problem(r, StatusCode::TOO_MANY_REQUESTS, "account_locked").await;
}

#[tokio::test]
async fn a_successful_login_resets_the_count() {
    let app = spawn_limited(quick_login(), RateLimits::default()).await;
    let email = "agent1@kefu.local";
    for _ in 0..2 {
        try_login(&app, email, "wrong password").await;
    }
    app.login(email).await;
    for _ in 0..2 {
        let r = try_login(&app, email, "wrong password").await;
        expect_problem(r, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_locked() {
    let app = spawn_limited(
        LoginLimits {
            address_failures: 4,
            ..quick_login()
        },
        RateLimits::default(),
    )
    .await;
    for i in 0..3 {
        let r = try_login(&app, &format!("nobody{i}@kefu.local"), "wrong password").await;
        expect_problem(r, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
    let r = try_login(&app, "nobody9@kefu.local", "wrong password").await;
    expect_problem(r, StatusCode::TOO_MANY_REQUESTS, "account_locked").await;
    let r = try_login(&app, "admin@kefu.local", app.password("admin@kefu.local")).await;
    expect_problem(r, StatusCode::TOO_MANY_REQUESTS, "account_locked").await;
}

#[tokio::test]
async fn a_login_flood_waits_for_hashing_slots_instead_of_taking_memory() {
    let app = spawn_limited(
        LoginLimits {
            hashing_concurrency: 1,
            hashing_wait: Duration::from_millis(1),
            account_failures: 1000,
            address_failures: 1000,
            ..LoginLimits::default()
        },
        RateLimits::default(),
    )
    .await;
    let attempts = (0..16).map(|i| {
        let app = &app;
        async move { try_login(app, &format!("flood{i}@kefu.local"), "wrong password").await }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let statuses: Vec<StatusCode> = answers.iter().map(Response::status).collect();
    assert!(
        statuses.contains(&StatusCode::SERVICE_UNAVAILABLE),
        "with one slot and no patience some must be turned away: {statuses:?}"
    );
    for r in answers {
        if r.status() == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(retry_after(&r), 1);
            expect_problem(r, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable").await;
        } else {
            expect_problem(r, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
        }
    }
}

#[tokio::test]
async fn a_nul_in_the_login_email_is_named_on_postgresql_too() {
    let Some(url) = kefu_store::testing::postgres_url() else {
        eprintln!("skipped: KEFU_TEST_POSTGRES_URL is not set");
        return;
    };
    let db = TestDatabase::postgres(&url).await.unwrap();
    let app = spawn_on(db, LoginLimits::default(), RateLimits::default()).await;
    let r = app
        .post("/api/v1/auth/login")
        .header("content-type", "application/json")
        .body(r#"{"email": "admin@kefu.local\u0000", "password": "x"}"#)
        .send()
        .await
        .unwrap();
    let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "email");
    // The service checks too, for entry points that do not parse JSON.
    let err = kefu_service::admin::login(
        &app.state,
        &app.state.login_guard,
        "admin@kefu.local\0",
        "x",
        None,
    )
    .await
    .err()
    .unwrap();
    assert_eq!(err.errors[0].field, "email");
    app.login("admin@kefu.local").await;
}

fn tight() -> RateLimits {
    let rate = Rate {
        per_second: 1,
        burst: 3,
    };
    RateLimits {
        lookup_per_address: Rate {
            per_second: 1,
            burst: 6,
        },
        lookup_per_ticket: rate,
        intake_per_key: rate,
        messages_per_ticket: rate,
        ..RateLimits::default()
    }
}

async fn lookup(app: &TestApp, number: &str, code: &str) -> Response {
    app.get(&format!("/api/v1/customer/tickets/{number}"))
        .header("x-lookup-code", code)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn lookups_past_the_limit_get_429_per_number_and_per_address() {
    let app = spawn_limited(LoginLimits::default(), tight()).await;
    let a = app.open("r-1", "问题一").await;
    let b = app.open("r-2", "问题二").await;
    let (na, ca) = (
        a["ticket"]["number"].as_str().unwrap(),
        a["lookup_code"].as_str().unwrap(),
    );
    let (nb, cb) = (
        b["ticket"]["number"].as_str().unwrap(),
        b["lookup_code"].as_str().unwrap(),
    );
    for _ in 0..3 {
        assert_eq!(lookup(&app, na, ca).await.status(), StatusCode::OK);
    }
    let r = lookup(&app, na, ca).await;
    assert!((1..=2).contains(&retry_after(&r)));
    expect_problem(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // The same ticket written another way is the same ticket.
    let dashed = format!("{}-{}-{}-{}", &na[..6], &na[6..10], &na[10..14], &na[14..]);
    let r = lookup(&app, &dashed, ca).await;
    expect_problem(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Another number is unaffected… until this address has used its own burst of 6 (the
    // refused lookups count for the address).
    assert_eq!(lookup(&app, nb, cb).await.status(), StatusCode::OK);
    let r = lookup(&app, nb, cb).await;
    expect_problem(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn the_forwarded_address_counts_only_when_trusted() {
    let app = spawn_limited(
        LoginLimits::default(),
        RateLimits {
            lookup_per_address: Rate {
                per_second: 1,
                burst: 2,
            },
            lookup_per_ticket: Rate {
                per_second: 1000,
                burst: 1000,
            },
            trust_forwarded_for: true,
            ..RateLimits::default()
        },
    )
    .await;
    let from = |ip: &'static str| {
        app.get("/api/v1/customer/tickets/261130-0000-0000-7")
            .header("x-lookup-code", "AAAAAAAA")
            .header("x-forwarded-for", format!("203.0.113.9, {ip}"))
    };
    for _ in 0..2 {
        let r = from("198.51.100.1").send().await.unwrap();
        assert_ne!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    let r = from("198.51.100.1").send().await.unwrap();
    expect_problem(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    let r = from("198.51.100.2").send().await.unwrap();
    assert_ne!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn intake_is_limited_per_key_and_messages_per_ticket() {
    let app = spawn_limited(LoginLimits::default(), tight()).await;
    let mut opened = Vec::new();
    for i in 0..3 {
        opened.push(app.open(&format!("i-{i}"), "问题").await);
    }
    let body = json!({"customer": {"external_id": "i-9"}, "body": "x"});
    let r = app
        .post("/api/v1/tickets")
        .bearer_auth(app.channel_key())
        .json(&body)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Another key has its own allowance.
    let r = app
        .post("/api/v1/tickets")
        .bearer_auth(app.in_app_key())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);

    let say = |t: &Value| {
        let number = t["ticket"]["number"].as_str().unwrap().to_owned();
        let code = t["lookup_code"].as_str().unwrap().to_owned();
        app.post(&format!("/api/v1/customer/tickets/{number}/messages"))
            .header("x-lookup-code", code)
            .json(&json!({"body": "还在吗"}))
    };
    for _ in 0..3 {
        let r = say(&opened[0]).send().await.unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
    let r = say(&opened[0]).send().await.unwrap();
    expect_problem(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    let r = say(&opened[1]).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
}
