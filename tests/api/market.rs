//! Market data: tickers, books, candles and trades agree with each other.

use serde_json::Value;

use crate::helpers::{NOW, f, get, spawn_app, spawn_walking_app};

const MINUTE: i64 = 60_000;

fn ts(row: &Value) -> i64 {
    row[0].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_static_ticker_shows_the_world_price_and_a_tight_book() {
    let server = spawn_app().await;
    let reply = get(&server, "/api/v5/market/ticker?instId=BTC-USDT").await;
    let t = &reply.data()[0];
    for (field, value) in [
        ("instType", "SPOT"),
        ("instId", "BTC-USDT"),
        ("last", "95000"),
        ("open24h", "95000"),
        ("high24h", "95000"),
        ("low24h", "95000"),
        ("bidPx", "94999.9"),
        ("askPx", "95000.1"),
        ("sodUtc0", "95000"),
        ("sodUtc8", "95000"),
    ] {
        assert_eq!(t[field], value, "{field}");
    }
    assert_eq!(t["ts"], NOW.to_string());
    // Spot volCcy24h is in quote currency: price times base volume.
    assert!((f(&t["volCcy24h"]) - f(&t["vol24h"]) * 95_000.0).abs() < 1e-6);
}

#[tokio::test]
async fn the_24h_ticker_is_the_sum_of_the_last_1440_minute_candles() {
    let server = spawn_walking_app(7).await;
    let ticker = get(&server, "/api/v5/market/ticker?instId=BTC-USDT-SWAP")
        .await
        .data()[0]
        .clone();
    let mut candles: Vec<Value> = Vec::new();
    let mut after = String::new();
    while candles.len() < 1440 {
        let page = get(
            &server,
            &format!("/api/v5/market/candles?instId=BTC-USDT-SWAP&bar=1m&limit=300{after}"),
        )
        .await;
        let rows = page.data().clone();
        assert!(!rows.is_empty(), "candles serve the newest 1440 bars");
        after = format!("&after={}", ts(rows.last().unwrap()));
        candles.extend(rows);
    }
    assert_eq!(candles.len(), 1440);
    let beyond = get(
        &server,
        &format!("/api/v5/market/candles?instId=BTC-USDT-SWAP&bar=1m{after}"),
    )
    .await;
    assert!(
        beyond.data().is_empty(),
        "market/candles stops at 1440 bars"
    );

    let oldest = candles.last().unwrap();
    assert_eq!(ticker["open24h"], oldest[1]);
    assert_eq!(ticker["last"], candles[0][4]);
    let high = candles.iter().map(|c| f(&c[2])).fold(f64::MIN, f64::max);
    let low = candles.iter().map(|c| f(&c[3])).fold(f64::MAX, f64::min);
    assert_eq!((f(&ticker["high24h"]), f(&ticker["low24h"])), (high, low));
    let vol: f64 = candles.iter().map(|c| f(&c[5])).sum();
    assert!((f(&ticker["vol24h"]) - vol).abs() < 1e-6);
    assert_ne!(
        ticker["last"], ticker["open24h"],
        "a walking price moves in a day"
    );
    let trades = get(
        &server,
        "/api/v5/market/trades?instId=BTC-USDT-SWAP&limit=1",
    )
    .await;
    assert_eq!(trades.data()[0]["px"], ticker["last"]);
    assert_eq!(trades.data()[0]["sz"], ticker["lastSz"]);
}

#[tokio::test]
async fn candles_are_newest_first_with_a_forming_bar() {
    let server = spawn_app().await;
    let reply = get(
        &server,
        "/api/v5/market/candles?instId=BTC-USDT&bar=1m&limit=3",
    )
    .await;
    let rows = reply.data();
    assert_eq!(rows.len(), 3);
    assert_eq!(ts(&rows[0]), NOW / MINUTE * MINUTE);
    assert_eq!(
        (ts(&rows[0]) - ts(&rows[1]), ts(&rows[1]) - ts(&rows[2])),
        (MINUTE, MINUTE)
    );
    assert_eq!(
        (rows[0][8].as_str(), rows[1][8].as_str()),
        (Some("0"), Some("1"))
    );
    assert!(
        rows.iter().all(|r| r.as_array().unwrap().len() == 9
            && r.as_array().unwrap().iter().all(Value::is_string))
    );
    let default = get(&server, "/api/v5/market/candles?instId=BTC-USDT").await;
    assert_eq!(
        default.data().len(),
        100,
        "the default is 100 one-minute bars"
    );
}

#[tokio::test]
async fn history_candles_honour_ccxt_s_window() {
    let server = spawn_app().await;
    // ccxt: fetch_ohlcv('1h', since, limit=3) sends before=since-1 and after=since+3h.
    let since = NOW / 3_600_000 * 3_600_000 - 10 * 3_600_000;
    let path = format!(
        "/api/v5/market/history-candles?instId=BTC-USDT&bar=1H&limit=3&before={}&after={}",
        since - 1,
        since + 3 * 3_600_000
    );
    let rows = get(&server, &path).await.data().clone();
    let starts: Vec<i64> = rows.iter().map(ts).collect();
    assert_eq!(starts, [since + 2 * 3_600_000, since + 3_600_000, since]);
    let daily = get(
        &server,
        "/api/v5/market/history-candles?instId=BTC-USDT&bar=1Dutc&limit=1",
    )
    .await;
    assert_eq!(ts(&daily.data()[0]), NOW / 86_400_000 * 86_400_000);
    let second = get(
        &server,
        "/api/v5/market/history-candles?instId=BTC-USDT&bar=1s&limit=2",
    )
    .await;
    assert_eq!(ts(&second.data()[0]), NOW / 1000 * 1000);
}

#[tokio::test]
async fn candle_parameters_are_validated() {
    let server = spawn_app().await;
    let cases = [
        (
            "/api/v5/market/candles?instId=BTC-USDT&bar=1h",
            r#"{"code":"51000","data":[],"msg":"Parameter bar error"}"#,
        ),
        (
            "/api/v5/market/candles?instId=BTC-USDT&bar=1s",
            r#"{"code":"51000","data":[],"msg":"Parameter bar error"}"#,
        ),
        (
            "/api/v5/market/candles?instId=BTC-USDT&limit=301",
            r#"{"code":"51000","data":[],"msg":"Parameter limit error"}"#,
        ),
        (
            "/api/v5/market/history-candles?instId=BTC-USDT&limit=101",
            r#"{"code":"51000","data":[],"msg":"Parameter limit error"}"#,
        ),
        (
            "/api/v5/market/candles?instId=BTC-USDT&after=yesterday",
            r#"{"code":"51000","data":[],"msg":"Parameter after error"}"#,
        ),
        (
            "/api/v5/market/candles?bar=1m",
            r#"{"code":"50014","data":[],"msg":"Parameter instId can not be empty."}"#,
        ),
        (
            "/api/v5/market/candles?instId=DOGE-EUR",
            r#"{"code":"51001","data":[],"msg":"Instrument ID, Instrument ID code or Spread ID doesn't exist."}"#,
        ),
    ];
    for (path, body) in cases {
        assert_eq!(get(&server, path).await.body, body, "{path}");
    }
}

#[tokio::test]
async fn the_order_book_sits_on_the_tick_grid_around_the_last_price() {
    let server = spawn_app().await;
    let reply = get(&server, "/api/v5/market/books?instId=ETH-BTC&sz=5").await;
    let book = &reply.data()[0];
    let (bids, asks) = (
        book["bids"].as_array().unwrap(),
        book["asks"].as_array().unwrap(),
    );
    assert_eq!((bids.len(), asks.len()), (5, 5));
    assert!(book["seqId"].is_i64(), "seqId is a JSON integer");
    assert_eq!(
        (bids[0][0].as_str(), asks[0][0].as_str()),
        (Some("0.03367"), Some("0.03369"))
    );
    for level in bids.iter().chain(asks) {
        let level = level.as_array().unwrap();
        assert_eq!(level.len(), 4);
        assert_eq!(level[2], "0");
        let ticks = f(&level[0]) / 0.00001;
        assert!((ticks - ticks.round()).abs() < 1e-6, "{level:?}");
    }
    assert!(bids.windows(2).all(|w| f(&w[0][0]) > f(&w[1][0])));
    assert!(asks.windows(2).all(|w| f(&w[0][0]) < f(&w[1][0])));
    let default = get(&server, "/api/v5/market/books?instId=BTC-USDT").await;
    assert_eq!(
        default.data()[0]["bids"].as_array().unwrap().len(),
        1,
        "sz defaults to 1"
    );
    let deep = get(&server, "/api/v5/market/books?instId=BTC-USDT&sz=400").await;
    assert_eq!(deep.data()[0]["asks"].as_array().unwrap().len(), 400);
    let too_deep = get(&server, "/api/v5/market/books?instId=BTC-USDT&sz=401").await;
    assert_eq!(
        too_deep.body,
        r#"{"code":"51000","data":[],"msg":"Parameter sz error"}"#
    );
}

#[tokio::test]
async fn trades_are_newest_first_and_never_from_the_future() {
    let server = spawn_app().await;
    let reply = get(
        &server,
        "/api/v5/market/trades?instId=BTC-USDT-SWAP&limit=5",
    )
    .await;
    let trades = reply.data();
    assert_eq!(trades.len(), 5);
    let times: Vec<i64> = trades
        .iter()
        .map(|t| t["ts"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]) && times[0] <= NOW);
    for t in trades {
        assert!(t["tradeId"].as_str().unwrap().parse::<i64>().is_ok());
        assert!(t["side"] == "buy" || t["side"] == "sell");
        assert_eq!(t["px"], "95020");
    }
    assert_eq!(
        get(&server, "/api/v5/market/trades?instId=BTC-USDT&limit=501")
            .await
            .code(),
        "51000"
    );
}

#[tokio::test]
async fn tickers_list_a_type_and_margin_has_none() {
    let server = spawn_app().await;
    let swaps = get(&server, "/api/v5/market/tickers?instType=SWAP").await;
    let ids: Vec<&str> = swaps
        .data()
        .iter()
        .map(|t| t["instId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["BTC-USDT-SWAP", "ETH-USDT-SWAP", "BTC-USD-SWAP"]);
    assert_eq!(
        get(&server, "/api/v5/market/tickers?instType=MARGIN")
            .await
            .body,
        r#"{"code":"51000","data":[],"msg":"Parameter instType error"}"#
    );
    assert_eq!(
        get(&server, "/api/v5/market/ticker?instId=NOPE-USDT")
            .await
            .body,
        r#"{"code":"51001","data":[],"msg":"Instrument ID, Instrument ID code or Spread ID doesn't exist."}"#
    );
}

#[tokio::test]
async fn the_same_seed_gives_the_same_market_and_another_seed_another() {
    let path = "/api/v5/market/candles?instId=ETH-USDT&bar=5m&limit=50";
    let a = get(&spawn_walking_app(11).await, path).await.body;
    let b = get(&spawn_walking_app(11).await, path).await.body;
    let c = get(&spawn_walking_app(12).await, path).await.body;
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[tokio::test]
async fn absurd_candle_cursors_answer_instead_of_crashing() {
    let server = spawn_app().await;
    for query in [
        "after=-9223372036854775808",
        "after=9223372036854775807&bar=1D",
        "before=-9223372036854775808&bar=1M",
        "after=100000000000000000&bar=1Mutc",
    ] {
        for endpoint in ["candles", "history-candles"] {
            let reply = get(
                &server,
                &format!("/api/v5/market/{endpoint}?instId=BTC-USDT&{query}"),
            )
            .await;
            assert_eq!(
                (reply.status, reply.code()),
                (200, "0"),
                "{endpoint}?{query}"
            );
        }
    }
    let oldest = get(&server, "/api/v5/market/candles?instId=BTC-USDT&after=-1").await;
    assert!(oldest.data().is_empty());
}
