//! The report rollup worker: every few seconds it folds the new ticket events into the
//! hourly report rollups (`Store::fold_report_events`), a batch per transaction, until it
//! has caught up. The store moves the cursor in the same transaction as the rows it adds,
//! so a crash mid-way or a second node folding at the same time never counts an event
//! twice. Events younger than [`SETTLE`] wait for the next tick: on PostgreSQL an event id
//! can become visible after a higher one, and the cursor must not pass it.

use crate::core::Core;
use jiff::{SignedDuration, Timestamp};
use kefu_store::{RollupStep, StoreError};
use std::time::Duration;

/// How often the worker looks for new events.
pub const PERIOD: Duration = Duration::from_secs(5);
/// How old an event must be before it is folded.
pub const SETTLE: SignedDuration = SignedDuration::from_secs(10);
/// Events per transaction.
pub const BATCH: u32 = 2_000;

/// Folds new events every [`PERIOD`] until stopped.
pub async fn run(state: std::sync::Arc<Core>, mut stop: super::Stop) {
    let mut every = tokio::time::interval(PERIOD);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            () = stop.stopped() => return,
        }
        let settled = Timestamp::now()
            .checked_sub(SETTLE)
            .unwrap_or(Timestamp::MIN);
        if let Err(e) = catch_up(&state, settled, &stop).await {
            tracing::warn!(error = %e, "report rollup step failed; will retry");
        }
    }
}

/// Folds every event up to `settled_before`, a batch at a time (stops early when asked
/// to). Returns how many events were folded.
pub async fn catch_up(
    state: &Core,
    settled_before: Timestamp,
    stop: &super::Stop,
) -> Result<u64, StoreError> {
    let mut total = 0;
    loop {
        let step = RollupStep {
            limit: BATCH,
            settled_before,
        };
        let done = state.store.fold_report_events(step).await?;
        total += done.events;
        if done.events == 0 || stop.is_stopped() {
            break;
        }
    }
    if total > 0 {
        tracing::debug!(events = total, "events folded into the report rollups");
    }
    Ok(total)
}
