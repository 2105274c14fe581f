//! The WebSocket API over TLS, on the combined URL, in the journal, and the
//! order of a push and its REST answer under scripted faults.

use std::sync::Arc;

use futures_util::StreamExt;

use okx_mock::{Clock, Env, JournalFilter, MockOkx};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use super::Ws;
use crate::helpers::{NO_LIMITS, NOW, Trader, get, spawn_app};

/// A TLS client that trusts only the server's own certificate.
async fn tls_connect(server: &MockOkx) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let pem = server.tls_cert_pem().expect("TLS is on");
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let port = server.wss_uri().unwrap();
    let port: u16 = port
        .trim_start_matches("wss://localhost:")
        .trim_end_matches("/ws/v5")
        .parse()
        .unwrap();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("the certificate it serves is the one it gives out")
}

#[tokio::test]
async fn the_tls_listener_serves_https_and_wss_with_the_certificate_it_gives_out() {
    let server = MockOkx::builder()
        .rate_limits(NO_LIMITS)
        .clock(Clock::frozen_at(NOW))
        .tls_port(0)
        .start()
        .await
        .unwrap();
    let admin = get(&server, "/__admin/tls/cert").await;
    assert_eq!(admin.status, 200);
    assert_eq!(Some(admin.body), server.tls_cert_pem());

    let mut https = tls_connect(&server).await;
    https
        .write_all(
            b"GET /api/v5/public/time HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        )
        .await
        .unwrap();
    let mut answer = String::new();
    https.read_to_string(&mut answer).await.unwrap_or_default();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with(&format!(
        r#"{{"code":"0","data":[{{"ts":"{NOW}"}}],"msg":""}}"#
    )));

    let url = format!("{}/public", server.wss_uri().unwrap());
    let (socket, _) = tokio_tungstenite::client_async(url, tls_connect(&server).await)
        .await
        .expect("the WebSocket handshake succeeds over TLS");
    let mut wss = Ws::over(socket);
    wss.send_text("ping").await;
    assert_eq!(wss.text().await, "pong");
    wss.send(json!({"op": "subscribe", "args": [{"channel": "tickers", "instId": "BTC-USDT"}]}))
        .await;
    let push = wss.push("tickers").await;
    let rest = get(&server, "/api/v5/market/ticker?instId=BTC-USDT").await;
    assert_eq!(push["data"][0], rest.data()[0]);
}

#[tokio::test]
async fn without_tls_the_certificate_endpoint_says_so() {
    let server = spawn_app().await;
    assert_eq!(server.wss_uri(), None);
    let reply = get(&server, "/__admin/tls/cert").await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.json,
        json!({"error": "TLS is off (start with --tls-port)"})
    );
}

#[tokio::test]
async fn the_combined_url_serves_every_channel_login_and_operation_on_one_connection() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let mut ws = Ws::open_url(&server.ws_uri()).await;
    assert_eq!(ws.login(&trader.creds, NOW).await["code"], "0");
    for arg in [
        json!({"channel": "orders", "instType": "ANY"}),
        json!({"channel": "candle1m", "instId": "BTC-USDT"}),
        json!({"channel": "tickers", "instId": "BTC-USDT"}),
    ] {
        ws.send(json!({"op": "subscribe", "args": [arg.clone()]}))
            .await;
        let ack = ws.until(|m| m["event"] == "subscribe").await;
        assert_eq!(
            (ack["event"].as_str(), &ack["arg"]),
            (Some("subscribe"), &arg)
        );
    }
    ws.send(json!({"id": "7", "op": "order", "args": [{"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "px": "90000", "sz": "0.01"}]}))
        .await;
    let reply = ws.until(|m| m["id"] == "7").await;
    assert_eq!(
        (reply["code"].as_str(), reply["data"][0]["sCode"].as_str()),
        (Some("0"), Some("0"))
    );
    let push = ws.push("orders").await;
    assert_eq!(push["data"][0]["ordId"], reply["data"][0]["ordId"]);
}

#[tokio::test]
async fn websocket_requests_are_journaled_with_the_code_answered() {
    let server = spawn_app().await;
    let creds = server.credentials(Env::Live);
    let mut ws = Ws::open(&server, "private").await;
    ws.send(json!({"op": "login", "args": [{"apiKey": creds.api_key, "passphrase": "wrong", "timestamp": (NOW / 1000).to_string(), "sign": "x"}]}))
        .await;
    ws.json().await;
    ws.login(&creds, NOW).await;
    ws.subscribe(json!({"channel": "account"})).await;
    ws.send(
        json!({"id": "9", "op": "cancel-order", "args": [{"instIdCode": 10000001, "ordId": "1"}]}),
    )
    .await;
    ws.until(|m| m["id"] == "9").await;
    let filter = JournalFilter {
        method: Some("WS".into()),
        ..JournalFilter::default()
    };
    let seen: Vec<(String, String, Option<String>, Option<String>)> = server
        .received_requests(&filter)
        .into_iter()
        .map(|e| (e.path, e.code, e.inst_id, e.account))
        .collect();
    let live = Some("live/main".to_owned());
    assert_eq!(
        seen,
        [
            ("/ws/v5/private/login".into(), "60024".into(), None, None),
            (
                "/ws/v5/private/login".into(),
                "0".into(),
                None,
                live.clone()
            ),
            (
                "/ws/v5/private/subscribe".into(),
                "0".into(),
                None,
                live.clone()
            ),
            (
                "/ws/v5/private/cancel-order".into(),
                "1".into(),
                Some("BTC-USDT".into()),
                live
            ),
        ]
    );
}

/// A REST order whose answer races the WebSocket push of the same order.
async fn race_push_and_answer(fault: &str) -> (&'static str, Value, Value) {
    let server = spawn_app().await;
    server.load_scenario(fault).unwrap();
    let trader = Trader::live(&server);
    let mut ws = Ws::open(&server, "private").await;
    ws.login(&trader.creds, NOW).await;
    ws.subscribe(json!({"channel": "orders", "instType": "ANY"}))
        .await;
    let rest = trader.order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "px": "90000", "sz": "0.01"}));
    tokio::pin!(rest);
    tokio::select! {
        push = ws.push("orders") => ("push first", push, rest.await.json),
        answer = &mut rest => ("answer first", ws.push("orders").await, answer.json),
    }
}

#[tokio::test]
async fn a_late_rest_answer_lets_the_order_push_arrive_first() {
    let (first, push, answer) = race_push_and_answer(
        r#"
[[faults]]
name = "late-answer"
method = "POST"
path = "/api/v5/trade/order"
action = "delay"
delayMs = 500
afterWork = true
"#,
    )
    .await;
    assert_eq!(first, "push first");
    assert_eq!(push["data"][0]["ordId"], answer["data"][0]["ordId"]);
    assert_eq!(push["data"][0]["state"], "live");
}

#[tokio::test]
async fn a_late_push_arrives_after_the_rest_answer() {
    let (first, push, answer) = race_push_and_answer(
        r#"
[[faults]]
name = "late-push"
method = "PUSH"
path = "/ws/v5/private/orders"
action = "delay"
delayMs = 500
"#,
    )
    .await;
    assert_eq!(first, "answer first");
    assert_eq!(push["data"][0]["ordId"], answer["data"][0]["ordId"]);
}

#[tokio::test]
async fn the_shipped_stream_break_loses_one_update_then_drops_the_connection() {
    let server = MockOkx::builder()
        .rate_limits(NO_LIMITS)
        .clock(Clock::frozen_at(NOW))
        .scenario_file(format!(
            "{}/scenarios/ws-stream-breaks.toml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .start()
        .await
        .unwrap();
    let trader = Trader::live(&server);
    let mut ws = Ws::open(&server, "private").await;
    ws.login(&trader.creds, NOW).await;
    ws.subscribe(json!({"channel": "orders", "instType": "ANY"}))
        .await;
    let mut seen = Vec::new();
    for i in 1..=3 {
        trader.order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "px": "90000", "sz": "0.01", "clOrdId": format!("o{i}")})).await;
    }
    for _ in 0..2 {
        seen.push(ws.push("orders").await["data"][0]["clOrdId"].clone());
    }
    assert_eq!(seen, [json!("o1"), json!("o3")], "o2's update was lost");
    trader.order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "px": "90000", "sz": "0.01", "clOrdId": "o4"})).await;
    assert_eq!(
        ws.closed_with().await,
        None,
        "dropped without a close frame"
    );
    let pending = trader
        .get("/api/v5/trade/orders-pending?instId=BTC-USDT")
        .await;
    assert_eq!(pending.data().len(), 4, "REST still shows every order");
}

#[tokio::test]
async fn websocket_orders_share_the_rest_order_limit_of_their_instrument() {
    let server = MockOkx::builder()
        .clock(Clock::frozen_at(NOW)) // every request in one 2 s window
        .start()
        .await
        .unwrap();
    let trader = Trader::live(&server);
    let order = json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "px": "90000", "sz": "0.001"});
    for _ in 0..59 {
        assert_eq!(trader.order(order.clone()).await.code(), "0");
    }
    let mut ws = Ws::open(&server, "private").await;
    ws.login(&trader.creds, NOW).await;
    for (id, code, s_code, s_msg) in [
        ("60", "0", "0", "Order successfully placed."),
        ("61", "1", "50011", "Too Many Requests"),
    ] {
        ws.send(json!({"id": id, "op": "order", "args": [order]}))
            .await;
        let reply = ws.until(|m| m["id"] == id).await;
        let item = &reply["data"][0];
        assert_eq!(
            (
                reply["code"].as_str(),
                item["sCode"].as_str(),
                item["sMsg"].as_str()
            ),
            (Some(code), Some(s_code), Some(s_msg)),
            "{reply}"
        );
    }
    let rest = trader.order(order.clone()).await;
    assert_eq!((rest.status, rest.code()), (429, "50011"));
    let mut other = order.clone();
    other["instId"] = json!("ETH-USDT");
    other["px"] = json!("3000");
    ws.send(json!({"id": "62", "op": "order", "args": [other]}))
        .await;
    assert_eq!(ws.until(|m| m["id"] == "62").await["code"], "0");
}

#[tokio::test]
async fn capped_private_channels_report_how_many_connections_use_them() {
    let server = spawn_app().await;
    let creds = server.credentials(Env::Live);
    let orders = json!({"channel": "orders", "instType": "ANY"});
    let mut first = Ws::open(&server, "private").await;
    first.login(&creds, NOW).await;
    first.subscribe(orders.clone()).await;
    let count = first.until(|m| m["event"] == "channel-conn-count").await;
    assert_eq!(
        (count["channel"].as_str(), count["connCount"].as_str()),
        (Some("orders"), Some("1"))
    );
    assert_eq!(count["connId"].as_str().map(str::len), Some(8));

    let mut second = Ws::open(&server, "private").await;
    second.login(&creds, NOW).await;
    second.subscribe(orders.clone()).await;
    let count = second.until(|m| m["event"] == "channel-conn-count").await;
    assert_eq!(count["connCount"], "2");

    // A closed connection no longer counts (the server forgets it before it
    // answers the close).
    first.socket.close(None).await.unwrap();
    while let Some(Ok(frame)) = first.socket.next().await {
        if frame.is_close() {
            break;
        }
    }
    second
        .send(json!({"op": "unsubscribe", "args": [orders.clone()]}))
        .await;
    second.until(|m| m["event"] == "unsubscribe").await;
    let mut third = Ws::open(&server, "private").await;
    third.login(&creds, NOW).await;
    third.subscribe(orders).await;
    let count = third.until(|m| m["event"] == "channel-conn-count").await;
    assert_eq!(count["connCount"], "1");
}
