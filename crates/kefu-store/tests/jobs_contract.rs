//! Durable jobs over `Arc<dyn Store>`: claims, leases, retries, dead letters, ordering and
//! dedupe keys, and the outbox (jobs written with a ticket change). Run on SQLite always and
//! on PostgreSQL when `KEFU_TEST_POSTGRES_URL` is set, where two stores on one database
//! also race for the same jobs as two nodes would.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]
use kefu_domain::*;
use kefu_store::testing::TestDatabase;
use kefu_store::*;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

mod common;
use common::{at, new_ticket};

const LEASE: Duration = Duration::from_secs(30);

/// Each check uses its own job kind, so the checks sharing one database stay apart.
fn job(kind: &str, run_at: i64) -> NewJob {
    NewJob::new(kind, serde_json::json!({"n": run_at}), at(run_at))
}

async fn claim(store: &Arc<dyn Store>, node: &str, kind: &str, now: i64) -> Vec<Job> {
    store
        .claim_jobs(node, Some(&[kind]), at(now), LEASE, 10)
        .await
        .unwrap()
}

async fn suite(store: Arc<dyn Store>) {
    a_job_is_claimed_once_and_completed(&store).await;
    a_job_is_not_claimed_before_it_is_due_or_by_another_kind(&store).await;
    an_expired_lease_passes_the_job_on_and_the_late_node_is_refused(&store).await;
    a_failed_job_waits_for_its_retry_time(&store).await;
    a_job_out_of_attempts_is_dead_listed_and_retried_by_an_admin(&store).await;
    a_job_whose_node_died_on_its_last_attempt_is_dead(&store).await;
    released_jobs_go_back_without_using_an_attempt(&store).await;
    jobs_of_one_ordering_key_run_one_at_a_time_in_order(&store).await;
    a_dedupe_key_enqueues_once_while_outstanding(&store).await;
    outbox_jobs_are_written_iff_the_ticket_change_commits(&store).await;
    intake_jobs_are_written_with_the_new_tickets_id_and_not_on_a_replay(&store).await;
    counts_follow_the_states(&store).await;
    a_dead_job_is_discarded_for_good_and_only_a_dead_one(&store).await;
}

async fn a_job_is_claimed_once_and_completed(store: &Arc<dyn Store>) {
    let id = store.enqueue_job(job("basic", 0), at(0)).await.unwrap();
    let claimed = claim(store, "n1", "basic", 1).await;
    assert_eq!(claimed.len(), 1);
    let j = &claimed[0];
    assert_eq!((j.id, j.kind.as_str(), j.attempts), (id, "basic", 1));
    assert_eq!(j.payload, serde_json::json!({"n": 0}));
    assert_eq!(j.leased_by.as_deref(), Some("n1"));
    assert_eq!(j.lease_until, Some(at(31)));
    assert!(claim(store, "n2", "basic", 2).await.is_empty(), "leased");
    assert!(!store.complete_job(id, "n2").await.unwrap(), "not n2's");
    assert!(store.complete_job(id, "n1").await.unwrap());
    assert_eq!(store.job(id).await.unwrap(), None, "a done job is deleted");
    assert!(!store.complete_job(id, "n1").await.unwrap(), "only once");
}

async fn a_job_is_not_claimed_before_it_is_due_or_by_another_kind(store: &Arc<dyn Store>) {
    let id = store.enqueue_job(job("later", 100), at(0)).await.unwrap();
    assert!(claim(store, "n1", "later", 99).await.is_empty());
    assert!(claim(store, "n1", "other", 100).await.is_empty());
    let none: &[&str] = &[];
    let no_kinds = store.claim_jobs("n1", Some(none), at(100), LEASE, 10).await;
    assert!(no_kinds.unwrap().is_empty());
    assert_eq!(claim(store, "n1", "later", 100).await[0].id, id);
    assert!(store.complete_job(id, "n1").await.unwrap());
}

async fn an_expired_lease_passes_the_job_on_and_the_late_node_is_refused(store: &Arc<dyn Store>) {
    let id = store.enqueue_job(job("lease", 0), at(0)).await.unwrap();
    assert_eq!(claim(store, "n1", "lease", 0).await.len(), 1);
    assert!(
        claim(store, "n2", "lease", 29).await.is_empty(),
        "lease held"
    );
    let taken = claim(store, "n2", "lease", 30).await;
    assert_eq!(taken.len(), 1, "the lease ran out");
    assert_eq!(
        (taken[0].attempts, taken[0].leased_by.as_deref()),
        (2, Some("n2"))
    );
    assert!(!store.complete_job(id, "n1").await.unwrap(), "n1 lost it");
    let late = store.fail_job(id, "n1", "boom", at(31), Some(at(40))).await;
    assert_eq!(late.unwrap(), FailedJob::LeaseLost);
    assert!(store.complete_job(id, "n2").await.unwrap());
}

async fn a_failed_job_waits_for_its_retry_time(store: &Arc<dyn Store>) {
    let id = store.enqueue_job(job("retry", 0), at(0)).await.unwrap();
    claim(store, "n1", "retry", 0).await;
    let failed = store
        .fail_job(id, "n1", "smtp 451", at(1), Some(at(60)))
        .await;
    assert_eq!(failed.unwrap(), FailedJob::Retrying { run_at: at(60) });
    assert!(claim(store, "n1", "retry", 59).await.is_empty());
    let again = claim(store, "n2", "retry", 60).await;
    assert_eq!(again[0].attempts, 2);
    assert_eq!(again[0].last_error.as_deref(), Some("smtp 451"));
    assert!(store.complete_job(id, "n2").await.unwrap());
}

async fn a_job_out_of_attempts_is_dead_listed_and_retried_by_an_admin(store: &Arc<dyn Store>) {
    let id = store
        .enqueue_job(job("dies", 0).with_max_attempts(2), at(0))
        .await
        .unwrap();
    claim(store, "n1", "dies", 0).await;
    let first = store.fail_job(id, "n1", "one", at(1), Some(at(2))).await;
    assert!(matches!(first.unwrap(), FailedJob::Retrying { .. }));
    claim(store, "n1", "dies", 2).await;
    let second = store.fail_job(id, "n1", "two", at(3), Some(at(4))).await;
    assert_eq!(second.unwrap(), FailedJob::Dead);
    assert!(claim(store, "n1", "dies", 1000).await.is_empty(), "dead");
    let dead = store.dead_jobs(100).await.unwrap();
    let listed = dead.iter().find(|j| j.id == id).unwrap();
    assert_eq!(listed.dead_at, Some(at(3)));
    assert_eq!(listed.last_error.as_deref(), Some("two"));
    store.retry_dead_job(id, at(10)).await.unwrap();
    let revived = claim(store, "n1", "dies", 10).await;
    assert_eq!((revived[0].id, revived[0].attempts), (id, 1));
    let not_dead = store.retry_dead_job(id, at(11)).await;
    assert!(
        matches!(not_dead, Err(StoreError::NotFound)),
        "{not_dead:?}"
    );
    // No retry time: dead at once, whatever attempts are left.
    let given_up = store.fail_job(id, "n1", "bad payload", at(12), None).await;
    assert_eq!(given_up.unwrap(), FailedJob::Dead);
    store.retry_dead_job(id, at(13)).await.unwrap();
    claim(store, "n1", "dies", 13).await;
    assert!(store.complete_job(id, "n1").await.unwrap());
}

async fn a_dead_job_is_discarded_for_good_and_only_a_dead_one(store: &Arc<dyn Store>) {
    let id = store
        .enqueue_job(job("discarded", 0).with_max_attempts(1), at(0))
        .await
        .unwrap();
    let alive = store.discard_dead_job(id).await;
    assert!(matches!(alive, Err(StoreError::NotFound)), "{alive:?}");
    claim(store, "n1", "discarded", 0).await;
    let failed = store.fail_job(id, "n1", "bad", at(1), None).await;
    assert_eq!(failed.unwrap(), FailedJob::Dead);
    store.discard_dead_job(id).await.unwrap();
    assert!(store.job(id).await.unwrap().is_none());
    assert!(
        store
            .dead_jobs(500)
            .await
            .unwrap()
            .iter()
            .all(|j| j.id != id)
    );
    let again = store.discard_dead_job(id).await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
}

async fn a_job_whose_node_died_on_its_last_attempt_is_dead(store: &Arc<dyn Store>) {
    let id = store
        .enqueue_job(job("poison", 0).with_max_attempts(1), at(0))
        .await
        .unwrap();
    assert_eq!(claim(store, "n1", "poison", 0).await.len(), 1);
    // n1 was killed; its lease runs out.
    assert!(claim(store, "n2", "poison", 31).await.is_empty());
    let j = store.job(id).await.unwrap().unwrap();
    assert_eq!(j.dead_at, Some(at(31)));
    assert!(j.last_error.unwrap().contains("lease"));
    store.retry_dead_job(id, at(32)).await.unwrap();
    claim(store, "n2", "poison", 32).await;
    assert!(store.complete_job(id, "n2").await.unwrap());
}

async fn released_jobs_go_back_without_using_an_attempt(store: &Arc<dyn Store>) {
    let a = store.enqueue_job(job("release", 0), at(0)).await.unwrap();
    let b = store.enqueue_job(job("release", 0), at(0)).await.unwrap();
    assert_eq!(claim(store, "stopping", "release", 0).await.len(), 2);
    assert_eq!(store.release_jobs("stopping").await.unwrap(), 2);
    let taken = claim(store, "n2", "release", 1).await;
    let ids: Vec<JobId> = taken.iter().map(|j| j.id).collect();
    assert_eq!(ids, [a, b]);
    assert!(taken.iter().all(|j| j.attempts == 1), "{taken:?}");
    for id in ids {
        assert!(store.complete_job(id, "n2").await.unwrap());
    }
}

async fn jobs_of_one_ordering_key_run_one_at_a_time_in_order(store: &Arc<dyn Store>) {
    let kind = "ordered";
    let a1 = store
        .enqueue_job(job(kind, 0).ordered_by("ticket:1"), at(0))
        .await
        .unwrap();
    let a2 = store
        .enqueue_job(job(kind, 0).ordered_by("ticket:1"), at(0))
        .await
        .unwrap();
    let b1 = store
        .enqueue_job(job(kind, 0).ordered_by("ticket:2"), at(0))
        .await
        .unwrap();
    let free = store.enqueue_job(job(kind, 0), at(0)).await.unwrap();
    // Leases longer than the test, so only what it does frees a job.
    let claim = |now: i64| async move {
        let jobs = store
            .claim_jobs("n1", Some(&[kind]), at(now), Duration::from_secs(1000), 10)
            .await
            .unwrap();
        jobs.into_iter().map(|j| j.id).collect::<Vec<_>>()
    };
    assert_eq!(claim(0).await, [a1, b1, free]);
    // a1 waits for a retry: a2 still waits behind it.
    store
        .fail_job(a1, "n1", "later", at(1), Some(at(50)))
        .await
        .unwrap();
    assert!(claim(10).await.is_empty());
    assert_eq!(claim(50).await, [a1]);
    assert!(store.complete_job(a1, "n1").await.unwrap());
    assert_eq!(claim(51).await, [a2]);
    // A dead job holds nobody back.
    let b2 = store
        .enqueue_job(job(kind, 0).ordered_by("ticket:2"), at(0))
        .await
        .unwrap();
    assert!(claim(52).await.is_empty(), "b1 leased");
    store
        .fail_job(b1, "n1", "gone", at(53), None)
        .await
        .unwrap();
    assert_eq!(claim(53).await, [b2]);
    for id in [a2, free, b2] {
        assert!(store.complete_job(id, "n1").await.unwrap());
    }
}

async fn a_dedupe_key_enqueues_once_while_outstanding(store: &Arc<dyn Store>) {
    let survey = || job("dedupe", 0).deduped_by("survey:ticket:9");
    let first = store.enqueue_job(survey(), at(0)).await.unwrap();
    assert_eq!(store.enqueue_job(survey(), at(1)).await.unwrap(), first);
    claim(store, "n1", "dedupe", 2).await;
    assert_eq!(store.enqueue_job(survey(), at(2)).await.unwrap(), first);
    assert!(store.complete_job(first, "n1").await.unwrap());
    let second = store.enqueue_job(survey(), at(3)).await.unwrap();
    assert!(second > first, "a done job's key is free again");
    claim(store, "n1", "dedupe", 3).await;
    assert!(store.complete_job(second, "n1").await.unwrap());
}

async fn outbox_jobs_are_written_iff_the_ticket_change_commits(store: &Arc<dyn Store>) {
    let t = store
        .open_ticket(new_ticket("outbox", None))
        .await
        .unwrap()
        .ticket;
    let survey = |n: i64| {
        NewJob::new(
            "outbox",
            serde_json::json!({"ticket": t.id.0, "n": n}),
            at(0),
        )
        .ordered_by(format!("ticket:{}", t.id.0))
    };
    let change = |to: TicketStatus, sec: i64| StatusChange {
        ticket_id: t.id,
        to,
        actor: Actor::System,
        reason: None,
        at: at(sec),
    };
    let illegal = store
        .change_status_with_jobs(change(TicketStatus::Closed, 1), vec![survey(1)])
        .await;
    assert!(
        matches!(
            illegal,
            Err(StoreError::Conflict(Conflict::IllegalTransition(_)))
        ),
        "{illegal:?}"
    );
    assert!(claim(store, "n1", "outbox", 1).await.is_empty(), "no job");
    let resolved = store
        .change_status_with_jobs(
            change(TicketStatus::Resolved, 2),
            vec![survey(2), survey(3)],
        )
        .await
        .unwrap();
    assert_eq!(resolved.status, TicketStatus::Resolved);
    let jobs = claim(store, "n1", "outbox", 2).await;
    assert_eq!(jobs.len(), 1, "one at a time per ticket");
    assert_eq!(jobs[0].payload["n"], 2);
    assert_eq!(jobs[0].created_at, at(2));
    assert!(store.complete_job(jobs[0].id, "n1").await.unwrap());
    let next = claim(store, "n1", "outbox", 3).await;
    assert_eq!(next[0].payload["n"], 3);
    assert!(store.complete_job(next[0].id, "n1").await.unwrap());

    store
        .change_status(change(TicketStatus::Closed, 4))
        .await
        .unwrap();
    let message = NewMessage {
        ticket_id: t.id,
        kind: MessageKind::Customer,
        actor: Actor::Customer,
        author_agent: None,
        body: "还在吗".into(),
        attachments: vec![],
        then_status: None,
        at: at(5),
    };
    let closed = store.add_message_with_jobs(message, vec![survey(5)]).await;
    assert!(closed.is_err(), "closed tickets take no messages");
    assert!(claim(store, "n1", "outbox", 5).await.is_empty(), "no job");
}

async fn intake_jobs_are_written_with_the_new_tickets_id_and_not_on_a_replay(
    store: &Arc<dyn Store>,
) {
    let confirm = || {
        NewJob::new("intake", serde_json::json!({"turn": 0}), at(10))
            .deduped_by("intake:{ticket}:0")
            .ordered_by("ticket:{ticket}")
    };
    let mut new = new_ticket("intake-jobs", Some(("intake-jobs-1", "f1")));
    new.jobs = vec![confirm()];
    let opened = store.open_ticket(new.clone()).await.unwrap();
    let jobs = claim(store, "n1", "intake", 10).await;
    assert_eq!(jobs.len(), 1);
    let id = opened.ticket.id.0;
    assert_eq!(
        jobs[0].payload,
        serde_json::json!({"turn": 0, "ticket": id})
    );
    assert_eq!(jobs[0].dedupe_key, Some(format!("intake:{id}:0")));
    assert_eq!(jobs[0].ordering_key, Some(format!("ticket:{id}")));
    assert!(store.complete_job(jobs[0].id, "n1").await.unwrap());

    let replay = store.open_ticket(new).await.unwrap();
    assert!(replay.replayed);
    assert!(
        claim(store, "n1", "intake", 10).await.is_empty(),
        "a replayed intake writes no job"
    );
    let mut reused = new_ticket("intake-jobs", Some(("intake-jobs-1", "another body")));
    reused.jobs = vec![confirm()];
    assert!(store.open_ticket(reused).await.is_err());
    assert!(
        claim(store, "n1", "intake", 10).await.is_empty(),
        "a refused intake writes no job"
    );
}

async fn counts_follow_the_states(store: &Arc<dyn Store>) {
    let base = store.job_counts(at(1000)).await.unwrap();
    // One waits, one is due again after a failure, one stays leased, one dies.
    store
        .enqueue_job(job("count", 2000), at(1000))
        .await
        .unwrap();
    let due = store
        .enqueue_job(job("count", 1000), at(1000))
        .await
        .unwrap();
    store
        .enqueue_job(job("count", 1000), at(1000))
        .await
        .unwrap();
    let dead = store
        .enqueue_job(job("count", 1000), at(1000))
        .await
        .unwrap();
    let got = store
        .claim_jobs("n1", Some(&["count"]), at(1000), LEASE, 3)
        .await
        .unwrap();
    assert_eq!(got.len(), 3);
    store
        .fail_job(dead, "n1", "x", at(1000), None)
        .await
        .unwrap();
    store
        .fail_job(due, "n1", "x", at(1000), Some(at(1000)))
        .await
        .unwrap();
    let now = store.job_counts(at(1000)).await.unwrap();
    assert_eq!(now.pending - base.pending, 2, "{now:?}");
    assert_eq!(now.due - base.due, 1);
    assert_eq!(now.leased - base.leased, 1);
    assert_eq!(now.dead - base.dead, 1);
}

/// Two nodes (stores on one database) and several claimers each: every job is run once.
async fn concurrent_claimers_never_share_a_job(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    for i in 0..200 {
        a.enqueue_job(job("race", i % 7), at(0)).await.unwrap();
    }
    let mut tasks = vec![];
    for claimer in 0..8 {
        let store = if claimer % 2 == 0 {
            a.clone()
        } else {
            b.clone()
        };
        tasks.push(tokio::spawn(async move {
            let node = format!("node-{claimer}");
            let mut mine = vec![];
            loop {
                let jobs = store
                    .claim_jobs(&node, Some(&["race"]), at(10), LEASE, 5)
                    .await
                    .unwrap();
                if jobs.is_empty() {
                    return mine;
                }
                for j in jobs {
                    assert!(store.complete_job(j.id, &node).await.unwrap());
                    mine.push(j.id);
                }
            }
        }));
    }
    let mut seen = HashSet::new();
    for t in tasks {
        for id in t.await.unwrap() {
            assert!(seen.insert(id), "{id:?} claimed twice");
        }
    }
    assert_eq!(seen.len(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_contract_holds_on_sqlite() {
    let db = TestDatabase::sqlite().await.unwrap();
    suite(db.store.clone()).await;
    concurrent_claimers_never_share_a_job(db.store.clone(), db.store.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(kefu_test_postgres), ignore = "KEFU_TEST_POSTGRES_URL not set")]
async fn jobs_contract_holds_on_postgres() {
    let Some(db) = common::postgres_database("jobs contract").await else {
        return;
    };
    suite(db.store.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(not(kefu_test_postgres), ignore = "KEFU_TEST_POSTGRES_URL not set")]
async fn two_postgres_nodes_never_claim_the_same_job() {
    let Some(db) = common::postgres_database("jobs race").await else {
        return;
    };
    let other = kefu_store::open(&db.url).await.unwrap();
    concurrent_claimers_never_share_a_job(db.store.clone(), other).await;
}
