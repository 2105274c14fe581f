//! Aggregates of trades: one candle's worth of open, high, low, close and volumes.

use rust_decimal::Decimal;

use super::tape::Trade;

/// How a trade's size turns into OKX's three volume figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum VolumeUnit {
    /// `sz` is base currency.
    Spot,
    /// `sz` is contracts of `ct_val` base currency.
    Linear { ct_val: Decimal },
    /// `sz` is contracts of `ct_val` USD.
    Inverse { ct_val: Decimal },
}

impl VolumeUnit {
    /// (vol, volCcy, volCcyQuote) of one trade, in OKX's units: `vol` is base
    /// (spot) or contracts; `volCcy` is quote (spot) or base (derivatives);
    /// `volCcyQuote` is always quote.
    fn volumes(self, px: Decimal, sz: Decimal) -> (Decimal, Decimal, Decimal) {
        match self {
            Self::Spot => (sz, px * sz, px * sz),
            Self::Linear { ct_val } => (sz, sz * ct_val, sz * ct_val * px),
            // Coins from USD contracts: bounded to 8 places, as OKX prints coin amounts.
            Self::Inverse { ct_val } => (sz, (sz * ct_val / px).round_dp(8), sz * ct_val),
        }
    }
}

/// OHLC and volumes of the trades in an interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bar {
    /// First trade price.
    pub open: Decimal,
    /// Highest trade price.
    pub high: Decimal,
    /// Lowest trade price.
    pub low: Decimal,
    /// Last trade price.
    pub close: Decimal,
    /// Base currency (spot) or contracts.
    pub vol: Decimal,
    /// Quote currency (spot) or base currency (derivatives).
    pub vol_ccy: Decimal,
    /// Quote currency.
    pub vol_ccy_quote: Decimal,
}

impl Bar {
    pub(crate) fn of_trades<'a>(
        trades: impl IntoIterator<Item = &'a Trade>,
        unit: VolumeUnit,
    ) -> Option<Bar> {
        trades.into_iter().fold(None, |bar, trade| {
            let (vol, vol_ccy, vol_ccy_quote) = unit.volumes(trade.px, trade.sz);
            let single = Bar {
                open: trade.px,
                high: trade.px,
                low: trade.px,
                close: trade.px,
                vol,
                vol_ccy,
                vol_ccy_quote,
            };
            Some(Bar::merge(bar, Some(single)).expect("one side is present"))
        })
    }

    /// `earlier` followed by `later`.
    pub(crate) fn merge(earlier: Option<Bar>, later: Option<Bar>) -> Option<Bar> {
        match (earlier, later) {
            (Some(a), Some(b)) => Some(Bar {
                open: a.open,
                high: a.high.max(b.high),
                low: a.low.min(b.low),
                close: b.close,
                vol: a.vol + b.vol,
                vol_ccy: a.vol_ccy + b.vol_ccy,
                vol_ccy_quote: a.vol_ccy_quote + b.vol_ccy_quote,
            }),
            (a, b) => a.or(b),
        }
    }

    /// A bar with no trades: OKX repeats the previous close and reports no volume.
    pub(crate) fn flat(close: Decimal) -> Bar {
        Bar {
            open: close,
            high: close,
            low: close,
            close,
            vol: Decimal::ZERO,
            vol_ccy: Decimal::ZERO,
            vol_ccy_quote: Decimal::ZERO,
        }
    }
}
