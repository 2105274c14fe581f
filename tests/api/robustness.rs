//! Regressions from review: holds that must stay true as positions move, and
//! absurd input that must be answered rather than crash the server.

use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{Value, json};

use crate::helpers::{Trader, d, send, spawn_app};

fn swap(side: &str, ord_type: &str, sz: &str, px: Option<&str>) -> Value {
    let mut order = json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": side, "ordType": ord_type, "sz": sz});
    if let Some(px) = px {
        order["px"] = json!(px);
    }
    order
}

#[tokio::test]
async fn a_reduce_only_order_cannot_be_amended_past_the_position() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    trader.order(swap("buy", "market", "1", None)).await;
    let mut reduce = swap("sell", "limit", "1", Some("96000"));
    reduce["reduceOnly"] = json!(true);
    let ord_id = trader.order(reduce).await.data()[0]["ordId"].clone();
    let amend = trader
        .post(
            "/api/v5/trade/amend-order",
            json!({"instId": "BTC-USDT-SWAP", "ordId": ord_id, "newSz": "500", "newPx": "94000"}),
        )
        .await;
    assert_eq!(amend.data()[0]["sCode"], "51521");
    assert_eq!(
        trader.get("/api/v5/account/positions").await.data()[0]["pos"],
        "1"
    );
}

#[tokio::test]
async fn a_reduce_only_order_is_canceled_once_its_position_is_gone() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    trader.order(swap("buy", "market", "1", None)).await;
    let mut reduce = swap("sell", "limit", "1", Some("96000"));
    reduce["reduceOnly"] = json!(true);
    let ord_id = trader.order(reduce).await.data()[0]["ordId"]
        .as_str()
        .unwrap()
        .to_owned();
    trader.order(swap("sell", "market", "1", None)).await;
    server.set_price("BTC-USDT-SWAP", "96500").unwrap();
    server.clock().advance(180_000);
    let order = trader
        .get(&format!(
            "/api/v5/trade/order?instId=BTC-USDT-SWAP&ordId={ord_id}"
        ))
        .await
        .data()[0]
        .clone();
    assert_eq!(
        (
            order["state"].as_str(),
            order["cancelSource"].as_str(),
            order["accFillSz"].as_str()
        ),
        (Some("canceled"), Some("0"), Some("0"))
    );
    assert!(
        trader
            .get("/api/v5/account/positions")
            .await
            .data()
            .is_empty(),
        "it never opened a short"
    );
}

#[tokio::test]
async fn closing_orders_beyond_the_position_hold_margin_and_balances_stay_positive() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    trader.order(swap("buy", "market", "100", None)).await;
    let mut accepted = 0;
    for _ in 0..20 {
        if trader
            .order(swap("sell", "limit", "100", Some("95500")))
            .await
            .code()
            == "0"
        {
            accepted += 1;
        }
    }
    assert!(
        (2..20).contains(&accepted),
        "only the first closes for free; {accepted} accepted"
    );
    server.set_price("BTC-USDT-SWAP", "96000").unwrap();
    server.clock().advance(180_000);
    let usdt = trader.balance("USDT").await;
    assert!(d(&usdt["availBal"]) >= Decimal::ZERO, "{usdt}");
    let ordered = Decimal::from(accepted * 100 - 100);
    assert_eq!(
        d(&trader.get("/api/v5/account/positions").await.data()[0]["pos"]),
        -ordered
    );
}

#[tokio::test]
async fn amending_an_inverse_order_holds_what_a_fresh_order_would() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let order = |px: &str| json!({"instId": "BTC-USD-SWAP", "tdMode": "cross", "side": "buy", "ordType": "limit", "sz": "100", "px": px});
    let first = trader.order(order("60000")).await.data()[0]["ordId"].clone();
    trader
        .post(
            "/api/v5/trade/amend-order",
            json!({"instId": "BTC-USD-SWAP", "ordId": first, "newPx": "90000"}),
        )
        .await;
    let amended = d(&trader.balance("BTC").await["ordFrozen"]);
    trader
        .post(
            "/api/v5/trade/cancel-order",
            json!({"instId": "BTC-USD-SWAP", "ordId": first}),
        )
        .await;
    trader.order(order("90000")).await;
    assert_eq!(amended, d(&trader.balance("BTC").await["ordFrozen"]));
}

#[tokio::test]
async fn close_position_honours_auto_cancel() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    trader.order(swap("buy", "market", "2", None)).await;
    let mut reduce = swap("sell", "limit", "1", Some("96000"));
    reduce["reduceOnly"] = json!(true);
    trader.order(reduce).await;
    let refused = trader
        .post(
            "/api/v5/trade/close-position",
            json!({"instId": "BTC-USDT-SWAP", "mgnMode": "cross"}),
        )
        .await;
    assert_eq!(
        (refused.status, refused.body.as_str()),
        (
            429,
            r#"{"code":"51115","data":[],"msg":"Cancel all pending close-orders before liquidation."}"#
        )
    );
    let closed = trader
        .post(
            "/api/v5/trade/close-position",
            json!({"instId": "BTC-USDT-SWAP", "mgnMode": "cross", "autoCxl": true}),
        )
        .await;
    assert_eq!(closed.code(), "0");
    assert!(
        trader
            .get("/api/v5/account/positions")
            .await
            .data()
            .is_empty()
    );
    assert!(
        trader
            .get("/api/v5/trade/orders-pending")
            .await
            .data()
            .is_empty()
    );
}

#[tokio::test]
async fn absurd_numbers_are_answered_not_crashed_on() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let huge = "79228162514264337593543950335";
    let market_sell = trader.order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "sell", "ordType": "market", "sz": "1000000000000000000000000", "tgtCcy": "base_ccy"})).await;
    assert_eq!(market_sell.data()[0]["sCode"], "51202");
    let sell_px = trader
        .order(swap("sell", "limit", "1000", Some(huge)))
        .await;
    assert_eq!(sell_px.data()[0]["sMsg"], "Parameter px error ");
    let resting = trader
        .order(swap("buy", "limit", "1", Some("90000")))
        .await
        .data()[0]["ordId"]
        .clone();
    let big_sz = trader
        .post(
            "/api/v5/trade/amend-order",
            json!({"instId": "BTC-USDT-SWAP", "ordId": resting, "newSz": huge}),
        )
        .await;
    assert_eq!(big_sz.data()[0]["sCode"], "51203");
    let big_px = trader
        .post(
            "/api/v5/trade/amend-order",
            json!({"instId": "BTC-USDT-SWAP", "ordId": resting, "newPx": huge}),
        )
        .await;
    assert_eq!(big_px.data()[0]["sCode"], "51000");
    let zero_px = trader
        .get("/api/v5/account/max-size?instId=BTC-USDT&tdMode=cash&px=0")
        .await;
    assert_eq!(
        zero_px.body,
        r#"{"code":"51000","data":[],"msg":"Parameter px error"}"#
    );
    let credit = send(
        &server,
        "POST",
        "/__admin/accounts/live/main/balance",
        &[],
        &json!({"ccy": "USDT", "amount": huge}).to_string(),
    )
    .await;
    assert!(credit.status >= 400 && credit.json["error"].is_string());
    let price = send(
        &server,
        "POST",
        "/__admin/prices",
        &[],
        &json!({"instId": "BTC-USDT", "px": "70000000000000000000000000000"}).to_string(),
    )
    .await;
    assert_eq!(price.status, 400);
    assert_eq!(
        trader.get("/api/v5/account/balance").await.code(),
        "0",
        "the server is still serving"
    );
}

#[tokio::test]
async fn a_year_long_clock_jump_with_resting_orders_stays_cheap() {
    let server = spawn_app().await;
    // Demo keys never expire, so this one survives the year.
    let trader = Trader::demo(&server);
    trader.order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "0.01", "px": "50000"})).await;
    trader.order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "sell", "ordType": "limit", "sz": "0.01", "px": "99000"})).await;
    server.clock().advance(365 * 86_400_000);
    let started = Instant::now();
    let pending = trader.get("/api/v5/trade/orders-pending").await;
    assert_eq!(pending.data().len(), 2);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(d(&trader.balance("USDT").await["ordFrozen"]), dec!(500));
}
