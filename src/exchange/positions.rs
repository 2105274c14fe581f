//! Derivative positions: opening, reducing, closing and their PnL.

use rust_decimal::Decimal;

use super::instruments::{CtType, InstType, Instrument};
use super::orders::{MgnMode, PosSide};

/// A position's identity within an account.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub(crate) struct PosKey {
    pub(crate) inst_id: String,
    pub(crate) mgn_mode: MgnMode,
    pub(crate) pos_side: PosSide,
}

/// An open position.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Position {
    pub(crate) pos_id: i64,
    pub(crate) inst_id: String,
    pub(crate) inst_type: InstType,
    pub(crate) mgn_mode: MgnMode,
    pub(crate) pos_side: PosSide,
    /// Contracts; signed in net mode (negative is short), positive otherwise.
    pub(crate) pos: Decimal,
    pub(crate) avg_px: Decimal,
    /// Initial margin held, in the settlement currency.
    pub(crate) margin: Decimal,
    pub(crate) lever: Decimal,
    pub(crate) settle_ccy: String,
    pub(crate) ct_val: Decimal,
    pub(crate) ct_type: CtType,
    /// PnL of closed parts, excluding fees.
    pub(crate) pnl: Decimal,
    /// Fees paid on the position (negative).
    pub(crate) fee: Decimal,
    pub(crate) open_max_pos: Decimal,
    pub(crate) close_total_pos: Decimal,
    pub(crate) close_notional: Decimal,
    pub(crate) c_time: i64,
    pub(crate) u_time: i64,
    /// The id of the last trade that moved it (0 before any; `tradeId`).
    #[serde(default)]
    pub(crate) trade_id: i64,
}

/// A position that was fully closed (`account/positions-history`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct ClosedPosition {
    pub(crate) position: Position,
    pub(crate) close_avg_px: Decimal,
    /// Whether it was a long position.
    pub(crate) long: bool,
}

/// +1 for long exposure, -1 for short.
pub(crate) fn direction(pos_side: PosSide, pos: Decimal) -> Decimal {
    match pos_side {
        PosSide::Long => Decimal::ONE,
        PosSide::Short => Decimal::NEGATIVE_ONE,
        PosSide::Net if pos < Decimal::ZERO => Decimal::NEGATIVE_ONE,
        PosSide::Net => Decimal::ONE,
    }
}

/// Face value of `contracts` at `px`, in the settlement currency.
pub(crate) fn settle_value(inst: &Instrument, contracts: Decimal, px: Decimal) -> Decimal {
    let contract = inst
        .contract
        .as_ref()
        .expect("only contracts have positions");
    let face = contracts * contract.ct_val * contract.ct_mult;
    match contract.ct_type {
        CtType::Linear => face * px,
        CtType::Inverse => face / px,
    }
}

impl Position {
    /// Size without sign.
    pub(crate) fn size(&self) -> Decimal {
        self.pos.abs()
    }

    /// PnL of `contracts` of this position marked at `px` (OKX's formulas:
    /// linear `(px − avgPx) × pos × ctVal`, inverse `(1/avgPx − 1/px) × pos × ctVal`).
    pub(crate) fn pnl_at(&self, contracts: Decimal, px: Decimal) -> Decimal {
        let dir = direction(self.pos_side, self.pos);
        let face = contracts * self.ct_val;
        match self.ct_type {
            CtType::Linear => (px - self.avg_px) * face * dir,
            CtType::Inverse => (Decimal::ONE / self.avg_px - Decimal::ONE / px) * face * dir,
        }
    }

    /// Unrealised PnL at the mark price.
    pub(crate) fn upl(&self, mark: Decimal) -> Decimal {
        self.pnl_at(self.size(), mark)
    }
}
