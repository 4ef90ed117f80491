//! The PostgreSQL listener behind [`crate::Store::event_notices`]: one connection per store
//! (outside the pool) listening on [`EVENTS_CHANNEL`], its notices broadcast to every
//! subscriber.
//!
//! It listens before the store is handed out, so every event committed after `open`
//! returns is heard. A lost connection is rebuilt (with a growing pause while the server is
//! away) and then [`EventNotice::Resync`] is sent: notices sent in between are gone, and
//! subscribers catch up from the database. The connection is pinged when quiet, so a
//! silently dead one is noticed too.

use crate::StoreResult;
use crate::notices::{EVENTS_CHANNEL, EventNotice};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};
use std::time::Duration;
use tokio::sync::broadcast;

/// Notices a slow subscriber may fall behind by before it is told it lagged.
const CAPACITY: usize = 4096;
/// How long the connection may stay quiet before it is pinged.
const PING_AFTER: Duration = Duration::from_secs(30);
/// The longest pause between reconnection attempts.
const MAX_PAUSE: Duration = Duration::from_secs(10);

/// The running listener; dropping it stops it.
pub(crate) struct Notices {
    sender: broadcast::Sender<EventNotice>,
    task: tokio::task::AbortHandle,
}

impl Notices {
    /// Connects, listens, and starts forwarding (on the current tokio runtime).
    pub(crate) async fn start(options: PgConnectOptions) -> StoreResult<Self> {
        // A small pool of its own: the listener keeps its connection, and the store's pool
        // keeps all of its.
        let pool = PgPoolOptions::new()
            // Two: a lost connection may still be on its way back when the next one is made.
            .max_connections(2)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy_with(options);
        let listener = listen(&pool).await?;
        let (sender, _) = broadcast::channel(CAPACITY);
        let task = tokio::spawn(forward(pool, listener, sender.clone())).abort_handle();
        Ok(Self { sender, task })
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<EventNotice> {
        self.sender.subscribe()
    }
}

impl Drop for Notices {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn listen(pool: &PgPool) -> StoreResult<PgListener> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(EVENTS_CHANNEL).await?;
    Ok(listener)
}

async fn forward(pool: PgPool, mut listener: PgListener, sender: broadcast::Sender<EventNotice>) {
    loop {
        let healthy = match tokio::time::timeout(PING_AFTER, listener.try_recv()).await {
            Ok(Ok(Some(n))) => {
                match EventNotice::parse_all(n.payload()) {
                    // No subscriber is not an error.
                    Some(notices) => {
                        for notice in notices {
                            let _ = sender.send(notice);
                        }
                    }
                    None => {
                        tracing::warn!(payload = n.payload(), "unreadable event notice ignored")
                    }
                }
                true
            }
            // The connection was lost and is back (sqlx reconnects and listens again).
            Ok(Ok(None)) => {
                tracing::warn!("event listener reconnected; subscribers resync");
                let _ = sender.send(EventNotice::Resync);
                true
            }
            Ok(Err(error)) => {
                tracing::warn!(%error, "event listener failed");
                false
            }
            Err(_quiet) => sqlx::query("SELECT 1").execute(&mut listener).await.is_ok(),
        };
        if !healthy {
            listener = reconnect(&pool, listener).await;
            let _ = sender.send(EventNotice::Resync);
        }
    }
}

/// A new listener in place of `old`, however long the server takes to come back.
async fn reconnect(pool: &PgPool, old: PgListener) -> PgListener {
    drop(old);
    let mut pause = Duration::from_millis(100);
    loop {
        tokio::time::sleep(pause).await;
        match listen(pool).await {
            Ok(listener) => {
                tracing::info!("event listener reconnected; subscribers resync");
                return listener;
            }
            Err(error) => {
                tracing::warn!(%error, pause_ms = pause.as_millis(), "event listener cannot reconnect; will retry");
                pause = (pause * 2).min(MAX_PAUSE);
            }
        }
    }
}
