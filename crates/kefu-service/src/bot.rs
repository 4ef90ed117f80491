//! The bot in the product: new in-app and web conversations meet the FAQ bot first. Each
//! bot turn is a message on the ticket. Before a handoff the bot may ask for missing details
//! (domain, account, description; see `kefu_bot::collect`) while the ticket stays `new`; the
//! handoff queues the ticket with the bot's summary as an internal note and the reason in the
//! event log. The index lives in memory and is
//! rebuilt when an article version is published (on this node at once, on others within a
//! few seconds through the `kb_revision` meta value).

use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use jiff::Timestamp;
use kefu_bot::messages::{Text, text};
use kefu_bot::{Bot, BotTurn, ConversationState, Decision, FaqEntry, HandoffReason, Lang, Outcome};
use kefu_domain::category::DEFAULT_CATALOGUE;
use kefu_domain::{
    Attachment, CategoryCode, Channel, KbArticle, Message, Priority, Suggestion, Ticket,
    TicketStatus,
};
use kefu_store::{BotExchange, BotHandoff, Store, StoreError, UnansweredQuestion};
use std::sync::Arc;

/// Channels whose new conversations go to the bot first.
pub fn bot_first(channel: Channel) -> bool {
    matches!(channel, Channel::InApp | Channel::WebForm)
}

/// The bot's view of a knowledge-base article.
pub fn faq_entry(a: &KbArticle) -> FaqEntry {
    FaqEntry {
        id: a.slug.clone(),
        question: a.content.question.clone(),
        answer: a.content.answer.clone(),
        category: a.category.clone(),
        similar: a.content.similar.clone(),
        keywords: a.content.keywords.clone(),
        question_en: a.content.question_en.clone(),
        answer_en: a.content.answer_en.clone(),
        similar_en: a.content.similar_en.clone(),
    }
}

/// Builds a bot over the published articles (off the async threads: segmentation and
/// indexing take tens of milliseconds for thousands of entries).
pub async fn build(
    store: &dyn Store,
    model: Option<&Arc<kefu_bot::SemanticModel>>,
) -> Result<(Bot, String), StoreError> {
    let revision = store.meta("kb_revision").await?.unwrap_or_default();
    let entries: Vec<FaqEntry> = store.articles(true).await?.iter().map(faq_entry).collect();
    let model = model.cloned();
    let bot = tokio::task::spawn_blocking(move || Bot::with_model(entries, model))
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))?
        .map_err(|e| StoreError::Backend(format!("knowledge base cannot be indexed: {e}")))?;
    Ok((bot, revision))
}

/// Rebuilds the index when the published knowledge base changed since it was built.
pub async fn refresh(state: &Core) -> Result<bool, StoreError> {
    let revision = state.store.meta("kb_revision").await?.unwrap_or_default();
    if state.bot.read().map(|b| b.1 == revision).unwrap_or(false) {
        return Ok(false);
    }
    let (bot, revision) = build(state.store.as_ref(), state.settings.bot_model.as_ref()).await?;
    tracing::info!(kb.entries = bot.entries().len(), kb.revision = %revision, "bot index rebuilt");
    if let Ok(mut slot) = state.bot.write() {
        *slot = (Arc::new(bot), revision);
    }
    Ok(true)
}

/// The current bot.
pub fn current(state: &Core) -> Option<Arc<Bot>> {
    state.bot.read().ok().map(|b| b.0.clone())
}

/// A category code from what the bot recognised (a code, or a domain's Chinese name).
fn category_of(domain: Option<&str>) -> Option<CategoryCode> {
    let d = domain?;
    if let Ok(code) = CategoryCode::parse(d)
        && DEFAULT_CATALOGUE.iter().any(|(c, ..)| *c == d)
    {
        return Some(code);
    }
    DEFAULT_CATALOGUE
        .iter()
        .find(|(_, zh, ..)| *zh == d)
        .and_then(|(code, ..)| CategoryCode::parse(code).ok())
}

/// The priority a hand-over promises: an upset or urgent customer, or a stolen account, is
/// told they are handed over with priority, so the ticket is raised to at least `high`.
pub fn promised_priority(turn: &BotTurn, current: Priority) -> Option<Priority> {
    let urgent = matches!(
        &turn.decision,
        Decision::Handoff {
            reason: HandoffReason::NegativeEmotion { .. }
                | HandoffReason::NeedsPerson {
                    intent: kefu_bot::HumanIntent::AccountTheft
                }
        }
    );
    (urgent && current.rank() < Priority::High.rank()).then_some(Priority::High)
}

/// The language of what the bot writes for staff (hand-over summaries).
const STAFF_LANGUAGE: Lang = Lang::Zh;

/// The hand-over summary as agents read it: in the staff language, with each entry the bot
/// answered with or offered named by its question rather than its id.
fn staff_summary(state: &Core, summary: &kefu_bot::HandoffSummary) -> String {
    let bot = current(state);
    summary.to_text_titled(STAFF_LANGUAGE, |id| {
        let entry = bot.as_deref()?.entry(id)?;
        Some(entry.question_in(STAFF_LANGUAGE).to_owned())
    })
}

/// The store record of one bot turn.
fn exchange(
    state: &Core,
    ticket_id: kefu_domain::TicketId,
    turn: &BotTurn,
    customer: Option<(String, Vec<Attachment>)>,
    at: Timestamp,
) -> BotExchange {
    let handoff = match &turn.decision {
        Decision::Handoff { reason } => Some(BotHandoff {
            reason: reason.label(),
            // For the agents: in the staff language, whatever the customer's.
            summary: turn
                .summary
                .as_ref()
                .map(|s| staff_summary(state, s))
                .unwrap_or_else(|| reason.label()),
            category: category_of(turn.summary.as_ref().and_then(|s| s.domain.as_deref())),
        }),
        _ => None,
    };
    let unanswered = match (&turn.decision, &turn.unanswered) {
        (Decision::Handoff { reason } | Decision::Collect { reason, .. }, Some(query)) => {
            Some(UnansweredQuestion {
                query: query.clone(),
                reason: match reason {
                    HandoffReason::NoMatch => "no_match".into(),
                    _ => "low_confidence_twice".into(),
                },
                top_article: None,
                top_score: None,
            })
        }
        _ => None,
    };
    BotExchange {
        ticket_id,
        customer_message: customer,
        bot_reply: turn.reply.clone(),
        suggestions: turn
            .suggestions
            .iter()
            .map(|s| Suggestion {
                id: s.id.clone(),
                question: s.question.clone(),
            })
            .collect(),
        state: serde_json::to_string(&turn.state).unwrap_or_else(|_| "{}".into()),
        handoff,
        unanswered,
        answered: match &turn.decision {
            Decision::Answer { id, .. } => Some(id.clone()),
            _ => None,
        },
        at,
    }
}

/// The most characters of a message the bot reads: a question is at its start, and the
/// bot's work grows with the text.
pub const BOT_INPUT_MAX_CHARS: usize = 1000;

/// The start of a message, as much as the bot reads.
pub(crate) fn bot_input(body: &str) -> String {
    body.chars().take(BOT_INPUT_MAX_CHARS).collect()
}

/// Runs CPU work (ranking, index builds) on the blocking pool, off the async workers.
pub async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> ServiceResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ServiceError::internal)
}

/// The bot's first turn for a new conversation: the exchange to store with the ticket (a
/// hand-over at once opens it `queued`), and the priority the turn promised, if raised.
/// `language` is the customer's, when the channel said it (`zh-CN`, `en`, `en-US` …); a
/// language the bot does not speak, or none, leaves it to detect from the message.
pub async fn first_turn(
    state: &Core,
    body: &str,
    language: Option<&str>,
    priority: Priority,
    at: Timestamp,
) -> ServiceResult<Option<(BotExchange, Option<Priority>)>> {
    let Some(bot) = current(state) else {
        return Ok(None);
    };
    let input = bot_input(body);
    let start = match language.and_then(Lang::parse) {
        Some(lang) => ConversationState::default().with_language(lang),
        None => ConversationState::default(),
    };
    let turn = off_runtime(move || bot.respond(&input, &start)).await?;
    // The ticket id is filled in by the store, in the same transaction as the ticket.
    let raise = promised_priority(&turn, priority);
    Ok(Some((
        exchange(state, kefu_domain::TicketId(0), &turn, None, at),
        raise,
    )))
}

/// A customer message on a ticket the bot is still handling.
pub async fn customer_turn(
    state: &Core,
    ticket: &Ticket,
    body: String,
    files: Vec<Attachment>,
) -> ServiceResult<Vec<Message>> {
    let bot = current(state)
        .ok_or_else(|| ServiceError::new(ErrorCode::ServiceUnavailable, "The bot is not ready."))?;
    let conversation = load_state(state, ticket).await?;
    let input = bot_input(&body);
    let before = conversation.clone();
    let turn = off_runtime(move || bot.respond(&input, &before)).await?;
    record_turn(state, ticket, &conversation, turn, body, files).await
}

/// The customer picks an offered entry by its id (a button on the web or in the app): the
/// customer's message is the entry's question and the bot answers with that entry. When
/// the entry is gone (unpublished since), `fallback` (the question as the button showed it)
/// or else the question a bot message offered under that id goes through the bot like a
/// typed message; with neither, the pick is refused naming the field.
pub async fn pick_turn(
    state: &Core,
    ticket: &Ticket,
    entry_id: &str,
    fallback: Option<String>,
) -> ServiceResult<Vec<Message>> {
    let bot = current(state)
        .ok_or_else(|| ServiceError::new(ErrorCode::ServiceUnavailable, "The bot is not ready."))?;
    let conversation = load_state(state, ticket).await?;
    let lang = conversation.language.unwrap_or_default();
    let (turn, body) = match bot.entry(entry_id) {
        Some(entry) => {
            let question = entry.question_in(lang).to_owned();
            let before = conversation.clone();
            let (id, picker) = (entry_id.to_owned(), bot.clone());
            let turn = off_runtime(move || picker.pick(&before, &id)).await?;
            (turn, question)
        }
        None => (None, String::new()),
    };
    let fallback = match (&turn, fallback) {
        (None, None) => offered_question(state, ticket, entry_id).await?,
        (_, fallback) => fallback,
    };
    let (turn, body) = match (turn, fallback) {
        (Some(turn), _) => (turn, body),
        (None, Some(question)) => {
            let input = bot_input(&question);
            let before = conversation.clone();
            (
                off_runtime(move || bot.respond(&input, &before)).await?,
                question,
            )
        }
        (None, None) => {
            return Err(ServiceError::field(
                "pick",
                "is not an entry the bot can answer with; send the question as body",
            ));
        }
    };
    record_turn(state, ticket, &conversation, turn, body, Vec::new()).await
}

/// The question of an entry a bot message offered on this ticket, newest first: what a
/// pick of an entry that is gone falls back to.
async fn offered_question(
    state: &Core,
    ticket: &Ticket,
    entry_id: &str,
) -> ServiceResult<Option<String>> {
    let messages = state
        .store
        .messages_page(ticket.id, false, None, crate::lookup::VIEW_MESSAGES)
        .await?;
    Ok(messages
        .iter()
        .rev()
        .flat_map(|m| m.suggestions.iter())
        .find(|s| s.id == entry_id)
        .map(|s| s.question.clone()))
}

/// Stores one bot turn after the customer's message `body` and does what it leads to
/// (confirmation timer, resolution on thanks, a raised priority, routing after a handoff).
async fn record_turn(
    state: &Core,
    ticket: &Ticket,
    conversation: &ConversationState,
    turn: BotTurn,
    body: String,
    files: Vec<Attachment>,
) -> ServiceResult<Vec<Message>> {
    let now = Timestamp::now();
    let x = exchange(state, ticket.id, &turn, Some((body, files)), now);
    let handed_off = x.handoff.is_some();
    // An answer starts the quiet period after which it counts as confirmed.
    let jobs = match (
        &turn.decision,
        crate::containment::answered_turn(&turn.state),
    ) {
        (Decision::Answer { .. }, Some(index)) => {
            vec![crate::containment::confirm_job(
                state, ticket.id, index, now,
            )]
        }
        _ => Vec::new(),
    };
    let written = state.store.record_bot_exchange_with_jobs(x, jobs).await?;
    state.events_written();
    crate::gauges::record_decision(&turn.decision);
    // Thanks (or goodbye) right after an answer confirms it.
    let thanked = matches!(
        turn.decision,
        Decision::SmallTalk {
            kind: kefu_bot::smalltalk::SmallTalk::Thanks | kefu_bot::smalltalk::SmallTalk::Goodbye
        }
    ) && crate::containment::answered_turn(conversation).is_some();
    if thanked {
        crate::containment::resolve(state, ticket, None).await?;
    }
    if let Some(p) = promised_priority(&turn, ticket.priority) {
        let fresh = state.store.ticket(ticket.id).await?;
        crate::handling::reclassify(state, &fresh, None, Some(p), kefu_domain::Actor::Bot).await?;
    }
    if handed_off {
        route_after_handoff(state, ticket).await;
    }
    Ok(written)
}

/// A handed-over ticket is queued: give it to an eligible agent now if there is one.
/// Routing failures are logged, never lost: the ticket stays queued for the next agent.
pub async fn route_after_handoff(state: &Core, ticket: &Ticket) {
    let placed = match state.store.ticket(ticket.id).await {
        Ok(fresh) => super::routing::place(state, &fresh).await.map(|_| ()),
        Err(e) => Err(e.into()),
    };
    if let Err(e) = placed {
        tracing::warn!(ticket.number = %ticket.number, error = %e.detail, "routing after handoff failed; the ticket stays queued");
    }
}

async fn load_state(state: &Core, ticket: &Ticket) -> ServiceResult<ConversationState> {
    Ok(state
        .store
        .bot_state(ticket.id)
        .await?
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

/// The customer says whether the bot's last answer helped. "Not helpful" counts like low
/// confidence: after an unsure turn it hands over; otherwise the bot asks to rephrase.
pub async fn feedback(
    core: &Core,
    caller: &Caller,
    number: &kefu_domain::TicketNumber,
    helpful: bool,
) -> ServiceResult<crate::lookup::CustomerTicket> {
    let ticket = crate::lookup::find_own_ticket(core, caller, number).await?;
    record_feedback(core, &ticket, helpful).await?;
    crate::lookup::progress(core, core.store.ticket(ticket.id).await?).await
}

async fn record_feedback(
    state: &Core,
    ticket: &Ticket,
    helpful: bool,
) -> ServiceResult<Vec<Message>> {
    if ticket.status != TicketStatus::New {
        return Err(ServiceError::new(
            ErrorCode::BotNotHandling,
            "A person is handling this ticket now; feedback on the bot is closed.",
        ));
    }
    let mut conversation = load_state(state, ticket).await?;
    let Some(last) = conversation.turns.last().cloned() else {
        return Err(ServiceError::new(
            ErrorCode::BotNotHandling,
            "The bot has not answered on this ticket.",
        ));
    };
    let now = Timestamp::now();
    state
        .store
        .mark_bot_answer(ticket.id, kefu_store::AnswerMark::Helpful(helpful))
        .await?;
    if helpful {
        // Confirmed: the bot resolves the conversation (contained).
        let lang = conversation.language.unwrap_or_default();
        let reply = crate::containment::helpful_text(lang).to_owned();
        crate::containment::resolve(state, ticket, Some(reply)).await?;
        return Ok(Vec::new());
    }
    let unanswered = Some(UnansweredQuestion {
        query: last.query.clone(),
        reason: "not_helpful".into(),
        top_article: last.entry_id.clone(),
        top_score: None,
    });
    let handoff = if conversation.last_was_unsure() || previous_was_unsure(&conversation) {
        let reason = HandoffReason::LowConfidenceTwice;
        let summary = kefu_bot::summary::summarize(&conversation, reason.clone());
        Some(BotHandoff {
            reason: state.settings.staff_messages().handoff_not_helpful.into(),
            summary: staff_summary(state, &summary),
            category: category_of(summary.domain.as_deref()),
        })
    } else {
        None
    };
    if let Some(t) = conversation.turns.last_mut() {
        t.outcome = Outcome::NotUnderstood;
    }
    let lang = conversation.language.unwrap_or_default();
    let reply = text(
        lang,
        if handoff.is_some() {
            Text::NotHelpfulHandoff
        } else {
            Text::NotHelpfulRephrase
        },
    )
    .to_owned();
    let handed_off = handoff.is_some();
    let x = BotExchange {
        ticket_id: ticket.id,
        customer_message: None,
        bot_reply: reply,
        suggestions: Vec::new(),
        state: serde_json::to_string(&conversation).unwrap_or_default(),
        handoff,
        unanswered,
        answered: None,
        at: now,
    };
    let written = state.store.record_bot_exchange(x).await?;
    if handed_off {
        route_after_handoff(state, ticket).await;
    }
    Ok(written)
}

fn previous_was_unsure(c: &ConversationState) -> bool {
    let n = c.turns.len();
    n >= 2
        && matches!(
            c.turns[n - 2].outcome,
            Outcome::Suggested | Outcome::NotUnderstood
        )
}

/// Keeps this node's bot index in step with articles published on other nodes: a
/// supervised worker (see `workers`), checking every 5 s until stopped.
pub async fn refresher(state: Arc<Core>, mut stop: crate::workers::Stop) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = stop.stopped() => return,
        }
        if let Err(e) = refresh(&state).await {
            tracing::warn!(error = %e, "bot index refresh failed; will retry");
        }
    }
}

/// Formerly started the refresher on its own; `workers::spawn` now runs it supervised.
/// Kept (doing nothing) until the binary stops calling it.
pub fn spawn_refresher(_state: Arc<Core>) {}
