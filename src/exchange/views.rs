//! Read-only views of an account at an instant: balances with equity and
//! unrealised PnL, positions marked to market, and what could still be traded.

use rust_decimal::Decimal;

use super::positions::{Position, settle_value};
use super::trading::AccountId;
use super::{Exchange, InstType, fees};

/// One currency of an account, with everything `account/balance` shows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CcyView {
    pub(crate) ccy: String,
    pub(crate) cash: Decimal,
    pub(crate) ord_frozen: Decimal,
    pub(crate) pos_margin: Decimal,
    pub(crate) upl: Decimal,
    pub(crate) eq: Decimal,
    pub(crate) avail: Decimal,
    pub(crate) eq_usd: Decimal,
}

/// A position with its mark price.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PositionView {
    pub(crate) position: Position,
    pub(crate) mark: Decimal,
    pub(crate) notional_usd: Decimal,
}

/// Maintenance margin rate of the first position tier (OKX BTC perpetuals: 0.4%).
pub(crate) const MMR_RATE: Decimal = Decimal::from_parts(4, 0, 0, false, 3);

impl Exchange {
    /// The USD price of a currency: 1 for dollar coins, else its `CCY-USDT` spot price.
    pub(crate) fn usd_px(&mut self, ccy: &str, now: i64) -> Decimal {
        if matches!(ccy, "USDT" | "USDC" | "USD") {
            return Decimal::ONE;
        }
        let pair = format!("{ccy}-USDT");
        let spot = self
            .instruments
            .of_type(InstType::Spot)
            .find(|i| i.inst_id == pair)
            .cloned();
        spot.map_or(Decimal::ZERO, |inst| self.mark_px(&inst, now))
    }

    /// Positions of the account marked at `now`, newest first.
    pub(crate) fn position_views(&mut self, acct: AccountId, now: i64) -> Vec<PositionView> {
        let positions: Vec<Position> = self.accounts[acct].positions.values().cloned().collect();
        let mut views: Vec<PositionView> = positions
            .into_iter()
            .filter_map(|position| {
                let inst = self.instruments.by_id(&position.inst_id)?.clone();
                let mark = self.mark_px(&inst, now);
                let value = settle_value(&inst, position.size(), mark);
                let notional_usd = value * self.usd_px(&position.settle_ccy, now);
                Some(PositionView {
                    position,
                    mark,
                    notional_usd,
                })
            })
            .collect();
        views.sort_by(|a, b| {
            b.position
                .c_time
                .cmp(&a.position.c_time)
                .then(b.position.pos_id.cmp(&a.position.pos_id))
        });
        views
    }

    /// Every currency the account holds or owes, with equity at `now`.
    pub(crate) fn balance_views(&mut self, acct: AccountId, now: i64) -> Vec<CcyView> {
        let positions = self.position_views(acct, now);
        let currencies: Vec<String> = self.accounts[acct].balances.keys().cloned().collect();
        let mut views = Vec::new();
        for ccy in currencies {
            let account = &self.accounts[acct];
            let cash = account.cash(&ccy);
            let ord_frozen = account
                .balances
                .get(&ccy)
                .map_or(Decimal::ZERO, |b| b.ord_frozen);
            let pos_margin = account.position_margin(&ccy);
            let avail = account.available(&ccy);
            let upl: Decimal = positions
                .iter()
                .filter(|v| v.position.settle_ccy == ccy)
                .map(|v| v.position.upl(v.mark))
                .sum();
            let eq = cash + upl;
            if cash.is_zero() && eq.is_zero() {
                continue; // OKX omits currencies with nothing in them
            }
            let eq_usd = eq * self.usd_px(&ccy, now);
            views.push(CcyView {
                ccy,
                cash,
                ord_frozen,
                pos_margin,
                upl,
                eq,
                avail,
                eq_usd,
            });
        }
        views
    }

    /// The largest buy and sell an account could place on an instrument now
    /// (`account/max-size`): spot in base currency, contracts for derivatives.
    pub(crate) fn max_size(
        &mut self,
        acct: AccountId,
        inst_id: &str,
        px: Option<Decimal>,
        now: i64,
    ) -> Option<(Decimal, Decimal)> {
        let inst = self.instruments.by_id(inst_id)?.clone();
        let px = px.unwrap_or_else(|| self.mark_px(&inst, now));
        let account = &self.accounts[acct];
        let floor = |v: Decimal| {
            ((v / inst.lot_sz).floor() * inst.lot_sz)
                .max(Decimal::ZERO)
                .normalize()
        };
        if !inst.inst_type.is_derivative() {
            let buy = account.available(&inst.quote_ccy)
                / px
                / (Decimal::ONE + fees::rate(inst.inst_type, false));
            return Some((floor(buy), floor(account.available(&inst.base_ccy))));
        }
        let max_lever = inst.lever.parse().unwrap_or(Decimal::ONE);
        let lever = account.lever(
            &inst.inst_id,
            super::orders::MgnMode::Cross,
            super::orders::PosSide::Net,
            max_lever,
        );
        let per_contract = settle_value(&inst, Decimal::ONE, px)
            * (Decimal::ONE / lever + fees::rate(inst.inst_type, false));
        let contracts = floor(account.available(inst.settle_ccy()) / per_contract);
        Some((contracts, contracts))
    }
}
