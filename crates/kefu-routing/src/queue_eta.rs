//! Estimated wait told to a queued customer.
//!
//! The estimate is the M/M/c one for a queue that is already full: with `c` busy servers
//! (agents on duty × their concurrent capacity) and mean handle time `h`, one server frees
//! up on average every `h / c` seconds (the minimum of `c` exponential handle times), so a
//! ticket with `k` tickets ahead of it waits for `k + 1` departures: `(k + 1) · h / c`.
//! Free servers take tickets at once, so a ticket with fewer tickets ahead than free
//! servers waits nothing. With nobody on duty there is no estimate.

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

/// The inputs: what the queue and the floor look like now.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QueueSnapshot {
    /// Tickets ahead of this one that the same agents would take first.
    pub ahead: usize,
    /// Concurrent slots of agents on duty for this kind of ticket.
    pub servers: u32,
    /// Slots free right now.
    pub free_servers: u32,
    /// Recent average handle time in seconds.
    pub aht_seconds: f64,
}

/// The expected wait, or `None` when nobody is on duty or the handle time is unknown.
pub fn estimate_wait(s: QueueSnapshot) -> Option<SignedDuration> {
    if s.servers == 0 || !s.aht_seconds.is_finite() || s.aht_seconds <= 0.0 {
        return None;
    }
    let free = usize::try_from(s.free_servers).unwrap_or(usize::MAX);
    if s.ahead < free {
        return Some(SignedDuration::ZERO);
    }
    // Tickets ahead beyond the free slots each wait for a departure too.
    let departures = (s.ahead - free + 1) as f64;
    let seconds = departures * s.aht_seconds / f64::from(s.servers);
    SignedDuration::try_from_secs_f64(seconds).ok()
}

/// The wait rounded up to whole minutes, as told to a customer ("about 4 minutes").
pub fn minutes_rounded_up(wait: SignedDuration) -> i64 {
    let secs = wait.as_secs() + i64::from(wait.subsec_nanos() > 0);
    (secs + 59).div_euclid(60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(ahead: usize, servers: u32, free: u32) -> QueueSnapshot {
        QueueSnapshot {
            ahead,
            servers,
            free_servers: free,
            aht_seconds: 300.0,
        }
    }

    #[test]
    fn next_in_line_with_ten_busy_agents_waits_a_tenth_of_a_handle_time() {
        let w = estimate_wait(snap(0, 10, 0)).unwrap();
        assert_eq!(w, SignedDuration::from_secs(30));
        assert_eq!(minutes_rounded_up(w), 1);
    }

    #[test]
    fn wait_grows_with_position_and_shrinks_with_staff() {
        let a = estimate_wait(snap(9, 10, 0)).unwrap();
        assert_eq!(a, SignedDuration::from_secs(300));
        let b = estimate_wait(snap(9, 20, 0)).unwrap();
        assert!(b < a);
        let c = estimate_wait(snap(19, 10, 0)).unwrap();
        assert!(c > a);
    }

    #[test]
    fn free_agents_mean_no_wait_and_nobody_on_duty_means_no_estimate() {
        assert_eq!(estimate_wait(snap(2, 10, 3)), Some(SignedDuration::ZERO));
        assert_eq!(
            estimate_wait(snap(3, 10, 3)),
            Some(SignedDuration::from_secs(30))
        );
        assert_eq!(estimate_wait(snap(0, 0, 0)), None);
        let mut s = snap(0, 5, 0);
        s.aht_seconds = f64::NAN;
        assert_eq!(estimate_wait(s), None);
    }
}
