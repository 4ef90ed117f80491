//! kefu's routing engine: who takes which ticket and when, the waiting queue and its wait
//! estimate, shifts and coverage, staffing maths (Erlang C) and a discrete-event simulator
//! of a day or week, business calendars and the SLA clocks measured in their business time.
//!
//! Pure: no I/O, no async, no clock — `now` is always a parameter.

pub mod assign;
pub mod calendar;
pub mod presence;
pub mod queue;
pub mod queue_eta;
pub mod router;
pub mod shift;
pub mod simulate;
pub mod sla_clock;
pub mod staffing;

pub use assign::{
    AgentSkills, AgentState, AssignmentPolicy, CategorySkill, ChannelKind, Choice, Ineligible,
    PerKind, Presence, QueuedTicket,
};
pub use calendar::{
    BusinessCalendar, CalendarConfig, CalendarError, OpenInterval, WallTime, WeeklyHours,
    add_business_time, business_time_between,
};
pub use presence::{hands_back_chats, is_present};
pub use queue::{QueueOrder, TicketQueue};
pub use router::{Assignment, Changes, Placement, Requeued, Router, RouterError};
pub use shift::{Day, Roster, RosterConfig, RosterEntry, Shift, ShiftError, is_on_shift};
pub use sla_clock::{
    BreachActions, SlaClock, SlaState, SlaTarget, SlaTimers, SlaTracker, TimerKind, breach_actions,
};
pub use staffing::{StaffingError, StaffingPlan, erlang_b, erlang_c, required_agents};
