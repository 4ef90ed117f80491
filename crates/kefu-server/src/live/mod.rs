//! The live channel: one WebSocket per client at `GET /api/v1/live` over the service's
//! [`Follower`](kefu_service::live::Follower). The protocol (frames, auth, resume, close
//! codes) is written down in `docs/LIVE.md`; this module only carries it: who the caller is
//! ([`auth`]), what the frames look like ([`frames`]), and one task pair per connection
//! ([`connection`]) with a bounded send buffer, a heartbeat and an idle timeout.

pub mod auth;
pub mod connection;
pub mod frames;

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

/// Limits of the live channel, per node.
#[derive(Debug, Clone)]
pub struct LiveLimits {
    /// Most live connections open at once; more are refused with 503 before the upgrade.
    pub max_connections: usize,
    /// Frames queued for one client; a client that falls this far behind is closed
    /// (code 4409) instead of holding memory without bound.
    pub send_buffer: usize,
    /// How often the server sends `ping`.
    pub heartbeat: Duration,
    /// A client that sends nothing (not even `pong`) for this long is closed (code 4408).
    pub idle_timeout: Duration,
    /// How long a client without credentials in its request has to send `auth`.
    pub auth_timeout: Duration,
    /// Largest frame a client may send.
    pub max_frame_bytes: usize,
    /// Longest one frame may take to be written before the client counts as gone.
    pub write_timeout: Duration,
    /// How often a customer's queue position is looked at again (only when it moved).
    pub queue_refresh: Duration,
}

impl Default for LiveLimits {
    fn default() -> Self {
        Self {
            max_connections: 5_000,
            send_buffer: 256,
            heartbeat: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(60),
            auth_timeout: Duration::from_secs(10),
            max_frame_bytes: 16 * 1024,
            write_timeout: Duration::from_secs(10),
            queue_refresh: Duration::from_secs(10),
        }
    }
}

/// The node's live connections: the cap, and the signal that closes them on shutdown.
pub struct LiveGate {
    limits: LiveLimits,
    slots: Arc<Semaphore>,
    stopping: watch::Sender<bool>,
}

impl LiveGate {
    pub fn new(limits: LiveLimits) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(limits.max_connections)),
            stopping: watch::channel(false).0,
            limits,
        }
    }

    pub fn limits(&self) -> &LiveLimits {
        &self.limits
    }

    /// A place for one more connection, if the cap allows (held for the connection's life).
    pub fn admit(&self) -> Option<OwnedSemaphorePermit> {
        if *self.stopping.borrow() {
            return None;
        }
        self.slots.clone().try_acquire_owned().ok()
    }

    /// Live connections open now.
    pub fn open(&self) -> usize {
        self.limits
            .max_connections
            .saturating_sub(self.slots.available_permits())
    }

    /// Closes every live connection (code 1001) and admits no more: the node is stopping.
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    pub(crate) fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }
}

impl Default for LiveGate {
    fn default() -> Self {
        Self::new(LiveLimits::default())
    }
}
