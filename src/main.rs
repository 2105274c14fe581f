//! `okx-mock`: parse flags, build the server, print how to connect, serve until
//! Ctrl-C or SIGTERM. Everything else lives in the library.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use okx_mock::{ApiKey, Env, MockOkx, Permission, TlsCert};

/// A local mock of the OKX v5 exchange API.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Address to listen on. Anything but loopback exposes the mock to the network.
    #[arg(long, env = "OKX_MOCK_HOST", default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on (0: one the OS picks; the banner shows which).
    #[arg(long, env = "OKX_MOCK_PORT", default_value_t = 8080)]
    port: u16,
    /// Seed of every random choice (price walks, synthetic trades and books).
    #[arg(long, env = "OKX_MOCK_SEED", default_value_t = 0)]
    seed: u64,
    /// World file (TOML) to serve instead of the embedded default world.
    #[arg(long, env = "OKX_MOCK_WORLD")]
    world: Option<PathBuf>,
    /// Scenario file (TOML) layered over the world: faults, timeline, world changes. Repeatable.
    #[arg(long = "scenario")]
    scenarios: Vec<PathBuf>,
    /// Token the control API (/__admin/) requires in the x-admin-token header.
    #[arg(long, env = "OKX_MOCK_ADMIN_TOKEN")]
    admin_token: Option<String>,
    /// OKX's rate limits: on (default) or off.
    #[arg(long, env = "OKX_MOCK_RATE_LIMITS", value_parser = ["on", "off"])]
    rate_limits: Option<String>,
    /// Multiplies every rate limit (e.g. 10 for a load test).
    #[arg(long, env = "OKX_MOCK_RATE_LIMIT_SCALE")]
    rate_limit_scale: Option<f64>,
    /// Requests the journal keeps (oldest dropped first).
    #[arg(long, env = "OKX_MOCK_JOURNAL_CAP", default_value_t = okx_mock::DEFAULT_JOURNAL_CAP)]
    journal_cap: usize,
    /// Orders, algo orders, fills, bills and closed positions each account
    /// keeps (oldest finished dropped first).
    #[arg(long, env = "OKX_MOCK_HISTORY_CAP", default_value_t = okx_mock::HISTORY_CAP)]
    history_cap: usize,
    /// Also serve HTTPS and WSS on this port (0: one the OS picks). python-okx's
    /// WebSocket client needs it: it refuses ws:// URLs.
    #[arg(long, env = "OKX_MOCK_TLS_PORT")]
    tls_port: Option<u16>,
    /// PEM certificate (chain) of the TLS listener (default: self-signed, made at start-up).
    #[arg(long, env = "OKX_MOCK_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, env = "OKX_MOCK_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Where to write the TLS certificate clients must trust (default: a file
    /// in the temporary directory, named in the banner).
    #[arg(long, env = "OKX_MOCK_TLS_CERT_OUT")]
    tls_cert_out: Option<PathBuf>,
    /// Threads serving requests. One is the default: the venue is behind one
    /// lock, so more threads mostly wait for each other, and on a small
    /// machine shared with the client one thread answers more (see BENCHMARKS.md).
    #[arg(long, env = "OKX_MOCK_THREADS", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    threads: u16,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Exit 0 if an okx-mock answers on --host/--port (for container health checks).
    Healthcheck,
    /// Validate scenario files (layered over --world or the embedded world) and exit.
    Check {
        /// The files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// mimalloc: a request allocates and frees many small strings and maps, and
/// glibc's allocator was a tenth of the server's time under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("OKX_MOCK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::Healthcheck) => return healthcheck(cli.host, cli.port),
        Some(Command::Check { files }) => return check(cli.world.as_deref(), files),
        None => {}
    }
    let mut builder = MockOkx::builder()
        .host(cli.host)
        .port(cli.port)
        .seed(cli.seed)
        .journal_cap(cli.journal_cap)
        .history_cap(cli.history_cap);
    if cli.rate_limits.is_some() || cli.rate_limit_scale.is_some() {
        builder = builder.rate_limits(okx_mock::RateLimitSettings {
            enabled: cli.rate_limits.as_deref() != Some("off"),
            scale: cli.rate_limit_scale.unwrap_or(1.0),
        });
    }
    if let Some(token) = &cli.admin_token {
        builder = builder.admin_token(token);
    } else if !cli.host.is_loopback() {
        eprintln!(
            "okx-mock: warning: listening on {} with an open control API; set --admin-token",
            cli.host
        );
    }
    if let Some(world) = &cli.world {
        builder = builder.world_file(world);
    }
    for scenario in &cli.scenarios {
        builder = builder.scenario_file(scenario);
    }
    if let Some(port) = cli.tls_port {
        builder = builder.tls_port(port);
        if let (Some(cert), Some(key)) = (&cli.tls_cert, &cli.tls_key) {
            builder = builder.tls_cert(TlsCert::Files {
                cert: cert.clone(),
                key: key.clone(),
            });
        }
    }
    let server = match builder.bind() {
        Ok(server) => server,
        Err(error) => {
            eprintln!("okx-mock: {error}");
            return ExitCode::FAILURE;
        }
    };
    let url = format!("http://{}", server.local_addr());
    let mut text = banner(&url, server.keys());
    if let (Some(addr), Some(pem)) = (server.tls_addr(), server.tls_cert_pem()) {
        match write_cert(cli.tls_cert_out.as_deref(), addr.port(), pem) {
            Ok(path) => text.push_str(&tls_banner(addr.port(), &path)),
            Err(error) => {
                eprintln!("okx-mock: cannot write the TLS certificate: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("{text}");
    let runtime = match runtime(cli.threads) {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("okx-mock: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(server.serve_until(shutdown_signal())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("okx-mock: {error}");
            ExitCode::FAILURE
        }
    }
}

/// What a user needs to connect: the address (first line, which scripts read)
/// and each key as ccxt, python-okx and okx-api take it.
fn banner(url: &str, keys: &[ApiKey]) -> String {
    let ws = url.replacen("http://", "ws://", 1);
    let mut out = format!(
        "okx-mock listening on {url}\n\
         WebSocket: {ws}/ws/v5/public, /business and /private (ccxt.pro: ex.urls['api']['ws'] = '{ws}/ws/v5')\n"
    );
    for key in keys {
        let perms: Vec<&str> = key.perms.iter().map(|p: &Permission| p.as_str()).collect();
        let (sandbox, flag, demo) = match key.env {
            Env::Demo => ("ex.set_sandbox_mode(True); ", "1", "demoTrading: true, "),
            Env::Live => ("", "0", ""),
        };
        let (k, s, p) = (&key.api_key, &key.secret_key, &key.passphrase);
        out.push_str(&format!(
            "\n# {} key \"{}\" ({})\n\
             apiKey={k} secretKey={s} passphrase={p}\n\
             ccxt:       ex = ccxt.okx({{'apiKey': '{k}', 'secret': '{s}', 'password': '{p}'}}); {sandbox}ex.urls['api']['rest'] = '{url}'\n\
             python-okx: okx.Account.AccountAPI('{k}', '{s}', '{p}', flag='{flag}', domain='{url}')\n\
             okx-api:    new RestClient({{ baseUrl: '{url}', {demo}apiKey: '{k}', apiSecret: '{s}', apiPass: '{p}' }})\n",
            key.env.as_str(),
            key.label,
            perms.join(","),
        ));
    }
    out
}

/// The runtime serving requests: one thread, or a pool of `threads`.
fn runtime(threads: u16) -> std::io::Result<tokio::runtime::Runtime> {
    if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(usize::from(threads))
            .enable_all()
            .build()
    }
}

/// Writes the TLS certificate where clients can trust it; the path written.
fn write_cert(out: Option<&std::path::Path>, port: u16, pem: &str) -> std::io::Result<PathBuf> {
    let path = match out {
        Some(path) => path.to_path_buf(),
        None => std::env::temp_dir().join(format!("okx-mock-{port}.pem")),
    };
    std::fs::write(&path, pem)?;
    Ok(path)
}

/// How to reach the TLS listener.
fn tls_banner(port: u16, cert: &std::path::Path) -> String {
    let cert = cert.display();
    format!(
        "\nTLS: https://localhost:{port} and wss://localhost:{port}/ws/v5/public, /business, /private\n\
         certificate: {cert}\n\
         python-okx: SSL_CERT_FILE={cert} ... okx.websocket.WsPublicAsync.WsPublicAsync(url='wss://localhost:{port}/ws/v5/public')\n\
         node:       NODE_EXTRA_CA_CERTS={cert} node ...\n"
    )
}

/// Loads each file over the world, as `--scenario` would, and reports.
fn check(world: Option<&std::path::Path>, files: &[PathBuf]) -> ExitCode {
    let mut failed = false;
    for file in files {
        let mut builder = MockOkx::builder();
        if let Some(world) = world {
            builder = builder.world_file(world);
        }
        match builder.scenario_file(file).validate() {
            Ok(summary) => println!("{}: ok ({summary})", file.display()),
            Err(error) => {
                failed = true;
                eprintln!("{error}");
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Asks `GET /api/v5/public/time` over plain TCP, so a container image needs no
/// curl or wget for its health check.
fn healthcheck(host: IpAddr, port: u16) -> ExitCode {
    let host = if host.is_unspecified() {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host
    };
    let timeout = Duration::from_secs(2);
    let answer =
        TcpStream::connect_timeout(&SocketAddr::new(host, port), timeout).and_then(|mut stream| {
            stream.set_read_timeout(Some(timeout))?;
            stream.write_all(b"GET /api/v5/public/time HTTP/1.0\r\nHost: okx-mock\r\n\r\n")?;
            let mut reply = String::new();
            stream.read_to_string(&mut reply)?;
            Ok(reply)
        });
    match answer {
        Ok(reply) if reply.starts_with("HTTP/1.0 200") || reply.starts_with("HTTP/1.1 200") => {
            if reply.contains(r#""code":"0""#) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Ok(reply) => {
            eprintln!(
                "okx-mock healthcheck: unexpected answer: {}",
                reply.lines().next().unwrap_or("")
            );
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("okx-mock healthcheck: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
