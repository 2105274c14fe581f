//! The simulated venue: plain synchronous Rust, deterministic given the world,
//! the seed and the exchange time it is handed. No HTTP, no async, no JSON here:
//! `api/` translates between OKX's wire and these types.

pub(crate) mod account;
pub(crate) mod algo;
pub(crate) mod control;
pub(crate) mod convert;
pub(crate) mod events;
pub(crate) mod expiry;
pub(crate) mod fees;
pub(crate) mod funding;
pub(crate) mod holds;
pub(crate) mod ids;
pub(crate) mod instruments;
pub(crate) mod market;
pub(crate) mod matching;
pub(crate) mod orders;
pub(crate) mod positions;
pub(crate) mod reject;
pub(crate) mod settle;
pub(crate) mod snapshot;
pub(crate) mod trading;
pub(crate) mod views;

use rust_decimal::Decimal;

pub use self::account::HISTORY_CAP;
pub(crate) use self::convert::{ConvertError, ConvertRequest, ConvertUnit};
pub(crate) use self::instruments::{Contract, CtType, InstType, Instrument, Instruments};
pub(crate) use self::market::Level;
pub(crate) use self::market::bar::Bar;
pub(crate) use self::market::candles::{BarSize, Candle, CandleQuery};
pub(crate) use self::market::path::PriceModel;
pub(crate) use self::market::tape::Trade;

use self::account::Account;
use self::ids::Ids;
use self::market::candles::{UTC8, candles, start_of_day_open};
use self::market::{BookSpec, MarketBook};

/// Buy or sell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub(crate) enum Side {
    /// Buy.
    Buy,
    /// Sell.
    Sell,
}

impl Side {
    /// OKX's spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Buy => "buy",
            Self::Sell => "sell",
        }
    }
}

/// How the synthetic market behaves.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MarketSettings {
    /// Static prices or a seeded random walk.
    pub price_model: PriceModel,
    /// Levels a side the synthetic book holds (OKX serves at most 400 on market/books).
    pub book_levels: usize,
    /// Distance of the best bid and ask from the last price, in ticks.
    pub spread_ticks: u32,
}

/// A currency on one chain, as the funding endpoints describe it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Currency {
    /// e.g. `USDT`.
    pub ccy: String,
    /// Full name.
    pub name: String,
    /// e.g. `USDT-TRC20`.
    pub chain: String,
    /// Contract address, `""` for native coins.
    pub ct_addr: String,
    /// Deposits open.
    pub can_dep: bool,
    /// Withdrawals open.
    pub can_wd: bool,
    /// Internal transfers open.
    pub can_internal: bool,
    /// Smallest deposit.
    pub min_dep: Decimal,
    /// Smallest withdrawal.
    pub min_wd: Decimal,
    /// Largest withdrawal.
    pub max_wd: Decimal,
    /// Decimal places a withdrawal amount may have.
    pub wd_tick_sz: u32,
    /// Fixed withdrawal fee.
    pub fee: Decimal,
    /// Whether this chain is the currency's main network.
    pub main_net: bool,
    /// Whether deposits need a tag or memo.
    pub need_tag: bool,
    /// Confirmations before a deposit is credited.
    pub min_dep_arrival_confirm: u32,
    /// Confirmations before a deposit can be withdrawn.
    pub min_wd_unlock_confirm: u32,
}

/// Everything a ticker shows, read off one book at one instant.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TickerView {
    /// Newest trade.
    pub last: Option<Trade>,
    /// Best bid.
    pub bid: Option<Level>,
    /// Best ask.
    pub ask: Option<Level>,
    /// The 1 440 one-minute bars ending now, merged.
    pub day: Option<Bar>,
    /// Open at 00:00 UTC.
    pub sod_utc0: Option<Decimal>,
    /// Open at 00:00 UTC+8.
    pub sod_utc8: Option<Decimal>,
}

/// Funding of a perpetual swap at one instant.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FundingView {
    /// Rate for the coming settlement.
    pub rate: Decimal,
    /// Next settlement, ms.
    pub funding_time: i64,
    /// The settlement after it, ms.
    pub next_funding_time: i64,
    /// Rate of the last settlement.
    pub settled_rate: Decimal,
}

/// OKX's funding interval for the default perpetuals: 00:00, 08:00 and 16:00 UTC.
const FUNDING_INTERVAL_MS: i64 = 8 * 3_600_000;
/// The rate OKX charges when mark and index agree (the interest component).
const BASE_FUNDING_RATE: Decimal = Decimal::from_parts(1, 0, 0, false, 4);
/// Price-limit band around the mark price.
const PRICE_LIMIT_BAND: Decimal = Decimal::from_parts(5, 0, 0, false, 2);

/// The venue.
#[derive(Debug)]
pub(crate) struct Exchange {
    instruments: Instruments,
    books: Vec<MarketBook>,
    currencies: Vec<Currency>,
    settings: MarketSettings,
    /// Every account, live and demo; demo and live never meet in matching.
    pub(crate) accounts: Vec<Account>,
    ids: Ids,
    /// Per book, the exchange time up to which resting orders have met the tape.
    synced: Vec<i64>,
    /// Changes recorded for listeners (WebSocket channels).
    outbox: events::Outbox,
    /// How many orders, algo orders, fills, bills and closed positions each
    /// account remembers (oldest finished dropped first).
    pub(crate) history_cap: usize,
}

impl Exchange {
    /// Builds the venue. `books[i]` describes the book instruments with `book == i` trade on.
    pub(crate) fn new(
        instruments: Instruments,
        books: &[BookSpec],
        currencies: Vec<Currency>,
        settings: MarketSettings,
        accounts: Vec<Account>,
        seed: u64,
        origin_ms: i64,
    ) -> Self {
        let books: Vec<MarketBook> = books
            .iter()
            .map(|spec| MarketBook::new(spec, settings.price_model, seed, origin_ms))
            .collect();
        Self {
            instruments,
            synced: vec![origin_ms; books.len()],
            books,
            currencies,
            settings,
            accounts,
            ids: Ids::default(),
            outbox: events::Outbox::default(),
            history_cap: account::HISTORY_CAP,
        }
    }

    /// The account named `name` in environment `env`.
    pub(crate) fn account_id(&self, env: crate::auth::Env, name: &str) -> Option<usize> {
        self.accounts
            .iter()
            .position(|a| a.env == env && a.name == name)
    }

    /// The instruments.
    pub(crate) fn instruments(&self) -> &Instruments {
        &self.instruments
    }

    /// The currencies, one entry per chain.
    pub(crate) fn currencies(&self) -> &[Currency] {
        &self.currencies
    }

    fn book(&mut self, inst: &Instrument) -> &mut MarketBook {
        &mut self.books[inst.book]
    }

    /// The ticker of `inst` at `now`.
    pub(crate) fn ticker(&mut self, inst: &Instrument, now: i64) -> TickerView {
        let spread = self.settings.spread_ticks;
        let book = self.book(inst);
        let minute = now.div_euclid(market::MINUTE_MS) * market::MINUTE_MS;
        let day_start = minute - (market::DAY_MINUTES - 1) * market::MINUTE_MS;
        let (bids, asks) = book.levels(now, 1, spread);
        TickerView {
            last: book.last_trade(now),
            bid: bids.first().copied(),
            ask: asks.first().copied(),
            day: book.day_bar(day_start, now),
            sod_utc0: start_of_day_open(book, now, 0),
            sod_utc8: start_of_day_open(book, now, UTC8),
        }
    }

    /// `depth` levels a side of `inst`'s book at `now` (bids best first, asks best first).
    pub(crate) fn order_book(
        &mut self,
        inst: &Instrument,
        depth: usize,
        now: i64,
    ) -> (Vec<Level>, Vec<Level>) {
        let depth = depth.min(self.settings.book_levels);
        let spread = self.settings.spread_ticks;
        self.book(inst).levels(now, depth, spread)
    }

    /// The side of `inst`'s synthetic book a taker on `side` meets (asks for
    /// a buy), best level first, made as it is read.
    pub(crate) fn synthetic_offers(
        &mut self,
        inst: &Instrument,
        side: Side,
        now: i64,
    ) -> market::Ladder {
        let depth = self.settings.book_levels;
        let spread = self.settings.spread_ticks;
        self.book(inst)
            .ladder(now, side == Side::Sell, depth, spread)
    }

    /// Candles of `inst`, newest first.
    pub(crate) fn candles(
        &mut self,
        inst: &Instrument,
        size: BarSize,
        now: i64,
        query: CandleQuery,
    ) -> Vec<Candle> {
        candles(self.book(inst), size, now, query)
    }

    /// The newest `limit` market trades of `inst`, newest first.
    pub(crate) fn trades(&mut self, inst: &Instrument, limit: usize, now: i64) -> Vec<Trade> {
        self.book(inst).recent_trades(now, limit)
    }

    /// The mark price (and index price) of `inst` at `now`.
    pub(crate) fn mark_px(&mut self, inst: &Instrument, now: i64) -> Decimal {
        self.book(inst).fair_px(now)
    }

    /// The highest buy and lowest sell price `inst` accepts at `now`: a band
    /// around the mark price, on the tick grid.
    pub(crate) fn price_limit(&mut self, inst: &Instrument, now: i64) -> (Decimal, Decimal) {
        let mark = self.mark_px(inst, now);
        let tick = inst.tick_sz;
        let buy = ((mark * (Decimal::ONE + PRICE_LIMIT_BAND)) / tick).floor() * tick;
        let sell = ((mark * (Decimal::ONE - PRICE_LIMIT_BAND)) / tick).ceil() * tick;
        (buy.normalize(), sell.normalize())
    }

    /// Funding of a perpetual swap at `now`: settlements every 8 h from 00:00 UTC.
    pub(crate) fn funding(&self, now: i64) -> FundingView {
        let funding_time = (now.div_euclid(FUNDING_INTERVAL_MS) + 1) * FUNDING_INTERVAL_MS;
        FundingView {
            rate: BASE_FUNDING_RATE,
            funding_time,
            next_funding_time: funding_time + FUNDING_INTERVAL_MS,
            settled_rate: BASE_FUNDING_RATE,
        }
    }
}
