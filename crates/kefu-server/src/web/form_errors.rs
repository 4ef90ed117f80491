//! The online form's refusals as the reader sees them: each refused field by its label, what
//! it needs in the page's language (the service's messages are English, for the API), and
//! the id of its input, so the list links to it and the input is marked invalid.

use super::texts::chat::ChatTexts;
use kefu_service::ServiceError;
use kefu_service::online_form::{self, FieldKind, OnlineForm};
use serde::Serialize;

/// A refused field.
#[derive(Debug, Serialize)]
pub struct FieldErrorView {
    pub label: String,
    pub message: String,
    /// The id of the field's input, when the form has one.
    pub target: Option<String>,
}

/// The label of a field the service named.
fn label_of(t: &ChatTexts, field: &str) -> String {
    match field {
        "category" => t.form_domain.to_owned(),
        "description" | "body" => t.form_description.to_owned(),
        "contact" | "customer.email" | "customer.phone" => t.form_contact.to_owned(),
        f if is_images(f) => t.form_images.to_owned(),
        f => t.field_label(f).to_owned(),
    }
}

fn is_images(field: &str) -> bool {
    field == "images" || field == "file" || field.starts_with("attachments")
}

/// The id of the input of a field the service named (see form.html).
fn target_of(field: &str, form: &OnlineForm) -> Option<String> {
    match field {
        "category" => Some("category".into()),
        "description" | "body" => Some("description".into()),
        "contact" | "customer.email" | "customer.phone" => Some("contact".into()),
        f if is_images(f) => Some("images".into()),
        f => online_form::fields_of(&form.category)
            .find(|d| d.name == f)
            .map(|d| format!("f-{}-{}", d.category, d.name)),
    }
}

/// What a refused field needs, in the reader's language; the service's words for a field
/// the form does not know.
fn message_of(t: &ChatTexts, field: &str, service_message: &str, form: &OnlineForm) -> String {
    let text = match field {
        "category" => t.form_msg_category,
        "description" | "body" => t.form_msg_description,
        "contact" | "customer.email" | "customer.phone" => t.form_msg_contact,
        f if is_images(f) => t.form_msg_images,
        f => match online_form::fields_of(&form.category).find(|d| d.name == f) {
            Some(d) => {
                let given = form
                    .fields
                    .iter()
                    .any(|(n, v)| n == f && !v.trim().is_empty());
                match d.kind {
                    _ if !given => t.form_msg_required,
                    FieldKind::AccountId => t.form_msg_account_id,
                    FieldKind::Link => t.form_msg_link,
                    FieldKind::Number => t.form_msg_number,
                }
            }
            None => return service_message.to_owned(),
        },
    };
    text.to_owned()
}

/// The refusal `e` of `form`, field by field.
pub fn refused(t: &ChatTexts, e: &ServiceError, form: &OnlineForm) -> Vec<FieldErrorView> {
    if e.errors.is_empty() {
        return vec![FieldErrorView {
            label: t.form_title.to_owned(),
            message: e.detail.clone(),
            target: None,
        }];
    }
    e.errors
        .iter()
        .map(|f| FieldErrorView {
            label: label_of(t, &f.field),
            message: message_of(t, &f.field, &f.message, form),
            target: target_of(&f.field, form),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_service::Lang;

    #[test]
    fn every_field_the_service_names_has_a_label() {
        let t = ChatTexts::of(Lang::En);
        assert_eq!(label_of(t, "category"), t.form_domain);
        assert_eq!(label_of(t, "customer.email"), t.form_contact);
        assert_eq!(label_of(t, "attachments[0].id"), t.form_images);
        assert_eq!(label_of(t, "room_id"), t.field_room_id);
    }

    #[test]
    fn a_domain_field_says_whether_it_is_missing_or_malformed_and_links_to_its_input() {
        let t = ChatTexts::of(Lang::Zh);
        let mut form = OnlineForm {
            category: "live_streaming".into(),
            ..OnlineForm::default()
        };
        assert_eq!(message_of(t, "room_id", "x", &form), t.form_msg_required);
        form.fields = vec![("room_id".into(), "abc".into())];
        assert_eq!(message_of(t, "room_id", "x", &form), t.form_msg_number);
        assert_eq!(
            target_of("room_id", &form).as_deref(),
            Some("f-live_streaming-room_id")
        );
        assert_eq!(message_of(t, "contact", "x", &form), t.form_msg_contact);
        assert_eq!(target_of("contact", &form).as_deref(), Some("contact"));
        assert_eq!(message_of(t, "other", "as said", &form), "as said");
        assert_eq!(target_of("other", &form), None);
    }
}
