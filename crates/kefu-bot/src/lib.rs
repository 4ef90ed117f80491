//! kefu's FAQ bot engine: a pure library (no I/O, no database, no async) that turns a
//! customer's message and a knowledge base given as values into a decision — answer, suggest
//! or hand over to a person — with a reply text and a handoff summary.
//!
//! Pipeline: [`normalize`] → [`synonym`] → [`segment`] / [`phonetic`] ([`analyze`]) →
//! [`index`] → [`rank`] (plus the optional [`semantic`] model) → [`smalltalk`] / [`handoff`] /
//! [`decide`] → [`respond`] (one turn of [`bot::Bot`]); before a handoff [`collect`] asks for
//! missing details and [`summary`] prepares what an agent needs. A reply to a suggestion
//! menu is read by [`pick`]; [`followup`] gives a message that leans on the previous one its
//! context; [`actions`] keeps opposite actions apart; [`account`] and [`domain`] fill the
//! summary; every text the bot shows comes from [`messages`], in the conversation's language.
//! [`cluster`] groups customer questions with the same similarity, for knowledge-base editors;
//! [`containment`] measures how much of a labelled question set the bot settles by itself.

pub mod account;
pub mod actions;
pub mod analyze;
pub mod bot;
pub mod cluster;
pub mod collect;
pub mod containment;
pub mod conversation;
pub mod decide;
pub mod domain;
pub mod error;
pub mod followup;
pub mod handoff;
pub mod index;
pub mod kb;
pub mod menu;
pub mod messages;
pub mod normalize;
pub mod phonetic;
mod phrasing_vectors;
pub mod pick;
pub mod rank;
pub mod respond;
pub mod segment;
pub mod semantic;
pub mod smalltalk;
pub mod summary;
pub mod synonym;
pub mod traditional;

pub use bot::Bot;
pub use collect::PendingHandoff;
pub use conversation::{ConversationState, Outcome, Turn};
pub use decide::Decision;
pub use error::BotError;
pub use handoff::{HandoffReason, HumanIntent};
pub use kb::FaqEntry;
pub use messages::Lang;
pub use rank::Ranked;
pub use respond::{BotTurn, Suggestion};
pub use semantic::SemanticModel;
pub use smalltalk::SmallTalk;
pub use summary::{Field, HandoffSummary};
