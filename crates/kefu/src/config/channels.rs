//! `[channels]`: signed webhook platforms, deliveries, customer notifications and app-user
//! tokens (docs/CHANNELS.md). Webhooks and apps are arrays of tables, set in the file.

use kefu_domain::Channel;
use kefu_service::channels::{AppSecret, ChannelSettings, WebhookChannel};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Shortest secret accepted (bytes).
const SECRET_MIN: usize = 16;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChannelsConfig {
    /// Attempts of one delivery before it is dead-lettered.
    pub max_attempts: u32,
    /// How long one delivery attempt may take.
    pub delivery_timeout_seconds: u64,
    /// How far in the future a webhook's timestamp may be.
    pub timestamp_skew_seconds: u64,
    /// Whether customers are told of progress.
    pub notify: bool,
    /// At most one notification per ticket per this many seconds.
    pub notify_interval_seconds: u64,
    /// "Still on it" goes out this long before the promised resolution time.
    pub still_on_it_before_minutes: u64,
    /// The longest life an app-user token may claim.
    pub app_token_max_ttl_hours: u64,
    pub webhooks: Vec<WebhookConfig>,
    pub apps: Vec<AppConfig>,
}

/// One `[[channels.webhooks]]`.
#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub name: String,
    /// The kind of channel its tickets carry (`social` for a social-media account).
    #[serde(default = "social")]
    pub channel: String,
    pub secret: String,
    pub outbound_url: Option<String>,
}

fn social() -> String {
    "social".into()
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("name", &self.name)
            .field("channel", &self.channel)
            .field("secret", &"***")
            .field("outbound_url", &self.outbound_url)
            .finish()
    }
}

/// One `[[channels.apps]]`.
#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AppConfig {
    pub app: String,
    pub secret: String,
}

impl std::fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppConfig")
            .field("app", &self.app)
            .field("secret", &"***")
            .finish()
    }
}

impl Default for ChannelsConfig {
    fn default() -> Self {
        let d = ChannelSettings::default();
        Self {
            max_attempts: d.max_attempts,
            delivery_timeout_seconds: d.delivery_timeout.as_secs(),
            timestamp_skew_seconds: d.timestamp_skew.as_secs(),
            notify: d.notify,
            notify_interval_seconds: d.notify_interval.as_secs(),
            still_on_it_before_minutes: d.still_on_it_before.as_secs() / 60,
            app_token_max_ttl_hours: d.app_token_max_ttl.as_secs() / 3600,
            webhooks: Vec::new(),
            apps: Vec::new(),
        }
    }
}

impl ChannelsConfig {
    /// The first bad key with why it is bad.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        let ranges: [(&'static str, u64, u64, u64); 6] = [
            (
                "channels.max_attempts",
                u64::from(self.max_attempts),
                1,
                100,
            ),
            (
                "channels.delivery_timeout_seconds",
                self.delivery_timeout_seconds,
                1,
                300,
            ),
            (
                "channels.timestamp_skew_seconds",
                self.timestamp_skew_seconds,
                0,
                300,
            ),
            (
                "channels.notify_interval_seconds",
                self.notify_interval_seconds,
                0,
                86_400,
            ),
            (
                "channels.still_on_it_before_minutes",
                self.still_on_it_before_minutes,
                1,
                10_080,
            ),
            (
                "channels.app_token_max_ttl_hours",
                self.app_token_max_ttl_hours,
                1,
                8_760,
            ),
        ];
        for (key, v, lo, hi) in ranges {
            if !(lo..=hi).contains(&v) {
                return Some((key, format!("must be from {lo} to {hi}")));
            }
        }
        for (i, w) in self.webhooks.iter().enumerate() {
            if !kefu_service::channels::valid_name(&w.name) {
                return Some((
                    "channels.webhooks.name",
                    format!("webhook {i}: must be 1-32 of a-z 0-9 _ -"),
                ));
            }
            if self.webhooks.iter().filter(|o| o.name == w.name).count() > 1 {
                return Some((
                    "channels.webhooks.name",
                    format!("{:?} is configured twice", w.name),
                ));
            }
            if w.channel.parse::<Channel>().is_err() {
                return Some((
                    "channels.webhooks.channel",
                    format!(
                        "{:?}: not a channel (in_app, web_form, social, email, api)",
                        w.name
                    ),
                ));
            }
            if w.secret.len() < SECRET_MIN {
                return Some((
                    "channels.webhooks.secret",
                    format!("{:?}: must be at least {SECRET_MIN} bytes", w.name),
                ));
            }
            if let Some(url) = &w.outbound_url
                && !(url.starts_with("https://") || url.starts_with("http://"))
            {
                return Some((
                    "channels.webhooks.outbound_url",
                    format!("{:?}: must be an http:// or https:// URL", w.name),
                ));
            }
        }
        for a in &self.apps {
            if a.app.trim().is_empty() || a.secret.len() < SECRET_MIN {
                return Some((
                    "channels.apps",
                    format!(
                        "each app needs a name and a secret of at least {SECRET_MIN} bytes ({:?})",
                        a.app
                    ),
                ));
            }
        }
        None
    }

    /// Replaces every secret with `***` (for showing the configuration).
    pub fn hide_secrets(&mut self) {
        for w in &mut self.webhooks {
            w.secret = "***".into();
        }
        for a in &mut self.apps {
            a.secret = "***".into();
        }
    }

    pub fn settings(&self) -> ChannelSettings {
        ChannelSettings {
            webhooks: self
                .webhooks
                .iter()
                .map(|w| WebhookChannel {
                    name: w.name.clone(),
                    channel: w.channel.parse().unwrap_or(Channel::Social),
                    secret: w.secret.as_bytes().to_vec(),
                    outbound_url: w.outbound_url.clone(),
                })
                .collect(),
            timestamp_skew: Duration::from_secs(self.timestamp_skew_seconds),
            max_attempts: self.max_attempts,
            delivery_timeout: Duration::from_secs(self.delivery_timeout_seconds),
            notify: self.notify,
            notify_interval: Duration::from_secs(self.notify_interval_seconds),
            still_on_it_before: Duration::from_secs(self.still_on_it_before_minutes * 60),
            apps: self
                .apps
                .iter()
                .map(|a| AppSecret {
                    app: a.app.clone(),
                    secret: a.secret.as_bytes().to_vec(),
                })
                .collect(),
            app_token_max_ttl: Duration::from_secs(self.app_token_max_ttl_hours * 3600),
        }
    }
}
