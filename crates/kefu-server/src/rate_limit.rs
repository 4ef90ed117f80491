//! Rate limits on the routes a stranger or a misbehaving integration can hammer, checked
//! once per request ([`crate::edge`]): a customer's ticket lookup per client address and
//! per ticket number, intake per API key, customer messages per ticket, the help center's
//! search per client address. The pages check the same limiters themselves (their refusal
//! is an HTML page). Over a limit the
//! answer is `429 rate_limited` with `Retry-After`.
//!
//! The limiters (governor's GCRA, keyed) live in this node's memory: with several nodes on
//! PostgreSQL each node holds its own limits, so a client spread over N nodes gets N times
//! the rate. Their memory is bounded: keys back at a full bucket are dropped every few
//! thousand checks, and a limiter past `max_keys` starts afresh.

use crate::client_addr::client_addr;
use crate::problem::{ApiError, ErrorCode, ServiceError};
use axum::extract::Request;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::hash::{BuildHasher, Hash, RandomState};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A sustained rate and the burst allowed above it; `per_second: 0` turns the limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub per_second: u32,
    pub burst: u32,
}

/// The limits, built by the binary from its configuration. The defaults leave room for the
/// benchmarks' intake rate and stop a script enumerating ticket numbers.
#[derive(Debug, Clone)]
pub struct RateLimits {
    /// `GET /api/v1/customer/tickets/{number}` (and `POST …/satisfaction`) per client address.
    pub lookup_per_address: Rate,
    /// `GET /api/v1/customer/tickets/{number}` (and `POST …/satisfaction`) per ticket number.
    pub lookup_per_ticket: Rate,
    /// `POST /api/v1/tickets` per bearer token.
    pub intake_per_key: Rate,
    /// `POST /api/v1/customer/tickets/{number}/messages` per ticket number.
    pub messages_per_ticket: Rate,
    /// `GET /api/v1/help/search` (and the search page) per client address.
    pub help_search_per_address: Rate,
    /// Take the client address from the last `X-Forwarded-For` entry (behind a proxy that
    /// sets it; otherwise any client could pick its own address).
    pub trust_forwarded_for: bool,
    /// Most keys one limiter remembers.
    pub max_keys: usize,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            lookup_per_address: Rate {
                per_second: 10,
                burst: 30,
            },
            lookup_per_ticket: Rate {
                per_second: 5,
                burst: 20,
            },
            intake_per_key: Rate {
                per_second: 2_000,
                burst: 4_000,
            },
            messages_per_ticket: Rate {
                per_second: 5,
                burst: 20,
            },
            // Search as you type: a few requests a second while someone types.
            help_search_per_address: Rate {
                per_second: 10,
                burst: 30,
            },
            trust_forwarded_for: false,
            max_keys: 100_000,
        }
    }
}

/// Checks between two clean-ups of a limiter.
const MAINTAIN_EVERY: u64 = 4096;

type Keyed = RateLimiter<u64, DefaultKeyedStateStore<u64>, DefaultClock>;

/// One keyed limiter with bounded memory. Keys are hashed (random per node) so a limiter
/// holds 8 bytes per key whatever the client sent.
struct Bounded {
    quota: Quota,
    max_keys: usize,
    limiter: RwLock<Keyed>,
    checks: AtomicU64,
}

impl Bounded {
    fn new(rate: Rate, max_keys: usize) -> Option<Self> {
        let per_second = NonZeroU32::new(rate.per_second)?;
        let burst = NonZeroU32::new(rate.burst.max(rate.per_second)).unwrap_or(per_second);
        let quota = Quota::per_second(per_second).allow_burst(burst);
        Some(Self {
            quota,
            max_keys,
            limiter: RwLock::new(RateLimiter::keyed(quota)),
            checks: AtomicU64::new(0),
        })
    }

    /// `Err(wait)` when the key is over its rate.
    fn check(&self, key: u64) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % MAINTAIN_EVERY == MAINTAIN_EVERY - 1 {
            self.maintain();
        }
        let Ok(limiter) = self.limiter.read() else {
            return Ok(());
        };
        limiter
            .check_key(&key)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    fn maintain(&self) {
        if let Ok(mut limiter) = self.limiter.write() {
            limiter.retain_recent();
            if limiter.len() > self.max_keys {
                tracing::warn!(
                    keys = limiter.len(),
                    "rate limiter over its key budget; starting afresh"
                );
                *limiter = RateLimiter::keyed(self.quota);
            }
            limiter.shrink_to_fit();
        }
    }

    fn len(&self) -> usize {
        self.limiter.read().map_or(0, |l| l.len())
    }
}

/// This node's limiters.
pub struct RateLimiters {
    settings: RateLimits,
    hasher: RandomState,
    lookup_address: Option<Bounded>,
    lookup_ticket: Option<Bounded>,
    intake_key: Option<Bounded>,
    messages_ticket: Option<Bounded>,
    help_search_address: Option<Bounded>,
}

impl Default for RateLimiters {
    fn default() -> Self {
        Self::new(RateLimits::default())
    }
}

impl RateLimiters {
    pub fn new(settings: RateLimits) -> Self {
        let max = settings.max_keys;
        Self {
            lookup_address: Bounded::new(settings.lookup_per_address, max),
            lookup_ticket: Bounded::new(settings.lookup_per_ticket, max),
            intake_key: Bounded::new(settings.intake_per_key, max),
            messages_ticket: Bounded::new(settings.messages_per_ticket, max),
            help_search_address: Bounded::new(settings.help_search_per_address, max),
            hasher: RandomState::new(),
            settings,
        }
    }

    pub fn settings(&self) -> &RateLimits {
        &self.settings
    }

    /// Keys remembered by all limiters together (for tests and metrics).
    pub fn keys(&self) -> usize {
        [
            &self.lookup_address,
            &self.lookup_ticket,
            &self.intake_key,
            &self.messages_ticket,
            &self.help_search_address,
        ]
        .into_iter()
        .flatten()
        .map(Bounded::len)
        .sum()
    }

    /// A customer's look at ticket `number` from `addr`: the lookup limits, per address
    /// first (a refused client never adds keys to the number limiter), then per number.
    /// The live channel's `subscribe` counts as one too.
    pub fn check_lookup(&self, addr: Option<IpAddr>, number: &str) -> Result<(), Duration> {
        addr.map_or(Ok(()), |a| self.check(&self.lookup_address, a))
            .and_then(|()| self.check(&self.lookup_ticket, number_key(number)))
    }

    /// A customer's message on ticket `number` (the page's reply form counts like the API).
    pub fn check_message(&self, number: &str) -> Result<(), Duration> {
        self.check(&self.messages_ticket, number_key(number))
    }

    /// A ticket opened from the web pages (the chat's first message, the online form) by a
    /// visitor at `addr`: counts against the address's lookup limit.
    pub fn check_visitor_intake(&self, addr: Option<IpAddr>) -> Result<(), Duration> {
        addr.map_or(Ok(()), |a| self.check(&self.lookup_address, a))
    }

    /// A help-center search from `addr`.
    pub fn check_help_search(&self, addr: Option<IpAddr>) -> Result<(), Duration> {
        addr.map_or(Ok(()), |a| self.check(&self.help_search_address, a))
    }

    fn check<K: Hash>(&self, limiter: &Option<Bounded>, key: K) -> Result<(), Duration> {
        match limiter {
            Some(l) => l.check(self.hasher.hash_one(key)),
            None => Ok(()),
        }
    }
}

/// What a request is limited as.
enum Limited<'a> {
    Lookup(&'a str),
    Message(&'a str),
    Intake,
    HelpSearch,
}

fn classify<'a>(method: &Method, path: &'a str) -> Option<Limited<'a>> {
    if let Some(rest) = path.strip_prefix("/api/v1/customer/tickets/") {
        return match (method, rest.split_once('/')) {
            (&Method::GET, None) if !rest.is_empty() => Some(Limited::Lookup(rest)),
            (&Method::POST, Some((number, "messages"))) => Some(Limited::Message(number)),
            // A survey answer checks a lookup code (or a token) like a lookup does: limited
            // alike, so it is no way around the lookup limits to guess codes.
            (&Method::POST, Some((number, "satisfaction"))) => Some(Limited::Lookup(number)),
            _ => None,
        };
    }
    if method == Method::GET && path == "/api/v1/help/search" {
        return Some(Limited::HelpSearch);
    }
    (method == Method::POST && path.trim_end_matches('/') == "/api/v1/tickets")
        .then_some(Limited::Intake)
}

/// A ticket number as a key: the same ticket however it is written (dashes, case).
fn number_key(raw: &str) -> String {
    raw.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(40)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The answer to give instead of serving the request, when it is over a limit: a 429
/// problem with Retry-After. Asked once per request by [`crate::edge`].
pub fn refusal(limits: &RateLimiters, req: &Request) -> Option<Response> {
    let verdict = match classify(req.method(), req.uri().path()) {
        None => Ok(()),
        Some(Limited::Lookup(number)) => {
            let addr: Option<IpAddr> = client_addr(
                req.headers(),
                req.extensions(),
                limits.settings.trust_forwarded_for,
            );
            limits.check_lookup(addr, number)
        }
        Some(Limited::Message(number)) => limits.check_message(number),
        Some(Limited::HelpSearch) => limits.check_help_search(client_addr(
            req.headers(),
            req.extensions(),
            limits.settings.trust_forwarded_for,
        )),
        Some(Limited::Intake) => match req.headers().get(header::AUTHORIZATION) {
            Some(token) => limits.check(&limits.intake_key, token.as_bytes()),
            None => Ok(()),
        },
    };
    verdict.err().map(|wait| {
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        ApiError(ServiceError::rate_limited(
            ErrorCode::RateLimited,
            format!("Too many requests; try again in {} s.", secs.max(1)),
            Duration::from_secs(secs.max(1)),
        ))
        .into_response()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_classified_by_method_and_path() {
        let n = "/api/v1/customer/tickets/261130-0000-0000-7";
        assert!(matches!(
            classify(&Method::GET, n),
            Some(Limited::Lookup(_))
        ));
        assert!(classify(&Method::POST, n).is_none());
        let m = format!("{n}/messages");
        assert!(matches!(
            classify(&Method::POST, &m),
            Some(Limited::Message(_))
        ));
        assert!(classify(&Method::POST, &format!("{n}/feedback")).is_none());
        assert!(matches!(
            classify(&Method::POST, &format!("{n}/satisfaction")),
            Some(Limited::Lookup(_))
        ));
        assert!(matches!(
            classify(&Method::POST, "/api/v1/tickets"),
            Some(Limited::Intake)
        ));
        assert!(classify(&Method::GET, "/api/v1/tickets").is_none());
        assert!(matches!(
            classify(&Method::GET, "/api/v1/help/search"),
            Some(Limited::HelpSearch)
        ));
        assert!(classify(&Method::GET, "/api/v1/customer/tickets/").is_none());
        assert_eq!(
            number_key("261130-0000-0000-7"),
            number_key("261130 000000007")
        );
    }

    #[test]
    fn a_burst_past_the_limit_is_refused_and_other_keys_are_not() {
        let l = RateLimiters::new(RateLimits {
            lookup_per_ticket: Rate {
                per_second: 1,
                burst: 3,
            },
            ..RateLimits::default()
        });
        for _ in 0..3 {
            assert!(l.check(&l.lookup_ticket, "A").is_ok());
        }
        let wait = l.check(&l.lookup_ticket, "A").unwrap_err();
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        assert!(l.check(&l.lookup_ticket, "B").is_ok());
    }

    #[test]
    fn memory_is_bounded() {
        let b = Bounded::new(
            Rate {
                per_second: 1,
                burst: 1,
            },
            100,
        )
        .unwrap();
        for key in 0..(MAINTAIN_EVERY * 2) {
            let _ = b.check(key);
        }
        assert!(b.len() < usize::try_from(MAINTAIN_EVERY).unwrap());
    }

    #[test]
    fn a_zero_rate_turns_the_limit_off() {
        let l = RateLimiters::new(RateLimits {
            intake_per_key: Rate {
                per_second: 0,
                burst: 0,
            },
            ..RateLimits::default()
        });
        for _ in 0..10_000 {
            assert!(l.check(&l.intake_key, "k").is_ok());
        }
    }
}
