//! What one fill does: to its order, the account's balances, its position, and
//! the records (fills, bills, closed positions). One place, so balances,
//! positions and fills always agree.

use rust_decimal::Decimal;

use super::account::{Bill, Fill};
use super::events::FillNote;
use super::instruments::Instrument;
use super::orders::{OrdState, PosSide, TdMode};
use super::positions::{ClosedPosition, PosKey, Position, direction, settle_value};
use super::trading::{AccountId, mgn_mode, quote_sized, remaining_units};
use super::{Exchange, Side, fees};

/// How a derivative fill changed its position.
struct PositionChange {
    pnl: Decimal,
    sub_type: &'static str,
}

impl Exchange {
    /// Applies a fill of `qty` at `px` to an order of an account.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn apply_fill(
        &mut self,
        acct: AccountId,
        ord_id: i64,
        px: Decimal,
        qty: Decimal,
        maker: bool,
        trade_id: i64,
        now: i64,
    ) {
        let inst = {
            let order = &self.accounts[acct].orders[&ord_id];
            self.instruments
                .by_id(&order.inst_id)
                .cloned()
                .expect("orders name listed instruments")
        };
        let mark = inst
            .inst_type
            .is_derivative()
            .then(|| self.mark_px(&inst, now));
        let bill_id = self.ids.next(now);
        let account = &mut self.accounts[acct];
        let order = account.orders.get_mut(&ord_id).expect("the order exists");

        // Release the part of the hold this fill uses.
        let before = remaining_units(order);
        let used = if quote_sized(order) { px * qty } else { qty };
        let release = if before > Decimal::ZERO {
            (order.frozen * used / before).min(order.frozen)
        } else {
            order.frozen
        };
        order.frozen -= release;
        order.acc_fill_sz += qty;
        order.fill_notional += px * qty;
        order.last_fill = Some((px, qty, now, trade_id));
        order.u_time = now;
        let (side, pos_side, td_mode, cl_ord_id, tag) = (
            order.side,
            order.pos_side,
            order.td_mode,
            order.cl_ord_id.clone(),
            order.tag.clone(),
        );
        let lever = order.lever.unwrap_or(Decimal::ONE);
        let frozen_ccy = order.frozen_ccy.clone();
        account.balance(&frozen_ccy).ord_frozen -= release;

        let rate = fees::rate(inst.inst_type, maker);
        let (fee, fee_ccy, pnl, sub_type) = if inst.inst_type.is_derivative() {
            let ccy = inst.settle_ccy().to_owned();
            let fee = -(settle_value(&inst, qty, px) * rate);
            let change = update_position(
                account, &inst, side, pos_side, td_mode, px, qty, lever, fee, bill_id, now,
            );
            let key = PosKey {
                inst_id: inst.inst_id.clone(),
                mgn_mode: mgn_mode(td_mode),
                pos_side,
            };
            if let Some(position) = account.positions.get_mut(&key) {
                position.trade_id = trade_id;
            }
            while account.closed_positions.len() > self.history_cap {
                account.closed_positions.pop_front();
            }
            account.balance(&ccy).cash += fee + change.pnl;
            (fee, ccy, change.pnl, change.sub_type)
        } else {
            let (base, quote) = (inst.base_ccy.clone(), inst.quote_ccy.clone());
            match side {
                Side::Buy => {
                    let fee = -(qty * rate);
                    account.balance(&quote).cash -= px * qty;
                    account.balance(&base).cash += qty + fee;
                    (fee, base, Decimal::ZERO, "1")
                }
                Side::Sell => {
                    let fee = -(px * qty * rate);
                    account.balance(&base).cash -= qty;
                    account.balance(&quote).cash += px * qty + fee;
                    (fee, quote, Decimal::ZERO, "2")
                }
            }
        };

        let order = account.orders.get_mut(&ord_id).expect("the order exists");
        order.fee += fee;
        order.fee_ccy = fee_ccy.clone();
        order.pnl += pnl;
        let done = remaining_units(order) <= Decimal::ZERO;
        order.state = if done {
            OrdState::Filled
        } else {
            OrdState::PartiallyFilled
        };
        if done && order.frozen > Decimal::ZERO {
            let left = order.frozen;
            order.frozen = Decimal::ZERO;
            account.balance(&frozen_ccy).ord_frozen -= left;
        }
        if done {
            account.open_ids.remove(&ord_id);
        }

        account.record_fill(
            Fill {
                bill_id,
                trade_id,
                ord_id,
                cl_ord_id: cl_ord_id.clone(),
                tag,
                inst_id: inst.inst_id.clone(),
                inst_type: inst.inst_type.as_str().to_owned(),
                side,
                pos_side,
                fill_px: px,
                fill_sz: qty,
                fill_pnl: pnl,
                fee,
                fee_ccy: fee_ccy.clone(),
                fee_rate: -rate,
                maker,
                sub_type: sub_type.to_owned(),
                mark_px: mark,
                ts: now,
            },
            self.history_cap,
        );
        let mgn_mode = match td_mode {
            TdMode::Cash => "cash",
            TdMode::Cross => "cross",
            TdMode::Isolated => "isolated",
        };
        // One bill per currency the fill moved.
        let moved: Vec<(String, Decimal, Decimal)> = if inst.inst_type.is_derivative() {
            vec![(fee_ccy.clone(), fee + pnl, fee)]
        } else {
            let (base, quote) = (inst.base_ccy.clone(), inst.quote_ccy.clone());
            match side {
                Side::Buy => vec![(quote, -(px * qty), Decimal::ZERO), (base, qty + fee, fee)],
                Side::Sell => vec![(base, -qty, Decimal::ZERO), (quote, px * qty + fee, fee)],
            }
        };
        // One bill per currency the fill moved, each with its own id (the first
        // shares the fill's billId).
        let mut ids = vec![bill_id];
        ids.extend((1..moved.len()).map(|_| self.ids.next(now)));
        let account = &mut self.accounts[acct];
        for ((ccy, bal_chg, bill_fee), bill_id) in moved.into_iter().zip(ids) {
            let bal = account.cash(&ccy);
            account.record_bill(
                Bill {
                    bill_id,
                    inst_id: inst.inst_id.clone(),
                    inst_type: inst.inst_type.as_str().to_owned(),
                    ccy,
                    kind: "2".to_owned(),
                    sub_type: sub_type.to_owned(),
                    bal_chg,
                    bal,
                    sz: qty,
                    px,
                    pnl,
                    fee: bill_fee,
                    mgn_mode: mgn_mode.to_owned(),
                    ord_id,
                    cl_ord_id: cl_ord_id.clone(),
                    trade_id,
                    exec_type: if maker { "M" } else { "T" }.to_owned(),
                    ts: now,
                },
                self.history_cap,
            );
        }
        let note = FillNote {
            trade_id,
            maker,
            fee,
            side,
        };
        self.publish_order(acct, ord_id, Some(note), false);
        if done {
            self.spawn_attached(acct, ord_id, now);
        }
    }
}

/// Moves a position by a fill and returns the realised PnL and the bill sub-type.
#[allow(clippy::too_many_arguments)]
fn update_position(
    account: &mut super::account::Account,
    inst: &Instrument,
    side: Side,
    pos_side: PosSide,
    td_mode: TdMode,
    px: Decimal,
    qty: Decimal,
    lever: Decimal,
    fee: Decimal,
    pos_id: i64,
    now: i64,
) -> PositionChange {
    let mgn_mode = mgn_mode(td_mode);
    let key = PosKey {
        inst_id: inst.inst_id.clone(),
        mgn_mode,
        pos_side,
    };
    let signed = match side {
        Side::Buy => qty,
        Side::Sell => -qty,
    };
    let current = account.positions.get(&key).map_or(Decimal::ZERO, |p| p.pos);
    let (closing, opening, sub_type) = match pos_side {
        PosSide::Long if side == Side::Sell => (qty, Decimal::ZERO, "5"),
        PosSide::Short if side == Side::Buy => (qty, Decimal::ZERO, "6"),
        PosSide::Long => (Decimal::ZERO, qty, "3"),
        PosSide::Short => (Decimal::ZERO, qty, "4"),
        PosSide::Net
            if current.is_zero() || (current > Decimal::ZERO) == (signed > Decimal::ZERO) =>
        {
            (
                Decimal::ZERO,
                qty,
                if side == Side::Buy { "3" } else { "4" },
            )
        }
        PosSide::Net => {
            let closing = qty.min(current.abs());
            (
                closing,
                qty - closing,
                if side == Side::Buy { "6" } else { "5" },
            )
        }
    };
    let mut pnl = Decimal::ZERO;
    if closing > Decimal::ZERO
        && let Some(position) = account.positions.get_mut(&key)
    {
        let size = position.size();
        let long = direction(pos_side, position.pos) > Decimal::ZERO;
        pnl = position.pnl_at(closing, px);
        position.margin -= position.margin * closing / size;
        // Toward zero: long/short positions are positive, net shorts negative.
        position.pos -= if position.pos > Decimal::ZERO {
            closing
        } else {
            -closing
        };
        position.pnl += pnl;
        position.fee += fee;
        position.close_total_pos += closing;
        position.close_notional += closing * px;
        position.u_time = now;
        if position.pos.is_zero() {
            let closed = account.positions.remove(&key).expect("just updated");
            let close_avg_px = closed.close_notional / closed.close_total_pos;
            account.closed_positions.push_back(ClosedPosition {
                position: closed,
                close_avg_px,
                long,
            });
        }
    }
    if opening > Decimal::ZERO {
        let contract = inst.contract.as_ref().expect("derivatives have contracts");
        let position = account.positions.entry(key).or_insert_with(|| Position {
            pos_id,
            inst_id: inst.inst_id.clone(),
            inst_type: inst.inst_type,
            mgn_mode,
            pos_side,
            pos: Decimal::ZERO,
            avg_px: px,
            margin: Decimal::ZERO,
            lever,
            settle_ccy: contract.settle_ccy.clone(),
            ct_val: contract.ct_val * contract.ct_mult,
            ct_type: contract.ct_type,
            pnl: Decimal::ZERO,
            fee: Decimal::ZERO,
            open_max_pos: Decimal::ZERO,
            close_total_pos: Decimal::ZERO,
            close_notional: Decimal::ZERO,
            c_time: now,
            u_time: now,
            trade_id: 0,
        });
        let size = position.size();
        position.avg_px = match contract.ct_type {
            super::CtType::Linear => (position.avg_px * size + px * opening) / (size + opening),
            // Inverse contracts average harmonically: contracts over coins.
            super::CtType::Inverse => (size + opening) / (size / position.avg_px + opening / px),
        };
        // Only a net-mode short is negative; long/short positions count up.
        let dir = if pos_side == PosSide::Net && side == Side::Sell {
            Decimal::NEGATIVE_ONE
        } else {
            Decimal::ONE
        };
        position.pos += opening * dir;
        position.margin += settle_value(inst, opening, px) / lever;
        position.lever = lever;
        if closing.is_zero() {
            position.fee += fee;
        }
        position.open_max_pos = position.open_max_pos.max(position.size());
        position.u_time = now;
    }
    PositionChange { pnl, sub_type }
}
