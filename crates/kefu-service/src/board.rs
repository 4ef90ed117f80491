//! The supervisor's view of the staff: who is online, on shift, and how loaded.

use crate::caller::Caller;
use crate::core::Core;
use crate::error::ServiceResult;
use kefu_domain::{Agent, AgentPresence, AgentRole};

/// One staff member as the live board shows them.
#[derive(Debug, Clone)]
pub struct StaffStatus {
    pub agent: Agent,
    pub presence: AgentPresence,
    /// On shift by their roster now (always, without one).
    pub on_shift: bool,
    /// Live chats held, and their chat capacity.
    pub chats: u32,
    /// Asynchronous tickets (forms, e-mail, social, API) held.
    pub tickets: u32,
}

/// Every active staff member with presence, shift and load (supervisors and admins).
pub async fn staff_board(core: &Core, caller: &Caller) -> ServiceResult<Vec<StaffStatus>> {
    caller.require(AgentRole::Supervisor)?;
    let now = jiff::Timestamp::now();
    Ok(core
        .store
        .staff_board()
        .await?
        .into_iter()
        .map(|r| StaffStatus {
            on_shift: crate::roster::on_shift(r.roster.as_ref(), now),
            presence: r.presence,
            chats: r.load_chat,
            tickets: r.load_async,
            agent: r.agent,
        })
        .collect())
}
