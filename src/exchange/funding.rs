//! The funding account (OKX account "6"): balances, transfers to and from the
//! trading account ("18"), simulated deposits, and withdrawals that succeed only
//! to verified addresses of the account's address book and move through OKX's
//! states on the exchange clock.

use super::events::AccountReason;
use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::trading::AccountId;
use super::{Currency, Exchange};

/// One currency of the funding account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct FundingBalance {
    /// Available balance.
    pub(crate) avail: Decimal,
    /// Held by withdrawals in progress.
    pub(crate) frozen: Decimal,
}

/// An address of the address book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BookAddress {
    pub(crate) ccy: String,
    pub(crate) chain: String,
    /// `address` or `address:tag`.
    pub(crate) addr: String,
    /// Verified for API withdrawals ("exempt from verification" on OKX's web site).
    pub(crate) verified: bool,
}

/// A completed transfer between the funding and the trading account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Transfer {
    pub(crate) trans_id: i64,
    pub(crate) client_id: String,
    pub(crate) ccy: String,
    pub(crate) amt: Decimal,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) ts: i64,
}

/// A deposit (simulated through the control API).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Deposit {
    pub(crate) dep_id: i64,
    pub(crate) ccy: String,
    pub(crate) chain: String,
    pub(crate) amt: Decimal,
    pub(crate) to: String,
    pub(crate) tx_id: String,
    pub(crate) ts: i64,
    /// When it is credited (state 2); before that it waits for confirmations (state 0).
    pub(crate) credited_at: i64,
    pub(crate) credited: bool,
    /// Confirmations the chain requires before crediting.
    pub(crate) confirmations: u32,
}

/// A withdrawal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Withdrawal {
    pub(crate) wd_id: i64,
    pub(crate) client_id: String,
    pub(crate) ccy: String,
    pub(crate) chain: String,
    pub(crate) amt: Decimal,
    pub(crate) fee: Decimal,
    pub(crate) to_addr: String,
    /// 3 internal, 4 on-chain.
    pub(crate) dest: String,
    pub(crate) ts: i64,
    pub(crate) canceled: bool,
}

/// How long a withdrawal waits (state 0, cancellable), then broadcasts (state 1).
pub(crate) const WITHDRAWAL_WAIT_MS: i64 = 60_000;
pub(crate) const WITHDRAWAL_BROADCAST_MS: i64 = 60_000;

impl Withdrawal {
    /// OKX's state at `now`: 0 waiting withdrawal, 1 broadcasting, 2 success, -2 canceled.
    pub(crate) fn state(&self, now: i64) -> &'static str {
        if self.canceled {
            "-2"
        } else if now < self.ts + WITHDRAWAL_WAIT_MS {
            "0"
        } else if now < self.ts + WITHDRAWAL_WAIT_MS + WITHDRAWAL_BROADCAST_MS {
            "1"
        } else {
            "2"
        }
    }

    /// The transaction hash once broadcast (`""` for internal transfers).
    pub(crate) fn tx_id(&self, now: i64) -> String {
        match self.state(now) {
            "1" | "2" if self.dest == "4" => format!("0x{:064x}", self.wd_id),
            _ => String::new(),
        }
    }
}

/// The funding side of an account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct FundingAccount {
    pub(crate) balances: BTreeMap<String, FundingBalance>,
    pub(crate) address_book: Vec<BookAddress>,
    pub(crate) transfers: Vec<Transfer>,
    pub(crate) deposits: Vec<Deposit>,
    pub(crate) withdrawals: Vec<Withdrawal>,
}

/// Why a funding operation was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FundingReject {
    /// 51000 for a parameter.
    InvalidParam(&'static str),
    /// 58114 (HTTP 400).
    AmountNotPositive,
    /// 58123.
    SameAccount,
    /// 58116.
    TransferExceedsAvailable,
    /// 58203.
    NoAddress,
    /// 58207.
    AddressNotVerified,
    /// 58206.
    BelowMinimum,
    /// 58205.
    AboveMaximum,
    /// 58350.
    InsufficientBalance,
    /// 58215.
    WithdrawalNotFound,
    /// 58220.
    AlreadyCanceled,
    /// 58216.
    NotCancelable,
}

/// What a withdrawal request asks for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WithdrawalRequest {
    pub(crate) ccy: String,
    pub(crate) amt: Decimal,
    pub(crate) dest: String,
    pub(crate) to_addr: String,
    pub(crate) chain: Option<String>,
    pub(crate) client_id: String,
}

fn account_code(text: &str) -> Result<&'static str, FundingReject> {
    match text {
        "6" => Ok("6"),
        "18" => Ok("18"),
        _ => Err(FundingReject::InvalidParam("from")),
    }
}

impl Exchange {
    /// The chain a withdrawal of `ccy` uses: the given one, or the main network.
    fn chain_of(&self, ccy: &str, chain: Option<&str>) -> Result<Currency, FundingReject> {
        let mut chains = self.currencies.iter().filter(|c| c.ccy == ccy);
        match chain {
            Some(name) => chains
                .find(|c| c.chain == name)
                .cloned()
                .ok_or(FundingReject::InvalidParam("chain")),
            None => {
                let all: Vec<&Currency> = chains.collect();
                all.iter()
                    .find(|c| c.main_net)
                    .or(all.first())
                    .map(|c| (*c).clone())
                    .ok_or(FundingReject::InvalidParam("ccy"))
            }
        }
    }

    /// Moves `amt` of `ccy` between the funding ("6") and trading ("18") accounts.
    pub(crate) fn transfer(
        &mut self,
        acct: AccountId,
        ccy: &str,
        amt: Decimal,
        (from, to): (&str, &str),
        client_id: &str,
        now: i64,
    ) -> Result<Transfer, FundingReject> {
        if amt <= Decimal::ZERO {
            return Err(FundingReject::AmountNotPositive);
        }
        let from = account_code(from)?;
        let to = account_code(to).map_err(|_| FundingReject::InvalidParam("to"))?;
        if from == to {
            return Err(FundingReject::SameAccount);
        }
        let trans_id = self.ids.next(now);
        let account = &mut self.accounts[acct];
        let available = if from == "6" {
            account
                .funding
                .balances
                .get(ccy)
                .map_or(Decimal::ZERO, |b| b.avail)
        } else {
            account.available(ccy)
        };
        if amt > available {
            return Err(FundingReject::TransferExceedsAvailable);
        }
        if from == "6" {
            account
                .funding
                .balances
                .entry(ccy.to_owned())
                .or_default()
                .avail -= amt;
            account.balance(ccy).cash += amt;
        } else {
            account.balance(ccy).cash -= amt;
            account
                .funding
                .balances
                .entry(ccy.to_owned())
                .or_default()
                .avail += amt;
        }
        let transfer = Transfer {
            trans_id,
            client_id: client_id.to_owned(),
            ccy: ccy.to_owned(),
            amt,
            from: from.to_owned(),
            to: to.to_owned(),
            ts: now,
        };
        account.funding.transfers.push(transfer.clone());
        self.publish_account(acct, AccountReason::Transferred, None);
        Ok(transfer)
    }

    /// Credits deposits whose confirmations are complete by `now` and releases
    /// the holds of withdrawals that completed.
    pub(crate) fn settle_funding(&mut self, now: i64) {
        for account in &mut self.accounts {
            let funding = &mut account.funding;
            for deposit in funding
                .deposits
                .iter_mut()
                .filter(|d| !d.credited && d.credited_at <= now)
            {
                let balance = funding.balances.entry(deposit.ccy.clone()).or_default();
                // Flag it only once the money is in (an absurd amount stays pending).
                if let Some(credited) = balance.avail.checked_add(deposit.amt) {
                    balance.avail = credited;
                    deposit.credited = true;
                }
            }
            let mut held: BTreeMap<String, Decimal> = BTreeMap::new();
            for w in funding
                .withdrawals
                .iter()
                .filter(|w| !w.canceled && w.state(now) != "2")
            {
                *held.entry(w.ccy.clone()).or_default() += w.amt + w.fee;
            }
            for (ccy, balance) in funding.balances.iter_mut() {
                balance.frozen = held.get(ccy).copied().unwrap_or_default();
            }
        }
    }

    /// Records a deposit to the funding account, credited after `confirm_ms`.
    pub(crate) fn deposit(
        &mut self,
        acct: AccountId,
        ccy: &str,
        chain: Option<&str>,
        amt: Decimal,
        confirm_ms: i64,
        now: i64,
    ) -> Result<Deposit, FundingReject> {
        if amt <= Decimal::ZERO || amt > super::trading::MAX_PRICE * super::trading::MAX_PRICE {
            return Err(FundingReject::AmountNotPositive);
        }
        let currency = self.chain_of(ccy, chain)?;
        let chain = currency.chain.clone();
        let dep_id = self.ids.next(now);
        let deposit = Deposit {
            dep_id,
            ccy: ccy.to_owned(),
            chain,
            amt,
            to: deposit_address(&self.accounts[acct].uid, &currency.chain),
            tx_id: format!("0x{:064x}", dep_id.rotate_left(17)),
            ts: now,
            credited_at: now.saturating_add(confirm_ms.max(0)),
            credited: false,
            confirmations: currency.min_dep_arrival_confirm,
        };
        self.accounts[acct].funding.deposits.push(deposit.clone());
        self.settle_funding(now);
        Ok(deposit)
    }

    /// Withdraws from the funding account: only to a verified address of the
    /// address book (on-chain), within the currency's limits, amount plus fee
    /// available. The amount and fee are held until the withdrawal completes.
    pub(crate) fn withdraw(
        &mut self,
        acct: AccountId,
        request: &WithdrawalRequest,
        now: i64,
    ) -> Result<Withdrawal, FundingReject> {
        if request.amt <= Decimal::ZERO {
            return Err(FundingReject::InvalidParam("amt"));
        }
        let currency = self.chain_of(&request.ccy, request.chain.as_deref())?;
        let fee = match request.dest.as_str() {
            "4" => {
                let book = &self.accounts[acct].funding.address_book;
                let for_ccy: Vec<&BookAddress> =
                    book.iter().filter(|a| a.ccy == request.ccy).collect();
                if for_ccy.is_empty() {
                    return Err(FundingReject::NoAddress);
                }
                if !for_ccy
                    .iter()
                    .any(|a| a.verified && a.addr == request.to_addr && a.chain == currency.chain)
                {
                    return Err(FundingReject::AddressNotVerified);
                }
                currency.fee
            }
            "3" => Decimal::ZERO,
            _ => return Err(FundingReject::InvalidParam("dest")),
        };
        if request.amt < currency.min_wd {
            return Err(FundingReject::BelowMinimum);
        }
        if request.amt > currency.max_wd {
            return Err(FundingReject::AboveMaximum);
        }
        let funding = &mut self.accounts[acct].funding;
        let balance = funding.balances.entry(request.ccy.clone()).or_default();
        if request.amt + fee > balance.avail {
            return Err(FundingReject::InsufficientBalance);
        }
        balance.avail -= request.amt + fee;
        balance.frozen += request.amt + fee;
        // OKX's withdrawal ids are short numbers; a venue-wide sequence keeps them unique.
        let wd_id = 100_000_000
            + self
                .accounts
                .iter()
                .map(|a| a.funding.withdrawals.len() as i64)
                .sum::<i64>()
            + 1;
        let withdrawal = Withdrawal {
            wd_id,
            client_id: request.client_id.clone(),
            ccy: request.ccy.clone(),
            chain: currency.chain,
            amt: request.amt,
            fee,
            to_addr: request.to_addr.clone(),
            dest: request.dest.clone(),
            ts: now,
            canceled: false,
        };
        self.accounts[acct]
            .funding
            .withdrawals
            .push(withdrawal.clone());
        Ok(withdrawal)
    }

    /// Cancels a withdrawal that is still waiting (state 0).
    pub(crate) fn cancel_withdrawal(
        &mut self,
        acct: AccountId,
        wd_id: &str,
        now: i64,
    ) -> Result<i64, FundingReject> {
        let id: i64 = wd_id
            .trim()
            .parse()
            .map_err(|_| FundingReject::WithdrawalNotFound)?;
        let funding = &mut self.accounts[acct].funding;
        let wd = funding
            .withdrawals
            .iter_mut()
            .find(|w| w.wd_id == id)
            .ok_or(FundingReject::WithdrawalNotFound)?;
        if wd.canceled {
            return Err(FundingReject::AlreadyCanceled);
        }
        if wd.state(now) != "0" {
            return Err(FundingReject::NotCancelable);
        }
        wd.canceled = true;
        let (ccy, back) = (wd.ccy.clone(), wd.amt + wd.fee);
        let balance = funding.balances.entry(ccy).or_default();
        balance.avail += back;
        balance.frozen -= back;
        Ok(id)
    }
}

/// The account's deposit address on a chain: stable, derived from its uid,
/// and shaped like the chain's addresses (bc1… for Bitcoin, T… for TRON, 0x… for EVM chains).
pub(crate) fn deposit_address(uid: &str, chain: &str) -> String {
    const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    const BECH32: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    let seed = super::market::name_seed(&format!("{uid}/{chain}"));
    let chars = |alphabet: &[u8], n: usize| -> String {
        (0..n)
            .map(|i| {
                let mixed = seed.rotate_left((i * 7 % 64) as u32)
                    ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                alphabet[(mixed % alphabet.len() as u64) as usize] as char
            })
            .collect()
    };
    if chain.ends_with("-Bitcoin") {
        format!("bc1q{}", chars(BECH32, 38))
    } else if chain.ends_with("-TRC20") {
        format!("T{}", chars(BASE58, 33))
    } else if chain.ends_with("-Solana") {
        chars(BASE58, 44)
    } else {
        format!("0x{}", chars(b"0123456789abcdef", 40))
    }
}
