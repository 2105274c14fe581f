//! Starting servers and speaking OKX's protocol to them.

use chrono::{TimeZone, Utc};
use okx_mock::{Clock, Credentials, DEFAULT_WORLD, MockOkx, prehash, sign};
use serde_json::Value;

/// Rate limits off: these tests are about other things, on a frozen clock
/// where every request falls in the same window (tests/api/limits.rs has them on).
pub const NO_LIMITS: okx_mock::RateLimitSettings = okx_mock::RateLimitSettings {
    enabled: false,
    scale: 1.0,
};

/// 2026-11-25T05:17:42.345Z: mid-minute, so the current candle is still forming.
pub const NOW: i64 = 1_795_583_862_345;

/// A server on the embedded world with its clock frozen at [`NOW`].
pub async fn spawn_app() -> MockOkx {
    MockOkx::builder()
        .rate_limits(crate::helpers::NO_LIMITS)
        .clock(Clock::frozen_at(NOW))
        .start()
        .await
        .unwrap()
}

/// A server on the embedded world with a seeded random-walk price model.
pub async fn spawn_walking_app(seed: u64) -> MockOkx {
    let world = DEFAULT_WORLD.replace(r#"priceModel = "static""#, r#"priceModel = "walk""#);
    assert_ne!(
        world, DEFAULT_WORLD,
        "the default world names its price model"
    );
    MockOkx::builder()
        .rate_limits(crate::helpers::NO_LIMITS)
        .world_toml(world)
        .seed(seed)
        .clock(Clock::frozen_at(NOW))
        .start()
        .await
        .unwrap()
}

/// A reply: HTTP status, raw body, and the body parsed as JSON.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub json: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.json["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no string code in {}", self.body))
    }

    pub fn data(&self) -> &Vec<Value> {
        self.json["data"]
            .as_array()
            .unwrap_or_else(|| panic!("no data array in {}", self.body))
    }
}

async fn reply(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    let json = serde_json::from_str(&body).unwrap_or(Value::Null);
    Reply { status, body, json }
}

/// An unsigned GET of `path_and_query`.
pub async fn get(server: &MockOkx, path_and_query: &str) -> Reply {
    reply(
        reqwest::get(format!("{}{path_and_query}", server.uri()))
            .await
            .unwrap(),
    )
    .await
}

/// Any request with the given headers, sent as is.
pub async fn send(
    server: &MockOkx,
    method: &str,
    path_and_query: &str,
    headers: &[(&str, String)],
    body: &str,
) -> Reply {
    let client = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = client.request(method, format!("{}{path_and_query}", server.uri()));
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    reply(request.body(body.to_owned()).send().await.unwrap()).await
}

/// OKX's timestamp format for `ms`.
pub fn iso(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// The four auth headers for a GET of `signed_target` at `ms`.
pub fn auth_headers(
    creds: &Credentials,
    ms: i64,
    signed_target: &str,
) -> Vec<(&'static str, String)> {
    let ts = iso(ms);
    let signature = sign(&creds.secret_key, &prehash(&ts, "GET", signed_target, b""));
    vec![
        ("OK-ACCESS-KEY", creds.api_key.clone()),
        ("OK-ACCESS-SIGN", signature),
        ("OK-ACCESS-TIMESTAMP", ts),
        ("OK-ACCESS-PASSPHRASE", creds.passphrase.clone()),
    ]
}

/// A correctly signed GET at exchange time [`NOW`], optionally in demo mode.
pub async fn signed_get(server: &MockOkx, creds: &Credentials, target: &str, demo: bool) -> Reply {
    let mut headers = auth_headers(creds, NOW, target);
    if demo {
        headers.push(("x-simulated-trading", "1".into()));
    }
    send(server, "GET", target, &headers, "").await
}

/// A decimal string as f64, for comparisons.
pub fn f(value: &Value) -> f64 {
    value
        .as_str()
        .unwrap_or_else(|| panic!("{value} is not a string"))
        .parse()
        .unwrap()
}

/// A signed client for one key, signing at the server's current exchange time.
pub struct Trader<'a> {
    pub server: &'a MockOkx,
    pub creds: Credentials,
    pub demo: bool,
}

impl<'a> Trader<'a> {
    pub fn live(server: &'a MockOkx) -> Self {
        Self {
            server,
            creds: server.credentials(okx_mock::Env::Live),
            demo: false,
        }
    }

    pub fn demo(server: &'a MockOkx) -> Self {
        Self {
            server,
            creds: server.credentials(okx_mock::Env::Demo),
            demo: true,
        }
    }

    fn headers(&self, method: &str, target: &str, body: &str) -> Vec<(&'static str, String)> {
        let ts = iso(self.server.clock().now_ms());
        let signature = sign(
            &self.creds.secret_key,
            &prehash(&ts, method, target, body.as_bytes()),
        );
        let mut headers = vec![
            ("OK-ACCESS-KEY", self.creds.api_key.clone()),
            ("OK-ACCESS-SIGN", signature),
            ("OK-ACCESS-TIMESTAMP", ts),
            ("OK-ACCESS-PASSPHRASE", self.creds.passphrase.clone()),
            ("Content-Type", "application/json".to_owned()),
        ];
        if self.demo {
            headers.push(("x-simulated-trading", "1".to_owned()));
        }
        headers
    }

    pub async fn get(&self, target: &str) -> Reply {
        send(
            self.server,
            "GET",
            target,
            &self.headers("GET", target, ""),
            "",
        )
        .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.post_raw(path, &body.to_string()).await
    }

    pub async fn post_raw(&self, path: &str, body: &str) -> Reply {
        send(
            self.server,
            "POST",
            path,
            &self.headers("POST", path, body),
            body,
        )
        .await
    }

    /// Places one order through trade/order and returns the reply.
    pub async fn order(&self, body: Value) -> Reply {
        self.post("/api/v5/trade/order", body).await
    }

    /// The account/balance detail of `ccy`.
    pub async fn balance(&self, ccy: &str) -> Value {
        let reply = self
            .get(&format!("/api/v5/account/balance?ccy={ccy}"))
            .await;
        reply.data()[0]["details"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["ccy"] == ccy)
            .cloned()
            .unwrap_or(Value::Null)
    }
}

/// A server on a world derived from the default one by text replacements.
pub async fn spawn_with(replacements: &[(&str, &str)]) -> MockOkx {
    let mut world = DEFAULT_WORLD.to_owned();
    for (from, to) in replacements {
        assert!(world.contains(from), "the default world contains {from:?}");
        world = world.replacen(from, to, 1);
    }
    MockOkx::builder()
        .rate_limits(crate::helpers::NO_LIMITS)
        .world_toml(world)
        .clock(Clock::frozen_at(NOW))
        .start()
        .await
        .unwrap()
}

/// A server on the embedded world plus `extra` TOML (more accounts, keys,
/// settings), clock frozen at [`NOW`], rate limits off.
pub async fn spawn_world_plus(extra: &str) -> MockOkx {
    MockOkx::builder()
        .rate_limits(crate::helpers::NO_LIMITS)
        .world_toml(format!("{DEFAULT_WORLD}\n{extra}"))
        .clock(Clock::frozen_at(NOW))
        .start()
        .await
        .unwrap()
}

/// A decimal field as rust_decimal, for exact arithmetic in assertions.
pub fn d(value: &Value) -> rust_decimal::Decimal {
    value
        .as_str()
        .unwrap_or_else(|| panic!("{value} is not a string"))
        .parse()
        .unwrap()
}
