//! What the venue tells the outside world after a state change: an order,
//! algo order or account moved. The venue only writes these into its outbox;
//! whoever holds the lock (see `state::Venue`) hands them on when it lets go.
//! That keeps the venue free of WebSocket code and of async, and keeps the
//! events of one step in the order they happened.
//!
//! Recording is off while nobody listens, so a server without WebSocket
//! clients pays nothing for it.

use super::algo::AlgoOrder;
use super::orders::Order;
use super::trading::AccountId;
use super::{Exchange, Side};

/// Why an account's balances or positions changed (`eventType` of the
/// `balance_and_position` channel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AccountReason {
    /// An order filled.
    Filled,
    /// Funds moved in or out (transfer, deposit, withdrawal, control API).
    Transferred,
    /// Only holds changed (an order placed, amended or canceled).
    Holds,
}

impl AccountReason {
    /// OKX's `eventType` spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Filled => "filled",
            Self::Transferred => "transferred",
            Self::Holds => "snapshot",
        }
    }
}

/// The fill an order event reports.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FillNote {
    /// Trade id.
    pub trade_id: i64,
    /// Whether the order was the maker.
    pub maker: bool,
    /// The fee of this fill (negative is a charge).
    pub fee: rust_decimal::Decimal,
    /// The side that traded.
    pub side: Side,
}

/// One change the venue made.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum VenueEvent {
    /// An order as it is now (placed, filled, amended or ended).
    Order {
        /// Whose order.
        acct: AccountId,
        /// A copy taken at the moment of the change.
        order: Box<Order>,
        /// The fill that caused the change, if one did.
        fill: Option<FillNote>,
        /// Set on a successful amendment (`amendResult` "0").
        amended: bool,
    },
    /// An algo order as it is now.
    Algo {
        /// Whose algo order.
        acct: AccountId,
        /// A copy taken at the moment of the change.
        algo: Box<AlgoOrder>,
    },
    /// An account's balances or positions changed.
    Account {
        /// Which account.
        acct: AccountId,
        /// Why.
        reason: AccountReason,
        /// The instrument whose position moved, if one did.
        inst_id: Option<String>,
    },
}

/// Events recorded since the lock was taken.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    recording: bool,
    events: Vec<VenueEvent>,
}

impl Exchange {
    /// Turns recording on or off (on while someone listens).
    pub(crate) fn record_events(&mut self, on: bool) {
        self.outbox.recording = on;
        if !on {
            self.outbox.events.clear();
        }
    }

    /// The events recorded so far, oldest first; the outbox is left empty.
    pub(crate) fn take_events(&mut self) -> Vec<VenueEvent> {
        std::mem::take(&mut self.outbox.events)
    }

    /// Records the state of an order (and that its account's holds moved).
    pub(crate) fn publish_order(
        &mut self,
        acct: AccountId,
        ord_id: i64,
        fill: Option<FillNote>,
        amended: bool,
    ) {
        if !self.outbox.recording {
            return;
        }
        let Some(order) = self.accounts[acct].orders.get(&ord_id) else {
            return;
        };
        let inst_id = fill.is_some().then(|| order.inst_id.clone());
        let reason = if fill.is_some() {
            AccountReason::Filled
        } else {
            AccountReason::Holds
        };
        let event = VenueEvent::Order {
            acct,
            order: order.clone(),
            fill,
            amended,
        };
        self.outbox.events.push(event);
        self.publish_account(acct, reason, inst_id);
    }

    /// Records the state of an algo order.
    pub(crate) fn publish_algo(&mut self, acct: AccountId, algo_id: i64) {
        if !self.outbox.recording {
            return;
        }
        if let Some(algo) = self.accounts[acct].algos.get(&algo_id) {
            let event = VenueEvent::Algo {
                acct,
                algo: Box::new(algo.clone()),
            };
            self.outbox.events.push(event);
        }
    }

    /// Records that an account's balances or positions changed.
    pub(crate) fn publish_account(
        &mut self,
        acct: AccountId,
        reason: AccountReason,
        inst_id: Option<String>,
    ) {
        if self.outbox.recording {
            self.outbox.events.push(VenueEvent::Account {
                acct,
                reason,
                inst_id,
            });
        }
    }
}
