//! The worker that reads the support mailbox every `poll_interval`: each unseen mail is
//! taken ([`super::inbound::take`]) and then marked `\Seen`. A mail is left unseen, to be
//! read again next time, only when kefu could not store it (`service_unavailable`); a mail
//! kefu cannot use is logged and marked, so one bad mail never blocks the mailbox.
//!
//! On several nodes every node polls; a mail two nodes read at once is taken once (the
//! channel abstraction claims each Message-ID).

use super::imap::Mailbox;
use super::inbound::{Taken, take};
use super::{EmailAdapter, MailServerError};
use crate::core::Core;
use crate::error::ErrorCode;
use crate::workers::Stop;
use std::sync::Arc;

/// Mails taken in one poll at most (the rest wait for the next).
pub const MAX_PER_POLL: usize = 100;

/// Runs until the stop signal; does nothing when the channel is off.
pub async fn run(core: Arc<Core>, mut stop: Stop) {
    let Some(settings) = core.settings.email.clone() else {
        return stop.stopped().await;
    };
    let adapter = EmailAdapter::new(settings.clone());
    let mut tick = tokio::time::interval(settings.poll_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = stop.stopped() => return,
        }
        match tokio::time::timeout(settings.timeout * 4, poll_once(&core, &adapter)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(mails = n, "e-mail: mailbox read"),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "e-mail: reading the mailbox failed; trying again next poll")
            }
            Err(_) => {
                tracing::warn!("e-mail: reading the mailbox timed out; trying again next poll")
            }
        }
    }
}

/// Reads the mailbox once; how many mails were taken (ignored ones included).
pub async fn poll_once(core: &Core, adapter: &EmailAdapter) -> Result<usize, MailServerError> {
    let settings = &adapter.settings;
    let mut mailbox = tokio::time::timeout(settings.timeout, Mailbox::open(settings))
        .await
        .map_err(|_| {
            MailServerError::Temporary("the IMAP server did not answer in time".into())
        })??;
    let result = take_unseen(core, adapter, &mut mailbox).await;
    mailbox.close().await;
    result
}

async fn take_unseen(
    core: &Core,
    adapter: &EmailAdapter,
    mailbox: &mut Mailbox,
) -> Result<usize, MailServerError> {
    let mut taken = 0;
    for uid in mailbox.unseen().await?.into_iter().take(MAX_PER_POLL) {
        let Some(raw) = mailbox.fetch(uid).await? else {
            continue;
        };
        match take(core, adapter, &raw).await {
            Ok(Taken::Opened(n)) => {
                tracing::info!(ticket.number = %n, "e-mail: new ticket from a mail")
            }
            Ok(Taken::Added(n)) => {
                tracing::info!(ticket.number = %n, "e-mail: mail added to its ticket")
            }
            Ok(Taken::Duplicate(n)) => {
                tracing::info!(ticket.number = %n, "e-mail: mail taken before; skipped")
            }
            Ok(Taken::Ignored(why)) => tracing::info!(reason = %why, "e-mail: mail ignored"),
            Err(e) if e.code == ErrorCode::ServiceUnavailable => {
                return Err(MailServerError::Temporary(format!(
                    "a mail could not be stored now: {}",
                    e.detail
                )));
            }
            Err(e) => {
                tracing::warn!(code = %e.code, error = %e.detail, "e-mail: mail refused; marked read")
            }
        }
        mailbox.mark_seen(uid).await?;
        taken += 1;
    }
    Ok(taken)
}
