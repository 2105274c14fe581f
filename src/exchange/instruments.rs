//! Instruments: what can be traded, with every rule OKX publishes about it.

use std::fmt;

use rust_decimal::Decimal;

/// OKX's instrument types.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub(crate) enum InstType {
    /// Spot pairs.
    Spot,
    /// Spot pairs traded on margin (same book as the spot pair).
    Margin,
    /// Perpetual swaps.
    Swap,
    /// Dated futures.
    Futures,
    /// Options.
    Option,
}

impl InstType {
    /// Every type, in the order OKX documents them.
    pub(crate) const ALL: [InstType; 5] = [
        Self::Spot,
        Self::Margin,
        Self::Swap,
        Self::Futures,
        Self::Option,
    ];

    /// OKX's spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Spot => "SPOT",
            Self::Margin => "MARGIN",
            Self::Swap => "SWAP",
            Self::Futures => "FUTURES",
            Self::Option => "OPTION",
        }
    }

    /// Parses OKX's spelling (exact, upper case).
    pub(crate) fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// Whether instruments of this type are contracts sized in `ctVal`.
    pub(crate) fn is_derivative(self) -> bool {
        matches!(self, Self::Swap | Self::Futures | Self::Option)
    }
}

impl fmt::Display for InstType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a contract is margined and settled in the quote (linear) or the base (inverse) currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum CtType {
    /// Settled in the quote currency; `ctVal` is an amount of the base currency.
    Linear,
    /// Settled in the base currency; `ctVal` is an amount of USD.
    Inverse,
}

impl CtType {
    /// OKX's spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Linear => "linear",
            Self::Inverse => "inverse",
        }
    }
}

/// What a contract is worth, for derivatives only.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Contract {
    /// Linear or inverse.
    pub ct_type: CtType,
    /// Face value of one contract, in `ct_val_ccy`.
    pub ct_val: Decimal,
    /// Contract multiplier.
    pub ct_mult: Decimal,
    /// Currency of `ct_val`.
    pub ct_val_ccy: String,
    /// Settlement and margin currency.
    pub settle_ccy: String,
    /// Underlying index, e.g. `BTC-USDT`.
    pub uly: String,
    /// Instrument family, e.g. `BTC-USDT`.
    pub inst_family: String,
}

/// One tradable instrument with OKX's published rules.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Instrument {
    /// SPOT, MARGIN, SWAP, FUTURES or OPTION.
    pub inst_type: InstType,
    /// e.g. `BTC-USDT`, `BTC-USDT-SWAP`, `BTC-USDT-261225`.
    pub inst_id: String,
    /// OKX's integer instrument code (WebSocket trading uses it).
    pub inst_id_code: Option<i64>,
    /// Base currency.
    pub base_ccy: String,
    /// Quote currency.
    pub quote_ccy: String,
    /// Contract terms; `None` for SPOT and MARGIN.
    pub contract: Option<Contract>,
    /// Price increment.
    pub tick_sz: Decimal,
    /// Size increment (base currency for spot, contracts for derivatives).
    pub lot_sz: Decimal,
    /// Smallest order size.
    pub min_sz: Decimal,
    /// Largest limit order.
    pub max_lmt_sz: Decimal,
    /// Largest market order (USDT for spot).
    pub max_mkt_sz: Decimal,
    /// Largest limit order value in USD.
    pub max_lmt_amt: Decimal,
    /// Largest market order value in USD.
    pub max_mkt_amt: Decimal,
    /// Largest TWAP, iceberg, trigger and stop orders.
    pub max_algo_sz: Decimal,
    /// Maximum leverage as OKX prints it (`""` when not applicable).
    pub lever: String,
    /// Listing time, ms.
    pub list_time: i64,
    /// Delivery time for futures, ms.
    pub exp_time: Option<i64>,
    /// Futures alias (`quarter`, ...), `""` otherwise.
    pub alias: String,
    /// `live`, `suspend`, `preopen`, `test`.
    pub state: String,
    /// The order book (and price path) this instrument trades on.
    pub book: usize,
}

impl Instrument {
    /// The settlement currency, `""` for spot.
    pub(crate) fn settle_ccy(&self) -> &str {
        self.contract.as_ref().map_or("", |c| c.settle_ccy.as_str())
    }

    /// The underlying, `""` for spot (MARGIN lists its pair as uly, as OKX does).
    pub(crate) fn uly(&self) -> &str {
        match (&self.contract, self.inst_type) {
            (Some(c), _) => &c.uly,
            (None, InstType::Margin) => &self.inst_id,
            (None, _) => "",
        }
    }

    /// The instrument family, `""` for spot.
    pub(crate) fn inst_family(&self) -> &str {
        match (&self.contract, self.inst_type) {
            (Some(c), _) => &c.inst_family,
            (None, InstType::Margin) => &self.inst_id,
            (None, _) => "",
        }
    }
}

/// The instruments of a world, indexed the ways OKX's endpoints look them up.
#[derive(Debug, Clone, Default)]
pub(crate) struct Instruments {
    list: Vec<Instrument>,
    /// `instId` -> the instrument [`by_id`](Self::by_id) answers with (every
    /// order looks its instrument up several times).
    index: std::collections::HashMap<String, usize>,
}

impl Instruments {
    /// The caller has checked that (instType, instId) pairs are unique.
    pub(crate) fn new(list: Vec<Instrument>) -> Self {
        let mut index = std::collections::HashMap::new();
        for (i, inst) in list.iter().enumerate() {
            let shown = index.entry(inst.inst_id.clone()).or_insert(i);
            // BTC-USDT is both SPOT and MARGIN on one book: SPOT answers.
            if inst.inst_type == InstType::Spot && list[*shown].inst_type != InstType::Spot {
                *shown = i;
            }
        }
        Self { list, index }
    }

    /// All instruments, in world-file order.
    pub(crate) fn all(&self) -> &[Instrument] {
        &self.list
    }

    /// The instrument an `instId` names on market endpoints. `BTC-USDT` is both a
    /// SPOT and a MARGIN instrument on one book; market data answers as SPOT.
    pub(crate) fn by_id(&self, inst_id: &str) -> Option<&Instrument> {
        self.index.get(inst_id).map(|&i| &self.list[i])
    }

    /// The instrument an `instIdCode` names (WebSocket trading; ccxt.pro sends
    /// the code instead of `instId`).
    pub(crate) fn by_code(&self, code: i64) -> Option<&Instrument> {
        self.list
            .iter()
            .find(|inst| inst.inst_id_code == Some(code))
    }

    /// Instruments of one type, in world-file order.
    pub(crate) fn of_type(&self, inst_type: InstType) -> impl Iterator<Item = &Instrument> {
        self.list.iter().filter(move |i| i.inst_type == inst_type)
    }
}
