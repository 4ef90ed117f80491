//! Canned replies (快捷回复): a titled reply text in one language that agents insert into the
//! reply box, with variables filled in for the ticket at hand. The variables are written
//! `{name}`; the known names are [`VARIABLES`]. Expansion is one pass, left to right: a
//! value that itself contains `{ticket}` is not expanded again, and an unknown `{name}`
//! (or a lone brace) stays as written, so a typo shows rather than vanishes.

use jiff::Timestamp;

/// The variables a canned reply may use.
pub const VARIABLES: &[&str] = &["customer", "ticket", "agent", "subject"];

/// Longest title, in characters.
pub const TITLE_MAX_CHARS: usize = 100;
/// Longest body, in characters.
pub const BODY_MAX_CHARS: usize = 4000;

/// A stored canned reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedReply {
    pub id: i64,
    /// The language it is written in (a BCP 47 tag: `zh-CN`, `en`).
    pub lang: String,
    pub title: String,
    pub body: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The values of the variables for one ticket.
#[derive(Debug, Clone, Default)]
pub struct ReplyValues<'a> {
    pub customer: &'a str,
    pub ticket: &'a str,
    pub agent: &'a str,
    pub subject: &'a str,
}

impl ReplyValues<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        match name {
            "customer" => Some(self.customer),
            "ticket" => Some(self.ticket),
            "agent" => Some(self.agent),
            "subject" => Some(self.subject),
            _ => None,
        }
    }
}

/// The variables `body` uses that are not in [`VARIABLES`] (to refuse them when saving).
pub fn unknown_variables(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find(['}', '{']) {
            Some(close) if after.as_bytes().get(close) == Some(&b'}') => {
                let name = &after[..close];
                let looks_like_name =
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if looks_like_name && !VARIABLES.contains(&name) {
                    out.push(name.to_owned());
                }
                rest = &after[close + 1..];
            }
            Some(close) => rest = &after[close..],
            None => break,
        }
    }
    out
}

/// `body` with each known `{name}` replaced by its value, once.
pub fn expand(body: &str, values: &ReplyValues<'_>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after
            .find('}')
            .and_then(|close| values.get(&after[..close]).map(|v| (v, close)));
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> ReplyValues<'static> {
        ReplyValues {
            customer: "小明",
            ticket: "261130-0000-0001-7",
            agent: "客服小李",
            subject: "{ticket}",
        }
    }

    #[test]
    fn known_variables_are_filled_once_and_the_rest_stays_as_written() {
        assert_eq!(
            expand("您好 {customer}，我是{agent}。工单 {ticket}", &values()),
            "您好 小明，我是客服小李。工单 261130-0000-0001-7"
        );
        // A value is not expanded again; unknown names and lone braces stay.
        assert_eq!(
            expand("{subject} {nope} { {", &values()),
            "{ticket} {nope} { {"
        );
        assert_eq!(expand("}{customer}{", &values()), "}小明{");
        assert_eq!(expand("", &values()), "");
    }

    #[test]
    fn unknown_variables_are_named() {
        assert_eq!(
            unknown_variables("hi {customer} {custmer}"),
            vec!["custmer"]
        );
        assert!(unknown_variables("json {\"a\": 1} and {{customer}}").is_empty());
        assert!(unknown_variables("{ticket}{agent}{subject}").is_empty());
    }
}
