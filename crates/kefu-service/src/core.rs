//! The core every use-case runs against: the store, the catalogue, the bot, settings, the
//! caches, this node's live event hub and the job runner's wake-up. Entry points hold one
//! `Arc<Core>`.

use crate::credentials::PrincipalCache;
use kefu_domain::{Category, Priority, SlaPolicy};
use kefu_store::Store;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Service settings, built by the binary from its configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Largest request body accepted.
    pub body_limit_bytes: usize,
    /// How long a staff login session lasts.
    pub session_ttl: Duration,
    /// How long after resolution a customer reply reopens a ticket.
    pub reopen_window: Duration,
    /// How long a token → principal mapping is trusted without a database read.
    pub principal_cache_ttl: Duration,
    /// The business calendar SLA clocks count in (24×7 unless configured).
    pub calendar: kefu_routing::BusinessCalendar,
    /// The FAQ bot's optional semantic model (lexical bot when absent).
    pub bot_model: Option<Arc<kefu_bot::SemanticModel>>,
    /// How long a resolved ticket stays resolved (the customer may reopen it) before the
    /// `ticket.close` job closes it.
    pub close_after: Duration,
    /// How long the bot waits after answering in a bot-first conversation: with no further
    /// customer message by then, the answer counts as confirmed and the bot resolves the
    /// ticket (contained).
    pub bot_quiet_period: Duration,
    /// The language of texts kefu writes for staff (hand-back and SLA notes): a BCP 47 tag,
    /// `zh-CN` unless set.
    pub staff_language: String,
    /// Upload limits, where files are kept, and the optional speech-to-text backend.
    pub attachments: crate::attachments::AttachmentSettings,
    /// The satisfaction follow-up: on or off, when to remind, how long tokens last.
    pub survey: crate::survey::SurveySettings,
    /// Whether the staff console's session cookie is marked `Secure` (sent over HTTPS only).
    pub secure_cookies: bool,
    /// Webhook channels, deliveries, customer notifications and app-user tokens.
    pub channels: crate::channels::ChannelSettings,
    /// The e-mail channel's mailbox and outgoing server; `None` when it is off.
    pub email: Option<crate::email::EmailSettings>,
}

impl Settings {
    /// The catalogue staff notes are written from.
    pub fn staff_messages(&self) -> &'static crate::messages::Messages {
        crate::messages::Messages::for_language(&self.staff_language)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            body_limit_bytes: 1024 * 1024,
            session_ttl: Duration::from_secs(12 * 3600),
            reopen_window: Duration::from_secs(7 * 24 * 3600),
            principal_cache_ttl: Duration::from_secs(10),
            calendar: kefu_routing::BusinessCalendar::default(),
            bot_model: None,
            close_after: Duration::from_secs(7 * 24 * 3600),
            bot_quiet_period: Duration::from_secs(10 * 60),
            staff_language: "zh-CN".to_owned(),
            attachments: crate::attachments::AttachmentSettings::default(),
            survey: crate::survey::SurveySettings::default(),
            secure_cookies: false,
            channels: crate::channels::ChannelSettings::default(),
            email: None,
        }
    }
}

/// A category's name in `lang`.
pub fn category_name_in(c: &Category, lang: kefu_bot::Lang) -> &str {
    match lang {
        kefu_bot::Lang::Zh => &c.name_zh,
        kefu_bot::Lang::En => &c.name_en,
    }
}

/// The catalogue and SLA policies, read often and changed rarely: kept in memory.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub categories: Vec<Category>,
    pub sla: Vec<SlaPolicy>,
}

impl Catalogue {
    pub fn has_category(&self, code: &str) -> bool {
        self.categories.iter().any(|c| c.code.as_str() == code)
    }

    /// A category's name for a reader of `lang` (the code itself when the catalogue has no
    /// such category any more).
    pub fn category_name(&self, code: &str, lang: kefu_bot::Lang) -> String {
        self.categories
            .iter()
            .find(|c| c.code.as_str() == code)
            .map_or_else(|| code.to_owned(), |c| category_name_in(c, lang).to_owned())
    }

    /// The first-response target for a category and priority: the category's own policy,
    /// else the catch-all one, else the 24 h ceiling.
    pub fn first_response_minutes(&self, category: &str, priority: Priority) -> u32 {
        let pick = |cat: Option<&str>| {
            self.sla
                .iter()
                .find(|p| p.priority == priority && p.category.as_deref() == cat)
                .map(|p| p.targets.first_response_minutes)
        };
        pick(Some(category))
            .or_else(|| pick(None))
            .unwrap_or(kefu_domain::sla::FIRST_RESPONSE_CEILING_MINUTES)
    }
}

/// The shared core; entry points keep it in an `Arc`.
pub struct Core {
    pub store: Arc<dyn Store>,
    pub settings: Settings,
    pub principals: PrincipalCache,
    pub catalogue: RwLock<Catalogue>,
    /// Secret behind customers' lookup codes, shared by all nodes through the database.
    pub lookup_secret: Vec<u8>,
    /// The key attachment download links are signed with (derived from the lookup secret,
    /// so every node agrees).
    pub attachment_link_key: Vec<u8>,
    /// The key survey tokens are signed with (derived from the lookup secret, likewise).
    pub survey_token_key: Vec<u8>,
    /// The FAQ bot over the published knowledge base, and the `kb_revision` it was built at.
    pub bot: RwLock<(Arc<kefu_bot::Bot>, String)>,
    /// Until when this node knows nobody is online to route to (a short negative cache:
    /// intake then skips the agent read; presence changes here clear it).
    pub nobody_online_until: std::sync::Mutex<Option<std::time::Instant>>,
    /// The staff accounts as read a few seconds ago: which skills the team has at all
    /// (the starving-skill check asks it on every ticket left waiting).
    pub(crate) staff_snapshot:
        std::sync::Mutex<Option<(std::time::Instant, Arc<crate::starving::TeamSkills>)>>,
    /// The help center's popular entry ids as counted a moment ago (see [`crate::popular`]).
    pub(crate) popular_snapshot: std::sync::Mutex<Option<(std::time::Instant, Arc<Vec<String>>)>>,
    /// This node's live event hub (see [`crate::events`]).
    pub events: crate::events::Hub,
    /// Poked when a job is enqueued on this node, so the runner claims it without waiting
    /// for its next poll.
    pub jobs_enqueued: tokio::sync::Notify,
    /// The health of this node's background workers (empty until they are spawned).
    pub workers: Arc<crate::workers::HealthBoard>,
    /// This node's id in job leases and timer claims: host, process and a random part.
    pub node_id: String,
    /// The channel adapters installed on this node ([`crate::channels`]).
    pub channels: crate::channels::Registry,
}

impl Core {
    /// Builds the core over a store: loads the lookup secret, the catalogue and the bot.
    pub async fn new(
        store: Arc<dyn Store>,
        settings: Settings,
    ) -> Result<Self, kefu_store::StoreError> {
        let lookup_secret = crate::seed::lookup_secret(store.as_ref()).await?;
        let catalogue = Catalogue {
            categories: store.list_categories().await?,
            sla: store.list_sla_policies().await?,
        };
        let (bot, revision) =
            crate::bot::build(store.as_ref(), settings.bot_model.as_ref()).await?;
        Ok(Self {
            bot: RwLock::new((Arc::new(bot), revision)),
            nobody_online_until: std::sync::Mutex::new(None),
            staff_snapshot: std::sync::Mutex::new(None),
            popular_snapshot: std::sync::Mutex::new(None),
            principals: PrincipalCache::new(settings.principal_cache_ttl),
            settings,
            store,
            catalogue: RwLock::new(catalogue),
            attachment_link_key: crate::attachments::link::link_key(&lookup_secret),
            survey_token_key: crate::survey::token::token_key(&lookup_secret),
            lookup_secret,
            events: crate::events::Hub::default(),
            jobs_enqueued: tokio::sync::Notify::new(),
            workers: Arc::default(),
            node_id: node_id(),
            channels: crate::channels::Registry::default(),
        })
    }

    /// The live event stream of this node (see [`crate::events`]).
    pub fn events(&self) -> &crate::events::Hub {
        &self.events
    }

    /// Tells this node's event tailer that events were just written, so subscribers hear
    /// of them without waiting for its next poll. Cheap; call after any ticket change.
    pub fn events_written(&self) {
        self.events.written();
    }

    /// Tells this node's job runner that a job was just enqueued.
    pub fn jobs_enqueued(&self) {
        self.jobs_enqueued.notify_one();
    }

    /// Whether every background worker of this node is running (for `/healthz`): false
    /// while one is restarting after a panic. True before the workers are spawned.
    pub fn workers_healthy(&self) -> bool {
        self.workers.healthy()
    }

    /// Each background worker's health (name, running, restarts, last panic).
    pub fn workers_health(&self) -> Vec<crate::workers::WorkerHealth> {
        self.workers.snapshot()
    }

    /// Drops the cached staff accounts after a change to one.
    pub(crate) fn forget_staff_snapshot(&self) {
        if let Ok(mut slot) = self.staff_snapshot.lock() {
            *slot = None;
        }
    }

    pub fn catalogue(&self) -> Catalogue {
        self.catalogue.read().map(|c| c.clone()).unwrap_or_default()
    }

    /// Reloads the catalogue after an admin change.
    pub async fn reload_catalogue(&self) -> Result<(), kefu_store::StoreError> {
        let fresh = Catalogue {
            categories: self.store.list_categories().await?,
            sla: self.store.list_sla_policies().await?,
        };
        if let Ok(mut c) = self.catalogue.write() {
            *c = fresh;
        }
        Ok(())
    }
}

/// A node id unique across hosts and restarts: `<host>-<pid>-<random>`.
fn node_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| {
            h.trim()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .take(40)
                .collect::<String>()
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "node".into());
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}-{}-{}", std::process::id(), &random[..8])
}

#[cfg(test)]
mod tests {
    use super::Catalogue;
    use kefu_bot::Lang;

    #[test]
    fn a_category_is_named_in_the_readers_language_and_an_unknown_code_by_itself() {
        let c = Catalogue {
            categories: kefu_domain::category::default_categories(),
            sla: Vec::new(),
        };
        assert_eq!(c.category_name("account", Lang::Zh), "账号");
        assert_eq!(c.category_name("account", Lang::En), "Account");
        assert_eq!(
            c.category_name("retired_domain", Lang::Zh),
            "retired_domain"
        );
    }
}
