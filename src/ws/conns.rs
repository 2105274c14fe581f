//! OKX's cap on connections per private channel: at most 30 connections of
//! one account may subscribe to each of `orders`, `account`, `positions` and
//! `balance_and_position` (the same channel twice on one connection counts
//! once). After such a subscription OKX reports the count
//! (`channel-conn-count`), or, over the cap, refuses it
//! (`channel-conn-count-error`).

use dashmap::DashMap;
use serde_json::{Value, json};

use super::channels::Channel;

/// Connections a private channel may have per account.
pub(crate) const CHANNEL_CONN_CAP: usize = 30;

/// Connections per (account uid, channel), across the server.
#[derive(Debug, Default)]
pub(crate) struct ChannelConns(DashMap<(String, &'static str), usize>);

impl ChannelConns {
    /// Counts one more connection on the channel; the count, or `None` (and
    /// nothing counted) when the cap is already reached.
    pub(crate) fn join(&self, uid: &str, channel: &'static str) -> Option<usize> {
        let mut count = self.0.entry((uid.to_owned(), channel)).or_insert(0);
        if *count >= CHANNEL_CONN_CAP {
            return None;
        }
        *count += 1;
        Some(*count)
    }

    /// One connection fewer on the channel.
    pub(crate) fn leave(&self, uid: &str, channel: &'static str) {
        let key = (uid.to_owned(), channel);
        let gone = self.0.get_mut(&key).is_some_and(|mut count| {
            *count = count.saturating_sub(1);
            *count == 0
        });
        if gone {
            self.0.remove_if(&key, |_, count| *count == 0);
        }
    }
}

impl Channel {
    /// The name of a channel under the connection cap.
    pub(crate) fn capped_name(self) -> Option<&'static str> {
        match self {
            Self::Orders => Some("orders"),
            Self::Account => Some("account"),
            Self::Positions => Some("positions"),
            Self::BalanceAndPosition => Some("balance_and_position"),
            _ => None,
        }
    }
}

/// `{"event":"channel-conn-count","channel","connCount","connId"}`, or its
/// `-error` form at the cap.
pub(crate) fn count_event(channel: &str, count: Option<usize>, conn_id: &str) -> Value {
    let (event, count) = match count {
        Some(count) => ("channel-conn-count", count),
        None => ("channel-conn-count-error", CHANNEL_CONN_CAP),
    };
    json!({"event": event, "channel": channel, "connCount": count.to_string(), "connId": conn_id})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_takes_thirty_connections_of_one_account() {
        let conns = ChannelConns::default();
        for n in 1..=30 {
            assert_eq!(conns.join("u1", "orders"), Some(n));
        }
        assert_eq!(conns.join("u1", "orders"), None);
        assert_eq!(
            conns.join("u2", "orders"),
            Some(1),
            "other accounts count apart"
        );
        assert_eq!(
            conns.join("u1", "account"),
            Some(1),
            "other channels count apart"
        );
        conns.leave("u1", "orders");
        assert_eq!(conns.join("u1", "orders"), Some(30));
    }

    #[test]
    fn the_events_read_as_okx_documents_them() {
        assert_eq!(
            count_event("orders", Some(2), "abcd1234"),
            json!({"event": "channel-conn-count", "channel": "orders", "connCount": "2", "connId": "abcd1234"})
        );
        assert_eq!(
            count_event("orders", None, "abcd1234"),
            json!({"event": "channel-conn-count-error", "channel": "orders", "connCount": "30", "connId": "abcd1234"})
        );
    }
}
