//! The e-mail channel as one [`ChannelAdapter`]: a raw mail in ([`parse`](ChannelAdapter::parse)),
//! an [`Outbound`] out as a threaded mail by SMTP ([`deliver`](ChannelAdapter::deliver)).

use super::parse::{ParsedMail, parse};
use super::smtp::{OutgoingMail, send};
use super::thread::{domain_of, outbound_message_id, reply_subject, ticket_number_in_id};
use super::{EmailSettings, MailServerError};
use crate::channels::{
    ChannelAdapter, Delivered, DeliveryError, Inbound, InboundError, InboundMessage, Outbound,
    Visibility,
};
use crate::inputs::CustomerInput;
use kefu_domain::Channel;

/// The adapter's name in routes and configuration.
pub const NAME: &str = "email";

/// The e-mail channel with its mailbox and outgoing server.
#[derive(Debug, Clone)]
pub struct EmailAdapter {
    pub settings: EmailSettings,
}

impl EmailAdapter {
    pub fn new(settings: EmailSettings) -> Self {
        Self { settings }
    }

    /// The normalized message of a read mail (files are added by the caller once they
    /// passed the attachment checks), or why it is ignored.
    pub fn message(&self, mail: &ParsedMail, body: String) -> Inbound {
        if mail.automatic {
            return Inbound::Ignored("automatic mail (auto-reply, bounce or list)".into());
        }
        if mail.from.eq_ignore_ascii_case(self.settings.address.trim()) {
            return Inbound::Ignored("mail from kefu's own address".into());
        }
        // The thread's root: the oldest id it names, else this mail.
        let thread = mail
            .replies_to
            .last()
            .cloned()
            .unwrap_or_else(|| mail.message_id.clone());
        let ticket_number = mail
            .replies_to
            .iter()
            .find_map(|id| ticket_number_in_id(id))
            .or(mail.ticket_number);
        Inbound::Message(Box::new(InboundMessage {
            external_id: mail.message_id.clone(),
            customer: CustomerInput {
                external_id: mail.from.clone(),
                name: mail
                    .from_name
                    .as_ref()
                    .map(|n| n.chars().take(100).collect()),
                email: Some(mail.from.clone()),
                phone: None,
                language: None,
            },
            visibility: Visibility::Private,
            thread: Some(thread),
            replies_to: mail.replies_to.clone(),
            ticket_number,
            subject: Some(mail.subject.clone()).filter(|s| !s.trim().is_empty()),
            body,
            attachments: Vec::new(),
            context: serde_json::json!({"email": {"message_id": mail.message_id}}),
        }))
    }

    /// The mail an outbound delivery becomes.
    pub fn outgoing(&self, out: &Outbound) -> OutgoingMail {
        let mut references: Vec<String> = Vec::new();
        for id in [&out.thread, &out.in_reply_to].into_iter().flatten() {
            if !references.contains(id) {
                references.push(id.clone());
            }
        }
        OutgoingMail {
            to: out
                .customer_email
                .clone()
                .unwrap_or_else(|| out.customer_external_id.clone()),
            to_name: out.customer_name.clone(),
            subject: reply_subject(&out.ticket_number, &out.subject),
            body: out.body.clone(),
            message_id: outbound_message_id(
                &out.ticket_number,
                &format!("d{}", out.delivery_id),
                domain_of(&self.settings.address),
            ),
            in_reply_to: out.in_reply_to.clone(),
            references,
        }
    }
}

#[async_trait::async_trait]
impl ChannelAdapter for EmailAdapter {
    fn name(&self) -> &str {
        NAME
    }

    fn channel(&self) -> Channel {
        Channel::Email
    }

    fn parse(&self, payload: &[u8]) -> Result<Inbound, InboundError> {
        let mail = parse(payload).map_err(|e| InboundError::new(e.to_string()))?;
        let body = super::inbound::body_of(&mail, &[], mail.attachments.is_empty());
        Ok(self.message(&mail, body))
    }

    async fn deliver(&self, out: &Outbound) -> Result<Delivered, DeliveryError> {
        let mail = self.outgoing(out);
        match send(&self.settings, &mail).await {
            Ok(()) => Ok(Delivered {
                remote_id: Some(mail.message_id),
            }),
            Err(MailServerError::Temporary(e)) => Err(DeliveryError::Retry(e)),
            Err(MailServerError::Permanent(e)) => Err(DeliveryError::Permanent(e)),
        }
    }
}

/// Installs the e-mail adapter on this node when `[email]` is on (call once at start).
pub fn install(core: &crate::Core) {
    if let Some(settings) = &core.settings.email {
        core.channels
            .install(std::sync::Arc::new(EmailAdapter::new(settings.clone())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::inbound::tests::mail;
    use kefu_domain::TicketNumber;

    fn adapter() -> EmailAdapter {
        EmailAdapter::new(crate::email::smtp::tests::settings())
    }

    #[test]
    fn a_kefu_message_id_it_answers_names_the_ticket_before_the_subject() {
        let a = TicketNumber::new(jiff::civil::date(2026, 11, 24), 1);
        let b = TicketNumber::new(jiff::civil::date(2026, 11, 25), 2);
        let mut m = mail();
        m.replies_to = vec![
            outbound_message_id(&b, "d2", "kefu.test"),
            "m1@example.com".into(),
        ];
        m.ticket_number = Some(a);
        let Inbound::Message(msg) = adapter().message(&m, "hi".into()) else {
            panic!("a customer's mail is a message");
        };
        assert_eq!(msg.ticket_number, Some(b));
        assert_eq!(
            msg.thread.as_deref(),
            Some("m1@example.com"),
            "the thread's root"
        );
        assert_eq!(msg.external_id, "m2@example.com");
        assert_eq!(msg.customer.external_id, "a@example.com");
        assert_eq!(msg.visibility, Visibility::Private);
    }

    #[test]
    fn automatic_mail_and_kefus_own_mail_are_ignored() {
        let mut m = mail();
        m.automatic = true;
        assert!(matches!(
            adapter().message(&m, String::new()),
            Inbound::Ignored(_)
        ));
        let mut m = mail();
        m.from = "Support@kefu.test".into();
        assert!(matches!(
            adapter().message(&m, String::new()),
            Inbound::Ignored(_)
        ));
    }

    #[test]
    fn a_delivery_becomes_a_threaded_mail_with_a_stable_id() {
        let n = TicketNumber::new(jiff::civil::date(2026, 11, 24), 38_201_957);
        let out = Outbound {
            delivery_id: 7,
            idempotency_key: "kefu-delivery-7".into(),
            kind: crate::channels::OutboundKind::Reply,
            visibility: Visibility::Private,
            ticket_number: n,
            subject: "登录不了".into(),
            customer_external_id: "a@example.com".into(),
            customer_email: None,
            customer_name: Some("Alice".into()),
            language: "zh-CN".into(),
            thread: Some("m1@example.com".into()),
            in_reply_to: Some("m2@example.com".into()),
            body: "请重启应用。".into(),
        };
        let mail = adapter().outgoing(&out);
        assert_eq!(mail.to, "a@example.com");
        assert_eq!(mail.subject, format!("[#{}] Re: 登录不了", n.grouped()));
        assert_eq!(mail.in_reply_to.as_deref(), Some("m2@example.com"));
        assert_eq!(mail.references, ["m1@example.com", "m2@example.com"]);
        assert_eq!(
            mail.message_id,
            format!("kefu.{}.d7@kefu.test", n.as_string())
        );
        assert_eq!(adapter().outgoing(&out), mail, "the same on every attempt");
    }
}
