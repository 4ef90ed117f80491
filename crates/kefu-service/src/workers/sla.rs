//! The SLA timer worker: every second it claims due timers, which the store marks fired
//! and applies in the same transaction (warning → `sla_warning`; breach → `sla_breached`
//! and what [`sla::breach_policy`] decides: priority raised one step, a note for the lead,
//! requeued when the owner is not present). Each timer fires
//! once, across restarts and nodes (PostgreSQL claims with `FOR UPDATE SKIP LOCKED`).
//! Follow-ups run after the commit: a warning schedules the breach; a requeued ticket is
//! routed again.

use crate::core::Core;
use crate::{routing, sla};
use jiff::Timestamp;
use kefu_store::{FiredTimer, SlaTimerKind, StoreError, TimerOutcome};
use std::time::Duration;

/// Timers claimed per transaction.
const BATCH: u32 = 100;
/// Batches per tick at most, so one tick never runs for long.
const MAX_BATCHES: usize = 20;

/// Polls once a second until stopped.
pub async fn run(state: std::sync::Arc<Core>, mut stop: super::Stop) {
    let node = state.node_id.clone();
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            () = stop.stopped() => return,
        }
        if let Err(e) = tick(&state, &node, Timestamp::now()).await {
            tracing::warn!(error = %e, "SLA timer tick failed; will retry");
        }
    }
}

/// Fires every timer due at `now` (tests pass a `now` in the future).
pub async fn tick(state: &Core, node: &str, now: Timestamp) -> Result<Vec<FiredTimer>, StoreError> {
    let mut all = Vec::new();
    for _ in 0..MAX_BATCHES {
        let policy = sla::breach_policy(state.settings.staff_messages());
        let fired = state
            .store
            .claim_due_timers(now, node, BATCH, policy)
            .await?;
        let done = fired.len() < usize::try_from(BATCH).unwrap_or(usize::MAX);
        for f in &fired {
            if matches!(f.outcome, TimerOutcome::Breached { .. }) {
                crate::gauges::record_breach(&f.target);
            }
            follow_up(state, f).await;
        }
        all.extend(fired);
        if done {
            break;
        }
    }
    if !all.is_empty() {
        tracing::info!(timers = all.len(), node, "SLA timers fired");
    }
    Ok(all)
}

async fn follow_up(state: &Core, f: &FiredTimer) {
    match f.outcome {
        TimerOutcome::Warned if f.kind == SlaTimerKind::Warning => {
            if let Err(e) = sla::after_warning(state, f.ticket_id, &f.target, f.due_at).await {
                tracing::warn!(timer.id = f.id, error = %e, "scheduling the breach timer failed");
            }
        }
        TimerOutcome::Breached { requeued: true, .. } => {
            match state.store.ticket(f.ticket_id).await {
                Ok(t) => routing::settle(state, &t, None).await,
                Err(e) => {
                    tracing::warn!(timer.id = f.id, error = %e, "reading a requeued ticket failed")
                }
            }
        }
        _ => {}
    }
}
