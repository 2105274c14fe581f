//! Algo orders: TP/SL (conditional, oco) and trigger orders, their wrong-side
//! codes, and their firing when the price crosses a trigger.

use serde_json::{Value, json};

use crate::helpers::{NOW, Trader, spawn_app};

const ORDER_ALGO: &str = "/api/v5/trade/order-algo";

/// Enough exchange time for the market tape to print a trade at a new price.
const TAPE_MINUTES: i64 = 2 * 60_000;

/// A stand-alone TP/SL on BTC-USDT-SWAP (last and mark 95020 in the default world).
fn swap_tpsl(side: &str, leg: &str, trigger_px: &str, px_type: &str) -> Value {
    json!({
        "instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": side, "ordType": "conditional", "sz": "1",
        format!("{leg}TriggerPx"): trigger_px, format!("{leg}TriggerPxType"): px_type, format!("{leg}OrdPx"): "-1",
    })
}

async fn history(trader: &Trader<'_>, algo_id: &str) -> Value {
    let path = format!("/api/v5/trade/order-algo?algoId={algo_id}");
    let reply = trader.get(&path).await;
    assert_eq!(reply.code(), "0", "{}", reply.body);
    reply.data()[0].clone()
}

async fn net_position(trader: &Trader<'_>, inst_id: &str) -> String {
    let reply = trader
        .get(&format!("/api/v5/account/positions?instId={inst_id}"))
        .await;
    reply
        .data()
        .first()
        .map_or("0".into(), |p| p["pos"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn every_wrong_side_tp_or_sl_gets_okx_s_code() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let cases = [
        (
            "buy",
            "tp",
            "95100",
            "last",
            "51277",
            "TP trigger price cannot be higher than the last price.",
        ),
        (
            "buy",
            "sl",
            "94900",
            "last",
            "51278",
            "SL trigger price cannot be lower than the last price.",
        ),
        (
            "sell",
            "tp",
            "94900",
            "last",
            "51279",
            "TP trigger price cannot be lower than the last price.",
        ),
        (
            "sell",
            "sl",
            "95100",
            "last",
            "51280",
            "SL trigger price cannot be higher than the last price.",
        ),
        (
            "buy",
            "tp",
            "95100",
            "mark",
            "51300",
            "TP trigger price cannot be higher than the mark price",
        ),
        (
            "buy",
            "sl",
            "94900",
            "mark",
            "51302",
            "SL trigger price cannot be lower than the mark price",
        ),
        (
            "sell",
            "tp",
            "94900",
            "mark",
            "51303",
            "TP trigger price cannot be lower than the mark price",
        ),
        (
            "sell",
            "sl",
            "95100",
            "mark",
            "51304",
            "SL trigger price cannot be higher than the mark price",
        ),
        (
            "buy",
            "tp",
            "95100",
            "index",
            "51305",
            "TP trigger price cannot be higher than the index price",
        ),
        (
            "buy",
            "sl",
            "94900",
            "index",
            "51306",
            "SL trigger price cannot be lower than the index price",
        ),
        (
            "sell",
            "tp",
            "94900",
            "index",
            "51307",
            "TP trigger price cannot be lower than the index price",
        ),
        (
            "sell",
            "sl",
            "95100",
            "index",
            "51308",
            "SL trigger price cannot be higher than the index price",
        ),
    ];
    for (side, leg, px, px_type, code, msg) in cases {
        let reply = trader
            .post(ORDER_ALGO, swap_tpsl(side, leg, px, px_type))
            .await;
        assert_eq!(reply.status, 200);
        assert_eq!(
            (
                reply.code(),
                &reply.data()[0]["sCode"],
                &reply.data()[0]["sMsg"]
            ),
            ("1", &json!(code), &json!(msg)),
            "{side} {leg} at {px} against {px_type}"
        );
    }
    let equal = trader
        .post(ORDER_ALGO, swap_tpsl("sell", "sl", "95020", "last"))
        .await;
    assert_eq!(
        equal.code(),
        "0",
        "a trigger at the reference price is allowed"
    );

    let spot_mark = trader
        .post(
            ORDER_ALGO,
            json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "sell", "ordType": "conditional", "sz": "0.1",
                   "slTriggerPx": "90000", "slTriggerPxType": "mark", "slOrdPx": "-1"}),
        )
        .await;
    assert_eq!(spot_mark.data()[0]["sCode"], "51415");

    let unpaired = trader
        .post(
            ORDER_ALGO,
            json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "sell", "ordType": "conditional", "sz": "1", "tpTriggerPx": "99000"}),
        )
        .await;
    assert_eq!(
        (unpaired.status, unpaired.body.as_str()),
        (
            400,
            r#"{"code":"51000","data":[],"msg":"Parameter tpOrdPx error"}"#
        )
    );
    let oco_one_leg = trader
        .post(
            ORDER_ALGO,
            json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "sell", "ordType": "oco", "sz": "1", "tpTriggerPx": "99000", "tpOrdPx": "-1"}),
        )
        .await;
    assert_eq!(
        oco_one_leg.data()[0]["sMsg"],
        "Parameter slTriggerPx error "
    );
    let trigger_tgt = trader
        .post(
            ORDER_ALGO,
            json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "trigger", "sz": "0.1", "tgtCcy": "quote_ccy", "triggerPx": "96000", "orderPx": "-1"}),
        )
        .await;
    assert_eq!(trigger_tgt.data()[0]["sCode"], "51281");
}

#[tokio::test]
async fn an_oco_closes_a_long_at_its_take_profit_and_the_stop_goes_with_it() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let opened = trader
        .order(json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "ordType": "market", "sz": "2"}))
        .await;
    assert_eq!(opened.code(), "0", "{}", opened.body);
    assert_eq!(net_position(&trader, "BTC-USDT-SWAP").await, "2");

    let placed = trader
        .post(
            ORDER_ALGO,
            json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "sell", "ordType": "oco", "sz": "2",
                   "reduceOnly": true, "algoClOrdId": "oco1",
                   "tpTriggerPx": "97000", "tpOrdPx": "-1", "slTriggerPx": "93000", "slOrdPx": "-1"}),
        )
        .await;
    assert_eq!(placed.code(), "0", "{}", placed.body);
    let algo_id = placed.data()[0]["algoId"].as_str().unwrap().to_owned();
    assert_eq!(placed.data()[0]["algoClOrdId"], "oco1");
    let pending = trader
        .get("/api/v5/trade/orders-algo-pending?ordType=conditional,oco")
        .await;
    assert_eq!(pending.data().len(), 1);
    assert_eq!(
        (
            &pending.data()[0]["state"],
            &pending.data()[0]["last"],
            &pending.data()[0]["slTriggerPx"]
        ),
        (&json!("live"), &json!("95020"), &json!("93000"))
    );

    // Up, but not far enough: nothing happens.
    // Last-price triggers watch the trade tape, which prints one to three
    // trades a minute: two minutes make sure a trade shows the new price.
    server.set_price("BTC-USDT-SWAP", "96900").unwrap();
    server.clock().advance(TAPE_MINUTES);
    assert_eq!(history(&trader, &algo_id).await["state"], "live");

    server.set_price("BTC-USDT-SWAP", "97100").unwrap();
    server.clock().advance(TAPE_MINUTES);
    let fired = history(&trader, &algo_id).await;
    assert_eq!(
        (
            fired["state"].as_str(),
            fired["actualSide"].as_str(),
            fired["actualSz"].as_str(),
            fired["actualPx"].as_str(),
            fired["triggerTime"].as_str(),
        ),
        (
            Some("effective"),
            Some("tp"),
            Some("2"),
            Some("-1"),
            Some((NOW + 2 * TAPE_MINUTES).to_string().as_str())
        )
    );
    let ord_id = fired["ordId"].as_str().unwrap();
    assert_eq!(fired["ordIdList"], json!([ord_id]));
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
            order["side"].as_str(),
            order["reduceOnly"].as_str(),
            order["algoId"].as_str(),
            order["algoClOrdId"].as_str(),
        ),
        (
            Some("filled"),
            Some("sell"),
            Some("true"),
            Some(algo_id.as_str()),
            Some("oco1")
        )
    );
    assert_eq!(net_position(&trader, "BTC-USDT-SWAP").await, "0");

    // The stop leg went with it: a fall through 93000 does nothing more.
    server.set_price("BTC-USDT-SWAP", "92000").unwrap();
    server.clock().advance(TAPE_MINUTES);
    assert_eq!(net_position(&trader, "BTC-USDT-SWAP").await, "0");
    let done = trader
        .get("/api/v5/trade/orders-algo-history?ordType=oco&state=effective")
        .await;
    assert_eq!(done.data().len(), 1);
    assert!(
        trader
            .get("/api/v5/trade/orders-algo-pending?ordType=oco")
            .await
            .data()
            .is_empty()
    );
}

#[tokio::test]
async fn a_stop_loss_on_mark_fires_once_the_mark_falls_through_it() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    trader
        .order(json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "ordType": "market", "sz": "1"}))
        .await;
    let placed = trader
        .post(ORDER_ALGO, swap_tpsl("sell", "sl", "94000", "mark"))
        .await;
    assert_eq!(placed.code(), "0", "{}", placed.body);
    let algo_id = placed.data()[0]["algoId"].as_str().unwrap().to_owned();
    server.set_price("BTC-USDT-SWAP", "93990").unwrap();
    server.clock().advance(500);
    let fired = history(&trader, &algo_id).await;
    assert_eq!(
        (fired["state"].as_str(), fired["actualSide"].as_str()),
        (Some("effective"), Some("sl"))
    );
    assert_eq!(net_position(&trader, "BTC-USDT-SWAP").await, "0");
}

#[tokio::test]
async fn a_trigger_order_buys_when_the_price_rises_to_it() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let placed = trader
        .post(
            ORDER_ALGO,
            json!({"instId": "ETH-USDT", "tdMode": "cash", "side": "buy", "ordType": "trigger", "sz": "0.5",
                   "triggerPx": "3300", "orderPx": "3310"}),
        )
        .await;
    assert_eq!(placed.code(), "0", "{}", placed.body);
    let algo_id = placed.data()[0]["algoId"].as_str().unwrap().to_owned();
    let before = crate::helpers::d(&trader.balance("ETH").await["cashBal"]);

    server.set_price("ETH-USDT", "3299").unwrap();
    server.clock().advance(TAPE_MINUTES);
    assert_eq!(history(&trader, &algo_id).await["state"], "live");
    server.set_price("ETH-USDT", "3305").unwrap();
    server.clock().advance(TAPE_MINUTES);
    let fired = history(&trader, &algo_id).await;
    assert_eq!(
        (
            fired["state"].as_str(),
            fired["actualSide"].as_str(),
            fired["ordPx"].as_str(),
            fired["actualPx"].as_str()
        ),
        (Some("effective"), Some("buy"), Some("3310"), Some("3310"))
    );
    let ord_id = fired["ordId"].as_str().unwrap();
    let order = trader
        .get(&format!(
            "/api/v5/trade/order?instId=ETH-USDT&ordId={ord_id}"
        ))
        .await
        .data()[0]
        .clone();
    assert_eq!(
        (
            order["ordType"].as_str(),
            order["px"].as_str(),
            order["state"].as_str()
        ),
        (Some("limit"), Some("3310"), Some("filled"))
    );
    let after = crate::helpers::d(&trader.balance("ETH").await["cashBal"]);
    assert!(after > before, "{before} -> {after}: the buy filled");
}

#[tokio::test]
async fn a_triggered_order_that_cannot_be_placed_fails_with_its_code() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    // A sell of more BTC than the account holds (2 BTC).
    let placed = trader
        .post(
            ORDER_ALGO,
            json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "sell", "ordType": "trigger", "sz": "5",
                   "triggerPx": "94000", "orderPx": "-1"}),
        )
        .await;
    assert_eq!(placed.code(), "0", "{}", placed.body);
    let algo_id = placed.data()[0]["algoId"].as_str().unwrap().to_owned();
    server.set_price("BTC-USDT", "93000").unwrap();
    server.clock().advance(TAPE_MINUTES);
    let failed = history(&trader, &algo_id).await;
    assert_eq!(
        (
            failed["state"].as_str(),
            failed["failCode"].as_str(),
            failed["ordId"].as_str()
        ),
        (Some("order_failed"), Some("51008"), Some(""))
    );
    let listed = trader
        .get("/api/v5/trade/orders-algo-history?ordType=trigger&state=order_failed")
        .await;
    assert_eq!(listed.data().len(), 1);
}

#[tokio::test]
async fn algo_orders_cancel_once_and_a_big_batch_is_refused() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let placed = trader
        .post(ORDER_ALGO, swap_tpsl("sell", "tp", "99000", "last"))
        .await;
    let algo_id = placed.data()[0]["algoId"].as_str().unwrap().to_owned();
    let cancel = json!([{"instId": "BTC-USDT-SWAP", "algoId": algo_id}]);
    let first = trader
        .post("/api/v5/trade/cancel-algos", cancel.clone())
        .await;
    assert_eq!(
        (
            first.code(),
            &first.data()[0]["algoId"],
            &first.data()[0]["sCode"]
        ),
        ("0", &json!(algo_id), &json!("0"))
    );
    assert_eq!(history(&trader, &algo_id).await["state"], "canceled");
    let again = trader.post("/api/v5/trade/cancel-algos", cancel).await;
    assert_eq!(
        (again.code(), &again.data()[0]["sCode"]),
        ("1", &json!("51400"))
    );
    let eleven: Vec<Value> = (0..11)
        .map(|i| json!({"instId": "BTC-USDT-SWAP", "algoId": i.to_string()}))
        .collect();
    let too_many = trader
        .post("/api/v5/trade/cancel-algos", json!(eleven))
        .await;
    assert_eq!(
        too_many.body,
        r#"{"code":"50025","data":[],"msg":"Parameter algoId count exceeds the limit 10."}"#
    );
    let unknown = trader.get("/api/v5/trade/order-algo?algoId=123").await;
    assert_eq!(
        unknown.body,
        r#"{"code":"51603","data":[],"msg":"Order does not exist"}"#
    );
    let no_type = trader.get("/api/v5/trade/orders-algo-pending").await;
    assert_eq!(no_type.json["code"], "50014");
}

#[tokio::test]
async fn a_long_short_stop_closes_only_what_the_position_holds() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let mode = trader
        .post(
            "/api/v5/account/set-position-mode",
            json!({"posMode": "long_short_mode"}),
        )
        .await;
    assert_eq!(mode.code(), "0", "{}", mode.body);
    trader
        .order(json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "posSide": "long", "ordType": "market", "sz": "2"}))
        .await;
    let no_pos_side = trader
        .post(ORDER_ALGO, swap_tpsl("sell", "sl", "94000", "last"))
        .await;
    assert_eq!(no_pos_side.data()[0]["sMsg"], "Parameter posSide error ");
    let mut stop = swap_tpsl("sell", "sl", "94000", "last");
    stop["posSide"] = json!("long");
    stop["sz"] = json!("5");
    let placed = trader.post(ORDER_ALGO, stop).await;
    assert_eq!(placed.code(), "0", "{}", placed.body);
    let algo_id = placed.data()[0]["algoId"].as_str().unwrap().to_owned();
    server.set_price("BTC-USDT-SWAP", "93500").unwrap();
    server.clock().advance(TAPE_MINUTES);
    let fired = history(&trader, &algo_id).await;
    assert_eq!(
        (fired["state"].as_str(), fired["actualSz"].as_str()),
        (Some("effective"), Some("2"))
    );
    let positions = trader
        .get("/api/v5/account/positions?instId=BTC-USDT-SWAP")
        .await;
    assert!(
        positions.data().iter().all(|p| p["pos"] == "0"),
        "no short opened: {}",
        positions.body
    );
}

/// A BTC-USDT-SWAP order with one attached TP and/or SL.
fn with_tpsl(side: &str, ord_type: &str, px: Option<&str>, attach: Value) -> Value {
    let mut order = json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": side, "ordType": ord_type, "sz": "1", "attachAlgoOrds": [attach]});
    if let Some(px) = px {
        order["px"] = json!(px);
    }
    order
}

#[tokio::test]
async fn a_tp_or_sl_attached_on_the_wrong_side_of_its_order_is_refused() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let tp = |px: &str| json!({"tpTriggerPx": px, "tpOrdPx": "-1"});
    let sl = |px: &str| json!({"slTriggerPx": px, "slOrdPx": "-1"});
    let cases = [
        (
            with_tpsl("buy", "limit", Some("94000"), tp("93000")),
            "51046",
            "The take profit trigger price must be higher than the order price",
        ),
        (
            with_tpsl("buy", "limit", Some("94000"), sl("94000")),
            "51047",
            "The stop loss trigger price must be lower than the order price",
        ),
        (
            with_tpsl("sell", "limit", Some("96000"), tp("97000")),
            "51048",
            "The take profit trigger price must be lower than the order price",
        ),
        (
            with_tpsl("sell", "limit", Some("96000"), sl("95000")),
            "51049",
            "The stop loss trigger price must be higher than the order price",
        ),
        (
            with_tpsl("buy", "market", None, tp("95000")),
            "51050",
            "The take profit trigger price must be higher than the best ask price",
        ),
        (
            with_tpsl("buy", "market", None, sl("96000")),
            "51051",
            "The stop loss trigger price must be lower than the best ask price",
        ),
        (
            with_tpsl("sell", "market", None, tp("96000")),
            "51052",
            "The take profit trigger price must be lower than the best bid price",
        ),
        (
            with_tpsl("sell", "market", None, sl("94000")),
            "51053",
            "The stop loss trigger price must be higher than the best bid price",
        ),
    ];
    for (order, code, msg) in cases {
        let reply = trader.order(order.clone()).await;
        assert_eq!(
            (
                reply.code(),
                &reply.data()[0]["sCode"],
                &reply.data()[0]["sMsg"]
            ),
            ("1", &json!(code), &json!(msg)),
            "{order}"
        );
    }
    trader
        .order(json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "ordType": "market", "sz": "1"}))
        .await;
    let mut reduce = with_tpsl("sell", "market", None, sl("96000"));
    reduce["reduceOnly"] = json!(true);
    assert_eq!(trader.order(reduce).await.data()[0]["sCode"], "51100");
    assert!(
        trader
            .get("/api/v5/trade/orders-pending")
            .await
            .data()
            .is_empty(),
        "nothing was booked"
    );
    assert_eq!(net_position(&trader, "BTC-USDT-SWAP").await, "1");
}

#[tokio::test]
async fn an_attached_tp_and_sl_wait_for_the_fill_then_protect_the_position() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    // As ccxt sends create_order(..., {'stopLoss': ..., 'takeProfit': ...}).
    let batch = trader
        .post(
            "/api/v5/trade/batch-orders",
            json!([{"instId": "BTC-USDT-SWAP", "side": "buy", "ordType": "limit", "sz": "1", "tdMode": "cross", "px": "95100",
                    "attachAlgoOrds": [{"attachAlgoClOrdId": "guard1", "slTriggerPx": "93000", "slOrdPx": "-1", "slTriggerPxType": "last",
                                        "tpTriggerPx": "97000", "tpOrdPx": "-1", "tpTriggerPxType": "last"}]}]),
        )
        .await;
    assert_eq!(batch.code(), "0", "{}", batch.body);
    let ord_id = batch.data()[0]["ordId"].as_str().unwrap().to_owned();
    let order = trader
        .get(&format!(
            "/api/v5/trade/order?instId=BTC-USDT-SWAP&ordId={ord_id}"
        ))
        .await
        .data()[0]
        .clone();
    assert_eq!(order["state"], "filled");
    let attached = &order["attachAlgoOrds"][0];
    assert_eq!(
        (
            attached["attachAlgoClOrdId"].as_str(),
            attached["tpTriggerPx"].as_str(),
            attached["slOrdPx"].as_str()
        ),
        (Some("guard1"), Some("97000"), Some("-1"))
    );
    let algo_id = attached["attachAlgoId"].as_str().unwrap().to_owned();
    let algo = history(&trader, &algo_id).await;
    assert_eq!(
        (
            algo["ordType"].as_str(),
            algo["side"].as_str(),
            algo["sz"].as_str(),
            algo["reduceOnly"].as_str(),
            algo["algoClOrdId"].as_str(),
            algo["state"].as_str()
        ),
        (
            Some("oco"),
            Some("sell"),
            Some("1"),
            Some("true"),
            Some("guard1"),
            Some("live")
        )
    );

    server.set_price("BTC-USDT-SWAP", "92500").unwrap();
    server.clock().advance(TAPE_MINUTES);
    let fired = history(&trader, &algo_id).await;
    assert_eq!(
        (fired["state"].as_str(), fired["actualSide"].as_str()),
        (Some("effective"), Some("sl"))
    );
    assert_eq!(net_position(&trader, "BTC-USDT-SWAP").await, "0");
}

#[tokio::test]
async fn a_tp_attached_to_an_order_canceled_unfilled_never_exists() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let placed = trader
        .order(with_tpsl(
            "buy",
            "limit",
            Some("90000"),
            json!({"tpTriggerPx": "99000", "tpOrdPx": "-1"}),
        ))
        .await;
    assert_eq!(placed.code(), "0", "{}", placed.body);
    let ord_id = placed.data()[0]["ordId"].as_str().unwrap().to_owned();
    let pending = trader
        .get("/api/v5/trade/orders-pending?instId=BTC-USDT-SWAP")
        .await;
    assert_eq!(pending.data()[0]["attachAlgoOrds"][0]["attachAlgoId"], "");
    trader
        .post(
            "/api/v5/trade/cancel-order",
            json!({"instId": "BTC-USDT-SWAP", "ordId": ord_id}),
        )
        .await;
    for ord_type in ["conditional", "oco"] {
        assert!(
            trader
                .get(&format!(
                    "/api/v5/trade/orders-algo-pending?ordType={ord_type}"
                ))
                .await
                .data()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_stop_can_be_moved_and_fires_at_its_new_price() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    trader
        .order(json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "ordType": "market", "sz": "2"}))
        .await;
    let placed = trader
        .post(ORDER_ALGO, swap_tpsl("sell", "sl", "90000", "mark"))
        .await;
    let algo_id = placed.data()[0]["algoId"].as_str().unwrap().to_owned();
    let amend = |body: Value| trader.post("/api/v5/trade/amend-algos", body);
    let wrong_side =
        amend(json!({"instId": "BTC-USDT-SWAP", "algoId": algo_id, "newSlTriggerPx": "96000"}))
            .await;
    assert_eq!(
        (wrong_side.code(), &wrong_side.data()[0]["sCode"]),
        ("1", &json!("51304"))
    );
    let add_tp = amend(json!({"instId": "BTC-USDT-SWAP", "algoId": algo_id, "newTpTriggerPx": "99000", "newTpOrdPx": "-1"})).await;
    assert_eq!(add_tp.data()[0]["sCode"], "51526");
    let drop_sl =
        amend(json!({"instId": "BTC-USDT-SWAP", "algoId": algo_id, "newSlTriggerPx": "0"})).await;
    assert_eq!(drop_sl.data()[0]["sCode"], "51531");
    let moved = amend(json!({"instId": "BTC-USDT-SWAP", "algoId": algo_id, "newSz": "2", "newSlTriggerPx": "94500", "reqId": "r1"})).await;
    assert_eq!(
        moved.body,
        format!(
            r#"{{"code":"0","data":[{{"algoClOrdId":"","algoId":"{algo_id}","reqId":"r1","sCode":"0","sMsg":""}}],"inTime":"{t}","msg":"","outTime":"{t}"}}"#,
            t = NOW * 1000
        )
    );
    let unknown = amend(json!({"instId": "BTC-USDT-SWAP", "algoId": "1"})).await;
    assert_eq!(
        unknown.data()[0]["sMsg"],
        "Order modification unsuccessful. The stop order does not exist."
    );

    server.set_price("BTC-USDT-SWAP", "94400").unwrap();
    server.clock().advance(1_000);
    let fired = history(&trader, &algo_id).await;
    assert_eq!(
        (
            fired["state"].as_str(),
            fired["slTriggerPx"].as_str(),
            fired["actualSz"].as_str()
        ),
        (Some("effective"), Some("94500"), Some("2"))
    );
    assert_eq!(net_position(&trader, "BTC-USDT-SWAP").await, "0");
}

#[tokio::test]
async fn a_trailing_stop_follows_the_price_up_and_sells_on_the_pullback() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    trader
        .order(json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "ordType": "market", "sz": "1"}))
        .await;
    let trailing = |extra: Value| {
        let mut body = json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "sell", "ordType": "move_order_stop", "sz": "1", "reduceOnly": true});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        trader.post(ORDER_ALGO, body)
    };
    assert_eq!(
        trailing(json!({"callbackRatio": "0.5"})).await.data()[0]["sCode"],
        "51257"
    );
    assert_eq!(
        trailing(json!({"callbackSpread": "500", "activePx": "94000"}))
            .await
            .data()[0]["sMsg"],
        "Trailing stop order placement failed. The trigger price of a sell order must be higher than the last transaction price."
    );
    let placed = trailing(json!({"callbackSpread": "500"})).await;
    assert_eq!(placed.code(), "0", "{}", placed.body);
    let algo_id = placed.data()[0]["algoId"].as_str().unwrap().to_owned();
    assert_eq!(history(&trader, &algo_id).await["moveTriggerPx"], "94520");

    server.set_price("BTC-USDT-SWAP", "96000").unwrap();
    server.clock().advance(TAPE_MINUTES);
    let following = history(&trader, &algo_id).await;
    assert_eq!(
        (
            following["state"].as_str(),
            following["moveTriggerPx"].as_str()
        ),
        (Some("live"), Some("95500"))
    );
    server.set_price("BTC-USDT-SWAP", "95400").unwrap();
    server.clock().advance(TAPE_MINUTES);
    let fired = history(&trader, &algo_id).await;
    assert_eq!(
        (fired["state"].as_str(), fired["actualPx"].as_str()),
        (Some("effective"), Some("-1"))
    );
    assert_eq!(net_position(&trader, "BTC-USDT-SWAP").await, "0");
}

#[tokio::test]
async fn pending_algo_orders_stop_at_okx_s_caps() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let trailing = json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "sell", "ordType": "move_order_stop", "sz": "1", "callbackSpread": "500"});
    for _ in 0..50 {
        let placed = trader.post(ORDER_ALGO, trailing.clone()).await;
        assert_eq!(placed.code(), "0", "{}", placed.body);
    }
    let over = trader.post(ORDER_ALGO, trailing).await;
    assert_eq!(
        over.data()[0]["sMsg"],
        "Maximum of 50 pending trailing stop orders can be held at the same time."
    );
    for _ in 0..100 {
        let placed = trader
            .post(ORDER_ALGO, swap_tpsl("sell", "tp", "99000", "last"))
            .await;
        assert_eq!(placed.code(), "0", "{}", placed.body);
    }
    let over = trader
        .post(ORDER_ALGO, swap_tpsl("sell", "sl", "90000", "last"))
        .await;
    assert_eq!(
        (&over.data()[0]["sCode"], &over.data()[0]["sMsg"]),
        (
            &json!("51261"),
            &json!("Each user can hold up to 100 pending stop orders at the same time.")
        )
    );
    let other_instrument = trader
        .post(
            ORDER_ALGO,
            json!({"instId": "ETH-USDT-SWAP", "tdMode": "cross", "side": "sell", "ordType": "conditional", "sz": "1", "slTriggerPx": "3000", "slOrdPx": "-1"}),
        )
        .await;
    assert_eq!(
        other_instrument.code(),
        "0",
        "the TP/SL cap is per instrument: {}",
        other_instrument.body
    );
}
