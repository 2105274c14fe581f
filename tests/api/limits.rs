//! OKX's rate limits, counted on the exchange clock.

use okx_mock::{Clock, MockOkx, RateLimitSettings};
use serde_json::{Value, json};

use crate::helpers::{NOW, Trader, get, send};

async fn limited() -> MockOkx {
    MockOkx::builder()
        .clock(Clock::frozen_at(NOW))
        .start()
        .await
        .unwrap()
}

fn small_buy(inst_id: &str, px: &str) -> Value {
    json!({"instId": inst_id, "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "0.01", "px": px})
}

const TOO_MANY: &str = r#"{"msg":"Too Many Requests","code":"50011"}"#;

#[tokio::test]
async fn public_endpoints_are_limited_per_ip_in_two_second_windows() {
    let server = limited().await;
    for _ in 0..10 {
        assert_eq!(get(&server, "/api/v5/public/time").await.status, 200);
    }
    let over = get(&server, "/api/v5/public/time").await;
    assert_eq!((over.status, over.body.as_str()), (429, TOO_MANY));
    assert_eq!(
        get(&server, "/api/v5/market/ticker?instId=BTC-USDT")
            .await
            .status,
        200,
        "each endpoint counts alone"
    );
    server.clock().advance(2_000);
    assert_eq!(
        get(&server, "/api/v5/public/time").await.status,
        200,
        "a new window"
    );
}

#[tokio::test]
async fn order_placement_is_limited_per_account_and_instrument() {
    let server = limited().await;
    let trader = Trader::live(&server);
    for _ in 0..60 {
        assert_eq!(
            trader.order(small_buy("ETH-USDT", "3000")).await.code(),
            "0"
        );
    }
    let over = trader.order(small_buy("ETH-USDT", "3000")).await;
    assert_eq!((over.status, over.body.as_str()), (429, TOO_MANY));
    assert_eq!(
        trader.order(small_buy("SOL-USDT", "150")).await.code(),
        "0",
        "another instrument has its own count"
    );
    let one_order_batch = trader
        .post(
            "/api/v5/trade/batch-orders",
            json!([small_buy("ETH-USDT", "3000")]),
        )
        .await;
    assert_eq!(
        one_order_batch.status, 429,
        "a one-order batch counts against the single-order limit"
    );
    let demo = Trader::demo(&server);
    assert_eq!(
        demo.order(small_buy("ETH-USDT", "3000")).await.code(),
        "0",
        "another account has its own count"
    );
    let journal = server.received_requests(&okx_mock::JournalFilter {
        code: Some("50011".into()),
        ..Default::default()
    });
    assert_eq!(journal.len(), 2);
}

#[tokio::test]
async fn the_account_wide_order_cap_answers_50061() {
    let server = MockOkx::builder()
        .clock(Clock::frozen_at(NOW))
        .rate_limits(RateLimitSettings {
            enabled: true,
            scale: 0.1,
        })
        .start()
        .await
        .unwrap();
    let trader = Trader::live(&server);
    // Scaled by 0.1: 30 orders per instrument per batch window, 100 per account.
    let mut codes = Vec::new();
    for (inst, px) in [
        ("BTC-USDT", "90000"),
        ("ETH-USDT", "3000"),
        ("SOL-USDT", "150"),
        ("OKB-USDT", "50"),
    ] {
        let batch: Vec<Value> = (0..15).map(|_| small_buy(inst, px)).collect();
        for _ in 0..2 {
            let reply = trader
                .post("/api/v5/trade/batch-orders", Value::Array(batch.clone()))
                .await;
            codes.push(reply.json["code"].as_str().unwrap_or("?").to_owned());
        }
    }
    assert_eq!(codes, ["0", "0", "0", "0", "0", "0", "50061", "50061"]);
}

#[tokio::test]
async fn limits_can_be_scaled_or_switched_off() {
    let server = MockOkx::builder()
        .clock(Clock::frozen_at(NOW))
        .world_toml(format!(
            "{}\n[rateLimits]\nscale = 2.0\n",
            okx_mock::DEFAULT_WORLD
        ))
        .start()
        .await
        .unwrap();
    let statuses: Vec<u16> =
        futures_util::future::join_all((0..21).map(|_| get(&server, "/api/v5/public/time")))
            .await
            .iter()
            .map(|r| r.status)
            .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        1,
        "20 pass at twice OKX's limit"
    );
    let off = send(
        &server,
        "POST",
        "/__admin/rate-limits",
        &[],
        r#"{"enabled": false}"#,
    )
    .await;
    assert_eq!(off.json, json!({"enabled": false, "scale": 1.0}));
    for _ in 0..30 {
        assert_eq!(get(&server, "/api/v5/public/time").await.status, 200);
    }
    server.set_rate_limits(RateLimitSettings::default());
    assert_eq!(
        server.rate_limits(),
        RateLimitSettings {
            enabled: true,
            scale: 1.0
        }
    );
}

#[tokio::test]
async fn a_batch_over_an_instrument_limit_fails_those_orders_only() {
    let server = MockOkx::builder()
        .clock(Clock::frozen_at(NOW))
        .rate_limits(RateLimitSettings {
            enabled: true,
            scale: 0.01,
        })
        .start()
        .await
        .unwrap();
    let trader = Trader::live(&server);
    // Scaled by 0.01: 3 batch orders per instrument per window; 4 ETH-USDT orders are over.
    let eth = small_buy("ETH-USDT", "3000");
    let batch = json!([eth, eth, eth, eth, small_buy("SOL-USDT", "150")]);
    let reply = trader.post("/api/v5/trade/batch-orders", batch).await;
    assert_eq!((reply.status, reply.code()), (200, "2"), "{}", reply.body);
    let codes: Vec<&str> = reply
        .data()
        .iter()
        .map(|i| i["sCode"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["50011", "50011", "50011", "50011", "0"]);
    assert_eq!(
        reply.data()[0]["sMsg"],
        "Rate limit reached. Please refer to API documentation and throttle requests accordingly."
    );
}

#[tokio::test]
async fn funding_transfers_over_their_limit_answer_58102() {
    let server = limited().await;
    let trader = Trader::live(&server);
    let to_funding = |ccy: &str| json!({"ccy": ccy, "amt": "1", "from": "18", "to": "6"});
    for _ in 0..2 {
        let moved = trader
            .post("/api/v5/asset/transfer", to_funding("USDT"))
            .await;
        assert_eq!(moved.code(), "0", "{}", moved.body);
    }
    let over = trader
        .post("/api/v5/asset/transfer", to_funding("USDT"))
        .await;
    assert_eq!(
        (over.status, over.body.as_str()),
        (
            429,
            r#"{"code":"58102","data":[],"msg":"Rate limit reached. Please refer to API docs and throttle requests accordingly."}"#
        )
    );
    assert_eq!(
        trader
            .post("/api/v5/asset/transfer", to_funding("BTC"))
            .await
            .code(),
        "0",
        "each currency has its own count"
    );
    server.clock().advance(1_000);
    assert_eq!(
        trader
            .post("/api/v5/asset/transfer", to_funding("USDT"))
            .await
            .code(),
        "0",
        "the next second starts a new window"
    );
}
