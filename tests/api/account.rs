//! Derivatives, positions, account settings and the ledger.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{Value, json};

use crate::helpers::{Trader, d, spawn_app, spawn_with};

fn swap(side: &str, sz: &str) -> Value {
    json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": side, "ordType": "market", "sz": sz})
}

#[tokio::test]
async fn a_net_mode_swap_trade_opens_marks_and_closes_a_position() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    assert_eq!(trader.order(swap("buy", "2")).await.code(), "0");
    let positions = trader.get("/api/v5/account/positions").await;
    let p = &positions.data()[0];
    for (field, value) in [
        ("instId", "BTC-USDT-SWAP"),
        ("posSide", "net"),
        ("pos", "2"),
        ("avgPx", "95020.1"),
        ("markPx", "95020"),
        ("lever", "10"),
        ("mgnMode", "cross"),
        ("instType", "SWAP"),
    ] {
        assert_eq!(p[field], value, "{field}");
    }
    // Linear: upl = (mark - avgPx) * pos * ctVal; margin = pos * ctVal * avgPx / lever.
    assert_eq!(
        d(&p["upl"]),
        (dec!(95020) - dec!(95020.1)) * dec!(2) * dec!(0.01)
    );
    assert_eq!(
        d(&p["imr"]),
        dec!(2) * dec!(0.01) * dec!(95020.1) / dec!(10)
    );

    assert_eq!(
        trader.order(swap("sell", "3")).await.code(),
        "0",
        "net mode: closes 2, opens a short of 1"
    );
    let p = trader
        .get("/api/v5/account/positions?instId=BTC-USDT-SWAP")
        .await
        .data()[0]
        .clone();
    assert_eq!(
        (p["pos"].as_str(), p["avgPx"].as_str()),
        (Some("-1"), Some("95019.9"))
    );
    let history = trader.get("/api/v5/account/positions-history").await;
    let closed = &history.data()[0];
    assert_eq!(
        (
            closed["direction"].as_str(),
            closed["closeAvgPx"].as_str(),
            closed["openMaxPos"].as_str()
        ),
        (Some("long"), Some("95019.9"), Some("2"))
    );
    assert_eq!(
        d(&closed["pnl"]),
        (dec!(95019.9) - dec!(95020.1)) * dec!(2) * dec!(0.01)
    );

    // USDT cash moved by exactly the realised PnL and the fees of the three fills.
    let fills = trader.get("/api/v5/trade/fills?instType=SWAP").await;
    let fees: Decimal = fills.data().iter().map(|f| d(&f["fee"])).sum();
    let pnl: Decimal = fills.data().iter().map(|f| d(&f["fillPnl"])).sum();
    assert_eq!(
        d(&trader.balance("USDT").await["cashBal"]),
        dec!(100000) + fees + pnl
    );
    let sub_types: Vec<&str> = fills
        .data()
        .iter()
        .rev()
        .map(|f| f["subType"].as_str().unwrap())
        .collect();
    // One fill per trade: the reversing sell is booked as a close of the long.
    assert_eq!(
        sub_types,
        ["3", "5"],
        "open long, then close long (and open short)"
    );
}

#[tokio::test]
async fn pos_side_must_match_the_position_mode() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let mut long = swap("buy", "1");
    long["posSide"] = json!("long");
    let reply = trader.order(long.clone()).await;
    assert_eq!(
        (
            reply.code(),
            reply.data()[0]["sCode"].as_str(),
            reply.data()[0]["sMsg"].as_str()
        ),
        ("1", Some("51000"), Some("Parameter posSide error "))
    );

    let mode = trader
        .post(
            "/api/v5/account/set-position-mode",
            json!({"posMode": "long_short_mode"}),
        )
        .await;
    assert_eq!(
        mode.body,
        r#"{"code":"0","data":[{"posMode":"long_short_mode"}],"msg":""}"#
    );
    let without = trader.order(swap("buy", "1")).await;
    assert_eq!(without.data()[0]["sCode"], "51000");
    assert_eq!(trader.order(long).await.code(), "0");
    let mut short = swap("sell", "1");
    short["posSide"] = json!("short");
    assert_eq!(trader.order(short).await.code(), "0");
    let sides: Vec<String> = trader
        .get("/api/v5/account/positions")
        .await
        .data()
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["posSide"].as_str().unwrap(),
                p["pos"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(sides.len(), 2);
    assert!(
        sides.contains(&"long 1".to_owned()) && sides.contains(&"short 1".to_owned()),
        "{sides:?}"
    );

    let blocked = trader
        .post(
            "/api/v5/account/set-position-mode",
            json!({"posMode": "net_mode"}),
        )
        .await;
    assert_eq!(
        blocked.body,
        r#"{"code":"59000","data":[],"msg":"Setting failed. Cancel any open orders, close positions, and stop trading bots first."}"#
    );

    let close = trader
        .post(
            "/api/v5/trade/close-position",
            json!({"instId": "BTC-USDT-SWAP", "mgnMode": "cross", "posSide": "long"}),
        )
        .await;
    assert_eq!(
        close.body,
        r#"{"code":"0","data":[{"clOrdId":"","instId":"BTC-USDT-SWAP","posSide":"long","tag":""}],"msg":""}"#
    );
    let mut over_close = swap("buy", "2");
    over_close["posSide"] = json!("short");
    let reply = trader.order(over_close).await;
    assert_eq!(
        reply.data()[0]["sCode"],
        "51169",
        "cannot close more than the short holds"
    );
    let missing = trader
        .post(
            "/api/v5/trade/close-position",
            json!({"instId": "BTC-USDT-SWAP", "mgnMode": "cross", "posSide": "long"}),
        )
        .await;
    assert_eq!(
        missing.body,
        r#"{"code":"51023","data":[],"msg":"Position doesn't exist."}"#
    );
}

#[tokio::test]
async fn a_spot_mode_account_cannot_trade_derivatives() {
    let server = spawn_with(&[(
        "uid = \"448065917583769600\"\nacctLv = \"2\"",
        "uid = \"448065917583769600\"\nacctLv = \"1\"",
    )])
    .await;
    let trader = Trader::live(&server);
    let reply = trader.order(swap("buy", "1")).await;
    assert_eq!(reply.data()[0]["sCode"], "51010");
    assert_eq!(
        reply.data()[0]["sMsg"],
        "You can't complete this request under your current account mode. "
    );
    let config = trader.get("/api/v5/account/config").await;
    assert_eq!(config.data()[0]["acctLv"], "1");
    let spot = trader.order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "0.01", "px": "90000"})).await;
    assert_eq!(spot.code(), "0", "spot cash trading works in spot mode");
}

#[tokio::test]
async fn reduce_only_needs_a_position_to_reduce() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let mut reduce = swap("sell", "1");
    reduce["reduceOnly"] = json!(true);
    assert_eq!(
        trader.order(reduce.clone()).await.data()[0]["sCode"],
        "51169"
    );
    trader.order(swap("sell", "1")).await;
    let mut same = swap("sell", "1");
    same["reduceOnly"] = json!(true);
    assert_eq!(trader.order(same).await.data()[0]["sCode"], "51170");
    let mut closing = swap("buy", "1");
    closing["reduceOnly"] = json!("true");
    assert_eq!(trader.order(closing).await.code(), "0");
    assert!(
        trader
            .get("/api/v5/account/positions")
            .await
            .data()
            .is_empty()
    );
}

#[tokio::test]
async fn leverage_is_validated_and_moves_margin() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let set = trader
        .post(
            "/api/v5/account/set-leverage",
            json!({"instId": "BTC-USDT-SWAP", "lever": 5, "mgnMode": "cross"}),
        )
        .await;
    assert_eq!(
        set.body,
        r#"{"code":"0","data":[{"instId":"BTC-USDT-SWAP","lever":"5","mgnMode":"cross","posSide":"net"}],"msg":""}"#
    );
    let info = trader
        .get("/api/v5/account/leverage-info?instId=BTC-USDT-SWAP&mgnMode=cross")
        .await;
    assert_eq!(info.data()[0]["lever"], "5");
    trader.order(swap("buy", "1")).await;
    let p = trader.get("/api/v5/account/positions").await.data()[0].clone();
    assert_eq!(d(&p["imr"]), dec!(0.01) * dec!(95020.1) / dec!(5));
    let cases = [
        (
            json!({"instId": "BTC-USDT-SWAP", "lever": "101", "mgnMode": "cross"}),
            200,
            r#"{"code":"59102","data":[],"msg":"Leverage exceeds the maximum limit. Please lower the leverage."}"#,
        ),
        (
            json!({"instId": "BTC-USDT-SWAP", "lever": "0.5", "mgnMode": "cross"}),
            400,
            r#"{"code":"59105","data":[],"msg":"Leverage can't be less than 1. Please increase the leverage."}"#,
        ),
        (
            json!({"instId": "BTC-USDT-SWAP", "lever": "5", "mgnMode": "cross", "posSide": "long"}),
            400,
            r#"{"code":"51000","data":[],"msg":"Parameter posSide  error"}"#,
        ),
        (
            json!({"instId": "BTC-USDT-SWAP", "lever": "5"}),
            400,
            r#"{"code":"50014","data":[],"msg":"Parameter mgnMode can not be empty."}"#,
        ),
    ];
    for (body, status, expected) in cases {
        let reply = trader.post("/api/v5/account/set-leverage", body).await;
        assert_eq!((reply.status, reply.body.as_str()), (status, expected));
    }
    trader.order(json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "ordType": "limit", "sz": "1", "px": "90000"})).await;
    let pending = trader
        .post(
            "/api/v5/account/set-leverage",
            json!({"instId": "BTC-USDT-SWAP", "lever": "3", "mgnMode": "cross"}),
        )
        .await;
    assert_eq!(pending.json["code"], "59107");
}

#[tokio::test]
async fn insufficient_margin_is_51008_with_its_sub_code() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let reply = trader.order(swap("buy", "2000")).await;
    let item = &reply.data()[0];
    assert_eq!(
        (
            item["sCode"].as_str(),
            item["subCode"].as_str(),
            item["sMsg"].as_str()
        ),
        (
            Some("51008"),
            Some("1001"),
            Some("Order failed. Insufficient USDT margin in account")
        )
    );
}

#[tokio::test]
async fn inverse_contracts_settle_in_coin() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let reply = trader.order(json!({"instId": "BTC-USD-SWAP", "tdMode": "cross", "side": "buy", "ordType": "market", "sz": "10"})).await;
    assert_eq!(reply.code(), "0", "{}", reply.body);
    let fill = trader
        .get("/api/v5/trade/fills?instId=BTC-USD-SWAP")
        .await
        .data()[0]
        .clone();
    assert_eq!(fill["feeCcy"], "BTC");
    // 10 contracts of 100 USD at 95030.1, taker 0.05%.
    assert_eq!(
        d(&fill["fee"]),
        -(dec!(1000) / dec!(95030.1) * dec!(0.0005))
    );
    let p = trader.get("/api/v5/account/positions").await.data()[0].clone();
    assert_eq!(
        (p["ccy"].as_str(), p["pos"].as_str()),
        (Some("BTC"), Some("10"))
    );
}

#[tokio::test]
async fn balances_positions_and_bills_agree() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    // 10 ETH is more than any one synthetic level (at most 1.8 x levelSz 5).
    trader.order(json!({"instId": "ETH-USDT", "tdMode": "cash", "side": "sell", "ordType": "market", "sz": "10"})).await;
    trader.order(json!({"instId": "ETH-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "1", "px": "3000"})).await;
    let fills = trader
        .get("/api/v5/trade/fills?instId=ETH-USDT")
        .await
        .data()
        .len();
    assert!(fills >= 2, "the sell swept more than one level");
    let balance = trader.get("/api/v5/account/balance").await.data()[0].clone();
    let details = balance["details"].as_array().unwrap();
    let usdt = details.iter().find(|x| x["ccy"] == "USDT").unwrap();
    assert_eq!(d(&usdt["ordFrozen"]), dec!(3000));
    assert_eq!(d(&usdt["availBal"]), d(&usdt["cashBal"]) - dec!(3000));
    assert_eq!(d(&usdt["frozenBal"]), dec!(3000));
    let total: Decimal = details.iter().map(|x| d(&x["eqUsd"])).sum();
    assert_eq!(d(&balance["totalEq"]), total);
    let bills = trader.get("/api/v5/account/bills?ccy=USDT").await;
    let change: Decimal = bills.data().iter().map(|b| d(&b["balChg"])).sum();
    assert_eq!(d(&usdt["cashBal"]), dec!(100000) + change);
    assert_eq!(bills.data()[0]["bal"], usdt["cashBal"]);
    let all = trader.get("/api/v5/account/bills").await;
    let mut ids: Vec<&str> = all
        .data()
        .iter()
        .map(|b| b["billId"].as_str().unwrap())
        .collect();
    let count = ids.len();
    ids.dedup();
    assert_eq!(
        (ids.len(), count),
        (2 * fills, 2 * fills),
        "two bills per spot fill, each with its own id"
    );
}

#[tokio::test]
async fn leverage_in_long_short_mode_applies_to_both_sides() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    trader
        .post(
            "/api/v5/account/set-position-mode",
            json!({"posMode": "long_short_mode"}),
        )
        .await;
    let set = trader
        .post(
            "/api/v5/account/set-leverage",
            json!({"instId": "BTC-USDT-SWAP", "lever": "5", "mgnMode": "cross"}),
        )
        .await;
    assert_eq!(set.code(), "0");
    let info = trader
        .get("/api/v5/account/leverage-info?instId=BTC-USDT-SWAP&mgnMode=cross")
        .await;
    let sides: Vec<(&str, &str)> = info
        .data()
        .iter()
        .map(|r| (r["posSide"].as_str().unwrap(), r["lever"].as_str().unwrap()))
        .collect();
    assert_eq!(sides, [("long", "5"), ("short", "5")]);
    let isolated = trader
        .post(
            "/api/v5/account/set-leverage",
            json!({"instId": "BTC-USDT-SWAP", "lever": "3", "mgnMode": "isolated"}),
        )
        .await;
    assert_eq!(
        isolated.body, r#"{"code":"51000","data":[],"msg":"Parameter posSide  error"}"#,
        "isolated long/short needs a side"
    );
}

#[tokio::test]
async fn config_fee_and_size_endpoints_describe_the_account() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let config = trader.get("/api/v5/account/config").await.data()[0].clone();
    for (field, value) in [
        ("acctLv", "2"),
        ("posMode", "net_mode"),
        ("uid", "448065917583769600"),
        ("perm", "read_only,trade,withdraw"),
        ("label", "live-main"),
    ] {
        assert_eq!(config[field], value, "{field}");
    }
    assert_eq!(config["autoLoan"], false);
    let fee = trader
        .get("/api/v5/account/trade-fee?instType=SPOT&instId=BTC-USDT")
        .await
        .data()[0]
        .clone();
    assert_eq!(
        (fee["maker"].as_str(), fee["taker"].as_str()),
        (Some("-0.0008"), Some("-0.001"))
    );
    let swap_fee = trader
        .get("/api/v5/account/trade-fee?instType=SWAP")
        .await
        .data()[0]
        .clone();
    assert_eq!(
        (swap_fee["makerU"].as_str(), swap_fee["takerU"].as_str()),
        (Some("-0.0002"), Some("-0.0005"))
    );
    assert_eq!(
        trader.get("/api/v5/account/trade-fee").await.code(),
        "50014"
    );
    let max = trader
        .get("/api/v5/account/max-size?instId=BTC-USDT-SWAP&tdMode=cross")
        .await
        .data()[0]
        .clone();
    // 100000 USDT at 10x buys contracts of 0.01 BTC at 95020, fee reserved.
    let per_contract = dec!(0.01) * dec!(95020) * (dec!(0.1) + dec!(0.0005));
    assert_eq!(
        d(&max["maxBuy"]),
        (dec!(100000) / per_contract / dec!(0.01)).floor() * dec!(0.01)
    );
    let avail = trader
        .get("/api/v5/account/max-avail-size?instId=BTC-USDT&tdMode=cash")
        .await
        .data()[0]
        .clone();
    assert_eq!(
        (avail["availBuy"].as_str(), avail["availSell"].as_str()),
        (Some("100000"), Some("2"))
    );
}
