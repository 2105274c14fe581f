//! The state every request handler shares: a cheap-to-clone handle.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::auth::KeyStore;
use crate::clock::Clock;
use crate::exchange::Exchange;
use crate::journal::Journal;

/// Settings fixed at start-up.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// Largest distance between `OK-ACCESS-TIMESTAMP` and exchange time (OKX: 30 s).
    pub(crate) auth_window_ms: i64,
    /// Token the control API requires (header `x-admin-token`), if any.
    pub(crate) admin_token: Option<String>,
    /// The world and scenario files the server was started with (name, TOML), for resets.
    pub(crate) sources: Arc<Vec<(String, String)>>,
    /// The seed it was started with.
    pub(crate) seed: u64,
    /// Journal entries kept.
    pub(crate) journal_cap: usize,
    /// Extra Host labels and the regional site each means (`[regions] hosts`).
    pub(crate) region_hosts: std::collections::BTreeMap<String, String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            auth_window_ms: 30_000,
            admin_token: None,
            sources: Arc::new(vec![(
                "embedded world".to_owned(),
                crate::scenario::DEFAULT_WORLD.to_owned(),
            )]),
            seed: 0,
            journal_cap: crate::journal::DEFAULT_JOURNAL_CAP,
            region_hosts: std::collections::BTreeMap::new(),
        }
    }
}

/// Shared state. One mutex around the venue keeps each step of it atomic; it is
/// never held across an `.await` (see [`AppState::exchange`]).
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) exchange: Arc<Mutex<Exchange>>,
    pub(crate) keys: KeyStore,
    pub(crate) clock: Clock,
    pub(crate) config: Arc<Config>,
    pub(crate) journal: Journal,
    /// Fault rules, timeline and maintenance.
    pub(crate) scenario: crate::scenario::layer::Scenario,
    /// OKX's rate limits and their counters.
    pub(crate) limits: Arc<crate::ratelimit::RateLimiter>,
    /// Turns true when the server shuts down (ends faults that never answer).
    pub(crate) shutting_down: tokio::sync::watch::Receiver<bool>,
}

impl AppState {
    /// Locks the venue. Callers keep the guard inside one synchronous block.
    pub(crate) fn exchange(&self) -> MutexGuard<'_, Exchange> {
        // A panic while holding the lock is a bug (tests would catch it); keep
        // serving rather than failing every later request.
        self.exchange
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
