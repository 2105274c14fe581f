//! The control API and the Rust handle: every operation through both doors.

use okx_mock::{AccountSettings, Env, JournalFilter, KeyChange, MockOkx, NewKey, PricePoint};
use rust_decimal_macros::dec;
use serde_json::{Value, json};

use crate::helpers::{NOW, Trader, d, get, send, spawn_app};

async fn admin(server: &MockOkx, method: &str, path: &str, body: Value) -> (u16, Value) {
    let body = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let reply = send(
        server,
        method,
        path,
        &[("Content-Type", "application/json".to_owned())],
        &body,
    )
    .await;
    (reply.status, reply.json)
}

#[tokio::test]
async fn health_reports_the_version_through_both_doors() {
    let server = spawn_app().await;
    let (status, body) = admin(&server, "GET", "/__admin/health", Value::Null).await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::to_value(server.health()).unwrap());
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn the_clock_is_set_advanced_offset_frozen_and_resumed_over_http() {
    let server = spawn_app().await;
    let (_, body) = admin(
        &server,
        "POST",
        "/__admin/clock/set",
        json!({"ms": 1_800_000_000_000i64}),
    )
    .await;
    assert_eq!(body, json!({"now": 1_800_000_000_000i64, "frozen": true}));
    admin(
        &server,
        "POST",
        "/__admin/clock/advance",
        json!({"ms": 1500}),
    )
    .await;
    assert_eq!(
        get(&server, "/api/v5/public/time").await.data()[0]["ts"],
        "1800000001500"
    );
    let (_, resumed) = admin(&server, "POST", "/__admin/clock/resume", Value::Null).await;
    assert_eq!(resumed["frozen"], false);
    let (_, offset) = admin(
        &server,
        "POST",
        "/__admin/clock/offset",
        json!({"ms": -3_600_000}),
    )
    .await;
    let system = chrono::Utc::now().timestamp_millis();
    assert!((offset["now"].as_i64().unwrap() - (system - 3_600_000)).abs() < 5_000);
    let (_, frozen) = admin(&server, "POST", "/__admin/clock/freeze", Value::Null).await;
    assert_eq!(frozen["frozen"], true);
    let (status, error) = admin(&server, "POST", "/__admin/clock/advance", json!({})).await;
    assert_eq!(
        (status, error["error"].as_str()),
        (400, Some("body needs {\"ms\": <number>}"))
    );
}

#[tokio::test]
async fn a_price_moved_through_a_resting_order_fills_it() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let placed = trader.order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "0.1", "px": "92000"})).await;
    let ord_id = placed.data()[0]["ordId"].as_str().unwrap().to_owned();
    let (status, price) = admin(
        &server,
        "POST",
        "/__admin/prices",
        json!({"instId": "BTC-USDT", "px": "91000"}),
    )
    .await;
    assert_eq!((status, price["mark"].as_str()), (200, Some("91000")));
    server.clock().advance(2 * 60_000);
    let order = trader
        .get(&format!(
            "/api/v5/trade/order?instId=BTC-USDT&ordId={ord_id}"
        ))
        .await
        .data()[0]
        .clone();
    assert_eq!(
        (order["state"].as_str(), order["avgPx"].as_str()),
        (Some("filled"), Some("92000")),
        "filled as maker at its own price"
    );
    let ticker = get(&server, "/api/v5/market/ticker?instId=BTC-USDT")
        .await
        .data()[0]
        .clone();
    assert_eq!(ticker["last"], "91000");
    assert_eq!(ticker["open24h"], "95000", "the past does not change");
}

#[tokio::test]
async fn a_price_path_moves_linearly_through_its_points() {
    let server = spawn_app().await;
    server
        .set_price_path(
            "BTC-USDT-SWAP",
            &[
                PricePoint {
                    at: NOW + 60_000,
                    px: "96020".into(),
                },
                PricePoint {
                    at: NOW + 120_000,
                    px: "94020".into(),
                },
            ],
        )
        .unwrap();
    let mark = |server: &MockOkx| {
        server
            .prices()
            .into_iter()
            .find(|p| p.inst_id == "BTC-USDT-SWAP")
            .unwrap()
            .mark
    };
    server.clock().advance(30_000);
    assert_eq!(mark(&server), "95520");
    server.clock().advance(60_000);
    assert_eq!(mark(&server), "95020");
    server.clock().advance(3_600_000);
    assert_eq!(mark(&server), "94020");
    let past = server
        .set_price_path(
            "BTC-USDT-SWAP",
            &[PricePoint {
                at: NOW,
                px: "1".into(),
            }],
        )
        .unwrap_err();
    assert_eq!(past.to_string(), "price points cannot be in the past");
    assert_eq!(
        server.set_price("NOPE-USDT", "1").unwrap_err().to_string(),
        "no instrument NOPE-USDT"
    );
}

#[tokio::test]
async fn keys_are_created_changed_and_revoked() {
    let server = spawn_app().await;
    let (status, key) = admin(
        &server,
        "POST",
        "/__admin/keys",
        json!({"label": "bot", "env": "demo", "perms": ["read_only", "trade"]}),
    )
    .await;
    assert_eq!(status, 200, "{key}");
    let creds = okx_mock::Credentials {
        api_key: key["apiKey"].as_str().unwrap().into(),
        secret_key: key["secretKey"].as_str().unwrap().into(),
        passphrase: key["passphrase"].as_str().unwrap().into(),
    };
    let bot = Trader {
        server: &server,
        creds,
        demo: true,
    };
    let order = json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "0.01", "px": "90000"});
    assert_eq!(bot.order(order.clone()).await.code(), "0");
    let api_key = key["apiKey"].as_str().unwrap();
    let (_, changed) = admin(
        &server,
        "PATCH",
        &format!("/__admin/keys/{api_key}"),
        json!({"perms": ["read_only"]}),
    )
    .await;
    assert_eq!(changed["perms"], json!(["read_only"]));
    assert_eq!(bot.order(order.clone()).await.code(), "50120");
    let (status, _) = admin(
        &server,
        "DELETE",
        &format!("/__admin/keys/{api_key}"),
        Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        bot.order(order).await.body,
        r#"{"msg":"API key doesn't exist","code":"50119"}"#
    );
    let (status, missing) = admin(
        &server,
        "DELETE",
        &format!("/__admin/keys/{api_key}"),
        Value::Null,
    )
    .await;
    assert_eq!(
        (status, missing["error"].as_str()),
        (404, Some(format!("no key {api_key}").as_str()))
    );
}

#[tokio::test]
async fn balances_and_account_settings_change_and_reset() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let (_, credited) = admin(
        &server,
        "POST",
        "/__admin/accounts/live/main/balance",
        json!({"ccy": "SOL", "amount": "25.5"}),
    )
    .await;
    assert_eq!(credited, json!({"ccy": "SOL", "cashBal": "25.5"}));
    assert_eq!(d(&trader.balance("SOL").await["availBal"]), dec!(25.5));
    let (status, _) = admin(
        &server,
        "POST",
        "/__admin/accounts/live/main/balance",
        json!({"ccy": "SOL", "amount": "-30"}),
    )
    .await;
    assert_eq!(status, 409, "a debit cannot exceed what is available");

    let (status, account) = admin(
        &server,
        "POST",
        "/__admin/accounts/live/main/settings",
        json!({"acctLv": "1"}),
    )
    .await;
    assert_eq!((status, account["acctLv"].as_str()), (200, Some("1")));
    let swap = json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "ordType": "market", "sz": "1"});
    assert_eq!(trader.order(swap.clone()).await.data()[0]["sCode"], "51010");

    server.reset_account(Env::Live, "main").unwrap();
    assert_eq!(
        trader.get("/api/v5/account/config").await.data()[0]["acctLv"],
        "2"
    );
    assert_eq!(trader.balance("SOL").await, Value::Null);
    assert_eq!(trader.order(swap).await.code(), "0");
    let (status, _) = admin(
        &server,
        "POST",
        "/__admin/accounts/live/main/settings",
        json!({"posMode": "long_short_mode"}),
    )
    .await;
    assert_eq!(status, 409, "settings change only with nothing open");
}

#[tokio::test]
async fn the_journal_records_what_was_sent_and_explains_refusals() {
    let server = spawn_app().await;
    let mut wrong = Trader::live(&server);
    wrong.creds.secret_key = "WRONG".into();
    wrong.get("/api/v5/account/balance?ccy=BTC").await;
    let right = Trader::live(&server);
    right.order(json!({"instId": "ETH-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "1", "px": "3000"})).await;
    get(&server, "/api/v5/market/ticker?instId=BTC-USDT").await;

    let refused = JournalFilter {
        code: Some("50113".into()),
        ..Default::default()
    };
    let entries = server.received_requests(&refused);
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(
        (
            entry.method.as_str(),
            entry.path.as_str(),
            entry.query.as_str(),
            entry.status
        ),
        ("GET", "/api/v5/account/balance", "ccy=BTC", 401)
    );
    let ts = entry
        .headers
        .iter()
        .find(|(n, _)| n == "ok-access-timestamp")
        .unwrap()
        .1
        .clone();
    let explanation = entry.explanation.as_deref().unwrap();
    assert!(
        explanation.contains(&format!("{ts}GET/api/v5/account/balance?ccy=BTC")),
        "{explanation}"
    );
    assert_eq!(entry.api_key.as_deref(), Some(right.creds.api_key.as_str()));

    let orders = JournalFilter {
        path: Some("/api/v5/trade/*".into()),
        inst_id: Some("ETH-USDT".into()),
        ..Default::default()
    };
    let placed = server.received_requests(&orders);
    assert_eq!(
        (
            placed.len(),
            placed[0].code.as_str(),
            placed[0].account.as_deref()
        ),
        (1, "0", Some("live/main"))
    );
    assert!(placed[0].body.contains("\"px\":\"3000\""));

    // The HTTP door sees the same journal.
    let (_, over_http) = admin(&server, "GET", "/__admin/requests?code=50113", Value::Null).await;
    assert_eq!(
        over_http,
        serde_json::to_value(server.received_requests(&refused)).unwrap()
    );
    let (_, count) = admin(&server, "GET", "/__admin/requests/count", Value::Null).await;
    assert_eq!(count["count"], 3, "admin calls are not journaled");
    admin(&server, "DELETE", "/__admin/requests", Value::Null).await;
    assert_eq!(server.request_count(&JournalFilter::default()), 0);
}

#[tokio::test]
async fn the_journal_drops_its_oldest_entries_beyond_its_cap() {
    let server = MockOkx::builder()
        .rate_limits(crate::helpers::NO_LIMITS)
        .journal_cap(3)
        .clock(okx_mock::Clock::frozen_at(NOW))
        .start()
        .await
        .unwrap();
    for _ in 0..5 {
        get(&server, "/api/v5/public/time").await;
    }
    let kept = server.received_requests(&JournalFilter::default());
    assert_eq!(kept.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4, 5]);
}

#[tokio::test]
async fn reset_returns_everything_to_the_loaded_world() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    trader.order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "market", "sz": "1000"})).await;
    server
        .create_key(NewKey {
            label: Some("extra".into()),
            ..Default::default()
        })
        .unwrap();
    let (status, _) = admin(&server, "POST", "/__admin/reset", Value::Null).await;
    assert_eq!(status, 200);
    assert_eq!(d(&trader.balance("USDT").await["cashBal"]), dec!(100000));
    assert!(trader.get("/api/v5/trade/fills").await.data().is_empty());
    assert_eq!(server.keys().len(), 2);
}

#[tokio::test]
async fn a_token_protects_the_control_api_only() {
    let server = MockOkx::builder()
        .rate_limits(crate::helpers::NO_LIMITS)
        .admin_token("s3cret")
        .start()
        .await
        .unwrap();
    let (status, body) = admin(&server, "GET", "/__admin/health", Value::Null).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("the control API requires x-admin-token"))
    );
    let reply = send(
        &server,
        "GET",
        "/__admin/health",
        &[("x-admin-token", "s3cret".to_owned())],
        "",
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(get(&server, "/api/v5/public/time").await.status, 200);
}

#[tokio::test]
async fn both_doors_leave_the_venue_in_the_same_state() {
    let by_http = spawn_app().await;
    admin(
        &by_http,
        "POST",
        "/__admin/prices",
        json!({"instId": "ETH-USDT", "px": "3333.33"}),
    )
    .await;
    admin(
        &by_http,
        "POST",
        "/__admin/accounts/demo/main/balance",
        json!({"ccy": "USDT", "amount": "-500"}),
    )
    .await;
    admin(
        &by_http,
        "POST",
        "/__admin/accounts/live/main/settings",
        json!({"posMode": "long_short_mode"}),
    )
    .await;
    admin(&by_http, "POST", "/__admin/keys", json!({"label": "k2", "env": "live", "perms": ["read_only", "withdraw"], "ips": ["10.0.0.0/8"]})).await;

    let by_handle = spawn_app().await;
    by_handle.set_price("ETH-USDT", "3333.33").unwrap();
    by_handle
        .adjust_balance(Env::Demo, "main", "USDT", "-500")
        .unwrap();
    by_handle
        .set_account(
            Env::Live,
            "main",
            AccountSettings {
                pos_mode: Some("long_short_mode".into()),
                ..Default::default()
            },
        )
        .unwrap();
    by_handle
        .create_key(NewKey {
            label: Some("k2".into()),
            env: Some("live".into()),
            perms: Some(vec!["read_only".into(), "withdraw".into()]),
            ips: vec!["10.0.0.0/8".into()],
            ..Default::default()
        })
        .unwrap();

    assert_eq!(by_http.prices(), by_handle.prices());
    assert_eq!(by_http.accounts(), by_handle.accounts());
    assert_eq!(by_http.keys(), by_handle.keys());
    let (_, listed) = admin(&by_http, "GET", "/__admin/accounts", Value::Null).await;
    assert_eq!(listed, serde_json::to_value(by_handle.accounts()).unwrap());
    let changed = by_handle
        .change_key(
            &by_handle.keys()[0].api_key,
            KeyChange {
                label: Some("renamed".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(changed.label, "renamed");
}

#[tokio::test]
async fn state_exported_from_one_server_restores_another() {
    let first = spawn_app().await;
    let trader = Trader::live(&first);
    trader.order(json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "ordType": "market", "sz": "2"})).await;
    let resting = trader.order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "0.1", "px": "92000"})).await;
    let ord_id = resting.data()[0]["ordId"].as_str().unwrap().to_owned();
    first.set_price("ETH-USDT", "3111").unwrap();
    first
        .create_key(NewKey {
            label: Some("extra".into()),
            ..Default::default()
        })
        .unwrap();
    let (status, exported) = admin(&first, "GET", "/__admin/state", Value::Null).await;
    assert_eq!(status, 200);
    assert_eq!(exported, first.export_state());

    let second = MockOkx::builder()
        .rate_limits(crate::helpers::NO_LIMITS)
        .clock(okx_mock::Clock::frozen_at(NOW + 999_000))
        .start()
        .await
        .unwrap();
    let (status, _) = admin(&second, "PUT", "/__admin/state", exported).await;
    assert_eq!(status, 200);
    assert_eq!(second.clock().now_ms(), NOW);
    assert_eq!(second.accounts(), first.accounts());
    assert_eq!(second.keys(), first.keys());
    assert_eq!(second.prices(), first.prices());
    let moved = Trader::live(&second);
    let order = moved
        .get(&format!(
            "/api/v5/trade/order?instId=BTC-USDT&ordId={ord_id}"
        ))
        .await;
    assert_eq!(order.data()[0]["state"], "live");
    assert_eq!(
        moved.get("/api/v5/account/positions").await.data()[0]["pos"],
        "2"
    );
    assert_eq!(d(&moved.balance("USDT").await["ordFrozen"]), dec!(9200));
    let next = moved.order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "0.01", "px": "90000"})).await;
    assert!(
        next.data()[0]["ordId"].as_str().unwrap() > ord_id.as_str(),
        "ids continue after the imported ones"
    );
    let (status, refused) =
        admin(&second, "PUT", "/__admin/state", json!({"okxMockState": 9})).await;
    assert_eq!((status, refused["error"].as_str().is_some()), (400, true));
}

#[tokio::test]
async fn a_test_sets_up_trades_expires_a_key_and_reads_the_journal_with_no_file() {
    // Set up an account: credit it and make it a Futures-mode account.
    let server = MockOkx::builder()
        .rate_limits(crate::helpers::NO_LIMITS)
        .clock(okx_mock::Clock::frozen_at(NOW))
        .start()
        .await
        .unwrap();
    server
        .adjust_balance(Env::Live, "main", "USDT", "5000")
        .unwrap();
    // Move the price through a resting limit order.
    let bot = Trader::live(&server);
    let placed = bot.order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "0.01", "px": "94000", "clOrdId": "dip1"})).await;
    assert_eq!(placed.code(), "0");
    server.set_price("BTC-USDT", "93500").unwrap();
    server.clock().advance(60_000);
    let order = bot
        .get("/api/v5/trade/order?instId=BTC-USDT&clOrdId=dip1")
        .await;
    assert_eq!(order.data()[0]["state"], "filled");
    // Advance the clock past the key's expiry: 14 idle days.
    server.clock().advance(okx_mock::IDLE_KEY_LIFETIME_MS);
    let refused = bot.get("/api/v5/account/balance").await;
    assert_eq!(refused.json["code"], "50119");
    // The journal says exactly what the bot sent, and why the last call failed.
    let sent: Vec<(String, String, String)> = server
        .received_requests(&okx_mock::JournalFilter::default())
        .into_iter()
        .map(|e| (e.method, e.path, e.code))
        .collect();
    assert_eq!(
        sent,
        [
            (
                "POST".to_owned(),
                "/api/v5/trade/order".to_owned(),
                "0".to_owned()
            ),
            (
                "GET".to_owned(),
                "/api/v5/trade/order".to_owned(),
                "0".to_owned()
            ),
            (
                "GET".to_owned(),
                "/api/v5/account/balance".to_owned(),
                "50119".to_owned()
            ),
        ]
    );
    let last = server.received_requests(&okx_mock::JournalFilter {
        code: Some("50119".into()),
        ..Default::default()
    });
    assert!(
        last[0]
            .explanation
            .as_deref()
            .unwrap()
            .contains("last used at")
    );
}
