//! Public channels. The market is a function of exchange time (the tape and
//! the synthetic book follow the price path), so each subscription looks at
//! the venue on every tick of its connection and pushes only what changed,
//! as OKX pushes on change.

use serde_json::{Value, json};

use super::book::{WireLevel, checksum, side_changes, wire};
use super::channels::{Arg, Channel};
use crate::exchange::{CandleQuery, Exchange, Instrument, Level};
use crate::wire::market::{FundingRateRow, MarkPriceRow, TickerRow, TradeRow, candle_row};
use crate::wire::num;

/// Mark price is pushed on change and at least this often (OKX: 10 s).
const MARK_PRICE_EVERY_MS: i64 = 10_000;
/// Funding rate is pushed at least this often (OKX: every 30 to 90 s).
const FUNDING_EVERY_MS: i64 = 60_000;
/// Trades at most kept between two ticks.
const TRADES_PER_TICK: usize = 100;

/// What one public subscription last pushed.
#[derive(Debug, Default)]
pub(crate) struct Feed {
    /// Ticker: the newest trade id and the best bid and ask last pushed.
    ticker: Option<(Option<i64>, Option<Level>, Option<Level>)>,
    /// Books: the levels last pushed and the sequence number.
    book: Option<(Vec<Level>, Vec<Level>)>,
    seq_id: i64,
    /// Trades: the newest trade id pushed.
    last_trade: Option<i64>,
    /// Candles: the row last pushed.
    candle: Option<[String; 9]>,
    /// Mark price / funding: the value and time last pushed.
    last_value: Option<(String, i64)>,
}

impl Feed {
    /// The push this subscription owes at `now`, if any. The first call gives
    /// the snapshot (books, books5, bbo-tbt, tickers, candles, mark price,
    /// funding); trades only ever push new prints.
    pub(crate) fn poll(&mut self, arg: &Arg, exchange: &mut Exchange, now: i64) -> Option<Value> {
        let inst = arg.inst.as_ref()?;
        let data = match arg.channel {
            Channel::Tickers => self.ticker(inst, exchange, now)?,
            Channel::Books => return self.books(arg, inst, exchange, now),
            Channel::Books5 => self.levels(inst, exchange, 5, now)?,
            Channel::BboTbt => self.levels(inst, exchange, 1, now)?,
            Channel::Trades => self.trades(inst, exchange, now)?,
            Channel::Candle(size) => {
                let query = CandleQuery {
                    after: None,
                    before: None,
                    limit: 1,
                    recent_only: true,
                };
                let row = candle_row(exchange.candles(inst, size, now, query).first()?);
                if self.candle.as_ref() == Some(&row) {
                    return None;
                }
                self.candle = Some(row.clone());
                json!([row])
            }
            Channel::MarkPrice => {
                let px = num(exchange.mark_px(inst, now));
                if !self.due(&px, now, MARK_PRICE_EVERY_MS) {
                    return None;
                }
                json!([MarkPriceRow {
                    inst_type: inst.inst_type.as_str(),
                    inst_id: inst.inst_id.clone(),
                    mark_px: px,
                    ts: now.to_string(),
                }])
            }
            Channel::FundingRate => {
                let funding = exchange.funding(now);
                let key = format!("{}:{}", funding.funding_time, funding.rate);
                if !self.due(&key, now, FUNDING_EVERY_MS) {
                    return None;
                }
                json!([FundingRateRow::new(inst.inst_id.clone(), &funding, now)])
            }
            _ => return None,
        };
        Some(json!({"arg": arg.raw, "data": data}))
    }

    /// Whether a value that changed, or was last pushed `every` ms ago, is due.
    fn due(&mut self, value: &str, now: i64, every: i64) -> bool {
        let due = match &self.last_value {
            Some((last, at)) => last != value || now - at >= every,
            None => true,
        };
        if due {
            self.last_value = Some((value.to_owned(), now));
        }
        due
    }

    fn ticker(&mut self, inst: &Instrument, exchange: &mut Exchange, now: i64) -> Option<Value> {
        let view = exchange.ticker(inst, now);
        let key = (view.last.map(|t| t.trade_id), view.bid, view.ask);
        if self.ticker.as_ref() == Some(&key) {
            return None;
        }
        self.ticker = Some(key);
        Some(json!([TickerRow::new(inst, &view, now)]))
    }

    /// books5 and bbo-tbt: a full snapshot of `depth` levels whenever it changes.
    fn levels(
        &mut self,
        inst: &Instrument,
        exchange: &mut Exchange,
        depth: usize,
        now: i64,
    ) -> Option<Value> {
        let (bids, asks) = exchange.order_book(inst, depth, now);
        if self.book.as_ref() == Some(&(bids.clone(), asks.clone())) {
            return None;
        }
        let seq_id = self.next_seq(now);
        let mut row = json!({"asks": wire(&asks), "bids": wire(&bids), "ts": now.to_string(), "seqId": seq_id});
        if depth == 5 {
            row["instId"] = json!(inst.inst_id);
        }
        self.book = Some((bids, asks));
        Some(json!([row]))
    }

    /// books: the whole book first (`prevSeqId` -1), then what changed, each
    /// message chained to the one before by `prevSeqId`.
    fn books(
        &mut self,
        arg: &Arg,
        inst: &Instrument,
        exchange: &mut Exchange,
        now: i64,
    ) -> Option<Value> {
        let (bids, asks) = exchange.order_book(inst, usize::MAX, now);
        let (action, prev_seq_id, bid_rows, ask_rows) = match &self.book {
            None => ("snapshot", -1, wire(&bids), wire(&asks)),
            Some((old_bids, old_asks)) => {
                let bid_rows = side_changes(old_bids, &bids, true);
                let ask_rows = side_changes(old_asks, &asks, false);
                if bid_rows.is_empty() && ask_rows.is_empty() {
                    return None;
                }
                ("update", self.seq_id, bid_rows, ask_rows)
            }
        };
        let seq_id = self.next_seq(now);
        let top = |levels: &[Level]| -> Vec<WireLevel> { wire(&levels[..levels.len().min(25)]) };
        let sum = checksum(&top(&bids), &top(&asks));
        self.book = Some((bids, asks));
        Some(json!({
            "arg": arg.raw,
            "action": action,
            "data": [{
                "asks": ask_rows,
                "bids": bid_rows,
                "ts": now.to_string(),
                "checksum": sum,
                "prevSeqId": prev_seq_id,
                "seqId": seq_id,
            }],
        }))
    }

    /// The next sequence number: increasing, and near the exchange time in ms
    /// like the REST book's `seqId`.
    fn next_seq(&mut self, now: i64) -> i64 {
        self.seq_id = (self.seq_id + 1).max(now);
        self.seq_id
    }

    fn trades(&mut self, inst: &Instrument, exchange: &mut Exchange, now: i64) -> Option<Value> {
        let recent = exchange.trades(inst, TRADES_PER_TICK, now);
        let newest = recent.first().map(|t| t.trade_id);
        let Some(seen) = self.last_trade else {
            // Subscribing shows nothing old: only prints from now on.
            self.last_trade = Some(newest.unwrap_or(0));
            return None;
        };
        let fresh: Vec<Value> = recent
            .iter()
            .rev()
            .filter(|t| t.trade_id > seen)
            .map(|t| {
                let mut row = json!(TradeRow::new(inst, t));
                row["count"] = json!("1");
                row["seqId"] = json!(t.trade_id);
                row
            })
            .collect();
        self.last_trade = newest.max(Some(seen));
        (!fresh.is_empty()).then(|| json!(fresh))
    }
}
