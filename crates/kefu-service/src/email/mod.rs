//! The e-mail channel, one [`crate::channels::ChannelAdapter`] ([`adapter`]): customers
//! write to the support address, kefu reads the mailbox over IMAP ([`imap`], polled by
//! [`poller`]), puts each mail on its ticket through the channel abstraction ([`inbound`])
//! and delivers replies by SMTP ([`smtp`]) with `In-Reply-To`, `References` and the ticket
//! number in the subject ([`thread`]). What a mail says is read by pure functions:
//! [`parse`] (MIME with `mail-parser`), [`quote`] (quoted history and signatures cut),
//! [`html`] (ammonia).
//!
//! Each server is spoken to in the clear, with STARTTLS or over implicit TLS ([`tls`],
//! rustls), as configured (see docs/EMAIL.md).

pub mod adapter;
pub mod html;
pub mod imap;
pub mod inbound;
pub mod parse;
pub mod poller;
pub mod quote;
pub mod smtp;
pub mod thread;
pub mod tls;

pub use adapter::{EmailAdapter, install};
pub use tls::MailTls;

use std::path::PathBuf;
use std::time::Duration;

/// The `[email]` configuration: the mailbox kefu reads and the server it sends through.
#[derive(Clone, PartialEq, Eq)]
pub struct EmailSettings {
    /// The address customers write to and kefu answers from (`support@example.com`).
    pub address: String,
    /// The name shown with it (`客服 Support`).
    pub display_name: String,
    pub imap_host: String,
    pub imap_port: u16,
    pub imap_tls: MailTls,
    pub imap_user: String,
    pub imap_password: String,
    /// The folder read (`INBOX`).
    pub imap_mailbox: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: MailTls,
    /// Sign in to the SMTP server only when set.
    pub smtp_user: Option<String>,
    pub smtp_password: Option<String>,
    /// How often the mailbox is read.
    pub poll_interval: Duration,
    /// The longest one IMAP or SMTP conversation may take.
    pub timeout: Duration,
    /// Certificates (PEM) trusted besides the system's, for TLS with a private CA.
    pub tls_ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
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
            .field("poll_interval", &self.poll_interval)
            .finish_non_exhaustive()
    }
}

/// A mail server did not answer as it should.
#[derive(Debug, thiserror::Error)]
pub enum MailServerError {
    /// Worth another try later (connection refused, timeout, a 4xx reply).
    #[error("{0}")]
    Temporary(String),
    /// Will not work as it is (a 5xx reply, a refused recipient or login).
    #[error("{0}")]
    Permanent(String),
}
