//! `[live]`: the live channel's limits per node (docs/LIVE.md).

use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LiveConfig {
    /// Most live WebSocket connections open at once; more get 503 before upgrading.
    pub max_connections: usize,
    /// Frames queued for one client; a client this far behind is closed (4409).
    pub send_buffer_frames: usize,
    /// How often the server pings.
    pub heartbeat_seconds: u64,
    /// A client silent this long is closed (4408); more than the heartbeat.
    pub idle_timeout_seconds: u64,
}

impl Default for LiveConfig {
    fn default() -> Self {
        let d = kefu_server::live::LiveLimits::default();
        Self {
            max_connections: d.max_connections,
            send_buffer_frames: d.send_buffer,
            heartbeat_seconds: d.heartbeat.as_secs(),
            idle_timeout_seconds: d.idle_timeout.as_secs(),
        }
    }
}

impl LiveConfig {
    /// The first bad key with why it is bad.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if !(1..=1_000_000).contains(&self.max_connections) {
            return Some(("live.max_connections", "must be from 1 to 1000000".into()));
        }
        if !(8..=65_536).contains(&self.send_buffer_frames) {
            return Some(("live.send_buffer_frames", "must be from 8 to 65536".into()));
        }
        if !(1..=300).contains(&self.heartbeat_seconds) {
            return Some(("live.heartbeat_seconds", "must be from 1 to 300".into()));
        }
        if self.idle_timeout_seconds <= self.heartbeat_seconds || self.idle_timeout_seconds > 3600 {
            return Some((
                "live.idle_timeout_seconds",
                format!(
                    "must be more than live.heartbeat_seconds ({}) and at most 3600: clients \
                     answer pings, so a shorter wait would close them between two",
                    self.heartbeat_seconds
                ),
            ));
        }
        None
    }

    pub fn limits(&self) -> kefu_server::live::LiveLimits {
        kefu_server::live::LiveLimits {
            max_connections: self.max_connections,
            send_buffer: self.send_buffer_frames,
            heartbeat: Duration::from_secs(self.heartbeat_seconds),
            idle_timeout: Duration::from_secs(self.idle_timeout_seconds),
            ..kefu_server::live::LiveLimits::default()
        }
    }
}
