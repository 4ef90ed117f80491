//! The audit log: every admin and knowledge-base change, with who did it, what, to what and
//! when — as a ticket's event log has for ticket changes. Admins read it ([`list`]).
//!
//! | action | subject | written |
//! |---|---|---|
//! | `agent.created` | `agent:<id>` | with the change (same transaction) |
//! | `agent.updated` (`fields` changed, new values; never a password or hash) | `agent:<id>` | with the change |
//! | `agent.sessions_revoked` | `agent:<id>` | right after (a second store step) |
//! | `team.created` | `team:<id>` | right after |
//! | `category.changed` | `category:<code>` | right after |
//! | `sla_policy.changed` | `sla_policy:<category or *>:<priority>` | with the change |
//! | `api_key.created` / `api_key.revoked` | `api_key:<id>` | with the change |
//! | `kb.article.saved` / `kb.article.published` (slug, version) | `article:<slug>` | with the change |
//! | `kb.imported` (counts) | — | with the change |
//! | `job.retried` | `job:<id>` | right after |
//! | `roster.changed` | `agent:<id>` | right after |
//! | `auth.locked` | `agent:<id>` when the account exists | right after (the lock is in memory) |
//! | `review.opened` (by `system`: ticket, score, team) / `review.assigned` / `review.closed` | `review:<id>` | with the change ([`crate::reviews`]) |
//!
//! "With the change" rows use the store's `*_audited` steps: the row exists if and only if
//! the change committed. "Right after" rows are a second write: a crash between the two
//! loses the row (never the change), and a failure to write it is logged, not returned —
//! the change has happened, and an error would invite a client to repeat it.
//!
//! The actor is the staff member, or `system` for kefu itself: workers, the login guard,
//! and the CLI's admin commands (which run as [`Caller::System`] on the server's machine).

use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ServiceError, ServiceResult};
use kefu_domain::AgentRole;
pub use kefu_store::{AuditActor, AuditEntry, AuditRecord};
use kefu_store::{AuditFilter, AuditOf};

/// The largest page [`list`] returns.
pub const LIST_MAX: u32 = 200;
/// The page size when none is asked for.
pub const LIST_DEFAULT: u32 = 50;

/// Who a caller is in the audit log.
pub fn actor(caller: &Caller) -> AuditActor {
    match caller {
        Caller::Staff(s) => AuditActor::Agent(s.agent_id),
        _ => AuditActor::System,
    }
}

/// One row by `caller`, now.
pub fn entry(
    caller: &Caller,
    action: &str,
    subject: Option<String>,
    detail: serde_json::Value,
) -> AuditEntry {
    entry_by(actor(caller), action, subject, detail)
}

/// One row by `actor`, now.
pub fn entry_by(
    actor: AuditActor,
    action: &str,
    subject: Option<String>,
    detail: serde_json::Value,
) -> AuditEntry {
    AuditEntry {
        actor,
        action: action.to_owned(),
        subject,
        detail,
        at: jiff::Timestamp::now(),
    }
}

/// Rows built from a step's result, for the store's `*_audited` steps.
pub fn with<T>(f: impl FnOnce(&T) -> Vec<AuditEntry> + Send + 'static) -> AuditOf<T> {
    Box::new(f)
}

/// One known row for a step whose result adds nothing to it.
pub fn one<T>(e: AuditEntry) -> AuditOf<T> {
    Box::new(move |_| vec![e])
}

/// Writes a row after its change committed; a failure is logged, not returned (see the
/// module header).
pub async fn record(core: &Core, e: AuditEntry) {
    let action = e.action.clone();
    if let Err(err) = core.store.record_audit(vec![e]).await {
        tracing::warn!(audit.action = %action, error = %err, "audit row not written");
    }
}

// --- what the rows of admin steps say ------------------------------------------------------

/// The `agent.created` row of a new account: role, team, skills, capacity (no password).
pub(crate) fn agent_created(caller: &Caller) -> AuditOf<kefu_domain::Agent> {
    let by = actor(caller);
    with(move |a: &kefu_domain::Agent| {
        let detail = serde_json::json!({
            "role": a.role.as_str(), "team_id": a.team_id.map(|t| t.0),
            "skills": skill_names(&a.skills), "chat_capacity": a.chat_capacity,
        });
        vec![entry_by(
            by,
            "agent.created",
            Some(format!("agent:{}", a.id.0)),
            detail,
        )]
    })
}

/// The `api_key.created` row: name, channel, acting agent (never the token or its hash).
pub(crate) fn api_key_created(caller: &Caller) -> AuditOf<kefu_store::Credential> {
    let by = actor(caller);
    with(move |k: &kefu_store::Credential| {
        let detail = serde_json::json!({
            "name": k.name, "channel": k.channel.map(|c| c.as_str()),
            "agent_id": k.agent_id.map(|a| a.0),
        });
        vec![entry_by(
            by,
            "api_key.created",
            Some(format!("api_key:{}", k.id.0)),
            detail,
        )]
    })
}

fn skill_names(skills: &[kefu_domain::Skill]) -> Vec<String> {
    skills
        .iter()
        .map(|s| format!("{}={}", s.name, s.level))
        .collect()
}

/// What an `agent.updated` row says: the names of the changed fields and the new values of
/// all but the password (whose hash never leaves the store step).
pub(crate) fn agent_changes(p: &kefu_store::AgentPatch) -> serde_json::Value {
    let mut fields = Vec::new();
    let mut detail = serde_json::Map::new();
    let mut put = |name: &'static str, value: Option<serde_json::Value>| {
        if let Some(v) = value {
            fields.push(name);
            detail.insert(name.to_owned(), v);
        }
    };
    put("display_name", p.display_name.clone().map(Into::into));
    put("role", p.role.map(|r| r.as_str().into()));
    put("team_id", p.team_id.map(|t| t.map(|t| t.0).into()));
    put(
        "skills",
        p.skills.as_ref().map(|s| {
            s.iter()
                .map(|s| format!("{}={}", s.name, s.level))
                .collect::<Vec<_>>()
                .into()
        }),
    );
    put("chat_capacity", p.chat_capacity.map(Into::into));
    put("active", p.active.map(Into::into));
    if p.password_hash.is_some() {
        fields.push("password");
    }
    detail.insert("fields".to_owned(), fields.into());
    detail.into()
}

/// Which rows to list; every key is matched exactly when given.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery<'a> {
    /// `agent:<id>`, a bare agent id, or `system`.
    pub actor: Option<&'a str>,
    pub action: Option<&'a str>,
    pub subject: Option<&'a str>,
    /// The `id` of the last row of the previous page.
    pub cursor: Option<i64>,
    /// 1–[`LIST_MAX`], default [`LIST_DEFAULT`].
    pub limit: Option<u32>,
}

/// A page of the audit log, newest first, with the cursor of the next page (admins).
pub async fn list(
    core: &Core,
    caller: &Caller,
    q: AuditQuery<'_>,
) -> ServiceResult<(Vec<AuditRecord>, Option<i64>)> {
    caller.require(AgentRole::Admin)?;
    let limit = q.limit.unwrap_or(LIST_DEFAULT);
    if !(1..=LIST_MAX).contains(&limit) {
        return Err(ServiceError::field(
            "limit",
            format!("must be from 1 to {LIST_MAX}"),
        ));
    }
    let actor = match q.actor.map(str::trim) {
        None => None,
        Some(a) => Some(
            a.parse::<i64>()
                .ok()
                .map(|id| AuditActor::Agent(kefu_domain::AgentId(id)))
                .or_else(|| AuditActor::from_key(a))
                .ok_or_else(|| {
                    ServiceError::field("actor", "must be agent:<id>, an agent id or system")
                })?,
        ),
    };
    for (field, value) in [("action", q.action), ("subject", q.subject)] {
        if value.is_some_and(|v| v.is_empty() || v.chars().count() > 200) {
            return Err(ServiceError::field(field, "must have 1 to 200 characters"));
        }
    }
    if q.cursor.is_some_and(|c| c < 1) {
        return Err(ServiceError::field(
            "cursor",
            "is not a cursor from a previous page",
        ));
    }
    let rows = core
        .store
        .audit_log(&AuditFilter {
            actor,
            action: q.action.map(str::to_owned),
            subject: q.subject.map(str::to_owned),
            before: q.cursor,
            limit,
        })
        .await?;
    let full = rows.len() == usize::try_from(limit).unwrap_or(usize::MAX);
    let next = rows.last().filter(|_| full).map(|r| r.id);
    Ok((rows, next))
}
