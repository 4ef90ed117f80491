//! Sending by SMTP with `lettre`: one plain-text UTF-8 mail per call, threaded with
//! `In-Reply-To` / `References`, its Message-ID chosen by the caller (the same id on every
//! retry of one delivery); in the clear, with STARTTLS or over implicit TLS ([`tls`]).

use super::{EmailSettings, MailServerError, MailTls, tls};
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::Tls;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// One mail to a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: String,
    pub to_name: Option<String>,
    pub subject: String,
    pub body: String,
    /// Without angle brackets.
    pub message_id: String,
    /// The mail answered (without brackets).
    pub in_reply_to: Option<String>,
    /// The thread, oldest first (without brackets).
    pub references: Vec<String>,
}

fn bracket(id: &str) -> String {
    format!("<{id}>")
}

/// Builds the mail as it goes on the wire.
pub fn build(settings: &EmailSettings, mail: &OutgoingMail) -> Result<Message, MailServerError> {
    let permanent = |what: &str, e: &dyn std::fmt::Display| {
        MailServerError::Permanent(format!("{what} is not a valid mailbox: {e}"))
    };
    let from = Mailbox::new(
        Some(settings.display_name.clone()).filter(|n| !n.is_empty()),
        settings
            .address
            .parse()
            .map_err(|e| permanent("the from address", &e))?,
    );
    let to = Mailbox::new(
        mail.to_name.clone(),
        mail.to
            .parse()
            .map_err(|e| permanent("the customer's address", &e))?,
    );
    let mut b = Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(bracket(&mail.message_id)))
        .header(ContentType::TEXT_PLAIN);
    if let Some(parent) = &mail.in_reply_to {
        b = b.in_reply_to(bracket(parent));
    }
    if !mail.references.is_empty() {
        let refs: Vec<String> = mail.references.iter().map(|r| bracket(r)).collect();
        b = b.references(refs.join(" "));
    }
    b.body(mail.body.clone())
        .map_err(|e| MailServerError::Permanent(format!("the mail cannot be built: {e}")))
}

fn transport(
    settings: &EmailSettings,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailServerError> {
    let tls = match settings.smtp_tls {
        MailTls::None => Tls::None,
        MailTls::Starttls => Tls::Required(tls::smtp_parameters(settings)?),
        MailTls::Tls => Tls::Wrapper(tls::smtp_parameters(settings)?),
    };
    let mut transport =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.smtp_host.clone())
            .port(settings.smtp_port)
            .tls(tls)
            .timeout(Some(settings.timeout));
    if let (Some(user), Some(password)) = (&settings.smtp_user, &settings.smtp_password) {
        transport = transport.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(transport.build())
}

fn failed(e: lettre::transport::smtp::Error) -> MailServerError {
    if e.is_tls() {
        // A certificate kefu does not trust, or a server without STARTTLS: retried (an
        // operator may fix either), and logged with the reason.
        MailServerError::Temporary(format!("TLS with the SMTP server failed: {e}"))
    } else if e.is_permanent() {
        MailServerError::Permanent(format!("the SMTP server refused the mail: {e}"))
    } else {
        MailServerError::Temporary(format!("the SMTP server could not take the mail now: {e}"))
    }
}

/// Sends one mail through the configured SMTP server.
pub async fn send(settings: &EmailSettings, mail: &OutgoingMail) -> Result<(), MailServerError> {
    let message = build(settings, mail)?;
    transport(settings)?
        .send(message)
        .await
        .map(|_| ())
        .map_err(failed)
}

/// Sends a mail exactly as given (its own headers and MIME body) from the configured
/// address to `to`.
pub async fn send_raw(
    settings: &EmailSettings,
    to: &str,
    raw: &[u8],
) -> Result<(), MailServerError> {
    let address = |a: &str| {
        a.parse::<lettre::Address>()
            .map_err(|e| MailServerError::Permanent(format!("{a:?} is not an address: {e}")))
    };
    let envelope =
        lettre::address::Envelope::new(Some(address(&settings.address)?), vec![address(to)?])
            .map_err(|e| MailServerError::Permanent(format!("no envelope: {e}")))?;
    transport(settings)?
        .send_raw(&envelope, raw)
        .await
        .map(|_| ())
        .map_err(failed)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn settings() -> EmailSettings {
        EmailSettings {
            address: "support@kefu.test".into(),
            display_name: "客服 Support".into(),
            imap_host: "127.0.0.1".into(),
            imap_port: 143,
            imap_tls: MailTls::None,
            imap_user: "support@kefu.test".into(),
            imap_password: "x".into(),
            imap_mailbox: "INBOX".into(),
            smtp_host: "127.0.0.1".into(),
            smtp_port: 25,
            smtp_tls: MailTls::None,
            smtp_user: None,
            smtp_password: None,
            poll_interval: std::time::Duration::from_secs(30),
            timeout: std::time::Duration::from_secs(30),
            tls_ca_file: None,
        }
    }

    #[test]
    fn replies_carry_the_thread_headers_and_utf8_subject() {
        let mail = OutgoingMail {
            to: "alice@example.com".into(),
            to_name: Some("Alice".into()),
            subject: "[#261124-3820-1957-4] Re: 登录不了".into(),
            body: "请重启应用。".into(),
            message_id: "kefu-delivery-7@kefu.test".into(),
            in_reply_to: Some("m2@example.com".into()),
            references: vec!["m1@example.com".into(), "m2@example.com".into()],
        };
        let raw = String::from_utf8(build(&settings(), &mail).unwrap().formatted()).unwrap();
        assert!(
            raw.contains("Message-ID: <kefu-delivery-7@kefu.test>"),
            "{raw}"
        );
        assert!(raw.contains("In-Reply-To: <m2@example.com>"), "{raw}");
        assert!(
            raw.contains("References: <m1@example.com> <m2@example.com>"),
            "{raw}"
        );
        let parsed = crate::email::parse::parse(raw.as_bytes()).unwrap();
        assert_eq!(parsed.subject, "登录不了");
        assert_eq!(parsed.text, "请重启应用。");
        assert_eq!(parsed.from, "support@kefu.test");
    }

    #[test]
    fn a_bad_customer_address_is_a_permanent_failure() {
        let mail = OutgoingMail {
            to: "not an address".into(),
            to_name: None,
            subject: "x".into(),
            body: "x".into(),
            message_id: "a@b".into(),
            in_reply_to: None,
            references: vec![],
        };
        assert!(matches!(
            build(&settings(), &mail),
            Err(MailServerError::Permanent(_))
        ));
    }
}
