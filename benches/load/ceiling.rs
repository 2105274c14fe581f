//! The ceiling: the least a server can do for the same requests. It checks an
//! OKX signature and stores or removes an order for the trade requests, and
//! answers market GETs with bytes okx-mock itself answered (fetched at the
//! start of the run), so both servers send the same sizes. Run in its own
//! process, with the same runtime as okx-mock, so the two compare fairly.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

/// What the ceiling serves.
#[derive(Clone)]
struct Ceiling {
    secret: Arc<str>,
    ticker: Bytes,
    books: Bytes,
    orders: Arc<Mutex<HashMap<u64, Value>>>,
    next_id: Arc<AtomicU64>,
}

/// Serves until killed; prints `listening on PORT` first.
/// Args: the secret key, then files holding the ticker and books answers.
pub fn serve(args: &[String]) {
    let [secret, ticker, books] = args else {
        panic!("--ceiling SECRET TICKER_FILE BOOKS_FILE");
    };
    let ceiling = Ceiling {
        secret: secret.as_str().into(),
        ticker: std::fs::read(ticker).expect("ticker file").into(),
        books: std::fs::read(books).expect("books file").into(),
        orders: Arc::default(),
        next_id: Arc::new(AtomicU64::new(1)),
    };
    let app = Router::new()
        .route(
            "/api/v5/market/ticker",
            get(|State(c): State<Ceiling>| async move { json_bytes(c.ticker) }),
        )
        .route(
            "/api/v5/market/books",
            get(|State(c): State<Ceiling>| async move { json_bytes(c.books) }),
        )
        .route("/api/v5/trade/order", post(place))
        .route("/api/v5/trade/cancel-order", post(cancel))
        .with_state(ceiling);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("listening on {}", listener.local_addr().unwrap().port());
        axum::serve(listener, app).await.unwrap();
    });
}

fn json_bytes(body: Bytes) -> Response {
    ([("content-type", "application/json")], body).into_response()
}

/// The body as JSON if its OKX signature holds.
fn verified(c: &Ceiling, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Option<Value> {
    let header = |name: &str| headers.get(name)?.to_str().ok();
    let ts = header("ok-access-timestamp")?;
    header("ok-access-key")?;
    header("ok-access-passphrase")?;
    let prehash = okx_mock::prehash(ts, "POST", uri.path(), body);
    (okx_mock::sign(&c.secret, &prehash) == header("ok-access-sign")?)
        .then(|| serde_json::from_slice(body).ok())
        .flatten()
}

fn refused() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        r#"{"msg":"Invalid Sign","code":"50113"}"#,
    )
        .into_response()
}

fn answer(ord_id: &str) -> Response {
    let ts = chrono::Utc::now().timestamp_millis().to_string();
    let body = json!({"code": "0", "msg": "", "inTime": ts, "outTime": ts,
        "data": [{"ordId": ord_id, "clOrdId": "", "tag": "", "ts": ts, "sCode": "0", "sMsg": ""}]});
    axum::Json(body).into_response()
}

async fn place(State(c): State<Ceiling>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let Some(order) = verified(&c, &uri, &headers, &body) else {
        return refused();
    };
    let id = c.next_id.fetch_add(1, Ordering::Relaxed);
    c.orders.lock().unwrap().insert(id, order);
    answer(&id.to_string())
}

async fn cancel(State(c): State<Ceiling>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let Some(request) = verified(&c, &uri, &headers, &body) else {
        return refused();
    };
    let id = request["ordId"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    match c.orders.lock().unwrap().remove(&id) {
        Some(_) => answer(&id.to_string()),
        None => axum::Json(json!({"code": "51400", "msg": "", "data": []})).into_response(),
    }
}
