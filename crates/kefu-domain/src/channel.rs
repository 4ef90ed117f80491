//! Intake channels: where a request came from.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// The channel a ticket or message arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The app's own chat (text, image, voice).
    InApp,
    /// The web help center's online form.
    WebForm,
    /// A social-media account (posts, direct messages).
    Social,
    Email,
    /// Any other system calling the API.
    Api,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Self::InApp,
        Self::WebForm,
        Self::Social,
        Self::Email,
        Self::Api,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InApp => "in_app",
            Self::WebForm => "web_form",
            Self::Social => "social",
            Self::Email => "email",
            Self::Api => "api",
        }
    }

    /// Chat channels expect an answer within minutes; the others are asynchronous.
    pub fn is_chat(self) -> bool {
        matches!(self, Self::InApp)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not a known channel.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown channel {0:?}; expected in_app, web_form, social, email or api")]
pub struct ChannelParseError(pub String);

impl FromStr for Channel {
    type Err = ChannelParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| ChannelParseError(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_round_trips_through_text() {
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>(), Ok(c));
        }
        assert!("fax".parse::<Channel>().is_err());
    }
}
