//! Algo orders: take-profit/stop-loss (`conditional`, `oco`) and `trigger`
//! orders. They hold no funds while they wait; each time the venue syncs to
//! exchange time they watch their price (last, mark or index) and, once it
//! crosses a trigger, place their order through the normal order path, so the
//! spawned order meets every check and fill rule a client's own order would.

use rust_decimal::Decimal;

use super::orders::{AlgoState, AlgoType, PosSide, TdMode, TgtCcy, TriggerPxType};
use super::positions::PosKey;
use super::reject::Reject;
use super::trading::{
    AccountId, PlaceRequest, check_account_mode, is_alnum_id, mgn_mode, multiple_of, parse_bool,
    parse_pos_side, parse_side, positive, price,
};
use super::{Exchange, InstType, Side};

/// An algo-order request as the client sent it (absent fields `None`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct AlgoRequest {
    pub(crate) inst_id: Option<String>,
    pub(crate) td_mode: Option<String>,
    pub(crate) side: Option<String>,
    pub(crate) pos_side: Option<String>,
    pub(crate) ord_type: Option<String>,
    pub(crate) sz: Option<String>,
    pub(crate) tgt_ccy: Option<String>,
    pub(crate) algo_cl_ord_id: Option<String>,
    pub(crate) tag: Option<String>,
    pub(crate) reduce_only: Option<String>,
    /// Take-profit leg (conditional, oco).
    pub(crate) tp: LegRequest,
    /// Stop-loss leg (conditional, oco).
    pub(crate) sl: LegRequest,
    /// The trigger of a `trigger` order.
    pub(crate) trigger: LegRequest,
    /// Trailing stop (`move_order_stop`): `callbackRatio`, `callbackSpread`, `activePx`.
    pub(crate) callback_ratio: Option<String>,
    pub(crate) callback_spread: Option<String>,
    pub(crate) active_px: Option<String>,
}

/// One trigger as sent: trigger price, its type, and the order price (`-1` market).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LegRequest {
    pub(crate) trigger_px: Option<String>,
    pub(crate) trigger_px_type: Option<String>,
    pub(crate) ord_px: Option<String>,
}

impl LegRequest {
    fn is_empty(&self) -> bool {
        self.trigger_px.is_none() && self.ord_px.is_none()
    }
}

/// A TP/SL attached to a normal order (`attachAlgoOrds[]`), as sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct AttachRequest {
    pub(crate) attach_algo_cl_ord_id: Option<String>,
    pub(crate) tp: LegRequest,
    pub(crate) sl: LegRequest,
    /// The size of one of several split TPs.
    pub(crate) sz: Option<String>,
}

/// A checked attached TP/SL: it waits with its order and becomes an algo
/// order of its own once that order is completely filled.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Attached {
    pub(crate) attach_algo_cl_ord_id: String,
    pub(crate) tp: Option<Leg>,
    pub(crate) sl: Option<Leg>,
    pub(crate) sz: Option<Decimal>,
    /// The algo order it became.
    pub(crate) algo_id: Option<i64>,
}

/// A checked trigger.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Leg {
    pub(crate) trigger_px: Decimal,
    pub(crate) trigger_px_type: TriggerPxType,
    /// `None`: a market order (`-1`).
    pub(crate) ord_px: Option<Decimal>,
}

/// A trailing stop: it follows the best price since activation and fires
/// when the last price moves back by the callback.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Trail {
    /// Callback as a fraction of the best price, or as a price distance.
    pub(crate) ratio: Option<Decimal>,
    pub(crate) spread: Option<Decimal>,
    /// Activation price; `None` activates at placement.
    pub(crate) active_px: Option<Decimal>,
    /// The highest (sell) or lowest (buy) last price since activation.
    pub(crate) extreme: Option<Decimal>,
}

impl Trail {
    /// The price that fires a trailing `side` order now, once active.
    pub(crate) fn trigger_px(&self, side: Side) -> Option<Decimal> {
        let best = self.extreme?;
        let distance = match (self.ratio, self.spread) {
            (Some(ratio), _) => best * ratio,
            (None, Some(spread)) => spread,
            (None, None) => return None,
        };
        Some(match side {
            Side::Sell => best - distance,
            Side::Buy => best + distance,
        })
    }

    /// Moves the trail through a last price range; whether it fired. The
    /// trigger as it stood before the move is checked first: the venue cannot
    /// know whether the low or the high came first, and the earlier trigger
    /// is the one the market saw.
    fn step(&mut self, side: Side, (low, high): (Decimal, Decimal)) -> bool {
        if self.extreme.is_none() {
            let reached = self.active_px.is_none_or(|active| match side {
                Side::Sell => high >= active,
                Side::Buy => low <= active,
            });
            if !reached {
                return false;
            }
            self.extreme = Some(match side {
                Side::Sell => high,
                Side::Buy => low,
            });
            return false;
        }
        if let Some(trigger) = self.trigger_px(side) {
            let fired = match side {
                Side::Sell => low <= trigger,
                Side::Buy => high >= trigger,
            };
            if fired {
                return true;
            }
        }
        self.extreme = self.extreme.map(|best| match side {
            Side::Sell => best.max(high),
            Side::Buy => best.min(low),
        });
        false
    }
}

/// Which leg fired (`actualSide`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Fired {
    TakeProfit,
    StopLoss,
    Trigger,
}

/// An algo order of one account.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct AlgoOrder {
    pub(crate) algo_id: i64,
    pub(crate) algo_cl_ord_id: String,
    pub(crate) tag: String,
    pub(crate) inst_id: String,
    pub(crate) inst_type: InstType,
    pub(crate) book: usize,
    pub(crate) ord_type: AlgoType,
    pub(crate) td_mode: TdMode,
    pub(crate) side: Side,
    pub(crate) pos_side: PosSide,
    pub(crate) sz: Decimal,
    pub(crate) tgt_ccy: Option<TgtCcy>,
    pub(crate) reduce_only: bool,
    pub(crate) tp: Option<Leg>,
    pub(crate) sl: Option<Leg>,
    pub(crate) trigger: Option<Leg>,
    #[serde(default)]
    pub(crate) trail: Option<Trail>,
    /// A trigger order fires when its price rises to the trigger (it was
    /// below at placement) or falls to it (it was above).
    pub(crate) fires_rising: bool,
    /// The last price at placement (`last`).
    pub(crate) last: Option<Decimal>,
    pub(crate) state: AlgoState,
    pub(crate) fired: Option<Fired>,
    /// The order it placed when it fired.
    pub(crate) ord_id: Option<i64>,
    /// Size and price of that order (`actualSz`, `actualPx`; `-1` for market).
    pub(crate) actual_sz: Option<Decimal>,
    pub(crate) actual_px: Option<Decimal>,
    /// The refusal of that order (`failCode`) when it could not be placed.
    pub(crate) fail_code: String,
    pub(crate) trigger_time: Option<i64>,
    pub(crate) c_time: i64,
    pub(crate) u_time: i64,
}

impl AlgoOrder {
    /// A live algo order with no legs yet, for the caller to fill in.
    #[allow(clippy::too_many_arguments)]
    fn new(
        algo_id: i64,
        inst: &super::Instrument,
        ord_type: AlgoType,
        td_mode: TdMode,
        side: Side,
        pos_side: PosSide,
        sz: Decimal,
        now: i64,
    ) -> Self {
        Self {
            algo_id,
            algo_cl_ord_id: String::new(),
            tag: String::new(),
            inst_id: inst.inst_id.clone(),
            inst_type: inst.inst_type,
            book: inst.book,
            ord_type,
            td_mode,
            side,
            pos_side,
            sz,
            tgt_ccy: None,
            reduce_only: false,
            tp: None,
            sl: None,
            trigger: None,
            trail: None,
            fires_rising: false,
            last: None,
            state: AlgoState::Live,
            fired: None,
            ord_id: None,
            actual_sz: None,
            actual_px: None,
            fail_code: String::new(),
            trigger_time: None,
            c_time: now,
            u_time: now,
        }
    }

    /// The leg that fires at a price moving through `[low, high]`, if any.
    /// A stop-loss wins over a take-profit crossed in the same move (the
    /// cautious reading: the venue cannot know which came first).
    fn crossed(&self, range: impl Fn(TriggerPxType) -> (Decimal, Decimal)) -> Option<Fired> {
        let reaches = |leg: &Leg, above: bool| {
            let (low, high) = range(leg.trigger_px_type);
            if above {
                high >= leg.trigger_px
            } else {
                low <= leg.trigger_px
            }
        };
        if let Some(leg) = &self.trigger {
            return reaches(leg, self.fires_rising).then_some(Fired::Trigger);
        }
        // A closing sell takes profit above and stops out below; a buy the reverse.
        let sells = self.side == Side::Sell;
        if self.sl.as_ref().is_some_and(|leg| reaches(leg, !sells)) {
            return Some(Fired::StopLoss);
        }
        // OKX: a net-mode `conditional` with both legs runs only its stop-loss.
        let sl_only = self.ord_type == AlgoType::Conditional
            && self.pos_side == PosSide::Net
            && self.inst_type.is_derivative()
            && self.sl.is_some();
        if !sl_only && self.tp.as_ref().is_some_and(|leg| reaches(leg, sells)) {
            return Some(Fired::TakeProfit);
        }
        None
    }

    /// Whether the algo still waits for its trigger.
    pub(crate) fn is_live(&self) -> bool {
        self.state == AlgoState::Live
    }
}

/// The prices triggers watch, at one instant.
struct References {
    last: Option<Decimal>,
    /// Mark and index (one fair price in okx-mock).
    fair: Decimal,
}

impl References {
    fn at(&self, kind: TriggerPxType) -> Decimal {
        match kind {
            TriggerPxType::Last => self.last.unwrap_or(self.fair),
            TriggerPxType::Mark | TriggerPxType::Index => self.fair,
        }
    }
}

/// An amend-algos request: `new*` fields, absent when unchanged.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct AmendAlgoRequest {
    pub(crate) new_sz: Option<String>,
    pub(crate) tp: LegRequest,
    pub(crate) sl: LegRequest,
    pub(crate) trigger: LegRequest,
}

/// The venue's acknowledgement of a new or canceled algo order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AlgoAck {
    pub(crate) algo_id: i64,
    pub(crate) algo_cl_ord_id: String,
    pub(crate) tag: String,
}

/// Which algo order a cancel or query names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AlgoRef {
    Id(String),
    ClOrdId(String),
}

/// OKX's caps on pending algo orders (rest-trading-account.md §1.8): TP/SL
/// 100 per instrument, trigger 500, trailing 50. The docs do not say whether
/// the trigger and trailing caps are per instrument; okx-mock counts them per
/// account [unconfirmed].
fn pending_cap(ord_type: AlgoType) -> (usize, bool) {
    match ord_type {
        AlgoType::Conditional | AlgoType::Oco => (100, true),
        AlgoType::Trigger => (500, false),
        AlgoType::MoveOrderStop => (50, false),
    }
}

impl Exchange {
    /// Places an algo order: checks it as OKX does, then books it live.
    pub(crate) fn place_algo(
        &mut self,
        acct: AccountId,
        r: &AlgoRequest,
        now: i64,
    ) -> Result<AlgoAck, Reject> {
        let inst = self
            .instruments
            .by_id(r.inst_id.as_deref().unwrap_or_default())
            .cloned()
            .ok_or(Reject::UnknownInstrument)?;
        let derivative = inst.inst_type.is_derivative();
        let account = &self.accounts[acct];
        let td_mode = r.td_mode.as_deref().and_then(TdMode::parse);
        check_account_mode(account.acct_lv, derivative, td_mode)?;
        let side = parse_side(r.side.as_deref())?;
        let ord_type = r
            .ord_type
            .as_deref()
            .and_then(AlgoType::parse)
            .ok_or(Reject::InvalidParam("ordType"))?;
        let td_mode = td_mode
            .filter(|m| !(derivative && *m == TdMode::Cash))
            .ok_or(Reject::InvalidParam("tdMode"))?;
        let pos_side = parse_pos_side(derivative, account.pos_mode, r.pos_side.as_deref())?;

        let algo_cl_ord_id = r.algo_cl_ord_id.clone().unwrap_or_default();
        if !algo_cl_ord_id.is_empty() {
            if !is_alnum_id(&algo_cl_ord_id, 32) {
                return Err(Reject::InvalidParam("algoClOrdId"));
            }
            if account
                .live_algos()
                .any(|a| a.algo_cl_ord_id == algo_cl_ord_id)
            {
                return Err(Reject::DuplicateAlgoClOrdId);
            }
        }
        let tag = r.tag.clone().unwrap_or_default();
        if !tag.is_empty() && !is_alnum_id(&tag, 16) {
            return Err(Reject::InvalidParam("tag"));
        }

        let sz = positive(r.sz.as_deref().unwrap_or_default(), "sz")?;
        let tgt_ccy = match r.tgt_ccy.as_deref() {
            None => None,
            // ccxt sends `base_ccy` with every spot trigger order, so OKX must
            // take that (it is the trigger size's unit); 51281 is for anything
            // else [inferred from ccxt].
            Some(text) if ord_type == AlgoType::Trigger => {
                if text != TgtCcy::Base.as_str() {
                    return Err(Reject::TriggerTgtCcy);
                }
                Some(TgtCcy::Base)
            }
            Some(text) if !derivative => {
                Some(TgtCcy::parse(text).ok_or(Reject::InvalidParam("tgtCcy"))?)
            }
            Some(_) => return Err(Reject::InvalidParam("tgtCcy")),
        };
        if tgt_ccy != Some(TgtCcy::Quote) {
            if !multiple_of(sz, inst.lot_sz) {
                return Err(Reject::LotSize);
            }
            if sz < inst.min_sz {
                return Err(Reject::BelowMinSize);
            }
        }
        if sz > inst.max_algo_sz {
            return Err(Reject::AboveLimitMax(inst.max_algo_sz));
        }
        let reduce_only = parse_bool(r.reduce_only.as_deref(), "reduceOnly")?;
        if reduce_only && !derivative && td_mode == TdMode::Cash {
            return Err(Reject::ReduceOnlyUnavailable);
        }

        let leg = |leg: &LegRequest, px_name: &'static str, type_name, ord_name| {
            check_leg(leg, inst.tick_sz, px_name, type_name, ord_name)
        };
        let (tp, sl, trigger) = match ord_type {
            AlgoType::MoveOrderStop => (None, None, None),
            AlgoType::Trigger => (
                None,
                None,
                Some(leg(&r.trigger, "triggerPx", "triggerPxType", "orderPx")?),
            ),
            _ => {
                let tp = (!r.tp.is_empty())
                    .then(|| leg(&r.tp, "tpTriggerPx", "tpTriggerPxType", "tpOrdPx"))
                    .transpose()?;
                let sl = (!r.sl.is_empty())
                    .then(|| leg(&r.sl, "slTriggerPx", "slTriggerPxType", "slOrdPx"))
                    .transpose()?;
                match (ord_type, &tp, &sl) {
                    (_, None, None) => return Err(Reject::InvalidParam("tpTriggerPx")),
                    (AlgoType::Oco, None, _) => return Err(Reject::InvalidParam("tpTriggerPx")),
                    (AlgoType::Oco, _, None) => return Err(Reject::InvalidParam("slTriggerPx")),
                    _ => {}
                }
                (tp, sl, None)
            }
        };
        let refs = self.check_sides(&inst, side, [tp, sl, trigger], now)?;
        let trail = (ord_type == AlgoType::MoveOrderStop)
            .then(|| check_trail(r, side, refs.at(TriggerPxType::Last)))
            .transpose()?;
        let fires_rising = trigger.is_some_and(|l| l.trigger_px >= refs.at(l.trigger_px_type));

        let account = &self.accounts[acct];
        let (cap, per_instrument) = pending_cap(ord_type);
        let is_tpsl = |t: AlgoType| matches!(t, AlgoType::Conditional | AlgoType::Oco);
        let pending = account
            .live_algos()
            .filter(|a| a.ord_type == ord_type || (is_tpsl(a.ord_type) && is_tpsl(ord_type)))
            .filter(|a| !per_instrument || a.inst_id == inst.inst_id)
            .count();
        if pending >= cap {
            return Err(Reject::TooManyAlgos {
                max: cap,
                trailing: ord_type == AlgoType::MoveOrderStop,
            });
        }
        let algo_id = self.ids.next(now);
        let mut algo = AlgoOrder::new(algo_id, &inst, ord_type, td_mode, side, pos_side, sz, now);
        algo.algo_cl_ord_id = algo_cl_ord_id.clone();
        algo.tag = tag.clone();
        algo.tgt_ccy = tgt_ccy;
        algo.reduce_only = reduce_only;
        (algo.tp, algo.sl, algo.trigger) = (tp, sl, trigger);
        algo.fires_rising = fires_rising;
        algo.trail = trail;
        algo.last = refs.last;
        let account = &mut self.accounts[acct];
        account.algos.insert(algo_id, algo);
        account.live_algo_ids.insert(algo_id);
        account.trim_algos(self.history_cap);
        self.publish_algo(acct, algo_id);
        Ok(AlgoAck {
            algo_id,
            algo_cl_ord_id,
            tag,
        })
    }

    /// Checks the legs `[tp, sl, trigger]` against the market now: spot
    /// watches only the last price (51415), and a TP or SL may not sit on the
    /// wrong side of its reference price (51277-51308).
    fn check_sides(
        &mut self,
        inst: &super::Instrument,
        side: Side,
        legs: [Option<Leg>; 3],
        now: i64,
    ) -> Result<References, Reject> {
        if !inst.inst_type.is_derivative()
            && legs
                .iter()
                .flatten()
                .any(|l| l.trigger_px_type != TriggerPxType::Last)
        {
            return Err(Reject::SpotTriggerLastOnly);
        }
        let refs = References {
            last: self.book(inst).last_trade(now).map(|t| t.px),
            fair: self.mark_px(inst, now),
        };
        let [tp, sl, _] = legs;
        for (leg, take_profit) in [(tp, true), (sl, false)] {
            let Some(leg) = leg else { continue };
            let at = refs.at(leg.trigger_px_type);
            // Equality is allowed: OKX's texts only forbid "higher" or "lower".
            let above_ok = take_profit == (side == Side::Sell);
            let wrong = if above_ok {
                leg.trigger_px < at
            } else {
                leg.trigger_px > at
            };
            if wrong {
                return Err(Reject::TriggerSide {
                    take_profit,
                    side,
                    reference: leg.trigger_px_type,
                });
            }
        }
        Ok(refs)
    }

    /// Amends a live TP/SL or trigger order: its size, trigger prices and
    /// types, and order prices, checked as a new one would be.
    pub(crate) fn amend_algo(
        &mut self,
        acct: AccountId,
        inst_id: &str,
        by: &AlgoRef,
        r: &AmendAlgoRequest,
        now: i64,
    ) -> Result<AlgoAck, Reject> {
        let id = self
            .find_live_algo(acct, inst_id, by)
            .ok_or(Reject::AlgoNotFound)?;
        let algo = self.accounts[acct].algos[&id].clone();
        let inst = self
            .instruments
            .by_id(&algo.inst_id)
            .cloned()
            .ok_or(Reject::UnknownInstrument)?;
        let untouched = |l: &LegRequest| l.is_empty() && l.trigger_px_type.is_none();
        if r.new_sz.is_none() && untouched(&r.tp) && untouched(&r.sl) && untouched(&r.trigger) {
            return Err(Reject::AmendNothing);
        }
        let sz = match r.new_sz.as_deref() {
            None => algo.sz,
            Some(text) => {
                let sz = positive(text, "newSz")?;
                if algo.tgt_ccy != Some(TgtCcy::Quote) {
                    if !multiple_of(sz, inst.lot_sz) {
                        return Err(Reject::LotSize);
                    }
                    if sz < inst.min_sz {
                        return Err(Reject::BelowMinSize);
                    }
                }
                sz
            }
        };
        let spot = !inst.inst_type.is_derivative();
        let tick = inst.tick_sz;
        let tp = amend_leg(
            algo.tp,
            &r.tp,
            tick,
            spot,
            ["newTpTriggerPx", "newTpTriggerPxType", "newTpOrdPx"],
        )?;
        let sl = amend_leg(
            algo.sl,
            &r.sl,
            tick,
            spot,
            ["newSlTriggerPx", "newSlTriggerPxType", "newSlOrdPx"],
        )?;
        let trigger = amend_leg(
            algo.trigger,
            &r.trigger,
            tick,
            spot,
            ["newTriggerPx", "newTriggerPxType", "newOrdPx"],
        )?;
        match algo.ord_type {
            AlgoType::Trigger if trigger.is_none() => {
                return Err(Reject::InvalidParam("newTriggerPx"));
            }
            AlgoType::Oco if tp.is_none() || sl.is_none() => return Err(Reject::AmendAlgoLegs),
            AlgoType::Conditional if tp.is_none() && sl.is_none() => {
                return Err(Reject::AmendAlgoNoLegs);
            }
            _ => {}
        }
        let refs = self.check_sides(&inst, algo.side, [tp, sl, trigger], now)?;
        let algo = self.accounts[acct].algos.get_mut(&id).expect("found above");
        algo.sz = sz;
        (algo.tp, algo.sl, algo.trigger) = (tp, sl, trigger);
        algo.fires_rising = trigger.is_some_and(|l| l.trigger_px >= refs.at(l.trigger_px_type));
        algo.u_time = now;
        let ack = AlgoAck {
            algo_id: id,
            algo_cl_ord_id: algo.algo_cl_ord_id.clone(),
            tag: algo.tag.clone(),
        };
        self.publish_algo(acct, id);
        Ok(ack)
    }

    /// The live algo order `by` names on `inst_id`.
    fn find_live_algo(&self, acct: AccountId, inst_id: &str, by: &AlgoRef) -> Option<i64> {
        self.find_algo(acct, by).filter(|id| {
            let algo = &self.accounts[acct].algos[id];
            algo.inst_id == inst_id && algo.is_live()
        })
    }

    /// The algo order `by` names, live or finished.
    pub(crate) fn find_algo(&self, acct: AccountId, by: &AlgoRef) -> Option<i64> {
        let algos = &self.accounts[acct].algos;
        match by {
            AlgoRef::Id(id) => id.parse().ok().filter(|id| algos.contains_key(id)),
            AlgoRef::ClOrdId(cl) => algos
                .values()
                .rev()
                .find(|a| &a.algo_cl_ord_id == cl)
                .map(|a| a.algo_id),
        }
    }

    /// Cancels a live algo order (51400 when it is not live).
    pub(crate) fn cancel_algo(
        &mut self,
        acct: AccountId,
        inst_id: &str,
        by: &AlgoRef,
        now: i64,
    ) -> Result<AlgoAck, Reject> {
        let id = self
            .find_live_algo(acct, inst_id, by)
            .ok_or(Reject::CancelFinished)?;
        let account = &mut self.accounts[acct];
        account.live_algo_ids.remove(&id);
        let algo = account.algos.get_mut(&id).expect("found above");
        algo.state = AlgoState::Canceled;
        algo.u_time = now;
        let ack = AlgoAck {
            algo_id: id,
            algo_cl_ord_id: algo.algo_cl_ord_id.clone(),
            tag: algo.tag.clone(),
        };
        self.publish_algo(acct, id);
        Ok(ack)
    }

    /// Fires the live algo orders on `book` whose price crossed a trigger: the
    /// last price anywhere in `[low, high]` (the trades since the last sync and
    /// the newest one), mark and index at `now`.
    pub(crate) fn fire_algos(&mut self, book: usize, last_range: (Decimal, Decimal), now: i64) {
        let waiting: Vec<(AccountId, i64)> = self
            .accounts
            .iter()
            .enumerate()
            .flat_map(|(acct, account)| {
                account
                    .live_algos()
                    .filter(move |a| a.book == book)
                    .map(move |a| (acct, a.algo_id))
            })
            .collect();
        let Some(&(first_acct, first_id)) = waiting.first() else {
            return;
        };
        let inst = self
            .instruments
            .by_id(&self.accounts[first_acct].algos[&first_id].inst_id)
            .cloned()
            .expect("algo orders name listed instruments");
        let fair = self.mark_px(&inst, now);
        let range = |kind: TriggerPxType| match kind {
            TriggerPxType::Last => last_range,
            TriggerPxType::Mark | TriggerPxType::Index => (fair, fair),
        };
        for (acct, algo_id) in waiting {
            let algo = self.accounts[acct]
                .algos
                .get_mut(&algo_id)
                .expect("listed above");
            let side = algo.side;
            let fired = match algo.trail.as_mut() {
                Some(trail) => trail.step(side, last_range).then_some(Fired::Trigger),
                None => algo.crossed(range),
            };
            if let Some(fired) = fired {
                self.fire(acct, algo_id, fired, now);
            }
        }
    }

    /// Places the order of a triggered algo and records the outcome.
    fn fire(&mut self, acct: AccountId, algo_id: i64, fired: Fired, now: i64) {
        let algo = self.accounts[acct].algos[&algo_id].clone();
        // A trailing stop has no leg and always places a market order.
        let ord_px = match fired {
            Fired::TakeProfit => algo.tp,
            Fired::StopLoss => algo.sl,
            Fired::Trigger => algo.trigger,
        }
        .and_then(|leg| leg.ord_px);
        let closes = matches!(
            (algo.pos_side, algo.side),
            (PosSide::Long, Side::Sell) | (PosSide::Short, Side::Buy)
        );
        // A closing or reduce-only TP/SL closes what is left of the position
        // when that is less than its size, and never opens a reverse one.
        let mut sz = algo.sz;
        if closes || algo.reduce_only {
            let key = PosKey {
                inst_id: algo.inst_id.clone(),
                mgn_mode: mgn_mode(algo.td_mode),
                pos_side: algo.pos_side,
            };
            let held = self.accounts[acct]
                .positions
                .get(&key)
                .map_or(Decimal::ZERO, |p| p.pos.abs());
            if held > Decimal::ZERO {
                sz = sz.min(held);
            }
        }
        let request = PlaceRequest {
            inst_id: Some(algo.inst_id.clone()),
            td_mode: Some(algo.td_mode.as_str().to_owned()),
            side: Some(algo.side.as_str().to_owned()),
            ord_type: Some(if ord_px.is_some() { "limit" } else { "market" }.to_owned()),
            sz: Some(sz.normalize().to_string()),
            px: ord_px.map(|px| px.normalize().to_string()),
            pos_side: (algo.pos_side != PosSide::Net).then(|| algo.pos_side.as_str().to_owned()),
            cl_ord_id: None,
            tag: (!algo.tag.is_empty()).then(|| algo.tag.clone()),
            reduce_only: algo.reduce_only.then(|| "true".to_owned()),
            // Trigger orders take no tgtCcy (51281): their size is in the base
            // currency [unconfirmed; OKX does not say], where a spot market
            // order would otherwise read a buy's size as quote.
            tgt_ccy: match (algo.ord_type, algo.tgt_ccy) {
                (_, Some(t)) => Some(t.as_str().to_owned()),
                (AlgoType::Trigger, None) if algo.inst_type == InstType::Spot => {
                    Some(TgtCcy::Base.as_str().to_owned())
                }
                _ => None,
            },
            ban_amend: None,
            attach_algo_ords: Vec::new(),
        };
        let placed = self.place(acct, &request, &[], now);
        let account = &mut self.accounts[acct];
        account.live_algo_ids.remove(&algo_id);
        if let Ok(ack) = &placed
            && let Some(order) = account.orders.get_mut(&ack.ord_id)
        {
            order.algo_id = Some(algo_id);
            order.algo_cl_ord_id = algo.algo_cl_ord_id.clone();
        }
        let algo = account.algos.get_mut(&algo_id).expect("fired algos exist");
        algo.fired = Some(fired);
        algo.trigger_time = Some(now);
        algo.u_time = now;
        algo.actual_sz = Some(sz);
        algo.actual_px = Some(ord_px.unwrap_or(-Decimal::ONE));
        match placed {
            Ok(ack) => {
                algo.state = AlgoState::Effective;
                algo.ord_id = Some(ack.ord_id);
            }
            Err(reject) => {
                algo.state = AlgoState::OrderFailed;
                algo.fail_code = reject_code(&reject).to_owned();
            }
        }
        self.publish_algo(acct, algo_id);
    }
}

/// What an attached TP/SL is measured against: the parent's price, or for a
/// market parent the best quote it would take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parent {
    pub(crate) side: Side,
    pub(crate) px: Option<Decimal>,
    pub(crate) reduce_only: bool,
}

impl Exchange {
    /// Checks the TP/SL attached to a new order (51046-51053 for a wrong
    /// side, 51100 on a reduce-only order).
    pub(crate) fn check_attached(
        &mut self,
        inst: &super::Instrument,
        parent: Parent,
        requests: &[AttachRequest],
        now: i64,
    ) -> Result<Vec<Attached>, Reject> {
        let requests: Vec<&AttachRequest> = requests
            .iter()
            .filter(|r| !(r.tp.is_empty() && r.sl.is_empty()))
            .collect();
        if requests.is_empty() {
            return Ok(Vec::new());
        }
        if parent.reduce_only {
            return Err(Reject::AttachToReduceOnly);
        }
        let reference = match parent.px {
            Some(px) => px,
            None => {
                let (bids, asks) = self.order_book(inst, 1, now);
                let touch = if parent.side == Side::Buy { asks } else { bids };
                touch
                    .first()
                    .map_or_else(|| self.mark_px(inst, now), |l| l.px)
            }
        };
        let market = parent.px.is_none();
        let mut attached = Vec::with_capacity(requests.len());
        for r in requests {
            let id = r.attach_algo_cl_ord_id.clone().unwrap_or_default();
            if !id.is_empty() && !is_alnum_id(&id, 32) {
                return Err(Reject::InvalidParam("attachAlgoClOrdId"));
            }
            let leg = |leg: &LegRequest, px, kind, ord| {
                (!leg.is_empty())
                    .then(|| check_leg(leg, inst.tick_sz, px, kind, ord))
                    .transpose()
            };
            let tp = leg(&r.tp, "tpTriggerPx", "tpTriggerPxType", "tpOrdPx")?;
            let sl = leg(&r.sl, "slTriggerPx", "slTriggerPxType", "slOrdPx")?;
            // A buy's TP sits above its price and its SL below; a sell's the reverse.
            let buys = parent.side == Side::Buy;
            let wrong = |leg: Option<Leg>, above: bool| {
                leg.is_some_and(|l| {
                    if above {
                        l.trigger_px <= reference
                    } else {
                        l.trigger_px >= reference
                    }
                })
            };
            for (take_profit, is_wrong) in [(true, wrong(tp, buys)), (false, wrong(sl, !buys))] {
                if is_wrong {
                    return Err(Reject::AttachedSide {
                        take_profit,
                        side: parent.side,
                        market,
                    });
                }
            }
            let sz = r.sz.as_deref().map(|t| positive(t, "sz")).transpose()?;
            attached.push(Attached {
                attach_algo_cl_ord_id: id,
                tp,
                sl,
                sz,
                algo_id: None,
            });
        }
        Ok(attached)
    }

    /// Turns the TP/SL attached to a completely filled order into algo
    /// orders that close what it opened.
    pub(crate) fn spawn_attached(&mut self, acct: AccountId, ord_id: i64, now: i64) {
        let order = &self.accounts[acct].orders[&ord_id];
        if order.attached.is_empty() {
            return;
        }
        let order = order.clone();
        let Some(inst) = self.instruments.by_id(&order.inst_id).cloned() else {
            return;
        };
        let last = self.book(&inst).last_trade(now).map(|t| t.px);
        let side = match order.side {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        };
        let mut ids = Vec::with_capacity(order.attached.len());
        for attached in &order.attached {
            let algo_id = self.ids.next(now);
            let ord_type = if attached.tp.is_some() && attached.sl.is_some() {
                AlgoType::Oco
            } else {
                AlgoType::Conditional
            };
            let sz = attached.sz.unwrap_or(order.acc_fill_sz);
            let mut algo = AlgoOrder::new(
                algo_id,
                &inst,
                ord_type,
                order.td_mode,
                side,
                order.pos_side,
                sz,
                now,
            );
            algo.algo_cl_ord_id = attached.attach_algo_cl_ord_id.clone();
            algo.tag = order.tag.clone();
            // It closes what the order opened: reduce-only on derivatives,
            // sized in the base currency on spot.
            algo.reduce_only = inst.inst_type.is_derivative();
            algo.tgt_ccy = (!inst.inst_type.is_derivative()).then_some(TgtCcy::Base);
            (algo.tp, algo.sl) = (attached.tp, attached.sl);
            algo.last = last;
            self.accounts[acct].algos.insert(algo_id, algo);
            self.accounts[acct].live_algo_ids.insert(algo_id);
            self.publish_algo(acct, algo_id);
            ids.push(algo_id);
        }
        let account = &mut self.accounts[acct];
        if let Some(order) = account.orders.get_mut(&ord_id) {
            for (attached, id) in order.attached.iter_mut().zip(ids) {
                attached.algo_id = Some(id);
            }
        }
        account.trim_algos(self.history_cap);
    }
}

/// The code of a refusal, as the venue records it in `failCode`. The one place
/// the venue borrows OKX's spelling from `wire`: a failed algo shows the code
/// of the refusal its order met, and that code lives with the other spellings.
fn reject_code(reject: &Reject) -> &'static str {
    crate::wire::reject::spell(reject, true).code
}

/// A trigger leg: trigger price (51000 if not a positive price), its type
/// (51000), and the order price, `-1` for market or a price on the tick grid.
fn check_leg(
    leg: &LegRequest,
    tick_sz: Decimal,
    px_name: &'static str,
    type_name: &'static str,
    ord_name: &'static str,
) -> Result<Leg, Reject> {
    let trigger_px = price(leg.trigger_px.as_deref().unwrap_or_default(), px_name)?;
    let trigger_px_type = match leg.trigger_px_type.as_deref() {
        None => TriggerPxType::Last,
        Some(text) => px_type(text, type_name)?,
    };
    let ord_px = match leg.ord_px.as_deref() {
        Some(text) => order_px(text, tick_sz, ord_name)?,
        None => return Err(Reject::InvalidParam(ord_name)),
    };
    Ok(Leg {
        trigger_px,
        trigger_px_type,
        ord_px,
    })
}

/// A trigger price type, else 51000 for `name`.
fn px_type(text: &str, name: &'static str) -> Result<TriggerPxType, Reject> {
    TriggerPxType::parse(text).ok_or(Reject::InvalidParam(name))
}

/// An order price: `-1` for market (`None`), else a price on the tick grid.
fn order_px(text: &str, tick_sz: Decimal, name: &'static str) -> Result<Option<Decimal>, Reject> {
    if text.trim() == "-1" {
        return Ok(None);
    }
    let px = price(text, name)?;
    if !multiple_of(px, tick_sz) {
        return Err(Reject::InvalidParam(name));
    }
    Ok(Some(px))
}

/// One leg of an amend-algos request: each field changes only what it names,
/// and `0` as trigger or order price deletes the leg.
fn amend_leg(
    current: Option<Leg>,
    change: &LegRequest,
    tick_sz: Decimal,
    spot: bool,
    names: [&'static str; 3],
) -> Result<Option<Leg>, Reject> {
    let [px_name, type_name, ord_name] = names;
    if change.is_empty() && change.trigger_px_type.is_none() {
        return Ok(current);
    }
    if change.trigger_px.as_deref() == Some("0") || change.ord_px.as_deref() == Some("0") {
        return Ok(None);
    }
    let Some(mut leg) = current else {
        return Err(Reject::AmendAlgoLegs);
    };
    if let Some(text) = change.trigger_px.as_deref() {
        leg.trigger_px = price(text, px_name)?;
    }
    if let Some(text) = change.trigger_px_type.as_deref() {
        let kind = px_type(text, type_name)?;
        if spot && kind != leg.trigger_px_type {
            return Err(Reject::AmendAlgoSpot);
        }
        leg.trigger_px_type = kind;
    }
    if let Some(text) = change.ord_px.as_deref() {
        leg.ord_px = order_px(text, tick_sz, ord_name)?;
    }
    Ok(Some(leg))
}

/// The trailing-stop fields: exactly one of `callbackRatio` (0 < x <= 0.3)
/// and `callbackSpread`, and an optional `activePx` beyond the last price.
fn check_trail(r: &AlgoRequest, side: Side, last: Decimal) -> Result<Trail, Reject> {
    // OKX documents the ratio range only as "{min}< x<={max}"; 0 and 30 %
    // are okx-mock's reading [unconfirmed].
    let max_ratio = Decimal::new(3, 1);
    let (ratio, spread) = match (r.callback_ratio.as_deref(), r.callback_spread.as_deref()) {
        (Some(text), None) => {
            let ratio = text
                .trim()
                .parse::<Decimal>()
                .map_err(|_| Reject::InvalidParam("callbackRatio"))?;
            if ratio <= Decimal::ZERO || ratio > max_ratio {
                return Err(Reject::TrailRatio);
            }
            (Some(ratio), None)
        }
        (None, Some(text)) => (None, Some(price(text, "callbackSpread")?)),
        _ => return Err(Reject::InvalidParam("callbackRatio")),
    };
    let active_px = r
        .active_px
        .as_deref()
        .map(|text| price(text, "activePx"))
        .transpose()?;
    match (side, active_px) {
        (Side::Sell, Some(px)) if px <= last => return Err(Reject::TrailActivation(side)),
        (Side::Buy, Some(px)) if px >= last => return Err(Reject::TrailActivation(side)),
        _ => {}
    }
    Ok(Trail {
        ratio,
        spread,
        active_px,
        extreme: active_px.is_none().then_some(last),
    })
}
