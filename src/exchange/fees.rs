//! OKX's regular-user (Lv1) fee schedule. Rates are positive here; fees are
//! booked negative (paid), as OKX reports them.

use rust_decimal::Decimal;

use super::instruments::InstType;

/// (maker, taker) rate of an instrument type.
pub(crate) fn rates(inst_type: InstType) -> (Decimal, Decimal) {
    match inst_type {
        InstType::Spot | InstType::Margin => (Decimal::new(8, 4), Decimal::new(10, 4)),
        InstType::Swap | InstType::Futures => (Decimal::new(2, 4), Decimal::new(5, 4)),
        InstType::Option => (Decimal::new(2, 4), Decimal::new(3, 4)),
    }
}

/// The rate a fill pays.
pub(crate) fn rate(inst_type: InstType, maker: bool) -> Decimal {
    let (maker_rate, taker_rate) = rates(inst_type);
    if maker { maker_rate } else { taker_rate }
}
