//! okx-mock: a local mock of the OKX v5 exchange API.
//!
//! Point an OKX client (ccxt, python-okx, okx-api, or your own) at
//! [`MockOkx::uri`] and it gets OKX's rules (signatures, the 30 s clock window,
//! demo and live keys, instruments, market data, OKX's exact error codes) from
//! a server that runs in-process, on a free port, with a clock you control.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use okx_mock::{Env, MockOkx};
//!
//! let server = MockOkx::start().await;
//! let url = format!("{}/api/v5/market/ticker?instId=BTC-USDT", server.uri());
//! let body: serde_json::Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
//! assert_eq!(body["code"], "0");
//! assert_eq!(body["data"][0]["last"], "95000");
//!
//! // Keys to sign private calls with, as ccxt names them: apiKey, secret, password.
//! let demo = server.credentials(Env::Demo);
//! assert!(!demo.api_key.is_empty());
//!
//! // The exchange clock moves only when told to, once frozen.
//! server.clock().freeze_at(1_800_000_000_000);
//! let url = format!("{}/api/v5/public/time", server.uri());
//! let body: serde_json::Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
//! assert_eq!(body["data"][0]["ts"], "1800000000000");
//! # }
//! ```
#![warn(unreachable_pub, missing_docs)]
// OKX rows have up to ~60 fields; serde_json::json! recurses once per field.
#![recursion_limit = "256"]

mod admin;
mod api;
mod app;
mod auth;
mod clock;
mod error;
mod exchange;
mod journal;
mod ratelimit;
mod scenario;
mod serve;
mod server;
mod state;
mod tls;
mod wire;
mod ws;

pub use crate::admin::ops::{
    AccountSettings, AccountView, AddressView, AdminError, ClockView, FaultView, Health, KeyChange,
    KeyView, NewDeposit, NewKey, PricePoint, PriceView,
};
pub use crate::auth::{ApiKey, Env, IDLE_KEY_LIFETIME_MS, Permission, prehash, sign};
pub use crate::clock::Clock;
pub use crate::exchange::HISTORY_CAP;
pub use crate::journal::{DEFAULT_JOURNAL_CAP, JournalEntry, JournalFilter};
pub use crate::ratelimit::RateLimitSettings;
pub use crate::scenario::{DEFAULT_WORLD, WorldError};
pub use crate::server::{BoundServer, Credentials, MockOkx, MockOkxBuilder, StartError};
pub use crate::tls::{TlsCert, TlsError};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
