//! Orders and their vocabulary (types, modes, sides, states).

use rust_decimal::Decimal;

use super::Side;
use super::instruments::InstType;

macro_rules! okx_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub(crate) enum $name { $($variant),+ }

        impl $name {
            /// Parses OKX's spelling. (Some enums are only ever written.)
            #[allow(dead_code)]
            pub(crate) fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }

            /// OKX's spelling.
            pub(crate) fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }
    };
}

okx_enum!(
    /// `ordType` of a normal order.
    OrdType {
        Market = "market",
        Limit = "limit",
        PostOnly = "post_only",
        Fok = "fok",
        Ioc = "ioc",
        OptimalLimitIoc = "optimal_limit_ioc",
    }
);

okx_enum!(
    /// `tdMode`.
    TdMode { Cash = "cash", Cross = "cross", Isolated = "isolated" }
);

okx_enum!(
    /// `mgnMode` of a position or a leverage setting.
    MgnMode { Cross = "cross", Isolated = "isolated" }
);

okx_enum!(
    /// `posSide`.
    PosSide { Net = "net", Long = "long", Short = "short" }
);

okx_enum!(
    /// `tgtCcy` of a spot market order.
    TgtCcy { Base = "base_ccy", Quote = "quote_ccy" }
);

okx_enum!(
    /// Order `state`.
    OrdState {
        Live = "live",
        PartiallyFilled = "partially_filled",
        Filled = "filled",
        Canceled = "canceled",
    }
);

okx_enum!(
    /// `ordType` of an algo order (the kinds okx-mock runs).
    AlgoType {
        Conditional = "conditional",
        Oco = "oco",
        Trigger = "trigger",
        MoveOrderStop = "move_order_stop",
    }
);

okx_enum!(
    /// Which price a trigger watches (`tpTriggerPxType`, `slTriggerPxType`, `triggerPxType`).
    TriggerPxType { Last = "last", Index = "index", Mark = "mark" }
);

okx_enum!(
    /// Algo order `state`.
    AlgoState {
        Live = "live",
        Effective = "effective",
        Canceled = "canceled",
        OrderFailed = "order_failed",
    }
);

impl OrdState {
    /// Whether the order still rests on the book.
    pub(crate) fn is_open(self) -> bool {
        matches!(self, Self::Live | Self::PartiallyFilled)
    }
}

impl OrdType {
    /// Whether the order carries a limit price.
    pub(crate) fn needs_px(self) -> bool {
        !matches!(self, Self::Market | Self::OptimalLimitIoc)
    }
}

/// Why an order was canceled (`cancelSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum CancelSource {
    /// 0: the system canceled it (margin no longer sufficient, nothing left to reduce).
    System,
    /// 1: the user canceled it.
    User,
    /// 13: FOK not fully filled.
    FokNotFilled,
    /// 14: IOC remainder.
    IocRemainder,
    /// 31: a post-only order would have taken liquidity.
    PostOnlyWouldTake,
}

impl CancelSource {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::System => "0",
            Self::User => "1",
            Self::FokNotFilled => "13",
            Self::IocRemainder => "14",
            Self::PostOnlyWouldTake => "31",
        }
    }

    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::System => {
                "Order canceled by the system: insufficient margin or no position left to reduce"
            }
            Self::User => "Order canceled by user",
            Self::FokNotFilled => "Order canceled: FOK order was not fully filled",
            Self::IocRemainder => {
                "Order canceled: IOC order was partially filled, the rest was canceled"
            }
            Self::PostOnlyWouldTake => "Order canceled: Post-only order would have taken liquidity",
        }
    }
}

/// An order of one account.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Order {
    pub(crate) ord_id: i64,
    pub(crate) cl_ord_id: String,
    pub(crate) tag: String,
    pub(crate) inst_id: String,
    pub(crate) inst_type: InstType,
    pub(crate) book: usize,
    pub(crate) td_mode: TdMode,
    pub(crate) side: Side,
    pub(crate) pos_side: PosSide,
    pub(crate) ord_type: OrdType,
    pub(crate) px: Option<Decimal>,
    /// Size as placed (or amended): base (spot), quote (spot market with `quote_ccy`) or contracts.
    pub(crate) sz: Decimal,
    pub(crate) tgt_ccy: Option<TgtCcy>,
    pub(crate) reduce_only: bool,
    pub(crate) lever: Option<Decimal>,
    pub(crate) acc_fill_sz: Decimal,
    /// Sum of price × size over fills, for the average price.
    pub(crate) fill_notional: Decimal,
    pub(crate) last_fill: Option<(Decimal, Decimal, i64, i64)>,
    pub(crate) fee: Decimal,
    pub(crate) fee_ccy: String,
    pub(crate) pnl: Decimal,
    pub(crate) state: OrdState,
    pub(crate) cancel_source: Option<CancelSource>,
    /// What the order still holds, and in which currency.
    pub(crate) frozen: Decimal,
    pub(crate) frozen_ccy: String,
    pub(crate) c_time: i64,
    pub(crate) u_time: i64,
    /// Market trades at or before this instant cannot fill the resting order.
    pub(crate) rest_since: i64,
    /// The algo order that placed this one, if any (`algoId`).
    #[serde(default)]
    pub(crate) algo_id: Option<i64>,
    /// That algo order's algoClOrdId.
    #[serde(default)]
    pub(crate) algo_cl_ord_id: String,
    /// TP/SL that become algo orders once this order is completely filled.
    #[serde(default)]
    pub(crate) attached: Vec<super::algo::Attached>,
}

impl Order {
    /// Size still to fill.
    pub(crate) fn remaining(&self) -> Decimal {
        (self.sz - self.acc_fill_sz).max(Decimal::ZERO)
    }

    /// Average fill price, if anything filled.
    pub(crate) fn avg_px(&self) -> Option<Decimal> {
        (self.acc_fill_sz > Decimal::ZERO).then(|| self.fill_notional / self.acc_fill_sz)
    }
}
