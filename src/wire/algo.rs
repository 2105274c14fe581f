//! Algo orders on the wire: order-algo request fields into the venue's
//! request, and algo objects out with every field OKX returns.

use serde_json::{Value, json};

use super::body::Fields;
use super::trade::shown_type_of;
use super::{num, opt_num};
use crate::error::ApiError;
use crate::exchange::Instrument;
use crate::exchange::algo::{
    AlgoOrder, AlgoRef, AlgoRequest, AmendAlgoRequest, AttachRequest, Attached, Fired, Leg,
    LegRequest,
};
use crate::exchange::orders::AlgoType;
use crate::exchange::reject::Reject;

/// The fields of an order-algo body: 50014 for a missing required field, and
/// a top-level 51000 for a trigger price without its order price or the
/// reverse (as observed: `{"code":"51000","data":[],"msg":"Parameter tpTriggerPx error"}`).
pub(crate) fn algo_request(fields: &Fields) -> Result<AlgoRequest, ApiError> {
    for name in ["instId", "tdMode", "side", "ordType", "sz"] {
        fields.required(name)?;
    }
    if fields.text("ordType").as_deref() == Some(AlgoType::Trigger.as_str()) {
        fields.required("triggerPx")?;
        fields.required("orderPx")?;
    }
    let leg = |px: &'static str, kind: &str, ord: &'static str| -> Result<LegRequest, ApiError> {
        let leg = leg_request(fields, px, kind, ord);
        match (&leg.trigger_px, &leg.ord_px) {
            (Some(_), None) => Err(Reject::InvalidParam(ord).into()),
            (None, Some(_)) => Err(Reject::InvalidParam(px).into()),
            _ => Ok(leg),
        }
    };
    Ok(AlgoRequest {
        inst_id: fields.text("instId"),
        td_mode: fields.text("tdMode"),
        side: fields.text("side"),
        pos_side: fields.text("posSide"),
        ord_type: fields.text("ordType"),
        sz: fields.text("sz"),
        tgt_ccy: fields.text("tgtCcy"),
        algo_cl_ord_id: fields.text("algoClOrdId"),
        tag: fields.text("tag"),
        reduce_only: fields.text("reduceOnly"),
        tp: leg("tpTriggerPx", "tpTriggerPxType", "tpOrdPx")?,
        sl: leg("slTriggerPx", "slTriggerPxType", "slOrdPx")?,
        trigger: leg("triggerPx", "triggerPxType", "orderPx")?,
        callback_ratio: fields.text("callbackRatio"),
        callback_spread: fields.text("callbackSpread"),
        active_px: fields.text("activePx"),
    })
}

/// One trigger's fields: trigger price, its type, order price.
fn leg_request(fields: &Fields, px: &str, kind: &str, ord: &str) -> LegRequest {
    LegRequest {
        trigger_px: fields.text(px),
        trigger_px_type: fields.text(kind),
        ord_px: fields.text(ord),
    }
}

/// The fields of an amend-algos object.
pub(crate) fn amend_algo_request(fields: &Fields) -> AmendAlgoRequest {
    AmendAlgoRequest {
        new_sz: fields.text("newSz"),
        tp: leg_request(fields, "newTpTriggerPx", "newTpTriggerPxType", "newTpOrdPx"),
        sl: leg_request(fields, "newSlTriggerPx", "newSlTriggerPxType", "newSlOrdPx"),
        trigger: leg_request(fields, "newTriggerPx", "newTriggerPxType", "newOrdPx"),
    }
}

/// One `attachAlgoOrds` element of a place-order object.
pub(crate) fn attach_request(fields: &Fields) -> AttachRequest {
    AttachRequest {
        attach_algo_cl_ord_id: fields.text("attachAlgoClOrdId"),
        tp: leg_request(fields, "tpTriggerPx", "tpTriggerPxType", "tpOrdPx"),
        sl: leg_request(fields, "slTriggerPx", "slTriggerPxType", "slOrdPx"),
        sz: fields.text("sz"),
    }
}

/// The attached TP/SL of an order, as order objects show them.
pub(crate) fn attached_rows(attached: &[Attached]) -> Vec<Value> {
    attached
        .iter()
        .map(|a| {
            let (tp, sl) = (a.tp.as_ref(), a.sl.as_ref());
            json!({
                "amendPxOnTriggerType": "0",
                "attachAlgoClOrdId": a.attach_algo_cl_ord_id,
                "attachAlgoId": a.algo_id.map(|id| id.to_string()).unwrap_or_default(),
                "failCode": "",
                "failReason": "",
                "slOrdPx": ord_px(sl),
                "slTriggerPx": trigger_px(sl),
                "slTriggerPxType": trigger_px_type(sl),
                "sz": opt_num(a.sz),
                "tpOrdKind": "condition",
                "tpOrdPx": ord_px(tp),
                "tpTriggerPx": trigger_px(tp),
                "tpTriggerPxType": trigger_px_type(tp),
            })
        })
        .collect()
}

/// The algo order an object names: `algoId` wins over `algoClOrdId`.
pub(crate) fn algo_ref(fields: &Fields) -> Result<AlgoRef, Reject> {
    match (fields.text("algoId"), fields.text("algoClOrdId")) {
        (Some(id), _) => Ok(AlgoRef::Id(id)),
        (None, Some(cl)) => Ok(AlgoRef::ClOrdId(cl)),
        (None, None) => Err(Reject::InvalidParam("algoId")),
    }
}

/// A price as OKX writes an order price: `-1` for market.
fn ord_px(leg: Option<&Leg>) -> String {
    match leg {
        Some(Leg {
            ord_px: Some(px), ..
        }) => num(*px),
        Some(_) => "-1".into(),
        None => String::new(),
    }
}

fn trigger_px(leg: Option<&Leg>) -> String {
    leg.map(|l| num(l.trigger_px)).unwrap_or_default()
}

fn trigger_px_type(leg: Option<&Leg>) -> &'static str {
    leg.map_or("", |l| l.trigger_px_type.as_str())
}

/// An algo object with every field OKX returns.
pub(crate) fn algo_row(algo: &AlgoOrder, inst: &Instrument) -> Value {
    let (tp, sl, trigger) = (algo.tp.as_ref(), algo.sl.as_ref(), algo.trigger.as_ref());
    let trail = algo.trail.as_ref();
    let actual_side = match algo.fired {
        Some(Fired::TakeProfit) => "tp",
        Some(Fired::StopLoss) => "sl",
        Some(Fired::Trigger) => algo.side.as_str(),
        None => "",
    };
    let ord_id = algo.ord_id.map(|id| id.to_string()).unwrap_or_default();
    let spot = !inst.inst_type.is_derivative();
    json!({
        "activePx": opt_num(trail.and_then(|t| t.active_px)),
        "actualPx": opt_num(algo.actual_px),
        "actualSide": actual_side,
        "actualSz": opt_num(algo.actual_sz),
        "advanceOrdType": "",
        "algoClOrdId": algo.algo_cl_ord_id,
        "algoId": algo.algo_id.to_string(),
        "amendPxOnTriggerType": "0",
        "attachAlgoOrds": [],
        "cTime": algo.c_time.to_string(),
        "callbackRatio": opt_num(trail.and_then(|t| t.ratio)),
        "callbackSpread": opt_num(trail.and_then(|t| t.spread)),
        "ccy": "",
        "clOrdId": "",
        "closeFraction": "",
        "failCode": algo.fail_code,
        "instId": algo.inst_id,
        "instType": shown_type_of(algo.inst_type, algo.td_mode).as_str(),
        "isTradeBorrowMode": "",
        "last": opt_num(algo.last),
        "lever": "",
        "linkedOrd": {"ordId": ""},
        "moveTriggerPx": opt_num(trail.and_then(|t| t.trigger_px(algo.side))),
        "ordId": ord_id,
        "ordIdList": algo.ord_id.map(|id| vec![id.to_string()]).unwrap_or_default(),
        "ordPx": ord_px(trigger),
        "ordType": algo.ord_type.as_str(),
        "posSide": algo.pos_side.as_str(),
        "pxLimit": "",
        "pxSpread": "",
        "pxVar": "",
        "quickMgnType": "",
        "reduceOnly": algo.reduce_only.to_string(),
        "side": algo.side.as_str(),
        "slOrdPx": ord_px(sl),
        "slTriggerPx": trigger_px(sl),
        "slTriggerPxType": trigger_px_type(sl),
        "state": algo.state.as_str(),
        "sz": num(algo.sz),
        "szLimit": "",
        "tag": algo.tag,
        "tdMode": algo.td_mode.as_str(),
        "tgtCcy": algo.tgt_ccy.map(|t| t.as_str()).unwrap_or(""),
        "timeInterval": "",
        "tpOrdPx": ord_px(tp),
        "tpTriggerPx": trigger_px(tp),
        "tpTriggerPxType": trigger_px_type(tp),
        "tradeQuoteCcy": if spot { inst.quote_ccy.as_str() } else { "" },
        "triggerPx": trigger_px(trigger),
        "triggerPxType": trigger_px_type(trigger),
        "triggerTime": algo.trigger_time.map(|t| t.to_string()).unwrap_or_default(),
        "uTime": algo.u_time.to_string(),
    })
}
