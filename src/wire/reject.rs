//! How OKX spells each of the venue's refusals: code, message text, sub-code,
//! and the HTTP status of the top-level form. Per-item forms (`sCode`/`sMsg`
//! inside `data`) always travel in an HTTP 200.

use axum::http::StatusCode;

use super::num;
use crate::error::ApiError;
use crate::exchange::reject::{BatchKind, Reject, Shortfall};

/// A refusal in OKX's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spelled {
    pub(crate) code: &'static str,
    pub(crate) msg: String,
    pub(crate) sub_code: &'static str,
    pub(crate) status: StatusCode,
}

/// Spells `reject`. `per_item` selects the `sMsg` form where OKX's texts differ
/// (51000 per item carries a trailing space, as observed on the wire).
pub(crate) fn spell(reject: &Reject, per_item: bool) -> Spelled {
    use Reject::*;
    let ok = StatusCode::OK;
    let (code, msg, sub_code, status): (&'static str, String, &'static str, StatusCode) = match reject {
        InvalidParam(name) if per_item => ("51000", format!("Parameter {name} error "), "", ok),
        InvalidParam(name) => ("51000", format!("Parameter {name} error"), "", StatusCode::BAD_REQUEST),
        UnknownInstrument => ("51001", "Instrument ID, Instrument ID code or Spread ID doesn't exist.".into(), "", ok),
        // The 2026 wire text (with its trailing space); the docs say
        // "Request unsupported under current account mode".
        AccountMode => ("51010", "You can't complete this request under your current account mode. ".into(), "", ok),
        IsolatedUnsupported => (
            "50072",
            "Isolated margin mode is no longer supported in multi-currency margin mode and portfolio margin mode.".into(),
            "",
            ok,
        ),
        DuplicateClOrdId => ("51016", "Client order ID already exists.".into(), "", ok),
        PriceRequired => ("51204", "The price for the limit order cannot be empty.".into(), "", ok),
        LotSize => ("51121", "Order quantity must be a multiple of the lot size.".into(), "", ok),
        BelowMinSize => ("51020", "Your order should meet or exceed the minimum order amount.".into(), "", ok),
        AboveLimitMax(max) => ("51203", format!("Order amount exceeds the limit {}.", num(*max)), "", ok),
        AboveMarketMax => ("51202", "Market order amount exceeds the maximum amount.".into(), "", ok),
        PriceBand { buy, sell } => (
            "51006",
            format!(
                "Order price is not within the price limit (max buy price: {} , min sell price: {} )",
                num(*buy),
                num(*sell)
            ),
            "",
            ok,
        ),
        SpotBuyAbove(px) => ("51137", format!("The highest price limit for buy orders is {}.", num(*px)), "", ok),
        SpotSellBelow(px) => ("51138", format!("The lowest price limit for sell orders is {}.", num(*px)), "", ok),
        Insufficient { ccy, kind } => match kind {
            Shortfall::Balance => ("51008", format!("Order failed. Insufficient {ccy} balance in account"), "1000", ok),
            Shortfall::Margin => ("51008", format!("Order failed. Insufficient {ccy} margin in account"), "1001", ok),
            Shortfall::BalanceNoBorrow => (
                "51008",
                format!("Order failed. Insufficient {ccy} balance in account, and Auto Borrow is not enabled"),
                "1002",
                ok,
            ),
        },
        NothingToReduce => (
            "51169",
            "Order failed because you don't have any positions in this direction for this contract to reduce or close.".into(),
            "",
            ok,
        ),
        ReduceSameDirection => (
            "51170",
            "Failed to place order. A reduce-only order can’t be the same trading direction as your existing positions.".into(),
            "",
            ok,
        ),
        ReduceOnlyUnavailable => ("51205", "Reduce Only is not available.".into(), "", ok),
        CancelFinished => (
            "51400",
            "Order cancellation failed as the order has been filled, canceled or does not exist.".into(),
            "",
            ok,
        ),
        OrderIdRequired => ("51407", "Either order ID or client order ID is required.".into(), "", ok),
        QueryIdRequired => ("51003", "Either client order ID or order ID is required.".into(), "", ok),
        Expired => ("50037", "Order expired.".into(), "", ok),
        RateLimited => (
            "50011",
            "Rate limit reached. Please refer to API documentation and throttle requests accordingly.".into(),
            "",
            StatusCode::TOO_MANY_REQUESTS,
        ),
        AmendFinished => ("51503", "Your order has already been filled or canceled.".into(), "", ok),
        AmendReduceNoPosition => (
            "51521",
            "Failed to edit. Unable to edit reduce-only order because you don't have any positions of this contract.".into(),
            "",
            ok,
        ),
        AmendNothing => ("51500", "You must enter a price, quantity, or TP/SL".into(), "", ok),
        AmendType => ("51506", "Order modification unavailable for the order type.".into(), "", ok),
        AmendPostOnlyCross => (
            "51511",
            "Modification failed as the order price did not meet the requirement for Post Only.".into(),
            "",
            ok,
        ),
        // Observed without the docs' trailing period.
        OrderNotFound => ("51603", "Order does not exist".into(), "", ok),
        PendingCloseOrders => (
            "51115",
            "Cancel all pending close-orders before liquidation.".into(),
            "",
            StatusCode::TOO_MANY_REQUESTS,
        ),
        PositionNotFound => ("51023", "Position doesn't exist.".into(), "", ok),
        // The observed wire text; the docs word it differently.
        SettingsBlocked => (
            "59000",
            "Setting failed. Cancel any open orders, close positions, and stop trading bots first.".into(),
            "",
            ok,
        ),
        PortfolioNetOnly => ("51041", "Portfolio margin account only supports the Buy/Sell mode.".into(), "", ok),
        // Observed verbatim, double space included, as a top-level HTTP 400.
        LeverPosSide => ("51000", "Parameter posSide  error".into(), "", StatusCode::BAD_REQUEST),
        LeverTooHigh => ("59102", "Leverage exceeds the maximum limit. Please lower the leverage.".into(), "", ok),
        LeverTooLow => (
            "59105",
            "Leverage can't be less than 1. Please increase the leverage.".into(),
            "",
            StatusCode::BAD_REQUEST,
        ),
        LeverPendingOrders { cross: true } => (
            "59107",
            "Leverage can't be modified. Please cancel all pending cross-margin orders before adjusting the leverage.".into(),
            "",
            ok,
        ),
        LeverPendingOrders { cross: false } => (
            "59101",
            "Leverage can't be modified. Please cancel all pending isolated margin orders before adjusting the leverage.".into(),
            "",
            ok,
        ),
        BatchTooLarge { max, kind: BatchKind::Place } => ("51111", format!("Maximum {max} orders can be placed in bulk."), "", ok),
        BatchTooLarge { max, kind: BatchKind::Cancel } => (
            "51406",
            format!("Canceled - order count exceeds the limit {max}."),
            "",
            StatusCode::BAD_REQUEST,
        ),
        BatchTooLarge { max, kind: BatchKind::Amend } => (
            "51501",
            format!("Maximum {max} orders can be modified."),
            "",
            StatusCode::BAD_REQUEST,
        ),
        // OKX does not document what a cancel-algos batch over 10 answers
        // [unconfirmed]; this is the generic count error the reference suggests.
        BatchTooLarge { max, kind: BatchKind::CancelAlgos } => {
            ("50025", format!("Parameter algoId count exceeds the limit {max}."), "", ok)
        }
        TriggerSide { take_profit, side, reference } => trigger_side(*take_profit, *side, *reference),
        SpotTriggerLastOnly => (
            "51415",
            "Unable to place order. Spot trading only supports using the last price as trigger price. Please select \"Last\" and try again.".into(),
            "",
            ok,
        ),
        TriggerTgtCcy => ("51281", "Trigger order do not support the tgtCcy parameter.".into(), "", ok),
        DuplicateAlgoClOrdId => ("51065", "algoClOrdId already exists.".into(), "", ok),
        AttachedSide { take_profit, side, market } => attached_side(*take_profit, *side, *market),
        AlgoNotFound => ("51527", "Order modification unsuccessful. The stop order does not exist.".into(), "", ok),
        AmendAlgoLegs => (
            "51526",
            "Order modification unsuccessful. Take profit/Stop loss conditions cannot be added to or removed from stop orders.".into(),
            "",
            ok,
        ),
        AmendAlgoNoLegs => (
            "51531",
            "Order modification unsuccessful. The stop order must have either take profit or stop loss attached.".into(),
            "",
            ok,
        ),
        AmendAlgoSpot => (
            "51543",
            "When modifying take-profit or stop-loss orders for spot or margin trading, you can only adjust the price and quantity. Cancel the order and place a new one for other actions.".into(),
            "",
            ok,
        ),
        TooManyAlgos { max, trailing: true } => (
            "51260",
            format!("Maximum of {max} pending trailing stop orders can be held at the same time."),
            "",
            ok,
        ),
        TooManyAlgos { max, trailing: false } => (
            "51261",
            format!("Each user can hold up to {max} pending stop orders at the same time."),
            "",
            ok,
        ),
        TrailRatio => (
            "51257",
            "Trailing stop order callback rate error. The callback rate should be 0< x<=30%.".into(),
            "",
            ok,
        ),
        TrailActivation(crate::exchange::Side::Sell) => (
            "51258",
            "Trailing stop order placement failed. The trigger price of a sell order must be higher than the last transaction price.".into(),
            "",
            ok,
        ),
        TrailActivation(crate::exchange::Side::Buy) => (
            "51259",
            "Trailing stop order placement failed. The trigger price of a buy order must be lower than the last transaction price.".into(),
            "",
            ok,
        ),
        AttachToReduceOnly => (
            "51100",
            "Unable to place order. Take profit/Stop loss conditions cannot be added to reduce-only orders.".into(),
            "",
            ok,
        ),
    };
    Spelled {
        code,
        msg,
        sub_code,
        status,
    }
}

/// The wrong-side TP/SL codes. A closing sell needs its TP above the
/// reference and its SL below; a closing buy the reverse. The docs' texts say
/// "cannot" (a client fixture shows "can not"; the docs win here).
fn trigger_side(
    take_profit: bool,
    side: crate::exchange::Side,
    reference: crate::exchange::orders::TriggerPxType,
) -> (&'static str, String, &'static str, StatusCode) {
    use crate::exchange::Side::{Buy, Sell};
    use crate::exchange::orders::TriggerPxType::{Index, Last, Mark};
    let code = match (take_profit, side, reference) {
        (true, Buy, Last) => "51277",
        (false, Buy, Last) => "51278",
        (true, Sell, Last) => "51279",
        (false, Sell, Last) => "51280",
        (true, Buy, Mark) => "51300",
        (false, Buy, Mark) => "51302",
        (true, Sell, Mark) => "51303",
        (false, Sell, Mark) => "51304",
        (true, Buy, Index) => "51305",
        (false, Buy, Index) => "51306",
        (true, Sell, Index) => "51307",
        (false, Sell, Index) => "51308",
    };
    let leg = if take_profit { "TP" } else { "SL" };
    // A buy's TP and a sell's SL may not be above the reference.
    let bound = if take_profit == (side == Buy) {
        "higher"
    } else {
        "lower"
    };
    let price = match reference {
        Last => "last",
        Mark => "mark",
        Index => "index",
    };
    // The last-price texts end with a period, the mark and index ones do not.
    let end = if reference == Last { "." } else { "" };
    let msg = format!("{leg} trigger price cannot be {bound} than the {price} price{end}");
    (code, msg, "", StatusCode::OK)
}

/// The wrong-side codes of a TP/SL attached to an order: a buy's TP must be
/// above its price and its SL below, a sell's the reverse; a market order is
/// measured against the best ask (buy) or bid (sell).
fn attached_side(
    take_profit: bool,
    side: crate::exchange::Side,
    market: bool,
) -> (&'static str, String, &'static str, StatusCode) {
    use crate::exchange::Side::{Buy, Sell};
    let code = match (market, side, take_profit) {
        (false, Buy, true) => "51046",
        (false, Buy, false) => "51047",
        (false, Sell, true) => "51048",
        (false, Sell, false) => "51049",
        (true, Buy, true) => "51050",
        (true, Buy, false) => "51051",
        (true, Sell, true) => "51052",
        (true, Sell, false) => "51053",
    };
    let leg = if take_profit {
        "take profit"
    } else {
        "stop loss"
    };
    let bound = if take_profit == (side == Buy) {
        "higher"
    } else {
        "lower"
    };
    let against = match (market, side) {
        (false, _) => "order price",
        (true, Buy) => "best ask price",
        (true, Sell) => "best bid price",
    };
    let msg = format!("The {leg} trigger price must be {bound} than the {against}");
    (code, msg, "", StatusCode::OK)
}

impl From<Reject> for ApiError {
    /// The top-level form: `{"code":..,"data":[],"msg":..}`.
    fn from(reject: Reject) -> Self {
        let spelled = spell(&reject, false);
        ApiError::Envelope {
            code: spelled.code,
            msg: spelled.msg,
            status: spelled.status,
        }
    }
}

impl From<crate::exchange::funding::FundingReject> for ApiError {
    /// Funding refusals are top-level (`data: []`), HTTP 200 but for 58114 (400).
    fn from(reject: crate::exchange::funding::FundingReject) -> Self {
        use crate::exchange::funding::FundingReject::*;
        let (code, msg, status) = match reject {
            InvalidParam(name) => return ApiError::invalid_param(name),
            AmountNotPositive => (
                "58114",
                "Transfer amount must be greater than 0",
                StatusCode::BAD_REQUEST,
            ),
            SameAccount => (
                "58123",
                "The From parameter cannot be the same as the To parameter.",
                StatusCode::OK,
            ),
            TransferExceedsAvailable => (
                "58116",
                "Transfer exceeds the available amount.",
                StatusCode::OK,
            ),
            NoAddress => ("58203", "Please add a withdrawal address.", StatusCode::OK),
            AddressNotVerified => (
                "58207",
                "Withdrawal address isn't on the verified address list. (The format for withdrawal addresses with a label is “address:label”.)",
                StatusCode::OK,
            ),
            BelowMinimum => (
                "58206",
                "Withdrawal amount is less than the lower limit.",
                StatusCode::OK,
            ),
            AboveMaximum => (
                "58205",
                "Withdrawal amount exceeds the upper limit.",
                StatusCode::OK,
            ),
            InsufficientBalance => ("58350", "Insufficient balance.", StatusCode::OK),
            WithdrawalNotFound => ("58215", "Withdrawal ID does not exist.", StatusCode::OK),
            AlreadyCanceled => (
                "58220",
                "Withdrawal request already canceled.",
                StatusCode::OK,
            ),
            NotCancelable => ("58216", "Operation not allowed.", StatusCode::OK),
        };
        ApiError::Envelope {
            code,
            msg: msg.to_owned(),
            status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn per_item_and_top_level_parameter_errors_differ_as_observed() {
        assert_eq!(
            spell(&Reject::InvalidParam("px"), true).msg,
            "Parameter px error "
        );
        let top = spell(&Reject::InvalidParam("posMode"), false);
        assert_eq!(
            (top.msg.as_str(), top.status),
            ("Parameter posMode error", StatusCode::BAD_REQUEST)
        );
    }

    #[test]
    fn insufficient_funds_carry_a_sub_code_and_the_currency() {
        let spelled = spell(
            &Reject::Insufficient {
                ccy: "USDT".into(),
                kind: Shortfall::Margin,
            },
            true,
        );
        assert_eq!((spelled.code, spelled.sub_code), ("51008", "1001"));
        assert_eq!(
            spelled.msg,
            "Order failed. Insufficient USDT margin in account"
        );
    }

    #[test]
    fn band_messages_print_both_limits() {
        let spelled = spell(
            &Reject::PriceBand {
                buy: dec!(99771.0),
                sell: dec!(90269),
            },
            true,
        );
        assert_eq!(
            spelled.msg,
            "Order price is not within the price limit (max buy price: 99771 , min sell price: 90269 )"
        );
    }
}
