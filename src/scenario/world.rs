//! The world-file format (serde types) and its translation into the venue's types.
//!
//! Field names are OKX's own (`instId`, `tickSz`, ...) so a world file reads
//! like OKX's documentation. Unknown fields are errors: a typo in a test's world
//! must not silently fall back to a default.

use std::collections::HashMap;
use std::net::IpAddr;

use ipnet::IpNet;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::faults::{FaultRule, TimelineAction, TimelineEvent};
use super::rules_file::{FaultFile, TimelineFile};
use crate::auth::{ApiKey, Env, Permission};
use crate::exchange::account::{Account, AcctLv, PosMode};
use crate::exchange::expiry::{Expiry, inst_id_suffix};
use crate::exchange::market::BookSpec;
use crate::exchange::market::bar::VolumeUnit;
use crate::exchange::{
    Contract, CtType, Currency, Exchange, InstType, Instrument, Instruments, MarketSettings,
    PriceModel,
};

/// Why a world file was refused.
#[derive(Debug, thiserror::Error)]
pub enum WorldError {
    /// Not valid TOML, or not the world format; the message has line and column.
    #[error("{0}")]
    Syntax(#[from] toml::de::Error),
    /// Valid TOML that does not describe a consistent world.
    #[error("{0}")]
    Invalid(String),
    /// An error in one of several files.
    #[error("{file}: {error}")]
    InFile {
        /// The file (or source name).
        file: String,
        /// What is wrong in it.
        error: Box<WorldError>,
    },
}

fn invalid(message: impl Into<String>) -> WorldError {
    WorldError::Invalid(message.into())
}

/// A loaded world: what the venue and the key store are built from.
#[derive(Debug)]
pub(crate) struct World {
    pub(crate) instruments: Instruments,
    pub(crate) books: Vec<BookSpec>,
    pub(crate) currencies: Vec<Currency>,
    pub(crate) market: MarketSettings,
    pub(crate) keys: Vec<ApiKey>,
    pub(crate) accounts: Vec<Account>,
    pub(crate) faults: Vec<FaultRule>,
    pub(crate) timeline: Vec<TimelineEvent>,
    /// How far to move the exchange clock at start.
    pub(crate) clock_offset_ms: i64,
    /// Price paths imposed at start: (instId, points).
    pub(crate) price_paths: Vec<(String, Vec<(i64, Decimal)>)>,
    /// `[rateLimits]`, or OKX's defaults.
    pub(crate) rate_limits: crate::ratelimit::RateLimitSettings,
    /// `[regions] hosts`: Host label → site.
    pub(crate) region_hosts: std::collections::BTreeMap<String, String>,
}

impl World {
    /// Parses one world file. `now_ms` places schedule-relative futures (`expiry = "quarter"`).
    #[cfg(test)]
    pub(crate) fn from_toml(text: &str, now_ms: i64) -> Result<World, WorldError> {
        Self::from_sources(&[("world".to_owned(), text.to_owned())], now_ms)
    }

    /// The faults and timeline of a scenario loaded into a running server. Such
    /// a scenario cannot change the world (keys, accounts, instruments...).
    pub(crate) fn runtime_scenario(
        text: &str,
        now_ms: i64,
    ) -> Result<(Vec<FaultRule>, Vec<TimelineEvent>), WorldError> {
        let (file, rules, events) = parse_source(text, now_ms)?;
        let changes_world = file.market.is_some()
            || file.regions.is_some()
            || file.clock.is_some()
            || file.rate_limits.is_some()
            || !file.keys.is_empty()
            || !file.accounts.is_empty()
            || !file.instruments.is_empty()
            || !file.currencies.is_empty();
        if changes_world {
            return Err(invalid(
                "a scenario loaded at run time may only hold [[faults]] and [[timeline]]; world sections need a restart",
            ));
        }
        Ok((rules, events))
    }

    /// Layers several files: the first is the base world, each later one (a
    /// scenario) adds or replaces keys, accounts, instruments and currencies by
    /// identity, replaces `[market]` if it has one, and adds its faults and timeline.
    pub(crate) fn from_sources(
        sources: &[(String, String)],
        now_ms: i64,
    ) -> Result<World, WorldError> {
        let mut merged: Option<WorldFile> = None;
        let mut rules = Vec::new();
        let mut events = Vec::new();
        for (name, text) in sources {
            let in_file = |error: WorldError| WorldError::InFile {
                file: name.clone(),
                error: Box::new(error),
            };
            let (file, file_rules, file_events) = parse_source(text, now_ms).map_err(in_file)?;
            rules.extend(file_rules);
            events.extend(file_events);
            merged = Some(match merged {
                None => file,
                Some(base) => base.overlay(file),
            });
        }
        let mut world = merged.unwrap_or_else(WorldFile::empty).build(now_ms)?;
        for key in &mut world.keys {
            key.last_used_ms = now_ms; // creation counts as use
        }
        world.faults = rules;
        world.timeline = events;
        world.check_references()?;
        Ok(world)
    }

    /// Timeline events name rules and instruments that exist.
    fn check_references(&self) -> Result<(), WorldError> {
        for event in &self.timeline {
            match &event.action {
                TimelineAction::Arm(name) | TimelineAction::Disarm(name)
                    if !self.faults.iter().any(|r| &r.name == name) =>
                {
                    return Err(invalid(format!(
                        "the timeline names fault rule {name:?}, which no file defines"
                    )));
                }
                TimelineAction::SetPrice { inst_id, .. }
                    if self.instruments.by_id(inst_id).is_none() =>
                {
                    return Err(invalid(format!(
                        "the timeline sets the price of {inst_id}, which the world does not list"
                    )));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The API keys of the world.
    pub(crate) fn keys(&self) -> &[ApiKey] {
        &self.keys
    }

    /// Builds the venue of this world, with its price paths imposed.
    pub(crate) fn exchange(&self, seed: u64, origin_ms: i64) -> Result<Exchange, WorldError> {
        let mut exchange = Exchange::new(
            self.instruments.clone(),
            &self.books,
            self.currencies.clone(),
            self.market.clone(),
            self.accounts.clone(),
            seed,
            origin_ms,
        );
        for (inst_id, points) in &self.price_paths {
            exchange
                .impose_prices(inst_id, points, origin_ms)
                .map_err(|e| invalid(format!("prices of {inst_id}: {e}")))?;
        }
        Ok(exchange)
    }
}

/// Parses one file and builds its faults and timeline, with positions in errors.
fn parse_source(
    text: &str,
    now_ms: i64,
) -> Result<(WorldFile, Vec<FaultRule>, Vec<TimelineEvent>), WorldError> {
    let mut file: WorldFile = toml::from_str(text)?;
    let at = |span: std::ops::Range<usize>, message: String| {
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        invalid(format!("line {line}, column {column}: {message}"))
    };
    let mut rules: Vec<FaultRule> = Vec::new();
    for spanned in std::mem::take(&mut file.faults) {
        let span = spanned.span();
        let fault = spanned.into_inner();
        let name = fault.name().to_owned();
        if rules.iter().any(|r| r.name == name) {
            return Err(at(span, format!("fault rule {name:?} is defined twice")));
        }
        rules.push(
            fault
                .build()
                .map_err(|e| at(span, format!("fault rule {name:?}: {e}")))?,
        );
    }
    let mut events = Vec::new();
    for spanned in std::mem::take(&mut file.timeline) {
        let span = spanned.span();
        events.push(
            spanned
                .into_inner()
                .build(now_ms)
                .map_err(|e| at(span, format!("timeline: {e}")))?,
        );
    }
    events.sort_by_key(|e: &TimelineEvent| e.at);
    Ok((file, rules, events))
}

/// Replaces items of `base` with same-identity items of `later`; appends the rest.
fn replace_or_add<T, K: PartialEq>(base: &mut Vec<T>, later: Vec<T>, id: impl Fn(&T) -> K) {
    for item in later {
        match base.iter().position(|b| id(b) == id(&item)) {
            Some(i) => base[i] = item,
            None => base.push(item),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorldFile {
    market: Option<MarketFile>,
    #[serde(rename = "rateLimits")]
    rate_limits: Option<crate::ratelimit::RateLimitSettings>,
    regions: Option<RegionsFile>,
    clock: Option<ClockFile>,
    #[serde(default)]
    keys: Vec<KeyFile>,
    #[serde(default)]
    accounts: Vec<AccountFile>,
    #[serde(default)]
    instruments: Vec<InstrumentFile>,
    #[serde(default)]
    currencies: Vec<CurrencyFile>,
    #[serde(default)]
    prices: Vec<PricesFile>,
    #[serde(default)]
    faults: Vec<toml::Spanned<FaultFile>>,
    #[serde(default)]
    timeline: Vec<toml::Spanned<TimelineFile>>,
}

/// `[[prices]]`: a price path imposed from start: linear through its points, then holding.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PricesFile {
    inst_id: String,
    path: Vec<PricePointFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PricePointFile {
    at: Option<super::rules_file::TimeSpec>,
    after_ms: Option<i64>,
    px: Decimal,
}

/// `[regions]`: Host labels (first label of the Host header) and the site each means.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionsFile {
    hosts: std::collections::BTreeMap<String, String>,
}

/// `[clock]`: where the exchange clock stands relative to the one it is given.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ClockFile {
    /// Moves the exchange clock by this much at start (negative: the server is behind).
    offset_ms: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct MarketFile {
    #[serde(default = "default_price_model")]
    price_model: String,
    #[serde(default = "default_walk_vol")]
    walk_vol_per_min: Decimal,
    #[serde(default = "default_book_levels")]
    book_levels: usize,
    #[serde(default = "default_spread_ticks")]
    spread_ticks: u32,
}

impl Default for MarketFile {
    fn default() -> Self {
        Self {
            price_model: default_price_model(),
            walk_vol_per_min: default_walk_vol(),
            book_levels: default_book_levels(),
            spread_ticks: default_spread_ticks(),
        }
    }
}

fn default_price_model() -> String {
    "static".into()
}
fn default_walk_vol() -> Decimal {
    Decimal::new(8, 4)
}
fn default_book_levels() -> usize {
    400
}
fn default_spread_ticks() -> u32 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct KeyFile {
    label: String,
    env: String,
    api_key: String,
    secret_key: String,
    passphrase: String,
    perms: Vec<String>,
    #[serde(default)]
    ips: Vec<String>,
    #[serde(default = "main_account")]
    account: String,
    /// `www` (default), `eea` (my.okx.com) or `us` (app.okx.com).
    region: Option<String>,
}

fn main_account() -> String {
    "main".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AccountFile {
    #[serde(default = "main_account")]
    name: String,
    env: String,
    uid: String,
    #[serde(default = "futures_mode")]
    acct_lv: String,
    #[serde(default = "net_mode")]
    pos_mode: String,
    #[serde(default)]
    balances: std::collections::BTreeMap<String, Decimal>,
    /// The funding account's balances.
    #[serde(default)]
    funding: std::collections::BTreeMap<String, Decimal>,
    #[serde(default)]
    address_book: Vec<AddressFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AddressFile {
    ccy: String,
    chain: String,
    addr: String,
    #[serde(default)]
    verified: bool,
}

fn futures_mode() -> String {
    "2".into()
}
fn net_mode() -> String {
    "net_mode".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct InstrumentFile {
    inst_type: String,
    inst_id: Option<String>,
    inst_family: Option<String>,
    uly: Option<String>,
    base_ccy: Option<String>,
    quote_ccy: Option<String>,
    settle_ccy: Option<String>,
    ct_type: Option<String>,
    ct_val: Option<Decimal>,
    ct_mult: Option<Decimal>,
    ct_val_ccy: Option<String>,
    tick_sz: Decimal,
    lot_sz: Decimal,
    min_sz: Decimal,
    max_lmt_sz: Option<Decimal>,
    max_mkt_sz: Option<Decimal>,
    max_lmt_amt: Option<Decimal>,
    max_mkt_amt: Option<Decimal>,
    max_algo_sz: Option<Decimal>,
    lever: Option<String>,
    list_time: Option<String>,
    exp_time: Option<String>,
    expiry: Option<String>,
    alias: Option<String>,
    state: Option<String>,
    inst_id_code: Option<i64>,
    px: Option<Decimal>,
    level_sz: Option<Decimal>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CurrencyFile {
    ccy: String,
    name: String,
    chain: String,
    #[serde(default)]
    ct_addr: String,
    #[serde(default = "yes")]
    can_dep: bool,
    #[serde(default = "yes")]
    can_wd: bool,
    #[serde(default = "yes")]
    can_internal: bool,
    min_dep: Decimal,
    min_wd: Decimal,
    max_wd: Decimal,
    wd_tick_sz: String,
    fee: Decimal,
    #[serde(default = "yes")]
    main_net: bool,
    #[serde(default)]
    need_tag: bool,
    min_dep_arrival_confirm: String,
    min_wd_unlock_confirm: String,
}

fn yes() -> bool {
    true
}

impl WorldFile {
    fn empty() -> Self {
        toml::from_str("").expect("an empty world parses")
    }

    /// `later` layered over `self`.
    fn overlay(mut self, later: WorldFile) -> WorldFile {
        if later.market.is_some() {
            self.market = later.market;
        }
        if later.clock.is_some() {
            self.clock = later.clock;
        }
        if later.rate_limits.is_some() {
            self.rate_limits = later.rate_limits;
        }
        if let Some(later_regions) = later.regions {
            match &mut self.regions {
                Some(regions) => regions.hosts.extend(later_regions.hosts),
                None => self.regions = Some(later_regions),
            }
        }
        replace_or_add(&mut self.keys, later.keys, |k| k.api_key.clone());
        replace_or_add(&mut self.accounts, later.accounts, |a| {
            (a.env.clone(), a.name.clone())
        });
        replace_or_add(&mut self.instruments, later.instruments, |i| {
            (
                i.inst_type.clone(),
                i.inst_id.clone(),
                i.inst_family.clone(),
                i.expiry.clone(),
            )
        });
        replace_or_add(&mut self.currencies, later.currencies, |c| {
            (c.ccy.clone(), c.chain.clone())
        });
        self.prices.extend(later.prices);
        self
    }

    fn build(self, now_ms: i64) -> Result<World, WorldError> {
        let clock_offset_ms = self.clock.as_ref().map_or(0, |c| c.offset_ms);
        let region_hosts = self
            .regions
            .as_ref()
            .map(|r| &r.hosts)
            .into_iter()
            .flatten()
            .map(|(label, site)| {
                crate::auth::normalize_region(site)
                    .map(|site| (label.to_ascii_lowercase(), site.to_owned()))
                    .ok_or_else(|| invalid(format!("regions: host {label:?} maps to {site:?}, not www, eea (my) or us (app)")))
            })
            .collect::<Result<std::collections::BTreeMap<_, _>, WorldError>>()?;
        let price_paths = self
            .prices
            .iter()
            .map(|p| {
                let points = p
                    .path
                    .iter()
                    .map(|point| match (&point.at, point.after_ms) {
                        (Some(at), None) => at.ms().map(|t| (t, point.px)),
                        (None, Some(after)) => Ok((now_ms + after, point.px)),
                        _ => Err("a price point needs exactly one of at or afterMs".to_owned()),
                    })
                    .collect::<Result<Vec<_>, String>>()
                    .map_err(|e| invalid(format!("prices of {}: {e}", p.inst_id)))?;
                Ok((p.inst_id.clone(), points))
            })
            .collect::<Result<Vec<_>, WorldError>>()?;
        let market = self.market.unwrap_or_default().build()?;
        let keys = self
            .keys
            .into_iter()
            .map(KeyFile::build)
            .collect::<Result<Vec<_>, _>>()?;
        let mut seen_keys = HashMap::new();
        for key in &keys {
            if seen_keys.insert(key.api_key.clone(), ()).is_some() {
                return Err(invalid(format!("key {}: apiKey is used twice", key.label)));
            }
        }
        let accounts = self
            .accounts
            .into_iter()
            .map(AccountFile::build)
            .collect::<Result<Vec<_>, _>>()?;
        for key in &keys {
            if !accounts
                .iter()
                .any(|a| a.env == key.env && a.name == key.account)
            {
                return Err(invalid(format!(
                    "key {}: no {} account named {:?}",
                    key.label,
                    key.env.as_str(),
                    key.account
                )));
            }
        }
        for (i, a) in accounts.iter().enumerate() {
            if accounts[..i]
                .iter()
                .any(|b| b.env == a.env && b.name == a.name)
            {
                return Err(invalid(format!(
                    "account {} ({}) is listed twice",
                    a.name,
                    a.env.as_str()
                )));
            }
        }
        let (instruments, books) = build_instruments(self.instruments, now_ms)?;
        let currencies = self
            .currencies
            .into_iter()
            .map(CurrencyFile::build)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(World {
            instruments,
            books,
            currencies,
            market,
            keys,
            accounts,
            faults: Vec::new(),
            timeline: Vec::new(),
            clock_offset_ms,
            price_paths,
            rate_limits: self.rate_limits.unwrap_or_default(),
            region_hosts,
        })
    }
}

impl MarketFile {
    fn build(self) -> Result<MarketSettings, WorldError> {
        let price_model = match self.price_model.as_str() {
            "static" => PriceModel::Static,
            "walk" => PriceModel::Walk {
                vol_per_min: self.walk_vol_per_min.to_string().parse().unwrap_or(0.0),
            },
            other => {
                return Err(invalid(format!(
                    "market.priceModel: expected \"static\" or \"walk\", found {other:?}"
                )));
            }
        };
        if self.book_levels == 0 {
            return Err(invalid("market.bookLevels must be at least 1"));
        }
        Ok(MarketSettings {
            price_model,
            book_levels: self.book_levels,
            spread_ticks: self.spread_ticks.max(1),
        })
    }
}

fn parse_env(text: &str, owner: &str) -> Result<Env, WorldError> {
    match text {
        "live" => Ok(Env::Live),
        "demo" => Ok(Env::Demo),
        other => Err(invalid(format!(
            "{owner}: env must be \"live\" or \"demo\", found {other:?}"
        ))),
    }
}

impl AccountFile {
    fn build(self) -> Result<Account, WorldError> {
        let owner = format!("account {}", self.name);
        let env = parse_env(&self.env, &owner)?;
        let acct_lv = AcctLv::parse(&self.acct_lv)
            .ok_or_else(|| invalid(format!("{owner}: acctLv must be \"1\" to \"4\"")))?;
        let pos_mode = PosMode::parse(&self.pos_mode).ok_or_else(|| {
            invalid(format!(
                "{owner}: posMode must be net_mode or long_short_mode"
            ))
        })?;
        if acct_lv == AcctLv::Portfolio && pos_mode == PosMode::LongShort {
            return Err(invalid(format!(
                "{owner}: portfolio margin (acctLv 4) only supports net_mode"
            )));
        }
        if self.uid.is_empty() || !self.uid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(format!("{owner}: uid must be digits")));
        }
        let mut account = Account::new(&self.name, env, self.uid, acct_lv, pos_mode);
        for (ccy, amount) in self.balances {
            if amount < Decimal::ZERO {
                return Err(invalid(format!("{owner}: balance of {ccy} is negative")));
            }
            account.balance(&ccy).cash = amount;
        }
        for (ccy, amount) in self.funding {
            if amount < Decimal::ZERO {
                return Err(invalid(format!(
                    "{owner}: funding balance of {ccy} is negative"
                )));
            }
            account.funding.balances.entry(ccy).or_default().avail = amount;
        }
        account.funding.address_book = self
            .address_book
            .into_iter()
            .map(|a| crate::exchange::funding::BookAddress {
                ccy: a.ccy,
                chain: a.chain,
                addr: a.addr,
                verified: a.verified,
            })
            .collect();
        Ok(account)
    }
}

impl KeyFile {
    fn build(self) -> Result<ApiKey, WorldError> {
        let env = parse_env(&self.env, &format!("key {}", self.label))?;
        let perms = self
            .perms
            .iter()
            .map(|p| {
                Permission::parse(p).ok_or_else(|| {
                    invalid(format!(
                        "key {}: unknown permission {p:?} (read_only, trade, withdraw)",
                        self.label
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let ips = self
            .ips
            .iter()
            .map(|text| {
                parse_ip_or_net(text).ok_or_else(|| {
                    invalid(format!(
                        "key {}: {text:?} is not an IP address or range",
                        self.label
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let region = match self.region.as_deref() {
            None => "www",
            Some(name) => crate::auth::normalize_region(name).ok_or_else(|| {
                invalid(format!(
                    "key {}: region {name:?} is not www, eea (my) or us (app)",
                    self.label
                ))
            })?,
        }
        .to_owned();
        Ok(ApiKey {
            label: self.label,
            api_key: self.api_key,
            secret_key: self.secret_key,
            passphrase: self.passphrase,
            env,
            perms,
            ips,
            account: self.account,
            region,
            // Set to the load time by World::from_sources.
            last_used_ms: 0,
        })
    }
}

/// `10.0.0.1` or `10.0.0.0/8`.
pub(crate) fn parse_ip_or_net(text: &str) -> Option<IpNet> {
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

impl CurrencyFile {
    fn build(self) -> Result<Currency, WorldError> {
        let number = |field: &str, text: &str| {
            text.parse::<u32>().map_err(|_| {
                invalid(format!(
                    "currency {} {}: {field} must be a whole number",
                    self.ccy, self.chain
                ))
            })
        };
        Ok(Currency {
            wd_tick_sz: number("wdTickSz", &self.wd_tick_sz)?,
            min_dep_arrival_confirm: number("minDepArrivalConfirm", &self.min_dep_arrival_confirm)?,
            min_wd_unlock_confirm: number("minWdUnlockConfirm", &self.min_wd_unlock_confirm)?,
            ccy: self.ccy,
            name: self.name,
            chain: self.chain,
            ct_addr: self.ct_addr,
            can_dep: self.can_dep,
            can_wd: self.can_wd,
            can_internal: self.can_internal,
            min_dep: self.min_dep,
            min_wd: self.min_wd,
            max_wd: self.max_wd,
            fee: self.fee,
            main_net: self.main_net,
            need_tag: self.need_tag,
        })
    }
}

/// Builds the instruments and their books. SPOT, SWAP and FUTURES instruments
/// each get a book; a MARGIN pair trades on the SPOT book of the same instId.
fn build_instruments(
    files: Vec<InstrumentFile>,
    now_ms: i64,
) -> Result<(Instruments, Vec<BookSpec>), WorldError> {
    let mut list: Vec<Instrument> = Vec::new();
    let mut books: Vec<BookSpec> = Vec::new();
    let mut book_of: HashMap<String, usize> = HashMap::new();
    let mut margins = Vec::new();
    for file in files {
        let px = file.px;
        let level_sz = file.level_sz;
        let mut inst = file.build(now_ms)?;
        if list
            .iter()
            .any(|i| i.inst_type == inst.inst_type && i.inst_id == inst.inst_id)
        {
            return Err(invalid(format!(
                "instrument {} {} is listed twice",
                inst.inst_type, inst.inst_id
            )));
        }
        if inst.inst_type == InstType::Margin && px.is_none() {
            margins.push(list.len());
        } else {
            let px = px.ok_or_else(|| {
                invalid(format!(
                    "instrument {}: px (its starting price) is required",
                    inst.inst_id
                ))
            })?;
            if px <= Decimal::ZERO {
                return Err(invalid(format!(
                    "instrument {}: px must be positive",
                    inst.inst_id
                )));
            }
            let spec = book_spec(&inst, px, level_sz);
            if book_of.contains_key(&inst.inst_id) {
                return Err(invalid(format!(
                    "instrument {}: a second px for the same book",
                    inst.inst_id
                )));
            }
            inst.book = books.len();
            book_of.insert(inst.inst_id.clone(), books.len());
            books.push(spec);
        }
        list.push(inst);
    }
    for index in margins {
        let inst = &mut list[index];
        inst.book = *book_of.get(&inst.inst_id).ok_or_else(|| {
            invalid(format!(
                "instrument MARGIN {}: no SPOT {} to share a book with, and no px of its own",
                inst.inst_id, inst.inst_id
            ))
        })?;
    }
    Ok((Instruments::new(list), books))
}

fn book_spec(inst: &Instrument, px: Decimal, level_sz: Option<Decimal>) -> BookSpec {
    let unit = match &inst.contract {
        None => VolumeUnit::Spot,
        Some(c) if c.ct_type == CtType::Linear => VolumeUnit::Linear {
            ct_val: c.ct_val * c.ct_mult,
        },
        Some(c) => VolumeUnit::Inverse {
            ct_val: c.ct_val * c.ct_mult,
        },
    };
    BookSpec {
        inst_id: inst.inst_id.clone(),
        px,
        tick_sz: inst.tick_sz,
        lot_sz: inst.lot_sz,
        min_sz: inst.min_sz,
        level_sz: level_sz.unwrap_or(inst.min_sz * Decimal::from(1000)),
        unit,
        list_time: inst.list_time,
    }
}

impl InstrumentFile {
    fn build(self, now_ms: i64) -> Result<Instrument, WorldError> {
        let inst_type = InstType::parse(&self.inst_type).ok_or_else(|| {
            invalid(format!(
                "instType {:?} is not SPOT, MARGIN, SWAP, FUTURES or OPTION",
                self.inst_type
            ))
        })?;
        let (inst_id, exp_time, alias) = self.identity(inst_type, now_ms)?;
        let name = format!("instrument {inst_type} {inst_id}");
        for (field, value) in [
            ("tickSz", self.tick_sz),
            ("lotSz", self.lot_sz),
            ("minSz", self.min_sz),
        ] {
            if value <= Decimal::ZERO {
                return Err(invalid(format!("{name}: {field} must be positive")));
            }
        }
        let parts: Vec<&str> = inst_id.split('-').collect();
        if parts.len() < 2 {
            return Err(invalid(format!(
                "{name}: instId must look like BASE-QUOTE[-...]"
            )));
        }
        let base_ccy = self.base_ccy.clone().unwrap_or_else(|| parts[0].to_owned());
        let quote_ccy = self
            .quote_ccy
            .clone()
            .unwrap_or_else(|| parts[1].trim_end_matches("_UM").to_owned());
        let contract = if inst_type.is_derivative() {
            Some(self.contract(&name, &base_ccy, &quote_ccy, &parts)?)
        } else {
            None
        };
        let max_lmt_sz = self.max_lmt_sz.unwrap_or(Decimal::from(9_999_999_999u64));
        let list_time = match &self.list_time {
            Some(text) => text
                .parse()
                .map_err(|_| invalid(format!("{name}: listTime must be ms since the epoch")))?,
            None => 0,
        };
        Ok(Instrument {
            inst_type,
            inst_id,
            inst_id_code: self.inst_id_code,
            base_ccy,
            quote_ccy,
            contract,
            tick_sz: self.tick_sz.normalize(),
            lot_sz: self.lot_sz.normalize(),
            min_sz: self.min_sz.normalize(),
            max_lmt_sz,
            max_mkt_sz: self.max_mkt_sz.unwrap_or(Decimal::from(1_000_000)),
            max_lmt_amt: self.max_lmt_amt.unwrap_or(Decimal::from(20_000_000)),
            max_mkt_amt: self.max_mkt_amt.unwrap_or(Decimal::from(1_000_000)),
            max_algo_sz: self.max_algo_sz.unwrap_or(max_lmt_sz),
            lever: self.lever.unwrap_or_default(),
            list_time,
            exp_time,
            alias: alias.or(self.alias).unwrap_or_default(),
            state: self.state.unwrap_or_else(|| "live".into()),
            book: 0,
        })
    }

    /// instId, expTime and alias: given, or derived from the delivery schedule.
    fn identity(
        &self,
        inst_type: InstType,
        now_ms: i64,
    ) -> Result<(String, Option<i64>, Option<String>), WorldError> {
        let parse_ms = |text: &str| {
            text.parse::<i64>()
                .map_err(|_| invalid(format!("expTime {text:?} must be ms since the epoch")))
        };
        match (&self.inst_id, &self.expiry) {
            (Some(_), Some(_)) => Err(invalid(
                "give either instId (with expTime) or expiry, not both",
            )),
            (Some(id), None) => {
                let exp = self.exp_time.as_deref().map(parse_ms).transpose()?;
                if inst_type == InstType::Futures && exp.is_none() {
                    return Err(invalid(format!(
                        "instrument FUTURES {id}: expTime is required (or use expiry)"
                    )));
                }
                Ok((id.to_uppercase(), exp, None))
            }
            (None, Some(name)) => {
                if inst_type != InstType::Futures {
                    return Err(invalid("expiry is only for FUTURES"));
                }
                let expiry = Expiry::parse(name).ok_or_else(|| {
                    invalid(format!(
                        "expiry {name:?}: expected \"quarter\" or \"next_quarter\""
                    ))
                })?;
                let family = self
                    .inst_family
                    .as_deref()
                    .ok_or_else(|| invalid("a FUTURES with expiry needs instFamily"))?;
                let delivery = expiry.delivery_ms(now_ms);
                Ok((
                    format!("{family}-{}", inst_id_suffix(delivery)),
                    Some(delivery),
                    Some(expiry.alias().to_owned()),
                ))
            }
            (None, None) => Err(invalid(format!(
                "an instrument of type {} has no instId",
                self.inst_type
            ))),
        }
    }

    fn contract(
        &self,
        name: &str,
        base: &str,
        quote: &str,
        parts: &[&str],
    ) -> Result<Contract, WorldError> {
        let ct_type = match self.ct_type.as_deref() {
            Some("linear") => CtType::Linear,
            Some("inverse") => CtType::Inverse,
            _ => {
                return Err(invalid(format!(
                    "{name}: ctType must be \"linear\" or \"inverse\""
                )));
            }
        };
        let ct_val = self
            .ct_val
            .filter(|v| *v > Decimal::ZERO)
            .ok_or_else(|| invalid(format!("{name}: ctVal (positive) is required")))?;
        let family = format!("{}-{}", parts[0], parts[1]);
        let default_settle = match ct_type {
            CtType::Linear => quote,
            CtType::Inverse => base,
        };
        let default_ct_val_ccy = match ct_type {
            CtType::Linear => base,
            CtType::Inverse => "USD",
        };
        Ok(Contract {
            ct_type,
            ct_val: ct_val.normalize(),
            ct_mult: self.ct_mult.unwrap_or(Decimal::ONE).normalize(),
            ct_val_ccy: self
                .ct_val_ccy
                .clone()
                .unwrap_or_else(|| default_ct_val_ccy.to_owned()),
            settle_ccy: self
                .settle_ccy
                .clone()
                .unwrap_or_else(|| default_settle.to_owned()),
            uly: self
                .uly
                .clone()
                .unwrap_or_else(|| format!("{base}-{quote}")),
            inst_family: self.inst_family.clone().unwrap_or(family),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::DEFAULT_WORLD;

    const NOW: i64 = 1_795_000_000_000; // 2026-11-18

    #[test]
    fn the_embedded_world_loads_with_every_instrument_type_ccxt_fetches() {
        let world = World::from_toml(DEFAULT_WORLD, NOW).unwrap();
        for t in [
            InstType::Spot,
            InstType::Margin,
            InstType::Swap,
            InstType::Futures,
        ] {
            assert!(world.instruments.of_type(t).count() > 0, "{t}");
        }
        let envs: Vec<Env> = world.keys.iter().map(|k| k.env).collect();
        assert!(envs.contains(&Env::Live) && envs.contains(&Env::Demo));
        let future = world.instruments.of_type(InstType::Futures).next().unwrap();
        assert_eq!(future.inst_id, "BTC-USDT-261225");
        assert!(future.exp_time.unwrap() > NOW);
        let btc_usdt = |t| {
            world
                .instruments
                .of_type(t)
                .find(|i| i.inst_id == "BTC-USDT")
                .unwrap()
        };
        let (margin, spot) = (btc_usdt(InstType::Margin), btc_usdt(InstType::Spot));
        assert_eq!(margin.book, spot.book, "margin trades on the spot book");
    }

    #[test]
    fn a_typo_in_a_field_name_is_an_error_with_its_line() {
        let text = "[[instruments]]\ninstType = \"SPOT\"\ninstId = \"A-B\"\ntickSize = \"1\"\n";
        let error = World::from_toml(text, NOW).unwrap_err().to_string();
        assert!(error.contains("line 4"), "{error}");
        assert!(error.contains("tickSize"), "{error}");
    }

    #[test]
    fn a_derivative_without_a_contract_type_is_refused() {
        let text = "[[instruments]]\ninstType = \"SWAP\"\ninstId = \"A-B-SWAP\"\ntickSz = \"1\"\nlotSz = \"1\"\nminSz = \"1\"\nctVal = \"1\"\npx = \"5\"\n";
        let error = World::from_toml(text, NOW).unwrap_err().to_string();
        assert!(error.contains("ctType"), "{error}");
    }
}
