//! kefu's domain: the types and rules every other crate speaks. Pure: no I/O, no async, no
//! clock — time is always a parameter.

pub mod agent;
pub mod canned_reply;
pub mod category;
pub mod channel;
pub mod csat;
pub mod customer;
pub mod event;
pub mod ids;
pub mod kb;
pub mod mask;
pub mod message;
pub mod presence;
pub mod priority;
pub mod report;
pub mod sla;
pub mod status;
pub mod team;
pub mod ticket;
pub mod ticket_number;

pub use agent::{Agent, AgentRole, Skill};
pub use canned_reply::{CannedReply, ReplyValues};
pub use category::{Category, CategoryCode, CategoryCodeError};
pub use channel::{Channel, ChannelParseError};
pub use csat::{CsatRating, CsatScore, CsatScoreError, SurveyForm, SurveyInvite};
pub use customer::{Customer, CustomerRef};
pub use event::{Actor, EventKind, TicketEvent};
pub use ids::{AgentId, ApiKeyId, CustomerId, EventId, MessageId, TeamId, TicketId};
pub use kb::{ArticleContent, ArticleError, KbArticle};
pub use message::{Attachment, AttachmentKind, Message, MessageKind, Suggestion};
pub use presence::{AgentPresence, PresenceParseError};
pub use priority::{Priority, PriorityParseError};
pub use sla::{SlaPolicy, SlaTargets};
pub use status::{IllegalTransition, TicketStatus};
pub use team::Team;
pub use ticket::Ticket;
pub use ticket_number::{TicketNumber, TicketNumberError};
