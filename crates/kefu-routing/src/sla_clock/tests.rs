use super::*;
use crate::calendar::{CalendarConfig, OpenInterval, WeeklyHours};
use crate::shift::DEFAULT_TIME_ZONE;
use jiff::civil::date;
use jiff::tz::TimeZone;

fn t0() -> Timestamp {
    "2025-03-03T08:00:00Z".parse().unwrap()
}

fn mins(n: i64) -> SignedDuration {
    SignedDuration::from_mins(n)
}

fn after(n: i64) -> Timestamp {
    t0() + mins(n)
}

fn shanghai(d: i8, h: i8, m: i8) -> Timestamp {
    date(2025, 3, d)
        .at(h, m, 0, 0)
        .to_zoned(TimeZone::get(DEFAULT_TIME_ZONE).unwrap())
        .unwrap()
        .timestamp()
}

/// Weekdays 09:00–18:00 in Shanghai.
fn office() -> BusinessCalendar {
    BusinessCalendar::new(&CalendarConfig {
        hours: Some(WeeklyHours::weekdays(&[OpenInterval::new(
            "09:00".parse().unwrap(),
            "18:00".parse().unwrap(),
        )])),
        ..CalendarConfig::default()
    })
    .unwrap()
}

#[test]
fn running_clock_is_due_after_its_target() {
    let cal = BusinessCalendar::always();
    let clock = SlaClock::start_minutes(60, t0());
    assert_eq!(clock.due_at(&cal), Some(after(60)));
    assert_eq!(clock.elapsed(&cal, after(25)), mins(25));
    assert_eq!(clock.state(&cal, after(25)), SlaState::Running);
}

#[test]
fn paused_clock_does_not_count_and_resuming_moves_the_due_time() {
    let cal = BusinessCalendar::always();
    let mut clock = SlaClock::start_minutes(60, t0());
    clock.pause(&cal, after(20));
    assert_eq!(clock.state(&cal, after(100)), SlaState::Paused);
    assert_eq!(clock.elapsed(&cal, after(100)), mins(20));
    assert_eq!(clock.due_at(&cal), None);
    assert_eq!(clock.next_timer(&cal, after(100)), None);
    clock.resume(after(120));
    assert_eq!(clock.elapsed(&cal, after(130)), mins(30));
    assert_eq!(clock.due_at(&cal), Some(after(160)));
    // Pausing twice or resuming a running clock changes nothing.
    let before = clock;
    clock.resume(after(140));
    assert_eq!(clock, before);
    clock.pause(&cal, after(150));
    clock.pause(&cal, after(155));
    clock.resume(after(170));
    assert_eq!(clock.due_at(&cal), Some(after(180)));
}

#[test]
fn warning_comes_at_75_percent_of_the_target() {
    let cal = BusinessCalendar::always();
    let clock = SlaClock::start_minutes(60, t0());
    assert_eq!(
        clock.warning_at(&cal, DEFAULT_WARNING_FRACTION),
        Some(after(45))
    );
    assert_eq!(clock.warning_at(&cal, 0.5), Some(after(30)));
    assert_eq!(clock.warning_at(&cal, f64::NAN), Some(after(45)));
    assert_eq!(clock.warning_at(&cal, 7.0), Some(after(60)));
    assert_eq!(clock.state(&cal, after(44)), SlaState::Running);
    assert_eq!(clock.state(&cal, after(45)), SlaState::Warning);
    assert_eq!(
        clock.next_timer(&cal, t0()),
        Some((TimerKind::Warning, after(45)))
    );
    // When the warning fires, the breach is next.
    assert_eq!(
        clock.next_timer(&cal, after(45)),
        Some((TimerKind::Breach, after(60)))
    );
    let late_warning = SlaClock::start_minutes(60, t0()).with_warning_percent(90);
    assert_eq!(late_warning.state(&cal, after(50)), SlaState::Running);
    assert_eq!(
        late_warning.next_timer(&cal, t0()),
        Some((TimerKind::Warning, after(54)))
    );
}

#[test]
fn clock_is_breached_at_its_due_time_and_needs_no_more_timers() {
    let cal = BusinessCalendar::always();
    let clock = SlaClock::start_minutes(60, t0());
    assert_eq!(clock.state(&cal, after(59)), SlaState::Warning);
    assert_eq!(clock.state(&cal, after(60)), SlaState::Breached);
    assert_eq!(clock.next_timer(&cal, after(60)), None);
    assert_eq!(clock.next_timer(&cal, after(600)), None);
}

#[test]
fn breached_clock_stays_breached_while_paused() {
    let cal = BusinessCalendar::always();
    let mut clock = SlaClock::start_minutes(60, t0());
    clock.pause(&cal, after(70));
    assert_eq!(clock.state(&cal, after(80)), SlaState::Breached);
    clock.resume(after(90));
    // Due ten minutes of running time before the resume.
    assert_eq!(clock.due_at(&cal), Some(after(80)));
    assert_eq!(clock.next_timer(&cal, after(90)), None);
}

#[test]
fn stopped_clock_is_met_in_time_or_late() {
    let cal = BusinessCalendar::always();
    let mut on_time = SlaClock::start_minutes(60, t0());
    assert_eq!(on_time.met_in_time(), None);
    on_time.stop(&cal, after(50));
    assert_eq!(on_time.state(&cal, after(500)), SlaState::Met);
    assert_eq!(on_time.met_in_time(), Some(true));
    assert_eq!(on_time.next_timer(&cal, after(50)), None);
    assert_eq!(on_time.due_at(&cal), None);
    let mut late = SlaClock::start_minutes(60, t0());
    late.stop(&cal, after(61));
    assert_eq!(late.met_in_time(), Some(false));
    assert_eq!(late.elapsed(&cal, after(500)), mins(61));
}

#[test]
fn reopened_clock_keeps_the_time_already_counted() {
    let cal = BusinessCalendar::always();
    let mut clock = SlaClock::start_minutes(60, t0());
    clock.stop(&cal, after(40));
    clock.reopen(after(1000));
    assert_eq!(clock.state(&cal, after(1000)), SlaState::Running);
    assert_eq!(clock.elapsed(&cal, after(1010)), mins(50));
    assert_eq!(clock.due_at(&cal), Some(after(1020)));
    assert_eq!(
        clock.next_timer(&cal, after(1000)),
        Some((TimerKind::Warning, after(1005)))
    );
}

#[test]
fn clock_counts_only_business_hours() {
    let cal = office();
    // Friday 2025-03-07 17:00, four hours: one on Friday, three on Monday.
    let clock = SlaClock::start_minutes(240, shanghai(7, 17, 0));
    assert_eq!(clock.due_at(&cal), Some(shanghai(10, 12, 0)));
    assert_eq!(clock.warning_at(&cal, 0.75), Some(shanghai(10, 11, 0)));
    assert_eq!(clock.state(&cal, shanghai(9, 23, 0)), SlaState::Running);
    assert_eq!(clock.elapsed(&cal, shanghai(9, 23, 0)), mins(60));
    // Waiting on the customer over the weekend costs nothing either way.
    let mut paused = clock;
    paused.pause(&cal, shanghai(8, 10, 0));
    paused.resume(shanghai(10, 8, 0));
    assert_eq!(paused.due_at(&cal), clock.due_at(&cal));
}

#[test]
fn events_earlier_than_the_last_change_count_from_that_change() {
    let cal = BusinessCalendar::always();
    let mut clock = SlaClock::start_minutes(60, after(10));
    clock.pause(&cal, t0());
    assert_eq!(clock.elapsed(&cal, after(100)), SignedDuration::ZERO);
    clock.resume(t0());
    assert_eq!(clock.due_at(&cal), Some(after(70)));
}

#[test]
fn clock_round_trips_through_json() {
    let cal = office();
    let mut clock = SlaClock::start_minutes(240, shanghai(7, 17, 0)).with_warning_percent(80);
    clock.pause(&cal, shanghai(7, 17, 30));
    let json = serde_json::to_value(clock).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "target": "PT4H",
            "started_at": "2025-03-07T09:00:00Z",
            "banked": "PT30M",
            "phase": {"state": "paused", "since": "2025-03-07T09:30:00Z"},
            "warning_percent": 80,
        })
    );
    let back: SlaClock = serde_json::from_value(json).unwrap();
    assert_eq!(back, clock);
    let mut json = serde_json::to_value(clock).unwrap();
    json.as_object_mut().unwrap().remove("warning_percent");
    let defaulted: SlaClock = serde_json::from_value(json).unwrap();
    assert_eq!(defaulted.warning_percent(), 75);
}
