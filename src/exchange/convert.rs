//! public/convert-contract-coin: coins to contracts and back, rounded as OKX rounds.

use rust_decimal::Decimal;

use super::instruments::{CtType, Instrument};

/// The currency unit a conversion is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConvertUnit {
    /// Coins (the default).
    Coin,
    /// USDT/USDC value (linear contracts only).
    Usds,
}

impl ConvertUnit {
    /// OKX's spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Coin => "coin",
            Self::Usds => "usds",
        }
    }
}

/// One conversion request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConvertRequest {
    /// `true` for coin → contracts (`type=1`), `false` for contracts → coin (`type=2`).
    pub to_contracts: bool,
    /// Amount to convert.
    pub sz: Decimal,
    /// Price, needed for inverse contracts and for `usds`.
    pub px: Option<Decimal>,
    /// Unit of the coin side.
    pub unit: ConvertUnit,
    /// `true` for `opType=open` (round down), `false` for `close` (round to nearest, the default).
    pub opening: bool,
}

/// A conversion result.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Conversion {
    /// The converted amount.
    pub sz: Decimal,
}

/// Why a conversion cannot be made; each names the offending parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConvertError {
    /// The instrument is not a contract.
    NotAContract,
    /// `px` is required here.
    PriceRequired,
    /// `unit=usds` on an inverse contract.
    UnitNotSupported,
    /// The numbers are outside what can be computed (absurd `sz` or `px`).
    OutOfRange,
}

/// Decimal places of a coin amount from contracts (OKX's precision is
/// unconfirmed; eight places is what its coin amounts show elsewhere).
const COIN_DP: u32 = 8;

/// Converts with OKX's formulas: linear coin→ct = sz/ctVal, usds→ct =
/// sz/(ctVal·px); inverse coin→ct = sz·px/ctVal; contracts → coin reverses them.
/// Contracts are rounded to the lot size: down when opening, to nearest when closing.
pub(crate) fn convert(
    inst: &Instrument,
    request: &ConvertRequest,
) -> Result<Conversion, ConvertError> {
    let contract = inst.contract.as_ref().ok_or(ConvertError::NotAContract)?;
    let ct_value = contract.ct_val * contract.ct_mult;
    let px = || request.px.ok_or(ConvertError::PriceRequired);
    // Absurd inputs (sz near Decimal's range, px near zero) must answer, not panic.
    let range = || ConvertError::OutOfRange;
    let coin_per_contract = match (contract.ct_type, request.unit) {
        (CtType::Linear, ConvertUnit::Coin) => Some(ct_value),
        (CtType::Linear, ConvertUnit::Usds) => ct_value.checked_mul(px()?),
        (CtType::Inverse, ConvertUnit::Coin) => ct_value.checked_div(px()?),
        (CtType::Inverse, ConvertUnit::Usds) => return Err(ConvertError::UnitNotSupported),
    }
    .filter(|c| !c.is_zero())
    .ok_or_else(range)?;
    let sz = if request.to_contracts {
        let contracts = request
            .sz
            .checked_div(coin_per_contract)
            .and_then(|c| c.checked_div(inst.lot_sz))
            .ok_or_else(range)?;
        let lots = if request.opening {
            contracts.floor()
        } else {
            contracts.round()
        };
        lots.checked_mul(inst.lot_sz).ok_or_else(range)?
    } else {
        request
            .sz
            .checked_mul(coin_per_contract)
            .ok_or_else(range)?
            .round_dp(COIN_DP)
    };
    Ok(Conversion { sz: sz.normalize() })
}
