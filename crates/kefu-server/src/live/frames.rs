//! The live channel's JSON frames (docs/LIVE.md): what a client may send, checked field by
//! field, and what the server sends, with events shown as the API shows them.

use crate::api::v1::customer::{CustomerMessagePageItem, message_view};
use crate::api::v1::types::MessageView;
use crate::extract::parse_json;
use kefu_domain::TicketNumber;
use kefu_service::live::{Change, CustomerChange, LiveEvent, QueueUpdate, Side};
use kefu_service::lookup::parse_number;
use kefu_service::{ErrorCode, ServiceError};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Longest credential a client may send in `auth`.
const CREDENTIAL_MAX_CHARS: usize = 512;

/// A frame's `type`, read first; the frame is then read as that type's fields (one struct
/// per type rather than a tagged enum, so a bad field is named by its path).
#[derive(Debug, Deserialize)]
struct Head {
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthWire {
    #[serde(rename = "type")]
    _kind: String,
    token: Option<String>,
    lookup_code: Option<String>,
    customer_id: Option<String>,
    app_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscribeWire {
    #[serde(rename = "type")]
    _kind: String,
    ticket: String,
    last_seq: Option<i64>,
}

/// `unsubscribe` and `typing`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TicketWire {
    #[serde(rename = "type")]
    _kind: String,
    ticket: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PongWire {
    #[serde(rename = "type")]
    _kind: String,
}

/// The frame types a client may send.
const CLIENT_TYPES: &str = "auth, subscribe, unsubscribe, typing or pong";

/// A checked frame from the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientFrame {
    Auth(super::auth::Credentials),
    Subscribe {
        ticket: TicketNumber,
        last_seq: Option<i64>,
    },
    Unsubscribe {
        ticket: TicketNumber,
    },
    Typing {
        ticket: TicketNumber,
    },
    Pong,
}

/// Parses and checks a client's text frame; the error names the bad field.
pub fn parse(text: &str) -> Result<ClientFrame, ServiceError> {
    let bytes = text.as_bytes();
    let read = |e: crate::problem::ApiError| e.0;
    let head: Head = parse_json(bytes).map_err(read)?;
    let ticket = |t: &str| parse_number(t).map_err(|e| ServiceError::field("ticket", e.detail));
    Ok(match head.kind.as_str() {
        "auth" => {
            let w: AuthWire = parse_json(bytes).map_err(read)?;
            ClientFrame::Auth(super::auth::Credentials {
                token: credential("token", w.token)?,
                lookup_code: credential("lookup_code", w.lookup_code)?,
                customer_id: credential("customer_id", w.customer_id)?,
                app_token: credential("app_token", w.app_token)?,
            })
        }
        "subscribe" => {
            let w: SubscribeWire = parse_json(bytes).map_err(read)?;
            if w.last_seq.is_some_and(|s| s < 0) {
                return Err(ServiceError::field("last_seq", "must be 0 or more"));
            }
            ClientFrame::Subscribe {
                ticket: ticket(&w.ticket)?,
                last_seq: w.last_seq,
            }
        }
        "unsubscribe" => {
            let w: TicketWire = parse_json(bytes).map_err(read)?;
            ClientFrame::Unsubscribe {
                ticket: ticket(&w.ticket)?,
            }
        }
        "typing" => {
            let w: TicketWire = parse_json(bytes).map_err(read)?;
            ClientFrame::Typing {
                ticket: ticket(&w.ticket)?,
            }
        }
        "pong" => {
            let _: PongWire = parse_json(bytes).map_err(read)?;
            ClientFrame::Pong
        }
        _ => {
            return Err(ServiceError::field(
                "type",
                format!("must be {CLIENT_TYPES}"),
            ));
        }
    })
}

/// A trimmed credential of bounded length, if sent.
fn credential(field: &str, v: Option<String>) -> Result<Option<String>, ServiceError> {
    match v.map(|v| v.trim().to_owned()) {
        Some(v) if v.is_empty() => Err(ServiceError::field(field, "must not be empty")),
        Some(v) if v.chars().count() > CREDENTIAL_MAX_CHARS => Err(ServiceError::field(
            field,
            format!("must be at most {CREDENTIAL_MAX_CHARS} characters"),
        )),
        v => Ok(v),
    }
}

/// A frame to the client.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// Authenticated: which side the client is on, and the heartbeat it will get.
    Ready {
        side: &'static str,
        heartbeat_seconds: u64,
        idle_timeout_seconds: u64,
    },
    /// Following `ticket`; every event up to `seq` was sent (resume from it).
    Subscribed {
        ticket: String,
        seq: i64,
    },
    /// No longer following `ticket` (`requested`, or `moved` away from this staff member).
    Unsubscribed {
        ticket: String,
        reason: &'static str,
    },
    Event {
        ticket: String,
        seq: i64,
        kind: &'static str,
        at: jiff::Timestamp,
        payload: Value,
    },
    Queue {
        ticket: String,
        position: u64,
        eta_minutes: Option<i64>,
    },
    Typing {
        ticket: String,
        side: &'static str,
    },
    Ping {},
    Error {
        code: &'static str,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        field: Option<String>,
        /// The ticket a `subscribe`, `unsubscribe` or `typing` was about.
        #[serde(skip_serializing_if = "Option::is_none")]
        ticket: Option<String>,
    },
}

impl ServerFrame {
    pub fn text(&self) -> String {
        // Serializing these types cannot fail (string keys, no maps of other keys).
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn error(e: &ServiceError, ticket: Option<&TicketNumber>) -> Self {
        let message = if e.code == ErrorCode::Internal {
            "Something went wrong on our side.".to_owned()
        } else {
            e.detail.clone()
        };
        Self::Error {
            code: e.code.as_str(),
            message,
            field: e.errors.first().map(|f| f.field.clone()),
            ticket: ticket.map(TicketNumber::as_string),
        }
    }

    pub fn event(e: &LiveEvent) -> Self {
        Self::Event {
            ticket: e.number.as_string(),
            seq: e.seq,
            kind: e.change.kind_name(),
            at: e.at,
            payload: payload(&e.change),
        }
    }

    pub fn queue(q: &QueueUpdate) -> Self {
        Self::Queue {
            ticket: q.number.as_string(),
            position: q.position,
            eta_minutes: q.eta_minutes,
        }
    }

    pub fn typing(number: &TicketNumber, side: Side) -> Self {
        Self::Typing {
            ticket: number.as_string(),
            side: side.as_str(),
        }
    }
}

/// An event's payload as the API shows it: for staff the event log entry (`actor`,
/// `change`) and the message it added; for customers what their ticket view shows.
fn payload(change: &Change) -> Value {
    match change {
        Change::Staff {
            actor,
            kind,
            message,
        } => json!({
            "actor": actor,
            "change": kind,
            "message": message.as_ref().map(MessageView::from),
        }),
        Change::Customer(c) => match c {
            CustomerChange::Opened
            | CustomerChange::HandedOff
            | CustomerChange::Escalated
            | CustomerChange::SentBack => json!({}),
            CustomerChange::MessageAdded(m) => json!({
                "message": CustomerMessagePageItem { id: m.id.0, message: message_view(m) },
            }),
            CustomerChange::StatusChanged { from, to, progress } => json!({
                "from": from,
                "to": to,
                "progress": progress,
            }),
            CustomerChange::Assigned { agent_name }
            | CustomerChange::Transferred { agent_name } => {
                json!({ "agent_name": agent_name })
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(text: &str) -> Option<String> {
        parse(text)
            .unwrap_err()
            .errors
            .first()
            .map(|f| f.field.clone())
    }

    fn number() -> String {
        TicketNumber::new(jiff::civil::date(2026, 11, 30), 1).grouped()
    }

    #[test]
    fn good_frames_parse() {
        assert_eq!(parse(r#"{"type":"pong"}"#).unwrap(), ClientFrame::Pong);
        let text = format!(
            r#"{{"type":"subscribe","ticket":"{}","last_seq":3}}"#,
            number()
        );
        let f = parse(&text);
        assert!(
            matches!(
                f,
                Ok(ClientFrame::Subscribe {
                    last_seq: Some(3),
                    ..
                })
            ),
            "{f:?}"
        );
    }

    #[test]
    fn bad_frames_name_the_field() {
        assert_eq!(field(r#"{"type":"dance"}"#).as_deref(), Some("type"));
        assert_eq!(field(r#"{"ticket":"1"}"#).as_deref(), Some("type"));
        assert_eq!(field(r#"{"type":"subscribe"}"#).as_deref(), Some("ticket"));
        assert_eq!(
            field(r#"{"type":"subscribe","ticket":"12"}"#).as_deref(),
            Some("ticket")
        );
        let n = number();
        let subscribe = |rest: &str| format!(r#"{{"type":"subscribe","ticket":"{n}"{rest}}}"#);
        assert_eq!(
            field(&subscribe(r#","last_seq":-1"#)).as_deref(),
            Some("last_seq")
        );
        assert_eq!(
            field(&subscribe(r#","last_seq":"x""#)).as_deref(),
            Some("last_seq")
        );
        assert_eq!(field(&subscribe(r#","extra":1"#)).as_deref(), Some("extra"));
        assert_eq!(
            field(r#"{"type":"auth","token":"  "}"#).as_deref(),
            Some("token")
        );
        assert!(parse("not json").is_err());
        assert!(parse("[]").is_err());
    }
}
