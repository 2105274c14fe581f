//! Starting the servers under test as processes, and reading their memory.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::client::Creds;

/// A server process, killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    /// The first live key of the banner (okx-mock only).
    pub creds: Option<Creds>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Resident memory, KiB (from /proc).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc/PID/status (Linux)");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("a VmRSS line")
    }
}

/// The okx-mock binary cargo built for this benchmark (release settings), or
/// `OKX_MOCK_BENCH_BIN` (e.g. a build with debug symbols, for profiling).
pub fn mock_binary() -> String {
    std::env::var("OKX_MOCK_BENCH_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_okx-mock").to_owned())
}

/// Starts okx-mock on a free port with `args`; returns once its banner is out,
/// and how long after spawning its first answer to `GET public/time` came.
pub fn start_mock(args: &[&str]) -> (Server, Duration) {
    let began = Instant::now();
    let mut child = Command::new(mock_binary())
        .args(["--port", "0"])
        .args(args)
        .env("OKX_MOCK_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("okx-mock starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a banner").expect("readable");
    let port: u16 = first
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {first:?}"));
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let started = first_answer(addr, began);
    let mut creds = None;
    for line in lines.by_ref() {
        let line = line.expect("readable");
        if let Some(rest) = line.strip_prefix("apiKey=") {
            let field = |name: &str| {
                rest.split(' ')
                    .find_map(|f| f.strip_prefix(name))
                    .map(str::to_owned)
                    .unwrap_or_default()
            };
            creds = Some(Creds {
                api_key: rest.split(' ').next().unwrap_or_default().to_owned(),
                secret: field("secretKey="),
                passphrase: field("passphrase="),
            });
            break;
        }
    }
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (Server { child, addr, creds }, started)
}

/// Polls `GET /api/v5/public/time` until it answers 200; the time since `began`.
fn first_answer(addr: SocketAddr, began: Instant) -> Duration {
    loop {
        if let Ok(mut stream) = TcpStream::connect(addr) {
            let _ = stream.write_all(
                b"GET /api/v5/public/time HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            );
            let mut reply = String::new();
            let _ = stream.read_to_string(&mut reply);
            if reply.starts_with("HTTP/1.1 200") {
                return began.elapsed();
            }
        }
        assert!(
            began.elapsed() < Duration::from_secs(10),
            "okx-mock did not answer"
        );
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Starts the ceiling (this benchmark binary in `--ceiling` mode).
pub fn start_ceiling(secret: &str, ticker: &Path, books: &Path) -> Server {
    let mut child = Command::new(std::env::current_exe().expect("own path"))
        .arg("--ceiling")
        .args([secret.as_ref(), ticker.as_os_str(), books.as_os_str()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the ceiling starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("readable");
    let port: u16 = first
        .strip_prefix("listening on ")
        .and_then(|p| p.parse().ok())
        .expect("listening on PORT");
    Server {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        creds: None,
    }
}

/// One plain HTTP/1.1 request; the body of the answer.
pub fn http(addr: SocketAddr, method: &str, target: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let request = format!(
        "{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("read");
    reply
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default()
}
