//! The online form (留言/工单): a visitor picks a service domain, fills the fields that
//! domain needs (an account id for account issues, a video link for content appeals, a
//! live-room id for live issues …), describes the problem, leaves a contact and may attach
//! images. The rules of each field are here, once; the ticket opens through
//! [`crate::visitor::open_ticket`] with the fields in its context (`context.fields`), where
//! the agent finds them.

use crate::caller::Caller;
use crate::core::Core;
use crate::error::ServiceResult;
use crate::inputs::AttachmentInput;
use crate::validate::Checks;
use crate::visitor::{self, OwnTicket, VisitorTicketInput};
use kefu_domain::ticket::BODY_MAX_CHARS;

/// What a domain field holds, and so how it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// An account id or handle: 1–64 letters, digits, `_ . -`.
    AccountId,
    /// An `http(s)://` link.
    Link,
    /// Digits only, 1–20 of them.
    Number,
}

/// A field one domain asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomainField {
    /// The service domain (category code).
    pub category: &'static str,
    /// The form field's name (also its key in `context.fields`).
    pub name: &'static str,
    pub kind: FieldKind,
    pub required: bool,
}

/// The fields of every domain; a domain not listed asks for none.
pub const FIELDS: &[DomainField] = &[
    field("account", "account_id", FieldKind::AccountId, true),
    field("content_review", "video_link", FieldKind::Link, true),
    field("live_streaming", "room_id", FieldKind::Number, true),
    field("advertising", "campaign_id", FieldKind::Number, false),
    field(
        "creator_incentives",
        "account_id",
        FieldKind::AccountId,
        true,
    ),
    field("reports_complaints", "reported_link", FieldKind::Link, true),
];

const fn field(
    category: &'static str,
    name: &'static str,
    kind: FieldKind,
    required: bool,
) -> DomainField {
    DomainField {
        category,
        name,
        kind,
        required,
    }
}

/// The fields `category` asks for.
pub fn fields_of(category: &str) -> impl Iterator<Item = &'static DomainField> + '_ {
    FIELDS.iter().filter(move |f| f.category == category)
}

/// Shortest description, in characters (a few words say what happened).
pub const DESCRIPTION_MIN_CHARS: usize = 5;
/// Most images on one form.
pub const MAX_IMAGES: usize = 5;

/// The form as submitted.
#[derive(Debug, Clone, Default)]
pub struct OnlineForm {
    pub category: String,
    pub description: String,
    /// An e-mail address or a phone number.
    pub contact: String,
    /// The domain fields, by name (empty values count as absent).
    pub fields: Vec<(String, String)>,
    /// Uploaded images, by attachment id.
    pub images: Vec<String>,
    /// The page's language (BCP 47).
    pub language: Option<String>,
    pub idempotency_key: Option<String>,
}

fn check_value(c: &mut Checks, f: &DomainField, value: &str) {
    let ok = match f.kind {
        FieldKind::AccountId => {
            (1..=64).contains(&value.chars().count())
                && value
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "_.-".contains(ch))
        }
        FieldKind::Link => {
            let lower = value.to_ascii_lowercase();
            value.len() <= 2048
                && lower
                    .strip_prefix("https://")
                    .or_else(|| lower.strip_prefix("http://"))
                    .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace))
        }
        FieldKind::Number => {
            (1..=20).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
        }
    };
    if !ok {
        c.fail(
            f.name,
            match f.kind {
                FieldKind::AccountId => "must be 1–64 letters, digits, _ . or -",
                FieldKind::Link => "must be an http:// or https:// link",
                FieldKind::Number => "must be 1–20 digits",
            },
        );
    }
}

/// Checks the form and opens its ticket for the visitor (the caller).
pub async fn submit(core: &Core, caller: &Caller, form: OnlineForm) -> ServiceResult<OwnTicket> {
    let mut c = Checks::default();
    let category = c.text("category", &form.category, 1, 64);
    let known = core.catalogue().has_category(&category);
    if !category.is_empty() && !known {
        c.fail("category", "is not a service domain");
    }
    let description = c.text(
        "description",
        &form.description,
        DESCRIPTION_MIN_CHARS,
        BODY_MAX_CHARS,
    );
    let contact = c.text("contact", &form.contact, 1, 200);
    let (mut email, mut phone) = (None, None);
    if contact.contains('@') {
        email = Some(c.email("contact", &contact));
    } else if !contact.is_empty() {
        let digits = contact.chars().filter(char::is_ascii_digit).count();
        if (5..=20).contains(&digits)
            && contact
                .chars()
                .all(|ch| ch.is_ascii_digit() || "+-() ".contains(ch))
        {
            phone = Some(contact.clone());
        } else {
            c.fail("contact", "must be an e-mail address or a phone number");
        }
    }
    let mut fields = serde_json::Map::new();
    for (name, value) in &form.fields {
        let value = value.trim();
        match fields_of(&category).find(|f| f.name == name) {
            _ if value.is_empty() => {}
            Some(f) => {
                check_value(&mut c, f, value);
                fields.insert(f.name.to_owned(), value.into());
            }
            None => c.fail(name, "is not a field of this domain"),
        }
    }
    for f in fields_of(&category) {
        if f.required && !fields.contains_key(f.name) {
            c.fail(f.name, "is required for this domain");
        }
    }
    if form.images.len() > MAX_IMAGES {
        c.fail("images", format!("at most {MAX_IMAGES} images"));
    }
    c.finish()?;
    let input = VisitorTicketInput {
        body: description,
        subject: None,
        category: Some(category),
        language: form.language,
        name: None,
        email,
        phone,
        attachments: form
            .images
            .into_iter()
            .map(|id| AttachmentInput {
                id: Some(id),
                ..AttachmentInput::default()
            })
            .collect(),
        context: serde_json::json!({ "via": "form", "fields": fields }),
        idempotency_key: form.idempotency_key,
    };
    let intake = visitor::open_ticket(core, caller, input).await?;
    Ok(OwnTicket {
        ticket: intake.ticket,
        lookup_code: intake.lookup_code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(kind: FieldKind, value: &str) -> bool {
        let mut c = Checks::default();
        let f = field("x", "f", kind, true);
        check_value(&mut c, &f, value);
        c.finish().is_ok()
    }

    #[test]
    fn each_field_kind_takes_its_values_and_refuses_others() {
        assert!(checked(FieldKind::AccountId, "user_42.a-b"));
        assert!(!checked(FieldKind::AccountId, "<script>"));
        assert!(!checked(FieldKind::AccountId, &"a".repeat(65)));
        assert!(checked(FieldKind::Link, "https://v.example.com/video/1"));
        assert!(!checked(FieldKind::Link, "javascript:alert(1)"));
        assert!(!checked(FieldKind::Link, "https://"));
        assert!(checked(FieldKind::Number, "123456"));
        assert!(!checked(FieldKind::Number, "12a"));
        assert!(!checked(FieldKind::Number, ""));
    }

    #[test]
    fn every_domain_field_names_a_default_domain() {
        let codes: Vec<&str> = kefu_domain::category::DEFAULT_CATALOGUE
            .iter()
            .map(|c| c.0)
            .collect();
        for f in FIELDS {
            assert!(codes.contains(&f.category), "{}", f.category);
        }
    }
}
