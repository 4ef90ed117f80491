//! The webhook channel: a platform (a Weibo-style social account, or any other) that
//! posts signed JSON to `POST /api/v1/channels/{name}/webhook` and receives kefu's replies
//! as signed JSON posted to its `outbound_url`.
//!
//! Inbound payload (one message per request):
//!
//! ```json
//! {"type": "message" | "post" | "comment" | "ping",
//!  "id": "platform message id", "thread": "conversation or post id",
//!  "reply_to": "platform message id", "user": {"id": "…", "name": "…", "language": "zh-CN"},
//!  "text": "…", "context": {…}}
//! ```
//!
//! `message` is a private (direct) message; `post` and `comment` are public and answered
//! in public only with a note moving the conversation to private ([`super::inbound`]);
//! `ping` is ignored. A `message` without `thread` belongs to the thread `dm:<user id>`
//! (the user's one direct conversation), so it continues their open ticket. Anything else is an unknown shape, refused and kept for an admin.
//!
//! Outbound: `POST outbound_url` with `Idempotency-Key: kefu-delivery-<id>` and the same
//! `X-Kefu-Timestamp` / `X-Kefu-Signature` scheme under the channel's secret, body
//! [`OutboundPayload`]. A 2xx answer is delivered (its JSON `id`, if any, is kept); 408,
//! 429, 5xx and network errors are retried; any other answer fails for good. The HTTP
//! client is the entry point's ([`Transport`]): no HTTP types in this crate.

use super::signature::SignatureError;
use super::{
    ChannelAdapter, Delivered, DeliveryError, Inbound, InboundError, InboundMessage, Outbound,
    Visibility, WebhookChannel,
};
use crate::core::Core;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::inputs::CustomerInput;
use kefu_domain::Channel;
use kefu_store::RejectedPayload;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Posts a signed JSON body; implemented by the server with its HTTP client.
#[async_trait::async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Posts `body` to `url` with the given headers; the answer's status and body.
    async fn post(
        &self,
        url: &str,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> Result<(u16, Vec<u8>), String>;
}

/// Largest inbound text kept (longer texts are refused as unknown shapes).
pub const TEXT_MAX_CHARS: usize = kefu_domain::ticket::BODY_MAX_CHARS;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Payload {
    #[serde(rename = "type")]
    kind: String,
    id: Option<String>,
    thread: Option<String>,
    reply_to: Option<String>,
    user: Option<User>,
    text: Option<String>,
    context: Option<serde_json::Value>,
    /// When the platform says it was written (accepted, not used).
    #[serde(rename = "created_at")]
    _created_at: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct User {
    id: String,
    name: Option<String>,
    language: Option<String>,
}

/// What kefu posts to the platform.
#[derive(Debug, Serialize)]
pub struct OutboundPayload<'a> {
    pub delivery_id: i64,
    pub ticket_number: String,
    pub kind: &'static str,
    pub visibility: &'static str,
    /// The platform user to write to.
    pub user_id: &'a str,
    pub thread: Option<&'a str>,
    /// The customer's last platform message on the ticket.
    pub reply_to: Option<&'a str>,
    pub language: &'a str,
    pub text: &'a str,
}

/// A configured webhook channel.
pub struct WebhookAdapter {
    config: WebhookChannel,
    transport: Arc<dyn Transport>,
}

impl WebhookAdapter {
    pub fn new(config: WebhookChannel, transport: Arc<dyn Transport>) -> Self {
        Self { config, transport }
    }
}

/// Reads one inbound payload (see the module header).
pub fn parse(body: &[u8]) -> Result<Inbound, InboundError> {
    let p: Payload = serde_json::from_slice(body)
        .map_err(|e| InboundError::new(format!("not a payload kefu knows: {e}")))?;
    let visibility = match p.kind.as_str() {
        "ping" => return Ok(Inbound::Ignored("ping".into())),
        "message" => Visibility::Private,
        "post" | "comment" => Visibility::Public,
        other => {
            return Err(InboundError::new(format!(
                "unknown type {other:?}; expected message, post, comment or ping"
            )));
        }
    };
    let need = |v: Option<String>, field: &str| {
        v.filter(|s| !s.trim().is_empty())
            .ok_or_else(|| InboundError::new(format!("`{field}` is required for a {}", p.kind)))
    };
    let id = need(p.id.clone(), "id")?;
    let user = p
        .user
        .ok_or_else(|| InboundError::new(format!("`user` is required for a {}", p.kind)))?;
    if user.id.trim().is_empty() {
        return Err(InboundError::new("`user.id` must not be empty"));
    }
    let text = need(p.text.clone(), "text")?;
    if text.chars().count() > TEXT_MAX_CHARS {
        return Err(InboundError::new(format!(
            "`text` is longer than {TEXT_MAX_CHARS} characters"
        )));
    }
    let context = match p.context {
        None => serde_json::json!({}),
        Some(v @ serde_json::Value::Object(_)) => v,
        Some(_) => return Err(InboundError::new("`context` must be a JSON object")),
    };
    Ok(Inbound::Message(Box::new(InboundMessage {
        external_id: id,
        customer: CustomerInput {
            external_id: user.id.trim().to_owned(),
            name: user.name,
            email: None,
            phone: None,
            language: user.language,
        },
        visibility,
        // A direct message naming no thread continues the user's one direct conversation.
        thread: match (p.thread, visibility) {
            (Some(t), _) => Some(t),
            (None, Visibility::Private) => Some(format!("dm:{}", user.id.trim()))
                .filter(|t| t.chars().count() <= super::inbound::EXTERNAL_ID_MAX_CHARS),
            (None, Visibility::Public) => None,
        },
        replies_to: p.reply_to.into_iter().collect(),
        ticket_number: None,
        subject: None,
        body: text,
        attachments: Vec::new(),
        context,
    })))
}

#[async_trait::async_trait]
impl ChannelAdapter for WebhookAdapter {
    fn name(&self) -> &str {
        &self.config.name
    }

    fn channel(&self) -> Channel {
        self.config.channel
    }

    fn parse(&self, payload: &[u8]) -> Result<Inbound, InboundError> {
        parse(payload)
    }

    async fn deliver(&self, out: &Outbound) -> Result<Delivered, DeliveryError> {
        let Some(url) = self.config.outbound_url.as_deref() else {
            return Err(DeliveryError::Permanent(format!(
                "channel {} has no outbound_url",
                self.config.name
            )));
        };
        let number = out.ticket_number.to_string();
        let payload = OutboundPayload {
            delivery_id: out.delivery_id,
            ticket_number: number,
            kind: out.kind.as_str(),
            visibility: out.visibility.as_str(),
            user_id: &out.customer_external_id,
            thread: out.thread.as_deref(),
            reply_to: out.in_reply_to.as_deref(),
            language: &out.language,
            text: &out.body,
        };
        let body = serde_json::to_vec(&payload)
            .map_err(|e| DeliveryError::Permanent(format!("encoding the delivery: {e}")))?;
        let ts = jiff::Timestamp::now().as_second().to_string();
        let headers = vec![
            ("content-type", "application/json".to_owned()),
            ("idempotency-key", out.idempotency_key.clone()),
            (
                "x-kefu-signature",
                super::signature::sign(&self.config.secret, &ts, &body),
            ),
            ("x-kefu-timestamp", ts),
        ];
        let (status, answer) = self
            .transport
            .post(url, headers, body)
            .await
            .map_err(DeliveryError::Retry)?;
        match status {
            200..=299 => Ok(Delivered {
                remote_id: serde_json::from_slice::<serde_json::Value>(&answer)
                    .ok()
                    .and_then(|v| match v.get("id") {
                        Some(serde_json::Value::String(s)) => Some(s.clone()),
                        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                        _ => None,
                    }),
            }),
            408 | 429 | 500..=599 => Err(DeliveryError::Retry(format!(
                "the platform answered {status}"
            ))),
            _ => Err(DeliveryError::Permanent(format!(
                "the platform refused the delivery with {status}"
            ))),
        }
    }
}

/// What a webhook request did.
#[derive(Debug, Clone)]
pub enum WebhookOutcome {
    /// The message is on this ticket (a duplicate: it was before, nothing written now).
    Received(Box<super::inbound::Received>),
    /// Nothing for kefu in it; why.
    Ignored(String),
}

/// Most bytes of a refused payload kept in the inbox.
pub const INBOX_PAYLOAD_MAX_BYTES: usize = 64 * 1024;

/// A signed webhook request for channel `name` (see the module header): checks the
/// timestamp and signature, reads the payload (an unknown shape is kept in the inbox and
/// refused), and receives the message once.
pub async fn receive(
    core: &Core,
    name: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
) -> ServiceResult<WebhookOutcome> {
    let settings = &core.settings.channels;
    let (Some(config), Some(adapter)) = (settings.webhook(name), core.channels.get(name)) else {
        return Err(ServiceError::new(
            ErrorCode::ChannelNotFound,
            format!("No webhook channel {name:?} is configured."),
        ));
    };
    let skew = i64::try_from(settings.timestamp_skew.as_secs()).unwrap_or(i64::MAX);
    let now = jiff::Timestamp::now().as_second();
    if let Err(e) = super::signature::verify(&config.secret, timestamp, signature, body, now, skew)
    {
        tracing::info!(channel = %name, reason = %e, "webhook refused");
        let code = match e {
            SignatureError::Malformed | SignatureError::Mismatch => ErrorCode::SignatureInvalid,
            SignatureError::BadTimestamp
            | SignatureError::Expired
            | SignatureError::FromTheFuture => ErrorCode::TimestampOutOfRange,
        };
        return Err(ServiceError::new(
            code,
            format!("{}: {e}.", code.describe().1),
        ));
    }
    let message = match adapter.parse(body) {
        Ok(Inbound::Message(m)) => m,
        Ok(Inbound::Ignored(why)) => return Ok(WebhookOutcome::Ignored(why)),
        Err(e) => {
            // A cut character at the end becomes U+FFFD: the inbox keeps text.
            let end = body.len().min(INBOX_PAYLOAD_MAX_BYTES);
            let kept = RejectedPayload {
                adapter: name.to_owned(),
                reason: e.reason.clone(),
                payload: String::from_utf8_lossy(&body[..end]).into_owned(),
                at: jiff::Timestamp::now(),
            };
            let id = core.store.channels().keep_rejected(kept).await?;
            tracing::info!(channel = %name, inbox.id = id, reason = %e.reason, "webhook payload refused and kept");
            return Err(ServiceError::new(
                ErrorCode::PayloadUnrecognized,
                format!("{} (kept in the channel inbox as {id}).", e.reason),
            ));
        }
    };
    Ok(WebhookOutcome::Received(Box::new(
        super::inbound::receive(core, adapter.as_ref(), *message).await?,
    )))
}

/// Payloads kefu refused, newest first (admins).
pub async fn inbox(
    core: &Core,
    caller: &crate::Caller,
    limit: u32,
    before: Option<i64>,
) -> ServiceResult<Vec<kefu_store::RejectedRecord>> {
    caller.require(kefu_domain::AgentRole::Admin)?;
    Ok(core
        .store
        .channels()
        .rejected_payloads(limit.clamp(1, 200), before)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(body: &str) -> Result<InboundMessage, InboundError> {
        match parse(body.as_bytes())? {
            Inbound::Message(m) => Ok(*m),
            Inbound::Ignored(why) => Err(InboundError::new(why)),
        }
    }

    #[test]
    fn a_private_message_becomes_a_normalized_message() {
        let m = message(
            r#"{"type":"message","id":"m1","thread":"t1","user":{"id":"u1","name":"小王"},"text":"账号被封了"}"#,
        )
        .unwrap();
        assert_eq!(m.external_id, "m1");
        assert_eq!(m.visibility, Visibility::Private);
        assert_eq!(m.customer.external_id, "u1");
        assert_eq!(m.thread.as_deref(), Some("t1"));
        assert_eq!(m.body, "账号被封了");
    }

    #[test]
    fn a_direct_message_without_a_thread_is_in_the_users_direct_thread() {
        let m = message(r#"{"type":"message","id":"m2","user":{"id":"u1"},"text":"x"}"#).unwrap();
        assert_eq!(m.thread.as_deref(), Some("dm:u1"));
        let p = message(r#"{"type":"post","id":"p2","user":{"id":"u1"},"text":"x"}"#).unwrap();
        assert_eq!(p.thread, None);
    }

    #[test]
    fn posts_and_comments_are_public_and_pings_are_ignored() {
        for kind in ["post", "comment"] {
            let body = format!(r#"{{"type":"{kind}","id":"p1","user":{{"id":"u"}},"text":"x"}}"#);
            assert_eq!(message(&body).unwrap().visibility, Visibility::Public);
        }
        assert!(matches!(
            parse(br#"{"type":"ping"}"#),
            Ok(Inbound::Ignored(_))
        ));
    }

    #[test]
    fn unknown_shapes_are_refused_with_the_reason() {
        for (body, says) in [
            ("not json", "not a payload"),
            (r#"{"type":"like","id":"1"}"#, "unknown type \"like\""),
            (
                r#"{"type":"message","id":"1","text":"x"}"#,
                "`user` is required",
            ),
            (
                r#"{"type":"message","user":{"id":"u"},"text":"x"}"#,
                "`id` is required",
            ),
            (
                r#"{"type":"message","id":"1","user":{"id":"u"}}"#,
                "`text` is required",
            ),
            (
                r#"{"type":"message","id":"1","user":{"id":" "},"text":"x"}"#,
                "user.id",
            ),
            (r#"{"kind":"message"}"#, "not a payload"),
            (
                r#"{"type":"message","id":"1","user":{"id":"u"},"text":"x","context":[1]}"#,
                "context",
            ),
        ] {
            let err = message(body).unwrap_err();
            assert!(err.reason.contains(says), "{body}: {}", err.reason);
        }
    }
}
