//! WebSocket trading operations: the same venue calls as the REST trade
//! endpoints, answered in the WebSocket shape with the request's `id`.
//! Instruments may be named by `instIdCode` (ccxt.pro always does) or `instId`;
//! `instIdCode` wins when both are given, as OKX documents.

use serde_json::{Map, Value, json};

use super::reply::op_reply;
use crate::api::trade::{amend_all, cancel_all, place_all};
use crate::auth::Authenticated;
use crate::exchange::Instruments;
use crate::state::AppState;
use crate::wire::body::Fields;

/// Largest batch (`batch-orders`, `batch-cancel-orders`, `batch-amend-orders`).
const BATCH_MAX: usize = 20;

/// The operations okx-mock serves.
pub(crate) const TRADE_OPS: [&str; 6] = [
    "order",
    "batch-orders",
    "cancel-order",
    "batch-cancel-orders",
    "amend-order",
    "batch-amend-orders",
];

/// Runs trading operation `op` and builds its reply.
pub(crate) fn run(
    state: &AppState,
    auth: &Authenticated,
    request: &Map<String, Value>,
    id: &str,
    op: &str,
) -> Value {
    let in_us = state.clock.now_ms().saturating_mul(1000);
    let reply = |code: &str, msg: &str, data: Vec<Value>| {
        let out_us = state.clock.now_ms().saturating_mul(1000);
        op_reply(id, op, (code, msg), data, (in_us, out_us))
    };
    let args = match request.get("args") {
        Some(Value::Array(args)) if !args.is_empty() => args,
        _ => return reply("60013", "Invalid args", Vec::new()),
    };
    let single = !op.starts_with("batch-");
    if (single && args.len() != 1) || args.len() > BATCH_MAX {
        return reply("60013", "Invalid args", Vec::new());
    }
    let items: Option<Vec<Fields>> = {
        let exchange = state.exchange();
        args.iter()
            .map(|arg| arg.as_object().map(|o| named(o, exchange.instruments())))
            .collect()
    };
    let Some(items) = items else {
        return reply("60013", "Invalid args", Vec::new());
    };
    let exp_time = request.get("expTime").and_then(|v| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    // An item naming no instrument fails on its own, as OKX answers it
    // (per item 50014, observed for ccxt's batch-orders); the rest go through.
    let (named_items, unnamed): (Vec<&Fields>, Vec<&Fields>) =
        items.iter().partition(|f| f.text("instId").is_some());
    let named_items: Vec<Fields> = named_items.into_iter().cloned().collect();
    let result = if named_items.is_empty() {
        Ok(Vec::new())
    } else {
        match op {
            "order" | "batch-orders" => named_items
                .iter()
                .map(crate::wire::trade::place_request)
                .collect::<Result<Vec<_>, _>>()
                .and_then(|requests| place_all(state, auth, exp_time.as_deref(), requests, &[])),
            "cancel-order" | "batch-cancel-orders" => cancel_all(state, auth, named_items),
            _ => amend_all(state, auth, exp_time.as_deref(), named_items),
        }
        .map(|trade_reply| trade_reply.into_parts().2)
    };
    let mut done = match result {
        Ok(done) => done.into_iter(),
        Err(error) => return reply(error.code(), error.message(), Vec::new()),
    };
    let now = state.clock.now_ms();
    let data: Vec<Value> = items
        .iter()
        .map(
            |fields| match unnamed.iter().any(|u| std::ptr::eq(*u, fields)) {
                true => no_instrument(fields, now),
                false => websocket_item(done.next().unwrap_or_default()),
            },
        )
        .collect();
    let failed = data.iter().filter(|item| item["sCode"] != "0").count();
    let code = match failed {
        0 => "0",
        n if n == data.len() => "1",
        _ => "2",
    };
    // OKX's WebSocket replies leave `msg` empty whatever the code (observed).
    reply(code, "", data)
}

/// An item that names no instrument: 50014 for `instIdCode`, the field
/// OKX's WebSocket documents, with the request's ids echoed.
fn no_instrument(fields: &Fields, now: i64) -> Value {
    json!({
        "clOrdId": fields.text("clOrdId").unwrap_or_default(),
        "ordId": "",
        "sCode": "50014",
        "sMsg": "Parameter instIdCode can not be empty.",
        "subCode": "",
        "tag": fields.text("tag").unwrap_or_default(),
        "ts": now.to_string(),
    })
}

/// A REST item as the WebSocket words it: a placed order's `sMsg` is
/// "Order successfully placed." there (observed on OKX's demo trading).
fn websocket_item(mut item: Value) -> Value {
    if item["sMsg"] == "Order placed" {
        item["sMsg"] = json!("Order successfully placed.");
    }
    item
}

/// The argument with `instId` filled in from `instIdCode` when it is given.
fn named(arg: &Map<String, Value>, instruments: &Instruments) -> Fields {
    let mut arg = arg.clone();
    let code = arg.get("instIdCode").and_then(|v| match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    });
    if let Some(code) = code {
        match instruments.by_code(code) {
            Some(inst) => {
                arg.insert("instId".into(), Value::String(inst.inst_id.clone()));
            }
            // An unknown code names no instrument at all (51001 per item).
            None => {
                arg.insert("instId".into(), Value::String(format!("instIdCode {code}")));
            }
        }
    }
    Fields::from(arg)
}
