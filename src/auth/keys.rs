//! API keys: who may call, in which environment, with which permissions, from where.

use std::net::IpAddr;
use std::sync::Arc;

use dashmap::DashMap;
use ipnet::IpNet;

/// Live trading or OKX's demo trading (`x-simulated-trading: 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Env {
    /// Real trading.
    Live,
    /// Demo trading.
    Demo,
}

impl Env {
    /// The environment a request asks for: `x-simulated-trading: 1` is demo;
    /// `0`, absent or anything else is live (other values are unconfirmed).
    pub fn from_header(value: Option<&str>) -> Self {
        match value.map(str::trim) {
            Some("1") => Self::Demo,
            _ => Self::Live,
        }
    }

    /// Lower-case name, as world files spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Demo => "demo",
        }
    }
}

/// What an endpoint requires of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read account, order and funding data.
    Read,
    /// Place and cancel orders, transfer, change settings.
    Trade,
    /// Withdraw.
    Withdraw,
}

impl Permission {
    /// OKX's spelling in key listings (`read_only`, `trade`, `withdraw`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read_only",
            Self::Trade => "trade",
            Self::Withdraw => "withdraw",
        }
    }

    /// Parses OKX's spelling.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Read, Self::Trade, Self::Withdraw]
            .into_iter()
            .find(|p| p.as_str() == text)
    }
}

/// One API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// A name for humans (start-up banner, control API).
    pub label: String,
    /// `OK-ACCESS-KEY`.
    pub api_key: String,
    /// The HMAC secret.
    pub secret_key: String,
    /// `OK-ACCESS-PASSPHRASE`.
    pub passphrase: String,
    /// The environment the key was created in.
    pub env: Env,
    /// Granted permissions. OKX grants read to every key.
    pub perms: Vec<Permission>,
    /// Bound IP addresses or ranges; empty means any address.
    pub ips: Vec<IpNet>,
    /// The name of the account the key trades for (in the key's environment).
    pub account: String,
    /// The site the key was created on: `www` (global), `eea` or `us`.
    pub region: String,
    /// The last private call made with it (exchange time, ms); creation counts as use.
    pub last_used_ms: i64,
}

/// OKX deletes live keys with trade or withdraw permission and no IP binding
/// after 14 days without a private call; demo keys never expire.
pub const IDLE_KEY_LIFETIME_MS: i64 = 14 * 86_400_000;

/// The site a request addressed: `www` (global), `eea` (my.okx.com, eea.okx.com)
/// or `us` (app.okx.com, us.okx.com). Read from `x-okx-mock-region`, else from
/// the first label of the Host header (`my.localhost` works in tests), else `www`.
pub(crate) fn region_of(
    header: Option<&str>,
    host: Option<&str>,
    hosts: &std::collections::BTreeMap<String, String>,
) -> String {
    let label = header
        .or_else(|| host.and_then(|h| h.split('.').next()))
        .unwrap_or("www")
        .to_ascii_lowercase();
    if let Some(site) = hosts.get(&label) {
        return site.clone();
    }
    normalize_region(&label).unwrap_or("www").to_owned()
}

/// `www`, `eea` or `us` for OKX's site names and their aliases.
pub(crate) fn normalize_region(name: &str) -> Option<&'static str> {
    match name {
        "www" | "openapi" | "aws" | "global" => Some("www"),
        "my" | "eea" => Some("eea"),
        "app" | "us" => Some("us"),
        _ => None,
    }
}

impl ApiKey {
    /// Whether the key grants `permission` (read is always granted).
    pub fn allows(&self, permission: Permission) -> bool {
        permission == Permission::Read || self.perms.contains(&permission)
    }

    /// When the idle key will be deleted, if the 14-day rule applies to it.
    pub fn expires_at(&self) -> Option<i64> {
        let idle_rule = self.env == Env::Live
            && self.ips.is_empty()
            && (self.allows_explicitly(Permission::Trade)
                || self.allows_explicitly(Permission::Withdraw));
        idle_rule.then(|| self.last_used_ms + IDLE_KEY_LIFETIME_MS)
    }

    fn allows_explicitly(&self, permission: Permission) -> bool {
        self.perms.contains(&permission)
    }

    /// Whether a request from `ip` may use the key.
    pub fn admits(&self, ip: IpAddr) -> bool {
        self.ips.is_empty() || self.ips.iter().any(|net| net.contains(&ip))
    }
}

/// The keys the venue knows, shared by every request.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyStore {
    keys: Arc<DashMap<String, ApiKey>>,
}

impl KeyStore {
    /// A store holding `keys`.
    pub(crate) fn new(keys: impl IntoIterator<Item = ApiKey>) -> Self {
        let store = Self::default();
        for key in keys {
            store.insert(key);
        }
        store
    }

    /// Adds or replaces a key.
    pub(crate) fn insert(&self, key: ApiKey) {
        self.keys.insert(key.api_key.clone(), key);
    }

    /// The key with this `OK-ACCESS-KEY`, copied out so no map lock is held.
    pub(crate) fn get(&self, api_key: &str) -> Option<ApiKey> {
        self.keys.get(api_key).map(|entry| entry.value().clone())
    }

    /// Removes a key; whether it existed.
    pub(crate) fn remove(&self, api_key: &str) -> bool {
        self.keys.remove(api_key).is_some()
    }

    /// All keys, sorted by label.
    pub(crate) fn all(&self) -> Vec<ApiKey> {
        let mut keys: Vec<ApiKey> = self.keys.iter().map(|e| e.value().clone()).collect();
        keys.sort_by(|a, b| a.label.cmp(&b.label).then(a.api_key.cmp(&b.api_key)));
        keys
    }

    /// Forgets every key.
    pub(crate) fn clear(&self) {
        self.keys.clear();
    }

    /// Records a private call made with the key at `now`.
    pub(crate) fn touch(&self, api_key: &str, now: i64) {
        if let Some(mut key) = self.keys.get_mut(api_key) {
            key.last_used_ms = key.last_used_ms.max(now);
        }
    }
}
