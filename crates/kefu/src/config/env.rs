//! The `KEFU_*` environment layer of the configuration, and errors that name a key with its
//! environment variable.

use figment::value::{Dict, Map, Value};
use figment::{Metadata, Profile, Provider};

/// Every setting that can come from the environment: (env name, config key).
pub(super) const ENV_KEYS: &[(&str, &str)] = &[
    ("KEFU_LISTEN", "server.listen"),
    ("KEFU_BODY_LIMIT_BYTES", "server.body_limit_bytes"),
    (
        "KEFU_HEADER_READ_TIMEOUT_SECONDS",
        "server.header_read_timeout_seconds",
    ),
    ("KEFU_IDLE_TIMEOUT_SECONDS", "server.idle_timeout_seconds"),
    (
        "KEFU_REQUEST_TIMEOUT_SECONDS",
        "server.request_timeout_seconds",
    ),
    ("KEFU_MAX_CONNECTIONS", "server.max_connections"),
    (
        "KEFU_SHUTDOWN_GRACE_SECONDS",
        "server.shutdown_grace_seconds",
    ),
    ("KEFU_DATABASE_URL", "database.url"),
    ("KEFU_SESSION_TTL_HOURS", "auth.session_ttl_hours"),
    (
        "KEFU_PRINCIPAL_CACHE_TTL_SECONDS",
        "auth.principal_cache_ttl_seconds",
    ),
    ("KEFU_SECURE_COOKIES", "auth.secure_cookies"),
    ("KEFU_REOPEN_WINDOW_DAYS", "tickets.reopen_window_days"),
    ("KEFU_CLOSE_AFTER_DAYS", "tickets.close_after_days"),
    ("KEFU_BOT_QUIET_MINUTES", "tickets.bot_quiet_minutes"),
    ("KEFU_BOT_MODEL", "bot.model"),
    (
        "KEFU_LOOKUPS_PER_SECOND_PER_ADDRESS",
        "limits.lookups_per_second_per_address",
    ),
    (
        "KEFU_LOOKUPS_PER_SECOND_PER_TICKET",
        "limits.lookups_per_second_per_ticket",
    ),
    (
        "KEFU_INTAKE_PER_SECOND_PER_KEY",
        "limits.intake_per_second_per_key",
    ),
    (
        "KEFU_MESSAGES_PER_SECOND_PER_TICKET",
        "limits.messages_per_second_per_ticket",
    ),
    ("KEFU_TRUST_FORWARDED_FOR", "limits.trust_forwarded_for"),
    (
        "KEFU_LOGIN_FAILURES_PER_ACCOUNT",
        "limits.login_failures_per_account",
    ),
    (
        "KEFU_LOGIN_FAILURES_PER_ADDRESS",
        "limits.login_failures_per_address",
    ),
    (
        "KEFU_ATTACHMENT_IMAGE_MAX_BYTES",
        "attachments.image_max_bytes",
    ),
    (
        "KEFU_ATTACHMENT_VOICE_MAX_BYTES",
        "attachments.voice_max_bytes",
    ),
    (
        "KEFU_ATTACHMENT_LINK_TTL_SECONDS",
        "attachments.link_ttl_seconds",
    ),
    ("KEFU_ATTACHMENT_UNUSED_HOURS", "attachments.unused_hours"),
    ("KEFU_ATTACHMENT_STORAGE", "attachments.storage"),
    ("KEFU_ATTACHMENT_DIRECTORY", "attachments.directory"),
    ("KEFU_ATTACHMENT_S3_ENDPOINT", "attachments.s3_endpoint"),
    ("KEFU_ATTACHMENT_S3_BUCKET", "attachments.s3_bucket"),
    ("KEFU_ATTACHMENT_S3_REGION", "attachments.s3_region"),
    (
        "KEFU_ATTACHMENT_S3_ACCESS_KEY_ID",
        "attachments.s3_access_key_id",
    ),
    (
        "KEFU_ATTACHMENT_S3_SECRET_ACCESS_KEY",
        "attachments.s3_secret_access_key",
    ),
    ("KEFU_ATTACHMENT_S3_PREFIX", "attachments.s3_prefix"),
    ("KEFU_LIVE_MAX_CONNECTIONS", "live.max_connections"),
    ("KEFU_LIVE_SEND_BUFFER_FRAMES", "live.send_buffer_frames"),
    ("KEFU_LIVE_HEARTBEAT_SECONDS", "live.heartbeat_seconds"),
    (
        "KEFU_LIVE_IDLE_TIMEOUT_SECONDS",
        "live.idle_timeout_seconds",
    ),
    ("KEFU_SURVEY_ENABLED", "survey.enabled"),
    ("KEFU_SURVEY_REMINDER_HOURS", "survey.reminder_hours"),
    ("KEFU_SURVEY_TOKEN_TTL_DAYS", "survey.token_ttl_days"),
    ("KEFU_SURVEY_LINK_BASE_URL", "survey.link_base_url"),
    ("KEFU_EMAIL_ENABLED", "email.enabled"),
    ("KEFU_EMAIL_ADDRESS", "email.address"),
    ("KEFU_EMAIL_DISPLAY_NAME", "email.display_name"),
    ("KEFU_EMAIL_IMAP_HOST", "email.imap_host"),
    ("KEFU_EMAIL_IMAP_PORT", "email.imap_port"),
    ("KEFU_EMAIL_IMAP_TLS", "email.imap_tls"),
    ("KEFU_EMAIL_IMAP_USER", "email.imap_user"),
    ("KEFU_EMAIL_IMAP_PASSWORD", "email.imap_password"),
    ("KEFU_EMAIL_IMAP_MAILBOX", "email.imap_mailbox"),
    ("KEFU_EMAIL_SMTP_HOST", "email.smtp_host"),
    ("KEFU_EMAIL_SMTP_PORT", "email.smtp_port"),
    ("KEFU_EMAIL_SMTP_TLS", "email.smtp_tls"),
    ("KEFU_EMAIL_SMTP_USER", "email.smtp_user"),
    ("KEFU_EMAIL_SMTP_PASSWORD", "email.smtp_password"),
    (
        "KEFU_EMAIL_POLL_INTERVAL_SECONDS",
        "email.poll_interval_seconds",
    ),
    ("KEFU_EMAIL_TIMEOUT_SECONDS", "email.timeout_seconds"),
    ("KEFU_EMAIL_TLS_CA_FILE", "email.tls_ca_file"),
    ("KEFU_CHANNELS_MAX_ATTEMPTS", "channels.max_attempts"),
    (
        "KEFU_CHANNELS_DELIVERY_TIMEOUT_SECONDS",
        "channels.delivery_timeout_seconds",
    ),
    (
        "KEFU_CHANNELS_TIMESTAMP_SKEW_SECONDS",
        "channels.timestamp_skew_seconds",
    ),
    ("KEFU_CHANNELS_NOTIFY", "channels.notify"),
    (
        "KEFU_CHANNELS_NOTIFY_INTERVAL_SECONDS",
        "channels.notify_interval_seconds",
    ),
    (
        "KEFU_CHANNELS_STILL_ON_IT_BEFORE_MINUTES",
        "channels.still_on_it_before_minutes",
    ),
    (
        "KEFU_CHANNELS_APP_TOKEN_MAX_TTL_HOURS",
        "channels.app_token_max_ttl_hours",
    ),
    ("KEFU_LOG", "log.filter"),
    ("KEFU_LOG_FORMAT", "log.format"),
];

pub(super) fn env_name(key: &str) -> &'static str {
    ENV_KEYS
        .iter()
        .find(|(_, k)| *k == key)
        .map_or("-", |(e, _)| e)
}

/// Keys whose environment value is text as it stands; the others are parsed (numbers).
const TEXT_KEYS: &[&str] = &[
    "server.listen",
    "database.url",
    "bot.model",
    "attachments.storage",
    "attachments.directory",
    "attachments.s3_endpoint",
    "attachments.s3_bucket",
    "attachments.s3_region",
    "attachments.s3_access_key_id",
    "attachments.s3_secret_access_key",
    "attachments.s3_prefix",
    "survey.link_base_url",
    "email.address",
    "email.display_name",
    "email.imap_host",
    "email.imap_user",
    "email.imap_password",
    "email.imap_mailbox",
    "email.imap_tls",
    "email.smtp_tls",
    "email.tls_ca_file",
    "email.smtp_host",
    "email.smtp_user",
    "email.smtp_password",
    "log.filter",
    "log.format",
];

/// The `KEFU_*` layer, read through an injected lookup (figment's own `Env` provider reads
/// only the process environment).
pub(super) struct EnvLayer(Vec<(&'static str, &'static str, String)>);

impl EnvLayer {
    pub(super) fn read(env: impl Fn(&str) -> Option<String>) -> Self {
        Self(
            ENV_KEYS
                .iter()
                .filter_map(|(var, key)| env(var).map(|value| (*var, *key, value)))
                .collect(),
        )
    }
}

impl Provider for EnvLayer {
    fn metadata(&self) -> Metadata {
        Metadata::named("KEFU_* environment")
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut dict = Dict::new();
        for (_, key, raw) in &self.0 {
            let value = if TEXT_KEYS.contains(key) {
                Value::from(raw.clone())
            } else {
                raw.trim()
                    .parse::<Value>()
                    .unwrap_or_else(|_| Value::from(raw.clone()))
            };
            // Every key is `section.field`.
            let Some((section, field)) = key.split_once('.') else {
                continue;
            };
            let entry = dict
                .entry(section.to_owned())
                .or_insert_with(|| Value::from(Dict::new()));
            if let Value::Dict(_, fields) = entry {
                fields.insert(field.to_owned(), value);
            }
        }
        Ok(Profile::Default.collect(dict))
    }
}

/// A figment error as kefu's messages put it: the key and its environment name first.
pub(super) fn explain(e: figment::Error) -> anyhow::Error {
    let key = e.path.join(".");
    let from = e
        .metadata
        .as_ref()
        .map(|m| {
            m.source
                .as_ref()
                .map_or_else(|| m.name.to_string(), |s| format!("{} {s}", m.name))
        })
        .unwrap_or_default();
    let kind = match &e.kind {
        figment::error::Kind::InvalidType(figment::error::Actual::Str(value), expected)
            if matches!(expected.as_str(), "u64" | "usize") =>
        {
            format!("{value:?} is not a whole number")
        }
        kind => kind.to_string(),
    };
    match (key.as_str(), env_name(&key)) {
        ("", _) => anyhow::anyhow!("configuration ({from}): {kind}"),
        (key, "-") => anyhow::anyhow!("{key} ({from}): {kind}"),
        (key, env) => anyhow::anyhow!("{key} (env {env}): {kind} (in {from})"),
    }
}
