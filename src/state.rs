//! The state every request handler shares: a cheap-to-clone handle.

use std::sync::Arc;

use crate::auth::KeyStore;
use crate::clock::Clock;
use crate::exchange::Exchange;
use crate::exchange::events::VenueEvent;
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
    /// A WebSocket connection that neither receives nor sends for this long is
    /// closed (OKX: 30 s). Wall-clock time, because clients keep connections
    /// alive with wall-clock timers while tests move the exchange clock in jumps.
    pub(crate) ws_idle: std::time::Duration,
    /// The TLS listener's certificate (PEM), when there is one.
    pub(crate) tls_cert_pem: Option<String>,
    /// Orders, algo orders, fills, bills and closed positions each account keeps.
    pub(crate) history_cap: usize,
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
            ws_idle: std::time::Duration::from_secs(30),
            tls_cert_pem: None,
            history_cap: crate::exchange::HISTORY_CAP,
        }
    }
}

/// Shared state behind one `Arc`: every middleware layer clones the handle
/// per request, so a clone is a single reference count. One mutex around the
/// venue keeps each step of it atomic; it is never held across an `.await`
/// (see [`AppState::exchange`]).
#[derive(Clone)]
pub(crate) struct AppState(Arc<Shared>);

impl AppState {
    pub(crate) fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] shares.
pub(crate) struct Shared {
    /// parking_lot's mutex spins briefly before it parks: the venue's steps
    /// are short, and parking a thread for each of them cost a context switch.
    pub(crate) exchange: parking_lot::Mutex<Exchange>,
    pub(crate) keys: KeyStore,
    pub(crate) clock: Clock,
    pub(crate) config: Config,
    pub(crate) journal: Journal,
    /// Fault rules, timeline and maintenance.
    pub(crate) scenario: crate::scenario::layer::Scenario,
    /// OKX's rate limits and their counters.
    pub(crate) limits: Arc<crate::ratelimit::RateLimiter>,
    /// Turns true when the server shuts down (ends faults that never answer).
    pub(crate) shutting_down: tokio::sync::watch::Receiver<bool>,
    /// Where the venue's events go once its lock is released (WebSocket channels listen).
    pub(crate) events: EventBus,
    /// WebSocket connections per account on each capped private channel.
    pub(crate) ws_conns: crate::ws::ChannelConns,
}

/// The venue's events, one batch per locked step, to every listener.
pub(crate) type EventBus = tokio::sync::broadcast::Sender<Arc<Vec<VenueEvent>>>;

/// Batches a slow listener may fall behind by before it misses some.
pub(crate) const EVENT_BACKLOG: usize = 4096;

/// The locked venue. On release it hands the events of the step to the bus,
/// so a listener sees them only once the step is complete.
pub(crate) struct Venue<'a> {
    guard: parking_lot::MutexGuard<'a, Exchange>,
    events: &'a EventBus,
}

impl std::ops::Deref for Venue<'_> {
    type Target = Exchange;
    fn deref(&self) -> &Exchange {
        &self.guard
    }
}

impl std::ops::DerefMut for Venue<'_> {
    fn deref_mut(&mut self) -> &mut Exchange {
        &mut self.guard
    }
}

impl Drop for Venue<'_> {
    fn drop(&mut self) {
        let events = self.guard.take_events();
        if !events.is_empty() {
            // No receiver left is fine: nobody listens any more.
            let _ = self.events.send(Arc::new(events));
        }
    }
}

impl AppState {
    /// Locks the venue. Callers keep the guard inside one synchronous block.
    pub(crate) fn exchange(&self) -> Venue<'_> {
        // (parking_lot's mutex is not poisoned by a panic: a bug in one request
        // does not fail every later one.)
        let mut guard = self.exchange.lock();
        guard.record_events(self.events.receiver_count() > 0);
        Venue {
            guard,
            events: &self.events,
        }
    }
}
