use super::*;
use jiff::civil::date;

const NEW_YORK: &str = "America/New_York";

fn at(tz: &str, y: i16, m: i8, d: i8, h: i8, min: i8) -> Timestamp {
    date(y, m, d)
        .at(h, min, 0, 0)
        .to_zoned(TimeZone::get(tz).unwrap())
        .unwrap()
        .timestamp()
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn hours(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n)
}

fn iv(start: &str, end: &str) -> OpenInterval {
    OpenInterval::new(start.parse().unwrap(), end.parse().unwrap())
}

/// Shanghai office: 09:00–12:00 and 13:00–18:00 on weekdays, National Day week off.
fn shanghai_office() -> BusinessCalendar {
    BusinessCalendar::new(&CalendarConfig {
        hours: Some(WeeklyHours::weekdays(&[
            iv("09:00", "12:00"),
            iv("13:00", "18:00"),
        ])),
        holidays: (1..=7).map(|d| date(2025, 10, d)).collect(),
        ..CalendarConfig::default()
    })
    .unwrap()
}

/// New York, every day 00:00–06:00 and 20:00–24:00: the DST changes fall inside.
fn new_york_nights() -> BusinessCalendar {
    let night = vec![iv("00:00", "06:00"), iv("20:00", "24:00")];
    BusinessCalendar::new(&CalendarConfig {
        time_zone: NEW_YORK.into(),
        hours: Some(WeeklyHours {
            sat: night.clone(),
            sun: night.clone(),
            ..WeeklyHours::weekdays(&night)
        }),
        holidays: vec![],
    })
    .unwrap()
}

fn sh(d: i8, h: i8, min: i8) -> Timestamp {
    at(DEFAULT_TIME_ZONE, 2025, 3, d, h, min)
}

#[test]
fn default_calendar_is_open_around_the_clock_in_shanghai() {
    let config = CalendarConfig::default();
    assert_eq!(config.time_zone, "Asia/Shanghai");
    let cal = BusinessCalendar::new(&config).unwrap();
    assert!(cal.is_always_open());
    let (a, b) = (sh(8, 23, 0), sh(10, 1, 0));
    assert_eq!(business_time_between(&cal, a, b), hours(26));
    assert_eq!(add_business_time(&cal, a, hours(26)), b);
}

#[test]
fn business_time_continues_after_midnight_at_the_next_opening() {
    let cal = shanghai_office();
    // 2025-03-03 is a Monday.
    assert_eq!(
        add_business_time(&cal, sh(3, 17, 0), hours(2)),
        sh(4, 10, 0)
    );
    assert_eq!(
        business_time_between(&cal, sh(3, 17, 0), sh(4, 10, 0)),
        hours(2)
    );
    assert_eq!(
        business_time_between(&cal, sh(3, 23, 0), sh(4, 9, 0)),
        hours(0)
    );
}

#[test]
fn lunch_break_is_not_business_time() {
    let cal = shanghai_office();
    assert_eq!(
        add_business_time(&cal, sh(3, 11, 30), hours(1)),
        sh(3, 13, 30)
    );
    assert!(!cal.is_business_time(sh(3, 12, 30)));
    assert!(cal.is_business_time(sh(3, 13, 0)));
    assert!(!cal.is_business_time(sh(3, 18, 0)));
}

#[test]
fn target_reached_at_closing_time_is_due_at_closing_time() {
    let cal = shanghai_office();
    assert_eq!(
        add_business_time(&cal, sh(3, 16, 0), hours(2)),
        sh(3, 18, 0)
    );
    assert_eq!(add_business_time(&cal, sh(3, 9, 0), hours(8)), sh(3, 18, 0));
}

#[test]
fn weekend_is_skipped() {
    let cal = shanghai_office();
    // Friday 17:30 plus one hour is Monday 09:30.
    assert_eq!(
        add_business_time(&cal, sh(7, 17, 30), hours(1)),
        sh(10, 9, 30)
    );
    assert_eq!(
        business_time_between(&cal, sh(7, 17, 30), sh(10, 9, 30)),
        hours(1)
    );
    assert_eq!(
        business_time_between(&cal, sh(8, 0, 0), sh(10, 0, 0)),
        hours(0)
    );
    // A whole week holds five eight-hour days.
    assert_eq!(
        business_time_between(&cal, sh(3, 0, 0), sh(10, 0, 0)),
        hours(40)
    );
}

#[test]
fn holidays_are_skipped_as_whole_local_days() {
    let cal = shanghai_office();
    let oct = |d, h, m| at(DEFAULT_TIME_ZONE, 2025, 10, d, h, m);
    // Tuesday 30 September 17:00 + 2 h: National Day week, then Wednesday 8 October.
    let due = add_business_time(&cal, at(DEFAULT_TIME_ZONE, 2025, 9, 30, 17, 0), hours(2));
    assert_eq!(due, oct(8, 10, 0));
    assert!(!cal.is_business_time(oct(1, 10, 0)));
    let open = BusinessCalendar::new(&CalendarConfig {
        holidays: vec![date(2025, 10, 1)],
        ..CalendarConfig::default()
    })
    .unwrap();
    assert!(!open.is_always_open());
    assert_eq!(
        business_time_between(
            &open,
            at(DEFAULT_TIME_ZONE, 2025, 9, 30, 12, 0),
            oct(2, 12, 0)
        ),
        hours(24)
    );
    assert_eq!(
        add_business_time(&open, oct(1, 5, 0), hours(1)),
        oct(2, 1, 0)
    );
}

#[test]
fn reversed_bounds_give_negative_business_time() {
    let cal = shanghai_office();
    assert_eq!(
        business_time_between(&cal, sh(4, 10, 0), sh(3, 17, 0)),
        hours(-2)
    );
    assert_eq!(
        add_business_time(&cal, sh(4, 10, 0), hours(-2)),
        sh(3, 17, 0)
    );
    assert_eq!(
        add_business_time(&cal, sh(10, 9, 30), hours(-1)),
        sh(7, 17, 30)
    );
}

#[test]
fn shanghai_has_no_dst_so_every_business_day_is_the_same_length() {
    let cal = BusinessCalendar::new(&CalendarConfig {
        hours: Some(WeeklyHours {
            sat: vec![iv("00:00", "24:00")],
            sun: vec![iv("00:00", "24:00")],
            ..WeeklyHours::weekdays(&[iv("00:00", "24:00")])
        }),
        ..CalendarConfig::default()
    })
    .unwrap();
    for (m, d) in [(3, 9), (11, 2), (6, 1)] {
        let day = |d: i8| at(DEFAULT_TIME_ZONE, 2025, m, d, 0, 0);
        assert_eq!(business_time_between(&cal, day(d), day(d + 1)), hours(24));
    }
}

#[test]
fn spring_forward_night_has_an_hour_less_business_time() {
    let cal = new_york_nights();
    // 2025-03-09: 02:00 EST jumps to 03:00 EDT; 00:00–06:00 lasts five real hours.
    let day = |h| at(NEW_YORK, 2025, 3, 9, h, 0);
    assert_eq!(business_time_between(&cal, day(0), day(12)), hours(5));
    assert_eq!(
        business_time_between(&cal, at(NEW_YORK, 2025, 3, 8, 0, 0), day(0)),
        hours(10)
    );
    // 01:30 EST + 1 h of business time is 03:30 EDT: one real hour later.
    let from = ts("2025-03-09T01:30:00-05:00");
    let due = add_business_time(&cal, from, hours(1));
    assert_eq!(due, ts("2025-03-09T03:30:00-04:00"));
    assert_eq!(due.duration_since(from), hours(1));
    // Saturday 23:00 + 2 h ends at Sunday 01:00 EST.
    let due = add_business_time(&cal, at(NEW_YORK, 2025, 3, 8, 23, 0), hours(2));
    assert_eq!(due, ts("2025-03-09T01:00:00-05:00"));
}

#[test]
fn interval_inside_the_skipped_hour_has_no_business_time() {
    let cal = BusinessCalendar::new(&CalendarConfig {
        time_zone: NEW_YORK.into(),
        hours: Some(WeeklyHours {
            sun: vec![iv("02:00", "02:30"), iv("09:00", "10:00")],
            ..WeeklyHours::default()
        }),
        holidays: vec![],
    })
    .unwrap();
    let sunday = |d| at(NEW_YORK, 2025, 3, d, 0, 0);
    assert_eq!(business_time_between(&cal, sunday(9), sunday(10)), hours(1));
    let normal = business_time_between(&cal, sunday(16), sunday(17));
    assert_eq!(normal, SignedDuration::from_mins(90));
    assert!(!cal.is_business_time(ts("2025-03-09T03:15:00-04:00")));
}

#[test]
fn fall_back_night_has_an_hour_more_business_time() {
    let cal = new_york_nights();
    // 2025-11-02: 02:00 EDT falls back to 01:00 EST; 00:00–06:00 lasts seven hours.
    let day = |h| at(NEW_YORK, 2025, 11, 2, h, 0);
    assert_eq!(business_time_between(&cal, day(0), day(12)), hours(7));
    // 00:30 EDT + 2 h is the second 01:30 (EST), not 02:30.
    let due = add_business_time(&cal, ts("2025-11-02T00:30:00-04:00"), hours(2));
    assert_eq!(due, ts("2025-11-02T01:30:00-05:00"));
    assert!(cal.is_business_time(ts("2025-11-02T01:30:00-05:00")));
    // The next night is back to six hours.
    let next = |h| at(NEW_YORK, 2025, 11, 3, h, 0);
    assert_eq!(business_time_between(&cal, next(0), next(12)), hours(6));
}

#[test]
fn calendar_parses_from_toml_with_end_of_day() {
    let config: CalendarConfig = toml::from_str(
        r#"
        time_zone = "Asia/Shanghai"
        holidays = ["2025-10-01"]
        [hours]
        mon = [{ start = "09:00", end = "12:00" }, { start = "13:00", end = "24:00" }]
        sat = [{ start = "10:00:30", end = "16:00" }]
        "#,
    )
    .unwrap();
    let hours = config.hours.as_ref().unwrap();
    assert_eq!(hours.mon[1].end, WallTime::END_OF_DAY);
    assert_eq!(hours.sat[0].start.to_string(), "10:00:30");
    assert!(hours.sun.is_empty());
    assert!(BusinessCalendar::new(&config).is_ok());
}

#[test]
fn unknown_keys_and_bad_times_are_rejected() {
    let err = toml::from_str::<CalendarConfig>("timezone = \"UTC\"").unwrap_err();
    assert!(err.to_string().contains("timezone"), "{err}");
    let err = toml::from_str::<CalendarConfig>("[hours]\nmonday = []").unwrap_err();
    assert!(err.to_string().contains("monday"), "{err}");
    for bad in ["25:00", "24:01", "9:00", "09:60", "09:00:00:00", "noon", ""] {
        assert!(bad.parse::<WallTime>().is_err(), "{bad}");
    }
    assert_eq!("24:00".parse::<WallTime>(), Ok(WallTime::END_OF_DAY));
}

#[test]
fn validation_errors_name_the_field() {
    let check = |config: CalendarConfig, field: &str| {
        let err = BusinessCalendar::new(&config).unwrap_err();
        assert_eq!(err.field(), field, "{err}");
        assert!(err.to_string().starts_with(field), "{err}");
    };
    let with_hours = |hours| CalendarConfig {
        hours: Some(hours),
        ..CalendarConfig::default()
    };
    check(
        with_hours(WeeklyHours {
            mon: vec![iv("09:00", "12:00"), iv("13:00", "13:00")],
            ..WeeklyHours::default()
        }),
        "hours.mon[1].end",
    );
    check(
        with_hours(WeeklyHours {
            tue: vec![iv("09:00", "12:00"), iv("11:00", "13:00")],
            ..WeeklyHours::default()
        }),
        "hours.tue[1].start",
    );
    check(with_hours(WeeklyHours::default()), "hours");
    check(
        CalendarConfig {
            time_zone: "Mars/Olympus".into(),
            ..CalendarConfig::default()
        },
        "time_zone",
    );
    check(
        CalendarConfig {
            holidays: vec![date(2025, 10, 1), date(2025, 10, 1)],
            ..CalendarConfig::default()
        },
        "holidays[1]",
    );
}
