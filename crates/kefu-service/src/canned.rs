//! Canned replies: any staff member reads them (the console lists them, filled in for the
//! ticket at hand with [`filled`]); admins create, change and delete them. Titles are unique
//! per language; bodies may use only the known variables
//! ([`kefu_domain::canned_reply::VARIABLES`]), so a typo is refused when saving rather than
//! sent to a customer.

use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::validate::Checks;
use jiff::Timestamp;
use kefu_domain::canned_reply::{self, BODY_MAX_CHARS, TITLE_MAX_CHARS, VARIABLES};
use kefu_domain::{AgentRole, CannedReply, ReplyValues};
use kefu_store::{CannedReplyPatch, NewCannedReply, StoreError};

/// The languages a canned reply may be written in.
pub const LANGS: &[&str] = &["zh-CN", "en"];

/// What an admin sends to create or change a canned reply (`None`: keep as is).
#[derive(Debug, Clone, Default)]
pub struct CannedReplyInput {
    pub lang: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
}

fn not_found(id: i64) -> ServiceError {
    ServiceError::new(
        ErrorCode::CannedReplyNotFound,
        format!("No canned reply {id}."),
    )
}

fn store_error(id: i64, e: StoreError) -> ServiceError {
    match e {
        StoreError::NotFound => not_found(id),
        StoreError::Conflict(kefu_store::Conflict::Duplicate(_)) => ServiceError::field(
            "title",
            "this language has a canned reply with that title already",
        ),
        other => other.into(),
    }
}

/// Checks the fields given; `required` for create.
fn checked(input: &CannedReplyInput, required: bool) -> ServiceResult<CannedReplyPatch> {
    let mut c = Checks::default();
    let lang = match input.lang.as_deref().map(str::trim) {
        Some(l) if LANGS.contains(&l) => Some(l.to_owned()),
        Some(_) => {
            c.fail("lang", format!("must be one of {}", LANGS.join(", ")));
            None
        }
        None if required => {
            c.fail("lang", "is required");
            None
        }
        None => None,
    };
    let title = match input.title.as_deref() {
        Some(t) => Some(c.text("title", t, 1, TITLE_MAX_CHARS)),
        None if required => Some(c.text("title", "", 1, TITLE_MAX_CHARS)),
        None => None,
    };
    let body = match input.body.as_deref() {
        Some(b) => {
            let b = c.text("body", b, 1, BODY_MAX_CHARS);
            let unknown = canned_reply::unknown_variables(&b);
            if !unknown.is_empty() {
                c.fail(
                    "body",
                    format!(
                        "unknown variable {{{}}}; known: {}",
                        unknown.join("}, {"),
                        VARIABLES
                            .iter()
                            .map(|v| format!("{{{v}}}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
            Some(b)
        }
        None if required => Some(c.text("body", "", 1, BODY_MAX_CHARS)),
        None => None,
    };
    c.finish()?;
    Ok(CannedReplyPatch {
        lang,
        title,
        body,
        at: Some(Timestamp::now()),
    })
}

/// Every canned reply, or those of one language (any staff).
pub async fn list(
    core: &Core,
    caller: &Caller,
    lang: Option<&str>,
) -> ServiceResult<Vec<CannedReply>> {
    caller.require(AgentRole::Agent)?;
    let all = core.store.canned_replies().await?;
    Ok(match lang {
        Some(l) => all.into_iter().filter(|r| r.lang == l).collect(),
        None => all,
    })
}

/// One canned reply (any staff).
pub async fn get(core: &Core, caller: &Caller, id: i64) -> ServiceResult<CannedReply> {
    caller.require(AgentRole::Agent)?;
    core.store
        .canned_reply(id)
        .await
        .map_err(|e| store_error(id, e))
}

/// Creates a canned reply (admins).
pub async fn create(
    core: &Core,
    caller: &Caller,
    input: CannedReplyInput,
) -> ServiceResult<CannedReply> {
    caller.require(AgentRole::Admin)?;
    let p = checked(&input, true)?;
    core.store
        .create_canned_reply(NewCannedReply {
            lang: p.lang.unwrap_or_default(),
            title: p.title.unwrap_or_default(),
            body: p.body.unwrap_or_default(),
            at: p.at.unwrap_or_else(Timestamp::now),
        })
        .await
        .map_err(|e| store_error(0, e))
}

/// Changes the fields given of a canned reply (admins).
pub async fn update(
    core: &Core,
    caller: &Caller,
    id: i64,
    input: CannedReplyInput,
) -> ServiceResult<CannedReply> {
    caller.require(AgentRole::Admin)?;
    let patch = checked(&input, false)?;
    core.store
        .update_canned_reply(id, patch)
        .await
        .map_err(|e| store_error(id, e))
}

/// Deletes a canned reply (admins).
pub async fn delete(core: &Core, caller: &Caller, id: i64) -> ServiceResult<()> {
    caller.require(AgentRole::Admin)?;
    core.store
        .delete_canned_reply(id)
        .await
        .map_err(|e| store_error(id, e))
}

/// A canned reply with its variables filled in.
#[derive(Debug, Clone)]
pub struct FilledReply {
    pub id: i64,
    pub title: String,
    pub text: String,
}

/// The canned replies of `lang` filled in with `values`.
pub fn filled(replies: &[CannedReply], lang: &str, values: &ReplyValues<'_>) -> Vec<FilledReply> {
    replies
        .iter()
        .filter(|r| r.lang == lang)
        .map(|r| FilledReply {
            id: r.id,
            title: r.title.clone(),
            text: canned_reply::expand(&r.body, values),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_needs_every_field_and_known_variables_only() {
        let e = checked(&CannedReplyInput::default(), true).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["lang", "title", "body"]);
        let e = checked(
            &CannedReplyInput {
                lang: Some("fr".into()),
                title: Some("x".into()),
                body: Some("Hi {custommer}".into()),
            },
            true,
        )
        .unwrap_err();
        assert_eq!(e.errors.len(), 2);
        assert!(
            e.errors[1].message.contains("{custommer}"),
            "{:?}",
            e.errors
        );
        let ok = checked(
            &CannedReplyInput {
                body: Some(" Hi {customer} ".into()),
                ..CannedReplyInput::default()
            },
            false,
        )
        .unwrap();
        assert_eq!(ok.body.as_deref(), Some("Hi {customer}"));
        assert!(ok.title.is_none() && ok.lang.is_none());
    }
}
