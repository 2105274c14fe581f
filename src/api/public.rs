//! Public reference endpoints: time, instruments, mark price, funding, price
//! limits, unit conversion and system status.

use axum::extract::State;
use rust_decimal::Decimal;

use super::{in_family, instrument};
use crate::error::ApiError;
use crate::exchange::convert::convert;
use crate::exchange::{ConvertError, ConvertRequest, ConvertUnit, InstType};
use crate::state::AppState;
use crate::wire::envelope::{ApiResult, Okx};
use crate::wire::market::{
    ConvertRow, FundingRateRow, InstrumentRow, MarkPriceRow, PriceLimitRow, TimeRow,
};
use crate::wire::num;
use crate::wire::params::Params;

/// GET /api/v5/public/time: exchange time in epoch ms (not "UTC+8": epoch ms has no zone).
pub(crate) async fn time(State(state): State<AppState>) -> ApiResult<TimeRow> {
    Ok(Okx(vec![TimeRow {
        ts: state.clock.now_ms().to_string(),
    }]))
}

/// GET /api/v5/public/instruments.
pub(crate) async fn instruments(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<InstrumentRow> {
    let inst_type = inst_type(&params)?;
    if inst_type == InstType::Option
        && params.get("instFamily").is_none()
        && params.get("uly").is_none()
    {
        return Err(ApiError::either_param("instFamily", "uly"));
    }
    let exchange = state.exchange();
    let rows: Vec<InstrumentRow> = exchange
        .instruments()
        .of_type(inst_type)
        .filter(|inst| in_family(inst, &params))
        .filter(|inst| params.get("instId").is_none_or(|id| inst.inst_id == id))
        .map(InstrumentRow::new)
        .collect();
    // An instId that names nothing is OKX's general 51001 (unconfirmed for this
    // endpoint; an empty list would hide a typo).
    if rows.is_empty() && params.get("instId").is_some() {
        return Err(ApiError::unknown_instrument());
    }
    Ok(Okx(rows))
}

/// The required `instType`: 50014 when missing, 51000 when not one of OKX's.
pub(crate) fn inst_type(params: &Params) -> Result<InstType, ApiError> {
    InstType::parse(params.required("instType")?).ok_or_else(|| ApiError::invalid_param("instType"))
}

/// GET /api/v5/public/mark-price: every derivative or margin pair of a type.
pub(crate) async fn mark_price(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<MarkPriceRow> {
    let inst_type = inst_type(&params)?;
    if inst_type == InstType::Spot {
        return Err(ApiError::invalid_param("instType"));
    }
    let now = state.clock.now_ms();
    let mut exchange = state.exchange();
    let chosen: Vec<_> = exchange
        .instruments()
        .of_type(inst_type)
        .filter(|inst| {
            in_family(inst, &params) && params.get("instId").is_none_or(|id| inst.inst_id == id)
        })
        .cloned()
        .collect();
    if chosen.is_empty() && params.get("instId").is_some() {
        return Err(ApiError::unknown_instrument());
    }
    let rows = chosen
        .iter()
        .map(|inst| MarkPriceRow {
            inst_type: inst.inst_type.as_str(),
            inst_id: inst.inst_id.clone(),
            mark_px: num(exchange.mark_px(inst, now)),
            ts: now.to_string(),
        })
        .collect();
    Ok(Okx(rows))
}

/// GET /api/v5/public/funding-rate: one perpetual, or every one with `instId=ANY`.
pub(crate) async fn funding_rate(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<FundingRateRow> {
    let now = state.clock.now_ms();
    let exchange = state.exchange();
    let swaps: Vec<_> = if params.required("instId")? == "ANY" {
        exchange
            .instruments()
            .of_type(InstType::Swap)
            .cloned()
            .collect()
    } else {
        let inst = instrument(&exchange, &params)?;
        if inst.inst_type != InstType::Swap {
            return Err(ApiError::invalid_param("instId"));
        }
        vec![inst]
    };
    let funding = exchange.funding(now);
    let rows = swaps
        .into_iter()
        .map(|inst| FundingRateRow::new(inst.inst_id, &funding, now))
        .collect();
    Ok(Okx(rows))
}

/// GET /api/v5/public/price-limit.
pub(crate) async fn price_limit(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<PriceLimitRow> {
    let now = state.clock.now_ms();
    let mut exchange = state.exchange();
    let inst = instrument(&exchange, &params)?;
    let (buy, sell) = exchange.price_limit(&inst, now);
    Ok(Okx(vec![PriceLimitRow {
        inst_type: inst.inst_type.as_str(),
        inst_id: inst.inst_id,
        buy_lmt: num(buy),
        sell_lmt: num(sell),
        ts: now.to_string(),
        enabled: true,
    }]))
}

/// GET /api/v5/public/convert-contract-coin.
pub(crate) async fn convert_contract_coin(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<ConvertRow> {
    let inst = instrument(&state.exchange(), &params)?;
    let sz: Decimal = params
        .parsed("sz")?
        .ok_or_else(|| ApiError::missing_param("sz"))?;
    let kind = params.get("type").unwrap_or("1");
    let to_contracts = match kind {
        "1" => true,
        "2" => false,
        _ => return Err(ApiError::invalid_param("type")),
    };
    let unit = match params.get("unit").unwrap_or("coin") {
        "coin" => ConvertUnit::Coin,
        "usds" => ConvertUnit::Usds,
        _ => return Err(ApiError::invalid_param("unit")),
    };
    let opening = match params.get("opType").unwrap_or("close") {
        "open" => true,
        "close" => false,
        _ => return Err(ApiError::invalid_param("opType")),
    };
    if sz <= Decimal::ZERO {
        return Err(ApiError::invalid_param("sz"));
    }
    let px: Option<Decimal> = params.parsed("px")?;
    if px.is_some_and(|px| px <= Decimal::ZERO) {
        return Err(ApiError::invalid_param("px"));
    }
    let request = ConvertRequest {
        to_contracts,
        sz,
        px,
        unit,
        opening,
    };
    let converted = convert(&inst, &request).map_err(|error| match error {
        ConvertError::NotAContract => ApiError::invalid_param("instId"),
        ConvertError::PriceRequired => ApiError::missing_param("px"),
        ConvertError::UnitNotSupported => ApiError::invalid_param("unit"),
        ConvertError::OutOfRange => ApiError::invalid_param("sz"),
    })?;
    Ok(Okx(vec![ConvertRow {
        kind: if to_contracts { "1" } else { "2" },
        inst_id: inst.inst_id,
        px: px.map(num).unwrap_or_default(),
        sz: num(converted.sz),
        unit: unit.as_str(),
    }]))
}

/// GET /api/v5/system/status: an ongoing maintenance while one is on (timeline
/// or control API), otherwise nothing scheduled.
pub(crate) async fn system_status(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<serde_json::Value> {
    let on = state.scenario.lock().maintenance;
    let wanted = params.get("state").is_none_or(|s| s == "ongoing");
    if !(on && wanted) {
        return Ok(Okx(Vec::new()));
    }
    Ok(Okx(vec![serde_json::json!({
        "begin": "", "end": "", "env": "1", "href": "", "maintType": "2", "preOpenBegin": "",
        "scheDesc": "", "serviceType": "5", "state": "ongoing", "system": "unified",
        "title": "Trading system maintenance (okx-mock scenario)",
    })]))
}
