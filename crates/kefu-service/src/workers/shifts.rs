//! The shift worker: once a minute it compares every roster at the previous tick and now.
//! Agents whose shift (or a break) began in between hand their live chats back to the queue
//! with a handover note, and the chats are routed again; agents whose shift began and who
//! are online pull queued work. Agents without a roster are always on shift and untouched.
//! Several nodes may tick at once: a chat is requeued only while still assigned to the
//! agent, so it is handed over once.

use crate::core::Core;
use crate::{roster, routing};
use jiff::{SignedDuration, Timestamp};
use kefu_domain::{Actor, AgentId, AgentPresence};
use kefu_store::StoreError;
use std::time::Duration;

/// How often rosters are checked.
pub const PERIOD: Duration = Duration::from_secs(60);

/// Ticks every [`PERIOD`] until stopped.
pub async fn run(state: std::sync::Arc<Core>, mut stop: super::Stop) {
    let mut every = tokio::time::interval(PERIOD);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last = Timestamp::now()
        .checked_sub(SignedDuration::from_secs(60))
        .unwrap_or_else(|_| Timestamp::now());
    loop {
        tokio::select! {
            _ = every.tick() => {}
            () = stop.stopped() => return,
        }
        let now = Timestamp::now();
        match tick(&state, last, now).await {
            Ok(_) => last = now,
            Err(e) => tracing::warn!(error = %e, "shift tick failed; will retry"),
        }
    }
}

/// What one tick did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ShiftTick {
    /// Agents whose shift ended, with the chats they handed over.
    pub ended: Vec<(AgentId, usize)>,
    /// Agents whose shift began.
    pub began: Vec<AgentId>,
}

/// Applies the shift changes between `from` and `to` (tests pass any two instants).
pub async fn tick(state: &Core, from: Timestamp, to: Timestamp) -> Result<ShiftTick, StoreError> {
    let mut done = ShiftTick::default();
    for r in state.store.rosters().await? {
        let shifts = match roster::AgentShifts::decode(&r) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(agent.id = %r.agent_id, error = %e, "stored roster is unreadable; skipped");
                continue;
            }
        };
        match (shifts.covers(from), shifts.covers(to)) {
            (true, false) => {
                let why = roster::HandOverReason::ShiftEnded;
                let requeued = roster::hand_over(state, r.agent_id, Actor::System, why, to).await?;
                if !requeued.is_empty() {
                    tracing::info!(agent.id = %r.agent_id, tickets = requeued.len(), "shift ended; chats handed over");
                }
                done.ended.push((r.agent_id, requeued.len()));
            }
            (false, true) => {
                done.began.push(r.agent_id);
                if state.store.agent_presence(r.agent_id).await? == AgentPresence::Online
                    && let Err(e) = routing::fill(state, r.agent_id).await
                {
                    tracing::warn!(agent.id = %r.agent_id, error = %e.detail, "filling an agent whose shift began failed");
                }
            }
            _ => {}
        }
    }
    Ok(done)
}
