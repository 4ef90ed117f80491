//! Staffing maths: Erlang B and Erlang C, and the smallest number of agents that meets a
//! service-level target (e.g. 80% answered within 20 s), before and after shrinkage.
//!
//! Everything is computed in `f64` with the stable Erlang B recursion
//! `B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1))`, which never forms a factorial or a power,
//! so loads of thousands of Erlangs stay exact and take microseconds.

use serde::{Deserialize, Serialize};

/// The largest offered load accepted, in Erlangs (well above 100,000 arrivals an hour).
pub const MAX_TRAFFIC_ERLANGS: f64 = 1_000_000.0;

/// Why staffing inputs were rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StaffingError {
    /// A parameter is NaN, infinite or out of its range.
    #[error("{name} must be {expected}, got {value}")]
    InvalidParameter {
        name: &'static str,
        value: f64,
        expected: &'static str,
    },
    /// The offered load is beyond [`MAX_TRAFFIC_ERLANGS`].
    #[error(
        "offered load of {traffic_erlangs} Erlangs is above the supported {MAX_TRAFFIC_ERLANGS}"
    )]
    TooLarge { traffic_erlangs: f64 },
}

/// The answer of [`required_agents`]: how many agents, and how the queue behaves with them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StaffingPlan {
    /// The smallest number of agents on the phones (more than the offered load) that meets
    /// the service-level target.
    pub agents: u32,
    /// Agents to schedule so that `agents` remain after shrinkage.
    pub scheduled_agents: u32,
    /// Fraction answered within the target time with `agents` agents.
    pub service_level: f64,
    /// Average speed of answer in seconds with `agents` agents.
    pub asa_seconds: f64,
    /// Fraction of time an agent is busy (`traffic / agents`).
    pub occupancy: f64,
    /// Offered load in Erlangs (`arrivals per second × handle time`).
    pub traffic_erlangs: f64,
    /// Probability that a contact has to wait at all (Erlang C) with `agents` agents.
    pub probability_of_waiting: f64,
}

fn check(
    name: &'static str,
    value: f64,
    ok: bool,
    expected: &'static str,
) -> Result<f64, StaffingError> {
    if value.is_finite() && ok {
        Ok(value)
    } else {
        Err(StaffingError::InvalidParameter {
            name,
            value,
            expected,
        })
    }
}

fn check_traffic(traffic: f64) -> Result<f64, StaffingError> {
    check(
        "traffic_erlangs",
        traffic,
        traffic > 0.0,
        "a positive number",
    )?;
    if traffic > MAX_TRAFFIC_ERLANGS {
        return Err(StaffingError::TooLarge {
            traffic_erlangs: traffic,
        });
    }
    Ok(traffic)
}

/// The next Erlang B value: `B(n)` from `B(n-1)`.
fn erlang_b_step(traffic: f64, n: u32, previous: f64) -> f64 {
    let ab = traffic * previous;
    ab / (f64::from(n) + ab)
}

/// Erlang C from Erlang B for `agents > traffic`; 1 when the queue is unstable.
fn c_from_b(traffic: f64, agents: u32, b: f64) -> f64 {
    let n = f64::from(agents);
    if n <= traffic {
        return 1.0;
    }
    n * b / (n - traffic * (1.0 - b))
}

/// Erlang B: the blocking probability with `agents` servers and `traffic` Erlangs offered.
pub fn erlang_b(traffic: f64, agents: u32) -> Result<f64, StaffingError> {
    let traffic = check_traffic(traffic)?;
    Ok((1..=agents).fold(1.0, |b, n| erlang_b_step(traffic, n, b)))
}

/// Erlang C: the probability that a contact waits, with `agents` agents and `traffic`
/// Erlangs offered. It is 1 when `agents <= traffic` (the queue grows without bound).
pub fn erlang_c(traffic: f64, agents: u32) -> Result<f64, StaffingError> {
    let b = erlang_b(traffic, agents)?;
    Ok(c_from_b(traffic, agents, b))
}

/// Fraction answered within `answer_seconds`: `1 - C·exp(-(N-A)·t/AHT)`.
pub fn service_level(
    traffic: f64,
    agents: u32,
    aht_seconds: f64,
    answer_seconds: f64,
) -> Result<f64, StaffingError> {
    let c = erlang_c(traffic, agents)?;
    let aht = check(
        "aht_seconds",
        aht_seconds,
        aht_seconds > 0.0,
        "a positive number of seconds",
    )?;
    let t = check(
        "target_answer_seconds",
        answer_seconds,
        answer_seconds >= 0.0,
        "zero or a positive number of seconds",
    )?;
    Ok(sl_from_c(c, traffic, agents, aht, t))
}

fn sl_from_c(c: f64, traffic: f64, agents: u32, aht: f64, t: f64) -> f64 {
    let n = f64::from(agents);
    if n <= traffic {
        return 0.0;
    }
    (1.0 - c * (-(n - traffic) * t / aht).exp()).clamp(0.0, 1.0)
}

fn asa_from_c(c: f64, traffic: f64, agents: u32, aht: f64) -> f64 {
    let n = f64::from(agents);
    if n <= traffic {
        return f64::INFINITY;
    }
    c * aht / (n - traffic)
}

/// Average speed of answer in seconds: `C·AHT/(N-A)`; infinite when `agents <= traffic`.
pub fn average_speed_of_answer(
    traffic: f64,
    agents: u32,
    aht_seconds: f64,
) -> Result<f64, StaffingError> {
    let c = erlang_c(traffic, agents)?;
    let aht = check(
        "aht_seconds",
        aht_seconds,
        aht_seconds > 0.0,
        "a positive number of seconds",
    )?;
    Ok(asa_from_c(c, traffic, agents, aht))
}

/// Agents to schedule so that `agents` remain after `shrinkage` (breaks, training, absence):
/// the smallest `s` with `s·(1 - shrinkage) >= agents`.
pub fn scheduled_with_shrinkage(agents: u32, shrinkage: f64) -> Result<u32, StaffingError> {
    let shrinkage = check(
        "shrinkage",
        shrinkage,
        (0.0..1.0).contains(&shrinkage),
        "in [0, 1)",
    )?;
    let keep = 1.0 - shrinkage;
    let need = f64::from(agents);
    // Start from a lower bound and step up in integers: no float-to-int cast, and the
    // tolerance keeps 7 / 0.7 at 10 rather than 11.
    let mut s = agents;
    while f64::from(s) * keep < need - 1e-9 {
        s = s.saturating_add(1);
        if s == u32::MAX {
            break;
        }
    }
    Ok(s)
}

/// The smallest number of agents meeting `target_service_level` of contacts answered within
/// `target_answer_seconds`, with `shrinkage` applied for the scheduled head count.
pub fn required_agents(
    arrivals_per_hour: f64,
    aht_seconds: f64,
    target_service_level: f64,
    target_answer_seconds: f64,
    shrinkage: f64,
) -> Result<StaffingPlan, StaffingError> {
    let arrivals = check(
        "arrivals_per_hour",
        arrivals_per_hour,
        arrivals_per_hour >= 0.0,
        "zero or a positive number",
    )?;
    let aht = check(
        "aht_seconds",
        aht_seconds,
        aht_seconds > 0.0,
        "a positive number of seconds",
    )?;
    let target = check(
        "target_service_level",
        target_service_level,
        target_service_level > 0.0 && target_service_level < 1.0,
        "between 0 and 1 (exclusive), e.g. 0.8",
    )?;
    let t = check(
        "target_answer_seconds",
        target_answer_seconds,
        target_answer_seconds >= 0.0,
        "zero or a positive number of seconds",
    )?;
    check(
        "shrinkage",
        shrinkage,
        (0.0..1.0).contains(&shrinkage),
        "in [0, 1)",
    )?;
    if arrivals == 0.0 {
        // Nobody arrives: nobody is needed, and every (no) contact is answered at once.
        return Ok(StaffingPlan {
            agents: 0,
            scheduled_agents: 0,
            service_level: 1.0,
            asa_seconds: 0.0,
            occupancy: 0.0,
            traffic_erlangs: 0.0,
            probability_of_waiting: 0.0,
        });
    }
    let traffic = check_traffic(arrivals / 3600.0 * aht)?;

    let mut b = 1.0;
    let mut n: u32 = 0;
    loop {
        n = n.checked_add(1).ok_or(StaffingError::TooLarge {
            traffic_erlangs: traffic,
        })?;
        b = erlang_b_step(traffic, n, b);
        if f64::from(n) <= traffic {
            continue;
        }
        let c = c_from_b(traffic, n, b);
        let sl = sl_from_c(c, traffic, n, aht, t);
        if sl >= target {
            return Ok(StaffingPlan {
                agents: n,
                scheduled_agents: scheduled_with_shrinkage(n, shrinkage)?,
                service_level: sl,
                asa_seconds: asa_from_c(c, traffic, n, aht),
                occupancy: traffic / f64::from(n),
                traffic_erlangs: traffic,
                probability_of_waiting: c,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Erlang C straight from the textbook formula, only usable for small loads.
    fn direct_erlang_c(a: f64, n: u32) -> f64 {
        let mut term = 1.0;
        let mut sum = 0.0;
        for k in 0..n {
            sum += term;
            term *= a / f64::from(k + 1);
        }
        let top = term * f64::from(n) / (f64::from(n) - a);
        top / (sum + top)
    }

    #[test]
    fn recursion_matches_the_direct_formula_for_small_loads() {
        for (a, n) in [(10.0, 11), (10.0, 13), (10.0, 15), (2.5, 3), (30.0, 40)] {
            let fast = erlang_c(a, n).unwrap();
            let slow = direct_erlang_c(a, n);
            assert!((fast - slow).abs() < 1e-12, "A={a} N={n}: {fast} vs {slow}");
        }
    }

    #[test]
    fn no_arrivals_need_no_agents() {
        let plan = required_agents(0.0, 180.0, 0.8, 20.0, 0.3).unwrap();
        assert_eq!((plan.agents, plan.scheduled_agents), (0, 0));
        assert!((plan.service_level - 1.0).abs() < f64::EPSILON);
        assert!(required_agents(-1.0, 180.0, 0.8, 20.0, 0.0).is_err());
    }

    #[test]
    fn ten_erlangs_at_eighty_twenty_needs_fourteen_agents() {
        // 200 contacts an hour × 180 s = 10 Erlangs.
        let plan = required_agents(200.0, 180.0, 0.8, 20.0, 0.0).unwrap();
        assert!((plan.traffic_erlangs - 10.0).abs() < 1e-12);
        let sl =
            |n: u32| 1.0 - direct_erlang_c(10.0, n) * (-(f64::from(n) - 10.0) * 20.0 / 180.0).exp();
        let expected = (11..40).find(|&n| sl(n) >= 0.8).unwrap();
        assert_eq!(plan.agents, expected);
        assert_eq!(plan.agents, 14);
        assert!((plan.service_level - sl(14)).abs() < 1e-12);
        assert!((plan.service_level - 0.888_350_019).abs() < 1e-8);
        let asa = direct_erlang_c(10.0, 14) * 180.0 / 4.0;
        assert!((plan.asa_seconds - asa).abs() < 1e-9);
        assert!((plan.occupancy - 10.0 / 14.0).abs() < 1e-12);
        assert_eq!(plan.scheduled_agents, 14);
    }

    #[test]
    fn shrinkage_rounds_the_scheduled_head_count_up() {
        assert_eq!(scheduled_with_shrinkage(7, 0.3).unwrap(), 10);
        assert_eq!(scheduled_with_shrinkage(10, 0.3).unwrap(), 15);
        assert_eq!(scheduled_with_shrinkage(13, 0.0).unwrap(), 13);
        let plan = required_agents(200.0, 180.0, 0.8, 20.0, 0.3).unwrap();
        assert_eq!(plan.scheduled_agents, 20);
    }

    #[test]
    fn more_agents_never_lower_the_service_level() {
        let mut last_sl = 0.0;
        let mut last_asa = f64::INFINITY;
        for n in 11..60 {
            let sl = service_level(10.0, n, 180.0, 20.0).unwrap();
            let asa = average_speed_of_answer(10.0, n, 180.0).unwrap();
            assert!(sl >= last_sl && asa <= last_asa, "n={n}");
            last_sl = sl;
            last_asa = asa;
        }
    }

    #[test]
    fn more_arrivals_never_need_fewer_agents() {
        let mut last = 0;
        for arrivals in (1..200).map(|k| f64::from(k) * 50.0) {
            let plan = required_agents(arrivals, 240.0, 0.8, 20.0, 0.0).unwrap();
            assert!(plan.agents >= last, "{arrivals}/h");
            last = plan.agents;
        }
    }

    #[test]
    fn one_hundred_thousand_arrivals_an_hour_give_sane_numbers() {
        let plan = required_agents(100_000.0, 300.0, 0.8, 20.0, 0.3).unwrap();
        let traffic = 100_000.0 * 300.0 / 3600.0;
        assert!((plan.traffic_erlangs - traffic).abs() < 1e-6);
        assert!(f64::from(plan.agents) > traffic);
        // Large pools are efficient: only a few percent above the load.
        assert!(f64::from(plan.agents) < traffic * 1.05, "{plan:?}");
        assert!(plan.service_level >= 0.8 && plan.service_level < 1.0);
        assert!(plan.occupancy > 0.95 && plan.occupancy < 1.0);
        assert!(plan.asa_seconds.is_finite() && plan.asa_seconds < 20.0);
        let one_fewer = service_level(traffic, plan.agents - 1, 300.0, 20.0).unwrap();
        assert!(one_fewer < 0.8);
        assert!(plan.scheduled_agents >= plan.agents);
    }

    #[test]
    fn bad_inputs_are_rejected_naming_the_parameter() {
        let name = |r: Result<StaffingPlan, StaffingError>| match r {
            Err(StaffingError::InvalidParameter { name, .. }) => name,
            other => panic!("expected an invalid parameter, got {other:?}"),
        };
        assert_eq!(
            name(required_agents(f64::NAN, 180.0, 0.8, 20.0, 0.0)),
            "arrivals_per_hour"
        );
        assert_eq!(
            name(required_agents(-0.5, 180.0, 0.8, 20.0, 0.0)),
            "arrivals_per_hour"
        );
        assert_eq!(
            name(required_agents(100.0, -1.0, 0.8, 20.0, 0.0)),
            "aht_seconds"
        );
        assert_eq!(
            name(required_agents(100.0, 180.0, 1.0, 20.0, 0.0)),
            "target_service_level"
        );
        assert_eq!(
            name(required_agents(100.0, 180.0, 0.0, 20.0, 0.0)),
            "target_service_level"
        );
        assert_eq!(
            name(required_agents(100.0, 180.0, 0.8, -5.0, 0.0)),
            "target_answer_seconds"
        );
        assert_eq!(
            name(required_agents(100.0, 180.0, 0.8, 20.0, 1.0)),
            "shrinkage"
        );
        assert_eq!(
            name(required_agents(100.0, 180.0, 0.8, 20.0, -0.1)),
            "shrinkage"
        );
        let too_big = required_agents(1e12, 3600.0, 0.8, 20.0, 0.0);
        assert!(matches!(too_big, Err(StaffingError::TooLarge { .. })));
    }

    #[test]
    fn an_unstable_queue_always_waits() {
        assert_eq!(erlang_c(10.0, 10).unwrap(), 1.0);
        assert_eq!(service_level(10.0, 9, 180.0, 20.0).unwrap(), 0.0);
        assert!(
            average_speed_of_answer(10.0, 10, 180.0)
                .unwrap()
                .is_infinite()
        );
    }
}
