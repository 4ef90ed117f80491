//! The `/api/v1` route table: every route in one place.

pub mod admin;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod canned;
pub mod channels;
pub mod customer;
pub mod dashboard;
pub mod help;
pub mod jobs;
pub mod kb;
pub mod learning;
pub mod live;
pub mod policies;
pub mod reports;
pub mod reviews;
pub mod rosters;
pub mod routing;
pub mod satisfaction;
pub mod sla;
pub mod tickets;
pub mod types;

use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, patch, post, put};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/tickets",
            post(tickets::open_ticket).get(tickets::list_tickets),
        )
        .route(
            "/tickets/{number}",
            get(tickets::find_ticket).patch(tickets::update_ticket),
        )
        .route("/tickets/{number}/take", post(tickets::take_ticket))
        .route("/tickets/{number}/assign", post(tickets::assign_ticket))
        .route("/tickets/{number}/replies", post(tickets::reply_to_ticket))
        .route("/tickets/{number}/notes", post(tickets::add_note))
        .route(
            "/tickets/{number}/status",
            post(tickets::change_ticket_status),
        )
        .route("/tickets/{number}/events", get(tickets::list_ticket_events))
        .route("/tickets/{number}/escalate", post(routing::escalate_ticket))
        .route(
            "/tickets/{number}/send-back",
            post(routing::send_back_ticket),
        )
        .route("/tickets/{number}/transfer", post(routing::transfer_ticket))
        .route("/agents/me/presence", put(routing::set_presence))
        .route(
            "/agents/{id}/roster",
            get(rosters::find_roster).put(rosters::put_roster),
        )
        .route("/coverage", get(rosters::find_coverage))
        .route("/customer/tickets", get(customer::list_own_tickets))
        .route("/customer/tickets/{number}", get(customer::lookup_ticket))
        .route(
            "/customer/tickets/{number}/messages",
            get(customer::list_customer_messages).post(customer::add_customer_message),
        )
        .route(
            "/customer/tickets/{number}/feedback",
            post(customer::rate_bot_answer),
        )
        .route(
            "/customer/tickets/{number}/satisfaction",
            post(satisfaction::answer_satisfaction_survey),
        )
        .route("/reports/{name}", get(reports::find_report))
        .route(
            "/canned-replies",
            get(canned::list_canned_replies).post(canned::create_canned_reply),
        )
        .route(
            "/canned-replies/{id}",
            get(canned::find_canned_reply)
                .patch(canned::update_canned_reply)
                .delete(canned::delete_canned_reply),
        )
        .route("/reviews", get(reviews::list_reviews))
        .route("/reviews/{id}/assign", post(reviews::assign_review))
        .route("/reviews/{id}/close", post(reviews::close_review))
        .route("/kb/articles", get(kb::list_articles))
        .route(
            "/kb/articles/{id}",
            get(kb::find_article).put(kb::put_article),
        )
        .route("/kb/articles/{id}/publish", post(kb::publish_article))
        .route("/help/search", get(help::search_help))
        .route("/bot/ask", post(kb::ask_bot))
        .route("/bot/unanswered", get(kb::list_unanswered))
        .route("/learning/clusters", get(learning::list_question_clusters))
        .route("/learning/phrasings", post(learning::add_similar_phrasings))
        .route("/learning/proposals", get(learning::list_faq_proposals))
        .route(
            "/learning/proposals/approve",
            post(learning::approve_faq_proposal),
        )
        .route(
            "/learning/dismissals",
            post(learning::dismiss_learning_item),
        )
        .route("/learning/versions", get(learning::list_version_outcomes))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/me", get(auth::current_agent))
        .route("/agents", get(admin::list_agents).post(admin::create_agent))
        .route("/agents/{id}", patch(admin::update_agent))
        .route("/teams", get(admin::list_teams).post(admin::create_team))
        .route("/categories", get(admin::list_categories))
        .route(
            "/channels/{channel}/webhook",
            post(channels::receive_channel_webhook),
        )
        .route("/channels/inbox", get(channels::list_channel_inbox))
        .route(
            "/tickets/{number}/deliveries",
            get(channels::list_ticket_deliveries),
        )
        .route("/jobs", get(jobs::count_jobs))
        .route("/jobs/dead", get(jobs::list_dead_jobs))
        .route("/jobs/{id}/retry", post(jobs::retry_dead_job))
        .route(
            "/sla-policies",
            get(sla::list_sla_policies).put(sla::put_sla_policy),
        )
        .route("/categories/{code}", put(admin::put_category))
        .route(
            "/api-keys",
            get(admin::list_api_keys).post(admin::create_api_key),
        )
        .route("/api-keys/{id}", delete(admin::revoke_api_key))
        .route("/audit", get(audit::list_audit_entries))
        .route(
            "/attachments",
            // Uploads are bigger than other bodies; the handler applies the upload limit.
            post(attachments::upload_attachment).layer(DefaultBodyLimit::disable()),
        )
        .route("/attachments/{id}", get(attachments::download_attachment))
        .route("/live", get(live::open_live))
        .route("/dashboard", get(dashboard::find_dashboard))
        .route(
            "/policies",
            get(policies::list_policies).post(policies::publish_policy),
        )
        .route("/policies/unread", get(policies::list_unread_policies))
        .route("/policies/{id}", get(policies::find_policy))
        .route(
            "/policies/{id}/acknowledge",
            post(policies::acknowledge_policy),
        )
        .route(
            "/policies/{id}/acknowledgements",
            get(policies::list_policy_acknowledgements),
        )
}
