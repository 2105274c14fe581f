//! Private channels: what the venue's events mean for one logged-in
//! connection. Orders and algo orders are pushed as the event's own copy
//! (so every state is seen, in order); account, positions and
//! balance_and_position are read from the venue once per batch of events.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::channels::{Arg, Channel};
use crate::exchange::events::{AccountReason, VenueEvent};
use crate::exchange::trading::AccountId;
use crate::exchange::views::PositionView;
use crate::exchange::{Exchange, Instrument};
use crate::wire::account::{balance_row, position_row};
use crate::wire::algo::algo_row;
use crate::wire::num;
use crate::wire::trade::{order_row, shown_type};

/// The account a connection logged in for.
#[derive(Debug, Clone)]
pub(crate) struct Login {
    pub(crate) acct: AccountId,
    pub(crate) uid: String,
    pub(crate) api_key: String,
}

/// The pushes a batch of events owes one connection's private subscriptions.
pub(crate) fn pushes(
    events: &[VenueEvent],
    login: &Login,
    subs: &[&Arg],
    exchange: &mut Exchange,
    now: i64,
) -> Vec<Value> {
    let mut out = Vec::new();
    let mut touched = false;
    let mut reasons = BTreeSet::new();
    let mut moved: BTreeSet<String> = BTreeSet::new();
    let mut trades: Vec<(String, i64)> = Vec::new();
    for event in events {
        match event {
            VenueEvent::Order {
                acct,
                order,
                fill,
                amended,
            } if *acct == login.acct => {
                let Some(inst) = exchange.instruments().by_id(&order.inst_id).cloned() else {
                    continue;
                };
                let shown = shown_type(order).as_str();
                for arg in subs.iter().filter(|a| a.channel == Channel::Orders) {
                    if arg.admits(&order.inst_id, shown, inst.inst_family()) {
                        let mut row = order_row(order, &inst);
                        add_fill_fields(&mut row, fill.as_ref(), *amended, &order.fee_ccy);
                        out.push(push(arg, login, json!([row])));
                    }
                }
                if let Some(fill) = fill {
                    trades.push((order.inst_id.clone(), fill.trade_id));
                }
            }
            VenueEvent::Algo { acct, algo } if *acct == login.acct => {
                let Some(inst) = exchange.instruments().by_id(&algo.inst_id).cloned() else {
                    continue;
                };
                for arg in subs.iter().filter(|a| a.channel == Channel::OrdersAlgo) {
                    if arg.admits(&algo.inst_id, algo.inst_type.as_str(), inst.inst_family()) {
                        out.push(push(arg, login, json!([algo_row(algo, &inst)])));
                    }
                }
            }
            VenueEvent::Account {
                acct,
                reason,
                inst_id,
            } if *acct == login.acct => {
                touched = true;
                reasons.insert(reason.as_str());
                moved.extend(inst_id.clone());
            }
            _ => {}
        }
    }
    if !touched {
        return out;
    }
    for arg in subs {
        match arg.channel {
            Channel::Account => {
                out.push(account_push(arg, login, exchange, now, "event_update"));
            }
            Channel::Positions if !moved.is_empty() => {
                let rows = position_rows(arg, login, exchange, now, Some(&moved));
                if !rows.is_empty() {
                    let mut message = push(arg, login, json!(rows));
                    message["eventType"] = json!("event_update");
                    out.push(message);
                }
            }
            Channel::BalanceAndPosition if reasons.iter().any(|r| *r != "snapshot") => {
                let reason = if reasons.contains(AccountReason::Filled.as_str()) {
                    "filled"
                } else {
                    "transferred"
                };
                out.push(balance_and_position(
                    arg, login, exchange, now, reason, &moved, &trades,
                ));
            }
            _ => {}
        }
    }
    out
}

/// What a private subscription shows at once: account, positions and
/// balance_and_position start with a snapshot; orders and orders-algo with nothing.
pub(crate) fn snapshot(
    arg: &Arg,
    login: &Login,
    exchange: &mut Exchange,
    now: i64,
) -> Option<Value> {
    match arg.channel {
        Channel::Account => Some(account_push(arg, login, exchange, now, "snapshot")),
        Channel::Positions => {
            let rows = position_rows(arg, login, exchange, now, None);
            let mut message = push(arg, login, json!(rows));
            message["eventType"] = json!("snapshot");
            message["curPage"] = json!(1);
            message["lastPage"] = json!(true);
            Some(message)
        }
        Channel::BalanceAndPosition => {
            let everything: BTreeSet<String> = exchange.accounts[login.acct]
                .positions
                .values()
                .map(|p| p.inst_id.clone())
                .collect();
            Some(balance_and_position(
                arg,
                login,
                exchange,
                now,
                "snapshot",
                &everything,
                &[],
            ))
        }
        _ => None,
    }
}

/// `{"arg": {..., "uid"}, "data": ...}`.
fn push(arg: &Arg, login: &Login, data: Value) -> Value {
    let mut shown = arg.raw.clone();
    shown["uid"] = json!(login.uid);
    json!({"arg": shown, "data": data})
}

/// The fields the orders channel adds to an order object.
fn add_fill_fields(
    row: &mut Value,
    fill: Option<&crate::exchange::events::FillNote>,
    amended: bool,
    fee_ccy: &str,
) {
    row["amendResult"] = json!(if amended { "0" } else { "" });
    row["code"] = json!("0");
    row["msg"] = json!("");
    row["reqId"] = json!("");
    row["amendSource"] = json!("");
    match fill {
        Some(fill) => {
            row["execType"] = json!(if fill.maker { "M" } else { "T" });
            row["fillFee"] = json!(num(fill.fee));
            row["fillFeeCcy"] = json!(fee_ccy);
            row["tradeId"] = json!(fill.trade_id.to_string());
        }
        None => {
            // Not a fill: the fill fields describe nothing.
            row["execType"] = json!("");
            row["fillFee"] = json!("0");
            row["fillFeeCcy"] = json!("");
            row["fillPx"] = json!("");
            row["fillSz"] = json!("0");
            row["fillTime"] = json!("");
            row["tradeId"] = json!("");
        }
    }
}

fn account_push(arg: &Arg, login: &Login, exchange: &mut Exchange, now: i64, kind: &str) -> Value {
    let mut views = exchange.balance_views(login.acct, now);
    views.retain(|v| arg.ccy.as_deref().is_none_or(|c| c == v.ccy));
    // OKX's account channel shows only currencies with a balance.
    views.retain(|v| !v.eq.is_zero() || !v.cash.is_zero());
    let mut message = push(arg, login, json!([balance_row(&views, now)]));
    message["eventType"] = json!(kind);
    message["curPage"] = json!(1);
    message["lastPage"] = json!(true);
    message
}

/// Position rows passing the argument's filters; with `only`, just those
/// instruments, and a closed position shows as a row with `pos` "0".
fn position_rows(
    arg: &Arg,
    login: &Login,
    exchange: &mut Exchange,
    now: i64,
    only: Option<&BTreeSet<String>>,
) -> Vec<Value> {
    let mut views = exchange.position_views(login.acct, now);
    if let Some(only) = only {
        views.retain(|v| only.contains(&v.position.inst_id));
        for inst_id in only {
            let open = views.iter().any(|v| &v.position.inst_id == inst_id);
            let closed = exchange.accounts[login.acct]
                .closed_positions
                .iter()
                .rev()
                .find(|c| &c.position.inst_id == inst_id);
            if let (false, Some(closed)) = (open, closed) {
                let mut position = closed.position.clone();
                position.pos = Decimal::ZERO;
                position.margin = Decimal::ZERO;
                position.u_time = now;
                views.push(PositionView {
                    mark: closed.close_avg_px,
                    position,
                    notional_usd: Decimal::ZERO,
                });
            }
        }
    }
    views
        .iter()
        .filter(|v| {
            let family = family_of(exchange, &v.position.inst_id);
            arg.admits(&v.position.inst_id, v.position.inst_type.as_str(), &family)
        })
        .map(position_row)
        .collect()
}

fn family_of(exchange: &Exchange, inst_id: &str) -> String {
    exchange
        .instruments()
        .by_id(inst_id)
        .map(Instrument::inst_family)
        .unwrap_or_default()
        .to_owned()
}

fn balance_and_position(
    arg: &Arg,
    login: &Login,
    exchange: &mut Exchange,
    now: i64,
    event_type: &str,
    moved: &BTreeSet<String>,
    trades: &[(String, i64)],
) -> Value {
    let account = &exchange.accounts[login.acct];
    let bal_data: Vec<Value> = account
        .balances
        .iter()
        .map(|(ccy, b)| json!({"ccy": ccy, "cashBal": num(b.cash), "uTime": now.to_string()}))
        .collect();
    let pos_data: Vec<Value> = account
        .positions
        .values()
        .filter(|p| moved.contains(&p.inst_id))
        .map(|p| {
            json!({
                "posId": p.pos_id.to_string(), "tradeId": crate::wire::account::trade_id(p.trade_id), "instId": p.inst_id,
                "instType": p.inst_type.as_str(), "mgnMode": p.mgn_mode.as_str(),
                "posSide": p.pos_side.as_str(), "pos": num(p.pos), "ccy": p.settle_ccy,
                "posCcy": "", "avgPx": num(p.avg_px.round_dp(8)),
                "nonSettleAvgPx": num(p.avg_px.round_dp(8)), "settledPnl": "0",
                "uTime": p.u_time.to_string(),
            })
        })
        .collect();
    let trades: Vec<Value> = trades
        .iter()
        .map(|(inst_id, id)| json!({"instId": inst_id, "tradeId": id.to_string()}))
        .collect();
    push(
        arg,
        login,
        json!([{
            "pTime": now.to_string(),
            "eventType": event_type,
            "balData": bal_data,
            "posData": pos_data,
            "trades": trades,
        }]),
    )
}
