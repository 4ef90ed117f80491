//! Configuration: defaults < TOML file < `KEFU_*` environment < command-line flags, layered
//! by figment. One `Config`, validated once at start; a bad value names its key and
//! environment name.

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

mod attachments;
pub use attachments::AttachmentsConfig;

/// The whole configuration.
#[derive(Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub auth: AuthConfig,
    pub tickets: TicketConfig,
    pub sla: SlaConfig,
    pub bot: BotConfig,
    pub limits: LimitConfig,
    pub attachments: AttachmentsConfig,
    pub live: live::LiveConfig,
    pub survey: survey::SurveyConfig,
    pub email: email::EmailConfig,
    pub channels: channels::ChannelsConfig,
    pub log: LogConfig,
}

mod channels;
mod email;
mod env;
mod live;
mod survey;
use env::{EnvLayer, env_name, explain};

/// Abuse limits, per node (on several nodes each enforces its own).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitConfig {
    /// Ticket lookups per second from one client address (0: no limit).
    pub lookups_per_second_per_address: u32,
    /// Ticket lookups per second of one ticket number (0: no limit).
    pub lookups_per_second_per_ticket: u32,
    /// Intakes per second with one API key (0: no limit).
    pub intake_per_second_per_key: u32,
    /// Customer messages per second to one ticket (0: no limit).
    pub messages_per_second_per_ticket: u32,
    /// Take the client address from X-Forwarded-For (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// Failed logins on one account before it is locked for a while.
    pub login_failures_per_account: u32,
    /// Failed logins from one address before it is locked for a while.
    pub login_failures_per_address: u32,
}

impl Default for LimitConfig {
    fn default() -> Self {
        Self {
            lookups_per_second_per_address: 10,
            lookups_per_second_per_ticket: 5,
            intake_per_second_per_key: 20_000,
            messages_per_second_per_ticket: 5,
            trust_forwarded_for: false,
            login_failures_per_account: 5,
            login_failures_per_address: 20,
        }
    }
}

/// FAQ bot settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct BotConfig {
    /// The semantic model: absent means the one built into the binary, `none` turns it off
    /// (the bot is lexical), a path loads that file (scripts/semantic/README.md).
    pub model: Option<std::path::PathBuf>,
}

/// SLA settings (file only: the calendar is a nested table).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SlaConfig {
    /// The business calendar SLA clocks count in; absent means 24×7.
    pub calendar: Option<kefu_routing::CalendarConfig>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: String,
    /// Largest request body, in bytes.
    pub body_limit_bytes: usize,
    /// Longest wait for a request's head (and for the next request on a kept-alive
    /// connection).
    pub header_read_timeout_seconds: u64,
    /// Longest a connection may move no bytes either way.
    pub idle_timeout_seconds: u64,
    /// Longest from a request's head to its answer, reading the body included.
    pub request_timeout_seconds: u64,
    /// Most connections open at once; more wait to be accepted.
    pub max_connections: usize,
    /// On SIGTERM, how long requests in flight may take to finish.
    pub shutdown_grace_seconds: u64,
}

#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// A SQLite directory or file (`./kefu-data`, `sqlite://kefu.db`) or a `postgres://` URL.
    pub url: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    pub session_ttl_hours: u64,
    pub principal_cache_ttl_seconds: u64,
    /// Mark the staff console's session cookie `Secure` (HTTPS only).
    pub secure_cookies: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct TicketConfig {
    pub reopen_window_days: u64,
    /// A resolved ticket closes this many days after resolution.
    pub close_after_days: u64,
    /// A conversation the bot answered ends, resolved by the bot, after this many minutes
    /// without a further customer message.
    pub bot_quiet_minutes: u64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// A tracing filter (`info`, `kefu_server=debug,info`).
    pub filter: String,
    /// `text` (default) or `json` (one object per line).
    pub format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            body_limit_bytes: 1024 * 1024,
            header_read_timeout_seconds: 10,
            idle_timeout_seconds: 60,
            request_timeout_seconds: 30,
            max_connections: 10_000,
            shutdown_grace_seconds: 30,
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: "./kefu-data".into(),
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            session_ttl_hours: 12,
            principal_cache_ttl_seconds: 10,
            secure_cookies: false,
        }
    }
}

impl Default for TicketConfig {
    fn default() -> Self {
        Self {
            reopen_window_days: 7,
            close_after_days: 7,
            bot_quiet_minutes: 10,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            filter: "info".into(),
            format: LogFormat::Text,
        }
    }
}

/// Hides the database password in `Debug` output.
impl std::fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("url", &redact_url(&self.url))
            .finish()
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("server", &self.server)
            .field("database", &self.database)
            .field("auth", &self.auth)
            .field("tickets", &self.tickets)
            .field("sla", &self.sla)
            .field("bot", &self.bot)
            .field("attachments", &self.attachments)
            .field("live", &self.live)
            .field("survey", &self.survey)
            .field("email", &self.email)
            .field("channels", &self.channels)
            .field("log", &self.log)
            .finish()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

impl Config {
    /// Loads the layers in order. `env` is injected so tests need not touch the process.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
        listen_flag: Option<&str>,
        database_flag: Option<&str>,
    ) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            // Read first: figment takes a missing file for an empty one.
            std::fs::metadata(path)
                .and_then(|_| std::fs::File::open(path))
                .with_context(|| format!("cannot read config file {}", path.display()))?;
            figment = figment.merge(Toml::file_exact(path));
        }
        figment = figment.merge(EnvLayer::read(&env));
        if let Some(listen) = listen_flag {
            figment = figment.merge(Serialized::default("server.listen", listen));
        }
        if let Some(db) = database_flag {
            figment = figment.merge(Serialized::default("database.url", db));
        }
        let mut config: Config = figment.extract().map_err(explain)?;
        config
            .channels
            .apply_env(&env)
            .map_err(|p| anyhow::anyhow!("{} (env {}): {}", p.key, p.var, p.why))?;
        config.validate()?;
        Ok(config)
    }

    /// The effective configuration as TOML, the database password hidden.
    pub fn to_toml(&self) -> anyhow::Result<String> {
        let mut shown = self.clone();
        shown.database.url = redact_url(&self.database.url);
        if !shown.attachments.s3_secret_access_key.is_empty() {
            shown.attachments.s3_secret_access_key = "***".into();
        }
        shown.email.hide_passwords();
        shown.channels.hide_secrets();
        Ok(toml::to_string(&shown)?)
    }

    /// Rejects values that cannot work, naming the key and its environment variable.
    pub fn validate(&self) -> anyhow::Result<()> {
        let fail = |key: &str, why: String| -> anyhow::Result<()> {
            bail!("{key} (env {}): {why}", env_name(key))
        };
        if self.server.listen.parse::<SocketAddr>().is_err() {
            fail(
                "server.listen",
                format!(
                    "{:?} is not an address like 127.0.0.1:8080",
                    self.server.listen
                ),
            )?;
        }
        if !(1024..=64 * 1024 * 1024).contains(&self.server.body_limit_bytes) {
            fail(
                "server.body_limit_bytes",
                "must be from 1024 to 67108864".into(),
            )?;
        }
        let server = &self.server;
        if !(1..=300).contains(&server.header_read_timeout_seconds) {
            fail(
                "server.header_read_timeout_seconds",
                "must be from 1 to 300".into(),
            )?;
        }
        if !(1..=3600).contains(&server.request_timeout_seconds) {
            fail(
                "server.request_timeout_seconds",
                "must be from 1 to 3600".into(),
            )?;
        }
        if !(1..=3600).contains(&server.idle_timeout_seconds) {
            fail(
                "server.idle_timeout_seconds",
                "must be from 1 to 3600".into(),
            )?;
        }
        if server.idle_timeout_seconds < server.request_timeout_seconds {
            fail(
                "server.idle_timeout_seconds",
                format!(
                    "must be at least server.request_timeout_seconds ({}): a request whose \
                     handler is silent that long would be cut",
                    server.request_timeout_seconds
                ),
            )?;
        }
        if !(1..=1_000_000).contains(&server.max_connections) {
            fail("server.max_connections", "must be from 1 to 1000000".into())?;
        }
        if server.shutdown_grace_seconds > 3600 {
            fail(
                "server.shutdown_grace_seconds",
                "must be at most 3600".into(),
            )?;
        }
        if self.database.url.trim().is_empty() {
            fail("database.url", "must not be empty".into())?;
        }
        if let Some((key, why)) = self.attachments.problem() {
            fail(key, why)?;
        }
        if !(1..=24 * 30).contains(&self.auth.session_ttl_hours) {
            fail("auth.session_ttl_hours", "must be from 1 to 720".into())?;
        }
        if self.auth.principal_cache_ttl_seconds > 300 {
            fail(
                "auth.principal_cache_ttl_seconds",
                "must be at most 300".into(),
            )?;
        }
        if !(1..=365).contains(&self.tickets.reopen_window_days) {
            fail("tickets.reopen_window_days", "must be from 1 to 365".into())?;
        }
        if !(1..=365).contains(&self.tickets.close_after_days) {
            fail("tickets.close_after_days", "must be from 1 to 365".into())?;
        }
        if !(1..=1440).contains(&self.tickets.bot_quiet_minutes) {
            fail("tickets.bot_quiet_minutes", "must be from 1 to 1440".into())?;
        }
        if !(1..=1000).contains(&self.limits.login_failures_per_account) {
            fail(
                "limits.login_failures_per_account",
                "must be from 1 to 1000".into(),
            )?;
        }
        if !(1..=100_000).contains(&self.limits.login_failures_per_address) {
            fail(
                "limits.login_failures_per_address",
                "must be from 1 to 100000".into(),
            )?;
        }
        if let Some((key, why)) = self.live.problem() {
            fail(key, why)?;
        }
        if let Some((key, why)) = self.survey.problem() {
            fail(key, why)?;
        }
        if let Some((key, why)) = self.email.problem() {
            fail(key, why)?;
        }
        if let Some((key, why)) = self.channels.problem() {
            fail(key, why)?;
        }
        if let Some(cal) = &self.sla.calendar
            && let Err(e) = kefu_routing::BusinessCalendar::try_from(cal)
        {
            bail!("sla.calendar.{e}");
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.filter).is_err() {
            fail(
                "log.filter",
                format!("{:?} is not a log filter", self.log.filter),
            )?;
        }
        Ok(())
    }

    /// The connection and request limits the server runs with.
    pub fn limits(&self) -> kefu_server::Limits {
        let s = &self.server;
        kefu_server::Limits {
            header_read_timeout: Duration::from_secs(s.header_read_timeout_seconds),
            idle_timeout: Duration::from_secs(s.idle_timeout_seconds),
            request_timeout: Duration::from_secs(s.request_timeout_seconds),
            max_connections: s.max_connections,
            shutdown_grace: Duration::from_secs(s.shutdown_grace_seconds),
        }
    }

    /// The abuse limits of the HTTP layer: a burst of three seconds' worth (two for intake).
    pub fn rate_limits(&self) -> kefu_server::rate_limit::RateLimits {
        use kefu_server::rate_limit::{Rate, RateLimits};
        let l = &self.limits;
        let rate = |per_second: u32, seconds: u32| Rate {
            per_second,
            burst: per_second.saturating_mul(seconds).max(1),
        };
        RateLimits {
            lookup_per_address: rate(l.lookups_per_second_per_address, 3),
            lookup_per_ticket: rate(l.lookups_per_second_per_ticket, 4),
            intake_per_key: rate(l.intake_per_second_per_key, 2),
            messages_per_ticket: rate(l.messages_per_second_per_ticket, 4),
            // The help center's search is limited like lookups, per address.
            help_search_per_address: rate(l.lookups_per_second_per_address, 3),
            trust_forwarded_for: l.trust_forwarded_for,
            ..RateLimits::default()
        }
    }

    /// The live channel's limits.
    pub fn live_limits(&self) -> kefu_server::live::LiveLimits {
        self.live.limits()
    }

    /// Login lockout thresholds.
    pub fn login_limits(&self) -> kefu_service::login_guard::LoginLimits {
        kefu_service::login_guard::LoginLimits {
            account_failures: self.limits.login_failures_per_account,
            address_failures: self.limits.login_failures_per_address,
            ..kefu_service::login_guard::LoginLimits::default()
        }
    }

    /// The server's settings, with the bot model: the built-in one unless `[bot] model` names
    /// another file or `none`.
    pub fn settings(&self) -> anyhow::Result<kefu_service::Settings> {
        let bot_model = crate::bot_model::load(self.bot.model.as_deref())
            .map_err(|e| anyhow::anyhow!("bot.model (env KEFU_BOT_MODEL): {e:#}"))?;
        Ok(kefu_service::Settings {
            body_limit_bytes: self.server.body_limit_bytes,
            session_ttl: Duration::from_secs(self.auth.session_ttl_hours * 3600),
            reopen_window: Duration::from_secs(self.tickets.reopen_window_days * 24 * 3600),
            close_after: Duration::from_secs(self.tickets.close_after_days * 24 * 3600),
            bot_quiet_period: Duration::from_secs(self.tickets.bot_quiet_minutes * 60),
            principal_cache_ttl: Duration::from_secs(self.auth.principal_cache_ttl_seconds),
            secure_cookies: self.auth.secure_cookies,
            calendar: self
                .sla
                .calendar
                .as_ref()
                .and_then(|c| kefu_routing::BusinessCalendar::try_from(c).ok())
                .unwrap_or_default(),
            bot_model,
            attachments: self.attachments.settings(&self.database.url)?,
            survey: self.survey.settings(&self.server.listen),
            email: self.email.settings(),
            channels: self.channels.settings(),
            ..kefu_service::Settings::default()
        })
    }
}

/// A commented example configuration with every key at its default.
pub const EXAMPLE: &str = include_str!("config/example.toml");

#[cfg(test)]
mod tests;
