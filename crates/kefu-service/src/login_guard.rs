//! Keeps password guessing slow and bounded: failed logins are counted per account (by
//! e-mail, so unknown addresses count too and reveal nothing) and per client address; each
//! failure delays the next attempt a little more, and past a threshold the account or the
//! address is locked for a while — 1, 2, 4 … minutes, capped. A success clears the
//! account's count. Password hashing (argon2, about 19 MiB each) runs only a few at a time,
//! so a flood of logins waits instead of taking the node's memory.
//!
//! The counts live in this node's memory: with several nodes on PostgreSQL each node holds
//! its own limits (an attacker spread over N nodes gets N times the attempts), and a restart
//! forgets them.

use crate::error::{ErrorCode, ServiceError, ServiceResult};
use kefu_domain::AgentId;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, SemaphorePermit};

/// How hard logins are limited; built by the binary from its configuration.
#[derive(Debug, Clone)]
pub struct LoginLimits {
    /// Failures on one account before it is locked.
    pub account_failures: u32,
    /// Failures from one client address before it is locked.
    pub address_failures: u32,
    /// The first lock; each further lock of the same account or address doubles it.
    pub first_lock: Duration,
    /// The longest lock.
    pub max_lock: Duration,
    /// Added to the wait before each attempt, per earlier failure on the account.
    pub delay_per_failure: Duration,
    /// The longest wait before an attempt.
    pub max_delay: Duration,
    /// Password hashes computed at once on this node.
    pub hashing_concurrency: usize,
    /// How long a login waits for a hashing slot before `service_unavailable`.
    pub hashing_wait: Duration,
    /// Failures older than this (with no lock running) are forgotten.
    pub forget_after: Duration,
    /// Most accounts and addresses remembered at once.
    pub max_entries: usize,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            account_failures: 5,
            address_failures: 20,
            first_lock: Duration::from_secs(60),
            max_lock: Duration::from_secs(30 * 60),
            delay_per_failure: Duration::from_millis(250),
            max_delay: Duration::from_secs(2),
            hashing_concurrency: 4,
            hashing_wait: Duration::from_secs(10),
            forget_after: Duration::from_secs(3600),
            max_entries: 100_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Address(IpAddr),
}

#[derive(Debug, Default)]
struct Record {
    failures: u32,
    locks: u32,
    locked_until: Option<Instant>,
    last_failure: Option<Instant>,
}

/// This node's login failure counts and hashing slots.
pub struct LoginGuard {
    limits: LoginLimits,
    hashing: Semaphore,
    records: Mutex<HashMap<Key, Record>>,
}

impl Default for LoginGuard {
    fn default() -> Self {
        Self::new(LoginLimits::default())
    }
}

impl LoginGuard {
    pub fn new(limits: LoginLimits) -> Self {
        Self {
            hashing: Semaphore::new(limits.hashing_concurrency.max(1)),
            limits,
            records: Mutex::new(HashMap::new()),
        }
    }

    fn keys(email: &str, client: Option<IpAddr>) -> impl Iterator<Item = Key> {
        std::iter::once(Key::Account(email.trim().to_lowercase())).chain(client.map(Key::Address))
    }

    /// Refuses while the account or the address is locked; otherwise returns how long to
    /// wait before trying the password.
    pub fn admit(&self, email: &str, client: Option<IpAddr>) -> ServiceResult<Duration> {
        let now = Instant::now();
        let records = self.records.lock().map_err(ServiceError::internal)?;
        let mut delay = Duration::ZERO;
        for key in Self::keys(email, client) {
            let Some(r) = records.get(&key) else { continue };
            if let Some(until) = r.locked_until.filter(|u| *u > now) {
                return Err(locked(until - now));
            }
            if matches!(key, Key::Account(_)) {
                delay = self
                    .limits
                    .delay_per_failure
                    .saturating_mul(r.failures)
                    .min(self.limits.max_delay);
            }
        }
        Ok(delay)
    }

    /// A hashing slot, waited for at most `hashing_wait`.
    pub async fn hashing_slot(&self) -> ServiceResult<SemaphorePermit<'_>> {
        let busy = || {
            ServiceError::rate_limited(
                ErrorCode::ServiceUnavailable,
                "Too many logins at once; try again in a moment.",
                Duration::from_secs(1),
            )
        };
        match tokio::time::timeout(self.limits.hashing_wait, self.hashing.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(busy()),
        }
    }

    /// Counts a failed login; returns the lock it started, if it started one.
    pub fn failed(
        &self,
        email: &str,
        client: Option<IpAddr>,
        agent: Option<AgentId>,
    ) -> ServiceResult<Option<ServiceError>> {
        let now = Instant::now();
        let mut records = self.records.lock().map_err(ServiceError::internal)?;
        if records.len() >= self.limits.max_entries {
            self.forget_stale(&mut records, now);
        }
        let mut started = None;
        for key in Self::keys(email, client) {
            if records.len() >= self.limits.max_entries && !records.contains_key(&key) {
                // Full of live records: count no more than we can remember.
                continue;
            }
            let threshold = match key {
                Key::Account(_) => self.limits.account_failures,
                Key::Address(_) => self.limits.address_failures,
            };
            let r = records.entry(key.clone()).or_default();
            if r.locked_until.is_some_and(|u| u <= now) {
                r.locked_until = None;
                r.failures = 0;
            }
            r.failures += 1;
            r.last_failure = Some(now);
            if r.failures >= threshold.max(1) && r.locked_until.is_none() {
                let lock = self
                    .limits
                    .first_lock
                    .saturating_mul(2u32.saturating_pow(r.locks.min(16)))
                    .min(self.limits.max_lock);
                r.locks += 1;
                r.locked_until = Some(now + lock);
                match &key {
                    Key::Account(_) => tracing::warn!(
                        agent.id = agent.map(|a| a.0),
                        client.ip = client.map(|c| c.to_string()),
                        lock_s = lock.as_secs(),
                        lock.count = r.locks,
                        "login locked for an account after repeated failures"
                    ),
                    Key::Address(ip) => tracing::warn!(
                        client.ip = %ip,
                        lock_s = lock.as_secs(),
                        lock.count = r.locks,
                        "login locked for a client address after repeated failures"
                    ),
                }
                started.get_or_insert(locked(lock));
            }
        }
        Ok(started)
    }

    /// A successful login clears the account's failures (its lock history too).
    pub fn succeeded(&self, email: &str) {
        if let Ok(mut records) = self.records.lock() {
            records.remove(&Key::Account(email.trim().to_lowercase()));
        }
    }

    fn forget_stale(&self, records: &mut HashMap<Key, Record>, now: Instant) {
        let forget = self.limits.forget_after;
        records.retain(|_, r| {
            r.locked_until.is_some_and(|u| u > now)
                || r.last_failure.is_some_and(|at| now - at < forget)
        });
    }
}

fn locked(wait: Duration) -> ServiceError {
    let minutes = wait.as_secs().div_ceil(60).max(1);
    ServiceError::rate_limited(
        ErrorCode::AccountLocked,
        format!("Too many failed logins; try again in {minutes} min."),
        wait.max(Duration::from_secs(1)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> LoginGuard {
        LoginGuard::new(LoginLimits {
            account_failures: 3,
            address_failures: 5,
            ..LoginLimits::default()
        })
    }

    fn ip(n: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, n]))
    }

    #[test]
    fn an_account_locks_after_its_threshold_and_the_lock_doubles() {
        let g = guard();
        for _ in 0..2 {
            assert!(g.failed("a@b.cn", ip(1), None).unwrap().is_none());
        }
        assert_eq!(
            g.admit("A@b.cn ", ip(2)).unwrap(),
            Duration::from_millis(500)
        );
        let lock = g
            .failed("a@b.cn", ip(1), Some(AgentId(7)))
            .unwrap()
            .unwrap();
        assert_eq!(lock.code, ErrorCode::AccountLocked);
        assert_eq!(lock.retry_after, Some(Duration::from_secs(60)));
        assert_eq!(
            g.admit("a@b.cn", ip(3)).unwrap_err().code,
            ErrorCode::AccountLocked
        );
        assert!(g.admit("other@b.cn", ip(3)).is_ok());
        // Expire the lock by hand: the next lock lasts twice as long.
        {
            let mut records = g.records.lock().unwrap();
            let r = records.get_mut(&Key::Account("a@b.cn".into())).unwrap();
            r.locked_until = Some(Instant::now());
        }
        for _ in 0..2 {
            assert!(g.failed("a@b.cn", None, None).unwrap().is_none());
        }
        let lock = g.failed("a@b.cn", None, None).unwrap().unwrap();
        assert_eq!(lock.retry_after, Some(Duration::from_secs(120)));
    }

    #[test]
    fn an_address_locks_across_accounts_and_success_clears_only_the_account() {
        let g = guard();
        for i in 0..4 {
            assert!(
                g.failed(&format!("u{i}@b.cn"), ip(9), None)
                    .unwrap()
                    .is_none()
            );
        }
        g.succeeded("u0@b.cn");
        let lock = g.failed("u5@b.cn", ip(9), None).unwrap().unwrap();
        assert_eq!(lock.code, ErrorCode::AccountLocked);
        assert!(g.admit("u0@b.cn", ip(9)).is_err());
        assert!(g.admit("u0@b.cn", ip(8)).is_ok());
        assert!(g.admit("u0@b.cn", None).is_ok());
    }

    #[test]
    fn memory_is_bounded() {
        let g = LoginGuard::new(LoginLimits {
            max_entries: 10,
            ..LoginLimits::default()
        });
        for i in 0..100 {
            let _ = g.failed(&format!("u{i}@b.cn"), None, None);
        }
        assert!(g.records.lock().unwrap().len() <= 10);
    }

    #[tokio::test]
    async fn hashing_slots_are_bounded_and_waiting_is_too() {
        let g = LoginGuard::new(LoginLimits {
            hashing_concurrency: 1,
            hashing_wait: Duration::from_millis(20),
            ..LoginLimits::default()
        });
        let held = g.hashing_slot().await.unwrap();
        let busy = g.hashing_slot().await.unwrap_err();
        assert_eq!(busy.code, ErrorCode::ServiceUnavailable);
        drop(held);
        assert!(g.hashing_slot().await.is_ok());
    }
}
