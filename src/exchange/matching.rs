//! Matching. A taker order sweeps the synthetic book of its instrument and the
//! other accounts' resting orders, best price first. Resting orders fill as
//! makers when the market's own trade tape reaches them: fully when a trade
//! prints through their price, partly (up to the trade's size, in time
//! priority) when it prints at their price.

use rust_decimal::Decimal;

use super::market::MINUTE_MS;
use super::market::tape::{Trade, round_down};
use super::orders::{CancelSource, OrdState, OrdType};
use super::trading::{AccountId, quote_sized, remaining_units};
use super::{Exchange, Side};

/// One source of liquidity for a taker.
#[derive(Clone, Copy)]
struct Offer {
    px: Decimal,
    sz: Decimal,
    /// The resting order behind the offer, or `None` for the synthetic book.
    maker: Option<(AccountId, i64)>,
}

/// Resting order of some account, as the tape matcher sees it.
#[derive(Clone, Copy)]
struct Resting {
    acct: AccountId,
    ord_id: i64,
    side: Side,
    px: Decimal,
    since: i64,
}

impl Exchange {
    /// Matches an order as taker, then applies its time-in-force.
    pub(crate) fn take(&mut self, acct: AccountId, ord_id: i64, now: i64) {
        let order = self.accounts[acct].orders[&ord_id].clone();
        let inst = self
            .instruments
            .by_id(&order.inst_id)
            .cloned()
            .expect("orders name listed instruments");
        let band = inst
            .inst_type
            .is_derivative()
            .then(|| self.price_limit(&inst, now));
        let acceptable = |px: Decimal| {
            let within_limit = order.px.is_none_or(|limit| match order.side {
                Side::Buy => px <= limit,
                Side::Sell => px >= limit,
            });
            let within_band = band.is_none_or(|(buy, sell)| match order.side {
                Side::Buy => px <= buy,
                Side::Sell => px >= sell,
            });
            within_limit && within_band
        };
        // The synthetic book as deep as the order could fill on it alone (the
        // whole 400-level ladder would cost more than the rest of the order).
        let wanted = remaining_units(&order);
        let mut offers: Vec<Offer> = Vec::new();
        let mut depth_seen = Decimal::ZERO;
        for level in self.synthetic_offers(&inst, order.side, now) {
            if !acceptable(level.px) || (depth_seen >= wanted && !offers.is_empty()) {
                break;
            }
            depth_seen += if quote_sized(&order) {
                level.sz * level.px
            } else {
                level.sz
            };
            offers.push(Offer {
                px: level.px,
                sz: level.sz,
                maker: None,
            });
        }
        // Other accounts' resting orders on the book are offers too.
        for (other, account) in self.accounts.iter().enumerate() {
            if other == acct || account.env != self.accounts[acct].env {
                continue; // no self-trades, and live and demo are separate worlds
            }
            for resting in account
                .open_orders()
                .filter(|o| o.book == order.book && o.side != order.side)
            {
                if let Some(px) = resting.px {
                    offers.push(Offer {
                        px,
                        sz: resting.remaining(),
                        maker: Some((other, resting.ord_id)),
                    });
                }
            }
        }
        // Best price first; at one price resting orders (older) before the synthetic book.
        offers.sort_by(|a, b| {
            let by_px = if order.side == Side::Buy {
                a.px.cmp(&b.px)
            } else {
                b.px.cmp(&a.px)
            };
            by_px
                .then_with(|| b.maker.is_some().cmp(&a.maker.is_some()))
                .then_with(|| a.maker.cmp(&b.maker))
        });
        let reachable: Vec<&Offer> = offers.iter().take_while(|o| acceptable(o.px)).collect();
        match order.ord_type {
            OrdType::PostOnly if !reachable.is_empty() => {
                self.finish(
                    acct,
                    ord_id,
                    OrdState::Canceled,
                    Some(CancelSource::PostOnlyWouldTake),
                    now,
                );
                return;
            }
            OrdType::PostOnly => return,
            OrdType::Fok if reachable.iter().map(|o| o.sz).sum::<Decimal>() < order.remaining() => {
                self.finish(
                    acct,
                    ord_id,
                    OrdState::Canceled,
                    Some(CancelSource::FokNotFilled),
                    now,
                );
                return;
            }
            _ => {}
        }
        let fills: Vec<Offer> = reachable.into_iter().copied().collect();
        let mut touched = vec![acct];
        for Offer {
            px,
            sz: available,
            maker,
        } in fills
        {
            let order = &self.accounts[acct].orders[&ord_id];
            if !order.state.is_open() {
                break;
            }
            let qty = if quote_sized(order) {
                round_down(remaining_units(order) / px, inst.lot_sz).min(available)
            } else {
                order.remaining().min(available)
            };
            let mut qty = self.fillable(acct, order, qty);
            if let Some((maker_acct, maker_ord)) = maker {
                let maker_order = &self.accounts[maker_acct].orders[&maker_ord];
                qty = self.fillable(maker_acct, maker_order, qty);
            }
            if qty <= Decimal::ZERO {
                if maker.is_some() {
                    continue; // that maker has nothing left to reduce
                }
                break;
            }
            let trade_id = self.ids.next(now);
            self.apply_fill(acct, ord_id, px, qty, false, trade_id, now);
            if let Some((maker_acct, maker_ord)) = maker {
                self.apply_fill(maker_acct, maker_ord, px, qty, true, trade_id, now);
                touched.push(maker_acct);
            }
        }
        let order = &self.accounts[acct].orders[&ord_id];
        if order.state.is_open() {
            match order.ord_type {
                OrdType::Market if quote_sized(order) && order.acc_fill_sz > Decimal::ZERO => {
                    // What is left of a quote-sized market order is less than one lot.
                    self.finish(acct, ord_id, OrdState::Filled, None, now);
                }
                OrdType::Market | OrdType::Ioc | OrdType::OptimalLimitIoc | OrdType::Fok => {
                    self.finish(
                        acct,
                        ord_id,
                        OrdState::Canceled,
                        Some(CancelSource::IocRemainder),
                        now,
                    );
                }
                _ => {}
            }
        }
        // Positions moved: every hold of the accounts involved is re-checked.
        touched.sort_unstable();
        touched.dedup();
        for account in touched {
            self.rebalance(account, &inst.inst_id, now);
        }
    }

    /// Brings every book up to `now`: resting orders fill against the market
    /// trades printed since the last call. Runs before each account operation,
    /// so what a client reads always reflects the market up to exchange time.
    pub(crate) fn sync(&mut self, now: i64) {
        self.settle_funding(now);
        // One pass over the algo orders finds the books any of them watches.
        let mut watched = vec![false; self.books.len()];
        for algo in self.accounts.iter().flat_map(|a| a.live_algos()) {
            watched[algo.book] = true;
        }
        // And one over the open orders finds the books anything rests on.
        let mut rested = vec![false; self.books.len()];
        for order in self.accounts.iter().flat_map(|a| a.open_orders()) {
            rested[order.book] = true;
        }
        debug_assert!(self.accounts.iter().all(|a| a.indexes_agree()));
        for (book, watched) in watched.into_iter().enumerate() {
            let from = self.synced[book];
            if now > from {
                self.synced[book] = now;
                if rested[book] {
                    self.fill_from_tape(book, from, now);
                }
            }
            if watched {
                self.trigger_algos_on(book, from, now);
            }
        }
    }

    /// Fires the algo orders of `book` whose price crossed a trigger since
    /// `from`: last-price triggers see every trade printed in between.
    fn trigger_algos_on(&mut self, book: usize, from: i64, now: i64) {
        let tape = &mut self.books[book];
        let newest = tape.last_trade(now).map(|t| t.px);
        let between = (now > from)
            .then(|| tape.aggregate(from + 1, now + 1, now))
            .flatten()
            .map(|bar| (bar.low, bar.high));
        let range = match (between, newest) {
            (Some((low, high)), Some(px)) => (low.min(px), high.max(px)),
            (Some(range), None) => range,
            (None, Some(px)) => (px, px),
            (None, None) => return,
        };
        self.fire_algos(book, range, now);
    }

    fn resting_on(&self, book: usize) -> Vec<Resting> {
        let mut resting: Vec<Resting> = self
            .accounts
            .iter()
            .enumerate()
            .flat_map(|(acct, account)| {
                account
                    .open_orders()
                    .filter(move |o| o.book == book)
                    .filter_map(move |o| {
                        o.px.map(|px| Resting {
                            acct,
                            ord_id: o.ord_id,
                            side: o.side,
                            px,
                            since: o.rest_since,
                        })
                    })
            })
            .collect();
        resting.sort_by_key(|r| r.ord_id);
        resting
    }

    fn fill_from_tape(&mut self, book: usize, from: i64, to: i64) {
        let mut resting = self.resting_on(book);
        // A price that cannot move and reaches no order: nothing to walk through
        // (this keeps a big clock jump cheap in the default, static world).
        if let Some(px) = self.books[book].constant_px_between(from, to) {
            let reached = resting.iter().any(|r| match r.side {
                Side::Buy => px <= r.px,
                Side::Sell => px >= r.px,
            });
            if !reached {
                return;
            }
        }
        let mut minute = from.div_euclid(MINUTE_MS);
        let last = to.div_euclid(MINUTE_MS);
        while minute <= last && !resting.is_empty() {
            let best_bid = resting
                .iter()
                .filter(|r| r.side == Side::Buy)
                .map(|r| r.px)
                .max();
            let best_ask = resting
                .iter()
                .filter(|r| r.side == Side::Sell)
                .map(|r| r.px)
                .min();
            let reaches = |low: Decimal, high: Decimal| {
                best_bid.is_some_and(|b| low <= b) || best_ask.is_some_and(|a| high >= a)
            };
            // Skip whole hours, then whole minutes, whose prices reach no order.
            let start = minute * MINUTE_MS;
            let hour_end = start + 60 * MINUTE_MS;
            if start % (60 * MINUTE_MS) == 0 && start > from && hour_end <= to {
                let bar = self.books[book].aggregate(start, hour_end, to);
                if !bar.is_some_and(|b| reaches(b.low, b.high)) {
                    minute += 60;
                    continue;
                }
            }
            let trades: Vec<Trade> = self.books[book]
                .trades_of_minute(minute)
                .into_iter()
                .filter(|t| t.ts > from && t.ts <= to)
                .collect();
            for trade in trades {
                if trade_reaches(&trade, best_bid, best_ask) {
                    self.fill_resting_at(&resting, &trade);
                }
            }
            resting.retain(|r| {
                self.accounts[r.acct]
                    .orders
                    .get(&r.ord_id)
                    .is_some_and(|o| o.state.is_open())
            });
            minute += 1;
        }
    }

    /// Fills resting orders against one market trade.
    fn fill_resting_at(&mut self, resting: &[Resting], trade: &Trade) {
        let mut at_price_left = trade.sz;
        for r in resting.iter().filter(|r| r.since < trade.ts) {
            let through = match r.side {
                Side::Buy => trade.px < r.px,
                Side::Sell => trade.px > r.px,
            };
            let at = trade.px == r.px;
            if !through && !at {
                continue;
            }
            let Some(order) = self.accounts[r.acct].orders.get(&r.ord_id) else {
                continue;
            };
            if !order.state.is_open() {
                continue;
            }
            let qty = if through {
                order.remaining()
            } else {
                order.remaining().min(at_price_left)
            };
            let qty = self.fillable(r.acct, order, qty);
            if qty <= Decimal::ZERO {
                continue;
            }
            if at {
                at_price_left -= qty;
            }
            let trade_id = self.ids.next(trade.ts);
            let inst_id = order.inst_id.clone();
            self.apply_fill(r.acct, r.ord_id, r.px, qty, true, trade_id, trade.ts);
            // The position moved: the account's other holds on it are re-checked.
            self.rebalance(r.acct, &inst_id, trade.ts);
        }
    }
}

fn trade_reaches(trade: &Trade, best_bid: Option<Decimal>, best_ask: Option<Decimal>) -> bool {
    best_bid.is_some_and(|b| trade.px <= b) || best_ask.is_some_and(|a| trade.px >= a)
}
