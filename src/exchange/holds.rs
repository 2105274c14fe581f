//! What open derivative orders hold, kept true as positions change.
//!
//! An order that would close a position needs no margin for that part; what it
//! would open needs margin at its price. Which orders close and which open
//! depends on the position and on the orders ahead of it (oldest first claim
//! the position), so every time a position moves, the holds are recomputed:
//! an order that now needs more takes it from the available balance or is
//! canceled, and a reduce-only order with nothing left to reduce is canceled.
//! This is what keeps the available balance from going negative.

use rust_decimal::Decimal;

use super::orders::{CancelSource, MgnMode, OrdState, Order, PosSide};
use super::positions::{PosKey, settle_value};
use super::trading::{AccountId, mgn_mode};
use super::{Exchange, Side, fees};

impl Exchange {
    /// The size of the position an order on `side` would reduce.
    pub(crate) fn closable(
        &self,
        acct: AccountId,
        inst_id: &str,
        mgn: MgnMode,
        pos_side: PosSide,
        side: Side,
    ) -> Decimal {
        let key = PosKey {
            inst_id: inst_id.to_owned(),
            mgn_mode: mgn,
            pos_side,
        };
        let pos = self.accounts[acct]
            .positions
            .get(&key)
            .map_or(Decimal::ZERO, |p| p.pos);
        match (pos_side, side) {
            (PosSide::Long, Side::Sell) | (PosSide::Short, Side::Buy) => pos.abs(),
            (PosSide::Net, Side::Buy) if pos < Decimal::ZERO => -pos,
            (PosSide::Net, Side::Sell) if pos > Decimal::ZERO => pos,
            _ => Decimal::ZERO,
        }
    }

    /// What of the position is left for `order` to close once the open orders
    /// ahead of it on the same side have claimed theirs.
    pub(crate) fn closable_for(&self, acct: AccountId, order: &Order) -> Decimal {
        let mgn = mgn_mode(order.td_mode);
        let claimed: Decimal = self.accounts[acct]
            .open_orders()
            .filter(|o| o.ord_id < order.ord_id && same_claim(o, order))
            .map(Order::remaining)
            .sum();
        (self.closable(acct, &order.inst_id, mgn, order.pos_side, order.side) - claimed)
            .max(Decimal::ZERO)
    }

    /// Margin for the part of `order` that would open a position, plus its fee, at `mark` for market orders.
    pub(crate) fn required_hold(&self, acct: AccountId, order: &Order, mark: Decimal) -> Decimal {
        self.hold_given(order, self.closable_for(acct, order), mark)
    }

    /// [`required_hold`](Self::required_hold) when what is left of the
    /// position for the order to close is known.
    fn hold_given(&self, order: &Order, closable_left: Decimal, mark: Decimal) -> Decimal {
        let Some(inst) = self.instruments.by_id(&order.inst_id) else {
            return Decimal::ZERO;
        };
        let closing = order.remaining().min(closable_left);
        let opening = if order.reduce_only {
            Decimal::ZERO
        } else {
            order.remaining() - closing
        };
        let px = order.px.unwrap_or(mark);
        let lever = order.lever.unwrap_or(Decimal::ONE);
        settle_value(inst, opening, px) / lever
            + settle_value(inst, order.remaining(), px) * fees::rate(inst.inst_type, false)
    }

    /// [`rebalance`](Self::rebalance) where it can matter: when the account
    /// holds a position on the instrument. Without one, no order closes
    /// anything, so each order's hold stands on its own and removing one
    /// order (a cancel) changes no other.
    pub(crate) fn rebalance_if_positioned(&mut self, acct: AccountId, inst_id: &str, now: i64) {
        if self.accounts[acct]
            .positions
            .keys()
            .any(|k| k.inst_id == inst_id)
        {
            self.rebalance(acct, inst_id, now);
        }
    }

    /// Re-holds every open order of the account on a derivative instrument,
    /// oldest first; cancels what the account can no longer afford and
    /// reduce-only orders with nothing left to reduce. One pass: what the
    /// orders ahead claimed of each position is carried along, so this costs
    /// the same per order however many are open.
    pub(crate) fn rebalance(&mut self, acct: AccountId, inst_id: &str, now: i64) {
        let Some(inst) = self.instruments.by_id(inst_id) else {
            return;
        };
        if !inst.inst_type.is_derivative() {
            return;
        }
        let inst = inst.clone();
        let mark = self.mark_px(&inst, now);
        let ids: Vec<i64> = self.accounts[acct]
            .open_orders()
            .filter(|o| o.inst_id == inst_id)
            .map(|o| o.ord_id)
            .collect();
        // (side, posSide, margin mode) -> (position it may close, claimed so far).
        let mut claims: Vec<((Side, PosSide, MgnMode), Decimal, Decimal)> = Vec::new();
        for ord_id in ids {
            let order = &self.accounts[acct].orders[&ord_id];
            let group = (order.side, order.pos_side, mgn_mode(order.td_mode));
            let index = match claims.iter().position(|(g, _, _)| *g == group) {
                Some(index) => index,
                None => {
                    let (side, pos_side, mgn) = group;
                    let position = self.closable(acct, inst_id, mgn, pos_side, side);
                    claims.push((group, position, Decimal::ZERO));
                    claims.len() - 1
                }
            };
            let (_, position, claimed) = claims[index];
            let left = (position - claimed).max(Decimal::ZERO);
            if order.reduce_only && left.is_zero() {
                self.finish(
                    acct,
                    ord_id,
                    OrdState::Canceled,
                    Some(CancelSource::System),
                    now,
                );
                continue;
            }
            let need = self.hold_given(order, left, mark);
            let (extra, remaining, ccy) = (
                need - order.frozen,
                order.remaining(),
                order.frozen_ccy.clone(),
            );
            let account = &mut self.accounts[acct];
            if extra > Decimal::ZERO && extra > account.available(&ccy) {
                self.finish(
                    acct,
                    ord_id,
                    OrdState::Canceled,
                    Some(CancelSource::System),
                    now,
                );
                continue;
            }
            claims[index].2 += remaining;
            account.balance(&ccy).ord_frozen += extra;
            if let Some(o) = account.orders.get_mut(&ord_id) {
                o.frozen = need;
            }
        }
    }

    /// How much of `qty` an order may fill: a reduce-only order never more
    /// than what is left of the position for it.
    pub(crate) fn fillable(&self, acct: AccountId, order: &Order, qty: Decimal) -> Decimal {
        if order.reduce_only && order.inst_type.is_derivative() {
            qty.min(self.closable_for(acct, order))
        } else {
            qty
        }
    }
}

/// Whether two orders compete for the same position (same instrument, side,
/// position side and margin mode).
fn same_claim(a: &Order, b: &Order) -> bool {
    a.inst_id == b.inst_id
        && a.side == b.side
        && a.pos_side == b.pos_side
        && mgn_mode(a.td_mode) == mgn_mode(b.td_mode)
}
