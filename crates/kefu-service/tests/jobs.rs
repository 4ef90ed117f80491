//! The job runner: a job runs once; a failing one is retried, then dead-lettered and
//! listed for admins; a panicking handler is contained; a job whose node died runs once on
//! another after the lease (PostgreSQL); a stop releases what is still held.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

mod common;

use jiff::{SignedDuration, Timestamp};
use kefu_domain::{AgentId, AgentRole, ApiKeyId};
use kefu_service::jobs::runner::{self, run_due_with};
use kefu_service::jobs::{self, JobError, Registry, RunnerConfig};
use kefu_service::workers::Stop;
use kefu_service::{Caller, Core, ErrorCode, Staff};
use kefu_store::{FailedJob, JobId, NewJob};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn staff(role: AgentRole) -> Caller {
    Caller::Staff(Staff {
        agent_id: AgentId(1),
        role,
        team: None,
        credential: ApiKeyId(1),
    })
}

/// A registry whose `test.count` counts its runs, `test.fail` always fails, `test.panic`
/// panics and `test.hang` never finishes.
fn registry(count: Arc<AtomicUsize>) -> Registry {
    let mut r = Registry::default();
    r.register("test.count", move |_core, _job| {
        let count = count.clone();
        async move {
            count.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    });
    r.register("test.fail", |_core, _job| async {
        Err(JobError::Retry("the partner API is down".into()))
    });
    r.register("test.panic", |_core, _job| async {
        if true {
            panic!("handler bug");
        }
        Ok(())
    });
    r.register("test.hang", |_core, _job| async {
        std::future::pending::<()>().await;
        Ok(())
    });
    r
}

fn fast() -> RunnerConfig {
    RunnerConfig {
        idle_min: Duration::from_millis(20),
        idle_max: Duration::from_millis(100),
        stop_grace: Duration::from_millis(200),
        ..RunnerConfig::default()
    }
}

async fn enqueue(core: &Core, kind: &str) -> JobId {
    jobs::enqueue(
        core,
        NewJob::new(kind, serde_json::json!({}), Timestamp::now()),
    )
    .await
    .unwrap()
}

async fn until(what: &str, mut f: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting until {what}");
}

#[tokio::test]
async fn a_job_runs_once_and_a_panicking_handler_leaves_the_runner_alive() {
    let (_db, core) = common::sqlite_node().await;
    let count = Arc::new(AtomicUsize::new(0));
    let (switch, stop) = Stop::new();
    let task = tokio::spawn(runner::run(
        core.clone(),
        Arc::new(registry(count.clone())),
        fast(),
        stop,
    ));
    let panicking = enqueue(&core, "test.panic").await;
    until("the panic is recorded", async || {
        core.store
            .job(panicking)
            .await
            .unwrap()
            .and_then(|j| j.last_error)
            .is_some_and(|e| e.contains("panicked: handler bug"))
    })
    .await;
    let id = enqueue(&core, "test.count").await;
    until("the job ran", async || count.load(Ordering::SeqCst) == 1).await;
    until("the job is done", async || {
        core.store.job(id).await.unwrap().is_none()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(count.load(Ordering::SeqCst), 1, "once");
    switch.send(true).unwrap();
    task.await.unwrap();
}

#[tokio::test]
async fn a_failing_job_is_retried_later_then_dead_lettered_and_listed_for_admins() {
    let (_db, core) = common::sqlite_node().await;
    let r = registry(Arc::new(AtomicUsize::new(0)));
    let id = jobs::enqueue(
        &core,
        NewJob::new("test.fail", serde_json::json!({}), Timestamp::now()).with_max_attempts(2),
    )
    .await
    .unwrap();
    let now = Timestamp::now();
    let first = run_due_with(&core, &r, now).await.unwrap();
    let FailedJob::Retrying { run_at } = first.failed[0].2 else {
        panic!("{first:?}");
    };
    assert!(run_at >= now, "retried later, not before");
    let later = run_at.checked_add(SignedDuration::from_secs(1)).unwrap();
    let second = run_due_with(&core, &r, later).await.unwrap();
    assert_eq!(
        second.failed,
        vec![(id, "test.fail".into(), FailedJob::Dead)]
    );

    let admin = staff(AgentRole::Admin);
    let dead = jobs::list_dead(&core, &admin, 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].id, id);
    assert_eq!(
        dead[0].last_error.as_deref(),
        Some("the partner API is down")
    );
    assert_eq!(jobs::counts(&core, &admin).await.unwrap().dead, 1);
    let refused = jobs::list_dead(&core, &staff(AgentRole::Supervisor), 10).await;
    assert_eq!(refused.unwrap_err().code, ErrorCode::Forbidden);

    jobs::retry_dead(&core, &admin, id).await.unwrap();
    assert!(jobs::list_dead(&core, &admin, 10).await.unwrap().is_empty());
    assert_eq!(jobs::counts(&core, &admin).await.unwrap().pending, 1);
    let again = jobs::retry_dead(&core, &admin, id).await.unwrap_err();
    assert_eq!(
        again.code,
        ErrorCode::NotFound,
        "only a dead job is retried"
    );
    let live = jobs::discard_dead(&core, &admin, id).await.unwrap_err();
    assert_eq!(
        live.code,
        ErrorCode::NotFound,
        "only a dead job is discarded"
    );
}

#[tokio::test]
async fn a_stop_lets_nothing_new_start_and_gives_back_what_is_still_held() {
    let (_db, core) = common::sqlite_node().await;
    let (switch, stop) = Stop::new();
    let task = tokio::spawn(runner::run(
        core.clone(),
        Arc::new(registry(Arc::new(AtomicUsize::new(0)))),
        fast(),
        stop,
    ));
    let id = enqueue(&core, "test.hang").await;
    until("the job is claimed", async || {
        core.store
            .job(id)
            .await
            .unwrap()
            .is_some_and(|j| j.leased_by.is_some())
    })
    .await;
    switch.send(true).unwrap();
    task.await.unwrap();
    let job = core.store.job(id).await.unwrap().unwrap();
    assert_eq!(job.leased_by, None, "released");
    assert_eq!(job.attempts, 0, "a release does not count the attempt");
}

#[tokio::test]
async fn a_job_claimed_by_a_node_that_died_runs_once_on_another_after_the_lease() {
    let Some((_db, a, b)) = common::postgres_nodes().await else {
        return;
    };
    let count = Arc::new(AtomicUsize::new(0));
    let r = registry(count.clone());
    let id = enqueue(&a, "test.count").await;
    // Node A claims with a short lease and dies without a word.
    let now = Timestamp::now();
    let held = a
        .store
        .claim_jobs("node-a", None, now, Duration::from_secs(2), 10)
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    let early = run_due_with(&b, &r, now).await.unwrap();
    assert!(early.completed.is_empty(), "not while A's lease holds");
    let after = now.checked_add(SignedDuration::from_secs(3)).unwrap();
    let taken = run_due_with(&b, &r, after).await.unwrap();
    assert_eq!(taken.completed, vec![(id, "test.count".into())]);
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert!(
        !a.store.complete_job(id, "node-a").await.unwrap(),
        "A's claim is gone"
    );
    let again = run_due_with(&a, &r, after).await.unwrap();
    assert!(again.completed.is_empty());
    assert_eq!(count.load(Ordering::SeqCst), 1, "once");
}
