//! What every handler shares: the service core, this node's HTTP metrics, and its login and
//! rate limiters.

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
}

impl AppState {
    /// State with the default login and rate limits.
    pub fn new(core: Arc<Core>) -> Self {
        Self::with_parts(core, LoginGuard::default(), RateLimiters::default())
    }

    /// Replaces the login and rate limits (from the configuration).
    #[must_use]
    pub fn with_limits(self, login: LoginLimits, rate: RateLimits) -> Self {
        Self::with_parts(
            self.0.core.clone(),
            LoginGuard::new(login),
            RateLimiters::new(rate),
        )
    }

    fn with_parts(core: Arc<Core>, login_guard: LoginGuard, rate_limits: RateLimiters) -> Self {
        Self(Arc::new(Shared {
            core,
            metrics: Metrics::default(),
            login_guard,
            rate_limits,
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
