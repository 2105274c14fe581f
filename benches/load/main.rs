//! okx-mock's performance benchmark: throughput and latency against a
//! minimal axum server doing the least the same requests need (the ceiling),
//! start-up time, and resident memory idle, after a million orders and after
//! an hour of exchange time. Results are medians of several runs; ratios to
//! the ceiling are what stays stable on a noisy machine.
//!
//!     cargo bench --bench load              # the full run (a few minutes)
//!     cargo bench --bench load -- --quick   # one short run of each
//!
//! Options: --runs N (5), --secs S (3 per measurement), --orders N (1000000),
//! --only throughput|startup|memory, --workload orders|ticker|books and
//! --conns N (one row of the throughput table, e.g. while profiling).
//! OKX_MOCK_BENCH_BIN=path measures another okx-mock build (say
//! `cargo build --profile profiling`, for perf).

mod ceiling;
mod client;
mod process;

use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Duration;

use client::{Stats, Target, Workload};
use process::{Server, http, start_ceiling, start_mock};

/// The targets the benchmark checks (issue 8).
const MIN_ORDER_RATIO: f64 = 0.60;
const MIN_GET_RATIO: f64 = 0.70;
const MAX_P99_MS_AT_16: f64 = 5.0;
const MAX_START_MS: f64 = 20.0;
const MAX_IDLE_MIB: f64 = 15.0;

struct Options {
    runs: usize,
    secs: f64,
    orders: u64,
    only: Option<String>,
    workload: Option<String>,
    conns: Option<usize>,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let quick = args.iter().any(|a| a == "--quick");
    Options {
        runs: value("--runs")
            .and_then(|v| v.parse().ok())
            .unwrap_or(if quick { 1 } else { 5 }),
        secs: value("--secs")
            .and_then(|v| v.parse().ok())
            .unwrap_or(if quick { 1.0 } else { 3.0 }),
        orders: value("--orders")
            .and_then(|v| v.parse().ok())
            .unwrap_or(if quick { 100_000 } else { 1_000_000 }),
        only: value("--only"),
        workload: value("--workload"),
        conns: value("--conns").and_then(|v| v.parse().ok()),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--ceiling") {
        return ceiling::serve(&args[i + 1..]);
    }
    let options = options();
    println!("# okx-mock benchmark\n");
    println!("machine: {}", machine());
    println!("binary: {}\n", process::mock_binary());
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let wants = |part: &str| options.only.as_deref().is_none_or(|o| o == part);
    let mut verdicts = Vec::new();
    if wants("throughput") {
        verdicts.extend(runtime.block_on(throughput(&options)));
    }
    if wants("startup") {
        verdicts.extend(startup());
    }
    if wants("memory") {
        verdicts.extend(runtime.block_on(memory(&options)));
    }
    println!("\n## Targets\n");
    let mut failed = false;
    for (what, ok) in &verdicts {
        println!("- [{}] {what}", if *ok { "x" } else { " " });
        failed |= !ok;
    }
    if failed {
        println!("\nsome targets were missed");
        std::process::exit(1);
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores, {cpu}")
}

fn target(server: &Server, creds: &client::Creds) -> Target {
    Target {
        addr: server.addr,
        creds: creds.clone(),
        clock_ahead_ms: Arc::new(AtomicI64::new(0)),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Requests per second and latency of each workload at 1, 16 and 64
/// connections, okx-mock and the ceiling measured in turn, `runs` times.
async fn throughput(options: &Options) -> Vec<(String, bool)> {
    let (mock, _) = start_mock(&["--rate-limits", "off", "--journal-cap", "10000"]);
    let creds = mock.creds.clone().expect("the banner names a live key");
    let dir = std::env::temp_dir().join(format!("okx-mock-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let (ticker, books) = (dir.join("ticker.json"), dir.join("books.json"));
    std::fs::write(
        &ticker,
        http(
            mock.addr,
            "GET",
            "/api/v5/market/ticker?instId=BTC-USDT-SWAP",
            "",
        ),
    )
    .unwrap();
    std::fs::write(
        &books,
        http(
            mock.addr,
            "GET",
            "/api/v5/market/books?instId=BTC-USDT-SWAP&sz=20",
            "",
        ),
    )
    .unwrap();
    let ceiling = start_ceiling(&creds.secret, &ticker, &books);
    let (on_mock, on_ceiling) = (target(&mock, &creds), target(&ceiling, &creds));
    let warmup = Duration::from_millis(300);
    let measure = Duration::from_secs_f64(options.secs);
    println!("## Throughput and latency\n");
    println!(
        "Each figure is the median of {} runs of {:.1} s (after {} ms of warm-up); okx-mock and the ceiling alternate, and the ratio is the median of each pair's.\n",
        options.runs,
        options.secs,
        warmup.as_millis()
    );
    println!(
        "| workload | conns | okx-mock req/s | p50 ms | p99 ms | ceiling req/s | p50 ms | p99 ms | ratio | errors |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut verdicts = Vec::new();
    let workloads = [
        ("orders", Workload::PlaceCancel),
        ("ticker", Workload::Ticker),
        ("books", Workload::Books),
    ];
    let chosen = workloads
        .into_iter()
        .filter(|(name, _)| options.workload.as_deref().is_none_or(|w| w == *name));
    for (_, workload) in chosen {
        let counts = [1, 16, 64];
        for connections in counts
            .into_iter()
            .filter(|c| options.conns.is_none_or(|n| n == *c))
        {
            let (mut mine, mut theirs) = (Vec::new(), Vec::new());
            for _ in 0..options.runs {
                mine.push(client::run(&on_mock, workload, connections, warmup, measure).await);
                theirs.push(client::run(&on_ceiling, workload, connections, warmup, measure).await);
            }
            let summary = |runs: &[Stats]| {
                (
                    median(runs.iter().map(Stats::per_sec).collect()),
                    median(runs.iter().map(|s| s.percentile_ms(0.50)).collect()),
                    median(runs.iter().map(|s| s.percentile_ms(0.99)).collect()),
                    runs.iter().map(|s| s.errors).sum::<u64>(),
                )
            };
            let (rps, p50, p99, errors) = summary(&mine);
            let (c_rps, c_p50, c_p99, c_errors) = summary(&theirs);
            // Each okx-mock run is paired with the ceiling run right after it,
            // so a slow spell of the machine weighs on both sides of a ratio.
            let ratio = median(
                mine.iter()
                    .zip(&theirs)
                    .map(|(m, c)| m.per_sec() / c.per_sec())
                    .collect(),
            );
            println!(
                "| {} | {connections} | {rps:.0} | {p50:.2} | {p99:.2} | {c_rps:.0} | {c_p50:.2} | {c_p99:.2} | {:.0}% | {errors}/{c_errors} |",
                workload.label(),
                ratio * 100.0
            );
            let floor = if workload == Workload::PlaceCancel {
                MIN_ORDER_RATIO
            } else {
                MIN_GET_RATIO
            };
            if connections == 16 {
                verdicts.push((
                    format!(
                        "{}: {:.0}% of the ceiling at 16 connections (target {:.0}%)",
                        workload.label(),
                        ratio * 100.0,
                        floor * 100.0
                    ),
                    ratio >= floor,
                ));
                verdicts.push((
                    format!(
                        "{}: p99 {p99:.2} ms at 16 connections (target < {MAX_P99_MS_AT_16} ms)",
                        workload.label()
                    ),
                    p99 < MAX_P99_MS_AT_16,
                ));
            }
            if errors > 0 {
                verdicts.push((
                    format!(
                        "{} at {connections} connections: {errors} answers were not code 0",
                        workload.label()
                    ),
                    false,
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    verdicts
}

/// Process start to the first answer, and resident memory when idle.
fn startup() -> Vec<(String, bool)> {
    println!("\n## Start-up\n");
    let mut times = Vec::new();
    let mut idle = Vec::new();
    for _ in 0..5 {
        let (server, took) = start_mock(&[]);
        times.push(took.as_secs_f64() * 1000.0);
        std::thread::sleep(Duration::from_millis(200));
        idle.push(server.rss_kib() as f64 / 1024.0);
    }
    let (ms, mib) = (median(times.clone()), median(idle));
    println!(
        "- first answer after {ms:.1} ms (median of 5; runs: {})",
        times
            .iter()
            .map(|t| format!("{t:.1}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("- resident memory idle: {mib:.1} MiB");
    vec![
        (
            format!("first answer {ms:.1} ms after process start (target {MAX_START_MS} ms)"),
            ms <= MAX_START_MS,
        ),
        (
            format!("idle resident memory {mib:.1} MiB (target < {MAX_IDLE_MIB} MiB)"),
            mib < MAX_IDLE_MIB,
        ),
    ]
}

/// Resident memory as orders pile up, and over an hour of exchange time.
async fn memory(options: &Options) -> Vec<(String, bool)> {
    println!("\n## Memory under a long run\n");
    let (mock, _) = start_mock(&["--rate-limits", "off"]);
    let creds = mock.creds.clone().expect("a live key");
    let on_mock = target(&mock, &creds);
    let step = options.orders / 4;
    let mut series = vec![(0, mock.rss_kib())];
    let mut errors = 0;
    for quarter in 1..=4 {
        errors += client::send_count(&on_mock, Workload::MarketBatch, 16, step).await;
        series.push((quarter * step, mock.rss_kib()));
    }
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "Market orders on BTC-USDT-SWAP in batches of 20 (16 connections), resident memory:\n"
    );
    for (orders, kib) in &series {
        println!("- after {orders} orders: {:.1} MiB", mib(*kib));
    }
    let (half, full) = (series[2].1, series[4].1);
    let growth = mib(full) - mib(half);
    let mut verdicts = vec![(
        format!(
            "memory from {} to {} orders grew {growth:.1} MiB (target: stops growing, < 2 MiB)",
            2 * step,
            4 * step
        ),
        growth < 2.0 && errors == 0,
    )];
    drop(mock);

    // An hour of exchange time under a random walk, with resting orders.
    let world =
        okx_mock::DEFAULT_WORLD.replace(r#"priceModel = "static""#, r#"priceModel = "walk""#);
    let path =
        std::env::temp_dir().join(format!("okx-mock-bench-walk-{}.toml", std::process::id()));
    std::fs::write(&path, world).expect("a temp world");
    // The journal is capped low here so that what this part measures is the
    // venue's own memory (the first part shows the journal levelling off).
    let (mock, _) = start_mock(&[
        "--rate-limits",
        "off",
        "--journal-cap",
        "1000",
        "--world",
        path.to_str().unwrap(),
    ]);
    let on_mock = target(&mock, &creds);
    for i in 0..100u32 {
        let (side, px) = if i % 2 == 0 {
            ("buy", 95_020 - 50 * (i + 1))
        } else {
            ("sell", 95_020 + 50 * (i + 1))
        };
        let body = format!(
            r#"{{"instId":"BTC-USDT-SWAP","tdMode":"cross","side":"{side}","ordType":"limit","px":"{px}","sz":"0.01"}}"#
        );
        let answer = client::post_once(&on_mock, "/api/v5/trade/order", body).await;
        assert!(
            answer.contains(r#""sCode":"0""#),
            "a resting order: {answer}"
        );
    }
    http(mock.addr, "POST", "/__admin/clock/freeze", "");
    let mut hourly = vec![(0, mock.rss_kib())];
    for second in 1..=3600 {
        http(
            mock.addr,
            "POST",
            "/__admin/clock/advance",
            r#"{"ms":1000}"#,
        );
        on_mock
            .clock_ahead_ms
            .fetch_add(1000, std::sync::atomic::Ordering::Relaxed);
        client::send_count(&on_mock, Workload::Pending, 1, 1).await;
        client::send_count(&on_mock, Workload::Books, 1, 1).await;
        if second % 900 == 0 {
            hourly.push((second / 60, mock.rss_kib()));
        }
    }
    println!(
        "\nAn hour of exchange time in 1 s steps (random walk, 100 resting orders, a private and a books request each step; journal capped at 1 000):\n"
    );
    for (minutes, kib) in &hourly {
        println!("- after {minutes} min: {:.1} MiB", mib(*kib));
    }
    let growth = mib(hourly[4].1) - mib(hourly[2].1);
    verdicts.push((
        format!(
            "memory over the second half hour grew {growth:.1} MiB (target: stops growing, < 2 MiB)"
        ),
        growth < 2.0,
    ));
    let _ = std::fs::remove_file(&path);
    verdicts
}
