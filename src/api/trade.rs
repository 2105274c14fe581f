//! Trade endpoints: place, cancel and amend (single and batch), close a
//! position, and read orders and fills.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::{account_of, venue};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::exchange::orders::{MgnMode, Order};
use crate::exchange::reject::{BatchKind, Reject};
use crate::exchange::trading::PlaceRequest;
use crate::state::AppState;
use crate::wire::body::{self, Fields};
use crate::wire::envelope::{ApiResult, Okx};
use crate::wire::params::{Page, Params};
use crate::wire::trade::{
    TradeReply, amend_request, fill_row, order_ref, order_row, place_request, shown_type,
};

/// Batch endpoints take at most this many orders.
const BATCH_MAX: usize = 20;

/// POST /api/v5/trade/order.
pub(crate) async fn place_order(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<TradeReply, ApiError> {
    let request = place_request(&body::object(&body)?)?;
    place_all(&state, &auth, exp_time(&headers), vec![request], &[])
}

/// POST /api/v5/trade/batch-orders (ccxt places every order through it).
pub(crate) async fn batch_orders(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    over_limit: Option<Extension<crate::ratelimit::OverLimit>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<TradeReply, ApiError> {
    let items = batch(&body, BatchKind::Place)?;
    let requests = items
        .iter()
        .map(place_request)
        .collect::<Result<Vec<_>, _>>()?;
    let over = over_limit.map(|Extension(o)| o.0).unwrap_or_default();
    place_all(&state, &auth, exp_time(&headers), requests, &over)
}

/// A batch body of 1 to 20 objects.
fn batch(body: &[u8], kind: BatchKind) -> Result<Vec<Fields>, ApiError> {
    let items = body::objects(body)?;
    if items.is_empty() {
        return Err(ApiError::empty_body());
    }
    if items.len() > BATCH_MAX {
        return Err(Reject::BatchTooLarge {
            max: BATCH_MAX,
            kind,
        }
        .into());
    }
    Ok(items)
}

/// The verdict of the optional `expTime` header: place and amend requests that
/// arrive after it are not processed (per item 50037).
fn expired(exp_time: Option<&str>, now: i64) -> Option<Reject> {
    match exp_time?.trim().parse::<i64>() {
        Ok(deadline) if now > deadline => Some(Reject::Expired),
        Ok(_) => None,
        Err(_) => Some(Reject::InvalidParam("expTime")),
    }
}

/// The `expTime` header, if sent.
fn exp_time(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("expTime")
        .map(|value| value.to_str().unwrap_or_default())
}

/// Places each order in turn (REST and WebSocket `order`/`batch-orders`).
pub(crate) fn place_all(
    state: &AppState,
    auth: &Authenticated,
    exp_time: Option<&str>,
    requests: Vec<PlaceRequest>,
    over_limit: &[String],
) -> Result<TradeReply, ApiError> {
    let now = state.clock.now_ms();
    let late = expired(exp_time, now);
    let mut reply = TradeReply::new(now);
    let mut exchange = state.exchange();
    exchange.sync(now);
    let acct = account_of(&exchange, auth)?;
    let mut earlier = Vec::new();
    let mut results = Vec::with_capacity(requests.len());
    for request in requests {
        let cl_ord_id = request.cl_ord_id.clone().unwrap_or_default();
        let tag = request.tag.clone().unwrap_or_default();
        let limited = request
            .inst_id
            .as_ref()
            .is_some_and(|id| over_limit.contains(id));
        let result = match &late {
            Some(reject) => Err(reject.clone()),
            None if limited => Err(Reject::RateLimited),
            None => exchange.place(acct, &request, &earlier, now),
        };
        if !cl_ord_id.is_empty() {
            earlier.push(cl_ord_id.clone());
        }
        results.push((result, cl_ord_id, tag));
    }
    drop(exchange); // the answer is written without holding the venue
    for (result, cl_ord_id, tag) in results {
        match result {
            Ok(ack) => reply.ok(
                json!({"clOrdId": ack.cl_ord_id, "ordId": ack.ord_id.to_string(), "subCode": "", "tag": ack.tag, "ts": ack.ts.to_string()}),
                "Order placed",
            ),
            Err(reject) => reply.failed(
                json!({"clOrdId": cl_ord_id, "ordId": "", "subCode": "", "tag": tag, "ts": now.to_string()}),
                &reject,
            ),
        }
    }
    Ok(reply)
}

/// POST /api/v5/trade/cancel-order.
pub(crate) async fn cancel_order(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    body: Bytes,
) -> Result<TradeReply, ApiError> {
    cancel_all(&state, &auth, vec![body::object(&body)?])
}

/// POST /api/v5/trade/cancel-batch-orders.
pub(crate) async fn cancel_batch_orders(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    body: Bytes,
) -> Result<TradeReply, ApiError> {
    cancel_all(&state, &auth, batch(&body, BatchKind::Cancel)?)
}

/// Cancels each order in turn (REST and WebSocket `cancel-order`).
pub(crate) fn cancel_all(
    state: &AppState,
    auth: &Authenticated,
    items: Vec<Fields>,
) -> Result<TradeReply, ApiError> {
    let inst_ids = items
        .iter()
        .map(|f| f.required("instId"))
        .collect::<Result<Vec<_>, _>>()?;
    let now = state.clock.now_ms();
    let mut reply = TradeReply::new(now);
    let mut exchange = state.exchange();
    exchange.sync(now);
    let acct = account_of(&exchange, auth)?;
    let results: Vec<_> = items
        .iter()
        .zip(inst_ids)
        .map(|(fields, inst_id)| {
            order_ref(fields).and_then(|by| exchange.cancel(acct, &inst_id, &by, now))
        })
        .collect();
    drop(exchange); // the answer is written without holding the venue
    for (fields, result) in items.iter().zip(results) {
        match result {
            Ok(ack) => reply.ok(
                json!({"clOrdId": ack.cl_ord_id, "ordId": ack.ord_id.to_string(), "ts": now.to_string()}),
                "",
            ),
            Err(reject) => reply.failed(echo_ids(fields, now), &reject),
        }
    }
    Ok(reply)
}

fn echo_ids(fields: &Fields, now: i64) -> Value {
    json!({
        "clOrdId": fields.text("clOrdId").unwrap_or_default(),
        "ordId": fields.text("ordId").unwrap_or_default(),
        "ts": now.to_string(),
    })
}

/// POST /api/v5/trade/amend-order.
pub(crate) async fn amend_order(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<TradeReply, ApiError> {
    amend_all(
        &state,
        &auth,
        exp_time(&headers),
        vec![body::object(&body)?],
    )
}

/// POST /api/v5/trade/amend-batch-orders.
pub(crate) async fn amend_batch_orders(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<TradeReply, ApiError> {
    amend_all(
        &state,
        &auth,
        exp_time(&headers),
        batch(&body, BatchKind::Amend)?,
    )
}

/// Amends each order in turn (REST and WebSocket `amend-order`).
pub(crate) fn amend_all(
    state: &AppState,
    auth: &Authenticated,
    exp_time: Option<&str>,
    items: Vec<Fields>,
) -> Result<TradeReply, ApiError> {
    let inst_ids = items
        .iter()
        .map(|f| f.required("instId"))
        .collect::<Result<Vec<_>, _>>()?;
    let now = state.clock.now_ms();
    let late = expired(exp_time, now);
    let mut reply = TradeReply::new(now);
    let mut exchange = state.exchange();
    exchange.sync(now);
    let acct = account_of(&exchange, auth)?;
    for (fields, inst_id) in items.iter().zip(inst_ids) {
        let req_id = fields.text("reqId").unwrap_or_default();
        let result = match &late {
            Some(reject) => Err(reject.clone()),
            None => order_ref(fields)
                .map_err(|_| Reject::QueryIdRequired)
                .and_then(|by| exchange.amend(acct, &inst_id, &by, &amend_request(fields), now)),
        };
        match result {
            Ok(ack) => reply.ok(
                json!({"clOrdId": ack.cl_ord_id, "ordId": ack.ord_id.to_string(), "reqId": req_id, "subCode": "", "ts": now.to_string()}),
                "",
            ),
            Err(reject) => {
                let mut echo = echo_ids(fields, now);
                echo["reqId"] = json!(req_id);
                echo["subCode"] = json!("");
                reply.failed(echo, &reject);
            }
        }
    }
    Ok(reply)
}

/// POST /api/v5/trade/close-position: a market order for the whole position.
pub(crate) async fn close_position(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    body: Bytes,
) -> ApiResult<Value> {
    let fields = body::object(&body)?;
    let inst_id = fields.required("instId")?;
    let mgn_mode = MgnMode::parse(&fields.required("mgnMode")?)
        .ok_or_else(|| ApiError::invalid_param("mgnMode"))?;
    let pos_side = fields.text("posSide");
    let (mut exchange, acct, now) = venue(&state, &auth)?;
    let auto_cancel = fields.text("autoCxl").is_some_and(|v| v == "true");
    let ids = (&fields.text("clOrdId"), &fields.text("tag"));
    let request = exchange.close_request(
        acct,
        &inst_id,
        mgn_mode,
        pos_side.as_deref(),
        auto_cancel,
        ids,
        now,
    )?;
    exchange.place(acct, &request, &[], now)?;
    Ok(Okx(vec![json!({
        "clOrdId": fields.text("clOrdId").unwrap_or_default(),
        "instId": inst_id,
        "posSide": pos_side.unwrap_or_else(|| "net".into()),
        "tag": fields.text("tag").unwrap_or_default(),
    })]))
}

/// GET /api/v5/trade/order: one order by ordId or clOrdId (51603 if unknown).
pub(crate) async fn get_order(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    let inst_id = params.required("instId")?.to_owned();
    let by = match (params.get("ordId"), params.get("clOrdId")) {
        (Some(id), _) => crate::exchange::trading::OrderRef::Id(id.to_owned()),
        (None, Some(cl)) => crate::exchange::trading::OrderRef::ClOrdId(cl.to_owned()),
        (None, None) => return Err(Reject::QueryIdRequired.into()),
    };
    let (exchange, acct, _now) = venue(&state, &auth)?;
    let ord_id = exchange
        .find_order(acct, &inst_id, &by)
        .ok_or(Reject::OrderNotFound)?;
    let order = &exchange.accounts[acct].orders[&ord_id];
    let inst = exchange
        .instruments()
        .by_id(&order.inst_id)
        .ok_or_else(ApiError::system_error)?;
    Ok(Okx(vec![order_row(order, inst)]))
}

/// Which orders a list endpoint shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OrderList {
    Pending,
    /// Terminal orders of the last 7 days (canceled without fills: 2 hours).
    History,
    /// Terminal orders of the last 3 months, never canceled-without-fills.
    Archive,
}

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

impl OrderList {
    fn shows(self, order: &Order, now: i64) -> bool {
        let unfilled_cancel = !order.state.is_open() && order.acc_fill_sz.is_zero();
        match self {
            Self::Pending => order.state.is_open(),
            Self::History if order.state.is_open() => false,
            Self::History if unfilled_cancel => order.u_time >= now - 2 * HOUR_MS,
            Self::History => order.u_time >= now - 7 * DAY_MS,
            Self::Archive => {
                !order.state.is_open() && !unfilled_cancel && order.u_time >= now - 90 * DAY_MS
            }
        }
    }
}

/// GET /api/v5/trade/orders-pending.
pub(crate) async fn orders_pending(
    state: State<AppState>,
    auth: Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    list_orders(state, auth, params, OrderList::Pending)
}

/// GET /api/v5/trade/orders-history (instType required).
pub(crate) async fn orders_history(
    state: State<AppState>,
    auth: Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    params.required("instType")?;
    list_orders(state, auth, params, OrderList::History)
}

/// GET /api/v5/trade/orders-history-archive (instType required).
pub(crate) async fn orders_history_archive(
    state: State<AppState>,
    auth: Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    params.required("instType")?;
    list_orders(state, auth, params, OrderList::Archive)
}

fn list_orders(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
    list: OrderList,
) -> ApiResult<Value> {
    let page = Page::of(&params)?;
    let ord_types: Option<Vec<&str>> = params.get("ordType").map(|t| t.split(',').collect());
    let (exchange, acct, now) = venue(&state, &auth)?;
    let rows = exchange.accounts[acct]
        .orders
        .values()
        .rev()
        .filter(|o| list.shows(o, now))
        .filter(|o| {
            params
                .get("instType")
                .is_none_or(|t| shown_type(o).as_str() == t)
        })
        .filter(|o| params.get("instId").is_none_or(|id| o.inst_id == id))
        .filter(|o| params.get("state").is_none_or(|s| o.state.as_str() == s))
        .filter(|o| {
            ord_types
                .as_ref()
                .is_none_or(|types| types.contains(&o.ord_type.as_str()))
        })
        .filter(|o| page.admits(o.ord_id))
        .take(page.limit)
        .filter_map(|o| {
            exchange
                .instruments()
                .by_id(&o.inst_id)
                .map(|inst| order_row(o, inst))
        })
        .collect();
    Ok(Okx(rows))
}

/// GET /api/v5/trade/fills (3 days).
pub(crate) async fn fills(
    state: State<AppState>,
    auth: Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    list_fills(state, auth, params, 3 * DAY_MS)
}

/// GET /api/v5/trade/fills-history (3 months, instType required).
pub(crate) async fn fills_history(
    state: State<AppState>,
    auth: Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    params.required("instType")?;
    list_fills(state, auth, params, 90 * DAY_MS)
}

fn list_fills(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
    window_ms: i64,
) -> ApiResult<Value> {
    let page = Page::of(&params)?;
    let (exchange, acct, now) = venue(&state, &auth)?;
    let rows = exchange.accounts[acct]
        .fills
        .iter()
        .rev()
        .filter(|f| f.ts >= now - window_ms)
        .filter(|f| params.get("instType").is_none_or(|t| f.inst_type == t))
        .filter(|f| params.get("instId").is_none_or(|id| f.inst_id == id))
        .filter(|f| {
            params
                .get("ordId")
                .is_none_or(|id| f.ord_id.to_string() == id)
        })
        .filter(|f| page.admits(f.bill_id))
        .take(page.limit)
        .map(|f| {
            let quote = exchange
                .instruments()
                .by_id(&f.inst_id)
                .map_or("", |i| i.quote_ccy.as_str());
            let quote = if f.inst_type == "SPOT" { quote } else { "" };
            fill_row(f, quote)
        })
        .collect();
    Ok(Okx(rows))
}
