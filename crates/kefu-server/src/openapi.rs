//! The OpenAPI document of every `/api/v1` route, served at `/api/openapi.json`.

use crate::api::v1::{admin, auth, customer, kb, rosters, routing, sla, tickets, types};
use crate::problem::ErrorCode;
use crate::problem::{FieldErrorDoc, Problem};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

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
        kb::list_articles, kb::find_article, kb::put_article, kb::publish_article, kb::ask_bot, kb::list_unanswered,
        auth::login, auth::logout, auth::current_agent,
        admin::list_agents, admin::create_agent, admin::update_agent,
        admin::list_teams, admin::create_team, admin::list_categories, admin::put_category,
        admin::list_api_keys, admin::create_api_key, admin::revoke_api_key,
        sla::list_sla_policies, sla::put_sla_policy,
    ),
    components(schemas(Problem, FieldErrorDoc, types::AttachmentInput, types::MessageInput)),
    modifiers(&BearerAuth),
    tags(
        (name = "intake", description = "Channels open tickets"),
        (name = "customer", description = "Customers look up and write to their tickets"),
        (name = "tickets", description = "Agents work tickets"),
        (name = "routing", description = "Presence, escalation, send-back, transfer, rosters and coverage"),
        (name = "auth", description = "Staff sessions"),
        (name = "kb", description = "Knowledge base and the FAQ bot"),
        (name = "admin", description = "Staff, teams, catalogue, API keys"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            // The error-code catalog, so clients can generate an enum of codes.
            let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
            components.schemas.insert(
                "ErrorCode".into(),
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some(
                        "Stable machine-readable error codes (docs/ERRORS.md).",
                    ))
                    .enum_values(Some(codes))
                    .into(),
            );
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The document as JSON.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
