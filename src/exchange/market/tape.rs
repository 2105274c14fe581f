//! The synthetic trade tape: the market's own trades, a pure function of the
//! price path and the seed.
//!
//! Every minute holds one to three trades at seeded instants, priced at the fair
//! price of that instant rounded to the tick. Tickers, candles and
//! market/trades are all read off this one tape, so they agree with each other
//! exactly: the 24 h open is the first trade of the 1 440 one-minute candles
//! that end now, and the last price is the newest trade.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

use super::path::PricePath;
use super::{MINUTE_MS, seed_for};
use crate::exchange::Side;

/// One trade of the market tape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Trade {
    /// Trade time, ms.
    pub ts: i64,
    /// Numeric trade id, unique per book and increasing with time.
    pub trade_id: i64,
    /// Price, a multiple of the tick size.
    pub px: Decimal,
    /// Size, a multiple of the lot size and at least the minimum size.
    pub sz: Decimal,
    /// The taker's side.
    pub side: Side,
}

/// What the tape needs to know about the book's instrument.
#[derive(Debug, Clone)]
pub(crate) struct TapeSpec {
    pub(crate) tick_sz: Decimal,
    pub(crate) lot_sz: Decimal,
    pub(crate) min_sz: Decimal,
    /// A typical resting size; trades are a fraction of it.
    pub(crate) level_sz: Decimal,
    pub(crate) seed: u64,
}

/// Trades per minute are at most this many; trade ids leave room for them.
const MAX_PER_MINUTE: i64 = 3;

/// The trades of the minute starting at `minute * 60 000` ms, oldest first.
pub(crate) fn minute_trades(spec: &TapeSpec, path: &mut PricePath, minute: i64) -> Vec<Trade> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed_for(spec.seed, 0x7A9E, minute));
    let count = rng.random_range(1..=MAX_PER_MINUTE);
    let mut offsets: Vec<i64> = (0..count).map(|_| rng.random_range(0..MINUTE_MS)).collect();
    offsets.sort_unstable();
    offsets
        .into_iter()
        .enumerate()
        .map(|(i, offset)| {
            let ts = minute * MINUTE_MS + offset;
            let side = if rng.random_bool(0.5) {
                Side::Buy
            } else {
                Side::Sell
            };
            let fraction = Decimal::from_f64(rng.random_range(0.02..0.6)).unwrap_or(Decimal::ONE);
            let sz = round_down(spec.level_sz * fraction, spec.lot_sz).max(spec.min_sz);
            Trade {
                ts,
                trade_id: minute * (MAX_PER_MINUTE + 1) + i as i64,
                px: round_to(path.price_at(ts), spec.tick_sz),
                sz,
                side,
            }
        })
        .collect()
}

/// `value` rounded to the nearest multiple of `step` (never below one step).
pub(crate) fn round_to(value: f64, step: Decimal) -> Decimal {
    let value = Decimal::from_f64(value).unwrap_or(step);
    ((value / step).round() * step).max(step).normalize()
}

/// `value` rounded down to a multiple of `step`.
pub(crate) fn round_down(value: Decimal, step: Decimal) -> Decimal {
    ((value / step).floor() * step).normalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::market::path::PriceModel;
    use rust_decimal_macros::dec;

    fn spec() -> TapeSpec {
        TapeSpec {
            tick_sz: dec!(0.1),
            lot_sz: dec!(0.00000001),
            min_sz: dec!(0.00001),
            level_sz: dec!(0.5),
            seed: 9,
        }
    }

    #[test]
    fn every_trade_sits_on_the_tick_and_lot_grid_inside_its_minute() {
        let mut path = PricePath::new(
            95_000.03,
            PriceModel::Walk { vol_per_min: 0.001 },
            3,
            29_000_000 * MINUTE_MS,
        );
        for minute in 29_000_000..29_000_050 {
            let trades = minute_trades(&spec(), &mut path, minute);
            assert!((1..=3).contains(&trades.len()));
            for t in &trades {
                assert_eq!(t.px % dec!(0.1), Decimal::ZERO, "{t:?}");
                assert_eq!(t.sz % dec!(0.00000001), Decimal::ZERO, "{t:?}");
                assert!(t.sz >= dec!(0.00001));
                assert_eq!(t.ts.div_euclid(MINUTE_MS), minute);
            }
            assert!(
                trades
                    .windows(2)
                    .all(|w| w[0].ts <= w[1].ts && w[0].trade_id < w[1].trade_id)
            );
        }
    }

    #[test]
    fn the_tape_is_the_same_on_every_read() {
        let mut path = PricePath::new(100.0, PriceModel::Static, 3, 0);
        let once = minute_trades(&spec(), &mut path, 42);
        assert_eq!(once, minute_trades(&spec(), &mut path, 42));
    }
}
