//! `add_business_time` and `business_time_between` undo each other on random instants,
//! durations and calendars, across weekends, holidays and DST changes.
#![expect(
    clippy::unwrap_used,
    reason = "fixtures built from literals known to be valid"
)]

use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};
use kefu_routing::{
    BusinessCalendar, CalendarConfig, OpenInterval, WeeklyHours, add_business_time,
    business_time_between,
};
use proptest::prelude::*;

fn iv(start: &str, end: &str) -> OpenInterval {
    OpenInterval::new(start.parse().unwrap(), end.parse().unwrap())
}

fn calendars() -> Vec<BusinessCalendar> {
    let office = WeeklyHours::weekdays(&[iv("09:00", "12:00"), iv("13:00", "18:00")]);
    // Nights around the 02:00 DST changes, every day.
    let nights = vec![
        iv("00:00", "02:30"),
        iv("03:00", "06:00"),
        iv("22:00", "24:00"),
    ];
    let every_night = WeeklyHours {
        sat: nights.clone(),
        sun: nights.clone(),
        ..WeeklyHours::weekdays(&nights)
    };
    let holidays: Vec<_> = [(2025, 1, 1), (2025, 10, 1), (2025, 10, 2), (2025, 11, 2)]
        .into_iter()
        .map(|(y, m, d)| date(y, m, d))
        .collect();
    [
        CalendarConfig::default(),
        CalendarConfig {
            hours: Some(office.clone()),
            holidays: holidays.clone(),
            ..CalendarConfig::default()
        },
        CalendarConfig {
            time_zone: "America/New_York".into(),
            hours: Some(every_night),
            holidays: holidays.clone(),
        },
        CalendarConfig {
            time_zone: "America/New_York".into(),
            hours: None,
            holidays,
        },
        CalendarConfig {
            time_zone: "America/New_York".into(),
            hours: Some(office),
            holidays: vec![],
        },
    ]
    .iter()
    .map(|c| BusinessCalendar::new(c).unwrap())
    .collect()
}

/// Instants from late 2024 to early 2026 to the millisecond, half of them within two
/// days of New York's 2025 DST changes.
fn instant() -> impl Strategy<Value = Timestamp> {
    const DAY_MS: i64 = 86_400_000;
    let spring = 1_741_503_600_000i64; // 2025-03-09T07:00:00Z
    let fall = 1_762_063_200_000i64; // 2025-11-02T06:00:00Z
    prop_oneof![
        1_730_000_000_000i64..1_770_000_000_000,
        (spring - 2 * DAY_MS)..(spring + 2 * DAY_MS),
        (fall - 2 * DAY_MS)..(fall + 2 * DAY_MS),
    ]
    .prop_map(|ms| Timestamp::from_millisecond(ms).unwrap())
}

/// Up to 40 days either way, often under a day, to the millisecond.
fn duration() -> impl Strategy<Value = SignedDuration> {
    prop_oneof![-3_456_000_000i64..3_456_000_000, -86_400_000i64..86_400_000,]
        .prop_map(SignedDuration::from_millis)
}

proptest! {
    #[test]
    fn business_time_between_undoes_add_business_time(
        which in 0usize..5,
        start in instant(),
        d in duration(),
    ) {
        let cal = &calendars()[which];
        let end = add_business_time(cal, start, d);
        prop_assert_eq!(business_time_between(cal, start, end), d);
        // The earliest such instant (latest, going back): no business time is wasted.
        let last = if d.is_negative() { end } else { end - SignedDuration::from_nanos(1) };
        prop_assert!(d.is_zero() || cal.is_business_time(last));
    }

    #[test]
    fn add_business_time_undoes_business_time_between(
        which in 0usize..5,
        from in instant(),
        to in instant(),
    ) {
        let cal = &calendars()[which];
        let d = business_time_between(cal, from, to);
        prop_assert_eq!(d, -business_time_between(cal, to, from));
        let back = add_business_time(cal, from, d);
        // Outside business hours `to` may lie after the earliest instant with the same total.
        prop_assert_eq!(business_time_between(cal, back, to), SignedDuration::ZERO);
        if cal.is_business_time(to) && !d.is_negative() {
            prop_assert_eq!(back, to);
        }
    }
}
