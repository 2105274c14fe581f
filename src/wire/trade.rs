//! Trade endpoints on the wire: request fields into the venue's requests, and
//! orders, fills and per-item results out, in OKX's field names. Rows are JSON
//! objects whose keys serialise alphabetically, as OKX's own bodies do.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::body::Fields;
use super::reject::spell;
use super::{num, opt_num};
use crate::error::{ApiError, json_response};
use crate::exchange::account::Fill;
use crate::exchange::orders::{Order, TdMode};
use crate::exchange::reject::Reject;
use crate::exchange::trading::{AmendRequest, OrderRef, PlaceRequest};
use crate::exchange::{InstType, Instrument};

/// The fields of a place-order object; 50014 for a missing required one.
pub(crate) fn place_request(fields: &Fields) -> Result<PlaceRequest, ApiError> {
    for name in ["instId", "tdMode", "side", "ordType", "sz"] {
        fields.required(name)?;
    }
    Ok(PlaceRequest {
        inst_id: fields.text("instId"),
        td_mode: fields.text("tdMode"),
        side: fields.text("side"),
        ord_type: fields.text("ordType"),
        sz: fields.text("sz"),
        px: fields.text("px"),
        pos_side: fields.text("posSide"),
        cl_ord_id: fields.text("clOrdId"),
        tag: fields.text("tag"),
        reduce_only: fields.text("reduceOnly"),
        tgt_ccy: fields.text("tgtCcy"),
        ban_amend: fields.text("banAmend"),
        attach_algo_ords: fields
            .objects("attachAlgoOrds")
            .iter()
            .map(super::algo::attach_request)
            .collect(),
    })
}

/// The order an object names: `ordId` wins over `clOrdId`; 51407 (per item) if neither.
pub(crate) fn order_ref(fields: &Fields) -> Result<OrderRef, Reject> {
    match (fields.text("ordId"), fields.text("clOrdId")) {
        (Some(id), _) => Ok(OrderRef::Id(id)),
        (None, Some(cl)) => Ok(OrderRef::ClOrdId(cl)),
        (None, None) => Err(Reject::OrderIdRequired),
    }
}

/// The fields of an amend-order object.
pub(crate) fn amend_request(fields: &Fields) -> AmendRequest {
    AmendRequest {
        new_sz: fields.text("newSz"),
        new_px: fields.text("newPx"),
    }
}

/// The reply of a trade write endpoint: one result per item, `code` "0", "1"
/// or "2", and the gateway's `inTime`/`outTime` in microseconds.
pub(crate) struct TradeReply {
    items: Vec<Value>,
    failures: usize,
    now_ms: i64,
}

impl TradeReply {
    pub(crate) fn new(now_ms: i64) -> Self {
        Self {
            items: Vec::new(),
            failures: 0,
            now_ms,
        }
    }

    /// An accepted item: `fields` plus `sCode` "0" and `sMsg`.
    pub(crate) fn ok(&mut self, mut fields: Value, s_msg: &str) {
        fields["sCode"] = json!("0");
        fields["sMsg"] = json!(s_msg);
        self.items.push(fields);
    }

    /// A refused item: `fields` (ids echoed, `ordId` "") plus the spelled reason.
    pub(crate) fn failed(&mut self, mut fields: Value, reject: &Reject) {
        let spelled = spell(reject, true);
        fields["sCode"] = json!(spelled.code);
        fields["sMsg"] = json!(spelled.msg);
        if fields.get("subCode").is_some() {
            fields["subCode"] = json!(spelled.sub_code);
        }
        self.failures += 1;
        self.items.push(fields);
    }
}

impl TradeReply {
    /// `code` and `msg` of the whole reply, and the items.
    pub(crate) fn into_parts(self) -> (&'static str, &'static str, Vec<Value>) {
        let (code, msg) = match (self.failures, self.items.len()) {
            (0, _) => ("0", ""),
            (failed, all) if failed == all => ("1", "All operations failed"),
            _ => ("2", "Bulk operation partially succeeded."),
        };
        (code, msg, self.items)
    }
}

impl IntoResponse for TradeReply {
    fn into_response(self) -> Response {
        let micros = self.now_ms.saturating_mul(1000);
        let (code, msg, items) = self.into_parts();
        // Written out rather than built as a map: every order answer passes here.
        // (Keys in OKX's alphabetical order; code and msg are fixed ASCII.)
        let data = serde_json::to_string(&items).unwrap_or_else(|_| "[]".into());
        let body = format!(
            r#"{{"code":"{code}","data":{data},"inTime":"{micros}","msg":"{msg}","outTime":"{micros}"}}"#
        );
        json_response(StatusCode::OK, body, code)
    }
}

/// The instrument type an order shows: a spot pair traded on margin is MARGIN.
pub(crate) fn shown_type(order: &Order) -> InstType {
    shown_type_of(order.inst_type, order.td_mode)
}

/// The instrument type an order or algo order of `inst_type` traded in `td_mode` shows.
pub(crate) fn shown_type_of(inst_type: InstType, td_mode: TdMode) -> InstType {
    if inst_type == InstType::Spot && td_mode != TdMode::Cash {
        InstType::Margin
    } else {
        inst_type
    }
}

/// An order object with every field OKX returns.
pub(crate) fn order_row(order: &Order, inst: &Instrument) -> Value {
    let (fill_px, fill_sz, fill_time, trade_id) = match order.last_fill {
        Some((px, sz, ts, id)) => (num(px), num(sz), ts.to_string(), id.to_string()),
        None => (String::new(), "0".to_owned(), String::new(), String::new()),
    };
    let spot = !inst.inst_type.is_derivative();
    json!({
        "accFillSz": num(order.acc_fill_sz),
        "algoClOrdId": order.algo_cl_ord_id,
        "algoId": order.algo_id.map(|id| id.to_string()).unwrap_or_default(),
        "attachAlgoClOrdId": order.attached.first().map(|a| a.attach_algo_cl_ord_id.as_str()).unwrap_or(""),
        "attachAlgoOrds": super::algo::attached_rows(&order.attached),
        // Averages of tick prices are cut to 8 places, not Decimal's 28.
        "avgPx": opt_num(order.avg_px().map(|px| px.round_dp(8))),
        "cTime": order.c_time.to_string(),
        "cancelSource": order.cancel_source.map(|c| c.code()).unwrap_or(""),
        "cancelSourceReason": order.cancel_source.map(|c| c.reason()).unwrap_or(""),
        "category": "normal",
        "ccy": "",
        "clOrdId": order.cl_ord_id,
        "fee": num(order.fee),
        "feeCcy": if order.fee_ccy.is_empty() { fee_ccy_before_fills(order, inst) } else { order.fee_ccy.clone() },
        "fillPx": fill_px,
        "fillSz": fill_sz,
        "fillTime": fill_time,
        "instId": order.inst_id,
        "instType": shown_type(order).as_str(),
        "isTpLimit": "false",
        "lever": opt_num(order.lever),
        "linkedAlgoOrd": {"algoId": ""},
        "ordId": order.ord_id.to_string(),
        "ordType": order.ord_type.as_str(),
        "pnl": num(order.pnl),
        "posSide": order.pos_side.as_str(),
        "px": opt_num(order.px),
        "pxType": "",
        "pxUsd": "",
        "pxVol": "",
        "quickMgnType": "",
        "rebate": "0",
        "rebateCcy": if spot { inst.quote_ccy.clone() } else { inst.settle_ccy().to_owned() },
        "reduceOnly": order.reduce_only.to_string(),
        "side": order.side.as_str(),
        "slOrdPx": "",
        "slTriggerPx": "",
        "slTriggerPxType": "",
        "source": "",
        "state": order.state.as_str(),
        "stpId": "",
        "stpMode": "cancel_maker",
        "sz": num(order.sz),
        "tag": order.tag,
        "tdMode": order.td_mode.as_str(),
        "tgtCcy": order.tgt_ccy.map(|t| t.as_str()).unwrap_or(""),
        "tpOrdPx": "",
        "tpTriggerPx": "",
        "tpTriggerPxType": "",
        "tradeId": trade_id,
        "tradeQuoteCcy": if spot { inst.quote_ccy.as_str() } else { "" },
        "uTime": order.u_time.to_string(),
    })
}

/// Spot fees are taken in the currency received; contracts pay in the settlement currency.
fn fee_ccy_before_fills(order: &Order, inst: &Instrument) -> String {
    match (inst.inst_type.is_derivative(), order.side) {
        (true, _) => inst.settle_ccy().to_owned(),
        (false, crate::exchange::Side::Buy) => inst.base_ccy.clone(),
        (false, crate::exchange::Side::Sell) => inst.quote_ccy.clone(),
    }
}

/// A fill object of trade/fills and trade/fills-history.
pub(crate) fn fill_row(fill: &Fill, quote_ccy: &str) -> Value {
    json!({
        "billId": fill.bill_id.to_string(),
        "clOrdId": fill.cl_ord_id,
        "execType": if fill.maker { "M" } else { "T" },
        "fee": num(fill.fee),
        "feeCcy": fill.fee_ccy,
        "feeRate": num(fill.fee_rate),
        "fillFwdPx": "",
        "fillIdxPx": opt_num(fill.mark_px),
        "fillMarkPx": opt_num(fill.mark_px),
        "fillMarkVol": "",
        "fillPnl": num(fill.fill_pnl),
        "fillPx": num(fill.fill_px),
        "fillPxUsd": "",
        "fillPxVol": "",
        "fillSz": num(fill.fill_sz),
        "fillTime": fill.ts.to_string(),
        "instId": fill.inst_id,
        "instType": fill.inst_type,
        "ordId": fill.ord_id.to_string(),
        "posSide": fill.pos_side.as_str(),
        "side": fill.side.as_str(),
        "subType": fill.sub_type,
        "tag": fill.tag,
        "tradeId": fill.trade_id.to_string(),
        "tradeQuoteCcy": quote_ccy,
        "ts": fill.ts.to_string(),
    })
}
