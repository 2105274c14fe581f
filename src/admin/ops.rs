//! The control operations, once. The HTTP control API (`admin::http`) and the
//! [`MockOkx`](crate::MockOkx) methods both call these, so the two doors cannot drift.

use std::collections::BTreeMap;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::auth::{ApiKey, Env, Permission};
use crate::exchange::account::{AcctLv, PosMode};
use crate::journal::{JournalEntry, JournalFilter};
use crate::scenario::World;
use crate::state::AppState;

/// Why a control operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    /// Nothing by that name (HTTP 404).
    #[error("{0}")]
    NotFound(String),
    /// The request does not make sense (HTTP 400).
    #[error("{0}")]
    Invalid(String),
    /// The venue's state does not allow it now (HTTP 409).
    #[error("{0}")]
    Conflict(String),
}

/// `GET /__admin/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Always `"ok"` when answered.
    pub status: String,
    /// The okx-mock version.
    pub version: String,
}

/// The exchange clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockView {
    /// Exchange time, ms.
    pub now: i64,
    /// Whether it stands still.
    pub frozen: bool,
}

/// An instrument's prices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceView {
    /// Instrument.
    pub inst_id: String,
    /// SPOT, SWAP, FUTURES.
    pub inst_type: String,
    /// Last market trade, `""` when none yet.
    pub last: String,
    /// Mark (fair) price.
    pub mark: String,
}

/// One point of a price path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricePoint {
    /// Exchange time, ms.
    pub at: i64,
    /// Price at that time.
    pub px: String,
}

/// An API key as the control API shows it (secrets included: this is a mock).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    /// Name for humans.
    pub label: String,
    /// `live` or `demo`.
    pub env: String,
    /// `OK-ACCESS-KEY`.
    pub api_key: String,
    /// Signing secret.
    pub secret_key: String,
    /// `OK-ACCESS-PASSPHRASE`.
    pub passphrase: String,
    /// `read_only`, `trade`, `withdraw`.
    pub perms: Vec<String>,
    /// Bound addresses.
    pub ips: Vec<String>,
    /// The account it trades for.
    pub account: String,
    /// The site it belongs to: `www`, `eea` or `us`.
    pub region: String,
    /// Its last private call, exchange ms.
    pub last_used: i64,
    /// When the 14-day idle rule deletes it (live, trade or withdraw, no IP binding), ms.
    pub expires_at: Option<i64>,
}

/// A key to create. Missing `apiKey`/`secretKey`/`passphrase` are generated from the seed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NewKey {
    /// Name for humans (default: the key itself).
    pub label: Option<String>,
    /// `live` (default) or `demo`.
    pub env: Option<String>,
    /// Permissions (default `["read_only"]`).
    pub perms: Option<Vec<String>>,
    /// Bound addresses or ranges.
    pub ips: Vec<String>,
    /// Account (default `main`).
    pub account: Option<String>,
    /// Given key, or generated.
    pub api_key: Option<String>,
    /// Given secret, or generated.
    pub secret_key: Option<String>,
    /// Given passphrase, or generated.
    pub passphrase: Option<String>,
    /// `www` (default), `eea` or `us`.
    pub region: Option<String>,
}

/// Changes to an existing key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct KeyChange {
    /// New permissions.
    pub perms: Option<Vec<String>>,
    /// New IP binding (empty: none).
    pub ips: Option<Vec<String>>,
    /// New passphrase.
    pub passphrase: Option<String>,
    /// New label.
    pub label: Option<String>,
}

/// An account as the control API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    /// `live` or `demo`.
    pub env: String,
    /// Account name.
    pub name: String,
    /// OKX user id.
    pub uid: String,
    /// `"1"`..`"4"`.
    pub acct_lv: String,
    /// `net_mode` or `long_short_mode`.
    pub pos_mode: String,
    /// Cash per currency.
    pub balances: BTreeMap<String, String>,
}

/// The whole state of a server as data: `GET /__admin/state` gives it and
/// `PUT /__admin/state` (on a server with the same world) takes it back.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateFile {
    /// Format version.
    okx_mock_state: u32,
    clock: ClockView,
    keys: Vec<KeyView>,
    venue: crate::exchange::snapshot::VenueSnapshot,
}

const STATE_VERSION: u32 = 1;

/// A fault rule and its counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultView {
    /// The rule's name.
    pub name: String,
    /// Whether it can fire.
    pub armed: bool,
    /// Requests it matched.
    pub matched: u64,
    /// Times it fired.
    pub fired: u64,
}

/// An address-book entry (withdrawals over the API only go to verified ones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressView {
    /// Currency.
    pub ccy: String,
    /// Chain, e.g. `USDT-TRC20`.
    pub chain: String,
    /// Address (`address:tag` for tagged coins).
    pub addr: String,
    /// Verified for API withdrawals (OKX: "exempt from verification").
    #[serde(default)]
    pub verified: bool,
}

/// A simulated deposit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NewDeposit {
    /// Currency.
    pub ccy: String,
    /// Chain (default: the currency's main network).
    pub chain: Option<String>,
    /// Amount.
    pub amt: String,
    /// Credited this many ms after now (state 0 until then).
    pub confirm_ms: i64,
}

/// Settings OKX only lets users change on its web site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AccountSettings {
    /// `"1"` Spot, `"2"` Futures, `"3"` Multi-currency, `"4"` Portfolio.
    pub acct_lv: Option<String>,
    /// `net_mode` or `long_short_mode`.
    pub pos_mode: Option<String>,
}

fn parse_env(text: &str) -> Result<Env, AdminError> {
    match text {
        "live" => Ok(Env::Live),
        "demo" => Ok(Env::Demo),
        other => Err(AdminError::Invalid(format!(
            "env must be live or demo, not {other:?}"
        ))),
    }
}

fn parse_decimal(text: &str, what: &str) -> Result<Decimal, AdminError> {
    text.trim()
        .parse()
        .map_err(|_| AdminError::Invalid(format!("{what} {text:?} is not a number")))
}

fn key_view(key: &ApiKey) -> KeyView {
    KeyView {
        label: key.label.clone(),
        env: key.env.as_str().to_owned(),
        api_key: key.api_key.clone(),
        secret_key: key.secret_key.clone(),
        passphrase: key.passphrase.clone(),
        perms: key.perms.iter().map(|p| p.as_str().to_owned()).collect(),
        ips: key.ips.iter().map(|ip| ip.to_string()).collect(),
        account: key.account.clone(),
        region: key.region.clone(),
        last_used: key.last_used_ms,
        expires_at: key.expires_at(),
    }
}

fn normalize(region: &str) -> Result<String, AdminError> {
    crate::auth::normalize_region(region)
        .map(str::to_owned)
        .ok_or_else(|| {
            AdminError::Invalid(format!(
                "region {region:?} is not www, eea (my) or us (app)"
            ))
        })
}

fn key_from_view(view: &KeyView) -> Result<ApiKey, AdminError> {
    Ok(ApiKey {
        label: view.label.clone(),
        api_key: view.api_key.clone(),
        secret_key: view.secret_key.clone(),
        passphrase: view.passphrase.clone(),
        env: parse_env(&view.env)?,
        perms: parse_perms(&view.perms)?,
        ips: parse_ips(&view.ips)?,
        account: view.account.clone(),
        region: normalize(&view.region)?,
        last_used_ms: view.last_used,
    })
}

fn parse_perms(perms: &[String]) -> Result<Vec<Permission>, AdminError> {
    perms
        .iter()
        .map(|p| {
            Permission::parse(p)
                .ok_or_else(|| AdminError::Invalid(format!("unknown permission {p:?}")))
        })
        .collect()
}

fn parse_ips(ips: &[String]) -> Result<Vec<ipnet::IpNet>, AdminError> {
    ips.iter()
        .map(|ip| {
            crate::scenario::parse_ip_or_net(ip)
                .ok_or_else(|| AdminError::Invalid(format!("{ip:?} is not an IP address or range")))
        })
        .collect()
}

fn load_world(state: &AppState, now: i64) -> Result<World, AdminError> {
    World::from_sources(&state.config.sources, now)
        .map_err(|e| AdminError::Conflict(format!("the world no longer loads: {e}")))
}

impl AppState {
    /// Health and version.
    pub(crate) fn health(&self) -> Health {
        Health {
            status: "ok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }

    /// The clock's reading.
    pub(crate) fn clock_view(&self) -> ClockView {
        ClockView {
            now: self.clock.now_ms(),
            frozen: self.clock.is_frozen(),
        }
    }

    /// Everything back to the world the server started with: venue, keys, journal.
    pub(crate) fn reset(&self) -> Result<(), AdminError> {
        let now = self.clock.now_ms();
        let world = load_world(self, now)?;
        let mut fresh = world
            .exchange(self.config.seed, now)
            .map_err(|e| AdminError::Conflict(format!("the world no longer loads: {e}")))?;
        fresh.history_cap = self.config.history_cap;
        *self.exchange() = fresh;
        self.keys.clear();
        for key in world.keys() {
            self.keys.insert(key.clone());
        }
        self.journal.clear();
        *self.scenario.lock() = crate::scenario::layer::ScenarioRuntime::new(
            world.faults,
            world.timeline,
            self.config.seed,
        );
        Ok(())
    }

    /// One account back to how the world has it (orders, positions, balances, settings).
    pub(crate) fn reset_account(&self, env: &str, name: &str) -> Result<(), AdminError> {
        let env = parse_env(env)?;
        let world = load_world(self, self.clock.now_ms())?;
        let fresh = world
            .accounts
            .iter()
            .find(|a| a.env == env && a.name == name)
            .cloned()
            .ok_or_else(|| {
                AdminError::NotFound(format!(
                    "the world has no {} account {name:?}",
                    env.as_str()
                ))
            })?;
        let mut exchange = self.exchange();
        let acct = exchange
            .account_id(env, name)
            .ok_or_else(|| AdminError::NotFound(format!("no account {name:?}")))?;
        exchange.replace_account(acct, fresh);
        Ok(())
    }

    /// Last and mark prices of every instrument with a book.
    pub(crate) fn prices(&self) -> Vec<PriceView> {
        let now = self.clock.now_ms();
        self.exchange()
            .prices(now)
            .into_iter()
            .map(|p| PriceView {
                inst_id: p.inst_id,
                inst_type: p.inst_type.as_str().to_owned(),
                last: crate::wire::opt_num(p.last),
                mark: crate::wire::num(p.mark),
            })
            .collect()
    }

    /// Sets an instrument's price from now on (a one-point path).
    pub(crate) fn set_price(&self, inst_id: &str, px: &str) -> Result<(), AdminError> {
        let now = self.clock.now_ms();
        crate::scenario::layer::run_timeline(self, now);
        self.set_price_at(inst_id, px, now)
    }

    /// Sets an instrument's price from `at` on (the timeline's scheduled instant).
    pub(crate) fn set_price_at(&self, inst_id: &str, px: &str, at: i64) -> Result<(), AdminError> {
        let price = parse_decimal(px, "price")?;
        let mut exchange = self.exchange();
        if exchange.instruments().by_id(inst_id).is_none() {
            return Err(AdminError::NotFound(format!("no instrument {inst_id}")));
        }
        exchange
            .impose_prices(inst_id, &[(at, price)], at)
            .map_err(AdminError::Invalid)
    }

    /// Imposes a price path: linear through the points, holding after the last.
    pub(crate) fn set_price_path(
        &self,
        inst_id: &str,
        points: &[PricePoint],
    ) -> Result<(), AdminError> {
        let parsed = points
            .iter()
            .map(|p| Ok((p.at, parse_decimal(&p.px, "price")?)))
            .collect::<Result<Vec<_>, AdminError>>()?;
        let now = self.clock.now_ms();
        let mut exchange = self.exchange();
        if exchange.instruments().by_id(inst_id).is_none() {
            return Err(AdminError::NotFound(format!("no instrument {inst_id}")));
        }
        exchange
            .impose_prices(inst_id, &parsed, now)
            .map_err(AdminError::Invalid)
    }

    /// The whole state (clock, keys, accounts with their orders, positions,
    /// fills and bills, imposed prices) as JSON.
    pub(crate) fn export_state(&self) -> serde_json::Value {
        let state = StateFile {
            okx_mock_state: STATE_VERSION,
            clock: self.clock_view(),
            keys: self.keys_view(),
            venue: self.exchange().snapshot(),
        };
        serde_json::to_value(state).unwrap_or_default()
    }

    /// Replaces the state with an export (taken on a server with the same world).
    pub(crate) fn import_state(&self, value: serde_json::Value) -> Result<(), AdminError> {
        let state: StateFile = serde_json::from_value(value)
            .map_err(|e| AdminError::Invalid(format!("not an okx-mock state: {e}")))?;
        if state.okx_mock_state != STATE_VERSION {
            return Err(AdminError::Invalid(format!(
                "state version {} is not {STATE_VERSION}",
                state.okx_mock_state
            )));
        }
        let keys = state
            .keys
            .iter()
            .map(key_from_view)
            .collect::<Result<Vec<_>, _>>()?;
        self.exchange()
            .restore(state.venue)
            .map_err(AdminError::Conflict)?;
        self.keys.clear();
        for key in keys {
            self.keys.insert(key);
        }
        if state.clock.frozen {
            self.clock.freeze_at(state.clock.now);
        } else {
            self.clock.set(state.clock.now);
            self.clock.resume();
        }
        Ok(())
    }

    /// Every key.
    pub(crate) fn keys_view(&self) -> Vec<KeyView> {
        self.sweep_expired_keys();
        self.keys.all().iter().map(key_view).collect()
    }

    /// Deletes keys the 14-day idle rule has expired (they are also deleted on
    /// their next use), so listings and exports never show them.
    fn sweep_expired_keys(&self) {
        let now = self.clock.now_ms();
        for key in self.keys.all() {
            if key.expires_at().is_some_and(|deadline| now >= deadline) {
                self.keys.remove(&key.api_key);
            }
        }
    }

    /// Creates a key; missing secrets are generated deterministically from the seed.
    pub(crate) fn create_key(&self, new: NewKey) -> Result<KeyView, AdminError> {
        let env = parse_env(new.env.as_deref().unwrap_or("live"))?;
        let account = new.account.unwrap_or_else(|| "main".into());
        if self.exchange().account_id(env, &account).is_none() {
            return Err(AdminError::NotFound(format!(
                "no {} account {account:?}",
                env.as_str()
            )));
        }
        let perms = parse_perms(new.perms.as_deref().unwrap_or(&["read_only".to_owned()]))?;
        let ips = parse_ips(&new.ips)?;
        // Generated keys are a pure function of the seed and an attempt number;
        // attempts continue past keys that exist (or were deleted and reused).
        let mut attempt = self.keys.all().len() as u64;
        let mut rng = ChaCha8Rng::seed_from_u64(self.config.seed ^ 0xADD_C0DE ^ attempt << 20);
        let hex = |rng: &mut ChaCha8Rng, n: usize| -> String {
            (0..n)
                .map(|_| format!("{:X}", rng.random_range(0..16u8)))
                .collect()
        };
        let api_key = match new.api_key {
            Some(key) => key,
            None => loop {
                let h = hex(&mut rng, 32).to_lowercase();
                let key = format!(
                    "{}-{}-{}-{}-{}",
                    &h[..8],
                    &h[8..12],
                    &h[12..16],
                    &h[16..20],
                    &h[20..]
                );
                if self.keys.get(&key).is_none() {
                    break key;
                }
                attempt += 1;
                rng = ChaCha8Rng::seed_from_u64(self.config.seed ^ 0xADD_C0DE ^ attempt << 20);
            },
        };
        if self.keys.get(&api_key).is_some() {
            return Err(AdminError::Conflict(format!(
                "key {api_key} already exists"
            )));
        }
        let secret_key = new.secret_key.unwrap_or_else(|| hex(&mut rng, 32));
        let passphrase = new
            .passphrase
            .unwrap_or_else(|| format!("Pass-{}", hex(&mut rng, 8)));
        let key = ApiKey {
            label: new.label.unwrap_or_else(|| api_key.clone()),
            api_key,
            secret_key,
            passphrase,
            env,
            perms,
            ips,
            account,
            region: normalize(new.region.as_deref().unwrap_or("www"))?,
            last_used_ms: self.clock.now_ms(),
        };
        self.keys.insert(key.clone());
        Ok(key_view(&key))
    }

    /// Changes a key's permissions, binding, passphrase or label.
    pub(crate) fn change_key(
        &self,
        api_key: &str,
        change: KeyChange,
    ) -> Result<KeyView, AdminError> {
        let mut key = self
            .keys
            .get(api_key)
            .ok_or_else(|| AdminError::NotFound(format!("no key {api_key}")))?;
        if let Some(perms) = &change.perms {
            key.perms = parse_perms(perms)?;
        }
        if let Some(ips) = &change.ips {
            key.ips = parse_ips(ips)?;
        }
        if let Some(passphrase) = change.passphrase {
            key.passphrase = passphrase;
        }
        if let Some(label) = change.label {
            key.label = label;
        }
        self.keys.insert(key.clone());
        Ok(key_view(&key))
    }

    /// Revokes a key: it then answers as an unknown key (50119).
    pub(crate) fn revoke_key(&self, api_key: &str) -> Result<(), AdminError> {
        if self.keys.remove(api_key) {
            Ok(())
        } else {
            Err(AdminError::NotFound(format!("no key {api_key}")))
        }
    }

    /// Every account with its settings and cash.
    pub(crate) fn accounts_view(&self) -> Vec<AccountView> {
        let exchange = self.exchange();
        exchange
            .accounts
            .iter()
            .map(|a| AccountView {
                env: a.env.as_str().to_owned(),
                name: a.name.clone(),
                uid: a.uid.clone(),
                acct_lv: a.acct_lv.as_str().to_owned(),
                pos_mode: a.pos_mode.as_str().to_owned(),
                balances: a
                    .balances
                    .iter()
                    .map(|(ccy, b)| (ccy.clone(), crate::wire::num(b.cash)))
                    .collect(),
            })
            .collect()
    }

    fn account_index(&self, env: &str, name: &str) -> Result<usize, AdminError> {
        let env = parse_env(env)?;
        self.exchange()
            .account_id(env, name)
            .ok_or_else(|| AdminError::NotFound(format!("no {} account {name:?}", env.as_str())))
    }

    /// Changes account mode and/or position mode (only with nothing open).
    pub(crate) fn set_account(
        &self,
        env: &str,
        name: &str,
        settings: AccountSettings,
    ) -> Result<(), AdminError> {
        let acct = self.account_index(env, name)?;
        let acct_lv = settings
            .acct_lv
            .as_deref()
            .map(|l| {
                AcctLv::parse(l)
                    .ok_or_else(|| AdminError::Invalid(format!("acctLv {l:?} is not 1..4")))
            })
            .transpose()?;
        let pos_mode = settings
            .pos_mode
            .as_deref()
            .map(|m| PosMode::parse(m).ok_or_else(|| AdminError::Invalid(format!("posMode {m:?}"))))
            .transpose()?;
        let now = self.clock.now_ms();
        // Scheduled events come first, so they land before this change.
        crate::scenario::layer::run_timeline(self, now);
        let mut exchange = self.exchange();
        exchange.sync(now);
        exchange
            .change_settings(acct, acct_lv, pos_mode)
            .map_err(AdminError::Conflict)
    }

    /// Credits (positive) or debits (negative) an account's cash; returns the new cash.
    pub(crate) fn adjust_balance(
        &self,
        env: &str,
        name: &str,
        ccy: &str,
        amount: &str,
    ) -> Result<String, AdminError> {
        let acct = self.account_index(env, name)?;
        let amount = parse_decimal(amount, "amount")?;
        if ccy.is_empty() || !ccy.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(AdminError::Invalid(format!("currency {ccy:?}")));
        }
        let now = self.clock.now_ms();
        // Scheduled events come first, so they land before this change.
        crate::scenario::layer::run_timeline(self, now);
        let mut exchange = self.exchange();
        exchange.sync(now);
        exchange
            .adjust_cash(acct, ccy, amount)
            .map(crate::wire::num)
            .map_err(AdminError::Conflict)
    }

    /// Adds the faults and timeline of a scenario (TOML) to the running server.
    pub(crate) fn load_scenario(&self, text: &str) -> Result<Vec<FaultView>, AdminError> {
        let (rules, events) = World::runtime_scenario(text, self.clock.now_ms())
            .map_err(|e| AdminError::Invalid(e.to_string()))?;
        let known: Vec<String> = self.faults().into_iter().map(|f| f.name).collect();
        if let Some(clash) = rules.iter().find(|r| known.contains(&r.name)) {
            return Err(AdminError::Conflict(format!(
                "fault rule {:?} already exists",
                clash.name
            )));
        }
        self.scenario.lock().extend(rules, events);
        Ok(self.faults())
    }

    /// Every fault rule with its counters.
    pub(crate) fn faults(&self) -> Vec<FaultView> {
        self.scenario
            .lock()
            .rules
            .summary()
            .into_iter()
            .map(|(name, armed, matched, fired)| FaultView {
                name,
                armed,
                matched,
                fired,
            })
            .collect()
    }

    /// Removes every fault rule (the timeline stays).
    pub(crate) fn clear_faults(&self) {
        self.scenario.lock().rules.clear();
    }

    /// Arms or disarms a rule.
    pub(crate) fn arm_fault(&self, name: &str, armed: bool) -> Result<(), AdminError> {
        if self.scenario.lock().rules.set_armed(name, armed) {
            Ok(())
        } else {
            Err(AdminError::NotFound(format!("no fault rule {name:?}")))
        }
    }

    /// Starts or ends maintenance: every OKX request but system/status answers 50001.
    pub(crate) fn set_maintenance(&self, on: bool) {
        self.scenario.lock().maintenance = on;
    }

    /// Credits or debits the funding account ("6") instead of the trading account.
    pub(crate) fn adjust_funding(
        &self,
        env: &str,
        name: &str,
        ccy: &str,
        amount: &str,
    ) -> Result<String, AdminError> {
        let acct = self.account_index(env, name)?;
        let amount = parse_decimal(amount, "amount")?;
        let mut exchange = self.exchange();
        let balance = exchange.accounts[acct]
            .funding
            .balances
            .entry(ccy.to_owned())
            .or_default();
        let after = balance
            .avail
            .checked_add(amount)
            .ok_or_else(|| AdminError::Invalid("amount out of range".into()))?;
        if after < Decimal::ZERO {
            return Err(AdminError::Conflict(format!(
                "cannot debit {} {ccy}: {} available",
                -amount, balance.avail
            )));
        }
        balance.avail = after;
        Ok(crate::wire::num(after))
    }

    /// Simulates a deposit to the funding account.
    pub(crate) fn deposit(
        &self,
        env: &str,
        name: &str,
        new: NewDeposit,
    ) -> Result<serde_json::Value, AdminError> {
        let acct = self.account_index(env, name)?;
        let amt = parse_decimal(&new.amt, "amt")?;
        let now = self.clock.now_ms();
        let mut exchange = self.exchange();
        let deposit = exchange
            .deposit(
                acct,
                &new.ccy,
                new.chain.as_deref(),
                amt,
                new.confirm_ms,
                now,
            )
            .map_err(|e| AdminError::Invalid(format!("{e:?}")))?;
        Ok(
            serde_json::json!({"depId": deposit.dep_id.to_string(), "ccy": deposit.ccy, "chain": deposit.chain, "amt": crate::wire::num(deposit.amt), "creditedAt": deposit.credited_at}),
        )
    }

    /// The account's withdrawal address book.
    pub(crate) fn address_book(
        &self,
        env: &str,
        name: &str,
    ) -> Result<Vec<AddressView>, AdminError> {
        let acct = self.account_index(env, name)?;
        let exchange = self.exchange();
        Ok(exchange.accounts[acct]
            .funding
            .address_book
            .iter()
            .map(|a| AddressView {
                ccy: a.ccy.clone(),
                chain: a.chain.clone(),
                addr: a.addr.clone(),
                verified: a.verified,
            })
            .collect())
    }

    /// Adds (or replaces, by currency, chain and address) an address-book entry.
    pub(crate) fn add_address(
        &self,
        env: &str,
        name: &str,
        address: AddressView,
    ) -> Result<Vec<AddressView>, AdminError> {
        let acct = self.account_index(env, name)?;
        {
            let mut exchange = self.exchange();
            if !exchange
                .currencies()
                .iter()
                .any(|c| c.ccy == address.ccy && c.chain == address.chain)
            {
                return Err(AdminError::Invalid(format!(
                    "no currency {} on chain {}",
                    address.ccy, address.chain
                )));
            }
            let book = &mut exchange.accounts[acct].funding.address_book;
            book.retain(|a| {
                !(a.ccy == address.ccy && a.chain == address.chain && a.addr == address.addr)
            });
            book.push(crate::exchange::funding::BookAddress {
                ccy: address.ccy,
                chain: address.chain,
                addr: address.addr,
                verified: address.verified,
            });
        }
        self.address_book(env, name)
    }

    /// Removes an address from the book.
    pub(crate) fn remove_address(
        &self,
        env: &str,
        name: &str,
        addr: &str,
    ) -> Result<Vec<AddressView>, AdminError> {
        let acct = self.account_index(env, name)?;
        {
            let mut exchange = self.exchange();
            let book = &mut exchange.accounts[acct].funding.address_book;
            let before = book.len();
            book.retain(|a| a.addr != addr);
            if book.len() == before {
                return Err(AdminError::NotFound(format!("no address {addr}")));
            }
        }
        self.address_book(env, name)
    }

    /// Journal entries matching `filter`, oldest first.
    pub(crate) fn requests(&self, filter: &JournalFilter) -> Vec<JournalEntry> {
        self.journal.entries(filter)
    }
}
