//! A ticket's three SLA clocks and the events that drive them (rules in the `sla_clock`
//! module header).

use super::{SlaClock, SlaState, TimerKind};
use crate::calendar::BusinessCalendar;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::SlaTargets;
use serde::{Deserialize, Serialize};

/// Which of a ticket's targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaTarget {
    FirstResponse,
    NextResponse,
    Resolution,
}

impl SlaTarget {
    pub const ALL: [SlaTarget; 3] = [Self::FirstResponse, Self::NextResponse, Self::Resolution];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstResponse => "first_response",
            Self::NextResponse => "next_response",
            Self::Resolution => "resolution",
        }
    }

    fn minutes(self, targets: &SlaTargets) -> u32 {
        match self {
            Self::FirstResponse => targets.first_response_minutes,
            Self::NextResponse => targets.next_response_minutes,
            Self::Resolution => targets.resolution_minutes,
        }
    }
}

/// The timer each target should have pending; `None` means none (cancel a pending one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SlaTimers {
    pub first_response: Option<(TimerKind, Timestamp)>,
    pub next_response: Option<(TimerKind, Timestamp)>,
    pub resolution: Option<(TimerKind, Timestamp)>,
}

impl SlaTimers {
    pub fn get(&self, target: SlaTarget) -> Option<(TimerKind, Timestamp)> {
        match target {
            SlaTarget::FirstResponse => self.first_response,
            SlaTarget::NextResponse => self.next_response,
            SlaTarget::Resolution => self.resolution,
        }
    }

    /// Each target with its timer, first response first.
    pub fn iter(&self) -> impl Iterator<Item = (SlaTarget, Option<(TimerKind, Timestamp)>)> + '_ {
        SlaTarget::ALL.into_iter().map(|t| (t, self.get(t)))
    }
}

/// A ticket's SLA clocks, stored with the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaTracker {
    targets: SlaTargets,
    first_response: Option<SlaClock>,
    next_response: Option<SlaClock>,
    resolution: Option<SlaClock>,
    waiting_on_customer: bool,
    /// An agent has replied since the customer's last message.
    answered: bool,
}

impl SlaTracker {
    /// Clocks for these targets, none started yet.
    pub fn new(targets: SlaTargets) -> Self {
        Self {
            targets,
            first_response: None,
            next_response: None,
            resolution: None,
            waiting_on_customer: false,
            answered: false,
        }
    }

    pub fn targets(&self) -> SlaTargets {
        self.targets
    }

    pub fn clock(&self, target: SlaTarget) -> Option<&SlaClock> {
        match target {
            SlaTarget::FirstResponse => self.first_response.as_ref(),
            SlaTarget::NextResponse => self.next_response.as_ref(),
            SlaTarget::Resolution => self.resolution.as_ref(),
        }
    }

    fn clocks_mut(&mut self) -> impl Iterator<Item = &mut SlaClock> {
        [
            &mut self.first_response,
            &mut self.next_response,
            &mut self.resolution,
        ]
        .into_iter()
        .flatten()
    }

    pub fn is_waiting_on_customer(&self) -> bool {
        self.waiting_on_customer
    }

    fn is_resolved(&self) -> bool {
        self.resolution.as_ref().is_some_and(SlaClock::is_stopped)
    }

    fn start(&self, target: SlaTarget, now: Timestamp) -> SlaClock {
        SlaClock::start_minutes(target.minutes(&self.targets), now)
    }

    /// Intake: the first-response and resolution clocks start. Repeats change nothing.
    pub fn ticket_opened(&mut self, calendar: &BusinessCalendar, now: Timestamp) -> SlaTimers {
        if self.resolution.is_none() {
            let mut first = self.start(SlaTarget::FirstResponse, now);
            let mut resolution = self.start(SlaTarget::Resolution, now);
            if self.waiting_on_customer {
                first.pause(calendar, now);
                resolution.pause(calendar, now);
            }
            self.first_response = Some(first);
            self.resolution = Some(resolution);
        }
        self.timers(calendar, now)
    }

    /// An agent replied to the customer: the response clocks stop.
    pub fn agent_replied(&mut self, calendar: &BusinessCalendar, now: Timestamp) -> SlaTimers {
        for clock in [&mut self.first_response, &mut self.next_response]
            .into_iter()
            .flatten()
        {
            clock.stop(calendar, now);
        }
        self.answered = true;
        self.timers(calendar, now)
    }

    /// The customer wrote: paused clocks resume, and a next-response clock starts when an
    /// agent had replied since the customer's last message. On a resolved ticket this
    /// changes nothing (see [`reopened`](Self::reopened)).
    pub fn customer_replied(&mut self, calendar: &BusinessCalendar, now: Timestamp) -> SlaTimers {
        if !self.is_resolved() {
            self.end_wait(now);
            if self.answered {
                self.next_response = Some(self.start(SlaTarget::NextResponse, now));
                self.answered = false;
            }
        }
        self.timers(calendar, now)
    }

    /// The ticket now waits on the customer: running clocks pause.
    pub fn waiting_on_customer(
        &mut self,
        calendar: &BusinessCalendar,
        now: Timestamp,
    ) -> SlaTimers {
        if !self.is_resolved() {
            self.waiting_on_customer = true;
            for clock in self.clocks_mut() {
                clock.pause(calendar, now);
            }
        }
        self.timers(calendar, now)
    }

    /// The ticket stopped waiting on the customer without a message from them (an agent
    /// took it back): paused clocks resume.
    pub fn stopped_waiting(&mut self, calendar: &BusinessCalendar, now: Timestamp) -> SlaTimers {
        self.end_wait(now);
        self.timers(calendar, now)
    }

    fn end_wait(&mut self, now: Timestamp) {
        if self.waiting_on_customer {
            self.waiting_on_customer = false;
            for clock in self.clocks_mut() {
                clock.resume(now);
            }
        }
    }

    /// Resolved: every clock stops.
    pub fn resolved(&mut self, calendar: &BusinessCalendar, now: Timestamp) -> SlaTimers {
        for clock in self.clocks_mut() {
            clock.stop(calendar, now);
        }
        self.waiting_on_customer = false;
        self.timers(calendar, now)
    }

    /// A customer message reopened a resolved ticket: resolution resumes where it stopped
    /// and a next-response clock starts. On an open ticket this changes nothing.
    pub fn reopened(&mut self, calendar: &BusinessCalendar, now: Timestamp) -> SlaTimers {
        if self.is_resolved() {
            if let Some(resolution) = &mut self.resolution {
                resolution.reopen(now);
            }
            self.next_response = Some(self.start(SlaTarget::NextResponse, now));
            self.answered = false;
            self.waiting_on_customer = false;
        }
        self.timers(calendar, now)
    }

    /// New targets (e.g. the priority changed); time already counted stays.
    pub fn set_targets(
        &mut self,
        calendar: &BusinessCalendar,
        now: Timestamp,
        targets: SlaTargets,
    ) -> SlaTimers {
        self.targets = targets;
        for target in SlaTarget::ALL {
            let minutes = SignedDuration::from_mins(i64::from(target.minutes(&targets)));
            let clock = match target {
                SlaTarget::FirstResponse => &mut self.first_response,
                SlaTarget::NextResponse => &mut self.next_response,
                SlaTarget::Resolution => &mut self.resolution,
            };
            if let Some(clock) = clock {
                clock.set_target(minutes);
            }
        }
        self.timers(calendar, now)
    }

    /// The timers each target needs at `now` (also what to schedule after a restart).
    pub fn timers(&self, calendar: &BusinessCalendar, now: Timestamp) -> SlaTimers {
        let next = |t| {
            self.clock(t)
                .and_then(|c: &SlaClock| c.next_timer(calendar, now))
        };
        SlaTimers {
            first_response: next(SlaTarget::FirstResponse),
            next_response: next(SlaTarget::NextResponse),
            resolution: next(SlaTarget::Resolution),
        }
    }

    /// A target's state at `now`; `None` if its clock has not started.
    pub fn state(
        &self,
        target: SlaTarget,
        calendar: &BusinessCalendar,
        now: Timestamp,
    ) -> Option<SlaState> {
        Some(self.clock(target)?.state(calendar, now))
    }

    /// The earliest due instant among running clocks: the deadline the queue orders by.
    pub fn next_deadline(&self, calendar: &BusinessCalendar) -> Option<Timestamp> {
        SlaTarget::ALL
            .into_iter()
            .filter_map(|t| self.clock(t)?.due_at(calendar))
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> Timestamp {
        "2025-03-03T08:00:00Z".parse().unwrap()
    }

    fn after(n: i64) -> Timestamp {
        t0() + SignedDuration::from_mins(n)
    }

    fn targets() -> SlaTargets {
        SlaTargets {
            first_response_minutes: 60,
            next_response_minutes: 120,
            resolution_minutes: 480,
        }
    }

    fn opened() -> (BusinessCalendar, SlaTracker) {
        let cal = BusinessCalendar::always();
        let mut sla = SlaTracker::new(targets());
        sla.ticket_opened(&cal, t0());
        (cal, sla)
    }

    #[test]
    fn opening_a_ticket_starts_first_response_and_resolution() {
        let cal = BusinessCalendar::always();
        let mut sla = SlaTracker::new(targets());
        assert_eq!(sla.timers(&cal, t0()), SlaTimers::default());
        let timers = sla.ticket_opened(&cal, t0());
        assert_eq!(timers.first_response, Some((TimerKind::Warning, after(45))));
        assert_eq!(timers.next_response, None);
        assert_eq!(timers.resolution, Some((TimerKind::Warning, after(360))));
        assert_eq!(sla.next_deadline(&cal), Some(after(60)));
        // Opening again changes nothing.
        assert_eq!(sla.ticket_opened(&cal, after(10)), timers);
    }

    #[test]
    fn first_agent_reply_meets_the_first_response_target() {
        let (cal, mut sla) = opened();
        let timers = sla.agent_replied(&cal, after(30));
        assert_eq!(timers.first_response, None);
        assert_eq!(timers.next_response, None);
        assert!(timers.resolution.is_some());
        let state = sla.state(SlaTarget::FirstResponse, &cal, after(90));
        assert_eq!(state, Some(SlaState::Met));
        let first = sla.clock(SlaTarget::FirstResponse).unwrap();
        assert_eq!(first.met_in_time(), Some(true));
        assert_eq!(sla.next_deadline(&cal), Some(after(480)));
    }

    #[test]
    fn customer_messages_before_any_agent_reply_do_not_start_next_response() {
        let (cal, mut sla) = opened();
        let timers = sla.customer_replied(&cal, after(10));
        assert_eq!(timers.next_response, None);
        assert_eq!(sla.clock(SlaTarget::NextResponse), None);
        assert_eq!(timers.first_response, Some((TimerKind::Warning, after(45))));
    }

    #[test]
    fn next_response_restarts_at_each_customer_message_after_an_agent_reply() {
        let (cal, mut sla) = opened();
        sla.agent_replied(&cal, after(30));
        let timers = sla.customer_replied(&cal, after(100));
        assert_eq!(timers.next_response, Some((TimerKind::Warning, after(190))));
        // A second customer message before the agent answers keeps the oldest deadline.
        let timers = sla.customer_replied(&cal, after(150));
        assert_eq!(timers.next_response, Some((TimerKind::Warning, after(190))));
        let timers = sla.agent_replied(&cal, after(200));
        assert_eq!(timers.next_response, None);
        let next = sla.clock(SlaTarget::NextResponse).unwrap();
        assert_eq!(next.met_in_time(), Some(true));
        let timers = sla.customer_replied(&cal, after(300));
        assert_eq!(timers.next_response, Some((TimerKind::Warning, after(390))));
    }

    #[test]
    fn waiting_on_the_customer_pauses_every_clock_until_they_reply() {
        let (cal, mut sla) = opened();
        sla.agent_replied(&cal, after(30));
        sla.customer_replied(&cal, after(40));
        let timers = sla.waiting_on_customer(&cal, after(60));
        assert_eq!(timers, SlaTimers::default());
        assert!(sla.is_waiting_on_customer());
        let state = sla.state(SlaTarget::Resolution, &cal, after(1000));
        assert_eq!(state, Some(SlaState::Paused));
        assert_eq!(sla.next_deadline(&cal), None);
        // The customer answers 1000 minutes later: 60 minutes were counted, 420 remain.
        let timers = sla.customer_replied(&cal, after(1060));
        assert!(!sla.is_waiting_on_customer());
        assert_eq!(
            timers.resolution,
            Some((TimerKind::Warning, after(1060 + 300)))
        );
        let resolution = sla.clock(SlaTarget::Resolution).unwrap();
        assert_eq!(resolution.due_at(&cal), Some(after(1060 + 420)));
        // The next-response clock resumed too (20 of 120 minutes used); the customer's
        // answer to a question does not start a new one.
        let next = sla.clock(SlaTarget::NextResponse).unwrap();
        assert_eq!(next.due_at(&cal), Some(after(1060 + 100)));
    }

    #[test]
    fn an_agent_can_end_the_wait_without_a_customer_message() {
        let (cal, mut sla) = opened();
        sla.agent_replied(&cal, after(10));
        sla.waiting_on_customer(&cal, after(20));
        let timers = sla.stopped_waiting(&cal, after(100));
        let resolution = sla.clock(SlaTarget::Resolution).unwrap();
        assert_eq!(resolution.due_at(&cal), Some(after(100 + 460)));
        assert!(timers.resolution.is_some());
    }

    #[test]
    fn resolving_stops_every_clock_and_cancels_every_timer() {
        let (cal, mut sla) = opened();
        let timers = sla.resolved(&cal, after(30));
        assert_eq!(timers, SlaTimers::default());
        for target in [SlaTarget::FirstResponse, SlaTarget::Resolution] {
            assert_eq!(sla.state(target, &cal, after(5000)), Some(SlaState::Met));
        }
        // A customer message on a resolved ticket needs a reopen to count.
        assert_eq!(sla.customer_replied(&cal, after(40)), SlaTimers::default());
        assert_eq!(
            sla.waiting_on_customer(&cal, after(40)),
            SlaTimers::default()
        );
    }

    #[test]
    fn reopening_resumes_resolution_and_starts_a_next_response() {
        let (cal, mut sla) = opened();
        sla.agent_replied(&cal, after(30));
        sla.resolved(&cal, after(100));
        let timers = sla.reopened(&cal, after(2000));
        assert_eq!(timers.first_response, None);
        assert_eq!(
            timers.next_response,
            Some((TimerKind::Warning, after(2090)))
        );
        // 100 of 480 minutes were counted before the resolution.
        let resolution = sla.clock(SlaTarget::Resolution).unwrap();
        assert_eq!(resolution.due_at(&cal), Some(after(2380)));
        assert_eq!(timers.resolution, Some((TimerKind::Warning, after(2260))));
        // Reopening an open ticket changes nothing.
        assert_eq!(sla.reopened(&cal, after(2010)), timers);
    }

    #[test]
    fn breach_of_a_missed_first_response_is_the_last_timer() {
        let (cal, mut sla) = opened();
        let warning = sla.timers(&cal, after(45));
        assert_eq!(warning.first_response, Some((TimerKind::Breach, after(60))));
        let state = sla.state(SlaTarget::FirstResponse, &cal, after(60));
        assert_eq!(state, Some(SlaState::Breached));
        assert_eq!(sla.timers(&cal, after(60)).first_response, None);
        sla.agent_replied(&cal, after(75));
        let first = sla.clock(SlaTarget::FirstResponse).unwrap();
        assert_eq!(first.met_in_time(), Some(false));
    }

    #[test]
    fn raised_priority_tightens_running_targets() {
        let (cal, mut sla) = opened();
        let urgent = SlaTargets {
            first_response_minutes: 15,
            next_response_minutes: 30,
            resolution_minutes: 240,
        };
        let timers = sla.set_targets(&cal, after(10), urgent);
        assert_eq!(sla.targets(), urgent);
        let warning = t0() + SignedDuration::from_secs(11 * 60 + 15);
        assert_eq!(timers.first_response, Some((TimerKind::Warning, warning)));
        let timers = sla.timers(&cal, after(12));
        assert_eq!(timers.first_response, Some((TimerKind::Breach, after(15))));
        assert_eq!(timers.resolution, Some((TimerKind::Warning, after(180))));
    }

    #[test]
    fn tracker_restored_from_json_schedules_the_same_timers() {
        let (cal, mut sla) = opened();
        sla.agent_replied(&cal, after(30));
        sla.customer_replied(&cal, after(40));
        sla.waiting_on_customer(&cal, after(50));
        sla.customer_replied(&cal, after(90));
        let json = serde_json::to_string(&sla).unwrap();
        let back: SlaTracker = serde_json::from_str(&json).unwrap();
        assert_eq!(back, sla);
        assert_eq!(back.timers(&cal, after(95)), sla.timers(&cal, after(95)));
    }
}
