//! Why the venue refused something, in its own terms. `wire::reject` spells
//! each reason the way OKX does (code, text, HTTP status, top-level or per item).

use rust_decimal::Decimal;

/// A refusal by the venue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reject {
    /// A field has a value OKX does not accept (51000).
    InvalidParam(&'static str),
    /// The instrument does not exist (51001).
    UnknownInstrument,
    /// The account mode does not allow this product or trade mode (51010).
    AccountMode,
    /// Isolated margin in multi-currency or portfolio margin mode (50072).
    IsolatedUnsupported,
    /// The clOrdId is already used by an open order or earlier in the batch (51016).
    DuplicateClOrdId,
    /// A limit order without a price (51204).
    PriceRequired,
    /// Size not a multiple of the lot size (51121).
    LotSize,
    /// Size below the minimum (51020).
    BelowMinSize,
    /// Limit order above `maxLmtSz` (51203).
    AboveLimitMax(Decimal),
    /// Market order above `maxMktSz` (51202).
    AboveMarketMax,
    /// Price outside the band: derivatives (51006).
    PriceBand { buy: Decimal, sell: Decimal },
    /// Spot buy above the band (51137).
    SpotBuyAbove(Decimal),
    /// Spot sell below the band (51138).
    SpotSellBelow(Decimal),
    /// Not enough funds (51008 with a sub-code).
    Insufficient { ccy: String, kind: Shortfall },
    /// Reduce-only with nothing to reduce in that direction (51169).
    NothingToReduce,
    /// Reduce-only in the same direction as the position (51170).
    ReduceSameDirection,
    /// Reduce-only where it does not apply (51205).
    ReduceOnlyUnavailable,
    /// Cancel of a finished or unknown order (51400).
    CancelFinished,
    /// Neither ordId nor clOrdId on a cancel (51407).
    OrderIdRequired,
    /// Neither ordId nor clOrdId on a query or amend (51003).
    QueryIdRequired,
    /// The instrument's order rate limit is reached (per-item 50011 in a batch).
    RateLimited,
    /// A trade request that arrived after its `expTime` header (50037).
    Expired,
    /// Amend of a finished or unknown order (51503).
    AmendFinished,
    /// Amend of a reduce-only order beyond what is left to reduce (51521).
    AmendReduceNoPosition,
    /// Amend with nothing to change (51500).
    AmendNothing,
    /// Amend of an order type that cannot be amended (51506).
    AmendType,
    /// An amended post-only order would cross (51511).
    AmendPostOnlyCross,
    /// GET of an unknown order (51603).
    OrderNotFound,
    /// close-position while close orders are pending, without autoCxl (51115).
    PendingCloseOrders,
    /// No such position (51023).
    PositionNotFound,
    /// Settings blocked by open orders or positions (59000).
    SettingsBlocked,
    /// Portfolio margin only supports net mode (51041).
    PortfolioNetOnly,
    /// posSide on set-leverage where it does not apply, or missing where it must
    /// (51000 with OKX's observed double space).
    LeverPosSide,
    /// Leverage above the instrument's maximum (59102).
    LeverTooHigh,
    /// Leverage below 1 (59105).
    LeverTooLow,
    /// Leverage change with pending orders of that margin mode (59107 cross, 59101 isolated).
    LeverPendingOrders { cross: bool },
    /// More orders in one batch than allowed (51111, 51406, 51501; 50025 for algos).
    BatchTooLarge { max: usize, kind: BatchKind },
    /// A TP or SL trigger on the wrong side of its reference price
    /// (51277-51280 last, 51300-51304 mark, 51305-51308 index).
    TriggerSide {
        take_profit: bool,
        /// The side of the closing order.
        side: super::Side,
        reference: super::orders::TriggerPxType,
    },
    /// A spot TP/SL or trigger watching mark or index (51415).
    SpotTriggerLastOnly,
    /// `tgtCcy` on a trigger order (51281).
    TriggerTgtCcy,
    /// The algoClOrdId is already used by a live algo order (51065).
    DuplicateAlgoClOrdId,
    /// A TP or SL attached to an order on the wrong side of the order's price
    /// (51046-51049) or, for a market order, of the best quote (51050-51053).
    AttachedSide {
        take_profit: bool,
        side: super::Side,
        market: bool,
    },
    /// TP/SL attached to a reduce-only order (51100).
    AttachToReduceOnly,
    /// Amend of an algo order that is not live (51527).
    AlgoNotFound,
    /// Amend that adds a leg to an algo order, or takes one from an OCO (51526).
    AmendAlgoLegs,
    /// Amend that would leave a TP/SL order without TP and SL (51531).
    AmendAlgoNoLegs,
    /// Amend of a spot TP/SL beyond price and size (51543).
    AmendAlgoSpot,
    /// Too many pending algo orders of a kind (51260 trailing, 51261 TP/SL and trigger).
    TooManyAlgos { max: usize, trailing: bool },
    /// A trailing stop's callback ratio out of range (51257).
    TrailRatio,
    /// A trailing stop's activation price on the wrong side of the last
    /// price (51258 sell, 51259 buy).
    TrailActivation(super::Side),
}

/// Which funds are short (51008's sub-code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shortfall {
    /// 1000: balance (spot cash).
    Balance,
    /// 1001: margin (derivatives).
    Margin,
    /// 1002: balance, and the account does not borrow.
    BalanceNoBorrow,
}

/// Which batch endpoint a size limit belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BatchKind {
    Place,
    Cancel,
    Amend,
    CancelAlgos,
}
