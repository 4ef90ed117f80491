//! Inputs of the canned-reply steps ([`kefu_domain::CannedReply`] is what they return).

use jiff::Timestamp;

/// A new canned reply (checked by the service).
#[derive(Debug, Clone)]
pub struct NewCannedReply {
    pub lang: String,
    pub title: String,
    pub body: String,
    pub at: Timestamp,
}

/// A change to a canned reply: the fields given are replaced.
#[derive(Debug, Clone, Default)]
pub struct CannedReplyPatch {
    pub lang: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub at: Option<Timestamp>,
}
