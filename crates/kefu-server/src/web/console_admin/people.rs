//! What the people and catalogue pages (categories, teams, agents, skills) share: their
//! texts beside the page's values, and a refused form's fields as the page shows them —
//! each message next to its input — instead of the console's error page.

use super::super::console::Console;
use super::super::texts::console_people::{PeopleTexts, zh_field_message};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_service::{ErrorCode, Lang, ServiceError};
use serde::Serialize;
use std::collections::BTreeMap;

/// A page's values with the people texts of its language (`p` in the templates).
#[derive(Serialize)]
struct WithPeople<T: Serialize> {
    p: &'static PeopleTexts,
    #[serde(flatten)]
    page: T,
}

/// Renders one of these pages inside the console's layout, with `status` (200, or the
/// refusal's 4xx when a form comes back with its fields marked).
pub fn people_page<T: Serialize>(
    console: &Console,
    current: &str,
    status: StatusCode,
    template: &str,
    value: T,
) -> Response {
    console.page(
        current,
        status,
        template,
        WithPeople {
            p: PeopleTexts::of(console.lang.lang),
            page: value,
        },
    )
}

/// A refused form's fields: the form's field name → what it needs (the service's words).
pub type FieldErrors = BTreeMap<String, String>;

/// The fields `e` refuses, by the names the forms use (every `skills[i].…` is the skills
/// fieldset), each with what it needs in `lang`; `None` when it names no field (the error
/// page answers then).
pub fn field_errors(e: &ServiceError, lang: Lang) -> Option<FieldErrors> {
    if e.errors.is_empty() {
        return None;
    }
    let duplicate = e.code == ErrorCode::Duplicate;
    let mut out = FieldErrors::new();
    for f in &e.errors {
        let name = if f.field.starts_with("skills") {
            "skills"
        } else {
            f.field.as_str()
        };
        let message = match lang {
            Lang::Zh => zh_field_message(name, duplicate).unwrap_or(&f.message),
            Lang::En => &f.message,
        };
        out.entry(name.to_owned())
            .and_modify(|m: &mut String| {
                if !m.contains(message) {
                    m.push_str("; ");
                    m.push_str(message);
                }
            })
            .or_insert_with(|| message.to_owned());
    }
    Some(out)
}

/// The status a refused form comes back with (422 for bad fields, 409 for a duplicate).
pub fn refused_status(e: &ServiceError) -> StatusCode {
    crate::problem::status(e.code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_service::error::FieldError;

    #[test]
    fn every_skill_field_is_the_skills_fieldset_and_messages_join() {
        let e = ServiceError::fields(vec![
            FieldError {
                field: "skills[0].name".into(),
                message: "bad name".into(),
            },
            FieldError {
                field: "skills[1].level".into(),
                message: "bad level".into(),
            },
            FieldError {
                field: "email".into(),
                message: "bad e-mail".into(),
            },
        ]);
        let f = field_errors(&e, Lang::En).expect("fields");
        assert_eq!(f["skills"], "bad name; bad level");
        assert_eq!(f["email"], "bad e-mail");
        assert_eq!(f.len(), 2);
        let zh = field_errors(&e, Lang::Zh).expect("fields");
        assert_eq!(
            zh["skills"], "等级须为 1–5，且已认证的分类须选等级",
            "said once"
        );
        assert_eq!(zh["email"], "请填写有效的邮箱地址");
    }

    #[test]
    fn a_taken_email_is_said_so_and_an_unknown_field_keeps_the_service_words() {
        let taken = ServiceError::new(ErrorCode::Duplicate, "exists").with_field("email");
        assert_eq!(
            field_errors(&taken, Lang::Zh).expect("fields")["email"],
            "这个邮箱已有账号"
        );
        let other = ServiceError::field("something_else", "needs care");
        assert_eq!(
            field_errors(&other, Lang::Zh).expect("fields")["something_else"],
            "needs care"
        );
    }

    #[test]
    fn an_error_without_fields_is_for_the_error_page() {
        let e = ServiceError::new(ErrorCode::Forbidden, "no");
        assert!(field_errors(&e, Lang::Zh).is_none());
    }
}
