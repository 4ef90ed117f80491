//! The presence rule the server and the simulator share: who counts as present, and when
//! an agent's live chats go back to the queue.
//!
//! A live chat needs someone present to answer within seconds. An agent who is `away` (a
//! break, a meeting) is no more able to answer than one who is `offline`, and an away
//! agent may stay away for an hour; so leaving `online` in either direction hands their
//! chats back, and only `online` counts as present. Asynchronous tickets (e-mail, forms)
//! stay owned: they are answered in hours, not seconds.

use kefu_domain::AgentPresence;

/// Whether an agent at this presence can answer a live chat now.
pub fn is_present(presence: AgentPresence) -> bool {
    presence == AgentPresence::Online
}

/// Whether an agent who changes to `to` hands their live chats back to the queue: on
/// `away` and `offline`, never on `online`.
pub fn hands_back_chats(to: AgentPresence) -> bool {
    !is_present(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn going_away_or_offline_hands_chats_back() {
        assert!(hands_back_chats(AgentPresence::Away));
        assert!(hands_back_chats(AgentPresence::Offline));
    }

    #[test]
    fn coming_online_keeps_chats() {
        assert!(!hands_back_chats(AgentPresence::Online));
    }

    #[test]
    fn only_online_counts_as_present() {
        let present: Vec<_> = AgentPresence::ALL
            .into_iter()
            .filter(|p| is_present(*p))
            .collect();
        assert_eq!(present, [AgentPresence::Online]);
    }
}
