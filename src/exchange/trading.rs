//! Placing, canceling and amending orders, with OKX's checks in OKX's order.
//!
//! OKX does not document the order of its order checks. This one reproduces
//! the codes clients meet for the common mistakes (rest-trading-account.md
//! §3.1): instrument (51001), account mode (51010), enums and posSide (51000),
//! clOrdId (51000, 51016), price presence and tick (51204, 51000), size (51121,
//! 51020, 51202/51203), price band (51006, 51137/51138), reduce-only
//! (51205, 51169, 51170), then funds (51008).

use rust_decimal::Decimal;

use super::account::{AcctLv, PosMode};
use super::instruments::Instrument;
use super::orders::{CancelSource, MgnMode, OrdState, OrdType, Order, PosSide, TdMode, TgtCcy};
use super::positions::{PosKey, settle_value};
use super::reject::{Reject, Shortfall};
use super::{Exchange, Side, fees};

/// Index of an account in the venue.
pub(crate) type AccountId = usize;

/// A place-order request as the client sent it: every field optional text,
/// `""` and `null` already read as absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PlaceRequest {
    pub(crate) inst_id: Option<String>,
    pub(crate) td_mode: Option<String>,
    pub(crate) side: Option<String>,
    pub(crate) ord_type: Option<String>,
    pub(crate) sz: Option<String>,
    pub(crate) px: Option<String>,
    pub(crate) pos_side: Option<String>,
    pub(crate) cl_ord_id: Option<String>,
    pub(crate) tag: Option<String>,
    pub(crate) reduce_only: Option<String>,
    pub(crate) tgt_ccy: Option<String>,
    pub(crate) ban_amend: Option<String>,
    /// `attachAlgoOrds`.
    pub(crate) attach_algo_ords: Vec<super::algo::AttachRequest>,
}

/// Which order a cancel, amend or query names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OrderRef {
    Id(String),
    ClOrdId(String),
}

/// An amend-order request.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct AmendRequest {
    pub(crate) new_sz: Option<String>,
    pub(crate) new_px: Option<String>,
}

/// The venue's acknowledgement of an accepted place, cancel or amend.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ack {
    pub(crate) ord_id: i64,
    pub(crate) cl_ord_id: String,
    pub(crate) tag: String,
    pub(crate) ts: i64,
}

/// A checked order, ready to hold funds and match.
struct NewOrder {
    inst: Instrument,
    td_mode: TdMode,
    side: Side,
    pos_side: PosSide,
    ord_type: OrdType,
    px: Option<Decimal>,
    sz: Decimal,
    tgt_ccy: Option<TgtCcy>,
    reduce_only: bool,
    cl_ord_id: String,
    tag: String,
    ban_amend: bool,
    attached: Vec<super::algo::Attached>,
}

/// Whether the account mode allows the product and trade mode: 51010 in spot
/// mode for derivatives or margin, 50072 for isolated margin where it is gone.
pub(super) fn check_account_mode(
    acct_lv: AcctLv,
    derivative: bool,
    td_mode: Option<TdMode>,
) -> Result<(), Reject> {
    if acct_lv == AcctLv::Spot
        && (derivative || matches!(td_mode, Some(TdMode::Cross | TdMode::Isolated)))
    {
        return Err(Reject::AccountMode);
    }
    if matches!(acct_lv, AcctLv::MultiCurrency | AcctLv::Portfolio)
        && td_mode == Some(TdMode::Isolated)
    {
        return Err(Reject::IsolatedUnsupported);
    }
    Ok(())
}

/// `side`, else 51000.
pub(super) fn parse_side(text: Option<&str>) -> Result<Side, Reject> {
    match text {
        Some("buy") => Ok(Side::Buy),
        Some("sell") => Ok(Side::Sell),
        _ => Err(Reject::InvalidParam("side")),
    }
}

/// `posSide` against the position mode: long/short mode derivatives need
/// `long` or `short`; everything else takes `net` or nothing (51000).
pub(super) fn parse_pos_side(
    derivative: bool,
    pos_mode: PosMode,
    text: Option<&str>,
) -> Result<PosSide, Reject> {
    match (derivative, pos_mode, text) {
        (false, _, None | Some("net")) | (true, PosMode::Net, None | Some("net")) => {
            Ok(PosSide::Net)
        }
        (true, PosMode::LongShort, Some("long")) => Ok(PosSide::Long),
        (true, PosMode::LongShort, Some("short")) => Ok(PosSide::Short),
        _ => Err(Reject::InvalidParam("posSide")),
    }
}

pub(super) fn is_alnum_id(text: &str, max: usize) -> bool {
    (1..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

pub(super) fn parse_bool(text: Option<&str>, name: &'static str) -> Result<bool, Reject> {
    match text {
        None => Ok(false),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(_) => Err(Reject::InvalidParam(name)),
    }
}

pub(super) fn positive(text: &str, name: &'static str) -> Result<Decimal, Reject> {
    text.trim()
        .parse::<Decimal>()
        .ok()
        .filter(|v| *v > Decimal::ZERO)
        .ok_or(Reject::InvalidParam(name))
}

/// The highest price okx-mock takes: far above any instrument's, and low
/// enough that price × size × contract value stays inside Decimal's range.
pub(crate) const MAX_PRICE: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0); // 1e12

/// A positive price no larger than [`MAX_PRICE`], else 51000 for `name`.
pub(crate) fn price(text: &str, name: &'static str) -> Result<Decimal, Reject> {
    positive(text, name).and_then(|px| {
        if px <= MAX_PRICE {
            Ok(px)
        } else {
            Err(Reject::InvalidParam(name))
        }
    })
}

pub(super) fn multiple_of(value: Decimal, step: Decimal) -> bool {
    (value % step).is_zero()
}

/// Whether a spot market order is sized in the quote currency.
pub(crate) fn quote_sized(order: &Order) -> bool {
    order.tgt_ccy == Some(TgtCcy::Quote)
}

/// Size still to fill, in the order's own unit (quote for quote-sized orders).
pub(crate) fn remaining_units(order: &Order) -> Decimal {
    if quote_sized(order) {
        (order.sz - order.fill_notional).max(Decimal::ZERO)
    } else {
        order.remaining()
    }
}

impl Exchange {
    /// Places one order. `earlier_ids` are the clOrdIds of earlier orders of the same batch.
    pub(crate) fn place(
        &mut self,
        acct: AccountId,
        request: &PlaceRequest,
        earlier_ids: &[String],
        now: i64,
    ) -> Result<Ack, Reject> {
        let order = self.check_new_order(acct, request, earlier_ids, now)?;
        self.submit(acct, order, now)
    }

    fn check_new_order(
        &mut self,
        acct: AccountId,
        r: &PlaceRequest,
        earlier_ids: &[String],
        now: i64,
    ) -> Result<NewOrder, Reject> {
        let inst_id = r.inst_id.as_deref().unwrap_or_default();
        let inst = self
            .instruments
            .by_id(inst_id)
            .cloned()
            .ok_or(Reject::UnknownInstrument)?;
        let account = &self.accounts[acct];
        let derivative = inst.inst_type.is_derivative();

        let td_mode = r.td_mode.as_deref().and_then(TdMode::parse);
        check_account_mode(account.acct_lv, derivative, td_mode)?;
        let side = parse_side(r.side.as_deref())?;
        let ord_type = r
            .ord_type
            .as_deref()
            .and_then(OrdType::parse)
            .filter(|t| derivative || *t != OrdType::OptimalLimitIoc)
            .ok_or(Reject::InvalidParam("ordType"))?;
        let td_mode = td_mode
            .filter(|m| !(derivative && *m == TdMode::Cash))
            .ok_or(Reject::InvalidParam("tdMode"))?;
        let pos_side = parse_pos_side(derivative, account.pos_mode, r.pos_side.as_deref())?;

        let cl_ord_id = r.cl_ord_id.clone().unwrap_or_default();
        if !cl_ord_id.is_empty() {
            if !is_alnum_id(&cl_ord_id, 32) {
                return Err(Reject::InvalidParam("clOrdId"));
            }
            if earlier_ids.contains(&cl_ord_id)
                || account.open_orders().any(|o| o.cl_ord_id == cl_ord_id)
            {
                return Err(Reject::DuplicateClOrdId);
            }
        }
        let tag = r.tag.clone().unwrap_or_default();
        if !tag.is_empty() && !is_alnum_id(&tag, 16) {
            return Err(Reject::InvalidParam("tag"));
        }

        let px = if ord_type.needs_px() {
            let text = r.px.as_deref().ok_or(Reject::PriceRequired)?;
            let px = price(text, "px")?;
            if !multiple_of(px, inst.tick_sz) {
                return Err(Reject::InvalidParam("px"));
            }
            Some(px)
        } else {
            None
        };

        let sz = positive(r.sz.as_deref().unwrap_or_default(), "sz")?;
        let spot_market = !derivative && ord_type == OrdType::Market;
        let tgt_ccy = match (spot_market, r.tgt_ccy.as_deref()) {
            (true, None) => Some(if side == Side::Buy {
                TgtCcy::Quote
            } else {
                TgtCcy::Base
            }),
            (_, Some(text)) => {
                let parsed = TgtCcy::parse(text).ok_or(Reject::InvalidParam("tgtCcy"))?;
                spot_market.then_some(parsed)
            }
            (false, None) => None,
        };
        let in_quote = tgt_ccy == Some(TgtCcy::Quote);
        if !in_quote {
            if !multiple_of(sz, inst.lot_sz) {
                return Err(Reject::LotSize);
            }
            if sz < inst.min_sz {
                return Err(Reject::BelowMinSize);
            }
        }
        if ord_type == OrdType::Market || ord_type == OrdType::OptimalLimitIoc {
            let reference = self.mark_px(&inst, now);
            let market_size = if !derivative && !in_quote {
                sz.checked_mul(reference)
            } else {
                Some(sz)
            };
            if market_size.is_none_or(|size| size > inst.max_mkt_sz) {
                return Err(Reject::AboveMarketMax);
            }
        } else if sz > inst.max_lmt_sz {
            return Err(Reject::AboveLimitMax(inst.max_lmt_sz));
        }

        if let Some(px) = px {
            self.check_band(&inst, side, px, now)?;
        }

        let reduce_only = parse_bool(r.reduce_only.as_deref(), "reduceOnly")?;
        let account = &self.accounts[acct];
        if reduce_only && !derivative && td_mode == TdMode::Cash {
            return Err(Reject::ReduceOnlyUnavailable);
        }
        if derivative {
            let mgn = if td_mode == TdMode::Isolated {
                MgnMode::Isolated
            } else {
                MgnMode::Cross
            };
            let key = PosKey {
                inst_id: inst.inst_id.clone(),
                mgn_mode: mgn,
                pos_side,
            };
            let pos = account.positions.get(&key).map_or(Decimal::ZERO, |p| p.pos);
            let closing = match (pos_side, side) {
                (PosSide::Long, Side::Sell) | (PosSide::Short, Side::Buy) => Some(pos),
                (PosSide::Net, _) if reduce_only => {
                    if pos.is_zero() {
                        return Err(Reject::NothingToReduce);
                    }
                    if (pos > Decimal::ZERO) == (side == Side::Buy) {
                        return Err(Reject::ReduceSameDirection);
                    }
                    Some(pos.abs())
                }
                _ => None,
            };
            if let Some(held) = closing {
                // Long/short closes and net reduce-only orders may not exceed
                // the position less what other closing orders already claim.
                let claimed: Decimal = account
                    .open_orders()
                    .filter(|o| {
                        o.inst_id == inst.inst_id && o.pos_side == pos_side && o.side == side
                    })
                    .filter(|o| o.reduce_only || pos_side != PosSide::Net)
                    .map(Order::remaining)
                    .sum();
                if held.abs() - claimed < sz {
                    return Err(Reject::NothingToReduce);
                }
            }
        }
        let ban_amend = parse_bool(r.ban_amend.as_deref(), "banAmend")?;
        let parent = super::algo::Parent {
            side,
            px,
            reduce_only,
        };
        let attached = self.check_attached(&inst, parent, &r.attach_algo_ords, now)?;
        Ok(NewOrder {
            inst,
            td_mode,
            side,
            pos_side,
            ord_type,
            px,
            sz,
            tgt_ccy,
            // In long/short mode a closing order is reduce-only by nature.
            reduce_only: reduce_only
                || matches!(
                    (pos_side, side),
                    (PosSide::Long, Side::Sell) | (PosSide::Short, Side::Buy)
                ),
            cl_ord_id,
            tag,
            ban_amend,
            attached,
        })
    }

    /// A limit price inside the instrument's band: 51006 for derivatives,
    /// 51137 (buy) or 51138 (sell) for spot.
    fn check_band(
        &mut self,
        inst: &Instrument,
        side: Side,
        px: Decimal,
        now: i64,
    ) -> Result<(), Reject> {
        let (buy, sell) = self.price_limit(inst, now);
        let outside = match side {
            Side::Buy => px > buy,
            Side::Sell => px < sell,
        };
        if !outside {
            return Ok(());
        }
        Err(match (inst.inst_type.is_derivative(), side) {
            (true, _) => Reject::PriceBand { buy, sell },
            (false, Side::Buy) => Reject::SpotBuyAbove(buy),
            (false, Side::Sell) => Reject::SpotSellBelow(sell),
        })
    }

    /// Holds funds for a checked order, books it and matches it.
    fn submit(&mut self, acct: AccountId, mut o: NewOrder, now: i64) -> Result<Ack, Reject> {
        let (hold_ccy, hold) = self.hold_for(acct, &mut o, now)?;
        let lever = o.inst.inst_type.is_derivative().then(|| {
            let max = o.inst.lever.parse().unwrap_or(Decimal::ONE);
            self.accounts[acct].lever(&o.inst.inst_id, mgn_mode(o.td_mode), o.pos_side, max)
        });
        let ord_id = self.ids.next(now);
        let order = Order {
            ord_id,
            cl_ord_id: o.cl_ord_id.clone(),
            tag: o.tag.clone(),
            inst_id: o.inst.inst_id.clone(),
            inst_type: o.inst.inst_type,
            book: o.inst.book,
            td_mode: o.td_mode,
            side: o.side,
            pos_side: o.pos_side,
            ord_type: o.ord_type,
            px: o.px,
            sz: o.sz,
            tgt_ccy: o.tgt_ccy,
            reduce_only: o.reduce_only,
            lever,
            acc_fill_sz: Decimal::ZERO,
            fill_notional: Decimal::ZERO,
            last_fill: None,
            fee: Decimal::ZERO,
            fee_ccy: String::new(),
            pnl: Decimal::ZERO,
            state: OrdState::Live,
            cancel_source: None,
            frozen: hold,
            frozen_ccy: hold_ccy.clone(),
            c_time: now,
            u_time: now,
            rest_since: now,
            algo_id: None,
            algo_cl_ord_id: String::new(),
            attached: o.attached,
        };
        let account = &mut self.accounts[acct];
        account.balance(&hold_ccy).ord_frozen += hold;
        account.orders.insert(ord_id, Box::new(order));
        account.open_ids.insert(ord_id);
        self.publish_order(acct, ord_id, None, false);
        self.take(acct, ord_id, now);
        self.accounts[acct].trim_orders(self.history_cap);
        Ok(Ack {
            ord_id,
            cl_ord_id: o.cl_ord_id,
            tag: o.tag,
            ts: now,
        })
    }

    /// The currency and amount an order holds while open; 51008 when the
    /// account cannot afford it. A spot market buy sized in quote shrinks to
    /// the available balance unless `banAmend` is set, as OKX does.
    fn hold_for(
        &mut self,
        acct: AccountId,
        o: &mut NewOrder,
        now: i64,
    ) -> Result<(String, Decimal), Reject> {
        let inst = o.inst.clone();
        let (bids, asks) = self.order_book(&inst, 1, now);
        let best =
            |levels: &[super::Level]| levels.first().map(|l| l.px).unwrap_or_else(|| inst.tick_sz);
        // Market orders reserve 5% above the touch, as OKX over-freezes them.
        let cushion = Decimal::new(105, 2);
        let account = &self.accounts[acct];
        if !inst.inst_type.is_derivative() {
            let (ccy, hold) = match (o.side, o.tgt_ccy, o.px) {
                (Side::Buy, Some(TgtCcy::Quote), _) => (inst.quote_ccy.clone(), o.sz),
                (Side::Buy, _, Some(px)) => (inst.quote_ccy.clone(), px * o.sz),
                (Side::Buy, _, None) => (inst.quote_ccy.clone(), best(&asks) * o.sz * cushion),
                (Side::Sell, Some(TgtCcy::Quote), _) => {
                    (inst.base_ccy.clone(), o.sz / best(&bids) * cushion)
                }
                (Side::Sell, _, _) => (inst.base_ccy.clone(), o.sz),
            };
            let available = account.available(&ccy);
            if hold <= available {
                return Ok((ccy, hold));
            }
            let shrinkable =
                o.side == Side::Buy && o.tgt_ccy == Some(TgtCcy::Quote) && !o.ban_amend;
            if shrinkable && available > Decimal::ZERO {
                o.sz = available;
                return Ok((ccy, available));
            }
            let kind = if o.td_mode == TdMode::Cash {
                Shortfall::Balance
            } else {
                Shortfall::BalanceNoBorrow
            };
            return Err(Reject::Insufficient { ccy, kind });
        }
        let ccy = inst.settle_ccy().to_owned();
        let mgn = mgn_mode(o.td_mode);
        let reference = o.px.unwrap_or_else(|| match o.side {
            Side::Buy => best(&asks),
            Side::Sell => best(&bids),
        });
        let opening = if o.reduce_only {
            Decimal::ZERO
        } else if o.pos_side == PosSide::Net {
            let key = PosKey {
                inst_id: inst.inst_id.clone(),
                mgn_mode: mgn,
                pos_side: PosSide::Net,
            };
            let pos = account.positions.get(&key).map_or(Decimal::ZERO, |p| p.pos);
            let against = match o.side {
                Side::Buy if pos < Decimal::ZERO => pos.abs(),
                Side::Sell if pos > Decimal::ZERO => pos,
                _ => Decimal::ZERO,
            };
            // Open orders on the same side close first (oldest first).
            let claimed: Decimal = account
                .open_orders()
                .filter(|x| {
                    x.inst_id == inst.inst_id && x.side == o.side && x.pos_side == PosSide::Net
                })
                .filter(|x| mgn_mode(x.td_mode) == mgn)
                .map(Order::remaining)
                .sum();
            (o.sz - (against - claimed).max(Decimal::ZERO)).max(Decimal::ZERO)
        } else {
            o.sz
        };
        let max = inst.lever.parse().unwrap_or(Decimal::ONE);
        let lever = account.lever(&inst.inst_id, mgn, o.pos_side, max);
        let margin = settle_value(&inst, opening, reference) / lever;
        let fee = settle_value(&inst, o.sz, reference) * fees::rate(inst.inst_type, false);
        let hold = margin + fee;
        if hold <= account.available(&ccy) {
            Ok((ccy, hold))
        } else {
            Err(Reject::Insufficient {
                ccy,
                kind: Shortfall::Margin,
            })
        }
    }

    /// Finds an order of the account by ordId (preferred) or clOrdId (the newest).
    pub(crate) fn find_order(&self, acct: AccountId, inst_id: &str, by: &OrderRef) -> Option<i64> {
        let account = &self.accounts[acct];
        match by {
            OrderRef::Id(text) => {
                let id: i64 = text.trim().parse().ok()?;
                account
                    .orders
                    .get(&id)
                    .filter(|o| o.inst_id == inst_id)
                    .map(|o| o.ord_id)
            }
            OrderRef::ClOrdId(cl) => account
                .orders
                .values()
                .rev()
                .find(|o| &o.cl_ord_id == cl && o.inst_id == inst_id)
                .map(|o| o.ord_id),
        }
    }

    /// Cancels an open order (51400 when finished or unknown).
    pub(crate) fn cancel(
        &mut self,
        acct: AccountId,
        inst_id: &str,
        by: &OrderRef,
        now: i64,
    ) -> Result<Ack, Reject> {
        if self.instruments.by_id(inst_id).is_none() {
            return Err(Reject::UnknownInstrument);
        }
        let ord_id = self
            .find_order(acct, inst_id, by)
            .ok_or(Reject::CancelFinished)?;
        let order = &self.accounts[acct].orders[&ord_id];
        if !order.state.is_open() {
            return Err(Reject::CancelFinished);
        }
        let ack = Ack {
            ord_id,
            cl_ord_id: order.cl_ord_id.clone(),
            tag: order.tag.clone(),
            ts: now,
        };
        self.finish(
            acct,
            ord_id,
            OrdState::Canceled,
            Some(CancelSource::User),
            now,
        );
        self.rebalance_if_positioned(acct, inst_id, now);
        Ok(ack)
    }

    /// Amends the size and/or price of an open limit-type order.
    pub(crate) fn amend(
        &mut self,
        acct: AccountId,
        inst_id: &str,
        by: &OrderRef,
        request: &AmendRequest,
        now: i64,
    ) -> Result<Ack, Reject> {
        let inst = self
            .instruments
            .by_id(inst_id)
            .cloned()
            .ok_or(Reject::UnknownInstrument)?;
        let ord_id = self
            .find_order(acct, inst_id, by)
            .ok_or(Reject::AmendFinished)?;
        let order = self.accounts[acct].orders[&ord_id].clone();
        if !order.state.is_open() {
            return Err(Reject::AmendFinished);
        }
        if request.new_sz.is_none() && request.new_px.is_none() {
            return Err(Reject::AmendNothing);
        }
        if !order.ord_type.needs_px() {
            return Err(Reject::AmendType);
        }
        let new_px = match request.new_px.as_deref() {
            Some(text) => {
                let px = price(text, "newPx")?;
                if !multiple_of(px, inst.tick_sz) {
                    return Err(Reject::InvalidParam("newPx"));
                }
                px
            }
            None => order.px.unwrap_or_default(),
        };
        let new_sz = match request.new_sz.as_deref() {
            Some(text) => {
                let sz = positive(text, "newSz")?;
                if !multiple_of(sz, inst.lot_sz) {
                    return Err(Reject::LotSize);
                }
                sz
            }
            None => order.sz,
        };
        // The same ceilings as placing: maximum size and the price band.
        if new_sz > inst.max_lmt_sz {
            return Err(Reject::AboveLimitMax(inst.max_lmt_sz));
        }
        self.check_band(&inst, order.side, new_px, now)?;
        let mut amended = order.clone();
        amended.sz = new_sz;
        amended.px = Some(new_px);
        if amended.reduce_only
            && inst.inst_type.is_derivative()
            && amended.remaining() > self.closable_for(acct, &amended)
        {
            return Err(Reject::AmendReduceNoPosition);
        }
        let (bids, asks) = self.order_book(&inst, 1, now);
        let crosses = match order.side {
            Side::Buy => asks.first().is_some_and(|l| new_px >= l.px),
            Side::Sell => bids.first().is_some_and(|l| new_px <= l.px),
        };
        if order.ord_type == OrdType::PostOnly && crosses {
            return Err(Reject::AmendPostOnlyCross);
        }
        let ack = Ack {
            ord_id,
            cl_ord_id: order.cl_ord_id.clone(),
            tag: order.tag.clone(),
            ts: now,
        };
        if new_sz <= order.acc_fill_sz {
            // A new total at or below what already filled finishes the order.
            if let Some(o) = self.accounts[acct].orders.get_mut(&ord_id) {
                o.sz = new_sz.max(o.acc_fill_sz);
            }
            self.finish(acct, ord_id, OrdState::Filled, None, now);
            return Ok(ack);
        }
        // Re-hold for the amended remainder; refuse if the account cannot afford it.
        let remaining = new_sz - order.acc_fill_sz;
        let new_hold = if inst.inst_type.is_derivative() {
            let mark = self.mark_px(&inst, now);
            self.required_hold(acct, &amended, mark)
        } else {
            match order.side {
                Side::Buy => remaining * new_px,
                Side::Sell => remaining,
            }
        };
        let account = &mut self.accounts[acct];
        if new_hold - order.frozen > account.available(&order.frozen_ccy) {
            let kind = if inst.inst_type.is_derivative() {
                Shortfall::Margin
            } else {
                Shortfall::Balance
            };
            return Err(Reject::Insufficient {
                ccy: order.frozen_ccy.clone(),
                kind,
            });
        }
        account.balance(&order.frozen_ccy).ord_frozen += new_hold - order.frozen;
        if let Some(o) = account.orders.get_mut(&ord_id) {
            o.frozen = new_hold;
            o.sz = new_sz;
            o.px = Some(new_px);
            o.u_time = now;
            o.rest_since = now;
        }
        self.publish_order(acct, ord_id, None, true);
        if crosses {
            self.take(acct, ord_id, now);
        }
        self.rebalance(acct, inst_id, now);
        Ok(ack)
    }

    /// Ends an order: releases what it still holds and sets its final state.
    pub(crate) fn finish(
        &mut self,
        acct: AccountId,
        ord_id: i64,
        state: OrdState,
        source: Option<CancelSource>,
        now: i64,
    ) {
        let account = &mut self.accounts[acct];
        let Some(order) = account.orders.get_mut(&ord_id) else {
            return;
        };
        let released = order.frozen;
        let ccy = order.frozen_ccy.clone();
        let changed = order.state != state;
        order.frozen = Decimal::ZERO;
        order.state = state;
        order.cancel_source = source;
        order.u_time = now;
        if !state.is_open() {
            account.open_ids.remove(&ord_id);
        }
        account.balance(&ccy).ord_frozen -= released;
        if changed {
            self.publish_order(acct, ord_id, None, false);
        }
    }

    /// The market order that closes a whole position (`trade/close-position`).
    /// Pending close orders on it are canceled first with `auto_cancel`, else 51115.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn close_request(
        &mut self,
        acct: AccountId,
        inst_id: &str,
        mgn: MgnMode,
        pos_side: Option<&str>,
        auto_cancel: bool,
        ids: (&Option<String>, &Option<String>),
        now: i64,
    ) -> Result<PlaceRequest, Reject> {
        let inst = self
            .instruments
            .by_id(inst_id)
            .cloned()
            .ok_or(Reject::UnknownInstrument)?;
        if !inst.inst_type.is_derivative() {
            return Err(Reject::InvalidParam("instId"));
        }
        let account = &self.accounts[acct];
        let side = match (account.pos_mode, pos_side) {
            (PosMode::Net, None | Some("net")) => PosSide::Net,
            (PosMode::LongShort, Some("long")) => PosSide::Long,
            (PosMode::LongShort, Some("short")) => PosSide::Short,
            _ => return Err(Reject::InvalidParam("posSide")),
        };
        let key = PosKey {
            inst_id: inst.inst_id.clone(),
            mgn_mode: mgn,
            pos_side: side,
        };
        let size = account
            .positions
            .get(&key)
            .ok_or(Reject::PositionNotFound)?
            .pos;
        let closing_orders: Vec<i64> = account
            .open_orders()
            .filter(|o| {
                o.inst_id == inst.inst_id
                    && o.reduce_only
                    && o.pos_side == side
                    && mgn_mode(o.td_mode) == mgn
            })
            .map(|o| o.ord_id)
            .collect();
        if !closing_orders.is_empty() && !auto_cancel {
            return Err(Reject::PendingCloseOrders);
        }
        for ord_id in closing_orders {
            self.finish(
                acct,
                ord_id,
                OrdState::Canceled,
                Some(CancelSource::User),
                now,
            );
        }
        let closing_side = match side {
            PosSide::Long => "sell",
            PosSide::Short => "buy",
            PosSide::Net if size > Decimal::ZERO => "sell",
            PosSide::Net => "buy",
        };
        Ok(PlaceRequest {
            inst_id: Some(inst.inst_id.clone()),
            td_mode: Some(mgn.as_str().to_owned()),
            side: Some(closing_side.to_owned()),
            ord_type: Some("market".to_owned()),
            sz: Some(size.abs().to_string()),
            pos_side: (side != PosSide::Net).then(|| side.as_str().to_owned()),
            cl_ord_id: ids.0.clone(),
            tag: ids.1.clone(),
            reduce_only: (side == PosSide::Net).then(|| "true".to_owned()),
            ..PlaceRequest::default()
        })
    }

    /// Sets leverage (`account/set-leverage`) and returns the position sides it
    /// applies to. Open positions keep their size; their margin follows the new leverage.
    pub(crate) fn set_leverage(
        &mut self,
        acct: AccountId,
        inst_id: &str,
        mgn: MgnMode,
        pos_side: Option<&str>,
        lever: Decimal,
    ) -> Result<Vec<PosSide>, Reject> {
        let inst = self
            .instruments
            .by_id(inst_id)
            .cloned()
            .ok_or(Reject::UnknownInstrument)?;
        let account = &self.accounts[acct];
        let hedged_isolated = account.pos_mode == PosMode::LongShort
            && mgn == MgnMode::Isolated
            && inst.inst_type.is_derivative();
        let sides = match (hedged_isolated, pos_side) {
            (true, Some("long")) => vec![PosSide::Long],
            (true, Some("short")) => vec![PosSide::Short],
            (true, _) | (false, Some(_)) => return Err(Reject::LeverPosSide),
            (false, None)
                if account.pos_mode == PosMode::LongShort && inst.inst_type.is_derivative() =>
            {
                vec![PosSide::Long, PosSide::Short]
            }
            (false, None) => vec![PosSide::Net],
        };
        if lever < Decimal::ONE {
            return Err(Reject::LeverTooLow);
        }
        if lever > inst.lever.parse().unwrap_or(Decimal::ONE) {
            return Err(Reject::LeverTooHigh);
        }
        let pending = account.open_orders().any(|o| {
            o.inst_id == inst.inst_id && mgn_mode(o.td_mode) == mgn && o.td_mode != TdMode::Cash
        });
        if pending {
            return Err(Reject::LeverPendingOrders {
                cross: mgn == MgnMode::Cross,
            });
        }
        let account = &mut self.accounts[acct];
        for side in &sides {
            account
                .leverage
                .insert((inst.inst_id.clone(), mgn, *side), lever);
            let key = PosKey {
                inst_id: inst.inst_id.clone(),
                mgn_mode: mgn,
                pos_side: *side,
            };
            if let Some(position) = account.positions.get_mut(&key) {
                position.lever = lever;
                position.margin = settle_value(&inst, position.size(), position.avg_px) / lever;
            }
        }
        Ok(sides)
    }

    /// Whether the account has anything open that blocks setting changes.
    pub(crate) fn has_open_business(&self, acct: AccountId) -> bool {
        let account = &self.accounts[acct];
        account.open_orders().next().is_some() || !account.positions.is_empty()
    }
}

/// The margin mode a trade mode opens positions in.
pub(crate) fn mgn_mode(td_mode: TdMode) -> MgnMode {
    if td_mode == TdMode::Isolated {
        MgnMode::Isolated
    } else {
        MgnMode::Cross
    }
}
