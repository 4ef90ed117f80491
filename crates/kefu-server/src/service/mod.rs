//! Use-cases shared by the API, web pages, channel webhooks and workers. No axum types here:
//! a rule about tickets lives in exactly one of these files.

pub mod admin;
pub mod bot;
pub mod escalation;
pub mod handling;
pub mod intake;
pub mod kb;
pub mod lookup;
pub mod roster;
pub mod routing;
pub mod seed;
pub mod sla;
pub mod validate;
