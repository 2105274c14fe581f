//! Funding-account endpoints: balances, transfers, deposits and withdrawals.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::{account_of, venue};
use crate::auth::{Authenticated, Env};
use crate::error::ApiError;
use crate::exchange::funding::{WithdrawalRequest, deposit_address};
use crate::state::AppState;
use crate::wire::body;
use crate::wire::envelope::{ApiResult, Okx};
use crate::wire::num;
use crate::wire::params::{Page, Params};

fn amount(text: &str) -> Result<Decimal, ApiError> {
    text.trim()
        .parse()
        .map_err(|_| ApiError::invalid_param("amt"))
}

/// GET /api/v5/asset/balances: the funding account, currencies holding anything.
pub(crate) async fn balances(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    let wanted: Option<Vec<&str>> = params
        .get("ccy")
        .map(|c| c.split(',').map(str::trim).collect());
    let (exchange, acct, _now) = venue(&state, &auth)?;
    let rows = exchange.accounts[acct]
        .funding
        .balances
        .iter()
        .filter(|(ccy, b)| !(b.avail + b.frozen).is_zero() && wanted.as_ref().is_none_or(|w| w.contains(&ccy.as_str())))
        .map(|(ccy, b)| json!({"availBal": num(b.avail), "bal": num(b.avail + b.frozen), "ccy": ccy, "frozenBal": num(b.frozen)}))
        .collect();
    Ok(Okx(rows))
}

/// POST /api/v5/asset/transfer (Trade): between funding ("6") and trading ("18").
pub(crate) async fn transfer(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    bytes: Bytes,
) -> ApiResult<Value> {
    let fields = body::object(&bytes)?;
    let ccy = fields.required("ccy")?;
    let amt = amount(&fields.required("amt")?)?;
    let (from, to) = (fields.required("from")?, fields.required("to")?);
    if fields.text("type").is_some_and(|t| t != "0") {
        // Sub-accounts are not modelled: only transfers within the account.
        return Err(ApiError::invalid_param("type"));
    }
    let client_id = fields.text("clientId").unwrap_or_default();
    let (mut exchange, acct, now) = venue(&state, &auth)?;
    let done = exchange.transfer(acct, &ccy, amt, (&from, &to), &client_id, now)?;
    Ok(Okx(vec![json!({
        "amt": num(done.amt), "ccy": done.ccy, "clientId": done.client_id, "from": done.from,
        "to": done.to, "transId": done.trans_id.to_string(),
    })]))
}

/// GET /api/v5/asset/transfer-state: transfers complete at once here.
pub(crate) async fn transfer_state(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    let (trans_id, client_id) = (params.get("transId"), params.get("clientId"));
    if trans_id.is_none() && client_id.is_none() {
        return Err(ApiError::either_param("transId", "clientId"));
    }
    let exchange = state.exchange();
    let acct = account_of(&exchange, &auth)?;
    let rows = exchange.accounts[acct]
        .funding
        .transfers
        .iter()
        .filter(|t| trans_id.is_none_or(|id| t.trans_id.to_string() == id) && client_id.is_none_or(|c| t.client_id == c))
        .map(|t| {
            json!({
                "amt": num(t.amt), "ccy": t.ccy, "clientId": t.client_id, "from": t.from, "instId": "",
                "state": "success", "subAcct": "", "to": t.to, "toInstId": "", "transId": t.trans_id.to_string(), "type": "0",
            })
        })
        .collect();
    Ok(Okx(rows))
}

/// GET /api/v5/asset/deposit-address: one row per chain of the currency.
pub(crate) async fn deposit_address_rows(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    if auth.env == Env::Demo {
        return Err(ApiError::unavailable_in_demo(false));
    }
    let ccy = params.required("ccy")?;
    let exchange = state.exchange();
    let acct = account_of(&exchange, &auth)?;
    let uid = exchange.accounts[acct].uid.clone();
    let rows: Vec<Value> = exchange
        .currencies()
        .iter()
        .filter(|c| c.ccy == ccy)
        .map(|c| {
            let addr = deposit_address(&uid, &c.chain);
            let ct = c.ct_addr.chars().rev().take(6).collect::<String>().chars().rev().collect::<String>();
            // OKX marks every chain's address selected; ccxt drops unselected rows.
            json!({"addr": addr, "ccy": c.ccy, "chain": c.chain, "ctAddr": ct, "selected": true, "to": "6", "verifiedName": ""})
        })
        .collect();
    if rows.is_empty() {
        return Err(ApiError::invalid_param("ccy"));
    }
    Ok(Okx(rows))
}

/// GET /api/v5/asset/deposit-history: newest first.
pub(crate) async fn deposit_history(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    let page = Page::of(&params)?;
    let (exchange, acct, _now) = venue(&state, &auth)?;
    let rows = exchange.accounts[acct]
        .funding
        .deposits
        .iter()
        .rev()
        .filter(|d| params.get("ccy").is_none_or(|c| d.ccy == c) && params.get("depId").is_none_or(|id| d.dep_id.to_string() == id))
        .filter(|d| params.get("txId").is_none_or(|t| d.tx_id == t) && params.get("type").is_none_or(|t| t == "4"))
        .filter(|d| params.get("state").is_none_or(|s| s == if d.credited { "2" } else { "0" }))
        .filter(|d| page.admits(d.ts))
        .take(page.limit)
        .map(|d| {
            json!({
                "actualDepBlkConfirm": if d.credited { d.confirmations.to_string() } else { "0".to_owned() }, "amt": num(d.amt), "areaCodeFrom": "",
                "ccy": d.ccy, "chain": d.chain, "depId": d.dep_id.to_string(), "from": "", "fromWdId": "",
                "state": if d.credited { "2" } else { "0" }, "to": d.to, "ts": d.ts.to_string(), "txId": d.tx_id,
            })
        })
        .collect();
    Ok(Okx(rows))
}

/// POST /api/v5/asset/withdrawal (Withdraw): only to verified address-book entries.
pub(crate) async fn withdrawal(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    bytes: Bytes,
) -> ApiResult<Value> {
    let fields = body::object(&bytes)?;
    let request = WithdrawalRequest {
        ccy: fields.required("ccy")?,
        amt: amount(&fields.required("amt")?)?,
        dest: fields.required("dest")?,
        to_addr: fields.required("toAddr")?,
        chain: fields.text("chain"),
        client_id: fields.text("clientId").unwrap_or_default(),
    };
    if auth.env == Env::Demo {
        return Err(ApiError::unavailable_in_demo(false));
    }
    let (mut exchange, acct, now) = venue(&state, &auth)?;
    let wd = exchange.withdraw(acct, &request, now)?;
    Ok(Okx(vec![
        json!({"amt": num(wd.amt), "ccy": wd.ccy, "chain": wd.chain, "clientId": wd.client_id, "wdId": wd.wd_id.to_string()}),
    ]))
}

/// GET /api/v5/asset/withdrawal-history: newest first, states on the exchange clock.
pub(crate) async fn withdrawal_history(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
) -> ApiResult<Value> {
    let page = Page::of(&params)?;
    let (exchange, acct, now) = venue(&state, &auth)?;
    let rows = exchange.accounts[acct]
        .funding
        .withdrawals
        .iter()
        .rev()
        .filter(|w| params.get("ccy").is_none_or(|c| w.ccy == c))
        .filter(|w| params.get("wdId").is_none_or(|id| w.wd_id.to_string() == id))
        .filter(|w| params.get("clientId").is_none_or(|c| w.client_id == c))
        .filter(|w| params.get("state").is_none_or(|s| w.state(now) == s))
        .filter(|w| params.get("txId").is_none_or(|t| w.tx_id(now) == t))
        .filter(|w| params.get("type").is_none_or(|t| w.dest == t))
        .filter(|w| page.admits(w.ts))
        .take(page.limit)
        .map(|w| {
            json!({
                "amt": num(w.amt), "areaCodeFrom": "", "areaCodeTo": "", "ccy": w.ccy, "chain": w.chain,
                "clientId": w.client_id, "fee": num(w.fee), "feeCcy": w.ccy, "from": "", "memo": "",
                "nonTradableAsset": false, "note": "", "pmtId": "", "state": w.state(now), "tag": "",
                "to": w.to_addr, "toAddrType": "1", "ts": w.ts.to_string(), "txId": w.tx_id(now), "wdId": w.wd_id.to_string(),
            })
        })
        .collect();
    Ok(Okx(rows))
}

/// POST /api/v5/asset/cancel-withdrawal (Trade): only while it waits (state 0).
pub(crate) async fn cancel_withdrawal(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    bytes: Bytes,
) -> ApiResult<Value> {
    let fields = body::object(&bytes)?;
    let wd_id = fields.required("wdId")?;
    let (mut exchange, acct, now) = venue(&state, &auth)?;
    let id = exchange.cancel_withdrawal(acct, &wd_id, now)?;
    Ok(Okx(vec![json!({"wdId": id.to_string()})]))
}
