//! `[channels]`: signed webhook platforms, deliveries, customer notifications and app-user
//! tokens (docs/CHANNELS.md). Webhooks and apps are arrays of tables in the file; the
//! environment adds them or changes them by name ([`ChannelsConfig::apply_env`]), so a
//! secret need never be written into a file.

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

/// A webhook or app the environment names but does not complete.
#[derive(Debug)]
pub struct EnvProblem {
    pub key: &'static str,
    pub var: String,
    pub why: String,
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

    /// Webhooks and apps from the environment: `KEFU_CHANNELS_WEBHOOKS` lists names
    /// (`weibo,wechat`), each with `KEFU_CHANNELS_WEBHOOK_<NAME>_SECRET`, `_CHANNEL` and
    /// `_OUTBOUND_URL`; `KEFU_CHANNELS_APPS` lists apps, each with
    /// `KEFU_CHANNELS_APP_<NAME>_SECRET` (`<NAME>` upper-cased, `-` as `_`). A name the file
    /// already has is changed where a variable is set; a new one is added and needs its
    /// secret. Errors name the variable.
    pub fn apply_env(&mut self, env: &impl Fn(&str) -> Option<String>) -> Result<(), EnvProblem> {
        let set = |var: &str| env(var).filter(|v| !v.trim().is_empty());
        for name in names(set("KEFU_CHANNELS_WEBHOOKS")) {
            let var = |field: &str| format!("KEFU_CHANNELS_WEBHOOK_{}_{field}", env_part(&name));
            let (secret, channel, url) = (var("SECRET"), var("CHANNEL"), var("OUTBOUND_URL"));
            let index = match self.webhooks.iter().position(|w| w.name == name) {
                Some(i) => i,
                None => {
                    let Some(value) = set(&secret) else {
                        return Err(EnvProblem {
                            key: "channels.webhooks",
                            var: secret,
                            why: format!(
                                "webhook {name:?} is listed in KEFU_CHANNELS_WEBHOOKS and needs a secret"
                            ),
                        });
                    };
                    self.webhooks.push(WebhookConfig {
                        name: name.clone(),
                        channel: social(),
                        secret: value,
                        outbound_url: None,
                    });
                    self.webhooks.len() - 1
                }
            };
            let w = &mut self.webhooks[index];
            if let Some(v) = set(&secret) {
                w.secret = v;
            }
            if let Some(v) = set(&channel) {
                w.channel = v.trim().to_owned();
            }
            if let Some(v) = set(&url) {
                w.outbound_url = Some(v.trim().to_owned());
            }
        }
        for app in names(set("KEFU_CHANNELS_APPS")) {
            let secret = format!("KEFU_CHANNELS_APP_{}_SECRET", env_part(&app));
            match (self.apps.iter_mut().find(|a| a.app == app), set(&secret)) {
                (Some(a), Some(v)) => a.secret = v,
                (Some(_), None) => {}
                (None, Some(v)) => self.apps.push(AppConfig { app, secret: v }),
                (None, None) => {
                    return Err(EnvProblem {
                        key: "channels.apps",
                        var: secret,
                        why: format!(
                            "app {app:?} is listed in KEFU_CHANNELS_APPS and needs a secret"
                        ),
                    });
                }
            }
        }
        Ok(())
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

/// The names of a comma-separated list, blanks dropped.
fn names(list: Option<String>) -> Vec<String> {
    list.map(|l| {
        l.split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

/// A webhook or app name as it appears inside a variable's name.
fn env_part(name: &str) -> String {
    name.to_ascii_uppercase().replace('-', "_")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails loudly")]
    use crate::config::Config;
    use kefu_domain::Channel;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn webhooks_and_apps_come_from_the_environment_alone() {
        let env = env_of(&[
            ("KEFU_CHANNELS_WEBHOOKS", "weibo, wechat-mp"),
            (
                "KEFU_CHANNELS_WEBHOOK_WEIBO_SECRET",
                "weibo-secret-of-16-bytes",
            ),
            (
                "KEFU_CHANNELS_WEBHOOK_WEIBO_OUTBOUND_URL",
                "https://platform.example/replies",
            ),
            (
                "KEFU_CHANNELS_WEBHOOK_WECHAT_MP_SECRET",
                "wechat-secret-of-16-bytes",
            ),
            ("KEFU_CHANNELS_WEBHOOK_WECHAT_MP_CHANNEL", "in_app"),
            ("KEFU_CHANNELS_APPS", "douyin"),
            ("KEFU_CHANNELS_APP_DOUYIN_SECRET", "app-secret-of-16-bytes"),
            ("KEFU_CHANNELS_STILL_ON_IT_BEFORE_MINUTES", "30"),
        ]);
        let c = Config::load(None, env, None, None).unwrap();
        let s = c.channels.settings();
        assert_eq!(s.webhooks.len(), 2);
        assert_eq!(s.webhooks[0].name, "weibo");
        assert_eq!(s.webhooks[0].secret, b"weibo-secret-of-16-bytes");
        assert_eq!(
            s.webhooks[0].outbound_url.as_deref(),
            Some("https://platform.example/replies")
        );
        assert_eq!(s.webhooks[0].channel, Channel::Social);
        assert_eq!(s.webhooks[1].name, "wechat-mp");
        assert_eq!(s.webhooks[1].channel, Channel::InApp);
        assert_eq!(s.webhooks[1].outbound_url, None);
        assert_eq!(s.apps[0].app, "douyin");
        assert_eq!(s.apps[0].secret, b"app-secret-of-16-bytes");
        assert_eq!(
            s.still_on_it_before,
            std::time::Duration::from_secs(30 * 60)
        );
        let shown = c.to_toml().unwrap();
        assert!(!shown.contains("secret-of-16"), "{shown}");
    }

    #[test]
    fn the_environment_changes_a_webhook_of_the_file_by_name() {
        let dir = std::env::temp_dir().join(format!("kefu-config-env-ch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("kefu.toml");
        std::fs::write(
            &file,
            "[[channels.webhooks]]\nname = \"weibo\"\nsecret = \"file-secret-of-16-bytes\"\n\
             outbound_url = \"https://old.example/replies\"\n",
        )
        .unwrap();
        let env = env_of(&[
            ("KEFU_CHANNELS_WEBHOOKS", "weibo"),
            (
                "KEFU_CHANNELS_WEBHOOK_WEIBO_SECRET",
                "env-secret-of-16-bytes",
            ),
        ]);
        let s = Config::load(Some(&file), env, None, None)
            .unwrap()
            .channels
            .settings();
        std::fs::remove_dir_all(dir).unwrap();
        assert_eq!(s.webhooks.len(), 1);
        assert_eq!(s.webhooks[0].secret, b"env-secret-of-16-bytes");
        assert_eq!(
            s.webhooks[0].outbound_url.as_deref(),
            Some("https://old.example/replies"),
            "what the environment does not set stays as the file has it"
        );
    }

    #[test]
    fn a_listed_webhook_or_app_without_a_secret_and_a_bad_url_are_named() {
        let err = Config::load(
            None,
            env_of(&[("KEFU_CHANNELS_WEBHOOKS", "weibo")]),
            None,
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("channels.webhooks (env KEFU_CHANNELS_WEBHOOK_WEIBO_SECRET)"),
            "{err}"
        );
        let err = Config::load(None, env_of(&[("KEFU_CHANNELS_APPS", "shop")]), None, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("channels.apps (env KEFU_CHANNELS_APP_SHOP_SECRET)"),
            "{err}"
        );
        let env = env_of(&[
            ("KEFU_CHANNELS_WEBHOOKS", "weibo"),
            (
                "KEFU_CHANNELS_WEBHOOK_WEIBO_SECRET",
                "weibo-secret-of-16-bytes",
            ),
            ("KEFU_CHANNELS_WEBHOOK_WEIBO_OUTBOUND_URL", "ftp://x"),
        ]);
        let err = Config::load(None, env, None, None).unwrap_err().to_string();
        assert!(err.starts_with("channels.webhooks.outbound_url"), "{err}");
    }
}
