//! `kefu serve`: open (and migrate, and seed) the database, then serve HTTP until Ctrl-C or
//! SIGTERM.

use crate::config::{Config, redact_url};
use anyhow::Context;
use kefu_server::AppState;
use kefu_service::Core;
use kefu_service::seed;
use std::sync::Arc;

pub async fn run(config: Config) -> anyhow::Result<()> {
    crate::logging::init(&config.log);
    let store = kefu_store::open(&config.database.url)
        .await
        .with_context(|| format!("cannot open database {}", redact_url(&config.database.url)))?;
    if let Some(report) = seed::seed_defaults(store.as_ref(), jiff::Timestamp::now()).await? {
        print_first_start(&report);
    }
    let core = Arc::new(Core::new(store, config.settings()?).await?);
    kefu_server::channels::install(&core).map_err(anyhow::Error::msg)?;
    let listener = tokio::net::TcpListener::bind(&config.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.listen))?;
    tracing::info!(
        listen = %listener.local_addr()?,
        database = %redact_url(&config.database.url),
        backend = core.store.backend(),
        "kefu is serving"
    );
    kefu_service::email::install(&core);
    let workers = kefu_service::workers::spawn(core.clone());
    let limits = config.limits();
    warn_if_few_file_descriptors(limits.max_connections);
    let state = AppState::new(core)
        .with_limits(config.login_limits(), config.rate_limits())
        .with_live(config.live_limits());
    kefu_server::serve_with(listener, state, limits, shutdown_signal()).await?;
    // In-flight requests are done: let the workers finish theirs and give back their jobs.
    workers.shutdown().await;
    tracing::info!("kefu stopped");
    Ok(())
}

/// Shown once, on the first start of a new database: the generated secrets are not kept.
pub fn print_first_start(report: &seed::SeedReport) {
    println!("== kefu: new database seeded. These credentials are shown only now; keep them. ==");
    let width = report
        .accounts
        .iter()
        .map(|(email, ..)| email.len())
        .max()
        .unwrap_or(0);
    for (email, role, password) in &report.accounts {
        let role = role.to_string();
        println!("  {role:<10} {email:<width$}  password: {password}");
    }
    println!("  demo in-app channel API key: {}", report.channel_key);
    println!("==");
}

/// Each connection takes a file descriptor: below `max_connections` (and some for the
/// database and logs) the cap is the open-file limit instead, met with accept errors.
fn warn_if_few_file_descriptors(max_connections: usize) {
    let Some(limit) = open_file_limit() else {
        return;
    };
    let wanted = u64::try_from(max_connections)
        .unwrap_or(u64::MAX)
        .saturating_add(256);
    if limit < wanted {
        tracing::warn!(
            open_file_limit = limit,
            max_connections,
            "the open-file limit (ulimit -n) is below server.max_connections + 256; raise it \
             or lower server.max_connections"
        );
    }
}

/// The soft open-file limit, from /proc on Linux.
fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
