//! The OpenAPI document of every `/api/v1` route (plus `/healthz`, `/metrics` and the
//! document itself), served at `/api/openapi.json`.
//!
//! The wire types keep plain `String`s for statuses, priorities and the like; the named
//! schemas below give those fields their closed sets of values, built from the domain's
//! own lists (`TicketStatus::ALL` …) so the document cannot drift from what the server
//! parses and prints.

use crate::api::v1::{
    admin, attachments, audit, auth, canned, channels, customer, dashboard, help, jobs, kb,
    learning, live, policies, reports, reviews, rosters, routing, satisfaction, sla, tickets,
    types,
};
use crate::problem::ErrorCode;
use crate::problem::{FieldErrorDoc, Problem};
use kefu_domain::{
    AgentPresence, AgentRole, AttachmentKind, Channel, MessageKind, Priority, TicketStatus,
};
use std::borrow::Cow;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

/// A ticket number in a path: the canonical 15 digits or the grouped form
/// (`261124-3820-1957-4`); the last digit is a Damm check digit.
pub const TICKET_NUMBER_PATTERN: &str = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$";

#[derive(OpenApi)]
#[openapi(
    info(title = "kefu API", description = "kefu: 24/7 customer service. Errors are application/problem+json (RFC 9457) with a stable `code`; see docs/ERRORS.md."),
    paths(
        tickets::open_ticket, tickets::list_tickets, tickets::find_ticket, tickets::update_ticket,
        tickets::take_ticket, tickets::assign_ticket, tickets::reply_to_ticket, tickets::add_note,
        tickets::change_ticket_status, tickets::list_ticket_events,
        routing::set_presence, routing::escalate_ticket, routing::send_back_ticket, routing::transfer_ticket,
        rosters::find_roster, rosters::put_roster, rosters::find_coverage,
        customer::list_own_tickets, customer::lookup_ticket, customer::list_customer_messages, customer::add_customer_message, customer::rate_bot_answer,
        satisfaction::answer_satisfaction_survey,
        reviews::list_reviews, reviews::assign_review, reviews::close_review,
        reports::find_report,
        canned::list_canned_replies, canned::find_canned_reply, canned::create_canned_reply,
        canned::update_canned_reply, canned::delete_canned_reply,
        help::search_help,
        kb::list_articles, kb::find_article, kb::put_article, kb::publish_article, kb::ask_bot, kb::list_unanswered,
        learning::list_question_clusters, learning::add_similar_phrasings, learning::list_faq_proposals,
        learning::approve_faq_proposal, learning::dismiss_learning_item, learning::list_version_outcomes,
        auth::login, auth::logout, auth::current_agent,
        admin::list_agents, admin::create_agent, admin::update_agent,
        admin::list_teams, admin::create_team, admin::list_categories, admin::put_category,
        admin::list_api_keys, admin::create_api_key, admin::revoke_api_key,
        sla::list_sla_policies, sla::put_sla_policy,
        jobs::count_jobs, jobs::list_dead_jobs, jobs::retry_dead_job,
        channels::receive_channel_webhook, channels::list_channel_inbox, channels::list_ticket_deliveries,
        audit::list_audit_entries,
        attachments::upload_attachment, attachments::download_attachment,
        live::open_live,
        dashboard::find_dashboard,
        policies::list_policies, policies::publish_policy, policies::list_unread_policies,
        policies::find_policy, policies::acknowledge_policy, policies::list_policy_acknowledgements,
        ops::healthz, ops::render_metrics, ops::openapi_json,
    ),
    components(schemas(
        Problem, FieldErrorDoc, types::AttachmentInput, types::MessageInput,
        ErrorCodeName, TicketStatusName, PriorityName, ChannelName, MessageKindName,
        AgentRoleName, PresenceName, TicketSortName, BotDecisionName, WeekdayName,
        AttachmentKindName, SurveyFormName, ReviewStatusName, HelpLanguageName,
    )),
    modifiers(&Finish),
    tags(
        (name = "intake", description = "Channels open tickets"),
        (name = "attachments", description = "Images and voice messages: upload, then download through links that expire"),
        (name = "customer", description = "Customers look up and write to their tickets"),
        (name = "reviews", description = "Reviews of low satisfaction scores, for supervisors"),
        (name = "reports", description = "Reports from the hourly rollups, for supervisors (JSON or CSV)"),
        (name = "tickets", description = "Agents work tickets"),
        (name = "routing", description = "Presence, escalation, send-back, transfer, rosters and coverage"),
        (name = "auth", description = "Staff sessions"),
        (name = "help", description = "The help center's public search (no login)"),
        (name = "kb", description = "Knowledge base and the FAQ bot"),
        (name = "learning", description = "The learning loop: clusters of unanswered questions, FAQ proposals, containment and helpful rate per article version"),
        (name = "policies", description = "\"Must read\" policy updates: published, acknowledged, who has read them"),
        (name = "admin", description = "Staff, teams, catalogue, API keys, jobs, the audit log"),
        (name = "channels", description = "Signed platform webhooks, refused payloads, deliveries to customers"),
        (name = "ops", description = "Health, metrics and this document (outside /api/v1)"),
    )
)]
pub struct ApiDoc;

/// The bearer scheme: a staff session token or an API key.
struct Finish;

impl Modify for Finish {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some(
                            "A staff session token (POST /api/v1/auth/login) or an API key.",
                        ))
                        .build(),
                ),
            );
        }
    }
}

/// The routes outside `/api/v1` (served by `crate::router`). Their handlers carry no
/// attributes so the ops code can change freely; these stubs only hold the documentation.
#[allow(
    dead_code,
    reason = "documentation only; the handlers are in lib.rs and metrics.rs"
)]
mod ops {
    use crate::problem::Problem;

    /// 200 `ok` when the node can serve (the database answers), else 503.
    #[utoipa::path(get, path = "/healthz", operation_id = "healthz", tag = "ops",
        responses(
            (status = 200, description = "The node can serve", body = String, content_type = "text/plain", example = "ok\n"),
            (status = 503, description = "The database does not answer", body = Problem, content_type = "application/problem+json"),
            (status = "4XX", body = Problem, content_type = "application/problem+json")))]
    pub fn healthz() {}

    /// Prometheus text exposition: request counts and durations, live connections, bot
    /// decisions, SLA breaches, and the database gauges (tickets, queues, agents, jobs); the
    /// series are listed in docs/OPERATIONS.md.
    #[utoipa::path(get, path = "/metrics", operation_id = "render_metrics", tag = "ops",
        responses(
            (status = 200, description = "Prometheus text format 0.0.4", body = String, content_type = "text/plain"),
            (status = "4XX", body = Problem, content_type = "application/problem+json")))]
    pub fn render_metrics() {}

    /// This document (OpenAPI 3.1).
    #[utoipa::path(get, path = "/api/openapi.json", operation_id = "openapi_json", tag = "ops",
        responses(
            (status = 200, description = "The OpenAPI document", body = Object, content_type = "application/json"),
            (status = "4XX", body = Problem, content_type = "application/problem+json")))]
    pub fn openapi_json() {}
}

/// A string schema with a closed set of values.
fn string_enum<'a>(description: &str, values: impl IntoIterator<Item = &'a str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values.into_iter().map(str::to_owned)))
        .into()
}

/// Declares a documentation-only type whose schema is a named string enum.
macro_rules! named_enum {
    ($(#[$doc:meta])* $ty:ident, $name:literal, $description:literal, $values:expr) => {
        $(#[$doc])*
        pub struct $ty;

        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                string_enum($description, $values)
            }
        }

        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

named_enum!(
    /// Every stable error code (`ErrorCode::ALL`).
    ErrorCodeName,
    "ErrorCode",
    "Stable machine-readable error codes (docs/ERRORS.md).",
    ErrorCode::ALL.iter().map(|c| c.as_str())
);
named_enum!(
    /// What an uploaded file is (`AttachmentKind::ALL`).
    AttachmentKindName,
    "AttachmentKind",
    "What an uploaded file is, judged from its bytes.",
    AttachmentKind::ALL.iter().map(|k| k.as_str())
);
named_enum!(
    /// A ticket's status (`TicketStatus::ALL`).
    TicketStatusName,
    "TicketStatus",
    "Where a ticket stands in its life.",
    TicketStatus::ALL.iter().map(|s| s.as_str())
);
named_enum!(
    /// A ticket's priority (`Priority::ALL`).
    PriorityName,
    "Priority",
    "A ticket's priority.",
    Priority::ALL.iter().map(|p| p.as_str())
);
named_enum!(
    /// An intake channel (`Channel::ALL`).
    ChannelName,
    "Channel",
    "The channel a ticket or customer came from.",
    Channel::ALL.iter().map(|c| c.as_str())
);
named_enum!(
    /// Who wrote a message (`MessageKind::ALL`).
    MessageKindName,
    "MessageKind",
    "Who wrote a message; customers never see internal_note.",
    MessageKind::ALL.iter().map(|k| k.as_str())
);
named_enum!(
    /// Which question a satisfaction survey asks (`SurveyForm::ALL`).
    SurveyFormName,
    "SurveyForm",
    "score: 1–5 and a comment (people resolved the ticket); helpful: one tap (the bot did).",
    kefu_domain::SurveyForm::ALL.iter().map(|f| f.as_str())
);
named_enum!(
    /// Where a review stands (`ReviewStatus::ALL`).
    ReviewStatusName,
    "ReviewStatus",
    "open (perhaps assigned) until closed with an outcome.",
    kefu_service::types::ReviewStatus::ALL.iter().map(|s| s.as_str())
);
named_enum!(
    /// A staff role (`AgentRole::ALL`).
    AgentRoleName,
    "AgentRole",
    "A staff member's role.",
    AgentRole::ALL.iter().map(|r| r.as_str())
);
named_enum!(
    /// An agent's presence (`AgentPresence::ALL`).
    PresenceName,
    "AgentPresence",
    "Whether an agent takes new work.",
    AgentPresence::ALL.iter().map(|p| p.as_str())
);
named_enum!(
    /// The orders of the ticket list (`GET /api/v1/tickets?sort=`).
    TicketSortName,
    "TicketSort",
    "newest: newest first; urgent: highest priority first, then oldest.",
    ["newest", "urgent"]
);
named_enum!(
    /// What the bot decides (`Decision::kind`).
    BotDecisionName,
    "BotDecision",
    "answer: the bot answers; suggest: it offers close matches; handoff: a person takes over.",
    ["answer", "suggest", "handoff"]
);
named_enum!(
    /// The languages of the help center (`Lang`).
    HelpLanguageName,
    "HelpLanguage",
    "A language the help center speaks.",
    [kefu_service::Lang::Zh.tag(), kefu_service::Lang::En.tag()]
);
named_enum!(
    /// A day a shift starts on.
    WeekdayName,
    "Weekday",
    "A day of the week.",
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
);

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
