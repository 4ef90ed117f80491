//! kefu's use-cases, once, for every entry point: the HTTP API, the web pages, channel
//! webhooks, background workers and the CLI all call these functions. Each takes the
//! [`Caller`] first and decides here who may do what; errors are [`ServiceError`] codes,
//! never HTTP statuses. No HTTP types in this crate.

pub mod admin;
pub mod attachments;
pub mod audit;
pub mod board;
pub mod bot;
pub mod caller;
pub mod canned;
pub mod channels;
pub mod containment;
pub mod core;
pub mod credentials;
pub mod dashboard;
pub mod desk;
pub mod email;
pub mod error;
pub mod escalation;
pub mod events;
pub mod gauges;
pub mod handling;
pub mod help;
pub mod inputs;
pub mod intake;
pub mod jobs;
pub mod kb;
pub mod kb_articles;
pub mod kb_diff;
pub mod learning;
pub mod live;
pub mod login_guard;
pub mod lookup;
pub mod messages;
pub mod online_form;
pub mod policies;
pub mod popular;
pub mod reports;
pub mod reviews;
pub mod roster;
pub mod routing;
pub mod seed;
pub mod sla;
pub mod sla_policies;
pub mod starving;
pub mod survey;
pub mod validate;
pub mod visitor;
pub mod workers;
pub mod workspace;

pub use caller::{Caller, ChannelKey, CustomerProof, Staff};
pub use core::{Catalogue, Core, Settings};
pub use error::{ErrorCode, FieldError, ServiceError, ServiceResult};
/// The languages customers are served in (the bot's, the pages', the catalogues').
pub use kefu_bot::Lang;

/// Store and routing types that appear in use-case signatures, re-exported so entry points
/// depend on this crate alone.
pub mod types {
    pub use kefu_routing::shift::{DEFAULT_TIME_ZONE, time_zone};
    pub use kefu_store::{
        Acknowledgement, AnsweredSurvey, ArticleVersion, Credential, DashboardCounts, Job,
        JobCounts, JobId, PolicyUpdate, Review, ReviewStatus, SatisfactionScore, ScoreFilter,
        SlaDue, SurveyRecord, TicketCursor, TicketFilter, TicketSort, UnansweredRecord,
        WaitingCount,
    };
}
