//! `[email]`: the e-mail channel's mailbox (IMAP) and outgoing server (SMTP), docs/EMAIL.md.

use kefu_service::email::MailTls;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailConfig {
    /// Whether kefu reads the mailbox and answers by mail.
    pub enabled: bool,
    /// The support address customers write to; kefu's answers come from it.
    pub address: String,
    /// The name shown with the address.
    pub display_name: String,
    pub imap_host: String,
    pub imap_port: u16,
    /// `none`, `starttls` or `tls` (implicit, port 993).
    pub imap_tls: MailTls,
    pub imap_user: String,
    pub imap_password: String,
    pub imap_mailbox: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `none`, `starttls` (port 587 or 25) or `tls` (implicit, port 465).
    pub smtp_tls: MailTls,
    /// Empty: send without signing in (a relay that trusts this host).
    pub smtp_user: String,
    pub smtp_password: String,
    /// Seconds between two reads of the mailbox.
    pub poll_interval_seconds: u64,
    /// Seconds one IMAP or SMTP conversation may take.
    pub timeout_seconds: u64,
    /// Certificates (PEM) trusted besides the system's roots, for servers with a private CA.
    pub tls_ca_file: Option<PathBuf>,
}

impl Default for EmailConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            address: String::new(),
            display_name: "客服 Support".into(),
            imap_host: "127.0.0.1".into(),
            imap_port: 143,
            imap_tls: MailTls::None,
            imap_user: String::new(),
            imap_password: String::new(),
            imap_mailbox: "INBOX".into(),
            smtp_host: "127.0.0.1".into(),
            smtp_port: 25,
            smtp_tls: MailTls::None,
            smtp_user: String::new(),
            smtp_password: String::new(),
            poll_interval_seconds: 30,
            timeout_seconds: 30,
            tls_ca_file: None,
        }
    }
}

impl std::fmt::Debug for EmailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |s: &str| if s.is_empty() { "" } else { "***" };
        f.debug_struct("EmailConfig")
            .field("enabled", &self.enabled)
            .field("address", &self.address)
            .field(
                "imap",
                &format_args!(
                    "{}:{} ({})",
                    self.imap_host,
                    self.imap_port,
                    self.imap_tls.as_str()
                ),
            )
            .field("imap_user", &self.imap_user)
            .field("imap_password", &hidden(&self.imap_password))
            .field("imap_mailbox", &self.imap_mailbox)
            .field(
                "smtp",
                &format_args!(
                    "{}:{} ({})",
                    self.smtp_host,
                    self.smtp_port,
                    self.smtp_tls.as_str()
                ),
            )
            .field("smtp_user", &self.smtp_user)
            .field("smtp_password", &hidden(&self.smtp_password))
            .field("poll_interval_seconds", &self.poll_interval_seconds)
            .field("timeout_seconds", &self.timeout_seconds)
            .field("tls_ca_file", &self.tls_ca_file)
            .finish()
    }
}

impl EmailConfig {
    /// The first bad key with why it is bad (only checked when enabled).
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if !self.enabled {
            return None;
        }
        let address_ok = self
            .address
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
        if !address_ok {
            return Some((
                "email.address",
                "must be an address such as support@example.com".into(),
            ));
        }
        for (key, value) in [
            ("email.imap_host", &self.imap_host),
            ("email.imap_user", &self.imap_user),
            ("email.imap_mailbox", &self.imap_mailbox),
            ("email.smtp_host", &self.smtp_host),
        ] {
            if value.trim().is_empty() {
                return Some((key, "must be set when email.enabled is true".into()));
            }
        }
        if self.imap_port == 0 {
            return Some(("email.imap_port", "must be from 1 to 65535".into()));
        }
        if self.smtp_port == 0 {
            return Some(("email.smtp_port", "must be from 1 to 65535".into()));
        }
        if self.smtp_user.is_empty() != self.smtp_password.is_empty() {
            return Some((
                "email.smtp_password",
                "set both smtp_user and smtp_password, or neither".into(),
            ));
        }
        if !(1..=3600).contains(&self.poll_interval_seconds) {
            return Some((
                "email.poll_interval_seconds",
                "must be from 1 to 3600".into(),
            ));
        }
        if !(1..=600).contains(&self.timeout_seconds) {
            return Some(("email.timeout_seconds", "must be from 1 to 600".into()));
        }
        if let Some(path) = &self.tls_ca_file
            && let Err(why) = kefu_service::email::tls::read_ca_file(path)
        {
            return Some(("email.tls_ca_file", why));
        }
        None
    }

    /// Replaces set passwords with `***` (for `kefu config check`).
    pub fn hide_passwords(&mut self) {
        for p in [&mut self.imap_password, &mut self.smtp_password] {
            if !p.is_empty() {
                *p = "***".into();
            }
        }
    }

    /// The channel's settings, `None` when it is off.
    pub fn settings(&self) -> Option<kefu_service::email::EmailSettings> {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        self.enabled.then(|| kefu_service::email::EmailSettings {
            address: self.address.trim().to_owned(),
            display_name: self.display_name.clone(),
            imap_host: self.imap_host.clone(),
            imap_port: self.imap_port,
            imap_tls: self.imap_tls,
            imap_user: self.imap_user.clone(),
            imap_password: self.imap_password.clone(),
            imap_mailbox: self.imap_mailbox.clone(),
            smtp_host: self.smtp_host.clone(),
            smtp_port: self.smtp_port,
            smtp_tls: self.smtp_tls,
            smtp_user: some(&self.smtp_user),
            smtp_password: some(&self.smtp_password),
            poll_interval: Duration::from_secs(self.poll_interval_seconds),
            timeout: Duration::from_secs(self.timeout_seconds),
            tls_ca_file: self.tls_ca_file.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails loudly")]
    use crate::config::{Config, EXAMPLE};

    #[test]
    fn email_is_off_by_default_and_on_from_the_environment() {
        let parsed: Config = toml::from_str(EXAMPLE).unwrap();
        assert!(parsed.email.settings().is_none());
        let env = |k: &str| {
            let v = match k {
                "KEFU_EMAIL_ENABLED" => "true",
                "KEFU_EMAIL_ADDRESS" => "support@example.com",
                "KEFU_EMAIL_IMAP_USER" => "support",
                "KEFU_EMAIL_IMAP_PASSWORD" => "imap-secret",
                "KEFU_EMAIL_SMTP_PORT" => "2525",
                "KEFU_EMAIL_POLL_INTERVAL_SECONDS" => "5",
                "KEFU_EMAIL_IMAP_TLS" => "tls",
                "KEFU_EMAIL_SMTP_TLS" => "starttls",
                _ => return None,
            };
            Some(v.to_owned())
        };
        let c = Config::load(None, env, None, None).unwrap();
        let s = c.email.settings().unwrap();
        assert_eq!(s.address, "support@example.com");
        assert_eq!(s.smtp_port, 2525);
        assert_eq!(s.smtp_user, None);
        assert_eq!(s.poll_interval, std::time::Duration::from_secs(5));
        assert_eq!(s.imap_tls, kefu_service::email::MailTls::Tls);
        assert_eq!(s.smtp_tls, kefu_service::email::MailTls::Starttls);
        assert_eq!(s.tls_ca_file, None);
        let shown = c.to_toml().unwrap();
        assert!(!shown.contains("imap-secret"), "{shown}");
        assert!(!format!("{c:?}").contains("imap-secret"));
    }

    #[test]
    fn bad_email_settings_are_named_only_when_enabled() {
        let env = |k: &str| (k == "KEFU_EMAIL_ADDRESS").then(|| "nope".to_owned());
        assert!(Config::load(None, env, None, None).is_ok());
        let env = |k: &str| match k {
            "KEFU_EMAIL_ENABLED" => Some("true".to_owned()),
            "KEFU_EMAIL_ADDRESS" => Some("nope".to_owned()),
            _ => None,
        };
        let err = Config::load(None, env, None, None).unwrap_err().to_string();
        assert!(err.contains("email.address"), "{err}");
        assert!(err.contains("KEFU_EMAIL_ADDRESS"), "{err}");
        let env = |k: &str| match k {
            "KEFU_EMAIL_ENABLED" => Some("true".to_owned()),
            "KEFU_EMAIL_ADDRESS" => Some("support@example.com".to_owned()),
            "KEFU_EMAIL_IMAP_USER" => Some("support".to_owned()),
            "KEFU_EMAIL_SMTP_USER" => Some("me".to_owned()),
            _ => None,
        };
        let err = Config::load(None, env, None, None).unwrap_err().to_string();
        assert!(err.contains("email.smtp_password"), "{err}");
    }

    #[test]
    fn an_unknown_tls_mode_and_an_unreadable_ca_file_are_named() {
        let on = |k: &str, extra: (&str, &str)| match k {
            "KEFU_EMAIL_ENABLED" => Some("true".to_owned()),
            "KEFU_EMAIL_ADDRESS" => Some("support@example.com".to_owned()),
            "KEFU_EMAIL_IMAP_USER" => Some("support".to_owned()),
            k if k == extra.0 => Some(extra.1.to_owned()),
            _ => None,
        };
        let err = Config::load(None, |k| on(k, ("KEFU_EMAIL_SMTP_TLS", "ssl")), None, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("email.smtp_tls"), "{err}");
        assert!(err.contains("KEFU_EMAIL_SMTP_TLS"), "{err}");
        let missing = ("KEFU_EMAIL_TLS_CA_FILE", "/nonexistent/kefu-ca.pem");
        let err = Config::load(None, |k| on(k, missing), None, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("email.tls_ca_file"), "{err}");
        assert!(
            err.contains("cannot read /nonexistent/kefu-ca.pem"),
            "{err}"
        );
        let not_pem = std::env::temp_dir().join(format!("kefu-ca-{}.pem", std::process::id()));
        std::fs::write(&not_pem, "hello").unwrap();
        let path = not_pem.display().to_string();
        let err = Config::load(
            None,
            |k| on(k, ("KEFU_EMAIL_TLS_CA_FILE", &path)),
            None,
            None,
        )
        .unwrap_err()
        .to_string();
        std::fs::remove_file(&not_pem).unwrap();
        assert!(err.contains("holds no certificate"), "{err}");
    }
}
