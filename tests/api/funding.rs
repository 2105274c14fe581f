//! Funding account, withdrawals and the address book; key lifecycle; regional sites.

use okx_mock::{AddressView, Env, NewDeposit, NewKey};
use rust_decimal_macros::dec;
use serde_json::{Value, json};

use crate::helpers::{NOW, Trader, d, send, spawn_app};

const TRC20: &str = "TXLAQ63Xg1NAzckPwKHvzw7CSEmLMEqcdj";
const BTC_ADDR: &str = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";

fn withdrawal(ccy: &str, amt: &str, to: &str) -> Value {
    json!({"ccy": ccy, "amt": amt, "dest": "4", "toAddr": to, "fee": "1.5", "chain": format!("{ccy}-TRC20")})
}

#[tokio::test]
async fn the_funding_account_lists_what_it_holds_and_transfers_both_ways() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let balances = trader.get("/api/v5/asset/balances").await;
    let rows: Vec<(String, String)> = balances
        .data()
        .iter()
        .map(|b| {
            (
                b["ccy"].as_str().unwrap().into(),
                b["availBal"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("BTC".to_owned(), "0.5".to_owned()),
            ("USDT".to_owned(), "5000".to_owned())
        ]
    );
    let moved = trader
        .post(
            "/api/v5/asset/transfer",
            json!({"ccy": "USDT", "amt": "1000", "from": "6", "to": "18", "clientId": "t1"}),
        )
        .await;
    assert_eq!(
        (moved.code(), moved.data()[0]["amt"].as_str()),
        ("0", Some("1000"))
    );
    assert_eq!(d(&trader.balance("USDT").await["cashBal"]), dec!(101000));
    let state = trader.get("/api/v5/asset/transfer-state?clientId=t1").await;
    assert_eq!(state.data()[0]["state"], "success");
    let back = trader
        .post(
            "/api/v5/asset/transfer",
            json!({"ccy": "USDT", "amt": 2000, "from": "18", "to": "6", "loanTrans": false}),
        )
        .await;
    assert_eq!(back.code(), "0");
    assert_eq!(
        trader.get("/api/v5/asset/balances?ccy=USDT").await.data()[0]["availBal"],
        "6000"
    );
    let cases = [
        (
            json!({"ccy": "USDT", "amt": "0", "from": "6", "to": "18"}),
            400,
            r#"{"code":"58114","data":[],"msg":"Transfer amount must be greater than 0"}"#,
        ),
        (
            json!({"ccy": "USDT", "amt": "1", "from": "6", "to": "6"}),
            200,
            r#"{"code":"58123","data":[],"msg":"The From parameter cannot be the same as the To parameter."}"#,
        ),
        (
            json!({"ccy": "USDT", "amt": "999999", "from": "6", "to": "18"}),
            200,
            r#"{"code":"58116","data":[],"msg":"Transfer exceeds the available amount."}"#,
        ),
    ];
    for (body, status, expected) in cases {
        let reply = trader.post("/api/v5/asset/transfer", body).await;
        assert_eq!((reply.status, reply.body.as_str()), (status, expected));
    }
}

#[tokio::test]
async fn withdrawals_go_only_to_verified_addresses_and_move_through_their_states() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let unverified = trader
        .post(
            "/api/v5/asset/withdrawal",
            json!({"ccy": "BTC", "amt": "0.01", "dest": "4", "toAddr": BTC_ADDR}),
        )
        .await;
    assert_eq!(
        unverified.body,
        r#"{"code":"58207","data":[],"msg":"Withdrawal address isn't on the verified address list. (The format for withdrawal addresses with a label is “address:label”.)"}"#
    );
    let no_book = trader
        .post(
            "/api/v5/asset/withdrawal",
            json!({"ccy": "ETH", "amt": "1", "dest": "4", "toAddr": "0xabc"}),
        )
        .await;
    assert_eq!(no_book.json["code"], "58203");
    let elsewhere = trader
        .post(
            "/api/v5/asset/withdrawal",
            withdrawal("USDT", "100", "TSomewhereElse"),
        )
        .await;
    assert_eq!(elsewhere.json["code"], "58207");
    assert_eq!(
        trader
            .post(
                "/api/v5/asset/withdrawal",
                withdrawal("USDT", "0.05", TRC20)
            )
            .await
            .json["code"],
        "58206"
    );
    assert_eq!(
        trader
            .post(
                "/api/v5/asset/withdrawal",
                withdrawal("USDT", "4999", TRC20)
            )
            .await
            .json["code"],
        "58350",
        "amount plus the 1.5 fee"
    );

    let done = trader.post("/api/v5/asset/withdrawal", json!({"ccy": "USDT", "amt": "100", "dest": "4", "toAddr": TRC20, "chain": "USDT-TRC20", "clientId": "w1"})).await;
    assert_eq!(done.code(), "0", "{}", done.body);
    let wd_id = done.data()[0]["wdId"].as_str().unwrap().to_owned();
    let funding = trader.get("/api/v5/asset/balances?ccy=USDT").await.data()[0].clone();
    assert_eq!(
        (funding["availBal"].as_str(), funding["frozenBal"].as_str()),
        (Some("4898.5"), Some("101.5"))
    );
    let path = format!("/api/v5/asset/withdrawal-history?wdId={wd_id}");
    let first = trader.get(&path).await.data()[0].clone();
    assert_eq!(
        (
            first["state"].as_str(),
            first["fee"].as_str(),
            first["txId"].as_str()
        ),
        (Some("0"), Some("1.5"), Some(""))
    );
    server.clock().advance(60_000);
    let broadcasting = trader.get(&path).await.data()[0].clone();
    assert_eq!(broadcasting["state"], "1");
    assert!(broadcasting["txId"].as_str().unwrap().starts_with("0x"));
    let late = trader
        .post("/api/v5/asset/cancel-withdrawal", json!({"wdId": wd_id}))
        .await;
    assert_eq!(
        late.body,
        r#"{"code":"58216","data":[],"msg":"Operation not allowed."}"#
    );
    server.clock().advance(60_000);
    assert_eq!(trader.get(&path).await.data()[0]["state"], "2");
    let funding = trader.get("/api/v5/asset/balances?ccy=USDT").await.data()[0].clone();
    assert_eq!(
        (funding["bal"].as_str(), funding["frozenBal"].as_str()),
        (Some("4898.5"), Some("0"))
    );
}

#[tokio::test]
async fn a_waiting_withdrawal_can_be_canceled_once() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let wd = trader
        .post("/api/v5/asset/withdrawal", withdrawal("USDT", "50", TRC20))
        .await
        .data()[0]["wdId"]
        .clone();
    let cancel = trader
        .post("/api/v5/asset/cancel-withdrawal", json!({"wdId": wd}))
        .await;
    assert_eq!(
        cancel.body,
        format!(r#"{{"code":"0","data":[{{"wdId":{wd}}}],"msg":""}}"#)
    );
    assert_eq!(
        trader.get("/api/v5/asset/balances?ccy=USDT").await.data()[0]["availBal"],
        "5000"
    );
    assert_eq!(
        trader
            .post("/api/v5/asset/cancel-withdrawal", json!({"wdId": wd}))
            .await
            .json["code"],
        "58220"
    );
    let next = trader
        .post("/api/v5/asset/withdrawal", withdrawal("USDT", "50", TRC20))
        .await
        .data()[0]["wdId"]
        .clone();
    let as_number = |id: &Value| id.as_str().unwrap().parse::<u64>().unwrap();
    assert_eq!(as_number(&next), as_number(&wd) + 1, "wdIds are sequential");
    assert_eq!(
        trader
            .post("/api/v5/asset/withdrawal", withdrawal("USDT", "0", TRC20))
            .await
            .body,
        r#"{"code":"51000","data":[],"msg":"Parameter amt error"}"#
    );
    assert_eq!(
        trader
            .post("/api/v5/asset/cancel-withdrawal", json!({"wdId": "12345"}))
            .await
            .json["code"],
        "58215"
    );
}

#[tokio::test]
async fn withdrawing_needs_the_withdraw_permission_and_live_trading() {
    let server = spawn_app().await;
    let demo = Trader::demo(&server);
    let reply = demo
        .post("/api/v5/asset/withdrawal", withdrawal("USDT", "50", TRC20))
        .await;
    assert_eq!(
        reply.json["code"], "50120",
        "the demo key has no withdraw permission"
    );
    let key = server
        .create_key(NewKey {
            env: Some("demo".into()),
            perms: Some(vec!["read_only".into(), "withdraw".into()]),
            ..Default::default()
        })
        .unwrap();
    let creds = okx_mock::Credentials {
        api_key: key.api_key,
        secret_key: key.secret_key,
        passphrase: key.passphrase,
    };
    let withdrawer = Trader {
        server: &server,
        creds,
        demo: true,
    };
    let reply = withdrawer
        .post("/api/v5/asset/withdrawal", withdrawal("USDT", "50", TRC20))
        .await;
    assert_eq!(
        reply.body,
        r#"{"code":"50038","data":[],"msg":"This feature is unavailable in demo trading"}"#
    );
}

#[tokio::test]
async fn deposits_and_the_address_book_are_set_through_the_control_api() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let address = trader.get("/api/v5/asset/deposit-address?ccy=USDT").await;
    let chains: Vec<&str> = address
        .data()
        .iter()
        .map(|a| a["chain"].as_str().unwrap())
        .collect();
    assert_eq!(chains, ["USDT-TRC20", "USDT-ERC20"]);
    assert_eq!(address.data()[0]["selected"], true);
    server
        .deposit(
            Env::Live,
            "main",
            NewDeposit {
                ccy: "ETH".into(),
                amt: "3".into(),
                confirm_ms: 600_000,
                ..Default::default()
            },
        )
        .unwrap();
    let pending = trader
        .get("/api/v5/asset/deposit-history?ccy=ETH")
        .await
        .data()[0]
        .clone();
    assert_eq!(
        (pending["state"].as_str(), pending["amt"].as_str()),
        (Some("0"), Some("3"))
    );
    server.clock().advance(600_000);
    assert_eq!(
        trader
            .get("/api/v5/asset/deposit-history?ccy=ETH")
            .await
            .data()[0]["state"],
        "2"
    );
    assert_eq!(
        trader.get("/api/v5/asset/balances?ccy=ETH").await.data()[0]["availBal"],
        "3"
    );

    let (status, book) = {
        let reply = send(
            &server,
            "POST",
            "/__admin/accounts/live/main/addresses",
            &[],
            &json!({"ccy": "ETH", "chain": "ETH-ERC20", "addr": "0xfeed", "verified": true})
                .to_string(),
        )
        .await;
        (reply.status, reply.json)
    };
    assert_eq!((status, book.as_array().unwrap().len()), (200, 3));
    let reply = trader
        .post(
            "/api/v5/asset/withdrawal",
            json!({"ccy": "ETH", "amt": "1", "dest": "4", "toAddr": "0xfeed"}),
        )
        .await;
    assert_eq!(reply.code(), "0", "{}", reply.body);
    server.remove_address(Env::Live, "main", "0xfeed").unwrap();
    let book = server.address_book(Env::Live, "main").unwrap();
    assert_eq!(book.len(), 2);
    let added = server.add_address(
        Env::Live,
        "main",
        AddressView {
            ccy: "NOPE".into(),
            chain: "NOPE-X".into(),
            addr: "x".into(),
            verified: true,
        },
    );
    assert!(added.is_err());
}

#[tokio::test]
async fn an_idle_trading_key_is_deleted_after_fourteen_days() {
    let server = spawn_app().await;
    let live = Trader::live(&server);
    let key = server
        .keys()
        .into_iter()
        .find(|k| k.label == "live-main")
        .unwrap();
    assert_eq!(
        (key.last_used, key.expires_at),
        (NOW, Some(NOW + 14 * 86_400_000))
    );
    server.clock().advance(13 * 86_400_000);
    assert_eq!(
        live.get("/api/v5/account/balance").await.code(),
        "0",
        "used on day 13: the countdown restarts"
    );
    let renewed = server
        .keys()
        .into_iter()
        .find(|k| k.label == "live-main")
        .unwrap();
    assert_eq!(renewed.expires_at, Some(NOW + 27 * 86_400_000));
    server.clock().advance(14 * 86_400_000);
    let gone = live.get("/api/v5/account/balance").await;
    assert_eq!(
        (gone.status, gone.body.as_str()),
        (401, r#"{"msg":"API key doesn't exist","code":"50119"}"#)
    );
    assert!(
        server.keys().iter().all(|k| k.label != "live-main"),
        "deleted for good"
    );
    let entry = server.received_requests(&okx_mock::JournalFilter {
        code: Some("50119".into()),
        ..Default::default()
    });
    assert!(
        entry[0]
            .explanation
            .as_deref()
            .unwrap()
            .contains("more than 14 days ago")
    );
    // The demo key never expires.
    assert_eq!(
        Trader::demo(&server)
            .get("/api/v5/account/balance")
            .await
            .code(),
        "0"
    );
}

#[tokio::test]
async fn a_key_used_on_another_regional_site_does_not_exist_there() {
    let server = spawn_app().await;
    let eea = server
        .create_key(NewKey {
            region: Some("my".into()),
            perms: Some(vec!["read_only".into()]),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(eea.region, "eea");
    let creds = okx_mock::Credentials {
        api_key: eea.api_key,
        secret_key: eea.secret_key,
        passphrase: eea.passphrase,
    };
    let trader = Trader {
        server: &server,
        creds,
        demo: false,
    };
    let on_www = trader.get("/api/v5/account/balance").await;
    assert_eq!(
        (on_www.status, on_www.json["code"].as_str()),
        (401, Some("50119"))
    );
    let ts = crate::helpers::iso(NOW);
    let sign = okx_mock::sign(
        &trader.creds.secret_key,
        &okx_mock::prehash(&ts, "GET", "/api/v5/account/balance", b""),
    );
    let headers = |region: (&'static str, &str)| {
        vec![
            ("OK-ACCESS-KEY", trader.creds.api_key.clone()),
            ("OK-ACCESS-SIGN", sign.clone()),
            ("OK-ACCESS-TIMESTAMP", ts.clone()),
            ("OK-ACCESS-PASSPHRASE", trader.creds.passphrase.clone()),
            (region.0, region.1.to_owned()),
        ]
    };
    let by_header = send(
        &server,
        "GET",
        "/api/v5/account/balance",
        &headers(("x-okx-mock-region", "eea")),
        "",
    )
    .await;
    assert_eq!(by_header.json["code"], "0");
    let by_host = send(
        &server,
        "GET",
        "/api/v5/account/balance",
        &headers(("Host", "my.localhost")),
        "",
    )
    .await;
    assert_eq!(by_host.json["code"], "0");
}

#[tokio::test]
async fn a_world_can_map_its_own_host_names_to_sites() {
    let server =
        crate::helpers::spawn_world_plus("[regions]\nhosts = { \"eu-mock\" = \"eea\" }\n").await;
    let key = server
        .create_key(NewKey {
            region: Some("eea".into()),
            ..Default::default()
        })
        .unwrap();
    let ts = crate::helpers::iso(NOW);
    let sign = okx_mock::sign(
        &key.secret_key,
        &okx_mock::prehash(&ts, "GET", "/api/v5/account/config", b""),
    );
    let headers = vec![
        ("OK-ACCESS-KEY", key.api_key.clone()),
        ("OK-ACCESS-SIGN", sign),
        ("OK-ACCESS-TIMESTAMP", ts),
        ("OK-ACCESS-PASSPHRASE", key.passphrase.clone()),
        ("Host", "eu-mock.test".to_owned()),
    ];
    assert_eq!(
        send(&server, "GET", "/api/v5/account/config", &headers, "")
            .await
            .json["code"],
        "0"
    );
}
