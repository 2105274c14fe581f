//! Market data of one book: its price path, its trade tape, candles built from
//! the tape and a synthetic order book around the last trade.
//!
//! All of it is a deterministic function of (world, seed, exchange time). The
//! caches below only remember work: a full minute or hour of the tape never
//! changes, whatever the clock reads, so caching it cannot make answers drift.

pub(crate) mod bar;
pub(crate) mod candles;
pub(crate) mod path;
pub(crate) mod tape;

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use self::bar::{Bar, VolumeUnit};
use self::path::{PriceModel, PricePath};
use self::tape::{TapeSpec, Trade, minute_trades, round_down, round_to};

pub(crate) const MINUTE_MS: i64 = 60_000;
pub(crate) const HOUR_MS: i64 = 60 * MINUTE_MS;
pub(crate) const DAY_MINUTES: i64 = 1_440;
/// Cached full minutes and hours per book: a day of minutes and 90 days of hours fit.
const BAR_CACHE: usize = 4_096;

/// Mixes the world seed with a purpose (`salt`) and an index into one generator seed.
pub(crate) fn seed_for(seed: u64, salt: u64, index: i64) -> u64 {
    seed.rotate_left(17)
        ^ salt.wrapping_mul(0xA076_1D64_78BD_642F)
        ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// A stable 64-bit id for a book name (FNV-1a), so seeds do not depend on world-file order.
pub(crate) fn name_seed(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// How one book's synthetic market looks.
#[derive(Debug, Clone)]
pub(crate) struct BookSpec {
    pub(crate) inst_id: String,
    pub(crate) px: Decimal,
    pub(crate) tick_sz: Decimal,
    pub(crate) lot_sz: Decimal,
    pub(crate) min_sz: Decimal,
    pub(crate) level_sz: Decimal,
    pub(crate) unit: VolumeUnit,
    pub(crate) list_time: i64,
}

/// One price level of an order book.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Level {
    /// Price.
    pub px: Decimal,
    /// Size resting at the price.
    pub sz: Decimal,
    /// Number of orders making up the size.
    pub orders: u32,
}

/// The market of one book.
#[derive(Debug)]
pub(crate) struct MarketBook {
    spec: TapeSpec,
    unit: VolumeUnit,
    path: PricePath,
    /// No trade happens before this minute-aligned instant.
    tape_start: i64,
    minute_bars: BTreeMap<i64, Option<Bar>>,
    hour_bars: BTreeMap<i64, Option<Bar>>,
    /// The trades of the two minutes read last: almost every request reads
    /// the newest trade (in this minute or, early in it, the one before), and
    /// drawing a minute of the tape is the costly part.
    last_minutes: [Option<(i64, Vec<Trade>)>; 2],
    /// The bar of the complete minutes of the last day before the minute
    /// named (tickers ask for it on every request; it changes once a minute).
    day_before: Option<(i64, Option<Bar>)>,
    /// The fair price last asked for, and when.
    fair_at: Option<(i64, Decimal)>,
}

impl MarketBook {
    pub(crate) fn new(book: &BookSpec, model: PriceModel, seed: u64, origin_ms: i64) -> Self {
        let seed = seed ^ name_seed(&book.inst_id);
        let start_px = book.px.to_string().parse().unwrap_or(1.0);
        let path = PricePath::new(start_px, model, seed, origin_ms);
        let tape_start = path
            .start_ms()
            .max(book.list_time.div_euclid(MINUTE_MS) * MINUTE_MS);
        Self {
            spec: TapeSpec {
                tick_sz: book.tick_sz,
                lot_sz: book.lot_sz,
                min_sz: book.min_sz,
                level_sz: book.level_sz,
                seed,
            },
            unit: book.unit,
            path,
            tape_start,
            minute_bars: BTreeMap::new(),
            hour_bars: BTreeMap::new(),
            last_minutes: [None, None],
            day_before: None,
            fair_at: None,
        }
    }

    /// Imposes prices from `points[0].0` on and forgets the cached bars that
    /// the change can touch (everything from the hour it starts in).
    pub(crate) fn impose(&mut self, points: Vec<(i64, f64)>) {
        let Some(&(from, _)) = points.first() else {
            return;
        };
        self.path.impose(points);
        self.last_minutes = [None, None];
        self.day_before = None;
        self.fair_at = None;
        let hour = from.div_euclid(HOUR_MS) * HOUR_MS;
        self.minute_bars.retain(|&start, _| start < hour);
        self.hour_bars.retain(|&start, _| start < hour);
    }

    /// The tape's price, if it is the same for every trade in `[from, to]`.
    pub(crate) fn constant_px_between(&self, from: i64, to: i64) -> Option<Decimal> {
        self.path
            .constant_between(from, to)
            .map(|px| round_to(px, self.spec.tick_sz))
    }

    /// The price paths imposed on this book.
    pub(crate) fn imposed(&self) -> &[Vec<(i64, f64)>] {
        self.path.imposed()
    }

    /// Replaces the imposed price paths and forgets every cached bar.
    pub(crate) fn set_imposed(&mut self, imposed: Vec<Vec<(i64, f64)>>) {
        self.path.set_imposed(imposed);
        self.last_minutes = [None, None];
        self.day_before = None;
        self.fair_at = None;
        self.minute_bars.clear();
        self.hour_bars.clear();
    }

    /// The unrounded fair price at `t` (for building paths that start from it).
    pub(crate) fn raw_price_at(&mut self, t: i64) -> f64 {
        self.path.price_at(t)
    }

    /// The first instant of the tape.
    pub(crate) fn tape_start(&self) -> i64 {
        self.tape_start
    }

    /// The fair price (mark and index) at `now`, on the tick grid. Holds and
    /// price bands ask for it several times per order, mostly at one instant.
    pub(crate) fn fair_px(&mut self, now: i64) -> Decimal {
        if let Some((at, px)) = self.fair_at
            && at == now
        {
            return px;
        }
        let px = round_to(self.path.price_at(now), self.spec.tick_sz);
        self.fair_at = Some((now, px));
        px
    }

    pub(crate) fn trades_of_minute(&mut self, minute: i64) -> Vec<Trade> {
        if minute * MINUTE_MS < self.tape_start {
            return Vec::new();
        }
        let cached = self.last_minutes.iter().flatten();
        if let Some((_, trades)) = cached.into_iter().find(|(m, _)| *m == minute) {
            return trades.clone();
        }
        let trades = minute_trades(&self.spec, &mut self.path, minute);
        // Keep the newer of the two cached minutes.
        let older = usize::from(
            self.last_minutes[0].as_ref().map(|(m, _)| *m)
                > self.last_minutes[1].as_ref().map(|(m, _)| *m),
        );
        self.last_minutes[older] = Some((minute, trades.clone()));
        trades
    }

    /// Trades at or before `now`, newest first, at most `limit`.
    pub(crate) fn recent_trades(&mut self, now: i64, limit: usize) -> Vec<Trade> {
        let mut out = Vec::with_capacity(limit);
        let mut minute = now.div_euclid(MINUTE_MS);
        while out.len() < limit && minute * MINUTE_MS >= self.tape_start {
            let trades = self.trades_of_minute(minute);
            out.extend(
                trades
                    .into_iter()
                    .rev()
                    .filter(|t| t.ts <= now)
                    .take(limit - out.len()),
            );
            minute -= 1;
        }
        out
    }

    /// The newest trade at or before `now`.
    pub(crate) fn last_trade(&mut self, now: i64) -> Option<Trade> {
        self.recent_trades(now, 1).into_iter().next()
    }

    /// The bar of the trades from `day_start` (a minute, a day before the
    /// minute `now` is in) to `now`: the complete minutes come from a cache
    /// kept for the current minute.
    pub(crate) fn day_bar(&mut self, day_start: i64, now: i64) -> Option<Bar> {
        let minute = now.div_euclid(MINUTE_MS) * MINUTE_MS;
        let before = match self.day_before {
            Some((cached, bar)) if cached == minute => bar,
            _ => {
                let bar = self.aggregate(day_start, minute, now);
                self.day_before = Some((minute, bar));
                bar
            }
        };
        Bar::merge(before, self.aggregate(minute, now + 1, now))
    }

    /// The bar of the trades in `[start, end)` that happened at or before `now`.
    pub(crate) fn aggregate(&mut self, start: i64, end: i64, now: i64) -> Option<Bar> {
        let end = end.min(now.saturating_add(1));
        let mut bar = None;
        let mut t = start.max(self.tape_start.min(end));
        while t < end {
            let (piece, next) = if t % HOUR_MS == 0 && t + HOUR_MS <= end {
                (self.full_hour(t), t + HOUR_MS)
            } else if t % MINUTE_MS == 0 && t + MINUTE_MS <= end {
                (self.full_minute(t), t + MINUTE_MS)
            } else {
                let stop = end.min((t.div_euclid(MINUTE_MS) + 1) * MINUTE_MS);
                let trades = self.trades_of_minute(t.div_euclid(MINUTE_MS));
                let inside = trades.iter().filter(|tr| tr.ts >= t && tr.ts < stop);
                (Bar::of_trades(inside, self.unit), stop)
            };
            bar = Bar::merge(bar, piece);
            t = next;
        }
        bar
    }

    /// The price an empty interval starting at `t` shows: the last trade before it.
    pub(crate) fn close_before(&mut self, t: i64) -> Option<Decimal> {
        self.last_trade(t - 1).map(|trade| trade.px)
    }

    fn full_minute(&mut self, start: i64) -> Option<Bar> {
        if let Some(bar) = self.minute_bars.get(&start) {
            return *bar;
        }
        let trades = self.trades_of_minute(start / MINUTE_MS);
        let bar = Bar::of_trades(&trades, self.unit);
        remember(&mut self.minute_bars, start, bar);
        bar
    }

    fn full_hour(&mut self, start: i64) -> Option<Bar> {
        if let Some(bar) = self.hour_bars.get(&start) {
            return *bar;
        }
        let bar = (0..60).fold(None, |bar, i| {
            Bar::merge(bar, self.full_minute(start + i * MINUTE_MS))
        });
        remember(&mut self.hour_bars, start, bar);
        bar
    }

    /// `depth` levels a side around the last trade: bids best (highest) first,
    /// asks best (lowest) first, each `spread_ticks` ticks from the last price.
    pub(crate) fn levels(
        &mut self,
        now: i64,
        depth: usize,
        spread_ticks: u32,
    ) -> (Vec<Level>, Vec<Level>) {
        let bids = self.ladder(now, true, depth, spread_ticks).collect();
        let asks = self.ladder(now, false, depth, spread_ticks).collect();
        (bids, asks)
    }

    /// One side of the book (`bids` or asks), best level first, made one level
    /// at a time: a taker reads only as deep as it fills.
    pub(crate) fn ladder(
        &mut self,
        now: i64,
        bids: bool,
        depth: usize,
        spread_ticks: u32,
    ) -> Ladder {
        let tick = self.spec.tick_sz;
        let gap = tick * Decimal::from(spread_ticks.max(1));
        let (next, left) = match self.last_trade(now) {
            Some(last) if bids => (last.px - gap, depth),
            Some(last) => (last.px + gap, depth),
            None => (Decimal::ZERO, 0),
        };
        Ladder {
            next,
            step: if bids { -tick } else { tick },
            left,
            now,
            seed: self.spec.seed,
            level_sz: self.spec.level_sz,
            lot_sz: self.spec.lot_sz,
            min_sz: self.spec.min_sz,
        }
    }
}

/// The levels of one side of a synthetic book, best first (see [`MarketBook::ladder`]).
#[derive(Debug, Clone)]
pub(crate) struct Ladder {
    next: Decimal,
    step: Decimal,
    left: usize,
    now: i64,
    seed: u64,
    level_sz: Decimal,
    lot_sz: Decimal,
    min_sz: Decimal,
}

impl Iterator for Ladder {
    type Item = Level;

    fn next(&mut self) -> Option<Level> {
        if self.left == 0 || self.next <= Decimal::ZERO {
            return None;
        }
        let px = self.next;
        self.next += self.step;
        self.left -= 1;
        let (fraction, orders) = level_draw(self.seed, px, self.now);
        Some(Level {
            px: px.normalize(),
            sz: round_down(self.level_sz * fraction, self.lot_sz).max(self.min_sz),
            orders,
        })
    }
}

/// How long a synthetic level keeps its size. Each price level refreshes on
/// its own phase, so a second of exchange time changes about 1/30 of the
/// book, as a real book changes a few levels at a time (the `books` channel
/// then sends small increments rather than the whole book).
const LEVEL_REFRESH_MS: i64 = 30_000;

/// The size fraction (0.2 to 1.8 of the typical level, in millionths) and
/// order count of the level at `px` at `now`: a pure function of seed, price
/// and time, in integers because every book request draws hundreds.
fn level_draw(seed: u64, px: Decimal, now: i64) -> (Decimal, u32) {
    let normal = px.normalize();
    let key = (normal.mantissa() as u64) ^ u64::from(normal.scale()).rotate_left(56);
    let phase = splitmix(seed_for(seed, 0xB00C, key as i64)) % LEVEL_REFRESH_MS as u64;
    let epoch = (now + phase as i64).div_euclid(LEVEL_REFRESH_MS);
    let draw = splitmix(seed_for(seed ^ key, 0x1E7E1, epoch));
    let millionths = 200_000 + (draw >> 16) % 1_600_001;
    (Decimal::new(millionths as i64, 6), 1 + (draw % 12) as u32)
}

/// SplitMix64's finaliser: a well-mixed 64-bit value from any 64-bit input.
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn remember(cache: &mut BTreeMap<i64, Option<Bar>>, start: i64, bar: Option<Bar>) {
    if cache.len() >= BAR_CACHE {
        cache.pop_first();
    }
    cache.insert(start, bar);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    const NOW: i64 = 1_764_046_212_345;

    fn btc(model: PriceModel) -> MarketBook {
        let spec = BookSpec {
            inst_id: "BTC-USDT".into(),
            px: dec!(95000),
            tick_sz: dec!(0.1),
            lot_sz: dec!(0.00000001),
            min_sz: dec!(0.00001),
            level_sz: dec!(0.5),
            unit: VolumeUnit::Spot,
            list_time: 1_548_133_413_000,
        };
        MarketBook::new(&spec, model, 42, NOW)
    }

    #[test]
    fn an_hour_aggregates_to_the_same_bar_as_its_minutes() {
        let mut book = btc(PriceModel::Walk { vol_per_min: 0.001 });
        let hour = NOW.div_euclid(HOUR_MS) * HOUR_MS - 5 * HOUR_MS;
        let whole = book.aggregate(hour, hour + HOUR_MS, NOW).unwrap();
        let by_minute = (0..60).fold(None, |bar, i| {
            let start = hour + i * MINUTE_MS;
            let trades = book.trades_of_minute(start / MINUTE_MS);
            Bar::merge(bar, Bar::of_trades(&trades, VolumeUnit::Spot))
        });
        assert_eq!(Some(whole), by_minute);
    }

    #[test]
    fn nothing_after_now_is_counted() {
        let mut book = btc(PriceModel::Static);
        let minute = NOW.div_euclid(MINUTE_MS) * MINUTE_MS;
        let partial = book.aggregate(minute, minute + MINUTE_MS, NOW);
        let expected = book
            .recent_trades(NOW, 10)
            .into_iter()
            .filter(|t| t.ts >= minute)
            .count();
        let counted = partial.map_or(Decimal::ZERO, |b| b.vol);
        let sum: Decimal = book
            .recent_trades(NOW, 10)
            .iter()
            .filter(|t| t.ts >= minute)
            .map(|t| t.sz)
            .sum();
        assert_eq!(counted, sum, "{expected} trades so far this minute");
        assert!(book.recent_trades(NOW, 100).iter().all(|t| t.ts <= NOW));
    }

    #[test]
    fn the_book_brackets_the_last_trade_on_the_tick_grid() {
        let mut book = btc(PriceModel::Static);
        let (bids, asks) = book.levels(NOW, 400, 1);
        assert_eq!((bids.len(), asks.len()), (400, 400));
        assert_eq!(bids[0].px, dec!(94999.9));
        assert_eq!(asks[0].px, dec!(95000.1));
        assert!(bids.windows(2).all(|w| w[0].px > w[1].px));
        assert!(asks.windows(2).all(|w| w[0].px < w[1].px));
        assert!(
            bids.iter()
                .chain(&asks)
                .all(|l| l.sz >= dec!(0.00001) && l.orders >= 1)
        );
    }
}
