//! Durable jobs: what callers enqueue, what a claimer gets back, and the retry policy.
//!
//! A job is a row of `jobs` (migration `0005_jobs`). It is *pending* (no lease, or an
//! expired one: a node that died mid-run loses its claim when the lease runs out),
//! *leased* (a node works on it until `lease_until`) or *dead* (out of attempts or given up;
//! listed for admins, who may queue it again). A completed job is deleted.
//!
//! - Claiming counts an attempt, so a job that kills its node is not retried forever;
//!   [`crate::Store::release_jobs`] gives claims back without counting one (graceful stop).
//! - Jobs with the same [`NewJob::ordering_key`] run one at a time in id (enqueue) order:
//!   a later one is not claimed while an earlier one is pending or leased — even one waiting
//!   for its retry. A dead one no longer holds the others back.
//! - A [`NewJob::dedupe_key`] is unique among outstanding (pending, leased, dead) jobs:
//!   enqueuing it again returns the job already there. Once that job completes (and is
//!   deleted), the key is free again.
//!
//! The transactional outbox: the `*_with_jobs` store methods write their jobs in the same
//! transaction as the ticket change, so a job exists if and only if its change committed.

use jiff::Timestamp;
use kefu_domain::TicketId;
use std::time::Duration;

/// A job's id: increasing in enqueue order, never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JobId(pub i64);

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// What the runner does with it (`notify.survey`, `ticket.auto_close` …).
    pub kind: String,
    pub payload: serde_json::Value,
    /// Not claimed before this time.
    pub run_at: Timestamp,
    /// Claims (attempts) before it is dead; at least 1.
    pub max_attempts: u32,
    /// At most one outstanding job per key (see the module header).
    pub dedupe_key: Option<String>,
    /// Jobs with the same key run one at a time in enqueue order (e.g. `ticket:42`).
    pub ordering_key: Option<String>,
}

impl NewJob {
    /// Attempts a job gets unless told otherwise.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 10;

    /// This job for the ticket `id`, written with the ticket's intake (see
    /// [`crate::NewTicket::jobs`]): `"ticket": id` in the payload object, `{ticket}` in the
    /// keys replaced by the id.
    pub fn for_ticket(mut self, id: TicketId) -> Self {
        if let Some(payload) = self.payload.as_object_mut() {
            payload.insert("ticket".into(), id.0.into());
        }
        let fill = |key: Option<String>| key.map(|k| k.replace("{ticket}", &id.0.to_string()));
        self.dedupe_key = fill(self.dedupe_key.take());
        self.ordering_key = fill(self.ordering_key.take());
        self
    }

    /// A job of `kind` due at `run_at`, with the default attempts and no keys.
    pub fn new(kind: impl Into<String>, payload: serde_json::Value, run_at: Timestamp) -> Self {
        Self {
            kind: kind.into(),
            payload,
            run_at,
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            dedupe_key: None,
            ordering_key: None,
        }
    }

    /// Runs after earlier jobs with the same key, one at a time.
    #[must_use]
    pub fn ordered_by(mut self, key: impl Into<String>) -> Self {
        self.ordering_key = Some(key.into());
        self
    }

    /// Not enqueued twice while a job with this key is outstanding.
    #[must_use]
    pub fn deduped_by(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }

    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }
}

/// A stored job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: JobId,
    pub kind: String,
    pub payload: serde_json::Value,
    pub ordering_key: Option<String>,
    pub dedupe_key: Option<String>,
    pub run_at: Timestamp,
    /// Claims so far, this one included for a claimed job.
    pub attempts: u32,
    pub max_attempts: u32,
    pub leased_by: Option<String>,
    pub lease_until: Option<Timestamp>,
    pub last_error: Option<String>,
    pub dead_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// What [`crate::Store::fail_job`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedJob {
    /// Claimable again from `run_at`.
    Retrying { run_at: Timestamp },
    /// Out of attempts (or not to be retried): listed among the dead jobs.
    Dead,
    /// The node no longer holds the job (its lease expired and another node took it, or
    /// it is gone): nothing was changed.
    LeaseLost,
}

/// Jobs by state, for metrics and health.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    /// Not dead and not under a live lease (due now or later).
    pub pending: u64,
    /// Of the pending ones, those due now.
    pub due: u64,
    /// Under a live lease.
    pub leased: u64,
    pub dead: u64,
}

/// The delay before retry number `attempt` (1 for the retry after the first failure):
/// exponential backoff with full jitter, `rand_0_1 × min(cap, base × 2^(attempt − 1))`.
///
/// Full jitter spreads the retries of jobs that failed together (an outage) over the whole
/// window instead of sending them back in a herd. `rand_0_1` is a uniform draw in [0, 1]
/// (out-of-range values are clamped, NaN counts as 1); the caller draws it, so this stays
/// pure and testable.
pub fn retry_delay(attempt: u32, base: Duration, cap: Duration, rand_0_1: f64) -> Duration {
    let ceiling = 2u32
        .checked_pow(attempt.saturating_sub(1))
        .and_then(|factor| base.checked_mul(factor))
        .map_or(cap, |d| d.min(cap));
    let r = if rand_0_1.is_nan() {
        1.0
    } else {
        rand_0_1.clamp(0.0, 1.0)
    };
    Duration::try_from_secs_f64(ceiling.as_secs_f64() * r)
        .unwrap_or(ceiling)
        .min(ceiling)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: Duration = Duration::from_secs(2);
    const CAP: Duration = Duration::from_secs(600);

    #[test]
    fn the_ceiling_doubles_with_each_attempt_until_the_cap() {
        let ceilings: Vec<u64> = (1..=10)
            .map(|a| retry_delay(a, BASE, CAP, 1.0).as_secs())
            .collect();
        assert_eq!(ceilings, [2, 4, 8, 16, 32, 64, 128, 256, 512, 600]);
    }

    #[test]
    fn full_jitter_spreads_the_delay_between_zero_and_the_ceiling() {
        assert_eq!(retry_delay(3, BASE, CAP, 0.0), Duration::ZERO);
        assert_eq!(retry_delay(3, BASE, CAP, 0.5), Duration::from_secs(4));
        for i in 0..=100 {
            let d = retry_delay(4, BASE, CAP, f64::from(i) / 100.0);
            assert!(d <= Duration::from_secs(16), "{d:?}");
        }
    }

    #[test]
    fn huge_attempts_and_odd_draws_stay_within_the_cap_without_panicking() {
        for attempt in [0, 1, 31, 32, 33, 64, u32::MAX] {
            for r in [f64::NAN, -1.0, 0.3, 2.0, f64::INFINITY, f64::NEG_INFINITY] {
                assert!(retry_delay(attempt, BASE, CAP, r) <= CAP);
            }
        }
        assert_eq!(retry_delay(u32::MAX, BASE, CAP, f64::NAN), CAP);
        assert_eq!(
            retry_delay(0, BASE, CAP, 1.0),
            BASE,
            "attempt 0 counts as 1"
        );
        let max = Duration::MAX;
        assert!(retry_delay(5, max, max, 1.0) <= max);
    }
}
