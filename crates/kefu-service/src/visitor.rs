//! Customers kefu vouches for itself: the web chat's visitors. A visitor is a random id the
//! server signs (HMAC under a key derived from the deployment's lookup secret, so every node
//! agrees) and hands to the browser in an HttpOnly cookie; the id names a customer identity
//! (`web_form` channel, external id `visitor:<id>`), and the tickets of that identity are the
//! visitor's. Entry points only verify the signed value and pass the identity on as
//! [`CustomerProof::Verified`]; what such a customer may do is decided here and in
//! [`crate::lookup`] (they own the tickets of their identity, like a channel's customer).
//!
//! A second source plugs in the same way: an app user's signed token (made by the app's
//! channel integration) verifies to `CustomerRef { channel: in_app, external_id: <user id> }`
//! and becomes the same [`CustomerProof::Verified`]; nothing below the verification changes.

use crate::caller::{Caller, CustomerProof};
use crate::core::Core;
use crate::credentials::{constant_time_eq, hex, hmac_sha256 as mac, lookup_code};
use crate::error::{ServiceError, ServiceResult};
use crate::inputs::{AttachmentInput, CustomerInput, NewTicketInput};
use crate::intake::{self, Intake};
use kefu_domain::{Channel, CustomerRef, Ticket};
use kefu_store::{CustomerLookup, TicketFilter, TicketSort};

/// The prefix of a visitor's external id (no channel integration makes ids like it: the
/// `web_form` channel's customers are all visitors).
const PREFIX: &str = "visitor:";

/// What a chat ticket carries in its context, so the chat finds its own conversation among
/// the visitor's tickets (online-form tickets are not chats).
pub const CHAT_VIA: &str = "chat";

/// Signs and verifies visitor ids.
pub struct VisitorKey(Vec<u8>);

impl VisitorKey {
    /// The key of a deployment, from its lookup secret.
    pub fn derive(secret: &[u8]) -> Self {
        Self(mac(secret, b"kefu web visitor v1"))
    }

    /// A new visitor: the signed value to store in the browser and the identity it names.
    pub fn issue(&self) -> (String, CustomerRef) {
        let id: [u8; 16] = rand::random();
        let id = hex(&id);
        let signed = format!("{id}.{}", hex(&mac(&self.0, id.as_bytes())));
        (signed, identity(&id))
    }

    /// The identity a signed value names, if this deployment signed it.
    pub fn verify(&self, signed: &str) -> Option<CustomerRef> {
        let (id, sig) = signed.split_once('.')?;
        let well_formed = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
        (well_formed && constant_time_eq(sig, &hex(&mac(&self.0, id.as_bytes()))))
            .then(|| identity(id))
    }
}

fn identity(id: &str) -> CustomerRef {
    CustomerRef {
        channel: Channel::WebForm,
        external_id: format!("{PREFIX}{id}"),
    }
}

/// The caller a verified identity acts as.
pub fn caller(who: CustomerRef) -> Caller {
    Caller::Customer(CustomerProof::Verified(who))
}

/// Who owns a verified customer's unbound uploads (and scopes their idempotency keys).
pub fn uploader(who: &CustomerRef) -> String {
    format!("customer:{}:{}", who.channel, who.external_id)
}

fn verified(caller: &Caller) -> ServiceResult<&CustomerRef> {
    match caller {
        Caller::Customer(CustomerProof::Verified(who)) => Ok(who),
        _ => Err(ServiceError::new(
            crate::ErrorCode::Unauthenticated,
            "This needs the visitor's signed cookie (or an app user's signed token).",
        )),
    }
}

/// A ticket of the caller's and its lookup code (which the customer may see: it is theirs).
#[derive(Debug, Clone)]
pub struct OwnTicket {
    pub ticket: Ticket,
    pub lookup_code: String,
}

/// How many of a visitor's newest tickets are looked through for their chat.
const RECENT: u32 = 20;

/// The visitor's chat: their newest ticket opened by the chat and not yet closed, if any.
pub async fn current_chat(core: &Core, caller: &Caller) -> ServiceResult<Option<OwnTicket>> {
    let who = verified(caller)?;
    let lookup = CustomerLookup::Identity(who.clone());
    let Some(customer) = core.store.find_customer(&lookup).await? else {
        return Ok(None);
    };
    let filter = TicketFilter {
        customer: Some(customer.id),
        sort: TicketSort::Newest,
        limit: RECENT,
        ..TicketFilter::default()
    };
    let chat = core
        .store
        .list_tickets(&filter)
        .await?
        .into_iter()
        .find(|t| {
            t.status != kefu_domain::TicketStatus::Closed
                && t.context.get("via").and_then(|v| v.as_str()) == Some(CHAT_VIA)
        });
    Ok(chat.map(|ticket| OwnTicket {
        lookup_code: lookup_code(&core.lookup_secret, &ticket.number),
        ticket,
    }))
}

/// What a visitor sends to open a ticket: the chat's first message, or the online form.
#[derive(Debug, Clone, Default)]
pub struct VisitorTicketInput {
    pub body: String,
    pub subject: Option<String>,
    pub category: Option<String>,
    /// BCP 47 tag of the page the visitor uses (the bot answers in it).
    pub language: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub attachments: Vec<AttachmentInput>,
    /// What the entry point adds (`via`, the form's per-domain fields), a JSON object.
    pub context: serde_json::Value,
    /// Makes a retried submission open one ticket.
    pub idempotency_key: Option<String>,
}

/// Opens a ticket for the visitor (bot first, like every `web_form` ticket).
pub async fn open_ticket(
    core: &Core,
    caller: &Caller,
    input: VisitorTicketInput,
) -> ServiceResult<Intake> {
    let who = verified(caller)?;
    // The fingerprint of a retry: what makes two submissions the same request.
    let fingerprint = serde_json::json!({
        "body": input.body, "subject": input.subject, "category": input.category,
        "context": input.context,
        "attachments": input.attachments.iter().map(|a| a.id.clone()).collect::<Vec<_>>(),
    })
    .to_string();
    let req = NewTicketInput {
        customer: CustomerInput {
            external_id: who.external_id.clone(),
            name: input.name,
            email: input.email,
            phone: input.phone,
            language: input.language,
        },
        channel: None,
        subject: input.subject,
        body: input.body,
        category: input.category,
        priority: None,
        attachments: input.attachments,
        context: Some(input.context),
    };
    intake::open_ticket(
        core,
        caller,
        req,
        fingerprint.as_bytes(),
        input.idempotency_key,
    )
    .await
}

/// The visitor's chat after their message.
#[derive(Debug, Clone)]
pub struct ChatTurn {
    pub chat: OwnTicket,
    /// Whether the message opened the chat (else it was added to the open one).
    pub opened: bool,
}

/// Opens the visitor's chat with its first message, or adds the message to the chat already
/// open (a second tab, a page that did not know yet), so a visitor has one chat at a time.
pub async fn start_chat(
    core: &Core,
    caller: &Caller,
    mut input: VisitorTicketInput,
) -> ServiceResult<ChatTurn> {
    if let Some(open) = current_chat(core, caller).await? {
        let message = crate::lookup::CustomerMessageInput {
            body: Some(input.body),
            attachments: input.attachments,
            pick: None,
        };
        crate::lookup::add_customer_message(core, caller, &open.ticket.number, message).await?;
        return Ok(ChatTurn {
            chat: open,
            opened: false,
        });
    }
    input.context = serde_json::json!({ "via": CHAT_VIA });
    let intake = open_ticket(core, caller, input).await?;
    Ok(ChatTurn {
        chat: OwnTicket {
            ticket: intake.ticket,
            lookup_code: intake.lookup_code,
        },
        opened: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_visitor_verifies_and_a_forged_or_foreign_one_does_not() {
        let key = VisitorKey::derive(b"secret");
        let (signed, who) = key.issue();
        assert_eq!(key.verify(&signed), Some(who.clone()));
        assert_eq!(who.channel, Channel::WebForm);
        assert!(who.external_id.starts_with("visitor:"));
        let (id, _) = signed.split_once('.').unwrap();
        assert_eq!(key.verify(&format!("{id}.{}", "0".repeat(64))), None);
        assert_eq!(key.verify(id), None, "unsigned");
        assert_eq!(key.verify(""), None);
        let foreign = VisitorKey::derive(b"other").issue().0;
        assert_eq!(key.verify(&foreign), None, "another deployment's");
        let (other, _) = key.issue();
        assert_ne!(other, signed, "every visitor is new");
    }

    #[test]
    fn only_a_verified_customer_is_a_visitor() {
        assert!(verified(&Caller::Anonymous).is_err());
        let code = Caller::Customer(CustomerProof::LookupCode("AAAA-BBBB".into()));
        assert!(verified(&code).is_err());
        let who = identity("ab");
        assert_eq!(verified(&caller(who.clone())).ok(), Some(&who));
    }
}
