//! Placing, matching, canceling and amending orders, with OKX's rejections.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{Value, json};

use crate::helpers::{NOW, Trader, d, spawn_app, spawn_with};

fn limit(inst_id: &str, side: &str, sz: &str, px: &str) -> Value {
    json!({"instId": inst_id, "tdMode": "cash", "side": side, "ordType": "limit", "sz": sz, "px": px})
}

/// Asserts a single-item failure: code "1", HTTP 200, the item's sCode and sMsg.
fn assert_item_failure(reply: &crate::helpers::Reply, s_code: &str, s_msg: &str) {
    assert_eq!((reply.status, reply.code()), (200, "1"), "{}", reply.body);
    assert_eq!(reply.json["msg"], "All operations failed");
    let item = &reply.data()[0];
    assert_eq!(
        (item["sCode"].as_str(), item["sMsg"].as_str()),
        (Some(s_code), Some(s_msg)),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn a_limit_buy_below_the_market_rests_and_holds_its_quote() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let reply = trader.order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "0.01", "px": "90000", "clOrdId": "rest1", "tag": "x"})).await;
    assert_eq!(reply.code(), "0", "{}", reply.body);
    let ack = &reply.data()[0];
    assert_eq!(
        (
            ack["sCode"].as_str(),
            ack["sMsg"].as_str(),
            ack["clOrdId"].as_str()
        ),
        (Some("0"), Some("Order placed"), Some("rest1"))
    );
    let ord_id = ack["ordId"].as_str().unwrap();
    assert!(
        ord_id.len() == 19 && ord_id.parse::<i64>().is_ok(),
        "{ord_id}"
    );
    assert_eq!(reply.json["inTime"], format!("{}000", NOW));

    let order = trader
        .get(&format!(
            "/api/v5/trade/order?instId=BTC-USDT&ordId={ord_id}"
        ))
        .await;
    let o = &order.data()[0];
    for (field, value) in [
        ("state", "live"),
        ("px", "90000"),
        ("sz", "0.01"),
        ("accFillSz", "0"),
        ("avgPx", ""),
        ("ordType", "limit"),
        ("tdMode", "cash"),
        ("reduceOnly", "false"),
        ("fillSz", "0"),
        ("tag", "x"),
    ] {
        assert_eq!(o[field], value, "{field}");
    }
    let usdt = trader.balance("USDT").await;
    assert_eq!(
        (
            d(&usdt["cashBal"]),
            d(&usdt["ordFrozen"]),
            d(&usdt["availBal"])
        ),
        (dec!(100000), dec!(900), dec!(99100))
    );
    let pending = trader
        .get("/api/v5/trade/orders-pending?instType=SPOT")
        .await;
    assert_eq!(pending.data().len(), 1);
}

#[tokio::test]
async fn canceling_releases_the_hold_and_a_second_cancel_is_refused() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let placed = trader
        .order(limit("BTC-USDT", "sell", "0.5", "99000"))
        .await;
    let ord_id = placed.data()[0]["ordId"].as_str().unwrap().to_owned();
    assert_eq!(d(&trader.balance("BTC").await["ordFrozen"]), dec!(0.5));
    let cancel = trader
        .post(
            "/api/v5/trade/cancel-order",
            json!({"instId": "BTC-USDT", "ordId": ord_id}),
        )
        .await;
    assert_eq!(
        (cancel.code(), cancel.data()[0]["sCode"].as_str()),
        ("0", Some("0"))
    );
    assert_eq!(d(&trader.balance("BTC").await["ordFrozen"]), dec!(0));
    let order = trader
        .get(&format!(
            "/api/v5/trade/order?instId=BTC-USDT&ordId={ord_id}"
        ))
        .await;
    assert_eq!(
        (
            order.data()[0]["state"].as_str(),
            order.data()[0]["cancelSource"].as_str()
        ),
        (Some("canceled"), Some("1"))
    );
    let again = trader
        .post(
            "/api/v5/trade/cancel-order",
            json!({"instId": "BTC-USDT", "ordId": ord_id}),
        )
        .await;
    assert_item_failure(
        &again,
        "51400",
        "Order cancellation failed as the order has been filled, canceled or does not exist.",
    );
    let none = trader
        .post("/api/v5/trade/cancel-order", json!({"instId": "BTC-USDT"}))
        .await;
    assert_item_failure(
        &none,
        "51407",
        "Either order ID or client order ID is required.",
    );
}

#[tokio::test]
async fn a_spot_market_buy_sweeps_the_book_and_pays_its_fee_in_base() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    // Sized in quote currency: OKX's default for spot market buys.
    let reply = trader.order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "market", "sz": "950.001"})).await;
    let ord_id = reply.data()[0]["ordId"].as_str().unwrap().to_owned();
    let o = trader
        .get(&format!(
            "/api/v5/trade/order?instId=BTC-USDT&ordId={ord_id}"
        ))
        .await
        .data()[0]
        .clone();
    assert_eq!(
        (
            o["state"].as_str(),
            o["tgtCcy"].as_str(),
            o["avgPx"].as_str()
        ),
        (Some("filled"), Some("quote_ccy"), Some("95000.1"))
    );
    assert_eq!(d(&o["accFillSz"]), dec!(0.01));
    assert_eq!(
        (d(&o["fee"]), o["feeCcy"].as_str()),
        (dec!(-0.00001), Some("BTC"))
    );

    let fills = trader.get("/api/v5/trade/fills?instId=BTC-USDT").await;
    let fill = &fills.data()[0];
    assert_eq!(
        (
            fill["execType"].as_str(),
            fill["feeRate"].as_str(),
            fill["subType"].as_str()
        ),
        (Some("T"), Some("-0.001"), Some("1"))
    );
    // Balances agree with the fill to the last digit.
    assert_eq!(
        d(&trader.balance("USDT").await["cashBal"]),
        dec!(100000) - dec!(950.001)
    );
    assert_eq!(
        d(&trader.balance("BTC").await["cashBal"]),
        dec!(2) + dec!(0.01) - dec!(0.00001)
    );
}

#[tokio::test]
async fn a_limit_buy_through_the_ask_fills_at_once_at_the_ask() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let reply = trader
        .order(limit("BTC-USDT", "buy", "0.02", "96000"))
        .await;
    let ord_id = reply.data()[0]["ordId"].as_str().unwrap().to_owned();
    let o = trader
        .get(&format!(
            "/api/v5/trade/order?instId=BTC-USDT&ordId={ord_id}"
        ))
        .await
        .data()[0]
        .clone();
    assert_eq!(
        (
            o["state"].as_str(),
            o["avgPx"].as_str(),
            o["fillPx"].as_str()
        ),
        (Some("filled"), Some("95000.1"), Some("95000.1"))
    );
    // The hold was at 96000; what was not spent is released.
    let usdt = trader.balance("USDT").await;
    assert_eq!(
        (d(&usdt["cashBal"]), d(&usdt["ordFrozen"])),
        (dec!(100000) - dec!(1900.002), dec!(0))
    );
}

#[tokio::test]
async fn a_resting_order_at_the_last_price_fills_as_maker_while_time_passes() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let reply = trader.order(limit("BTC-USDT", "buy", "1", "95000")).await;
    let ord_id = reply.data()[0]["ordId"].as_str().unwrap().to_owned();
    let below = trader
        .order(limit("BTC-USDT", "buy", "0.01", "94999.9"))
        .await;
    let below_id = below.data()[0]["ordId"].as_str().unwrap().to_owned();
    server.clock().advance(2 * 60_000);
    let reply = trader
        .get(&format!(
            "/api/v5/trade/order?instId=BTC-USDT&ordId={ord_id}"
        ))
        .await;
    let o = reply
        .data()
        .first()
        .unwrap_or_else(|| panic!("{}", reply.body))
        .clone();
    let filled = d(&o["accFillSz"]);
    assert!(
        filled > Decimal::ZERO && filled < dec!(1),
        "partial maker fills, got {filled}"
    );
    assert_eq!(
        (o["state"].as_str(), o["avgPx"].as_str()),
        (Some("partially_filled"), Some("95000"))
    );
    let fills = trader
        .get(&format!("/api/v5/trade/fills?ordId={ord_id}"))
        .await;
    assert!(
        fills
            .data()
            .iter()
            .all(|f| f["execType"] == "M" && f["feeRate"] == "-0.0008")
    );
    let total: Decimal = fills.data().iter().map(|f| d(&f["fillSz"])).sum();
    assert_eq!(total, filled);
    // A price the static market never trades at never fills.
    let untouched = trader
        .get(&format!(
            "/api/v5/trade/order?instId=BTC-USDT&ordId={below_id}"
        ))
        .await;
    assert_eq!(untouched.data()[0]["state"], "live");
}

#[tokio::test]
async fn spot_rejections_carry_okx_s_codes_per_item() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            limit("NOPE-USDT", "buy", "1", "1"),
            "51001",
            "Instrument ID, Instrument ID code or Spread ID doesn't exist.",
        ),
        (
            limit("BTC-USDT", "hold", "0.01", "90000"),
            "51000",
            "Parameter side error ",
        ),
        (
            json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "stop", "sz": "1", "px": "1"}),
            "51000",
            "Parameter ordType error ",
        ),
        (
            json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "0.01"}),
            "51204",
            "The price for the limit order cannot be empty.",
        ),
        (
            limit("BTC-USDT", "buy", "0.01", "90000.05"),
            "51000",
            "Parameter px error ",
        ),
        (
            limit("BTC-USDT", "buy", "0.000010001", "90000"),
            "51121",
            "Order quantity must be a multiple of the lot size.",
        ),
        (
            limit("BTC-USDT", "buy", "0.000009", "90000"),
            "51020",
            "Your order should meet or exceed the minimum order amount.",
        ),
        (
            limit("BTC-USDT", "buy", "10", "90000"),
            "51008",
            "Order failed. Insufficient USDT balance in account",
        ),
        (
            limit("BTC-USDT", "buy", "0.01", "99800"),
            "51137",
            "The highest price limit for buy orders is 99750.",
        ),
        (
            limit("BTC-USDT", "sell", "0.01", "90200"),
            "51138",
            "The lowest price limit for sell orders is 90250.",
        ),
        (
            json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "0.01", "px": "90000", "clOrdId": "bad-id"}),
            "51000",
            "Parameter clOrdId error ",
        ),
    ];
    for (body, code, msg) in cases {
        let reply = trader.order(body.clone()).await;
        assert_item_failure(&reply, code, msg);
        assert_eq!(reply.data()[0]["ordId"], "", "a refused order has no id");
    }
    let funds = trader.order(limit("BTC-USDT", "buy", "10", "90000")).await;
    assert_eq!(funds.data()[0]["subCode"], "1000");
}

#[tokio::test]
async fn request_shape_errors_are_top_level() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let missing = trader
        .order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit"}))
        .await;
    assert_eq!(
        (missing.status, missing.body.as_str()),
        (
            400,
            r#"{"code":"50014","data":[],"msg":"Parameter sz can not be empty."}"#
        )
    );
    let empty = trader.post_raw("/api/v5/trade/order", "").await;
    assert_eq!(
        (empty.status, empty.body.as_str()),
        (
            400,
            r#"{"code":"50000","data":[],"msg":"Body for POST request cannot be empty."}"#
        )
    );
    let broken = trader.post_raw("/api/v5/trade/order", "{\"instId\":").await;
    assert_eq!(
        (broken.status, broken.body.as_str()),
        (
            400,
            r#"{"code":"50002","data":[],"msg":"JSON syntax error"}"#
        )
    );
    let unknown = trader
        .get("/api/v5/trade/order?instId=BTC-USDT&ordId=1795583862345000001")
        .await;
    assert_eq!(
        (unknown.status, unknown.body.as_str()),
        (
            200,
            r#"{"code":"51603","data":[],"msg":"Order does not exist"}"#
        )
    );
}

#[tokio::test]
async fn python_okx_style_bodies_with_spaces_and_empty_fields_are_accepted() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let body = r#"{"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "0.01", "ccy": "", "clOrdId": "", "tag": "", "posSide": "", "px": "50000", "reduceOnly": "", "tgtCcy": "", "stpMode": "", "pxUsd": "", "pxVol": "", "banAmend": "", "attachAlgoOrds": null}"#;
    let reply = trader.post_raw("/api/v5/trade/order", body).await;
    assert_eq!(reply.code(), "0", "{}", reply.body);
    // ccxt: numbers and booleans where OKX documents strings; okx-api: an extra tag.
    let ccxt = trader.order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": 0.01, "px": 50000, "tgtCcy": "base_ccy", "tag": "159881cb7207BCDE"})).await;
    assert_eq!(ccxt.code(), "0", "{}", ccxt.body);
}

#[tokio::test]
async fn client_order_ids_are_unique_among_open_orders_and_reusable_after() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let with_id = |id: &str| json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "0.01", "px": "90000", "clOrdId": id});
    assert_eq!(trader.order(with_id("dup1")).await.code(), "0");
    assert_item_failure(
        &trader.order(with_id("dup1")).await,
        "51016",
        "Client order ID already exists.",
    );
    trader
        .post(
            "/api/v5/trade/cancel-order",
            json!({"instId": "BTC-USDT", "clOrdId": "dup1"}),
        )
        .await;
    assert_eq!(trader.order(with_id("dup1")).await.code(), "0");
    let latest = trader
        .get("/api/v5/trade/order?instId=BTC-USDT&clOrdId=dup1")
        .await;
    assert_eq!(
        latest.data()[0]["state"],
        "live",
        "the newest order with a reused clOrdId"
    );
}

#[tokio::test]
async fn batches_answer_per_order_with_partial_success() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let body = json!([
        {"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "0.01", "px": "90000", "clOrdId": "b1"},
        {"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "0.01", "px": "90000", "clOrdId": "b1"},
        {"instId": "ETH-USDT", "tdMode": "cash", "side": "sell", "ordType": "limit", "sz": "1", "px": "3300"},
    ]);
    let reply = trader.post("/api/v5/trade/batch-orders", body).await;
    assert_eq!(
        (reply.code(), reply.json["msg"].as_str()),
        ("2", Some("Bulk operation partially succeeded."))
    );
    let codes: Vec<&str> = reply
        .data()
        .iter()
        .map(|i| i["sCode"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["0", "51016", "0"]);
    let too_many = Value::Array(
        (0..21)
            .map(|_| limit("BTC-USDT", "buy", "0.01", "90000"))
            .collect(),
    );
    let reply = trader.post("/api/v5/trade/batch-orders", too_many).await;
    assert_eq!(
        reply.body,
        r#"{"code":"51111","data":[],"msg":"Maximum 20 orders can be placed in bulk."}"#
    );
}

#[tokio::test]
async fn post_only_ioc_and_fok_follow_their_time_in_force() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let typed = |ord_type: &str, px: &str, sz: &str| json!({"instId": "ETH-USDT", "tdMode": "cash", "side": "buy", "ordType": ord_type, "sz": sz, "px": px});
    // ETH-USDT's best ask is 3200.01 and holds less than 10 ETH.
    let cases = [
        (typed("post_only", "3300", "0.01"), "canceled", "31", "0"),
        (typed("post_only", "3100", "0.01"), "live", "", "0"),
        (typed("ioc", "3100", "0.01"), "canceled", "14", "0"),
        (typed("ioc", "3200.01", "0.01"), "filled", "", "0.01"),
        (typed("fok", "3200.01", "10"), "canceled", "13", "0"),
    ];
    for (body, state, source, filled) in cases {
        let reply = trader.order(body.clone()).await;
        assert_eq!(reply.code(), "0", "accepted, then handled: {}", reply.body);
        let ord_id = reply.data()[0]["ordId"].as_str().unwrap();
        let o = trader
            .get(&format!(
                "/api/v5/trade/order?instId=ETH-USDT&ordId={ord_id}"
            ))
            .await
            .data()[0]
            .clone();
        assert_eq!(
            (
                o["state"].as_str(),
                o["cancelSource"].as_str(),
                o["accFillSz"].as_str()
            ),
            (Some(state), Some(source), Some(filled)),
            "{body}"
        );
    }
}

#[tokio::test]
async fn amending_changes_price_and_size_of_an_open_order_only() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let placed = trader
        .order(limit("BTC-USDT", "buy", "0.01", "90000"))
        .await;
    let ord_id = placed.data()[0]["ordId"].as_str().unwrap().to_owned();
    let amend = trader.post("/api/v5/trade/amend-order", json!({"instId": "BTC-USDT", "ordId": ord_id, "newPx": "91000", "newSz": "0.02", "reqId": "r1"})).await;
    assert_eq!(
        (amend.code(), amend.data()[0]["reqId"].as_str()),
        ("0", Some("r1"))
    );
    let o = trader
        .get(&format!(
            "/api/v5/trade/order?instId=BTC-USDT&ordId={ord_id}"
        ))
        .await
        .data()[0]
        .clone();
    assert_eq!(
        (o["px"].as_str(), o["sz"].as_str()),
        (Some("91000"), Some("0.02"))
    );
    assert_eq!(d(&trader.balance("USDT").await["ordFrozen"]), dec!(1820));
    let nothing = trader
        .post(
            "/api/v5/trade/amend-order",
            json!({"instId": "BTC-USDT", "ordId": ord_id}),
        )
        .await;
    assert_item_failure(
        &nothing,
        "51500",
        "You must enter a price, quantity, or TP/SL",
    );
    trader
        .post(
            "/api/v5/trade/cancel-order",
            json!({"instId": "BTC-USDT", "ordId": ord_id}),
        )
        .await;
    let late = trader
        .post(
            "/api/v5/trade/amend-order",
            json!({"instId": "BTC-USDT", "ordId": ord_id, "newPx": "92000"}),
        )
        .await;
    assert_item_failure(
        &late,
        "51503",
        "Your order has already been filled or canceled.",
    );
}

#[tokio::test]
async fn an_order_arriving_after_its_exp_time_is_not_processed() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let body = limit("BTC-USDT", "buy", "0.01", "90000").to_string();
    let mut headers = vec![("expTime", (NOW - 1).to_string())];
    let ts = crate::helpers::iso(NOW);
    let signature = okx_mock::sign(
        &trader.creds.secret_key,
        &okx_mock::prehash(&ts, "POST", "/api/v5/trade/order", body.as_bytes()),
    );
    headers.extend([
        ("OK-ACCESS-KEY", trader.creds.api_key.clone()),
        ("OK-ACCESS-SIGN", signature),
        ("OK-ACCESS-TIMESTAMP", ts),
        ("OK-ACCESS-PASSPHRASE", trader.creds.passphrase.clone()),
    ]);
    let reply = crate::helpers::send(&server, "POST", "/api/v5/trade/order", &headers, &body).await;
    assert_item_failure(&reply, "50037", "Order expired.");
    assert!(
        trader
            .get("/api/v5/trade/orders-pending")
            .await
            .data()
            .is_empty()
    );
}

#[tokio::test]
async fn a_read_only_key_cannot_trade() {
    let server = spawn_with(&[(
        "perms = [\"read_only\", \"trade\", \"withdraw\"]",
        "perms = [\"read_only\"]",
    )])
    .await;
    let trader = Trader::live(&server);
    let reply = trader
        .order(limit("BTC-USDT", "buy", "0.01", "90000"))
        .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (
            200,
            r#"{"code":"50120","data":[],"msg":"This API key doesn't have permission to use this function"}"#
        )
    );
    assert_eq!(
        trader.get("/api/v5/account/balance").await.code(),
        "0",
        "reading is still allowed"
    );
}

#[tokio::test]
async fn demo_and_live_are_separate_worlds() {
    let server = spawn_app().await;
    let live = Trader::live(&server);
    let demo = Trader::demo(&server);
    let placed = live.order(limit("BTC-USDT", "buy", "0.01", "90000")).await;
    let ord_id = placed.data()[0]["ordId"].as_str().unwrap();
    let seen = demo
        .get(&format!(
            "/api/v5/trade/order?instId=BTC-USDT&ordId={ord_id}"
        ))
        .await;
    assert_eq!(seen.code(), "51603");
    assert!(
        demo.get("/api/v5/trade/orders-pending")
            .await
            .data()
            .is_empty()
    );
    assert_eq!(d(&demo.balance("BTC").await["cashBal"]), dec!(5));
}

#[tokio::test]
async fn concurrent_orders_never_overspend_and_conserve_funds() {
    let server = spawn_with(&[(
        r#"balances = { USDT = "100000", BTC = "2", ETH = "20", USDC = "10000" }"#,
        r#"balances = { USDT = "3000" }"#,
    )])
    .await;
    let trader = Trader::live(&server);
    let orders = (0..40).map(|_| {
        trader.order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "market", "sz": "100", "banAmend": true}))
    });
    let replies = futures_util::future::join_all(orders).await;
    let accepted = replies.iter().filter(|r| r.code() == "0").count();
    let refused = replies
        .iter()
        .filter(|r| r.code() == "1" && r.data()[0]["sCode"] == "51008")
        .count();
    assert_eq!((accepted, refused), (30, 10));
    let fills = trader
        .get("/api/v5/trade/fills?instId=BTC-USDT&limit=100")
        .await;
    let spent: Decimal = fills
        .data()
        .iter()
        .map(|f| d(&f["fillPx"]) * d(&f["fillSz"]))
        .sum();
    let bought: Decimal = fills
        .data()
        .iter()
        .map(|f| d(&f["fillSz"]) + d(&f["fee"]))
        .sum();
    let usdt = trader.balance("USDT").await;
    let btc = trader.balance("BTC").await;
    assert_eq!(d(&usdt["cashBal"]), dec!(3000) - spent);
    assert_eq!(d(&btc["cashBal"]), bought);
    assert!(d(&usdt["cashBal"]) >= Decimal::ZERO && d(&usdt["ordFrozen"]).is_zero());
}

#[tokio::test]
async fn a_derivative_price_outside_the_band_names_both_limits() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let reply = trader.order(json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "ordType": "limit", "sz": "1", "px": "99800"})).await;
    assert_item_failure(
        &reply,
        "51006",
        "Order price is not within the price limit (max buy price: 99771 , min sell price: 90269 )",
    );
}

#[tokio::test]
async fn batch_cancels_answer_per_order_and_limit_their_size() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let a = trader
        .order(limit("BTC-USDT", "buy", "0.01", "90000"))
        .await
        .data()[0]["ordId"]
        .clone();
    let reply = trader
        .post("/api/v5/trade/cancel-batch-orders", json!([{"instId": "BTC-USDT", "ordId": a}, {"instId": "BTC-USDT", "ordId": "1795583862345999999"}]))
        .await;
    assert_eq!(reply.code(), "2");
    let codes: Vec<&str> = reply
        .data()
        .iter()
        .map(|i| i["sCode"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["0", "51400"]);
    assert_eq!(
        reply.data()[1]["ordId"],
        "1795583862345999999",
        "failed items echo the ids they were given"
    );
    let many = Value::Array(
        (0..21)
            .map(|_| json!({"instId": "BTC-USDT", "ordId": "1"}))
            .collect(),
    );
    let reply = trader
        .post("/api/v5/trade/cancel-batch-orders", many.clone())
        .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (
            400,
            r#"{"code":"51406","data":[],"msg":"Canceled - order count exceeds the limit 20."}"#
        )
    );
    let reply = trader.post("/api/v5/trade/amend-batch-orders", many).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (
            400,
            r#"{"code":"51501","data":[],"msg":"Maximum 20 orders can be modified."}"#
        )
    );
}

#[tokio::test]
async fn history_endpoints_keep_what_okx_keeps() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let filled = trader
        .order(limit("BTC-USDT", "buy", "0.01", "96000"))
        .await
        .data()[0]["ordId"]
        .clone();
    let canceled = trader
        .order(limit("BTC-USDT", "buy", "0.01", "90000"))
        .await
        .data()[0]["ordId"]
        .clone();
    trader
        .post(
            "/api/v5/trade/cancel-order",
            json!({"instId": "BTC-USDT", "ordId": canceled}),
        )
        .await;
    let ids = |reply: &crate::helpers::Reply| {
        reply
            .data()
            .iter()
            .map(|o| o["ordId"].clone())
            .collect::<Vec<_>>()
    };

    let history = trader
        .get("/api/v5/trade/orders-history?instType=SPOT")
        .await;
    assert_eq!(
        ids(&history),
        [canceled.clone(), filled.clone()],
        "newest first"
    );
    let only_filled = trader
        .get("/api/v5/trade/orders-history?instType=SPOT&state=filled")
        .await;
    assert_eq!(ids(&only_filled), std::slice::from_ref(&filled));
    let archive = trader
        .get("/api/v5/trade/orders-history-archive?instType=SPOT")
        .await;
    assert_eq!(
        ids(&archive),
        std::slice::from_ref(&filled),
        "the archive never holds canceled orders without fills"
    );
    assert_eq!(
        trader.get("/api/v5/trade/orders-history").await.code(),
        "50014"
    );
    assert_eq!(
        trader.get("/api/v5/trade/fills-history").await.code(),
        "50014"
    );

    // Canceled orders without fills leave orders-history after 2 hours; fills stay 3 days in fills.
    server.clock().advance(2 * 3_600_000 + 1);
    assert_eq!(
        ids(&trader
            .get("/api/v5/trade/orders-history?instType=SPOT")
            .await),
        std::slice::from_ref(&filled)
    );
    server.clock().advance(3 * 86_400_000);
    assert!(trader.get("/api/v5/trade/fills").await.data().is_empty());
    assert_eq!(
        trader
            .get("/api/v5/trade/fills-history?instType=SPOT")
            .await
            .data()
            .len(),
        1
    );
    let paged = trader
        .get(&format!(
            "/api/v5/trade/orders-history-archive?instType=SPOT&after={}",
            filled.as_str().unwrap()
        ))
        .await;
    assert!(paged.data().is_empty(), "after is exclusive");
}

#[tokio::test]
async fn a_taker_meets_another_account_s_resting_order_before_the_synthetic_book() {
    let server = crate::helpers::spawn_world_plus(
        "[[accounts]]\nname = \"other\"\nenv = \"live\"\nuid = \"448065917583769602\"\nacctLv = \"2\"\nposMode = \"net_mode\"\nbalances = { USDT = \"100000\", BTC = \"2\" }\n\n[[keys]]\nlabel = \"live-other\"\nenv = \"live\"\naccount = \"other\"\napiKey = \"0b5e8a3c-1d2f-4a6b-9c8d-7e6f5a4b3c2d\"\nsecretKey = \"11112222333344445555666677778888\"\npassphrase = \"Other-Passphrase-1\"\nperms = [\"read_only\", \"trade\"]\n",
    )
    .await;
    let taker = Trader::live(&server);
    let maker = Trader {
        server: &server,
        creds: okx_mock::Credentials {
            api_key: "0b5e8a3c-1d2f-4a6b-9c8d-7e6f5a4b3c2d".into(),
            secret_key: "11112222333344445555666677778888".into(),
            passphrase: "Other-Passphrase-1".into(),
        },
        demo: false,
    };
    // The synthetic book's best ask is 95000.1; the other account offers 95000.
    let offer = maker.order(limit("BTC-USDT", "sell", "0.5", "95000")).await;
    assert_eq!(offer.code(), "0", "{}", offer.body);
    let maker_id = offer.data()[0]["ordId"].clone();
    let bought = taker
        .order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "market", "sz": "0.1", "tgtCcy": "base_ccy"}))
        .await;
    assert_eq!(bought.code(), "0", "{}", bought.body);
    let fill = taker
        .get("/api/v5/trade/fills?instId=BTC-USDT")
        .await
        .data()[0]
        .clone();
    assert_eq!(
        (
            fill["fillPx"].as_str(),
            fill["fillSz"].as_str(),
            fill["execType"].as_str()
        ),
        (Some("95000"), Some("0.1"), Some("T"))
    );
    let resting = maker
        .get(&format!(
            "/api/v5/trade/order?instId=BTC-USDT&ordId={}",
            maker_id.as_str().unwrap()
        ))
        .await;
    let order = &resting.data()[0];
    assert_eq!(
        (order["state"].as_str(), order["accFillSz"].as_str()),
        (Some("partially_filled"), Some("0.1"))
    );
    let maker_fill = maker
        .get("/api/v5/trade/fills?instId=BTC-USDT")
        .await
        .data()[0]
        .clone();
    assert_eq!(
        (
            maker_fill["execType"].as_str(),
            maker_fill["tradeId"].clone()
        ),
        (Some("M"), fill["tradeId"].clone())
    );
}
