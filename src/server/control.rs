//! The control operations on the Rust handle: the same functions the HTTP
//! control API calls (`admin::ops`), so both doors give the same result.

use super::MockOkx;
use crate::Env;
use crate::admin::ops::FaultView;
use crate::admin::ops::{
    AccountSettings, AccountView, AdminError, Health, KeyChange, KeyView, NewKey, PricePoint,
    PriceView,
};
use crate::journal::{JournalEntry, JournalFilter};

impl MockOkx {
    /// Health and version (`GET /__admin/health`).
    pub fn health(&self) -> Health {
        self.state.health()
    }

    /// Everything back to the loaded world: orders, positions, balances, keys, journal.
    pub fn reset(&self) -> Result<(), AdminError> {
        self.state.reset()
    }

    /// One account back to how the world has it.
    pub fn reset_account(&self, env: Env, name: &str) -> Result<(), AdminError> {
        self.state.reset_account(env.as_str(), name)
    }

    /// Last and mark price of every instrument with a book.
    pub fn prices(&self) -> Vec<PriceView> {
        self.state.prices()
    }

    /// Sets an instrument's price from now on, e.g. `set_price("BTC-USDT", "90000")`.
    pub fn set_price(&self, inst_id: &str, px: &str) -> Result<(), AdminError> {
        self.state.set_price(inst_id, px)
    }

    /// Imposes a price path: linear through the points (exchange time, price), then holding.
    pub fn set_price_path(&self, inst_id: &str, points: &[PricePoint]) -> Result<(), AdminError> {
        self.state.set_price_path(inst_id, points)
    }

    /// Every API key.
    pub fn keys(&self) -> Vec<KeyView> {
        self.state.keys_view()
    }

    /// Creates an API key (missing secrets are generated from the seed).
    pub fn create_key(&self, key: NewKey) -> Result<KeyView, AdminError> {
        self.state.create_key(key)
    }

    /// Changes a key's permissions, IP binding, passphrase or label.
    pub fn change_key(&self, api_key: &str, change: KeyChange) -> Result<KeyView, AdminError> {
        self.state.change_key(api_key, change)
    }

    /// Revokes a key; it then answers as unknown (50119).
    pub fn revoke_key(&self, api_key: &str) -> Result<(), AdminError> {
        self.state.revoke_key(api_key)
    }

    /// Every account with its settings and cash.
    pub fn accounts(&self) -> Vec<AccountView> {
        self.state.accounts_view()
    }

    /// Changes account mode or position mode, as OKX's web site does.
    pub fn set_account(
        &self,
        env: Env,
        name: &str,
        settings: AccountSettings,
    ) -> Result<(), AdminError> {
        self.state.set_account(env.as_str(), name, settings)
    }

    /// Credits (positive) or debits (negative) cash; returns the new cash balance.
    pub fn adjust_balance(
        &self,
        env: Env,
        name: &str,
        ccy: &str,
        amount: &str,
    ) -> Result<String, AdminError> {
        self.state.adjust_balance(env.as_str(), name, ccy, amount)
    }

    /// The requests clients sent, with what they were answered, oldest first.
    pub fn received_requests(&self, filter: &JournalFilter) -> Vec<JournalEntry> {
        self.state.requests(filter)
    }

    /// How many journaled requests match `filter`.
    pub fn request_count(&self, filter: &JournalFilter) -> usize {
        self.state.journal.count(filter)
    }

    /// Forgets the journal.
    pub fn clear_requests(&self) {
        self.state.journal.clear();
    }

    /// Adds the `[[faults]]` and `[[timeline]]` of a scenario (TOML) to the running server.
    pub fn load_scenario(&self, toml: &str) -> Result<Vec<FaultView>, AdminError> {
        self.state.load_scenario(toml)
    }

    /// Every fault rule with its counters.
    pub fn faults(&self) -> Vec<FaultView> {
        self.state.faults()
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.state.clear_faults();
    }

    /// Arms (`true`) or disarms a fault rule.
    pub fn arm_fault(&self, name: &str, armed: bool) -> Result<(), AdminError> {
        self.state.arm_fault(name, armed)
    }

    /// Starts or ends maintenance (50001 on every OKX request but system/status).
    pub fn set_maintenance(&self, on: bool) {
        self.state.set_maintenance(on);
    }

    /// The whole state as JSON (clock, keys, accounts with orders, positions,
    /// fills and bills, imposed prices): `GET /__admin/state`.
    pub fn export_state(&self) -> serde_json::Value {
        self.state.export_state()
    }

    /// Replaces the state with an export taken on a server with the same world.
    pub fn import_state(&self, state: serde_json::Value) -> Result<(), AdminError> {
        self.state.import_state(state)
    }

    /// Credits (positive) or debits the funding account ("6"); returns its new balance.
    pub fn adjust_funding(
        &self,
        env: Env,
        name: &str,
        ccy: &str,
        amount: &str,
    ) -> Result<String, AdminError> {
        self.state.adjust_funding(env.as_str(), name, ccy, amount)
    }

    /// Simulates a deposit to the funding account.
    pub fn deposit(
        &self,
        env: Env,
        name: &str,
        deposit: crate::admin::ops::NewDeposit,
    ) -> Result<serde_json::Value, AdminError> {
        self.state.deposit(env.as_str(), name, deposit)
    }

    /// The account's withdrawal address book.
    pub fn address_book(
        &self,
        env: Env,
        name: &str,
    ) -> Result<Vec<crate::admin::ops::AddressView>, AdminError> {
        self.state.address_book(env.as_str(), name)
    }

    /// Adds an address-book entry (`verified` ones accept API withdrawals).
    pub fn add_address(
        &self,
        env: Env,
        name: &str,
        address: crate::admin::ops::AddressView,
    ) -> Result<Vec<crate::admin::ops::AddressView>, AdminError> {
        self.state.add_address(env.as_str(), name, address)
    }

    /// Removes an address from the book.
    pub fn remove_address(
        &self,
        env: Env,
        name: &str,
        addr: &str,
    ) -> Result<Vec<crate::admin::ops::AddressView>, AdminError> {
        self.state.remove_address(env.as_str(), name, addr)
    }

    /// The rate-limit settings in force.
    pub fn rate_limits(&self) -> crate::ratelimit::RateLimitSettings {
        self.state.limits.settings()
    }

    /// Turns OKX's rate limits on or off, or scales them (counters restart).
    pub fn set_rate_limits(&self, settings: crate::ratelimit::RateLimitSettings) {
        self.state.limits.set(settings);
    }
}
