//! The job runner: one loop per node claims due jobs of the kinds it knows, runs each in
//! its own task with a bound on how many run at once, and records the outcome — done
//! (deleted), failed (retried after an exponential backoff with full jitter,
//! [`kefu_store::retry_delay`]) or dead (out of attempts, or [`JobError::Permanent`]).
//!
//! - A handler that panics or overruns [`RunnerConfig::timeout`] counts as a failed
//!   attempt; the runner goes on.
//! - Claims are leases ([`RunnerConfig::lease`], longer than the timeout): a node that
//!   dies mid-job loses its claim when the lease runs out and another node takes the job.
//! - When idle, the runner polls with a growing pause (from `idle_min` to `idle_max`) and
//!   is woken at once by a job enqueued on this node (`Core::jobs_enqueued`).
//! - On the stop signal it claims nothing more, lets in-flight jobs finish (at most
//!   `stop_grace`, then aborts them) and releases whatever it still holds, without counting
//!   the attempt.
//!
//! Handlers must be idempotent: a job can run again after a lost lease or an abort.

use crate::core::Core;
use crate::workers::Stop;
use jiff::{SignedDuration, Timestamp};
use kefu_store::{FailedJob, Job, JobId, StoreError, StoreResult, retry_delay};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Why a job did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt later (the database was away, a dependency failed).
    #[error("{0}")]
    Retry(String),
    /// Will never succeed (a malformed payload): dead at once.
    #[error("{0}")]
    Permanent(String),
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> Self {
        Self::Retry(e.to_string())
    }
}

impl From<crate::ServiceError> for JobError {
    fn from(e: crate::ServiceError) -> Self {
        Self::Retry(format!("{}: {}", e.code.as_str(), e.detail))
    }
}

/// What a handler returns.
pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>;
type Handler = Arc<dyn Fn(Arc<Core>, Job) -> HandlerFuture + Send + Sync>;

/// The kinds a runner knows, each with its handler.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<String, Handler>,
}

impl Registry {
    /// Adds (or replaces) the handler of `kind`.
    pub fn register<F, Fut>(&mut self, kind: &str, handler: F)
    where
        F: Fn(Arc<Core>, Job) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |core, job| Box::pin(handler(core, job)));
        self.handlers.insert(kind.to_owned(), handler);
    }

    /// The kinds registered, sorted.
    pub fn kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self.handlers.keys().cloned().collect();
        kinds.sort();
        kinds
    }
}

/// How a runner claims, runs and retries.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// Jobs run at once on this node.
    pub concurrency: usize,
    /// How long a claim holds; must exceed `timeout`.
    pub lease: Duration,
    /// The longest a handler may run before the attempt counts as failed.
    pub timeout: Duration,
    pub idle_min: Duration,
    pub idle_max: Duration,
    /// Backoff of retries: the ceiling starts at `retry_base` and doubles up to `retry_cap`.
    pub retry_base: Duration,
    pub retry_cap: Duration,
    /// How long in-flight jobs may take to finish after the stop signal.
    pub stop_grace: Duration,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        Self {
            concurrency: 4,
            lease: Duration::from_secs(300),
            timeout: Duration::from_secs(120),
            idle_min: Duration::from_millis(200),
            idle_max: Duration::from_secs(5),
            retry_base: Duration::from_secs(5),
            retry_cap: Duration::from_secs(3600),
            stop_grace: Duration::from_secs(20),
        }
    }
}

/// What running a batch of jobs did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    pub completed: Vec<(JobId, String)>,
    pub failed: Vec<(JobId, String, FailedJob)>,
}

/// Runs jobs until stopped (see the module header).
pub async fn run(core: Arc<Core>, registry: Arc<Registry>, config: RunnerConfig, mut stop: Stop) {
    let node = core.node_id.clone();
    let kinds = registry.kinds();
    let permits = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let mut inflight: JoinSet<()> = JoinSet::new();
    let mut idle = config.idle_min;
    tracing::info!(node = %node, kinds = ?kinds, "job runner started");
    while !stop.is_stopped() {
        while inflight.try_join_next().is_some() {}
        let free = permits.available_permits();
        if free == 0 {
            tokio::select! {
                _ = inflight.join_next() => {}
                () = stop.stopped() => break,
            }
            continue;
        }
        let limit = u32::try_from(free).unwrap_or(u32::MAX);
        let kind_refs: Vec<&str> = kinds.iter().map(String::as_str).collect();
        let claimed = core
            .store
            .claim_jobs(
                &node,
                Some(&kind_refs),
                Timestamp::now(),
                config.lease,
                limit,
            )
            .await;
        match claimed {
            Ok(jobs) if !jobs.is_empty() => {
                idle = config.idle_min;
                for job in jobs {
                    let Ok(permit) = permits.clone().acquire_owned().await else {
                        break;
                    };
                    let (core, registry, config, node) =
                        (core.clone(), registry.clone(), config.clone(), node.clone());
                    inflight.spawn(async move {
                        execute(&core, &registry, &config, &node, job, Timestamp::now).await;
                        drop(permit);
                    });
                }
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "claiming jobs failed; will retry"),
        }
        tokio::select! {
            () = tokio::time::sleep(idle) => {}
            () = core.jobs_enqueued.notified() => {}
            Some(_) = inflight.join_next(), if !inflight.is_empty() => {}
            () = stop.stopped() => break,
        }
        idle = (idle * 2).min(config.idle_max);
    }
    let drained = tokio::time::timeout(config.stop_grace, async {
        while inflight.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(node = %node, "in-flight jobs did not finish in time; aborted");
        inflight.shutdown().await;
    }
    match core.store.release_jobs(&node).await {
        Ok(n) => tracing::info!(node = %node, released = n, "job runner stopped"),
        Err(e) => {
            tracing::warn!(node = %node, error = %e, "releasing jobs failed; their leases will expire")
        }
    }
}

/// Claims the jobs due at `now` (one round: each at most once) and runs them one after
/// another with the default kinds ([`super::kinds::registry`]).
///
/// A test and maintenance hook: a test drives the lifecycle jobs deterministically by
/// passing a `now` in the future instead of sleeping. Retries are scheduled from `now`.
pub async fn run_due(core: &Arc<Core>, now: Timestamp) -> StoreResult<RunReport> {
    run_due_with(core, &super::kinds::registry(), now).await
}

/// [`run_due`] with the given kinds.
pub async fn run_due_with(
    core: &Arc<Core>,
    registry: &Registry,
    now: Timestamp,
) -> StoreResult<RunReport> {
    let node = format!("{}-due-{}", core.node_id, uuid::Uuid::new_v4().simple());
    let config = RunnerConfig::default();
    let kinds = registry.kinds();
    let kind_refs: Vec<&str> = kinds.iter().map(String::as_str).collect();
    let jobs = core
        .store
        .claim_jobs(&node, Some(&kind_refs), now, config.lease, 1000)
        .await?;
    let mut report = RunReport::default();
    for job in jobs {
        let (id, kind) = (job.id, job.kind.clone());
        match execute(core, registry, &config, &node, job, || now).await {
            None => report.completed.push((id, kind)),
            Some(failed) => report.failed.push((id, kind, failed)),
        }
    }
    Ok(report)
}

/// Runs one claimed job and records the outcome; `None` when it completed.
async fn execute(
    core: &Arc<Core>,
    registry: &Registry,
    config: &RunnerConfig,
    node: &str,
    job: Job,
    now: impl Fn() -> Timestamp,
) -> Option<FailedJob> {
    let (id, kind, attempts, max) = (job.id, job.kind.clone(), job.attempts, job.max_attempts);
    let outcome = match registry.handlers.get(&kind) {
        None => Err(JobError::Permanent(format!(
            "no handler for job kind {kind:?}"
        ))),
        Some(handler) => {
            let mut task = tokio::spawn(handler(core.clone(), job));
            match tokio::time::timeout(config.timeout, &mut task).await {
                Ok(Ok(result)) => result,
                Ok(Err(e)) if e.is_panic() => Err(JobError::Retry(format!(
                    "the handler panicked: {}",
                    crate::workers::panic_message(e.into_panic())
                ))),
                Ok(Err(_)) => Err(JobError::Retry("the handler was cancelled".into())),
                Err(_) => {
                    task.abort();
                    Err(JobError::Retry(format!(
                        "the handler ran longer than {} s",
                        config.timeout.as_secs()
                    )))
                }
            }
        }
    };
    let error = match outcome {
        Ok(()) => {
            match core.store.complete_job(id, node).await {
                Ok(true) => tracing::debug!(job.id = id.0, job.kind = %kind, "job done"),
                Ok(false) => {
                    tracing::warn!(job.id = id.0, job.kind = %kind, "job done, but its lease was lost; it may run again")
                }
                Err(e) => {
                    tracing::warn!(job.id = id.0, error = %e, "recording a done job failed; it may run again")
                }
            }
            return None;
        }
        Err(e) => e,
    };
    let at = now();
    let retry_at = match &error {
        JobError::Permanent(_) => None,
        JobError::Retry(_) if attempts >= max => None,
        JobError::Retry(_) => {
            let delay = retry_delay(
                attempts,
                config.retry_base,
                config.retry_cap,
                rand::random(),
            );
            SignedDuration::try_from(delay)
                .ok()
                .and_then(|d| at.checked_add(d).ok())
        }
    };
    match core
        .store
        .fail_job(id, node, &error.to_string(), at, retry_at)
        .await
    {
        Ok(failed) => {
            match failed {
                FailedJob::Dead => {
                    tracing::error!(job.id = id.0, job.kind = %kind, attempts, error = %error, "job failed for good; dead-lettered")
                }
                FailedJob::Retrying { run_at } => {
                    tracing::warn!(job.id = id.0, job.kind = %kind, attempts, error = %error, retry_at = %run_at, "job failed; will retry")
                }
                FailedJob::LeaseLost => {
                    tracing::warn!(job.id = id.0, job.kind = %kind, error = %error, "job failed after its lease was lost")
                }
            }
            Some(failed)
        }
        Err(e) => {
            tracing::warn!(job.id = id.0, error = %e, "recording a failed job failed; its lease will expire");
            Some(FailedJob::LeaseLost)
        }
    }
}
