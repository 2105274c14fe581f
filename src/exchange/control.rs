//! What the control API may do to the venue that no OKX endpoint can: impose
//! prices, move balances, change account settings OKX only allows on its web
//! site, and put an account back as the world had it.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::account::{AcctLv, PosMode};
use super::trading::AccountId;
use super::{Exchange, InstType};

/// One instrument's prices now.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PriceNow {
    pub(crate) inst_id: String,
    pub(crate) inst_type: InstType,
    pub(crate) last: Option<Decimal>,
    pub(crate) mark: Decimal,
}

impl Exchange {
    /// Last trade and mark price of every instrument with a book of its own.
    pub(crate) fn prices(&mut self, now: i64) -> Vec<PriceNow> {
        let instruments: Vec<_> = self
            .instruments
            .all()
            .iter()
            .filter(|i| i.inst_type != InstType::Margin)
            .cloned()
            .collect();
        instruments
            .into_iter()
            .map(|inst| PriceNow {
                last: self.books[inst.book].last_trade(now).map(|t| t.px),
                mark: self.mark_px(&inst, now),
                inst_id: inst.inst_id,
                inst_type: inst.inst_type,
            })
            .collect()
    }

    /// Imposes a price path on an instrument's book from `now` on: the price
    /// moves linearly through `points` (time, price) and holds (or walks on)
    /// after the last one. A first point later than `now` starts the move from
    /// the current price. Resting orders first meet the market up to `now`.
    pub(crate) fn impose_prices(
        &mut self,
        inst_id: &str,
        points: &[(i64, Decimal)],
        now: i64,
    ) -> Result<(), String> {
        let inst = self
            .instruments
            .by_id(inst_id)
            .cloned()
            .ok_or_else(|| format!("no instrument {inst_id}"))?;
        if points.is_empty() {
            return Err("a price path needs at least one point".into());
        }
        if points.iter().any(|&(t, _)| t < now) {
            return Err("price points cannot be in the past".into());
        }
        if points.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err("price points must be in strictly increasing time order".into());
        }
        let mut path = Vec::with_capacity(points.len() + 1);
        for &(t, px) in points {
            if px > super::trading::MAX_PRICE {
                return Err("prices must be at most 1000000000000".into());
            }
            let px = px
                .to_f64()
                .filter(|p| *p > 0.0 && p.is_finite())
                .ok_or("prices must be positive")?;
            path.push((t, px));
        }
        self.sync(now);
        let book = &mut self.books[inst.book];
        if path[0].0 > now {
            path.insert(0, (now, book.raw_price_at(now)));
        }
        book.impose(path);
        Ok(())
    }

    /// Adds `amount` (negative to debit) to an account's cash. A debit may not
    /// take more than is available.
    pub(crate) fn adjust_cash(
        &mut self,
        acct: AccountId,
        ccy: &str,
        amount: Decimal,
    ) -> Result<Decimal, String> {
        let account = &mut self.accounts[acct];
        if amount < Decimal::ZERO && -amount > account.available(ccy) {
            return Err(format!(
                "cannot debit {} {ccy}: {} available",
                -amount,
                account.available(ccy)
            ));
        }
        let balance = account.balance(ccy);
        balance.cash = balance
            .cash
            .checked_add(amount)
            .filter(|c| c.abs() <= super::trading::MAX_PRICE * super::trading::MAX_PRICE)
            .ok_or("the amount is out of range")?;
        let cash = balance.cash;
        self.publish_account(acct, super::events::AccountReason::Transferred, None);
        Ok(cash)
    }

    /// Changes the account mode and/or position mode, as OKX's web site does:
    /// only with no open orders or positions.
    pub(crate) fn change_settings(
        &mut self,
        acct: AccountId,
        acct_lv: Option<AcctLv>,
        pos_mode: Option<PosMode>,
    ) -> Result<(), String> {
        let account = &self.accounts[acct];
        let changes = acct_lv.is_some_and(|l| l != account.acct_lv)
            || pos_mode.is_some_and(|m| m != account.pos_mode);
        if changes && self.has_open_business(acct) {
            return Err("close every position and cancel every order first".into());
        }
        let lv = acct_lv.unwrap_or(account.acct_lv);
        let mode = pos_mode.unwrap_or(account.pos_mode);
        if lv == AcctLv::Portfolio && mode == PosMode::LongShort {
            return Err("portfolio margin (acctLv 4) only supports net_mode".into());
        }
        let account = &mut self.accounts[acct];
        account.acct_lv = lv;
        account.pos_mode = mode;
        Ok(())
    }

    /// Puts one account back as `fresh` (the world's version of it).
    pub(crate) fn replace_account(&mut self, acct: AccountId, fresh: super::account::Account) {
        self.accounts[acct] = fresh;
    }
}
