//! WebSocket trading operations: the same venue calls as the REST trade
//! endpoints, answered in the WebSocket shape with the request's `id`.
//! Instruments may be named by `instIdCode` (ccxt.pro always does) or `instId`;
//! `instIdCode` wins when both are given, as OKX documents.

use serde_json::{Map, Value, json};

use super::reply::op_reply;
use crate::api::trade::{amend_all, cancel_all, place_all};
use crate::auth::Authenticated;
use crate::exchange::Instruments;
use crate::ratelimit::{Counted, Verdict};
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
    let now = state.clock.now_ms();
    // What becomes of each item: an item naming no instrument fails on its
    // own, as OKX answers it (per item 50014, observed for ccxt's
    // batch-orders); one over the rate limits shared with REST fails with
    // 50011; the rest go through.
    let fates = match fates(state, auth, op, &items, now) {
        Ok(fates) => fates,
        Err(error) => return reply(error.code(), error.message(), Vec::new()),
    };
    let runnable: Vec<Fields> = items
        .iter()
        .zip(&fates)
        .filter(|(_, fate)| **fate == Fate::Run)
        .map(|(fields, _)| fields.clone())
        .collect();
    let result = if runnable.is_empty() {
        Ok(Vec::new())
    } else {
        match op {
            "order" | "batch-orders" => runnable
                .iter()
                .map(crate::wire::trade::place_request)
                .collect::<Result<Vec<_>, _>>()
                .and_then(|requests| place_all(state, auth, exp_time.as_deref(), requests, &[])),
            "cancel-order" | "batch-cancel-orders" => cancel_all(state, auth, runnable),
            _ => amend_all(state, auth, exp_time.as_deref(), runnable),
        }
        .map(|trade_reply| trade_reply.into_parts().2)
    };
    let mut done = match result {
        Ok(done) => done.into_iter(),
        Err(error) => return reply(error.code(), error.message(), Vec::new()),
    };
    let data: Vec<Value> = items
        .iter()
        .zip(&fates)
        .map(|(fields, fate)| match fate {
            Fate::NoInstrument => refused(
                fields,
                now,
                "50014",
                "Parameter instIdCode can not be empty.",
            ),
            Fate::Limited => refused(fields, now, "50011", "Too Many Requests"),
            Fate::Run => websocket_item(done.next().unwrap_or_default()),
        })
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

/// What becomes of one item of a trading operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Run,
    NoInstrument,
    Limited,
}

/// Each item's fate. WebSocket orders count against the same limits as the
/// REST endpoint of the same operation (OKX documents them as shared); how
/// OKX words a WebSocket item over its limit is unconfirmed, so it is
/// REST's batch answer, per item 50011. Over the account's order cap, the
/// whole operation fails with 50061.
fn fates(
    state: &AppState,
    auth: &Authenticated,
    op: &str,
    items: &[Fields],
    now: i64,
) -> Result<Vec<Fate>, crate::error::ApiError> {
    let path = match op {
        "order" => "/api/v5/trade/order",
        "batch-orders" => "/api/v5/trade/batch-orders",
        "cancel-order" => "/api/v5/trade/cancel-order",
        "batch-cancel-orders" => "/api/v5/trade/cancel-batch-orders",
        "amend-order" => "/api/v5/trade/amend-order",
        _ => "/api/v5/trade/amend-batch-orders",
    };
    let account = auth.account_name();
    let inst_ids: Vec<String> = items.iter().filter_map(|f| f.text("instId")).collect();
    let verdict = state.limits.judge(
        &Counted {
            method: "POST",
            path,
            who: &account,
            account: Some(&account),
            field: &|_| inst_ids.clone(),
            orders: items.len() as u32,
        },
        now,
    );
    let limited = |inst_id: &str| match &verdict {
        Verdict::Over => true,
        Verdict::OverFor(over) => over.iter().any(|o| o == inst_id),
        Verdict::Pass | Verdict::AccountCap => false,
    };
    if verdict == Verdict::AccountCap {
        return Err(crate::ratelimit::account_cap());
    }
    Ok(items
        .iter()
        .map(|fields| match fields.text("instId") {
            None => Fate::NoInstrument,
            Some(inst_id) if limited(&inst_id) => Fate::Limited,
            Some(_) => Fate::Run,
        })
        .collect())
}

/// A refused item with the request's ids echoed (`ordId` too, for a cancel
/// or amend that named one). 50014 names `instIdCode`, the field OKX's
/// WebSocket documents.
fn refused(fields: &Fields, now: i64, code: &str, msg: &str) -> Value {
    json!({
        "clOrdId": fields.text("clOrdId").unwrap_or_default(),
        "ordId": fields.text("ordId").unwrap_or_default(),
        "sCode": code,
        "sMsg": msg,
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
