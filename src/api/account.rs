//! Trading-account endpoints: balance, positions, config, settings, sizes, fees, bills.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::public::inst_type;
use super::{account_of, venue};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::exchange::account::{AcctLv, PosMode};
use crate::exchange::fees;
use crate::exchange::orders::{MgnMode, PosSide};
use crate::exchange::reject::Reject;
use crate::state::AppState;
use crate::wire::account::{balance_row, bill_row, closed_position_row, config_row, position_row};
use crate::wire::body;
use crate::wire::envelope::{ApiResult, Okx};
use crate::wire::num;
use crate::wire::params::{Page, Params};

/// GET /api/v5/account/balance (`ccy` filters, comma-separated).
pub(crate) async fn balance(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    let wanted: Option<Vec<&str>> = params
        .get("ccy")
        .map(|c| c.split(',').map(str::trim).collect());
    let (mut exchange, acct, now) = venue(&state, &auth)?;
    let mut views = exchange.balance_views(acct, now);
    views.retain(|v| wanted.as_ref().is_none_or(|w| w.contains(&v.ccy.as_str())));
    Ok(Okx(vec![balance_row(&views, now)]))
}

/// GET /api/v5/account/positions (`instType`, `instId` filters).
pub(crate) async fn positions(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    if params.get("instType").is_some() {
        inst_type(&params)?;
    }
    let ids: Option<Vec<&str>> = params.get("instId").map(|c| c.split(',').collect());
    let (mut exchange, acct, now) = venue(&state, &auth)?;
    let rows = exchange
        .position_views(acct, now)
        .iter()
        .filter(|v| {
            params
                .get("instType")
                .is_none_or(|t| v.position.inst_type.as_str() == t)
        })
        .filter(|v| {
            ids.as_ref()
                .is_none_or(|ids| ids.contains(&v.position.inst_id.as_str()))
        })
        .map(position_row)
        .collect();
    Ok(Okx(rows))
}

/// GET /api/v5/account/positions-history.
pub(crate) async fn positions_history(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    let page = Page::of(&params)?;
    let (exchange, acct, _now) = venue(&state, &auth)?;
    let rows = exchange.accounts[acct]
        .closed_positions
        .iter()
        .rev()
        .filter(|c| {
            params
                .get("instType")
                .is_none_or(|t| c.position.inst_type.as_str() == t)
        })
        .filter(|c| {
            params
                .get("instId")
                .is_none_or(|id| c.position.inst_id == id)
        })
        .filter(|c| {
            params
                .get("mgnMode")
                .is_none_or(|m| c.position.mgn_mode.as_str() == m)
        })
        .filter(|c| page.admits(c.position.u_time))
        .take(page.limit)
        .map(|c| {
            let uly = exchange
                .instruments()
                .by_id(&c.position.inst_id)
                .map_or("", |i| i.uly());
            closed_position_row(c, uly)
        })
        .collect();
    Ok(Okx(rows))
}

/// GET /api/v5/account/config.
pub(crate) async fn config(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
) -> ApiResult<Value> {
    let exchange = state.exchange();
    let acct = account_of(&exchange, &auth)?;
    Ok(Okx(vec![config_row(&exchange.accounts[acct], &auth.key)]))
}

/// POST /api/v5/account/set-position-mode: refused (59000) while orders or positions are open.
pub(crate) async fn set_position_mode(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    body: Bytes,
) -> ApiResult<Value> {
    let fields = body::object(&body)?;
    let mode = PosMode::parse(&fields.required("posMode")?)
        .ok_or_else(|| ApiError::invalid_param("posMode"))?;
    let (mut exchange, acct, _now) = venue(&state, &auth)?;
    let account = &exchange.accounts[acct];
    if account.acct_lv == AcctLv::Portfolio && mode == PosMode::LongShort {
        return Err(Reject::PortfolioNetOnly.into());
    }
    if account.pos_mode != mode && exchange.has_open_business(acct) {
        return Err(Reject::SettingsBlocked.into());
    }
    exchange.accounts[acct].pos_mode = mode;
    Ok(Okx(vec![json!({"posMode": mode.as_str()})]))
}

/// POST /api/v5/account/set-leverage (`lever` may be a JSON number, as ccxt sends it).
pub(crate) async fn set_leverage(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    body: Bytes,
) -> ApiResult<Value> {
    let fields = body::object(&body)?;
    let lever_text = fields.required("lever")?;
    let mgn = MgnMode::parse(&fields.required("mgnMode")?)
        .ok_or_else(|| ApiError::invalid_param("mgnMode"))?;
    let inst_id = fields.required("instId")?;
    let lever: Decimal = lever_text
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid_param("lever"))?;
    let pos_side = fields.text("posSide");
    let (mut exchange, acct, _now) = venue(&state, &auth)?;
    let sides = exchange.set_leverage(acct, &inst_id, mgn, pos_side.as_deref(), lever)?;
    let shown = if sides.len() == 1 {
        sides[0].as_str()
    } else {
        ""
    };
    Ok(Okx(vec![
        json!({"instId": inst_id, "lever": num(lever), "mgnMode": mgn.as_str(), "posSide": shown}),
    ]))
}

/// GET /api/v5/account/leverage-info: one row per position side.
pub(crate) async fn leverage_info(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    let mgn = MgnMode::parse(params.required("mgnMode")?)
        .ok_or_else(|| ApiError::invalid_param("mgnMode"))?;
    let ids: Vec<String> = params
        .required("instId")?
        .split(',')
        .map(str::to_owned)
        .collect();
    let exchange = state.exchange();
    let acct = account_of(&exchange, &auth)?;
    let account = &exchange.accounts[acct];
    let mut rows = Vec::new();
    for id in ids {
        let inst = exchange
            .instruments()
            .by_id(&id)
            .ok_or_else(ApiError::unknown_instrument)?;
        let max = inst.lever.parse().unwrap_or(Decimal::ONE);
        // Long/short mode keeps leverage per side (set-leverage sets both for cross).
        let sides: &[PosSide] = match (account.pos_mode, inst.inst_type.is_derivative()) {
            (PosMode::LongShort, true) => &[PosSide::Long, PosSide::Short],
            _ => &[PosSide::Net],
        };
        for side in sides {
            let lever = account.lever(&inst.inst_id, mgn, *side, max);
            rows.push(json!({"ccy": "", "instId": inst.inst_id, "lever": num(lever), "mgnMode": mgn.as_str(), "posSide": side.as_str()}));
        }
    }
    Ok(Okx(rows))
}

/// GET /api/v5/account/max-size.
pub(crate) async fn max_size(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    let ids: Vec<String> = params
        .required("instId")?
        .split(',')
        .map(str::to_owned)
        .collect();
    params.required("tdMode")?;
    let px: Option<Decimal> = params.parsed("px")?;
    let max_price = crate::exchange::trading::MAX_PRICE;
    if px.is_some_and(|px| px <= Decimal::ZERO || px > max_price) {
        return Err(ApiError::invalid_param("px"));
    }
    let (mut exchange, acct, now) = venue(&state, &auth)?;
    let mut rows = Vec::new();
    for id in ids {
        let (buy, sell) = exchange
            .max_size(acct, &id, px, now)
            .ok_or_else(ApiError::unknown_instrument)?;
        rows.push(json!({"ccy": "", "instId": id, "maxBuy": num(buy), "maxSell": num(sell)}));
    }
    Ok(Okx(rows))
}

/// GET /api/v5/account/max-avail-size: spot buys in quote, sells in base; contracts in the settlement currency.
pub(crate) async fn max_avail_size(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    let ids: Vec<String> = params
        .required("instId")?
        .split(',')
        .map(str::to_owned)
        .collect();
    params.required("tdMode")?;
    let (exchange, acct, _now) = venue(&state, &auth)?;
    let mut rows = Vec::new();
    for id in ids {
        let inst = exchange
            .instruments()
            .by_id(&id)
            .cloned()
            .ok_or_else(ApiError::unknown_instrument)?;
        let account = &exchange.accounts[acct];
        let (buy, sell) = if inst.inst_type.is_derivative() {
            let a = account.available(inst.settle_ccy());
            (a, a)
        } else {
            (
                account.available(&inst.quote_ccy),
                account.available(&inst.base_ccy),
            )
        };
        rows.push(json!({"availBuy": num(buy.max(Decimal::ZERO)), "availSell": num(sell.max(Decimal::ZERO)), "instId": id}));
    }
    Ok(Okx(rows))
}

/// GET /api/v5/account/trade-fee: Lv1 rates, negative for commissions.
pub(crate) async fn trade_fee(State(state): State<AppState>, params: Params) -> ApiResult<Value> {
    let inst_type = inst_type(&params)?;
    let (maker, taker) = fees::rates(inst_type);
    let (maker, taker) = (num(-maker), num(-taker));
    let derivative = inst_type.is_derivative();
    let or_blank = |v: &str| {
        if derivative {
            v.to_owned()
        } else {
            String::new()
        }
    };
    Ok(Okx(vec![json!({
        "category": "1", "delivery": "", "exercise": "", "feeGroup": [{"groupId": "1", "maker": maker, "taker": taker}],
        "fiat": [], "instType": inst_type.as_str(), "level": "Lv1", "maker": maker, "makerU": or_blank(&maker),
        "makerUSDC": or_blank(&maker), "ruleType": "normal", "taker": taker, "takerU": or_blank(&taker),
        "takerUSDC": or_blank(&taker), "ts": state.clock.now_ms().to_string(),
    })]))
}

/// GET /api/v5/account/bills (7 days, newest first).
pub(crate) async fn bills(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    let page = Page::of(&params)?;
    let (exchange, acct, now) = venue(&state, &auth)?;
    let rows = exchange.accounts[acct]
        .bills
        .iter()
        .rev()
        .filter(|b| b.ts >= now - 7 * 86_400_000)
        .filter(|b| params.get("instType").is_none_or(|t| b.inst_type == t))
        .filter(|b| params.get("ccy").is_none_or(|c| b.ccy == c))
        .filter(|b| params.get("type").is_none_or(|t| b.kind == t))
        .filter(|b| params.get("subType").is_none_or(|t| b.sub_type == t))
        .filter(|b| page.admits(b.bill_id))
        .take(page.limit)
        .map(bill_row)
        .collect();
    Ok(Okx(rows))
}
