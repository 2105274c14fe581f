//! Account endpoints on the wire: balance, positions, config, bills.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::num;
use crate::auth::ApiKey;
use crate::exchange::CtType;
use crate::exchange::account::{Account, Bill};
use crate::exchange::positions::ClosedPosition;
use crate::exchange::views::{CcyView, MMR_RATE, PositionView};

/// One `details[]` entry of account/balance.
fn balance_detail(v: &CcyView, now: i64) -> Value {
    let frozen = v.ord_frozen + v.pos_margin;
    json!({
        "accAvgPx": "", "autoLendMtAmt": "0", "autoLendStatus": "off", "availBal": num(v.avail),
        "availEq": num(v.avail), "borrowFroz": "", "cashBal": num(v.cash), "ccy": v.ccy,
        "clSpotInUseAmt": "", "colBorrAutoConversion": "0", "colRes": "0", "collateralEnabled": false,
        "collateralRestrict": false, "crossLiab": "", "disEq": num(v.eq_usd), "eq": num(v.eq),
        "eqUsd": num(v.eq_usd.round_dp(8)), "fixedBal": "0", "frozenBal": num(frozen), "frpType": "0",
        "imr": num(v.pos_margin), "interest": "", "isoEq": "0", "isoLiab": "", "isoUpl": "0", "liab": "",
        "maxLoan": "", "maxSpotInUse": "", "mgnRatio": "", "mmr": "",
        "notionalLever": "", "openAvgPx": "", "ordFrozen": num(v.ord_frozen), "rewardBal": "0",
        "smtSyncEq": "0", "spotBal": "", "spotCopyTradingEq": "0", "spotInUseAmt": "", "spotIsoBal": "0",
        "spotUpl": "", "spotUplRatio": "", "stgyEq": "0", "totalPnl": "", "totalPnlRatio": "", "twap": "0",
        "uTime": now.to_string(), "upl": num(v.upl), "uplLiab": "",
    })
}

/// The one object of account/balance.
pub(crate) fn balance_row(views: &[CcyView], now: i64) -> Value {
    let total: Decimal = views.iter().map(|v| v.eq_usd).sum();
    let frozen_usd: Decimal = views
        .iter()
        .filter(|v| !v.eq.is_zero())
        .map(|v| v.ord_frozen * v.eq_usd / v.eq)
        .sum();
    let upl_usd: Decimal = views
        .iter()
        .filter(|v| !v.eq.is_zero())
        .map(|v| v.upl * v.eq_usd / v.eq)
        .sum();
    json!({
        "adjEq": "", "availEq": num((total - frozen_usd).round_dp(8)), "borrowFroz": "",
        "delta": "", "deltaLever": "", "deltaNeutralStatus": "0",
        "details": views.iter().map(|v| balance_detail(v, now)).collect::<Vec<_>>(),
        "imr": "", "isoEq": "0", "mgnRatio": "", "mmr": "", "notionalUsd": "", "notionalUsdForBorrow": "",
        "notionalUsdForFutures": "", "notionalUsdForOption": "", "notionalUsdForSwap": "",
        "ordFroz": num(frozen_usd.round_dp(8)), "totalEq": num(total.round_dp(8)), "uTime": now.to_string(),
        "upl": num(upl_usd.round_dp(8)),
    })
}

/// One row of account/positions.
pub(crate) fn position_row(v: &PositionView) -> Value {
    let p = &v.position;
    let upl = p.upl(v.mark);
    let ratio = if p.margin.is_zero() {
        Decimal::ZERO
    } else {
        upl / p.margin
    };
    let cross = p.mgn_mode == crate::exchange::orders::MgnMode::Cross;
    json!({
        "adl": "1", "availPos": if cross { "".to_owned() } else { num(p.size()) }, "avgPx": num(p.avg_px.round_dp(8)),
        "baseBal": "", "baseBorrowed": "", "baseInterest": "", "bePx": "", "bizRefId": "", "bizRefType": "",
        "cTime": p.c_time.to_string(), "ccy": p.settle_ccy, "clSpotInUseAmt": "", "closeOrderAlgo": [],
        "deltaBS": "", "deltaPA": "", "fee": num(p.fee), "fundingFee": "0", "gammaBS": "", "gammaPA": "",
        "hedgedPos": "", "idxPx": num(v.mark), "imr": if cross { num(p.margin) } else { String::new() },
        "instId": p.inst_id, "instType": p.inst_type.as_str(), "interest": "", "last": num(v.mark),
        "lever": num(p.lever), "liab": "", "liabCcy": "", "liqPenalty": "0", "liqPx": "",
        "margin": if cross { String::new() } else { num(p.margin) }, "markPx": num(v.mark),
        "maxSpotInUseAmt": "", "mgnMode": p.mgn_mode.as_str(), "mgnRatio": "",
        "mmr": num((v.notional_usd * MMR_RATE).round_dp(8)), "nonSettleAvgPx": num(p.avg_px.round_dp(8)),
        "notionalUsd": num(v.notional_usd.round_dp(8)), "optVal": "", "pendingCloseOrdLiabVal": "",
        "pnl": num(p.pnl), "pos": num(p.pos), "posCcy": "", "posId": p.pos_id.to_string(),
        "posSide": p.pos_side.as_str(), "quoteBal": "", "quoteBorrowed": "", "quoteInterest": "",
        "realizedPnl": num(p.pnl + p.fee), "settledPnl": "0", "spotInUseAmt": "", "spotInUseCcy": "",
        "thetaBS": "", "thetaPA": "", "tradeId": trade_id(p.trade_id), "uTime": p.u_time.to_string(),
        "upl": num(upl.round_dp(8)), "uplLastPx": num(upl.round_dp(8)), "uplRatio": num(ratio.round_dp(8)),
        "uplRatioLastPx": num(ratio.round_dp(8)), "usdPx": "", "vegaBS": "", "vegaPA": "",
    })
}

/// One row of account/positions-history.
pub(crate) fn closed_position_row(c: &ClosedPosition, uly: &str) -> Value {
    let p = &c.position;
    // PnL over the initial margin of the largest size the position reached.
    let face = p.open_max_pos * p.ct_val;
    let margin = match p.ct_type {
        CtType::Linear => face * p.avg_px / p.lever,
        CtType::Inverse => face / p.avg_px / p.lever,
    };
    let ratio = if margin.is_zero() {
        Decimal::ZERO
    } else {
        p.pnl / margin
    };
    json!({
        "cTime": p.c_time.to_string(), "ccy": p.settle_ccy, "closeAvgPx": num(c.close_avg_px.round_dp(8)),
        "closeTotalPos": num(p.close_total_pos), "direction": if c.long { "long" } else { "short" },
        "fee": num(p.fee), "fundingFee": "0", "instId": p.inst_id, "instType": p.inst_type.as_str(),
        "lever": num(p.lever), "liqPenalty": "0", "mgnMode": p.mgn_mode.as_str(), "nonSettleAvgPx": num(p.avg_px.round_dp(8)),
        "openAvgPx": num(p.avg_px.round_dp(8)), "openMaxPos": num(p.open_max_pos), "pnl": num(p.pnl),
        "pnlRatio": num(ratio.round_dp(8)), "posId": p.pos_id.to_string(), "posSide": p.pos_side.as_str(),
        "realizedPnl": num(p.pnl + p.fee), "settledPnl": "0", "triggerPx": "", "type": "2",
        "uTime": p.u_time.to_string(), "uly": uly,
    })
}

/// The one object of account/config.
pub(crate) fn config_row(account: &Account, key: &ApiKey) -> Value {
    let perms: Vec<&str> = key.perms.iter().map(|p| p.as_str()).collect();
    let ips: Vec<String> = key.ips.iter().map(|ip| ip.to_string()).collect();
    json!({
        "acctLv": account.acct_lv.as_str(), "acctStpMode": "cancel_maker", "autoLoan": false,
        "ctIsoMode": "automatic", "discountType": "", "enableSpotBorrow": false, "feeType": "0",
        "greeksType": "PA", "ip": ips.join(","), "kycLv": "2", "label": key.label, "level": "Lv1",
        "levelTmp": "", "liquidationGear": "-1", "mainUid": account.uid, "mgnIsoMode": "automatic",
        "opAuth": "0", "perm": perms.join(","), "posMode": account.pos_mode.as_str(), "roleType": "0",
        "settleCcy": "", "settleCcyList": [], "spotBorrowAutoRepay": false, "spotOffsetType": "",
        "spotRoleType": "0", "spotTraderInsts": [], "stgyType": "0", "traderInsts": [], "type": "0",
        "uid": account.uid,
    })
}

/// One row of account/bills.
pub(crate) fn bill_row(b: &Bill) -> Value {
    json!({
        "bal": num(b.bal), "balChg": num(b.bal_chg), "billId": b.bill_id.to_string(), "ccy": b.ccy,
        "clOrdId": b.cl_ord_id, "execType": b.exec_type, "fee": num(b.fee), "fillFwdPx": "",
        "fillIdxPx": "", "fillMarkPx": "", "fillMarkVol": "", "fillPxUsd": "", "fillPxVol": "",
        "fillTime": b.ts.to_string(), "from": "", "instId": b.inst_id, "instType": b.inst_type,
        "interest": "0", "mgnMode": b.mgn_mode, "notes": "", "ordId": b.ord_id.to_string(),
        "pnl": num(b.pnl), "posBal": "0", "posBalChg": "0", "px": num(b.px), "subType": b.sub_type,
        "sz": num(b.sz), "tag": "", "to": "", "tradeId": b.trade_id.to_string(), "ts": b.ts.to_string(),
        "type": b.kind,
    })
}

/// A position's `tradeId`: the last trade that moved it, "" before any.
pub(crate) fn trade_id(id: i64) -> String {
    if id == 0 {
        String::new()
    } else {
        id.to_string()
    }
}
