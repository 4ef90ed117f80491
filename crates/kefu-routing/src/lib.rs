//! kefu's routing engine: who takes which ticket and when, the waiting queue and its wait
//! estimate, shifts and coverage, staffing maths (Erlang C) and a discrete-event simulator
//! of a day or week. (The SLA business-time clock is still to be written.)
//!
//! Pure: no I/O, no async, no clock — `now` is always a parameter.

pub mod assign;
pub mod queue;
pub mod queue_eta;
pub mod router;
pub mod shift;
pub mod simulate;
pub mod staffing;

pub use assign::{
    AgentSkills, AgentState, AssignmentPolicy, CategorySkill, ChannelKind, Choice, Ineligible,
    PerKind, Presence, QueuedTicket,
};
pub use queue::{QueueOrder, TicketQueue};
pub use router::{Assignment, Changes, Placement, Requeued, Router, RouterError};
pub use shift::{Day, Roster, RosterConfig, RosterEntry, Shift, ShiftError, is_on_shift};
pub use staffing::{StaffingError, StaffingPlan, erlang_b, erlang_c, required_agents};
