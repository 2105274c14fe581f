//! Trading accounts: mode, position mode, leverage, balances, and everything the
//! account has done (orders, fills, bills, closed positions).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use rust_decimal::Decimal;

use super::orders::{MgnMode, Order, PosSide};
use super::positions::{ClosedPosition, PosKey, Position};
use crate::auth::Env;

/// OKX's account modes (`acctLv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum AcctLv {
    /// 1: Spot mode. SPOT with `cash` only.
    Spot,
    /// 2: Futures mode (single-currency margin).
    Futures,
    /// 3: Multi-currency margin.
    MultiCurrency,
    /// 4: Portfolio margin (net mode only).
    Portfolio,
}

impl AcctLv {
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "1" => Some(Self::Spot),
            "2" => Some(Self::Futures),
            "3" => Some(Self::MultiCurrency),
            "4" => Some(Self::Portfolio),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Spot => "1",
            Self::Futures => "2",
            Self::MultiCurrency => "3",
            Self::Portfolio => "4",
        }
    }
}

/// Net (one signed position per instrument) or long/short (two positions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum PosMode {
    /// `net_mode`.
    Net,
    /// `long_short_mode`.
    LongShort,
}

impl PosMode {
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "net_mode" => Some(Self::Net),
            "long_short_mode" => Some(Self::LongShort),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Net => "net_mode",
            Self::LongShort => "long_short_mode",
        }
    }
}

/// One currency of the trading account.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Balance {
    /// Cash balance (`cashBal`): deposits, realised PnL and fees.
    pub(crate) cash: Decimal,
    /// Held for open orders (`ordFrozen`).
    pub(crate) ord_frozen: Decimal,
}

/// One entry of the bill ledger (`account/bills`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Bill {
    pub(crate) bill_id: i64,
    pub(crate) inst_id: String,
    pub(crate) inst_type: String,
    pub(crate) ccy: String,
    /// Bill type (`2` trade).
    pub(crate) kind: String,
    /// Trade sub-type: 1 buy, 2 sell, 3 open long, 4 open short, 5 close long, 6 close short.
    pub(crate) sub_type: String,
    pub(crate) bal_chg: Decimal,
    pub(crate) bal: Decimal,
    pub(crate) sz: Decimal,
    pub(crate) px: Decimal,
    pub(crate) pnl: Decimal,
    pub(crate) fee: Decimal,
    pub(crate) mgn_mode: String,
    pub(crate) ord_id: i64,
    pub(crate) cl_ord_id: String,
    pub(crate) trade_id: i64,
    pub(crate) exec_type: String,
    pub(crate) ts: i64,
}

/// One fill of one of the account's orders.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Fill {
    pub(crate) bill_id: i64,
    pub(crate) trade_id: i64,
    pub(crate) ord_id: i64,
    pub(crate) cl_ord_id: String,
    pub(crate) tag: String,
    pub(crate) inst_id: String,
    pub(crate) inst_type: String,
    pub(crate) side: super::Side,
    pub(crate) pos_side: PosSide,
    pub(crate) fill_px: Decimal,
    pub(crate) fill_sz: Decimal,
    pub(crate) fill_pnl: Decimal,
    pub(crate) fee: Decimal,
    pub(crate) fee_ccy: String,
    pub(crate) fee_rate: Decimal,
    pub(crate) maker: bool,
    pub(crate) sub_type: String,
    pub(crate) mark_px: Option<Decimal>,
    pub(crate) ts: i64,
}

/// How much history an account keeps by default (oldest dropped first);
/// `--history-cap` changes it.
pub const HISTORY_CAP: usize = 10_000;

/// A trading account.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Account {
    pub(crate) name: String,
    pub(crate) env: Env,
    pub(crate) uid: String,
    pub(crate) acct_lv: AcctLv,
    pub(crate) pos_mode: PosMode,
    pub(crate) balances: BTreeMap<String, Balance>,
    /// Leverage per (instId, margin mode, side); absent means the default.
    #[serde(with = "super::snapshot::entries")]
    pub(crate) leverage: HashMap<(String, MgnMode, PosSide), Decimal>,
    #[serde(with = "super::snapshot::entries")]
    pub(crate) positions: BTreeMap<PosKey, Position>,
    /// Every order the account still remembers, by ordId (ids increase with time).
    #[serde(with = "super::snapshot::entries")]
    pub(crate) orders: BTreeMap<i64, Box<Order>>,
    /// Every algo order the account still remembers, by algoId.
    #[serde(default, with = "super::snapshot::entries")]
    pub(crate) algos: BTreeMap<i64, super::algo::AlgoOrder>,
    /// The ordIds of `orders` still open, and the algoIds of `algos` still
    /// live: every request visits these, never the whole history (up to
    /// the history cap each). Kept where an order or algo order is added or
    /// changes state; rebuilt by [`reindex`](Self::reindex) after an import.
    #[serde(skip)]
    pub(crate) open_ids: BTreeSet<i64>,
    #[serde(skip)]
    pub(crate) live_algo_ids: BTreeSet<i64>,
    pub(crate) fills: VecDeque<Fill>,
    pub(crate) bills: VecDeque<Bill>,
    pub(crate) closed_positions: VecDeque<ClosedPosition>,
    /// The funding account ("6").
    pub(crate) funding: super::funding::FundingAccount,
}

/// Leverage of an instrument nobody set one for.
pub(crate) const DEFAULT_LEVER: u32 = 10;

impl Account {
    pub(crate) fn new(
        name: &str,
        env: Env,
        uid: String,
        acct_lv: AcctLv,
        pos_mode: PosMode,
    ) -> Self {
        Self {
            name: name.to_owned(),
            env,
            uid,
            acct_lv,
            pos_mode,
            balances: BTreeMap::new(),
            leverage: HashMap::new(),
            positions: BTreeMap::new(),
            orders: BTreeMap::new(),
            algos: BTreeMap::new(),
            open_ids: BTreeSet::new(),
            live_algo_ids: BTreeSet::new(),
            fills: VecDeque::new(),
            bills: VecDeque::new(),
            closed_positions: VecDeque::new(),
            funding: super::funding::FundingAccount::default(),
        }
    }

    /// The balance of `ccy`, created empty if the account never held it.
    pub(crate) fn balance(&mut self, ccy: &str) -> &mut Balance {
        self.balances.entry(ccy.to_owned()).or_default()
    }

    /// Cash of `ccy` (zero when never held).
    pub(crate) fn cash(&self, ccy: &str) -> Decimal {
        self.balances.get(ccy).map_or(Decimal::ZERO, |b| b.cash)
    }

    /// Margin held by positions settled in `ccy`.
    pub(crate) fn position_margin(&self, ccy: &str) -> Decimal {
        self.positions
            .values()
            .filter(|p| p.settle_ccy == ccy)
            .map(|p| p.margin)
            .sum()
    }

    /// What can be spent of `ccy`: cash less order holds less position margin.
    pub(crate) fn available(&self, ccy: &str) -> Decimal {
        let held = self
            .balances
            .get(ccy)
            .map_or(Decimal::ZERO, |b| b.ord_frozen);
        self.cash(ccy) - held - self.position_margin(ccy)
    }

    /// The leverage in force for a position.
    pub(crate) fn lever(
        &self,
        inst_id: &str,
        mgn: MgnMode,
        side: PosSide,
        max: Decimal,
    ) -> Decimal {
        self.leverage
            .get(&(inst_id.to_owned(), mgn, side))
            .copied()
            .unwrap_or_else(|| Decimal::from(DEFAULT_LEVER).min(max).max(Decimal::ONE))
    }

    /// Open orders (live or partially filled), oldest first.
    pub(crate) fn open_orders(&self) -> impl Iterator<Item = &Order> {
        self.open_ids
            .iter()
            .filter_map(|id| self.orders.get(id).map(|o| &**o))
    }

    /// Live algo orders, oldest first.
    pub(crate) fn live_algos(&self) -> impl Iterator<Item = &super::algo::AlgoOrder> {
        self.live_algo_ids
            .iter()
            .filter_map(|id| self.algos.get(id))
    }

    /// The open-order and live-algo indexes as the records say they are.
    fn indexes(&self) -> (BTreeSet<i64>, BTreeSet<i64>) {
        let open = self.orders.values().filter(|o| o.state.is_open());
        let live = self.algos.values().filter(|a| a.is_live());
        (
            open.map(|o| o.ord_id).collect(),
            live.map(|a| a.algo_id).collect(),
        )
    }

    /// Rebuilds the open-order and live-algo indexes from the records.
    pub(crate) fn reindex(&mut self) {
        (self.open_ids, self.live_algo_ids) = self.indexes();
    }

    /// Whether the indexes agree with the records (checked in debug builds).
    pub(crate) fn indexes_agree(&self) -> bool {
        self.indexes() == (self.open_ids.clone(), self.live_algo_ids.clone())
    }

    pub(crate) fn record_fill(&mut self, fill: Fill, cap: usize) {
        if self.fills.len() >= cap {
            self.fills.pop_front();
        }
        self.fills.push_back(fill);
    }

    pub(crate) fn record_bill(&mut self, bill: Bill, cap: usize) {
        if self.bills.len() >= cap {
            self.bills.pop_front();
        }
        self.bills.push_back(bill);
    }

    /// Drops the oldest finished algo orders beyond `cap`.
    pub(crate) fn trim_algos(&mut self, cap: usize) {
        while self.algos.len() > cap {
            let Some(oldest) = self
                .algos
                .values()
                .find(|a| !a.is_live())
                .map(|a| a.algo_id)
            else {
                return;
            };
            self.algos.remove(&oldest);
        }
    }

    /// Forgets the oldest finished orders beyond `cap`.
    pub(crate) fn trim_orders(&mut self, cap: usize) {
        while self.orders.len() > cap {
            let Some(oldest) = self
                .orders
                .iter()
                .find(|(_, o)| !o.state.is_open())
                .map(|(id, _)| *id)
            else {
                return;
            };
            self.orders.remove(&oldest);
        }
    }
}
