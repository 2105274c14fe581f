//! Algo-order endpoints: place (TP/SL, OCO, trigger), cancel, and read live
//! and finished algo orders.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use serde_json::{Value, json};

use super::venue;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::exchange::algo::{AlgoOrder, AlgoRef};
use crate::exchange::reject::{BatchKind, Reject};
use crate::state::AppState;
use crate::wire::algo::{algo_ref, algo_request, algo_row, amend_algo_request};
use crate::wire::body;
use crate::wire::envelope::{ApiResult, Okx};
use crate::wire::params::{Page, Params};
use crate::wire::trade::{TradeReply, shown_type_of};

/// cancel-algos takes at most this many orders.
const CANCEL_MAX: usize = 10;

/// POST /api/v5/trade/order-algo.
pub(crate) async fn place_algo(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    body: Bytes,
) -> Result<TradeReply, ApiError> {
    let fields = body::object(&body)?;
    let request = algo_request(&fields)?;
    let (mut exchange, acct, now) = venue(&state, &auth)?;
    let mut reply = TradeReply::new(now);
    match exchange.place_algo(acct, &request, now) {
        Ok(ack) => reply.ok(
            json!({"algoClOrdId": ack.algo_cl_ord_id, "algoId": ack.algo_id.to_string(), "clOrdId": "", "tag": ack.tag}),
            "",
        ),
        Err(reject) => reply.failed(
            json!({
                "algoClOrdId": request.algo_cl_ord_id.unwrap_or_default(),
                "algoId": "",
                "clOrdId": "",
                "tag": request.tag.unwrap_or_default(),
            }),
            &reject,
        ),
    }
    Ok(reply)
}

/// POST /api/v5/trade/cancel-algos: an array of `{instId, algoId | algoClOrdId}`.
pub(crate) async fn cancel_algos(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    body: Bytes,
) -> Result<TradeReply, ApiError> {
    let items = body::objects(&body)?;
    if items.is_empty() {
        return Err(ApiError::empty_body());
    }
    if items.len() > CANCEL_MAX {
        return Err(Reject::BatchTooLarge {
            max: CANCEL_MAX,
            kind: BatchKind::CancelAlgos,
        }
        .into());
    }
    let inst_ids = items
        .iter()
        .map(|f| f.required("instId"))
        .collect::<Result<Vec<_>, _>>()?;
    let (mut exchange, acct, now) = venue(&state, &auth)?;
    let mut reply = TradeReply::new(now);
    for (fields, inst_id) in items.iter().zip(inst_ids) {
        let result = algo_ref(fields).and_then(|by| exchange.cancel_algo(acct, &inst_id, &by, now));
        match result {
            Ok(ack) => reply.ok(
                json!({"algoClOrdId": ack.algo_cl_ord_id, "algoId": ack.algo_id.to_string(), "clOrdId": "", "tag": ack.tag}),
                "",
            ),
            Err(reject) => reply.failed(
                json!({
                    "algoClOrdId": fields.text("algoClOrdId").unwrap_or_default(),
                    "algoId": fields.text("algoId").unwrap_or_default(),
                    "clOrdId": "",
                    "tag": "",
                }),
                &reject,
            ),
        }
    }
    Ok(reply)
}

/// POST /api/v5/trade/amend-algos: one object naming the order and what changes.
pub(crate) async fn amend_algos(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    body: Bytes,
) -> Result<TradeReply, ApiError> {
    let fields = body::object(&body)?;
    let inst_id = fields.required("instId")?;
    let request = amend_algo_request(&fields);
    let (mut exchange, acct, now) = venue(&state, &auth)?;
    let mut reply = TradeReply::new(now);
    let echo = |algo_id: String, algo_cl_ord_id: String| {
        json!({
            "algoClOrdId": algo_cl_ord_id,
            "algoId": algo_id,
            "reqId": fields.text("reqId").unwrap_or_default(),
        })
    };
    let result =
        algo_ref(&fields).and_then(|by| exchange.amend_algo(acct, &inst_id, &by, &request, now));
    match result {
        Ok(ack) => reply.ok(echo(ack.algo_id.to_string(), ack.algo_cl_ord_id), ""),
        Err(reject) => reply.failed(
            echo(
                fields.text("algoId").unwrap_or_default(),
                fields.text("algoClOrdId").unwrap_or_default(),
            ),
            &reject,
        ),
    }
    Ok(reply)
}

/// GET /api/v5/trade/order-algo: one algo order by algoId or algoClOrdId
/// (51603 top-level when unknown, as observed).
pub(crate) async fn get_algo(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    let by = match (params.get("algoId"), params.get("algoClOrdId")) {
        (Some(id), _) => AlgoRef::Id(id.to_owned()),
        (None, Some(cl)) => AlgoRef::ClOrdId(cl.to_owned()),
        (None, None) => return Err(ApiError::missing_param("algoId")),
    };
    let (exchange, acct, _now) = venue(&state, &auth)?;
    let id = exchange.find_algo(acct, &by).ok_or(Reject::OrderNotFound)?;
    let algo = &exchange.accounts[acct].algos[&id];
    Ok(Okx(row(&exchange, algo).into_iter().collect()))
}

/// GET /api/v5/trade/orders-algo-pending (`ordType` required).
pub(crate) async fn algos_pending(
    state: State<AppState>,
    auth: Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    list_algos(state, auth, params, true)
}

/// GET /api/v5/trade/orders-algo-history (`ordType` and `state` or `algoId` required).
pub(crate) async fn algos_history(
    state: State<AppState>,
    auth: Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    if params.get("algoId").is_none() {
        params.required("state")?;
    }
    list_algos(state, auth, params, false)
}

fn list_algos(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
    live: bool,
) -> ApiResult<Value> {
    // One type, or `conditional,oco` together (OKX's only allowed pair).
    let ord_types: Vec<&str> = params.required("ordType")?.split(',').collect();
    let page = Page::of(&params)?;
    let (exchange, acct, _now) = venue(&state, &auth)?;
    let rows = exchange.accounts[acct]
        .algos
        .values()
        .rev()
        .filter(|a| a.is_live() == live)
        .filter(|a| ord_types.contains(&a.ord_type.as_str()))
        .filter(|a| params.get("state").is_none_or(|s| a.state.as_str() == s))
        .filter(|a| {
            params
                .get("algoId")
                .is_none_or(|id| a.algo_id.to_string() == id)
        })
        .filter(|a| params.get("instId").is_none_or(|id| a.inst_id == id))
        .filter(|a| {
            params
                .get("instType")
                .is_none_or(|t| shown_type_of(a.inst_type, a.td_mode).as_str() == t)
        })
        .filter(|a| page.admits(a.algo_id))
        .take(page.limit)
        .filter_map(|a| row(&exchange, a))
        .collect();
    Ok(Okx(rows))
}

fn row(exchange: &crate::exchange::Exchange, algo: &AlgoOrder) -> Option<Value> {
    exchange
        .instruments()
        .by_id(&algo.inst_id)
        .map(|inst| algo_row(algo, inst))
}
