//! Durable background work: jobs written with the change that causes them (the store's
//! transactional outbox), run by one runner per node ([`runner`]) with retries, backoff and
//! dead letters, and listed for admins here.
//!
//! Kinds and their handlers are in [`kinds`]. SLA timers are not jobs: they stay in their
//! own table, because each is one step of a per-ticket state machine (the `SlaTracker`)
//! rescheduled in the same transaction as the tracker's state, and claimed and applied by
//! the store in one transaction; jobs are for work that runs after a commit and may fail.

pub mod close;
pub mod kinds;
pub mod runner;

use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use jiff::Timestamp;
use kefu_domain::AgentRole;
use kefu_store::{Job, JobCounts, JobId, NewJob, StoreError};

pub use runner::{JobError, Registry, RunReport, RunnerConfig, run_due};

/// The most dead jobs one listing returns.
pub const LIST_MAX: u32 = 500;

/// Enqueues a job on its own (not with a ticket change) and wakes this node's runner.
pub async fn enqueue(core: &Core, job: NewJob) -> ServiceResult<JobId> {
    let id = core.store.enqueue_job(job, Timestamp::now()).await?;
    core.jobs_enqueued();
    Ok(id)
}

/// Dead jobs, most recently dead first (admins).
pub async fn list_dead(core: &Core, caller: &Caller, limit: u32) -> ServiceResult<Vec<Job>> {
    caller.require(AgentRole::Admin)?;
    Ok(core.store.dead_jobs(limit.clamp(1, LIST_MAX)).await?)
}

/// Queues a dead job again, with fresh attempts (admins).
pub async fn retry_dead(core: &Core, caller: &Caller, id: JobId) -> ServiceResult<()> {
    caller.require(AgentRole::Admin)?;
    let done = core.store.retry_dead_job(id, Timestamp::now()).await;
    settled(core, caller, id, "job.retried", done).await?;
    core.jobs_enqueued();
    Ok(())
}

/// Deletes a dead job for good: one that can never succeed (admins).
pub async fn discard_dead(core: &Core, caller: &Caller, id: JobId) -> ServiceResult<()> {
    caller.require(AgentRole::Admin)?;
    let done = core.store.discard_dead_job(id).await;
    settled(core, caller, id, "job.discarded", done).await
}

/// The audit row and log line of an admin's decision about a dead job, or why it failed.
async fn settled(
    core: &Core,
    caller: &Caller,
    id: JobId,
    action: &str,
    done: Result<(), StoreError>,
) -> ServiceResult<()> {
    match done {
        Ok(()) => {
            tracing::info!(job.id = id.0, action, actor = ?caller.actor(), "dead job settled");
            let subject = Some(format!("job:{}", id.0));
            let row = crate::audit::entry(caller, action, subject, serde_json::json!({}));
            crate::audit::record(core, row).await;
            Ok(())
        }
        Err(StoreError::NotFound) => Err(ServiceError::new(
            ErrorCode::NotFound,
            format!("No dead job {}.", id.0),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Jobs by state (admins).
pub async fn counts(core: &Core, caller: &Caller) -> ServiceResult<JobCounts> {
    caller.require(AgentRole::Admin)?;
    Ok(core.store.job_counts(Timestamp::now()).await?)
}
