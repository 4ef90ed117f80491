//! SLA clocks: business time measured against one target, and the timers that follow.
//!
//! An [`SlaClock`] is a small value (stored as JSON with its ticket) that runs from a start,
//! can be paused and resumed, and stops when its target is met. Everything else — elapsed
//! business time, the due instant, the warning instant, its state, the next timer — is
//! computed from it with a [`BusinessCalendar`] and, where needed, `now`. Use the same
//! calendar for the whole life of a clock: time already counted is not recomputed.
//!
//! The target is reached (breached) when elapsed business time is *at least* the target, so
//! the breach timer fires at [`SlaClock::due_at`] and sees [`SlaState::Breached`]. A clock
//! that has passed its target stays breached while paused. Events with a `now` earlier
//! than the clock's last change count as happening at that change.
//!
//! [`SlaTracker`] applies a ticket's events to its three clocks. The rules (targets from
//! [`kefu_domain::SlaTargets`], all in business time):
//! - **first response** runs from intake until the first agent reply;
//! - **next response** starts at a customer message that follows an agent reply and stops
//!   at the next agent reply; further customer messages before that reply do not restart
//!   it (the oldest unanswered message counts);
//! - **resolution** runs from intake until the ticket is resolved; a reopen resumes it
//!   with the time already counted, and starts a next-response clock for the reopening
//!   message;
//! - while the ticket waits on the customer every running clock is paused; a customer
//!   message (or [`SlaTracker::stopped_waiting`]) resumes them;
//! - resolving stops every clock: an unanswered response clock counts as met by the
//!   resolution.
//!
//! Every event returns [`SlaTimers`]: for each target, the one timer that should now be
//! pending (replacing any pending one), or `None` to cancel it.

mod breach;
mod tracker;

pub use breach::{BreachActions, breach_actions};
pub use tracker::{SlaTarget, SlaTimers, SlaTracker};

use crate::calendar::{BusinessCalendar, add_business_time, business_time_between};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// Warn at this share of the target unless told otherwise.
pub const DEFAULT_WARNING_FRACTION: f64 = 0.75;
const DEFAULT_WARNING_PERCENT: u8 = 75;

/// What a timer does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    /// The target is close (see [`SlaClock::warning_percent`]).
    Warning,
    /// The target has been missed.
    Breach,
}

/// Where a clock stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    /// Counting, below the warning threshold.
    Running,
    /// Not counting (waiting on the customer), below the target.
    Paused,
    /// Stopped: the response or resolution happened (see [`SlaClock::met_in_time`]).
    Met,
    /// Counting, at or past the warning threshold.
    Warning,
    /// At or past the target and not met.
    Breached,
}

/// Whether a clock counts, and since when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Phase {
    Running { since: Timestamp },
    Paused { since: Timestamp },
    Stopped { at: Timestamp },
}

/// One SLA target's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaClock {
    target: SignedDuration,
    started_at: Timestamp,
    /// Business time counted before the current phase began.
    banked: SignedDuration,
    phase: Phase,
    #[serde(default = "default_warning_percent")]
    warning_percent: u8,
}

fn default_warning_percent() -> u8 {
    DEFAULT_WARNING_PERCENT
}

impl SlaClock {
    /// A clock for `target` of business time, running from `now`.
    pub fn start(target: SignedDuration, now: Timestamp) -> Self {
        Self {
            target: target.max(SignedDuration::ZERO),
            started_at: now,
            banked: SignedDuration::ZERO,
            phase: Phase::Running { since: now },
            warning_percent: DEFAULT_WARNING_PERCENT,
        }
    }

    /// A clock for a target in minutes (as in [`kefu_domain::SlaTargets`]).
    pub fn start_minutes(minutes: u32, now: Timestamp) -> Self {
        Self::start(SignedDuration::from_mins(i64::from(minutes)), now)
    }

    /// Warn at `percent` (at most 100) of the target instead of 75%.
    pub fn with_warning_percent(mut self, percent: u8) -> Self {
        self.warning_percent = percent.min(100);
        self
    }

    pub fn target(&self) -> SignedDuration {
        self.target
    }

    pub fn started_at(&self) -> Timestamp {
        self.started_at
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    pub fn warning_percent(&self) -> u8 {
        self.warning_percent
    }

    /// Changes the target (e.g. the priority was raised); time already counted stays.
    pub fn set_target(&mut self, target: SignedDuration) {
        self.target = target.max(SignedDuration::ZERO);
    }

    /// Stops counting until [`resume`](Self::resume); only a running clock pauses.
    pub fn pause(&mut self, calendar: &BusinessCalendar, now: Timestamp) {
        if let Phase::Running { since } = self.phase {
            self.banked += counted(calendar, since, now);
            self.phase = Phase::Paused {
                since: now.max(since),
            };
        }
    }

    /// Counts again from `now`; only a paused clock resumes.
    pub fn resume(&mut self, now: Timestamp) {
        if let Phase::Paused { since } = self.phase {
            self.phase = Phase::Running {
                since: now.max(since),
            };
        }
    }

    /// Stops the clock for good: the target was met (late or not) at `now`.
    pub fn stop(&mut self, calendar: &BusinessCalendar, now: Timestamp) {
        match self.phase {
            Phase::Running { since } => {
                self.banked += counted(calendar, since, now);
                self.phase = Phase::Stopped { at: now.max(since) };
            }
            Phase::Paused { since } => self.phase = Phase::Stopped { at: now.max(since) },
            Phase::Stopped { .. } => {}
        }
    }

    /// Runs a stopped clock again from `now`, keeping the time already counted (a
    /// resolved ticket was reopened).
    pub fn reopen(&mut self, now: Timestamp) {
        if let Phase::Stopped { at } = self.phase {
            self.phase = Phase::Running { since: now.max(at) };
        }
    }

    pub fn is_running(&self) -> bool {
        matches!(self.phase, Phase::Running { .. })
    }

    pub fn is_stopped(&self) -> bool {
        matches!(self.phase, Phase::Stopped { .. })
    }

    /// Business time counted up to `now`.
    pub fn elapsed(&self, calendar: &BusinessCalendar, now: Timestamp) -> SignedDuration {
        match self.phase {
            Phase::Running { since } => self.banked + counted(calendar, since, now),
            Phase::Paused { .. } | Phase::Stopped { .. } => self.banked,
        }
    }

    /// For a stopped clock, whether it stopped before reaching its target.
    pub fn met_in_time(&self) -> Option<bool> {
        self.is_stopped().then_some(self.banked < self.target)
    }

    /// When a running clock reaches its target, pauses taken into account; in the past if
    /// it already has. `None` while paused or stopped.
    pub fn due_at(&self, calendar: &BusinessCalendar) -> Option<Timestamp> {
        self.reaches(calendar, self.target)
    }

    /// When a running clock reaches `fraction` (0 to 1; 0.75 if not a number) of its
    /// target. `None` while paused or stopped.
    pub fn warning_at(&self, calendar: &BusinessCalendar, fraction: f64) -> Option<Timestamp> {
        let fraction = if fraction.is_nan() {
            DEFAULT_WARNING_FRACTION
        } else {
            fraction.clamp(0.0, 1.0)
        };
        let threshold = SignedDuration::try_from_secs_f64(self.target.as_secs_f64() * fraction)
            .unwrap_or(self.target);
        self.reaches(calendar, threshold)
    }

    /// Where the clock stands at `now`.
    pub fn state(&self, calendar: &BusinessCalendar, now: Timestamp) -> SlaState {
        if self.is_stopped() {
            return SlaState::Met;
        }
        let elapsed = self.elapsed(calendar, now);
        if elapsed >= self.target {
            SlaState::Breached
        } else if !self.is_running() {
            SlaState::Paused
        } else if elapsed >= self.warning_threshold() {
            SlaState::Warning
        } else {
            SlaState::Running
        }
    }

    /// The timer a running clock needs next: a warning before its threshold, then a breach
    /// before its target; `None` once breached, while paused and when stopped.
    pub fn next_timer(
        &self,
        calendar: &BusinessCalendar,
        now: Timestamp,
    ) -> Option<(TimerKind, Timestamp)> {
        if !self.is_running() {
            return None;
        }
        let elapsed = self.elapsed(calendar, now);
        let warning = self.warning_threshold();
        if elapsed < warning && warning < self.target {
            Some((TimerKind::Warning, self.reaches(calendar, warning)?))
        } else if elapsed < self.target {
            Some((TimerKind::Breach, self.reaches(calendar, self.target)?))
        } else {
            None
        }
    }

    fn warning_threshold(&self) -> SignedDuration {
        let nanos = self.target.as_nanos() * i128::from(self.warning_percent) / 100;
        SignedDuration::from_nanos_i128(nanos)
    }

    /// When a running clock's elapsed time reaches `threshold`.
    fn reaches(&self, calendar: &BusinessCalendar, threshold: SignedDuration) -> Option<Timestamp> {
        match self.phase {
            Phase::Running { since } => {
                Some(add_business_time(calendar, since, threshold - self.banked))
            }
            Phase::Paused { .. } | Phase::Stopped { .. } => None,
        }
    }
}

/// Business time from `since` to `now`, never negative.
fn counted(calendar: &BusinessCalendar, since: Timestamp, now: Timestamp) -> SignedDuration {
    business_time_between(calendar, since, now).max(SignedDuration::ZERO)
}

#[cfg(test)]
mod tests;
