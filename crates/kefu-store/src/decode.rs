//! Turning rows into domain values, once for both backends. Row types stay private here.

use crate::{Credential, CredentialKind, StoreError, StoreResult};
use jiff::Timestamp;
use kefu_domain::{
    Actor, Agent, AgentId, ApiKeyId, Attachment, Category, CategoryCode, Channel, Customer,
    CustomerId, CustomerRef, EventId, EventKind, Message, MessageId, MessageKind, Priority, Skill,
    Team, TeamId, Ticket, TicketEvent, TicketId, TicketNumber, TicketStatus,
};
use sqlx::Row;

/// The few typed getters the decoders need, over either backend's row.
pub(crate) trait Get {
    fn i64(&self, col: &str) -> StoreResult<i64>;
    fn opt_i64(&self, col: &str) -> StoreResult<Option<i64>>;
    fn i32(&self, col: &str) -> StoreResult<i32>;
    fn text(&self, col: &str) -> StoreResult<String>;
    fn opt_text(&self, col: &str) -> StoreResult<Option<String>>;
}

macro_rules! impl_get {
    ($row:ty) => {
        impl Get for $row {
            fn i64(&self, col: &str) -> StoreResult<i64> {
                Ok(self.try_get::<i64, _>(col)?)
            }
            fn opt_i64(&self, col: &str) -> StoreResult<Option<i64>> {
                Ok(self.try_get::<Option<i64>, _>(col)?)
            }
            fn i32(&self, col: &str) -> StoreResult<i32> {
                Ok(self.try_get::<i32, _>(col)?)
            }
            fn text(&self, col: &str) -> StoreResult<String> {
                Ok(self.try_get::<String, _>(col)?)
            }
            fn opt_text(&self, col: &str) -> StoreResult<Option<String>> {
                Ok(self.try_get::<Option<String>, _>(col)?)
            }
        }
    };
}
impl_get!(sqlx::sqlite::SqliteRow);
impl_get!(sqlx::postgres::PgRow);

fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("stored {what} is not valid: {detail}"))
}

pub(crate) fn ts(ms: i64) -> StoreResult<Timestamp> {
    Timestamp::from_millisecond(ms).map_err(|e| corrupt("timestamp", e))
}

fn opt_ts(ms: Option<i64>) -> StoreResult<Option<Timestamp>> {
    ms.map(ts).transpose()
}

fn parse<T: std::str::FromStr>(what: &str, s: &str) -> StoreResult<T>
where
    T::Err: std::fmt::Display,
{
    s.parse().map_err(|e| corrupt(what, e))
}

fn json<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| corrupt(what, e))
}

/// Priority from its stored rank.
pub(crate) fn priority_from_rank(rank: i32) -> StoreResult<Priority> {
    Priority::ALL
        .into_iter()
        .find(|p| i32::from(p.rank()) == rank)
        .ok_or_else(|| corrupt("priority", rank))
}

pub(crate) fn ticket(r: &impl Get) -> StoreResult<Ticket> {
    Ok(Ticket {
        id: TicketId(r.i64("id")?),
        number: parse::<TicketNumber>("ticket number", &r.text("number")?)?,
        customer_id: CustomerId(r.i64("customer_id")?),
        channel: parse::<Channel>("channel", &r.text("channel")?)?,
        subject: r.text("subject")?,
        category: CategoryCode::parse(&r.text("category")?).map_err(|e| corrupt("category", e))?,
        priority: priority_from_rank(r.i32("priority")?)?,
        status: parse::<TicketStatus>("status", &r.text("status")?)?,
        assignee: r.opt_i64("assignee_id")?.map(AgentId),
        team: r.opt_i64("team_id")?.map(TeamId),
        context: json("context", &r.text("context")?)?,
        created_at: ts(r.i64("created_at")?)?,
        updated_at: ts(r.i64("updated_at")?)?,
        first_response_at: opt_ts(r.opt_i64("first_response_at")?)?,
        first_response_due: opt_ts(r.opt_i64("first_response_due")?)?,
        resolved_at: opt_ts(r.opt_i64("resolved_at")?)?,
    })
}

pub(crate) fn message(r: &impl Get) -> StoreResult<Message> {
    let (suggestions, survey) = crate::message_ops::meta_of(r.opt_text("meta")?.as_deref())?;
    Ok(Message {
        id: MessageId(r.i64("id")?),
        ticket_id: TicketId(r.i64("ticket_id")?),
        kind: parse::<MessageKind>("message kind", &r.text("kind")?)?,
        author_agent: r.opt_i64("author_agent_id")?.map(AgentId),
        body: r.text("body")?,
        attachments: json::<Vec<Attachment>>("attachments", &r.text("attachments")?)?,
        suggestions,
        survey,
        created_at: ts(r.i64("created_at")?)?,
    })
}

pub(crate) fn event(r: &impl Get) -> StoreResult<TicketEvent> {
    // The payload holds the kind's fields; the `kind` column is the tag.
    let mut payload: serde_json::Value = json("event payload", &r.text("payload")?)?;
    if let Some(obj) = payload.as_object_mut() {
        obj.insert("kind".into(), serde_json::Value::String(r.text("kind")?));
    }
    Ok(TicketEvent {
        id: EventId(r.i64("id")?),
        ticket_id: TicketId(r.i64("ticket_id")?),
        seq: r.i64("seq")?,
        actor: json::<Actor>("actor", &r.text("actor")?)?,
        kind: serde_json::from_value::<EventKind>(payload).map_err(|e| corrupt("event", e))?,
        at: ts(r.i64("at")?)?,
    })
}

pub(crate) fn customer(r: &impl Get) -> StoreResult<Customer> {
    Ok(Customer {
        id: CustomerId(r.i64("id")?),
        identity: CustomerRef {
            channel: parse::<Channel>("channel", &r.text("channel")?)?,
            external_id: r.text("external_id")?,
        },
        display_name: r.opt_text("display_name")?,
        email: r.opt_text("email")?,
        phone: r.opt_text("phone")?,
        language: r.text("language")?,
        created_at: ts(r.i64("created_at")?)?,
    })
}

pub(crate) fn agent(r: &impl Get) -> StoreResult<Agent> {
    Ok(Agent {
        id: AgentId(r.i64("id")?),
        email: r.text("email")?,
        display_name: r.text("display_name")?,
        role: parse("role", &r.text("role")?)?,
        team_id: r.opt_i64("team_id")?.map(TeamId),
        skills: json::<Vec<Skill>>("skills", &r.text("skills")?)?,
        chat_capacity: u16::try_from(r.i32("chat_capacity")?)
            .map_err(|e| corrupt("capacity", e))?,
        active: r.i32("active")? != 0,
        created_at: ts(r.i64("created_at")?)?,
    })
}

pub(crate) fn team(r: &impl Get) -> StoreResult<Team> {
    Ok(Team {
        id: TeamId(r.i64("id")?),
        code: r.text("code")?,
        name: r.text("name")?,
        specialist: r.i32("specialist")? != 0,
    })
}

pub(crate) fn category(r: &impl Get) -> StoreResult<Category> {
    Ok(Category {
        code: CategoryCode::parse(&r.text("code")?).map_err(|e| corrupt("category", e))?,
        name_zh: r.text("name_zh")?,
        name_en: r.text("name_en")?,
        specialist_team: r.opt_text("specialist_team")?,
        always_human: r.i32("always_human")? != 0,
        requires_certification: r.i32("requires_certification")? != 0,
    })
}

pub(crate) fn credential(r: &impl Get) -> StoreResult<Credential> {
    let kind = match r.text("kind")?.as_str() {
        "session" => CredentialKind::Session,
        "api_key" => CredentialKind::ApiKey,
        other => return Err(corrupt("credential kind", other)),
    };
    Ok(Credential {
        id: ApiKeyId(r.i64("id")?),
        kind,
        agent_id: r.opt_i64("agent_id")?.map(AgentId),
        channel: r
            .opt_text("channel")?
            .map(|c| parse::<Channel>("channel", &c))
            .transpose()?,
        name: r.text("name")?,
        created_at: ts(r.i64("created_at")?)?,
        expires_at: opt_ts(r.opt_i64("expires_at")?)?,
        revoked_at: opt_ts(r.opt_i64("revoked_at")?)?,
    })
}

pub(crate) fn job(r: &impl Get) -> StoreResult<crate::Job> {
    let count = |col: &str| -> StoreResult<u32> {
        let v = r.i32(col)?;
        u32::try_from(v).map_err(|e| corrupt(col, e))
    };
    Ok(crate::Job {
        id: crate::JobId(r.i64("id")?),
        kind: r.text("kind")?,
        payload: json("job payload", &r.text("payload")?)?,
        ordering_key: r.opt_text("ordering_key")?,
        dedupe_key: r.opt_text("dedupe_key")?,
        run_at: ts(r.i64("run_at")?)?,
        attempts: count("attempts")?,
        max_attempts: count("max_attempts")?,
        leased_by: r.opt_text("leased_by")?,
        lease_until: opt_ts(r.opt_i64("lease_until")?)?,
        last_error: r.opt_text("last_error")?,
        dead_at: opt_ts(r.opt_i64("dead_at")?)?,
        created_at: ts(r.i64("created_at")?)?,
    })
}
