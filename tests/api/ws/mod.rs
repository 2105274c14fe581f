//! The WebSocket API: connection rules, login, public channels and their
//! consistency with REST, private channels following REST orders, trading
//! operations, and scripted faults.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use okx_mock::{Clock, Credentials, Env, MockOkx, prehash, sign};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::helpers::{NO_LIMITS, NOW, Trader, get, spawn_app};

mod more;

/// Longest wait for a frame the server owes (it pushes every 100 ms).
const WAIT: Duration = Duration::from_secs(5);

/// A WebSocket client over plain TCP, or over any stream (TLS).
pub struct Ws<S = MaybeTlsStream<TcpStream>> {
    pub socket: WebSocketStream<S>,
}

impl Ws {
    pub async fn open(server: &MockOkx, endpoint: &str) -> Self {
        Self::open_url(&format!("{}/{endpoint}?brokerId=9999", server.ws_uri())).await
    }

    pub async fn open_url(url: &str) -> Self {
        let (socket, _) = connect_async(url).await.expect("the handshake succeeds");
        Self { socket }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Ws<S> {
    pub fn over(socket: WebSocketStream<S>) -> Self {
        Self { socket }
    }

    pub async fn send(&mut self, value: Value) {
        self.send_text(&value.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.socket
            .send(Message::Text(text.into()))
            .await
            .expect("the socket is open");
    }

    /// The next text frame, as text.
    pub async fn text(&mut self) -> String {
        loop {
            let frame = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("a frame within the wait")
                .expect("the connection is open")
                .expect("a valid frame");
            match frame {
                Message::Text(text) => return text.to_string(),
                Message::Close(frame) => panic!("closed: {frame:?}"),
                _ => {}
            }
        }
    }

    /// The next JSON message.
    pub async fn json(&mut self) -> Value {
        let text = self.text().await;
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
    }

    /// The next message that `pick` accepts (others are skipped).
    pub async fn until(&mut self, pick: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = self.json().await;
            if pick(&message) {
                return message;
            }
        }
    }

    /// The next push on `channel`.
    pub async fn push(&mut self, channel: &str) -> Value {
        self.until(|m| m["arg"]["channel"] == channel && m.get("data").is_some())
            .await
    }

    /// The close frame's code, skipping other frames.
    pub async fn closed_with(&mut self) -> Option<u16> {
        loop {
            match tokio::time::timeout(WAIT, self.socket.next()).await {
                Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
                Ok(Some(Ok(_))) => {}
                Ok(Some(Err(_)) | None) => return None,
                Err(_) => panic!("the connection stayed open"),
            }
        }
    }

    pub async fn login(&mut self, creds: &Credentials, now_ms: i64) -> Value {
        let ts = (now_ms / 1000).to_string();
        let signature = sign(
            &creds.secret_key,
            &prehash(&ts, "GET", "/users/self/verify", b""),
        );
        self.send(json!({"op": "login", "args": [{"apiKey": creds.api_key, "passphrase": creds.passphrase, "timestamp": ts, "sign": signature}]}))
            .await;
        self.json().await
    }

    pub async fn subscribe(&mut self, arg: Value) -> Value {
        self.send(json!({"op": "subscribe", "args": [arg]})).await;
        self.json().await
    }
}

#[tokio::test]
async fn text_ping_gets_pong_and_the_query_string_is_ignored() {
    let server = spawn_app().await;
    let mut ws = Ws::open(&server, "public").await;
    ws.send_text("ping").await;
    assert_eq!(ws.text().await, "pong");
}

#[tokio::test]
async fn protocol_pings_get_pongs_and_a_close_gets_a_close_back() {
    let server = spawn_app().await;
    let mut ws = Ws::open(&server, "public").await;
    ws.socket
        .send(Message::Ping(b"hi".to_vec().into()))
        .await
        .unwrap();
    let pong = tokio::time::timeout(WAIT, ws.socket.next()).await.unwrap();
    assert_eq!(pong.unwrap().unwrap(), Message::Pong(b"hi".to_vec().into()));
    ws.socket.close(None).await.unwrap();
    let reply = tokio::time::timeout(WAIT, ws.socket.next()).await.unwrap();
    assert!(
        matches!(reply, Some(Ok(Message::Close(_)))),
        "the server answers the close: {reply:?}"
    );
}

#[tokio::test]
async fn a_ticker_subscription_is_acked_then_pushes_what_rest_shows() {
    let server = spawn_app().await;
    let mut ws = Ws::open(&server, "public").await;
    let arg = json!({"channel": "tickers", "instId": "BTC-USDT"});
    let ack = ws.subscribe(arg.clone()).await;
    assert_eq!(ack["event"], "subscribe");
    assert_eq!(ack["arg"], arg);
    assert_eq!(ack["connId"].as_str().unwrap().len(), 8);
    let push = ws.push("tickers").await;
    let rest = get(&server, "/api/v5/market/ticker?instId=BTC-USDT").await;
    assert_eq!(push["data"][0], rest.data()[0]);
}

#[tokio::test]
async fn wrong_channels_and_urls_get_okx_s_error_events() {
    let server = spawn_app().await;
    let mut public = Ws::open(&server, "public").await;
    let cases = [
        (
            json!({"channel": "candle1m", "instId": "BTC-USDT"}),
            "64001",
        ),
        (json!({"channel": "tickers", "instId": "BTC-XXX"}), "60018"),
        (json!({"channel": "nope", "instId": "BTC-USDT"}), "60018"),
        (json!({"channel": "tickers"}), "60027"),
        (json!({"channel": "tickers", "uly": "BTC-USDT"}), "64000"),
        (json!({"channel": "orders", "instType": "ANY"}), "60008"),
    ];
    for (arg, code) in cases {
        let reply = public.subscribe(arg.clone()).await;
        assert_eq!(reply["event"], "error", "{arg}");
        assert_eq!(reply["code"], code, "{arg}: {reply}");
    }
    let reply = public
        .subscribe(json!({"channel": "tickers", "instId": "BTC-XXX"}))
        .await;
    assert_eq!(
        reply["msg"],
        "Wrong URL or channel:tickers,instId:BTC-XXX doesn't exist. Please use the correct URL, channel and parameters referring to API document."
    );
    public.send_text("{not json").await;
    let reply = public.json().await;
    assert_eq!(reply["code"], "60012");
    assert_eq!(reply["msg"], "Invalid request: {not json");

    let mut business = Ws::open(&server, "business").await;
    let reply = business
        .subscribe(json!({"channel": "tickers", "instId": "BTC-USDT"}))
        .await;
    assert_eq!(reply["code"], "64002");
    let mut private = Ws::open(&server, "private").await;
    private
        .send(json!({"id": "1", "op": "subscribe", "args": [{"channel": "orders", "instType": "ANY"}]}))
        .await;
    let reply = private.json().await;
    assert_eq!(
        (
            reply["event"].as_str(),
            reply["code"].as_str(),
            reply["msg"].as_str(),
            reply["id"].as_str()
        ),
        (
            Some("error"),
            Some("60011"),
            Some("Please log in"),
            Some("1")
        )
    );
}

#[tokio::test]
async fn login_checks_the_key_like_rest_with_websocket_codes() {
    let server = spawn_app().await;
    let creds = server.credentials(Env::Live);
    let mut ws = Ws::open(&server, "private").await;
    let cases = [
        (json!({"timestamp": (NOW / 1000 - 40).to_string()}), "60006"),
        (json!({"timestamp": "soon"}), "60004"),
        (json!({"passphrase": "wrong"}), "60024"),
        (json!({"sign": "AAAA"}), "60007"),
        (
            json!({"apiKey": "0c6e2f8a-0000-4000-8000-000000000000"}),
            "60032",
        ),
        (json!({"apiKey": "garbage"}), "60005"),
    ];
    let ts = (NOW / 1000).to_string();
    let good_sign = sign(
        &creds.secret_key,
        &prehash(&ts, "GET", "/users/self/verify", b""),
    );
    for (change, code) in cases {
        let mut arg = json!({"apiKey": creds.api_key, "passphrase": creds.passphrase, "timestamp": ts, "sign": good_sign});
        for (k, v) in change.as_object().unwrap() {
            arg[k] = v.clone();
        }
        ws.send(json!({"op": "login", "args": [arg]})).await;
        let reply = ws.json().await;
        assert_eq!(reply["event"], "error", "{change}");
        assert_eq!(reply["code"], code, "{change}: {reply}");
    }
    // python-okx sends the timestamp as a number.
    ws.send(json!({"op": "login", "args": [{"apiKey": creds.api_key, "passphrase": creds.passphrase, "timestamp": NOW / 1000, "sign": good_sign}]}))
        .await;
    let reply = ws.json().await;
    assert_eq!(
        (reply["event"].as_str(), reply["code"].as_str()),
        (Some("login"), Some("0"))
    );
    let again = ws.login(&creds, NOW).await;
    assert_eq!(again["code"], "60031");
}

#[tokio::test]
async fn a_rest_order_shows_up_on_the_orders_channel_with_the_same_ids() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let mut ws = Ws::open(&server, "private").await;
    assert_eq!(ws.login(&trader.creds, NOW).await["code"], "0");
    let ack = ws
        .subscribe(json!({"channel": "orders", "instType": "ANY"}))
        .await;
    assert_eq!(ack["event"], "subscribe");

    let placed = trader
        .order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "px": "90000", "sz": "0.01", "clOrdId": "ws1"}))
        .await;
    let ord_id = placed.data()[0]["ordId"].as_str().unwrap().to_owned();
    let push = ws.push("orders").await;
    assert!(push["arg"]["uid"].is_string());
    let order = &push["data"][0];
    assert_eq!(
        (
            order["ordId"].as_str(),
            order["clOrdId"].as_str(),
            order["state"].as_str()
        ),
        (Some(ord_id.as_str()), Some("ws1"), Some("live"))
    );
    let rest = trader
        .get(&format!(
            "/api/v5/trade/order?instId=BTC-USDT&ordId={ord_id}"
        ))
        .await;
    for field in ["px", "sz", "side", "ordType", "cTime", "tdMode"] {
        assert_eq!(order[field], rest.data()[0][field], "{field}");
    }

    trader
        .post(
            "/api/v5/trade/cancel-order",
            json!({"instId": "BTC-USDT", "ordId": ord_id}),
        )
        .await;
    let push = ws.push("orders").await;
    assert_eq!(push["data"][0]["state"], "canceled");
    assert_eq!(push["data"][0]["cancelSource"], "1");
}

#[tokio::test]
async fn a_fill_pushes_the_order_the_position_and_the_account() {
    let server = spawn_app().await;
    let trader = Trader::live(&server);
    let mut ws = Ws::open(&server, "private").await;
    ws.login(&trader.creds, NOW).await;
    for arg in [
        json!({"channel": "orders", "instType": "SWAP"}),
        json!({"channel": "positions", "instType": "ANY"}),
        json!({"channel": "account"}),
        json!({"channel": "balance_and_position"}),
    ] {
        let channel = arg["channel"].clone();
        ws.subscribe(arg).await;
        if channel != "orders" {
            let snapshot = ws.push(channel.as_str().unwrap()).await;
            if channel != "balance_and_position" {
                assert_eq!(snapshot["eventType"], "snapshot");
            }
        }
    }
    let placed = trader
        .order(json!({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "ordType": "market", "sz": "2"}))
        .await;
    assert_eq!(placed.code(), "0", "{}", placed.body);
    let ord_id = placed.data()[0]["ordId"].clone();
    let filled = ws
        .until(|m| m["arg"]["channel"] == "orders" && m["data"][0]["state"] == "filled")
        .await;
    let order = &filled["data"][0];
    assert_eq!(order["ordId"], ord_id);
    assert_eq!(order["execType"], "T");
    assert!(!order["tradeId"].as_str().unwrap().is_empty());
    let positions = ws.push("positions").await;
    assert_eq!(positions["eventType"], "event_update");
    assert_eq!(positions["data"][0]["instId"], "BTC-USDT-SWAP");
    assert_eq!(positions["data"][0]["pos"], "2");
    let account = ws.push("account").await;
    assert!(account["data"][0]["details"].is_array());
    let bp = ws.push("balance_and_position").await;
    assert_eq!(bp["data"][0]["eventType"], "filled");
    assert_eq!(bp["data"][0]["posData"][0]["pos"], "2");
    // The position names the last trade that moved it, on every door.
    let last_trade = order["tradeId"].clone();
    let rest = trader.get("/api/v5/account/positions").await;
    assert_eq!(rest.data()[0]["tradeId"], last_trade);
    assert_eq!(positions["data"][0]["tradeId"], last_trade);
    assert_eq!(bp["data"][0]["posData"][0]["tradeId"], last_trade);
}

#[tokio::test]
async fn the_books_channel_chains_updates_and_its_checksum_holds() {
    let server = spawn_app().await;
    let mut ws = Ws::open(&server, "public").await;
    ws.subscribe(json!({"channel": "books", "instId": "BTC-USDT"}))
        .await;
    let snapshot = ws.push("books").await;
    assert_eq!(snapshot["action"], "snapshot");
    let data = &snapshot["data"][0];
    assert_eq!(data["prevSeqId"], -1);
    let mut book = Book::from(data);
    assert_eq!(book.checksum(), data["checksum"].as_i64().unwrap() as i32);
    let mut seq = data["seqId"].as_i64().unwrap();

    // The book follows the tape, which prints a few times a minute.
    server.set_price("BTC-USDT", "95010.5").unwrap();
    server.clock().advance(120_000);
    let update = ws.push("books").await;
    assert_eq!(update["action"], "update");
    let data = &update["data"][0];
    assert_eq!(data["prevSeqId"].as_i64().unwrap(), seq);
    assert!(data["seqId"].as_i64().unwrap() > seq);
    seq = data["seqId"].as_i64().unwrap();
    book.apply(data);
    assert_eq!(book.checksum(), data["checksum"].as_i64().unwrap() as i32);
    let rest = get(&server, "/api/v5/market/books?instId=BTC-USDT&sz=400").await;
    assert_eq!(
        book.bids[0].0,
        rest.data()[0]["bids"][0][0].as_str().unwrap()
    );
    assert!(seq > 0);

    // A second later only the levels due for a refresh change (about 1/30).
    server.clock().advance(1_000);
    let update = ws.push("books").await;
    let data = &update["data"][0];
    assert_eq!(data["prevSeqId"].as_i64().unwrap(), seq);
    let changed = data["bids"].as_array().unwrap().len() + data["asks"].as_array().unwrap().len();
    assert!(
        (1..100).contains(&changed),
        "{changed} of 800 levels changed"
    );
    book.apply(data);
    assert_eq!(book.checksum(), data["checksum"].as_i64().unwrap() as i32);
}

/// A client-side book, merged the way OKX documents.
struct Book {
    bids: Vec<(String, String)>,
    asks: Vec<(String, String)>,
}

impl Book {
    fn side(levels: &Value) -> Vec<(String, String)> {
        levels
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l[0].as_str().unwrap().to_owned(),
                    l[1].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    fn from(data: &Value) -> Self {
        Self {
            bids: Self::side(&data["bids"]),
            asks: Self::side(&data["asks"]),
        }
    }

    fn apply(&mut self, data: &Value) {
        fn merge(
            side: &mut Vec<(String, String)>,
            changes: Vec<(String, String)>,
            descending: bool,
        ) {
            for (px, sz) in changes {
                side.retain(|(p, _)| p != &px);
                if sz != "0" {
                    side.push((px, sz));
                }
            }
            side.sort_by(|a, b| {
                let (x, y): (f64, f64) = (a.0.parse().unwrap(), b.0.parse().unwrap());
                if descending {
                    y.total_cmp(&x)
                } else {
                    x.total_cmp(&y)
                }
            });
        }
        merge(&mut self.bids, Self::side(&data["bids"]), true);
        merge(&mut self.asks, Self::side(&data["asks"]), false);
    }

    fn checksum(&self) -> i32 {
        let mut parts = Vec::new();
        for i in 0..25 {
            for side in [&self.bids, &self.asks] {
                if let Some((px, sz)) = side.get(i) {
                    parts.push(format!("{px}:{sz}"));
                }
            }
        }
        crc32(parts.join(":").as_bytes()) as i32
    }
}

/// CRC-32 (IEEE), written out so the test does not share the server's crate.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[tokio::test]
async fn websocket_orders_accept_inst_id_code_and_echo_the_id() {
    let server = spawn_app().await;
    let creds = server.credentials(Env::Live);
    let code = get(
        &server,
        "/api/v5/public/instruments?instType=SPOT&instId=BTC-USDT",
    )
    .await
    .data()[0]["instIdCode"]
        .clone();
    let mut ws = Ws::open(&server, "private").await;
    ws.send(json!({"id": "9", "op": "order", "args": [{"instIdCode": code, "tdMode": "cash", "side": "buy", "ordType": "limit", "px": "90000", "sz": "0.01"}]}))
        .await;
    let refused = ws.json().await;
    assert_eq!(
        (refused["id"].as_str(), refused["code"].as_str()),
        (Some("9"), Some("60011"))
    );

    ws.login(&creds, NOW).await;
    ws.subscribe(json!({"channel": "orders", "instType": "ANY"}))
        .await;
    ws.send(json!({"id": "10", "op": "batch-orders", "args": [{"instIdCode": code, "tdMode": "cash", "side": "buy", "ordType": "limit", "px": "90000", "sz": "0.01", "clOrdId": "c10"}]}))
        .await;
    let reply = ws.until(|m| m["id"] == "10").await;
    assert_eq!(reply["op"], "batch-orders");
    assert_eq!(reply["code"], "0", "{reply}");
    assert!(reply["inTime"].is_string() && reply["outTime"].is_string());
    let item = &reply["data"][0];
    assert_eq!(
        (
            item["sCode"].as_str(),
            item["sMsg"].as_str(),
            item["clOrdId"].as_str()
        ),
        (Some("0"), Some("Order successfully placed."), Some("c10"))
    );
    let ord_id = item["ordId"].clone();
    let push = ws.push("orders").await;
    assert_eq!(push["data"][0]["ordId"], ord_id);

    ws.send(
        json!({"id": "11", "op": "cancel-order", "args": [{"instIdCode": code, "ordId": ord_id}]}),
    )
    .await;
    let reply = ws.until(|m| m["id"] == "11").await;
    assert_eq!(reply["code"], "0", "{reply}");
    ws.send(json!({"id": "12", "op": "amend-order", "args": [{"instId": "BTC-USDT", "ordId": ord_id, "newSz": "0.02"}]}))
        .await;
    let reply = ws.until(|m| m["id"] == "12").await;
    assert_eq!(
        (reply["code"].as_str(), reply["msg"].as_str()),
        (Some("1"), Some(""))
    );
    assert_eq!(reply["data"][0]["sCode"], "51503");

    // An item naming no instrument fails alone, as OKX answered ccxt (ccxt#27805).
    ws.send(json!({"id": "13", "op": "batch-orders", "args": [
        {"tdMode": "cash", "side": "buy", "ordType": "limit", "px": "90000", "sz": "0.01", "clOrdId": "lost", "tag": "t1"},
        {"instIdCode": code, "tdMode": "cash", "side": "buy", "ordType": "limit", "px": "90000", "sz": "0.01", "clOrdId": "kept"}
    ]}))
    .await;
    let reply = ws.until(|m| m["id"] == "13").await;
    assert_eq!(
        (reply["code"].as_str(), reply["msg"].as_str()),
        (Some("2"), Some(""))
    );
    let (lost, kept) = (&reply["data"][0], &reply["data"][1]);
    assert_eq!(
        (
            lost["sCode"].as_str(),
            lost["sMsg"].as_str(),
            lost["clOrdId"].as_str(),
            lost["tag"].as_str(),
            lost["ordId"].as_str()
        ),
        (
            Some("50014"),
            Some("Parameter instIdCode can not be empty."),
            Some("lost"),
            Some("t1"),
            Some("")
        )
    );
    assert_eq!(
        (kept["sCode"].as_str(), kept["clOrdId"].as_str()),
        (Some("0"), Some("kept"))
    );

    let mut public = Ws::open(&server, "public").await;
    public
        .send(json!({"id": "13", "op": "order", "args": [{"instId": "BTC-USDT"}]}))
        .await;
    assert_eq!(public.json().await["code"], "60028");
}

#[tokio::test]
async fn a_silent_connection_is_closed_with_4004() {
    let server = MockOkx::builder()
        .rate_limits(NO_LIMITS)
        .clock(Clock::frozen_at(NOW))
        .ws_idle_timeout(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let mut ws = Ws::open(&server, "public").await;
    assert_eq!(ws.closed_with().await, Some(4004));
}

#[tokio::test]
async fn scenarios_reject_logins_drop_pushes_and_drop_connections() {
    let server = spawn_app().await;
    let creds = server.credentials(Env::Live);
    server
        .load_scenario(
            r#"
[[faults]]
name = "no-login"
method = "WS"
path = "/ws/v5/private/login"
times = 1
action = "error"
code = "60009"
msg = "Login failed."

[[faults]]
name = "lost-push"
method = "PUSH"
path = "/ws/v5/private/orders"
clOrdId = "lost"
action = "hang"

[[faults]]
name = "cut"
method = "PUSH"
path = "/ws/v5/private/orders"
clOrdId = "cut"
action = "drop"
"#,
        )
        .unwrap();
    let trader = Trader::live(&server);
    let mut ws = Ws::open(&server, "private").await;
    let refused = ws.login(&creds, NOW).await;
    assert_eq!(
        (refused["event"].as_str(), refused["code"].as_str()),
        (Some("error"), Some("60009"))
    );
    assert_eq!(ws.login(&creds, NOW).await["code"], "0");
    ws.subscribe(json!({"channel": "orders", "instType": "ANY"}))
        .await;
    for cl in ["lost", "seen"] {
        trader
            .order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "px": "90000", "sz": "0.01", "clOrdId": cl}))
            .await;
    }
    let push = ws.push("orders").await;
    assert_eq!(
        push["data"][0]["clOrdId"], "seen",
        "the first push was held back"
    );
    trader
        .order(json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "px": "90000", "sz": "0.01", "clOrdId": "cut"}))
        .await;
    assert_eq!(
        ws.closed_with().await,
        None,
        "dropped without a close frame"
    );
}
