//! The channels' settings, built by the binary from `[channels]` (docs/CHANNELS.md).

use kefu_domain::Channel;
use std::time::Duration;

/// A platform that posts to `POST /api/v1/channels/{name}/webhook` and, when
/// `outbound_url` is set, gets kefu's replies posted there.
#[derive(Clone)]
pub struct WebhookChannel {
    /// The `{name}` of the route ([`super::valid_name`]).
    pub name: String,
    /// The kind of channel its tickets carry (`social` for a Weibo-style account).
    pub channel: Channel,
    /// The HMAC-SHA256 key both sides share.
    pub secret: Vec<u8>,
    /// Where replies are posted (JSON, with an `Idempotency-Key` header).
    pub outbound_url: Option<String>,
}

impl std::fmt::Debug for WebhookChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookChannel")
            .field("name", &self.name)
            .field("channel", &self.channel)
            .field("secret", &"[hidden]")
            .field("outbound_url", &self.outbound_url)
            .finish()
    }
}

/// An app whose backend signs in-app user tokens ([`super::app_token`]).
#[derive(Clone)]
pub struct AppSecret {
    pub app: String,
    pub secret: Vec<u8>,
}

impl std::fmt::Debug for AppSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppSecret")
            .field("app", &self.app)
            .field("secret", &"[hidden]")
            .finish()
    }
}

/// Everything the channels are configured with.
#[derive(Debug, Clone)]
pub struct ChannelSettings {
    pub webhooks: Vec<WebhookChannel>,
    /// How far in the future a webhook's timestamp may be (clock skew).
    pub timestamp_skew: Duration,
    /// Attempts of one delivery before it is dead-lettered.
    pub max_attempts: u32,
    /// How long one delivery attempt may take.
    pub delivery_timeout: Duration,
    /// Whether customers are told of progress.
    pub notify: bool,
    /// At most one notification per ticket per this interval (later ones are coalesced).
    pub notify_interval: Duration,
    /// How long before the promised resolution time "we are still on it" goes out.
    pub still_on_it_before: Duration,
    /// Apps whose users may sign in with an app-user token.
    pub apps: Vec<AppSecret>,
    /// The longest lifetime an app-user token may claim.
    pub app_token_max_ttl: Duration,
}

impl Default for ChannelSettings {
    fn default() -> Self {
        Self {
            webhooks: Vec::new(),
            timestamp_skew: Duration::from_secs(60),
            max_attempts: 12,
            delivery_timeout: Duration::from_secs(15),
            notify: true,
            notify_interval: Duration::from_secs(10 * 60),
            still_on_it_before: Duration::from_secs(2 * 3600),
            apps: Vec::new(),
            app_token_max_ttl: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

impl ChannelSettings {
    /// The webhook channel named `name`.
    pub fn webhook(&self, name: &str) -> Option<&WebhookChannel> {
        self.webhooks.iter().find(|w| w.name == name)
    }
}
