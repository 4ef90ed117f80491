//! The OpenAPI document tells the truth: parameters where the server reads them, limits
//! equal to the service's, enums from the domain, every operation's problem response.

use crate::spawn_app;
use kefu_domain::kb::{ANSWER_MAX, QUESTION_MAX, SIMILAR_MAX};
use kefu_domain::ticket::{BODY_MAX_CHARS, SUBJECT_MAX_CHARS};
use kefu_domain::{AgentPresence, AgentRole, Channel, MessageKind, Priority, TicketStatus};
use kefu_server::openapi::TICKET_NUMBER_PATTERN;
use kefu_server::problem::ErrorCode;
use serde_json::Value;
use std::collections::BTreeSet;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn document() -> Value {
    serde_json::to_value(kefu_server::openapi::document()).unwrap()
}

/// Every operation: (method, path, operation object).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = vec![];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                out.push((m.to_owned(), path.clone(), op.clone()));
            }
        }
    }
    out
}

fn params<'a>(op: &'a Value, location: &str) -> Vec<&'a Value> {
    op["parameters"]
        .as_array()
        .map(|ps| ps.iter().filter(|p| p["in"] == location).collect())
        .unwrap_or_default()
}

fn names(params: &[&Value]) -> BTreeSet<String> {
    params
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

fn template_vars(path: &str) -> BTreeSet<String> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(str::to_owned)
        .collect()
}

fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let s = &doc["components"]["schemas"][name];
    assert!(s.is_object(), "no schema {name}");
    s
}

fn property<'a>(doc: &'a Value, schema_name: &str, field: &str) -> &'a Value {
    let p = &schema(doc, schema_name)["properties"][field];
    assert!(p.is_object(), "{schema_name} has no property {field}");
    p
}

fn query_param<'a>(doc: &'a Value, path: &str, name: &str) -> &'a Value {
    let op = &doc["paths"][path]["get"];
    params(op, "query")
        .into_iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("GET {path} has no query parameter {name}"))
}

/// The `$ref` target of a property, whether given directly or as `oneOf [null, $ref]`.
fn referenced(p: &Value) -> Option<String> {
    if let Some(r) = p["$ref"].as_str() {
        return Some(r.rsplit('/').next()?.to_owned());
    }
    if let Some(r) = p["items"]["$ref"].as_str() {
        return Some(r.rsplit('/').next()?.to_owned());
    }
    p["oneOf"]
        .as_array()?
        .iter()
        .find_map(|alt| alt["$ref"].as_str())
        .map(|r| r.rsplit('/').next().unwrap_or_default().to_owned())
}

fn enum_values(doc: &Value, name: &str) -> BTreeSet<String> {
    schema(doc, name)["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{name} is not an enum"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn set<'a>(values: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    values.into_iter().map(str::to_owned).collect()
}

#[test]
fn path_parameters_match_the_path_templates_and_query_parameters_are_in_the_query() {
    let doc = document();
    for (method, path, op) in operations(&doc) {
        let declared = names(&params(&op, "path"));
        assert_eq!(
            declared,
            template_vars(&path),
            "{method} {path}: path parameters must be exactly the template's"
        );
        for p in params(&op, "path") {
            assert_eq!(p["required"], true, "{method} {path} {}", p["name"]);
        }
        for p in op["parameters"].as_array().into_iter().flatten() {
            let location = p["in"].as_str().unwrap();
            assert!(
                ["path", "query", "header"].contains(&location),
                "{method} {path}: {} is in {location}",
                p["name"]
            );
        }
    }
    // The query structs' fields, spot-checked per struct.
    for (path, field) in [
        ("/api/v1/tickets", "limit"),
        ("/api/v1/tickets", "status"),
        ("/api/v1/customer/tickets", "cursor"),
        ("/api/v1/kb/articles", "q"),
        ("/api/v1/bot/unanswered", "limit"),
        ("/api/v1/coverage", "date"),
    ] {
        assert_eq!(query_param(&doc, path, field)["required"], false);
    }
}

#[test]
fn ticket_numbers_in_paths_have_the_number_pattern() {
    let doc = document();
    let mut seen = 0;
    for (method, path, op) in operations(&doc) {
        for p in params(&op, "path") {
            if p["name"] == "number" {
                seen += 1;
                assert_eq!(
                    p["schema"]["pattern"], TICKET_NUMBER_PATTERN,
                    "{method} {path}"
                );
            }
        }
    }
    assert!(seen >= 14, "{seen}");
}

#[test]
fn every_operation_documents_its_problem_responses() {
    let doc = document();
    for (method, path, op) in operations(&doc) {
        let responses = op["responses"].as_object().unwrap();
        let problem = &responses
            .get("4XX")
            .unwrap_or_else(|| panic!("{method} {path} has no 4XX response"))["content"]["application/problem+json"]
            ["schema"]["$ref"];
        assert_eq!(
            problem, "#/components/schemas/Problem",
            "{method} {path}: 4XX must be a problem document"
        );
        // The live channel answers a WebSocket upgrade (101), nothing else.
        let success: Vec<&String> = responses
            .keys()
            .filter(|k| k.starts_with('2') || (path == "/api/v1/live" && *k == "101"))
            .collect();
        assert!(!success.is_empty(), "{method} {path} has no 2xx response");
    }
}

#[test]
fn the_error_code_enum_is_every_code_and_problems_use_it() {
    let doc = document();
    assert_eq!(
        enum_values(&doc, "ErrorCode"),
        set(ErrorCode::ALL.iter().map(|c| c.as_str()))
    );
    assert_eq!(
        referenced(property(&doc, "Problem", "code")).as_deref(),
        Some("ErrorCode")
    );
}

#[test]
fn closed_sets_are_enums_from_the_domain() {
    let doc = document();
    assert_eq!(
        enum_values(&doc, "TicketStatus"),
        set(TicketStatus::ALL.iter().map(|s| s.as_str()))
    );
    assert_eq!(
        enum_values(&doc, "Priority"),
        set(Priority::ALL.iter().map(|p| p.as_str()))
    );
    assert_eq!(
        enum_values(&doc, "Channel"),
        set(Channel::ALL.iter().map(|c| c.as_str()))
    );
    assert_eq!(
        enum_values(&doc, "MessageKind"),
        set(MessageKind::ALL.iter().map(|k| k.as_str()))
    );
    assert_eq!(
        enum_values(&doc, "AgentRole"),
        set(AgentRole::ALL.iter().map(|r| r.as_str()))
    );
    assert_eq!(
        enum_values(&doc, "AgentPresence"),
        set(AgentPresence::ALL.iter().map(|p| p.as_str()))
    );
    for (schema_name, field, target) in [
        ("TicketView", "status", "TicketStatus"),
        ("TicketView", "priority", "Priority"),
        ("TicketView", "channel", "Channel"),
        ("OpenTicketRequest", "priority", "Priority"),
        ("OpenTicketRequest", "channel", "Channel"),
        ("UpdateTicketRequest", "priority", "Priority"),
        ("ChangeStatusRequest", "status", "TicketStatus"),
        ("ReplyRequest", "status", "TicketStatus"),
        ("CustomerTicketView", "status", "TicketStatus"),
        ("CustomerTicketSummary", "status", "TicketStatus"),
        ("MessageView", "kind", "MessageKind"),
        ("CustomerMessageView", "from", "MessageKind"),
        ("AgentView", "role", "AgentRole"),
        ("CreateAgentRequest", "role", "AgentRole"),
        ("UpdateAgentRequest", "role", "AgentRole"),
        ("PresenceRequest", "presence", "AgentPresence"),
        ("PresenceView", "presence", "AgentPresence"),
        ("ApiKeyView", "channel", "Channel"),
        ("CreateApiKeyRequest", "channel", "Channel"),
        ("AskResponse", "decision", "BotDecision"),
        ("ShiftBody", "days", "Weekday"),
        ("CustomerMessageView", "survey", "SurveyInviteView"),
        ("SurveyInviteView", "form", "SurveyForm"),
        ("SatisfactionView", "form", "SurveyForm"),
        ("ReviewView", "status", "ReviewStatus"),
    ] {
        assert_eq!(
            referenced(property(&doc, schema_name, field)).as_deref(),
            Some(target),
            "{schema_name}.{field}"
        );
    }
    assert_eq!(
        referenced(&query_param(&doc, "/api/v1/tickets", "sort")["schema"]).as_deref(),
        Some("TicketSort")
    );
    assert_eq!(
        referenced(&query_param(&doc, "/api/v1/tickets", "priority")["schema"]).as_deref(),
        Some("Priority")
    );
    let status = query_param(&doc, "/api/v1/tickets", "status");
    assert_eq!(status["style"], "form");
    assert_eq!(status["explode"], false);
    assert_eq!(
        referenced(&status["schema"]).as_deref(),
        Some("TicketStatus")
    );
}

#[test]
fn limits_are_the_services_limits() {
    use kefu_service::{admin, escalation, handling, intake, kb_articles, lookup, roster};
    let doc = document();
    let n = |v: usize| Value::from(u64::try_from(v).unwrap());
    for (schema_name, field, key, value) in [
        ("OpenTicketRequest", "body", "maxLength", n(BODY_MAX_CHARS)),
        (
            "OpenTicketRequest",
            "subject",
            "maxLength",
            n(SUBJECT_MAX_CHARS),
        ),
        (
            "OpenTicketRequest",
            "attachments",
            "maxItems",
            n(intake::MAX_ATTACHMENTS),
        ),
        ("MessageInput", "body", "maxLength", n(BODY_MAX_CHARS)),
        (
            "MessageInput",
            "attachments",
            "maxItems",
            n(intake::MAX_ATTACHMENTS),
        ),
        ("ReplyRequest", "body", "maxLength", n(BODY_MAX_CHARS)),
        (
            "AttachmentInput",
            "size_bytes",
            "maximum",
            Value::from(intake::MAX_ATTACHMENT_BYTES),
        ),
        (
            "ChangeStatusRequest",
            "reason",
            "maxLength",
            n(handling::STATUS_REASON_MAX_CHARS),
        ),
        (
            "EscalateRequest",
            "reason",
            "maxLength",
            n(escalation::REASON_MAX_CHARS),
        ),
        (
            "SendBackRequest",
            "findings",
            "maxLength",
            n(escalation::REASON_MAX_CHARS),
        ),
        (
            "TransferRequest",
            "reason",
            "maxLength",
            n(escalation::REASON_MAX_CHARS),
        ),
        (
            "AssignRequest",
            "reason",
            "maxLength",
            n(escalation::REASON_MAX_CHARS),
        ),
        (
            "AskRequest",
            "question",
            "maxLength",
            n(kb_articles::ASK_MAX_CHARS),
        ),
        (
            "PutArticleRequest",
            "question",
            "maxLength",
            n(QUESTION_MAX),
        ),
        ("PutArticleRequest", "answer", "maxLength", n(ANSWER_MAX)),
        ("PutArticleRequest", "similar", "maxItems", n(SIMILAR_MAX)),
        (
            "PutArticleRequest",
            "question_en",
            "maxLength",
            n(QUESTION_MAX),
        ),
        ("PutArticleRequest", "answer_en", "maxLength", n(ANSWER_MAX)),
        (
            "PutArticleRequest",
            "similar_en",
            "maxItems",
            n(SIMILAR_MAX),
        ),
        (
            "PutRosterRequest",
            "shifts",
            "maxItems",
            n(roster::MAX_SHIFTS),
        ),
        ("ShiftBody", "breaks", "maxItems", n(roster::MAX_BREAKS)),
        (
            "CreateAgentRequest",
            "password",
            "minLength",
            n(admin::MIN_PASSWORD_CHARS),
        ),
        (
            "UpdateAgentRequest",
            "password",
            "minLength",
            n(admin::MIN_PASSWORD_CHARS),
        ),
        (
            "SatisfactionRequest",
            "comment",
            "maxLength",
            n(kefu_service::survey::COMMENT_MAX_CHARS),
        ),
        (
            "CloseReviewRequest",
            "outcome",
            "maxLength",
            n(kefu_service::reviews::OUTCOME_MAX_CHARS),
        ),
    ] {
        assert_eq!(
            property(&doc, schema_name, field)[key],
            value,
            "{schema_name}.{field} {key}"
        );
    }
    let limit = &query_param(&doc, "/api/v1/customer/tickets", "limit")["schema"];
    assert_eq!(limit["minimum"], 1);
    assert_eq!(limit["maximum"], lookup::MAX_PAGE);
    let limit = &query_param(&doc, "/api/v1/tickets", "limit")["schema"];
    assert_eq!(
        (limit["minimum"].clone(), limit["maximum"].clone()),
        (1.into(), 200.into())
    );
    let q = &query_param(&doc, "/api/v1/help/search", "q");
    assert_eq!(q["required"], true);
    assert_eq!(
        q["schema"]["maxLength"],
        n(kefu_service::help::SEARCH_MAX_CHARS)
    );
    assert_eq!(
        property(&doc, "HelpSearchResults", "items")["maxItems"],
        n(kefu_service::help::SEARCH_LIMIT)
    );
}

#[test]
fn only_login_customer_proofs_and_ops_routes_go_without_a_bearer_token() {
    let doc = document();
    let bearer = serde_json::json!([{"bearer": []}]);
    let bearer_optional = serde_json::json!([{}, {"bearer": []}]);
    for (method, path, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap();
        let expected = match id {
            "login"
            | "healthz"
            | "render_metrics"
            | "openapi_json"
            | "download_attachment"
            | "search_help"
            // Signed with the channel's secret instead (X-Kefu-Signature).
            | "receive_channel_webhook" => Value::Null,
            "upload_attachment"
            | "lookup_ticket"
            | "list_customer_messages"
            | "add_customer_message"
            | "rate_bot_answer"
            | "answer_satisfaction_survey"
            | "open_live"
            // Or an in-app user's X-App-Token.
            | "open_ticket"
            | "list_own_tickets" => bearer_optional.clone(),
            _ => bearer.clone(),
        };
        assert_eq!(op["security"], expected, "{method} {path} ({id})");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[tokio::test]
async fn routes_outside_api_v1_are_documented_as_served() {
    let app = spawn_app().await;
    let doc: Value = app
        .get("/api/openapi.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc, document());
    for (path, media) in [
        ("/healthz", "text/plain"),
        ("/metrics", "text/plain"),
        ("/api/openapi.json", "application/json"),
    ] {
        let op = &doc["paths"][path]["get"];
        assert!(
            op["responses"]["200"]["content"][media].is_object(),
            "{path}: {op}"
        );
        let r = app.get(path).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with(media), "{path}: {ct}");
    }
    let unavailable = &doc["paths"]["/healthz"]["get"]["responses"]["503"];
    assert!(unavailable["content"]["application/problem+json"].is_object());
}
