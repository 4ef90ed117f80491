//! Reviews of low satisfaction scores: a score of 1–2 opens one for the supervisor of the
//! team that resolved the ticket ([`crate::survey::answer`]). Supervisors and admins list
//! them, give them to someone, and close them with an outcome. Every change is in the
//! ticket's event log (`review_opened`, `review_assigned`, `review_closed`) and in the
//! audit log (`review.opened`, `review.assigned`, `review.closed`, subject `review:<id>`),
//! both written with the change.

use crate::audit;
use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::validate::Checks;
use jiff::Timestamp;
use kefu_domain::{AgentId, AgentRole, TeamId, TicketNumber};
use kefu_store::{
    AnsweredSurvey, AuditOf, Review, ReviewChange, ReviewFilter, ReviewStatus, ReviewStep,
    StoreError,
};

/// Longest outcome, in characters.
pub const OUTCOME_MAX_CHARS: usize = 2_000;
/// The largest page of reviews.
pub const LIST_MAX: u32 = 200;

/// The `review.opened` row of an answer that opened a review (none otherwise).
pub(crate) fn opened_audit() -> AuditOf<AnsweredSurvey> {
    audit::with(|a: &AnsweredSurvey| {
        a.review
            .iter()
            .map(|r| {
                let detail = serde_json::json!({
                    "ticket_id": r.ticket.0, "score": r.score, "team_id": r.team.map(|t| t.0),
                });
                audit::entry_by(
                    audit::AuditActor::System,
                    "review.opened",
                    Some(subject(r.id)),
                    detail,
                )
            })
            .collect()
    })
}

/// A review with its ticket's number, as staff see it.
#[derive(Debug, Clone)]
pub struct TicketReview {
    pub review: Review,
    pub ticket_number: TicketNumber,
}

async fn with_number(core: &Core, review: Review) -> ServiceResult<TicketReview> {
    let ticket_number = core.store.ticket(review.ticket).await?.number;
    Ok(TicketReview {
        review,
        ticket_number,
    })
}

fn subject(id: i64) -> String {
    format!("review:{id}")
}

/// Which reviews to list, as the caller named them.
#[derive(Debug, Clone, Default)]
pub struct ReviewQuery<'a> {
    /// `open` or `closed`; any when absent.
    pub status: Option<&'a str>,
    pub team: Option<TeamId>,
    /// The `id` of the last review of the previous page.
    pub cursor: Option<i64>,
    /// 1–[`LIST_MAX`], default 50.
    pub limit: Option<u32>,
}

/// A page of reviews, oldest first (supervisors and admins).
pub async fn list(
    core: &Core,
    caller: &Caller,
    q: ReviewQuery<'_>,
) -> ServiceResult<Vec<TicketReview>> {
    caller.require(AgentRole::Supervisor)?;
    let status = match q.status.map(str::trim) {
        None => None,
        Some(s) => Some(
            ReviewStatus::parse(s)
                .ok_or_else(|| ServiceError::field("status", "must be open or closed"))?,
        ),
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=LIST_MAX).contains(&limit) {
        return Err(ServiceError::field(
            "limit",
            format!("must be from 1 to {LIST_MAX}"),
        ));
    }
    let filter = ReviewFilter {
        status,
        team: q.team,
        after: q.cursor,
        limit,
    };
    let mut out = Vec::new();
    for r in core.store.reviews(&filter).await? {
        out.push(with_number(core, r).await?);
    }
    Ok(out)
}

/// Gives a review to a staff member (supervisors and admins).
pub async fn assign(
    core: &Core,
    caller: &Caller,
    id: i64,
    agent: AgentId,
) -> ServiceResult<TicketReview> {
    caller.require(AgentRole::Supervisor)?;
    let detail = serde_json::json!({"agent_id": agent.0});
    change(
        core,
        caller,
        id,
        ReviewStep::Assign(agent),
        "review.assigned",
        detail,
    )
    .await
}

/// Closes a review with its outcome (supervisors and admins).
pub async fn close(
    core: &Core,
    caller: &Caller,
    id: i64,
    outcome: &str,
) -> ServiceResult<TicketReview> {
    caller.require(AgentRole::Supervisor)?;
    let mut c = Checks::default();
    let outcome = c.text("outcome", outcome, 1, OUTCOME_MAX_CHARS);
    c.finish()?;
    let detail = serde_json::json!({"outcome": outcome});
    change(
        core,
        caller,
        id,
        ReviewStep::Close(outcome),
        "review.closed",
        detail,
    )
    .await
}

async fn change(
    core: &Core,
    caller: &Caller,
    id: i64,
    step: ReviewStep,
    action: &'static str,
    detail: serde_json::Value,
) -> ServiceResult<TicketReview> {
    let is_assign = matches!(step, ReviewStep::Assign(_));
    let row = audit::entry(caller, action, Some(subject(id)), detail);
    let change = ReviewChange {
        review: id,
        step,
        actor: caller.actor(),
        at: Timestamp::now(),
    };
    let exists = core.store.review(id).await?.is_some();
    match core.store.change_review(change, audit::one(row)).await {
        Ok(r) => {
            core.events_written();
            tracing::info!(review.id = id, action, "review changed");
            with_number(core, r).await
        }
        Err(StoreError::NotFound) if !exists => Err(ServiceError::new(
            ErrorCode::ReviewNotFound,
            format!("No review {id}."),
        )),
        Err(StoreError::NotFound) if is_assign => {
            Err(ServiceError::field("agent_id", "no such agent"))
        }
        Err(e) => Err(e.into()),
    }
}
