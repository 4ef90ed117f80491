//! Uploads no message ever used are deleted after `unused_ttl` (a day by default), row
//! first and then bytes, so a file is never listed without its bytes; bytes left by a
//! failed delete are only unreachable garbage. Every node may sweep: a row is deleted only
//! while still unbound, and by one node.

use super::StorageError;
use crate::core::Core;
use jiff::{SignedDuration, Timestamp};
use kefu_store::StoreError;
use std::time::Duration;

/// How often the worker sweeps.
pub const PERIOD: Duration = Duration::from_secs(10 * 60);
/// Most files deleted in one sweep.
const BATCH: u32 = 500;

/// Sweeps every [`PERIOD`] until stopped.
pub async fn run(core: std::sync::Arc<Core>, mut stop: crate::workers::Stop) {
    let mut every = tokio::time::interval(PERIOD);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            () = stop.stopped() => return,
        }
        match sweep(&core, Timestamp::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(attachments = n, "unused uploads deleted"),
            Err(e) => tracing::warn!(error = %e, "attachment sweep failed; will retry"),
        }
    }
}

/// Deletes the unused uploads older than the configured time at `now`; how many.
pub async fn sweep(core: &Core, now: Timestamp) -> Result<usize, StoreError> {
    let settings = &core.settings.attachments;
    let ttl = SignedDuration::try_from(settings.unused_ttl).unwrap_or(SignedDuration::MAX);
    let Ok(before) = now.checked_sub(ttl) else {
        return Ok(0);
    };
    let mut deleted = 0;
    for a in core.store.stale_attachments(before, BATCH).await? {
        if !core.store.forget_attachment(&a.id).await? {
            continue;
        }
        deleted += 1;
        if let Err(e @ StorageError::Failed(_)) = settings.storage.delete(&a.storage_key).await {
            tracing::warn!(attachment.id = %a.id, error = %e, "unused upload's bytes not deleted");
        }
    }
    Ok(deleted)
}
