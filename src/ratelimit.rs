//! OKX's rate limits: per endpoint, per IP (public) or per account (private),
//! some also per instrument or currency, counted in fixed windows of exchange
//! time. Over a limit: HTTP 429 `{"msg":"Too Many Requests","code":"50011"}`.
//! Order writes also count against the account-wide cap of 1 000 new and
//! amended orders per 2 s (50061). On by default with OKX's published numbers;
//! scalable or off per world file, flag, builder and control API.

use std::net::SocketAddr;
use std::sync::Mutex;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use dashmap::DashMap;
use serde::{Deserialize, Serialize};

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::state::AppState;

/// Who a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The client's IP address.
    Ip,
    /// The client's IP and the `instType` / `instId` parameter.
    IpAnd(&'static str),
    /// The account (OKX's user id).
    Uid,
    /// The account and a request field (`instId`, `ccy`), each value separately.
    UidAnd(&'static str),
}

/// One endpoint's limit: `limit` requests (orders, for batches) per `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rule {
    limit: u32,
    window_ms: i64,
    scope: Scope,
}

const fn per_2s(limit: u32, scope: Scope) -> Rule {
    Rule {
        limit,
        window_ms: 2_000,
        scope,
    }
}

const fn per_s(limit: u32, scope: Scope) -> Rule {
    Rule {
        limit,
        window_ms: 1_000,
        scope,
    }
}

/// OKX's published limits for the endpoints okx-mock serves.
fn rule_for(method: &str, path: &str) -> Option<Rule> {
    use Scope::*;
    Some(match path.strip_prefix("/api/v5/")? {
        "public/time" => per_2s(10, Ip),
        "public/instruments" => per_2s(20, IpAnd("instType")),
        "market/tickers" | "market/ticker" => per_2s(20, Ip),
        "market/books" | "market/candles" => per_2s(40, Ip),
        "market/history-candles" => per_2s(20, Ip),
        "market/trades" => per_2s(100, Ip),
        "public/mark-price" | "public/funding-rate" => per_2s(10, IpAnd("instId")),
        "public/price-limit" => per_2s(20, Ip),
        "public/convert-contract-coin" => per_2s(10, Ip),
        "system/status" => Rule {
            limit: 1,
            window_ms: 5_000,
            scope: Ip,
        },
        "trade/order" => per_2s(60, UidAnd("instId")),
        "trade/cancel-order" | "trade/amend-order" => per_2s(60, UidAnd("instId")),
        "trade/batch-orders" | "trade/cancel-batch-orders" | "trade/amend-batch-orders" => {
            per_2s(300, UidAnd("instId"))
        }
        "trade/close-position" => per_2s(20, UidAnd("instId")),
        "trade/order-algo" if method == "POST" => per_2s(20, UidAnd("instId")),
        "trade/cancel-algos" | "trade/amend-algos" => per_2s(20, UidAnd("instId")),
        "trade/order-algo" | "trade/orders-algo-pending" | "trade/orders-algo-history" => {
            per_2s(20, Uid)
        }
        "trade/orders-pending" | "trade/fills" => per_2s(60, Uid),
        "trade/orders-history" => per_2s(40, Uid),
        "trade/orders-history-archive" => per_2s(20, Uid),
        "trade/fills-history" => per_2s(10, Uid),
        "account/balance" | "account/positions" | "account/positions-history" => per_2s(10, Uid),
        "account/config" | "account/trade-fee" | "account/set-position-mode" => per_2s(5, Uid),
        "account/leverage-info"
        | "account/max-size"
        | "account/max-avail-size"
        | "account/set-leverage" => per_2s(20, Uid),
        "account/bills" => per_s(5, Uid),
        "asset/transfer" => per_s(2, UidAnd("ccy")),
        "asset/transfer-state" => per_s(10, Uid),
        "asset/balances"
        | "asset/currencies"
        | "asset/deposit-address"
        | "asset/deposit-history" => per_s(6, Uid),
        "asset/withdrawal" | "asset/withdrawal-history" | "asset/cancel-withdrawal" => {
            per_s(6, Uid)
        }
        _ => return None,
    })
}

/// Whether limits apply, and how much to scale OKX's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSettings {
    /// On (OKX's behaviour) or off.
    pub enabled: bool,
    /// Multiplies every limit (2.0 doubles them); at least one request always passes.
    pub scale: f64,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            scale: 1.0,
        }
    }
}

/// How often (in counted calls) finished windows are swept, and the longest window.
const SWEEP_EVERY: u32 = 4_096;
const LONGEST_WINDOW_MS: i64 = 5_000;

/// The account-wide cap on new and amended orders per 2 s (sub-account rule).
const ORDER_CAP: u32 = 1_000;

/// Counters of the current windows.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    settings: Mutex<RateLimitSettings>,
    /// (method endpoint, who[, value]) → (window start ms, count).
    counters: DashMap<String, (i64, u32)>,
    /// Calls since the last sweep of finished windows.
    calls: std::sync::atomic::AtomicU32,
}

impl RateLimiter {
    pub(crate) fn new(settings: RateLimitSettings) -> Self {
        Self {
            settings: Mutex::new(settings),
            counters: DashMap::new(),
            calls: std::sync::atomic::AtomicU32::new(0),
        }
    }

    pub(crate) fn settings(&self) -> RateLimitSettings {
        *self.settings.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn set(&self, settings: RateLimitSettings) {
        *self.settings.lock().unwrap_or_else(|p| p.into_inner()) = settings;
        self.counters.clear();
    }

    /// Counts `cost` against `limit` per `window_ms` for `key`; false if it would exceed.
    fn take(
        &self,
        key: String,
        limit: u32,
        window_ms: i64,
        cost: u32,
        now: i64,
        scale: f64,
    ) -> bool {
        let limit = ((f64::from(limit) * scale).floor() as u32).max(1);
        let window = now.div_euclid(window_ms) * window_ms;
        // Finished windows are swept now and then, so counters keyed by what
        // clients send (instIds, currencies) cannot grow without bound.
        if self
            .calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .is_multiple_of(SWEEP_EVERY)
        {
            self.counters
                .retain(|_, (start, _)| *start + LONGEST_WINDOW_MS > now);
        }
        let mut entry = self.counters.entry(key).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 + cost > limit {
            return false;
        }
        entry.1 += cost;
        true
    }
}

/// The instruments of a batch that are over their order limit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OverLimit(pub(crate) Vec<String>);

/// Bodies larger than this are refused unread (as the gate does).
const BODY_MAX: usize = 1 << 20;

/// What the limits say of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Within every limit.
    Pass,
    /// Over the endpoint's limit (50011, or 58102 for transfers).
    Over,
    /// A batch of orders some of whose instruments are over their limit:
    /// those orders fail (50011), the others go through.
    OverFor(Vec<String>),
    /// Over the account's cap on new and amended orders (50061).
    AccountCap,
}

/// One request as the limits see it.
pub(crate) struct Counted<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    /// The account (`env/name`) once authenticated, else the client's IP.
    pub(crate) who: &'a str,
    pub(crate) account: Option<&'a str>,
    /// The values of the rule's field (`instId`, `ccy`, `instType`), one per order of a batch.
    pub(crate) field: &'a dyn Fn(&str) -> Vec<String>,
    /// Orders in a batch body (1 otherwise).
    pub(crate) orders: u32,
}

impl RateLimiter {
    /// Counts `request` against its endpoint's limit and, for order writes,
    /// the account cap (REST and WebSocket trading share both, as on OKX).
    pub(crate) fn judge(&self, request: &Counted<'_>, now: i64) -> Verdict {
        let settings = self.settings();
        let (method, path) = (request.method, request.path);
        let Some(rule) = rule_for(method, path).filter(|_| settings.enabled) else {
            return Verdict::Pass;
        };
        // Batches count orders: a one-order batch counts against the single-order
        // limit, as OKX does; an oversized batch is left to its handler (51111 etc.).
        let orders = request.orders;
        if path.contains("batch") && orders > 20 {
            return Verdict::Pass;
        }
        let (rule, endpoint) = if path.ends_with("batch-orders") && orders == 1 {
            (
                per_2s(60, Scope::UidAnd("instId")),
                format!("{method} {}", path.replace("batch-orders", "order")),
            )
        } else {
            (rule, format!("{method} {path}"))
        };
        let who = request.who;
        let allowed = match rule.scope {
            Scope::Ip | Scope::Uid => self.take(
                format!("{endpoint}|{who}"),
                rule.limit,
                rule.window_ms,
                1,
                now,
                settings.scale,
            ),
            Scope::IpAnd(field) | Scope::UidAnd(field) => {
                let mut counts: Vec<(String, u32)> = Vec::new();
                for value in (request.field)(field) {
                    match counts.iter_mut().find(|(v, _)| *v == value) {
                        Some((_, n)) => *n += 1,
                        None => counts.push((value, 1)),
                    }
                }
                if counts.is_empty() {
                    counts.push((String::new(), 1));
                }
                let per_request = !path.contains("batch");
                let over: Vec<String> = counts
                    .into_iter()
                    .filter(|(value, n)| {
                        let cost = if per_request { 1 } else { *n };
                        let key = format!("{endpoint}|{who}|{value}");
                        !self.take(key, rule.limit, rule.window_ms, cost, now, settings.scale)
                    })
                    .map(|(value, _)| value)
                    .collect();
                // A batch of orders answers per order: the orders of an instrument
                // over its limit fail with 50011, the others go through.
                if path == "/api/v5/trade/batch-orders" && orders > 1 && !over.is_empty() {
                    return Verdict::OverFor(over);
                }
                over.is_empty()
            }
        };
        if !allowed {
            return Verdict::Over;
        }
        let writes_orders = method == "POST"
            && matches!(
                path,
                "/api/v5/trade/order"
                    | "/api/v5/trade/batch-orders"
                    | "/api/v5/trade/amend-order"
                    | "/api/v5/trade/amend-batch-orders"
            );
        if writes_orders
            && let Some(account) = request.account
            && !self.take(
                format!("orders|{account}"),
                ORDER_CAP,
                2_000,
                orders,
                now,
                settings.scale,
            )
        {
            return Verdict::AccountCap;
        }
        Verdict::Pass
    }
}

/// Middleware: applies the endpoint's limit (after authentication, on private routes).
pub(crate) async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let settings = state.limits.settings();
    let path = request.uri().path().to_owned();
    if !settings.enabled || rule_for(request.method().as_str(), &path).is_none() {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_MAX).await else {
        return ApiError::json_syntax().into_response();
    };
    let ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or("-".to_owned(), |c| c.0.ip().to_string());
    let account = parts
        .extensions
        .get::<Authenticated>()
        .map(Authenticated::account_name);
    let query = parts.uri.query().unwrap_or("");
    let orders = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Array(items)) => items.len().max(1) as u32,
        _ => 1,
    };
    let verdict = state.limits.judge(
        &Counted {
            method: parts.method.as_str(),
            path: &path,
            who: account.as_deref().unwrap_or(&ip),
            account: account.as_deref(),
            field: &|name| values(query, &bytes, name),
            orders,
        },
        state.clock.now_ms(),
    );
    let mut request = Request::from_parts(parts, Body::from(bytes));
    match verdict {
        Verdict::Pass => next.run(request).await,
        Verdict::OverFor(over) => {
            request.extensions_mut().insert(OverLimit(over));
            next.run(request).await
        }
        // Funding transfers have their own code for it (58102, HTTP 429).
        Verdict::Over if path == "/api/v5/asset/transfer" => ApiError::Envelope {
            code: "58102",
            msg: "Rate limit reached. Please refer to API docs and throttle requests accordingly."
                .into(),
            status: axum::http::StatusCode::TOO_MANY_REQUESTS,
        }
        .into_response(),
        Verdict::Over => too_many().into_response(),
        Verdict::AccountCap => account_cap().into_response(),
    }
}

/// OKX's answer over a limit: HTTP 429 `{"msg":"Too Many Requests","code":"50011"}`.
fn too_many() -> ApiError {
    ApiError::Gateway {
        code: "50011",
        msg: "Too Many Requests".into(),
        status: axum::http::StatusCode::TOO_MANY_REQUESTS,
    }
}

/// OKX's answer over the account's order cap (50061).
pub(crate) fn account_cap() -> ApiError {
    ApiError::Envelope {
        code: "50061",
        msg: "You've reached the maximum order rate limit for this account.".into(),
        status: axum::http::StatusCode::OK,
    }
}

/// Every value of `name` in the query, or in the JSON body (each object of a batch).
fn values(query: &str, body: &[u8], name: &str) -> Vec<String> {
    if let Some((_, v)) = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name) {
        return vec![v.into_owned()];
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let objects: Vec<&serde_json::Value> = match &value {
        serde_json::Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    objects
        .into_iter()
        .filter_map(|o| {
            o.get(name)
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        })
        .collect()
}
