//! The state every request handler shares: a cheap-to-clone handle.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::auth::KeyStore;
use crate::clock::Clock;
use crate::exchange::Exchange;

/// Settings fixed at start-up.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// Largest distance between `OK-ACCESS-TIMESTAMP` and exchange time (OKX: 30 s).
    pub auth_window_ms: i64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            auth_window_ms: 30_000,
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
}

impl AppState {
    /// Locks the venue. Callers keep the guard inside one synchronous block.
    pub(crate) fn exchange(&self) -> MutexGuard<'_, Exchange> {
        // A panic while holding the lock would be a bug in a handler; the venue's
        // data is still consistent at every await point, so keep serving.
        self.exchange
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
