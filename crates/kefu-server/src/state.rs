//! What every handler shares: the service core, this node's HTTP metrics, its login and
//! rate limiters, and its live channel's gate.

use crate::live::{LiveGate, LiveLimits};
use crate::metrics::Metrics;
use crate::rate_limit::{RateLimiters, RateLimits};
use kefu_service::Core;
use kefu_service::login_guard::{LoginGuard, LoginLimits};
use std::sync::Arc;

/// Shared state: one `Arc`, so the clones axum makes per request cost one atomic
/// increment (they were a measurable part of the intake path with one `Arc` per field).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What an [`AppState`] points to.
pub struct Shared {
    pub core: Arc<Core>,
    pub metrics: Metrics,
    pub login_guard: LoginGuard,
    pub rate_limits: RateLimiters,
    /// The live channel's limits and open connections (shared with the shutdown hook).
    pub live: Arc<LiveGate>,
}

impl AppState {
    /// State with the default login and rate limits.
    pub fn new(core: Arc<Core>) -> Self {
        Self::with_parts(
            core,
            LoginGuard::default(),
            RateLimiters::default(),
            Arc::default(),
        )
    }

    /// Replaces the login and rate limits (from the configuration).
    #[must_use]
    pub fn with_limits(self, login: LoginLimits, rate: RateLimits) -> Self {
        Self::with_parts(
            self.0.core.clone(),
            LoginGuard::new(login),
            RateLimiters::new(rate),
            self.0.live.clone(),
        )
    }

    /// Replaces the live channel's limits (from the configuration). Call it while
    /// building, before the state is cloned: a shared state keeps the limits it has.
    #[must_use]
    pub fn with_live(self, limits: LiveLimits) -> Self {
        match Arc::try_unwrap(self.0) {
            Ok(mut shared) => {
                shared.live = Arc::new(LiveGate::new(limits));
                Self(Arc::new(shared))
            }
            Err(shared) => {
                tracing::warn!("live limits set on a state already in use; keeping the old ones");
                Self(shared)
            }
        }
    }

    fn with_parts(
        core: Arc<Core>,
        login_guard: LoginGuard,
        rate_limits: RateLimiters,
        live: Arc<LiveGate>,
    ) -> Self {
        Self(Arc::new(Shared {
            core,
            metrics: Metrics::default(),
            login_guard,
            rate_limits,
            live,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl std::ops::Deref for Shared {
    type Target = Core;
    fn deref(&self) -> &Core {
        &self.core
    }
}
