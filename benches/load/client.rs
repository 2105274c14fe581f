//! The load generator: keep-alive HTTP/1.1 connections, each sending its
//! next request as soon as the last is answered (a closed loop), with a
//! fresh OKX timestamp and signature on every signed request.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// An API key as the banner prints it.
#[derive(Debug, Clone)]
pub struct Creds {
    pub api_key: String,
    pub secret: String,
    pub passphrase: String,
}

/// What each connection asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// GET market/ticker.
    Ticker,
    /// GET market/books (20 levels a side).
    Books,
    /// POST trade/order (a post-only bid that rests), then POST trade/cancel-order.
    PlaceCancel,
    /// POST trade/batch-orders: 20 market orders, buys and sells alternating.
    MarketBatch,
    /// GET trade/orders-pending (signed; brings the venue up to exchange time).
    Pending,
}

impl Workload {
    pub fn label(self) -> &'static str {
        match self {
            Self::Ticker => "GET market/ticker",
            Self::Books => "GET market/books (sz=20)",
            Self::PlaceCancel => "signed place + cancel order",
            Self::MarketBatch => "batch of 20 market orders",
            Self::Pending => "GET orders-pending",
        }
    }
}

/// Where to send requests, as whom, and how far the exchange clock is ahead
/// of the wall clock (signatures must use exchange time).
#[derive(Debug, Clone)]
pub struct Target {
    pub addr: SocketAddr,
    pub creds: Creds,
    pub clock_ahead_ms: Arc<AtomicI64>,
}

/// What one measurement saw.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub requests: u64,
    pub errors: u64,
    pub secs: f64,
    pub latencies_us: Vec<u32>,
}

impl Stats {
    pub fn per_sec(&self) -> f64 {
        self.requests as f64 / self.secs
    }

    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies_us.len() - 1) as f64 * p).round() as usize;
        f64::from(self.latencies_us[i]) / 1000.0
    }
}

/// Runs `workload` on `connections` connections: `warmup`, then `measure`.
pub async fn run(
    target: &Target,
    workload: Workload,
    connections: usize,
    warmup: Duration,
    measure: Duration,
) -> Stats {
    let start = Instant::now() + warmup;
    let end = start + measure;
    let tasks: Vec<_> = (0..connections)
        .map(|n| {
            let target = target.clone();
            tokio::spawn(async move { connection(target, workload, n, start, end, None).await })
        })
        .collect();
    let mut total = Stats {
        secs: measure.as_secs_f64(),
        ..Stats::default()
    };
    for task in tasks {
        let stats = task.await.expect("a connection task");
        total.requests += stats.requests;
        total.errors += stats.errors;
        total.latencies_us.extend(stats.latencies_us);
    }
    total.latencies_us.sort_unstable();
    total
}

/// Sends `requests` requests of `workload` over `connections` connections as
/// fast as they are answered; the number that failed.
pub async fn send_count(
    target: &Target,
    workload: Workload,
    connections: usize,
    requests: u64,
) -> u64 {
    let per = requests.div_ceil(connections as u64);
    let now = Instant::now();
    let far = now + Duration::from_secs(24 * 3600);
    let tasks: Vec<_> = (0..connections)
        .map(|n| {
            let target = target.clone();
            tokio::spawn(async move { connection(target, workload, n, now, far, Some(per)).await })
        })
        .collect();
    let mut errors = 0;
    for task in tasks {
        errors += task.await.expect("a connection task").errors;
    }
    errors
}

async fn connection(
    target: Target,
    workload: Workload,
    n: usize,
    start: Instant,
    end: Instant,
    limit: Option<u64>,
) -> Stats {
    let stream = tokio::net::TcpStream::connect(target.addr)
        .await
        .expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let mut stats = Stats::default();
    let mut sent = 0u64;
    let mut round = 0u64;
    while Instant::now() < end && limit.is_none_or(|l| sent < l) {
        round += 1;
        let request = first_request(&target, workload, n, round);
        let (began, answer) = exchange(&mut sender, request).await;
        sent += if workload == Workload::MarketBatch {
            20
        } else {
            1
        };
        stats.note(began, answer.as_ref(), (start, end));
        // A placed order is canceled at once, on the same connection.
        if let (Workload::PlaceCancel, Some(placed)) = (workload, answer) {
            let ord_id = placed["data"][0]["ordId"].as_str().unwrap_or_default();
            let body = format!(r#"{{"instId":"BTC-USDT-SWAP","ordId":"{ord_id}"}}"#);
            let cancel = post(&target, "/api/v5/trade/cancel-order", body);
            let (began, answer) = exchange(&mut sender, cancel).await;
            stats.note(began, answer.as_ref(), (start, end));
        }
    }
    stats
}

impl Stats {
    /// Counts one answer (`None`: failed or not code "0") if it was asked
    /// within the measured window.
    fn note(&mut self, began: Instant, answer: Option<&Value>, (start, end): (Instant, Instant)) {
        let took = began.elapsed();
        if began < start || Instant::now() > end {
            return;
        }
        self.requests += 1;
        self.latencies_us
            .push(took.as_micros().min(u128::from(u32::MAX)) as u32);
        if answer.is_none() {
            self.errors += 1;
        }
    }
}

/// What a round of `workload` sends first.
fn first_request(
    target: &Target,
    workload: Workload,
    n: usize,
    round: u64,
) -> Request<Full<Bytes>> {
    match workload {
        Workload::Ticker => get(target, "/api/v5/market/ticker?instId=BTC-USDT-SWAP", false),
        Workload::Books => get(
            target,
            "/api/v5/market/books?instId=BTC-USDT-SWAP&sz=20",
            false,
        ),
        Workload::Pending => get(target, "/api/v5/trade/orders-pending", true),
        Workload::PlaceCancel => {
            // Bids spread over 500 ticks below the market, so they rest.
            let px = 94_000 - (n as u64 * 7 + round) % 500;
            let body = format!(
                r#"{{"instId":"BTC-USDT-SWAP","tdMode":"cross","side":"buy","ordType":"post_only","px":"{px}","sz":"0.01"}}"#
            );
            post(target, "/api/v5/trade/order", body)
        }
        Workload::MarketBatch => {
            let orders: Vec<String> = (0..20)
                .map(|i| {
                    let side = if i % 2 == 0 { "buy" } else { "sell" };
                    format!(
                        r#"{{"instId":"BTC-USDT-SWAP","tdMode":"cross","side":"{side}","ordType":"market","sz":"0.01"}}"#
                    )
                })
                .collect();
            post(
                target,
                "/api/v5/trade/batch-orders",
                format!("[{}]", orders.join(",")),
            )
        }
    }
}

/// Sends `request` and reads the answer: when it was sent, and the answer
/// if it was HTTP 2xx with `code` "0".
async fn exchange(
    sender: &mut hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    request: Request<Full<Bytes>>,
) -> (Instant, Option<Value>) {
    let began = Instant::now();
    let answer = match sender.send_request(request).await {
        Ok(response) if response.status().is_success() => {
            let body = response.into_body().collect().await.map(|b| b.to_bytes());
            body.ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .filter(|v| v["code"] == "0")
        }
        _ => None,
    };
    (began, answer)
}

/// One signed POST on a connection of its own; the answer's body.
pub async fn post_once(target: &Target, path: &str, body: String) -> String {
    let stream = tokio::net::TcpStream::connect(target.addr)
        .await
        .expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let response = sender
        .send_request(post(target, path, body))
        .await
        .expect("an answer");
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// OKX's timestamp: ISO 8601 with milliseconds, on the exchange clock.
fn timestamp(target: &Target) -> String {
    let ahead = target.clock_ahead_ms.load(Ordering::Relaxed);
    let at = chrono::Utc::now() + chrono::Duration::milliseconds(ahead);
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn signed(
    target: &Target,
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> hyper::http::request::Builder {
    let ts = timestamp(target);
    let sign = okx_mock::sign(
        &target.creds.secret,
        &okx_mock::prehash(&ts, method, path_and_query, body),
    );
    Request::builder()
        .header("host", "127.0.0.1")
        .header("ok-access-key", &target.creds.api_key)
        .header("ok-access-passphrase", &target.creds.passphrase)
        .header("ok-access-timestamp", ts)
        .header("ok-access-sign", sign)
}

fn get(target: &Target, path_and_query: &str, sign: bool) -> Request<Full<Bytes>> {
    let builder = if sign {
        signed(target, "GET", path_and_query, b"")
    } else {
        Request::builder().header("host", "127.0.0.1")
    };
    builder
        .method("GET")
        .uri(path_and_query)
        .body(Full::new(Bytes::new()))
        .expect("a request")
}

fn post(target: &Target, path: &str, body: String) -> Request<Full<Bytes>> {
    signed(target, "POST", path, body.as_bytes())
        .method("POST")
        .uri(path)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .expect("a request")
}
