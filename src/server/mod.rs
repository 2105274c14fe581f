//! The handle users hold: [`MockOkx`], a running server on its own thread and
//! runtime (so it works under any test runtime and with blocking clients), and
//! [`MockOkxBuilder`], which the binary uses too.

mod control;

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use crate::app::app;
use crate::auth::{ApiKey, Env, KeyStore};
use crate::clock::Clock;
use crate::journal::Journal;
use crate::scenario::layer::{Scenario, ScenarioRuntime};
use crate::scenario::{DEFAULT_WORLD, World, WorldError};
use crate::state::{AppState, Config};
use crate::tls::TlsCert;

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The world file could not be read.
    #[error("cannot read world file {path}: {source}")]
    ReadWorld {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The world file is not a valid world.
    #[error("invalid world{}: {source}", .path.as_ref().map(|p| format!(" file {}", p.display())).unwrap_or_default())]
    World {
        /// The file, if the world came from one.
        path: Option<PathBuf>,
        /// What is wrong with it.
        source: WorldError,
    },
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: io::Error,
    },
    /// The TLS listener's certificate could not be set up.
    #[error("{0}")]
    Tls(#[from] crate::tls::TlsError),
    /// The server thread could not be started.
    #[error("cannot start the server thread: {0}")]
    Thread(io::Error),
}

/// The three values a client needs to sign requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `OK-ACCESS-KEY` (ccxt `apiKey`).
    pub api_key: String,
    /// The signing secret (ccxt `secret`).
    pub secret_key: String,
    /// `OK-ACCESS-PASSPHRASE` (ccxt `password`).
    pub passphrase: String,
}

impl From<&ApiKey> for Credentials {
    fn from(key: &ApiKey) -> Self {
        Self {
            api_key: key.api_key.clone(),
            secret_key: key.secret_key.clone(),
            passphrase: key.passphrase.clone(),
        }
    }
}

#[derive(Debug, Clone)]
enum Source {
    Text(String, String),
    File(PathBuf),
}

impl Source {
    fn read(&self) -> Result<(String, String), StartError> {
        match self {
            Self::Text(name, text) => Ok((name.clone(), text.clone())),
            Self::File(path) => std::fs::read_to_string(path)
                .map(|text| (path.display().to_string(), text))
                .map_err(|source| StartError::ReadWorld {
                    path: path.clone(),
                    source,
                }),
        }
    }
}

/// Configures a server: address, seed, clock and world.
#[derive(Debug, Clone)]
pub struct MockOkxBuilder {
    host: IpAddr,
    port: u16,
    seed: u64,
    clock: Clock,
    world: Source,
    scenarios: Vec<Source>,
    rate_limits: Option<crate::ratelimit::RateLimitSettings>,
    /// The TLS listener's port, if it is wanted.
    tls_port: Option<u16>,
    tls_cert: TlsCert,
    config: Config,
}

impl Default for MockOkxBuilder {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            seed: 0,
            clock: Clock::system(),
            world: Source::Text("embedded world".into(), DEFAULT_WORLD.into()),
            scenarios: Vec::new(),
            rate_limits: None,
            tls_port: None,
            tls_cert: TlsCert::SelfSigned,
            config: Config::default(),
        }
    }
}

impl MockOkxBuilder {
    /// The address to listen on (default 127.0.0.1).
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// The port (default 0: one the OS picks).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The seed of every random choice (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The exchange clock (default: system time). Keep a clone to move it.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// A world given as TOML text instead of the embedded default.
    pub fn world_toml(mut self, text: impl Into<String>) -> Self {
        self.world = Source::Text("world".into(), text.into());
        self
    }

    /// OKX's rate limits: on (the default, with OKX's numbers), scaled, or off.
    /// Overrides a world file's `[rateLimits]`.
    pub fn rate_limits(mut self, settings: crate::ratelimit::RateLimitSettings) -> Self {
        self.rate_limits = Some(settings);
        self
    }

    /// How many requests the journal keeps (default 10 000; oldest dropped first).
    pub fn journal_cap(mut self, cap: usize) -> Self {
        self.config.journal_cap = cap;
        self
    }

    /// How many orders, algo orders, fills, bills and closed positions each
    /// account remembers (default 10 000; the oldest finished go first).
    pub fn history_cap(mut self, cap: usize) -> Self {
        self.config.history_cap = cap.max(1);
        self
    }

    /// How long a WebSocket connection may stay silent before it is closed
    /// with 4004 (default 30 s, as OKX; wall-clock time).
    pub fn ws_idle_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.config.ws_idle = timeout;
        self
    }

    /// Also serve HTTPS and WSS on `port` (0: one the OS picks), with a
    /// self-signed certificate unless [`tls_cert`](Self::tls_cert) gives one.
    /// python-okx's WebSocket client needs it: it refuses `ws://`.
    pub fn tls_port(mut self, port: u16) -> Self {
        self.tls_port = Some(port);
        self
    }

    /// The TLS listener's certificate (default: self-signed, made at start-up).
    pub fn tls_cert(mut self, cert: TlsCert) -> Self {
        self.tls_cert = cert;
        self
    }

    /// A token the control API (`/__admin/`) then requires in `x-admin-token`.
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.config.admin_token = Some(token.into());
        self
    }

    /// A scenario file layered over the world (more than one may be given).
    pub fn scenario_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.scenarios.push(Source::File(path.into()));
        self
    }

    /// A scenario given as TOML text, layered over the world.
    pub fn scenario_toml(mut self, text: impl Into<String>) -> Self {
        let name = format!("scenario {}", self.scenarios.len() + 1);
        self.scenarios.push(Source::Text(name, text.into()));
        self
    }

    /// A world read from a TOML file instead of the embedded default.
    pub fn world_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.world = Source::File(path.into());
        self
    }

    /// Loads the world and scenarios without serving: a summary, or what is wrong
    /// (with file, line and column where the format allows).
    pub fn validate(&self) -> Result<String, StartError> {
        let sources = self.sources()?;
        let world = World::from_sources(&sources, self.clock.now_ms())
            .map_err(|source| StartError::World { path: None, source })?;
        Ok(format!(
            "{} instruments, {} accounts, {} keys, {} fault rules, {} timeline events",
            world.instruments.all().len(),
            world.accounts.len(),
            world.keys().len(),
            world.faults.len(),
            world.timeline.len()
        ))
    }

    fn sources(&self) -> Result<Vec<(String, String)>, StartError> {
        let mut sources = vec![self.world.read()?];
        for scenario in &self.scenarios {
            sources.push(scenario.read()?);
        }
        Ok(sources)
    }

    /// Loads the world and binds the listener, without serving yet.
    pub fn bind(self) -> Result<BoundServer, StartError> {
        let now = self.clock.now_ms();
        let sources = self.sources()?;
        let world = World::from_sources(&sources, now)
            .map_err(|source| StartError::World { path: None, source })?;
        // A scenario's clock offset moves the clock (frozen or running) once, at start.
        self.clock.advance(world.clock_offset_ms);
        let listener = listen(SocketAddr::new(self.host, self.port))?;
        let tls = match self.tls_port {
            None => None,
            Some(port) => Some((
                listen(SocketAddr::new(self.host, port))?,
                crate::tls::setup(&self.tls_cert)?,
            )),
        };
        let mut config = self.config;
        config.tls_cert_pem = tls.as_ref().map(|(_, tls)| tls.cert_pem.clone());
        config.sources = Arc::new(sources);
        config.region_hosts = world.region_hosts.clone();
        config.seed = self.seed;
        let mut exchange = world
            .exchange(self.seed, now)
            .map_err(|source| StartError::World { path: None, source })?;
        exchange.history_cap = config.history_cap;
        let (shutdown_tx, shutting_down) = tokio::sync::watch::channel(false);
        let state = AppState::new(crate::state::Shared {
            shutting_down,
            events: tokio::sync::broadcast::channel(crate::state::EVENT_BACKLOG).0,
            ws_conns: crate::ws::ChannelConns::default(),
            exchange: parking_lot::Mutex::new(exchange),
            keys: KeyStore::new(world.keys().iter().cloned()),
            clock: self.clock,
            journal: Journal::new(config.journal_cap),
            limits: Arc::new(crate::ratelimit::RateLimiter::new(
                self.rate_limits.unwrap_or(world.rate_limits),
            )),
            scenario: Scenario::new(ScenarioRuntime::new(
                world.faults.clone(),
                world.timeline.clone(),
                self.seed,
            )),
            config,
        });
        Ok(BoundServer {
            listener,
            tls,
            shutdown_tx,
            state,
            keys: world.keys().to_vec(),
        })
    }

    /// Starts a server on its own thread and runtime.
    pub async fn start(self) -> Result<MockOkx, StartError> {
        let bound = self.bind()?;
        let addr = bound.local_addr();
        let tls_addr = bound.tls_addr();
        let keys = bound.keys.clone();
        let state = bound.state.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("okx-mock-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a tokio runtime can be built");
                let shutdown = async {
                    let _ = stopped.await;
                };
                if let Err(error) = runtime.block_on(bound.serve_until(shutdown)) {
                    tracing::error!(%error, "okx-mock stopped");
                }
            })
            .map_err(StartError::Thread)?;
        Ok(MockOkx {
            addr,
            tls_addr,
            keys,
            state,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// A non-blocking listener on `addr` (tokio takes it over when serving).
fn listen(addr: SocketAddr) -> Result<TcpListener, StartError> {
    let bind = |source| StartError::Bind { addr, source };
    let listener = TcpListener::bind(addr).map_err(bind)?;
    listener.set_nonblocking(true).map_err(bind)?;
    Ok(listener)
}

/// A server whose world is loaded and whose listener is bound.
pub struct BoundServer {
    listener: TcpListener,
    tls: Option<(TcpListener, crate::tls::Tls)>,
    shutdown_tx: tokio::sync::watch::Sender<bool>,
    state: AppState,
    keys: Vec<ApiKey>,
}

impl BoundServer {
    /// The address it listens on (with the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The TLS listener's address, if it has one.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        let (listener, _) = self.tls.as_ref()?;
        Some(
            listener
                .local_addr()
                .expect("a bound listener has an address"),
        )
    }

    /// The TLS listener's certificate (PEM), if it has one.
    pub fn tls_cert_pem(&self) -> Option<&str> {
        self.tls.as_ref().map(|(_, tls)| tls.cert_pem.as_str())
    }

    /// The API keys of its world.
    pub fn keys(&self) -> &[ApiKey] {
        &self.keys
    }

    /// Serves until `shutdown` completes. Must run inside a tokio runtime.
    pub async fn serve_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()> {
        let tls = match self.tls {
            Some((listener, tls)) => {
                Some((tokio::net::TcpListener::from_std(listener)?, tls.acceptor))
            }
            None => None,
        };
        let listeners = crate::serve::Listeners {
            plain: tokio::net::TcpListener::from_std(self.listener)?,
            tls,
        };
        crate::serve::serve(listeners, app(self.state), shutdown, self.shutdown_tx).await
    }
}

/// A running okx-mock. Dropping it shuts the server down.
///
/// ```no_run
/// # async fn demo() {
/// let server = okx_mock::MockOkx::start().await;
/// let base_url = server.uri(); // e.g. http://127.0.0.1:49152
/// let demo = server.credentials(okx_mock::Env::Demo);
/// # }
/// ```
pub struct MockOkx {
    addr: SocketAddr,
    tls_addr: Option<SocketAddr>,
    keys: Vec<ApiKey>,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl MockOkx {
    /// A server with the embedded default world on 127.0.0.1 and a free port.
    ///
    /// # Panics
    /// If the embedded world or the listener fails, which is a bug or a machine without loopback.
    pub async fn start() -> MockOkx {
        Self::builder()
            .start()
            .await
            .expect("okx-mock starts with its embedded world")
    }

    /// A builder for a server with another seed, clock or world.
    pub fn builder() -> MockOkxBuilder {
        MockOkxBuilder::default()
    }

    /// The base URL to give a client, e.g. `http://127.0.0.1:49152`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The WebSocket base URL, e.g. `ws://127.0.0.1:49152/ws/v5` (append
    /// `/public`, `/business` or `/private`; ccxt.pro takes it as is).
    pub fn ws_uri(&self) -> String {
        format!("ws://{}/ws/v5", self.addr)
    }

    /// The HTTPS base URL when the TLS listener is on, e.g. `https://localhost:49153`
    /// (named `localhost`, which the self-signed certificate covers).
    pub fn https_uri(&self) -> Option<String> {
        self.tls_addr
            .map(|addr| format!("https://localhost:{}", addr.port()))
    }

    /// The secure WebSocket base URL when the TLS listener is on, e.g.
    /// `wss://localhost:49153/ws/v5` (python-okx needs `wss://`).
    pub fn wss_uri(&self) -> Option<String> {
        self.tls_addr
            .map(|addr| format!("wss://localhost:{}/ws/v5", addr.port()))
    }

    /// The TLS listener's certificate (PEM) for a client to trust.
    pub fn tls_cert_pem(&self) -> Option<String> {
        self.state.config.tls_cert_pem.clone()
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// Credentials of the world's first key for `env`.
    ///
    /// # Panics
    /// If the world has no key for `env` (the embedded world has both).
    pub fn credentials(&self, env: Env) -> Credentials {
        self.keys
            .iter()
            .find(|key| key.env == env)
            .map(Credentials::from)
            .unwrap_or_else(|| panic!("the world has no {} key", env.as_str()))
    }

    /// The exchange clock: freeze, set, offset or advance it.
    pub fn clock(&self) -> &Clock {
        &self.state.clock
    }
}

impl Drop for MockOkx {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
