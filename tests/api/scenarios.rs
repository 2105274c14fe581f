//! Scenario files and fault rules: every shipped scenario proves its effect,
//! and each fault action does what it says.

use std::time::{Duration, Instant};

use okx_mock::{Clock, Env, JournalFilter, MockOkx};
use serde_json::json;

use crate::helpers::{NOW, Trader, get, signed_get};

fn shipped(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

async fn spawn_scenario(name: &str) -> MockOkx {
    MockOkx::builder()
        .rate_limits(crate::helpers::NO_LIMITS)
        .scenario_file(shipped(name))
        .clock(Clock::frozen_at(NOW))
        .start()
        .await
        .unwrap()
}

async fn spawn_rules(toml: &str) -> MockOkx {
    MockOkx::builder()
        .rate_limits(crate::helpers::NO_LIMITS)
        .scenario_toml(toml)
        .clock(Clock::frozen_at(NOW))
        .start()
        .await
        .unwrap()
}

fn swap_order(sz: &str) -> serde_json::Value {
    json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "ordType": "limit", "sz": sz, "px": "90000"})
}

const BALANCE: &str = "/api/v5/account/balance";

#[tokio::test]
async fn clock_drift_makes_every_signature_expire() {
    let server = spawn_scenario("clock-drift.toml").await;
    assert_eq!(server.clock().now_ms(), NOW - 45_000);
    let reply = signed_get(&server, &server.credentials(Env::Live), BALANCE, false).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (401, r#"{"msg":"Timestamp request expired","code":"50102"}"#)
    );
    let entry = &server.received_requests(&JournalFilter::default())[0];
    assert_eq!(
        entry.explanation.as_deref(),
        Some(
            "OK-ACCESS-TIMESTAMP is 45000 ms ahead of exchange time; the window is 30000 ms either side"
        )
    );
}

#[tokio::test]
async fn keys_used_in_the_wrong_environment_get_50101() {
    let expected = r#"{"msg":"APIKey does not match current environment.","code":"50101"}"#;
    let live_on_demo = spawn_scenario("live-key-used-on-demo.toml").await;
    let reply = signed_get(
        &live_on_demo,
        &live_on_demo.credentials(Env::Demo),
        BALANCE,
        false,
    )
    .await;
    assert_eq!((reply.status, reply.body.as_str()), (401, expected));
    let demo_on_live = spawn_scenario("demo-key-used-on-live.toml").await;
    let key = demo_on_live
        .keys()
        .into_iter()
        .find(|k| k.label == "demo-main")
        .unwrap();
    let creds = okx_mock::Credentials {
        api_key: key.api_key,
        secret_key: key.secret_key,
        passphrase: key.passphrase,
    };
    let reply = signed_get(&demo_on_live, &creds, BALANCE, true).await;
    assert_eq!((reply.status, reply.body.as_str()), (401, expected));
}

#[tokio::test]
async fn a_rotated_passphrase_gets_50105() {
    let server = spawn_scenario("wrong-passphrase.toml").await;
    let mut creds = server.credentials(Env::Live);
    creds.passphrase = "Live-Passphrase-1".into(); // what the client still has
    let reply = signed_get(&server, &creds, BALANCE, false).await;
    assert_eq!(reply.json["code"], "50105");
}

#[tokio::test]
async fn a_read_only_key_cannot_place_orders() {
    let server = spawn_scenario("read-only-key.toml").await;
    let reply = Trader::live(&server).order(swap_order("1")).await;
    assert_eq!(reply.code(), "50120");
}

#[tokio::test]
async fn long_short_mode_needs_a_pos_side() {
    let server = spawn_scenario("long-short-mode.toml").await;
    let reply = Trader::live(&server).order(swap_order("1")).await;
    assert_eq!(
        (
            reply.data()[0]["sCode"].as_str(),
            reply.data()[0]["sMsg"].as_str()
        ),
        (Some("51000"), Some("Parameter posSide error "))
    );
}

#[tokio::test]
async fn whole_contracts_refuse_fractions() {
    let server = spawn_scenario("whole-contracts.toml").await;
    let reply = Trader::live(&server).order(swap_order("0.5")).await;
    assert_eq!(reply.data()[0]["sCode"], "51121");
    let instruments = get(
        &server,
        "/api/v5/public/instruments?instType=SWAP&instId=BTC-USDT-SWAP",
    )
    .await;
    assert_eq!(instruments.data()[0]["lotSz"], "1");
}

#[tokio::test]
async fn a_spot_mode_account_cannot_trade_swaps() {
    let server = spawn_scenario("spot-mode-account.toml").await;
    let reply = Trader::live(&server).order(swap_order("1")).await;
    assert_eq!(reply.data()[0]["sCode"], "51010");
}

#[tokio::test]
async fn the_third_swap_order_is_booked_but_reported_as_a_timeout() {
    let server = spawn_scenario("booked-but-timeout.toml").await;
    let trader = Trader::live(&server);
    let mut codes = Vec::new();
    for i in 0..4 {
        let mut order = swap_order("1");
        order["clOrdId"] = json!(format!("o{i}"));
        let reply = trader.order(order).await;
        codes.push((
            reply.status,
            reply.json["code"].as_str().unwrap().to_owned(),
        ));
    }
    assert_eq!(
        codes,
        [
            (200, "0".into()),
            (200, "0".into()),
            (400, "50004".into()),
            (200, "0".into())
        ]
    );
    let booked = trader
        .get("/api/v5/trade/order?instId=BTC-USDT-SWAP&clOrdId=o2")
        .await;
    assert_eq!(
        booked.data()[0]["state"],
        "live",
        "the timed-out order was booked anyway"
    );
    let journal = server.received_requests(&JournalFilter {
        code: Some("50004".into()),
        ..Default::default()
    });
    assert_eq!(
        journal[0].explanation.as_deref(),
        Some("fault rule \"third-swap-order-times-out\"")
    );
    assert_eq!(server.faults()[0].fired, 1);
}

#[tokio::test]
async fn funding_times_are_busy_and_slow() {
    // 2026-11-25T07:59:30Z, inside the 07:59-08:01 window.
    let at = 1_795_593_570_000;
    let server = MockOkx::builder()
        .rate_limits(crate::helpers::NO_LIMITS)
        .scenario_file(shipped("funding-time-busy.toml"))
        .clock(Clock::frozen_at(at))
        .start()
        .await
        .unwrap();
    let started = Instant::now();
    let reply = get(&server, "/api/v5/public/time").await;
    assert!(
        started.elapsed() >= Duration::from_millis(3000),
        "the rule waits 3 s first"
    );
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (
            429,
            r#"{"code":"50013","data":[],"msg":"Systems are busy. Please try again later."}"#
        )
    );
    server.clock().advance(120_000);
    assert_eq!(
        get(&server, "/api/v5/public/time").await.status,
        200,
        "08:01:30 is outside the window"
    );
}

#[tokio::test]
async fn maintenance_comes_and_goes_on_the_timeline() {
    let server = spawn_scenario("maintenance.toml").await;
    assert_eq!(get(&server, "/api/v5/public/time").await.status, 200);
    server.clock().advance(60_000);
    let during = get(&server, "/api/v5/market/ticker?instId=BTC-USDT").await;
    assert_eq!(
        (during.status, during.body.as_str()),
        (
            503,
            r#"{"code":"50001","data":[],"msg":"Service temporarily unavailable. Please try again later."}"#
        )
    );
    let status = get(&server, "/api/v5/system/status").await;
    assert_eq!(status.data()[0]["state"], "ongoing");
    server.clock().advance(600_000);
    assert_eq!(
        get(&server, "/api/v5/market/ticker?instId=BTC-USDT")
            .await
            .status,
        200
    );
    assert!(
        get(&server, "/api/v5/system/status")
            .await
            .data()
            .is_empty()
    );
}

#[tokio::test]
async fn a_rate_limit_storm_answers_429_for_a_burst() {
    let server = spawn_scenario("rate-limit-storm.toml").await;
    let trader = Trader::live(&server);
    let mut statuses = Vec::new();
    for _ in 0..16 {
        statuses.push(trader.get("/api/v5/trade/orders-pending").await.status);
    }
    assert_eq!(
        statuses,
        [
            200, 200, 200, 200, 429, 429, 429, 429, 429, 429, 429, 429, 429, 429, 200, 200
        ]
    );
    let limited = server.received_requests(&JournalFilter {
        code: Some("50011".into()),
        ..Default::default()
    });
    assert_eq!(limited.len(), 10);
    assert_eq!(limited[0].status, 429);
    let storm = trader.get("/api/v5/trade/orders-pending").await;
    assert_eq!(storm.status, 200, "the burst is over");
}

#[tokio::test]
async fn per_item_errors_answer_each_order_of_a_batch() {
    let server = spawn_rules(
        r#"
        [[faults]]
        name = "reject-batch"
        path = "/api/v5/trade/batch-orders"
        action = "error"
        code = "51008"
        msg = "Order failed. Insufficient USDT margin in account"
        shape = "item"
        "#,
    )
    .await;
    let trader = Trader::live(&server);
    let body =
        json!([{"instId": "BTC-USDT", "clOrdId": "a1"}, {"instId": "BTC-USDT", "clOrdId": "a2"}]);
    let reply = trader.post("/api/v5/trade/batch-orders", body).await;
    assert_eq!((reply.status, reply.code()), (200, "1"));
    let items: Vec<(&str, &str)> = reply
        .data()
        .iter()
        .map(|i| (i["clOrdId"].as_str().unwrap(), i["sCode"].as_str().unwrap()))
        .collect();
    assert_eq!(items, [("a1", "51008"), ("a2", "51008")]);
}

#[tokio::test]
async fn a_dropped_connection_after_the_work_still_books_the_order() {
    let server = spawn_rules("[[faults]]\nname = \"drop\"\npath = \"/api/v5/trade/order\"\nmethod = \"POST\"\naction = \"drop\"\nafterWork = true\ntimes = 1\n").await;
    let trader = Trader::live(&server);
    let client = reqwest::Client::new();
    let body = json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "0.01", "px": "90000", "clOrdId": "lost1"}).to_string();
    let ts = crate::helpers::iso(NOW);
    let sign = okx_mock::sign(
        &trader.creds.secret_key,
        &okx_mock::prehash(&ts, "POST", "/api/v5/trade/order", body.as_bytes()),
    );
    let result = client
        .post(format!("{}/api/v5/trade/order", server.uri()))
        .header("OK-ACCESS-KEY", &trader.creds.api_key)
        .header("OK-ACCESS-SIGN", sign)
        .header("OK-ACCESS-TIMESTAMP", ts)
        .header("OK-ACCESS-PASSPHRASE", &trader.creds.passphrase)
        .body(body)
        .send()
        .await;
    assert!(
        result.is_err(),
        "the client sees the connection close: {result:?}"
    );
    let order = trader
        .get("/api/v5/trade/order?instId=BTC-USDT&clOrdId=lost1")
        .await;
    assert_eq!(order.data()[0]["state"], "live");
    let entry = server.received_requests(&JournalFilter {
        path: Some("/api/v5/trade/order".into()),
        method: Some("POST".into()),
        ..Default::default()
    });
    assert_eq!(
        (entry[0].status, entry[0].explanation.as_deref()),
        (
            0,
            Some("fault rule \"drop\": connection closed without an answer")
        )
    );
}

#[tokio::test]
async fn truncated_garbage_and_hanging_answers_break_the_client_as_promised() {
    let server = spawn_rules(
        r#"
        [[faults]]
        name = "cut"
        path = "/api/v5/public/instruments"
        action = "truncate"
        [[faults]]
        name = "html"
        path = "/api/v5/market/ticker"
        action = "garbage"
        [[faults]]
        name = "never"
        path = "/api/v5/market/books"
        action = "hang"
        "#,
    )
    .await;
    let cut = reqwest::get(format!(
        "{}/api/v5/public/instruments?instType=SPOT",
        server.uri()
    ))
    .await
    .unwrap();
    assert_eq!(cut.status(), 200);
    assert!(
        cut.text().await.is_err(),
        "the body ends before its Content-Length"
    );
    let html = get(&server, "/api/v5/market/ticker?instId=BTC-USDT").await;
    assert_eq!(html.status, 200);
    assert!(html.body.starts_with("<html>"));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let hung = client
        .get(format!(
            "{}/api/v5/market/books?instId=BTC-USDT",
            server.uri()
        ))
        .send()
        .await;
    assert!(hung.unwrap_err().is_timeout());
    let started = Instant::now();
    drop(server);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a hanging request does not block shutdown"
    );
}

#[tokio::test]
async fn rules_load_arm_and_disarm_at_run_time() {
    let server = MockOkx::builder()
        .rate_limits(crate::helpers::NO_LIMITS)
        .clock(Clock::frozen_at(NOW))
        .start()
        .await
        .unwrap();
    let faults = server
        .load_scenario("[[faults]]\nname = \"busy\"\npath = \"/api/v5/public/time\"\naction = \"busy\"\narmed = false\n")
        .unwrap();
    assert_eq!((faults[0].name.as_str(), faults[0].armed), ("busy", false));
    assert_eq!(get(&server, "/api/v5/public/time").await.status, 200);
    server.arm_fault("busy", true).unwrap();
    assert_eq!(get(&server, "/api/v5/public/time").await.status, 429);
    let reply = crate::helpers::send(&server, "POST", "/__admin/faults/busy/disarm", &[], "").await;
    assert_eq!(reply.status, 200);
    assert_eq!(get(&server, "/api/v5/public/time").await.status, 200);
    let world_change = server.load_scenario("[[keys]]\nlabel = \"x\"\nenv = \"live\"\napiKey = \"k\"\nsecretKey = \"s\"\npassphrase = \"p\"\nperms = []\n");
    assert!(
        world_change
            .unwrap_err()
            .to_string()
            .contains("only hold [[faults]] and [[timeline]]")
    );
    server.set_maintenance(true);
    assert_eq!(get(&server, "/api/v5/public/time").await.status, 503);
}

#[tokio::test]
async fn the_same_scenario_and_seed_give_the_same_answers_and_journal() {
    let rules = "[[faults]]\nname = \"flaky\"\npath = \"/api/v5/*\"\naction = \"busy\"\nprobability = 0.3\n";
    let run = || async {
        let server = MockOkx::builder()
            .rate_limits(crate::helpers::NO_LIMITS)
            .scenario_toml(rules)
            .seed(42)
            .clock(Clock::frozen_at(NOW))
            .start()
            .await
            .unwrap();
        let mut statuses = Vec::new();
        for _ in 0..30 {
            statuses.push(get(&server, "/api/v5/public/time").await.status);
        }
        let journal: Vec<(String, String)> = server
            .received_requests(&JournalFilter::default())
            .into_iter()
            .map(|e| (e.path, e.code))
            .collect();
        (statuses, journal)
    };
    let (first, first_journal) = run().await;
    let (second, second_journal) = run().await;
    assert_eq!(first, second);
    assert_eq!(first_journal, second_journal);
    assert!(first.contains(&429) && first.contains(&200));
}

#[test]
fn check_validates_shipped_scenarios_and_reports_positions() {
    let dir = format!("{}/scenarios", env!("CARGO_MANIFEST_DIR"));
    let files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".toml"))
        .collect();
    assert!(files.len() >= 13);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_okx-mock"))
        .arg("check")
        .args(&files)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bad = std::env::temp_dir().join(format!("okx-mock-bad-{}.toml", std::process::id()));
    std::fs::write(
        &bad,
        "[market]\nspreadTicks = 1\n\n[[faults]]\nname = \"x\"\naction = \"explode\"\n",
    )
    .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_okx-mock"))
        .arg("check")
        .arg(&bad)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("line 4, column 1") && stderr.contains("action \"explode\""),
        "{stderr}"
    );
    let _ = std::fs::remove_file(bad);
}

#[tokio::test]
async fn a_scenario_price_path_moves_the_market_from_start() {
    let server = spawn_rules(
        r#"
        [[prices]]
        instId = "ETH-USDT"
        path = [{ afterMs = 0, px = "3200" }, { afterMs = 600000, px = "3300" }]
        "#,
    )
    .await;
    let mark = |server: &MockOkx| {
        server
            .prices()
            .into_iter()
            .find(|p| p.inst_id == "ETH-USDT")
            .unwrap()
            .mark
    };
    assert_eq!(mark(&server), "3200");
    server.clock().advance(300_000);
    assert_eq!(mark(&server), "3250");
    server.clock().advance(3_600_000);
    assert_eq!(mark(&server), "3300");
}

#[tokio::test]
async fn a_price_gap_fires_stops_and_refuses_stale_ones() {
    let server = spawn_scenario("price-gap.toml").await;
    let trader = Trader::live(&server);
    trader
        .order(json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "ordType": "market", "sz": "1"}))
        .await;
    let stop = json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "sell", "ordType": "conditional", "sz": "1", "slTriggerPx": "93000", "slOrdPx": "-1"});
    let placed = trader.post("/api/v5/trade/order-algo", stop.clone()).await;
    assert_eq!(placed.code(), "0", "{}", placed.body);
    let algo_id = placed.data()[0]["algoId"].as_str().unwrap().to_owned();
    server.clock().advance(3 * 60_000);
    let fired = trader
        .get(&format!("/api/v5/trade/order-algo?algoId={algo_id}"))
        .await;
    assert_eq!(fired.data()[0]["state"], "effective");
    let stale = trader.post("/api/v5/trade/order-algo", stop).await;
    assert_eq!(
        (&stale.data()[0]["sCode"], &stale.data()[0]["sMsg"]),
        (
            &json!("51280"),
            &json!("SL trigger price cannot be higher than the last price.")
        )
    );
}
