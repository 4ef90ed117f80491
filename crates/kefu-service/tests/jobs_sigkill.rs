//! A node killed with SIGKILL while it runs a job: after the lease, another node takes the
//! job and runs it exactly once (PostgreSQL, two processes).
//!
//! Node A is this test binary started again as a child process running only
//! [`child_node_runs_a_job_that_never_finishes`] (ignored in a normal run: it waits to be
//! killed). Its real runner claims the job with a short lease and hangs in the handler; the
//! parent sees the claim in the database, kills the child with SIGKILL (no release, no
//! goodbye), and runs node B's real runner.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

mod common;

use jiff::Timestamp;
use kefu_service::jobs::{self, Registry, RunnerConfig, runner};
use kefu_service::workers::Stop;
use kefu_service::{Core, Settings};
use kefu_store::NewJob;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The child reads the database from this.
const CHILD_URL: &str = "KEFU_SIGKILL_CHILD_URL";
const LEASE: Duration = Duration::from_secs(3);
const KIND: &str = "test.once";

fn config() -> RunnerConfig {
    RunnerConfig {
        lease: LEASE,
        // Long enough that the hanging attempt is not given up before the parent kills A.
        timeout: Duration::from_millis(2900),
        idle_min: Duration::from_millis(20),
        idle_max: Duration::from_millis(100),
        ..RunnerConfig::default()
    }
}

#[tokio::test]
async fn a_job_held_by_a_sigkilled_node_runs_once_on_another_after_its_lease() {
    let Some((db, b, _)) = common::postgres_nodes().await else {
        return;
    };
    let id = jobs::enqueue(
        &b,
        NewJob::new(KIND, serde_json::json!({}), Timestamp::now()),
    )
    .await
    .unwrap();
    let mut child = Killed(
        std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "child_node_runs_a_job_that_never_finishes",
                "--ignored",
                "--nocapture",
            ])
            .env(CHILD_URL, &db.url)
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let claimed = wait_for(Duration::from_secs(30), async || {
        b.store
            .job(id)
            .await
            .unwrap()
            .filter(|j| j.leased_by.as_deref().is_some_and(|n| n != b.node_id))
    })
    .await
    .expect("the child node claims the job");
    // SIGKILL (what `Child::kill` sends): the child neither finishes nor releases anything.
    child.0.kill().unwrap();
    child.0.wait().unwrap();
    let killed_at = Timestamp::now();
    let lease_until = claimed.lease_until.expect("a claim has a lease");

    let runs = Arc::new(AtomicUsize::new(0));
    let mut registry = Registry::default();
    let counter = runs.clone();
    registry.register(KIND, move |_core, _job| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    });
    let (switch, stop) = Stop::new();
    let node_b = tokio::spawn(runner::run(b.clone(), Arc::new(registry), config(), stop));
    let done = wait_for(Duration::from_secs(30), async || {
        b.store.job(id).await.unwrap().is_none().then_some(())
    })
    .await;
    let finished_at = Timestamp::now();
    // Give a wrong second run time to happen before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    switch.send(true).unwrap();
    node_b.await.unwrap();

    assert!(done.is_some(), "node B completes the job after the lease");
    assert_eq!(runs.load(Ordering::SeqCst), 1, "exactly once");
    assert!(
        finished_at >= lease_until,
        "not before the dead node's lease ran out (killed at {killed_at}, lease until \
         {lease_until}, done at {finished_at})"
    );
}

/// Node A (see the module header): runs until killed; returns at once unless started as
/// the child of the test above.
#[tokio::test]
#[ignore = "started by a_job_held_by_a_sigkilled_node_runs_once_on_another_after_its_lease"]
async fn child_node_runs_a_job_that_never_finishes() {
    let Ok(url) = std::env::var(CHILD_URL) else {
        return;
    };
    let store = kefu_store::open(&url).await.unwrap();
    let core = Arc::new(Core::new(store, Settings::default()).await.unwrap());
    let mut registry = Registry::default();
    registry.register(KIND, |_core, _job| async {
        std::future::pending::<()>().await;
        Ok(())
    });
    let (_switch, stop) = Stop::new();
    tokio::spawn(runner::run(
        core.clone(),
        Arc::new(registry),
        config(),
        stop,
    ));
    // The parent waits for the claim, then kills this process.
    std::future::pending::<()>().await;
}

/// Kills the child when the test ends early.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wait_for<T>(limit: Duration, mut f: impl AsyncFnMut() -> Option<T>) -> Option<T> {
    let until = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < until {
        if let Some(v) = f().await {
            return Some(v);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    None
}
