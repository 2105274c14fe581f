//! Response rows of the public market-data and reference endpoints.

use serde::Serialize;

use super::{num, opt_num};
use crate::exchange::{
    Candle, Currency, FundingView, InstType, Instrument, Level, TickerView, Trade,
};

/// One row of public/instruments, with every field OKX returns.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InstrumentRow {
    alias: String,
    auction_end_time: String,
    base_ccy: String,
    category: &'static str,
    cont_td_sw_time: String,
    ct_mult: String,
    ct_type: &'static str,
    ct_val: String,
    ct_val_ccy: String,
    exp_time: String,
    future_settlement: bool,
    group_id: &'static str,
    inst_category: &'static str,
    inst_family: String,
    inst_id: String,
    inst_id_code: Option<i64>,
    inst_type: &'static str,
    lever: String,
    list_time: String,
    long_pos_remaining_quota: &'static str,
    lot_sz: String,
    max_iceberg_sz: String,
    max_lmt_amt: String,
    max_lmt_sz: String,
    max_mkt_amt: String,
    max_mkt_sz: String,
    max_plat_o_i_lmt: String,
    max_stop_sz: String,
    max_trigger_sz: String,
    max_twap_sz: String,
    min_sz: String,
    open_type: String,
    opt_type: String,
    pos_lmt_amt: String,
    pos_lmt_pct: String,
    pre_mkt_sw_time: String,
    quote_ccy: String,
    rule_type: &'static str,
    series_id: &'static str,
    settle_ccy: String,
    short_pos_remaining_quota: &'static str,
    state: String,
    stk: String,
    tick_sz: String,
    trade_quote_ccy_list: Vec<String>,
    uly: String,
    upc_chg: [(); 0],
}

impl InstrumentRow {
    pub(crate) fn new(inst: &Instrument) -> Self {
        let contract = inst.contract.as_ref();
        let spot_like = !inst.inst_type.is_derivative();
        let text = |s: &str| s.to_owned();
        Self {
            alias: inst.alias.clone(),
            auction_end_time: String::new(),
            base_ccy: if spot_like {
                text(&inst.base_ccy)
            } else {
                String::new()
            },
            category: "1",
            cont_td_sw_time: String::new(),
            ct_mult: contract.map(|c| num(c.ct_mult)).unwrap_or_default(),
            ct_type: contract.map_or("", |c| c.ct_type.as_str()),
            ct_val: contract.map(|c| num(c.ct_val)).unwrap_or_default(),
            ct_val_ccy: contract.map(|c| c.ct_val_ccy.clone()).unwrap_or_default(),
            exp_time: inst.exp_time.map(|t| t.to_string()).unwrap_or_default(),
            future_settlement: false,
            // Fee groups: 1 for spot and margin, 1 for USDT-margined, 4 for
            // coin-margined contracts (OKX's own grouping).
            group_id: match contract.map(|c| c.ct_type) {
                Some(crate::exchange::CtType::Inverse) => "4",
                _ => "1",
            },
            inst_category: "1",
            inst_family: text(inst.inst_family()),
            inst_id: inst.inst_id.clone(),
            inst_id_code: inst.inst_id_code,
            inst_type: inst.inst_type.as_str(),
            lever: inst.lever.clone(),
            list_time: inst.list_time.to_string(),
            long_pos_remaining_quota: "",
            lot_sz: num(inst.lot_sz),
            max_iceberg_sz: num(inst.max_algo_sz),
            max_lmt_amt: num(inst.max_lmt_amt),
            max_lmt_sz: num(inst.max_lmt_sz),
            max_mkt_amt: num(inst.max_mkt_amt),
            max_mkt_sz: num(inst.max_mkt_sz),
            max_plat_o_i_lmt: String::new(),
            max_stop_sz: num(inst.max_mkt_sz),
            max_trigger_sz: num(inst.max_algo_sz),
            max_twap_sz: num(inst.max_algo_sz),
            min_sz: num(inst.min_sz),
            open_type: String::new(),
            opt_type: String::new(),
            pos_lmt_amt: String::new(),
            pos_lmt_pct: String::new(),
            pre_mkt_sw_time: String::new(),
            quote_ccy: if spot_like {
                text(&inst.quote_ccy)
            } else {
                String::new()
            },
            rule_type: "normal",
            series_id: "",
            settle_ccy: text(inst.settle_ccy()),
            short_pos_remaining_quota: "",
            state: inst.state.clone(),
            stk: String::new(),
            tick_sz: num(inst.tick_sz),
            trade_quote_ccy_list: if spot_like {
                vec![inst.quote_ccy.clone()]
            } else {
                Vec::new()
            },
            uly: text(inst.uly()),
            upc_chg: [],
        }
    }
}

/// One row of market/ticker and market/tickers.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TickerRow {
    inst_type: &'static str,
    inst_id: String,
    last: String,
    last_sz: String,
    ask_px: String,
    ask_sz: String,
    bid_px: String,
    bid_sz: String,
    open24h: String,
    high24h: String,
    low24h: String,
    vol_ccy24h: String,
    vol24h: String,
    sod_utc0: String,
    sod_utc8: String,
    ts: String,
}

impl TickerRow {
    pub(crate) fn new(inst: &Instrument, view: &TickerView, now: i64) -> Self {
        let day = view.day.as_ref();
        Self {
            inst_type: inst.inst_type.as_str(),
            inst_id: inst.inst_id.clone(),
            last: opt_num(view.last.map(|t| t.px)),
            last_sz: opt_num(view.last.map(|t| t.sz)),
            ask_px: opt_num(view.ask.map(|l| l.px)),
            ask_sz: opt_num(view.ask.map(|l| l.sz)),
            bid_px: opt_num(view.bid.map(|l| l.px)),
            bid_sz: opt_num(view.bid.map(|l| l.sz)),
            open24h: opt_num(day.map(|b| b.open)),
            high24h: opt_num(day.map(|b| b.high)),
            low24h: opt_num(day.map(|b| b.low)),
            vol_ccy24h: opt_num(day.map(|b| b.vol_ccy)),
            vol24h: opt_num(day.map(|b| b.vol)),
            sod_utc0: opt_num(view.sod_utc0),
            sod_utc8: opt_num(view.sod_utc8),
            ts: now.to_string(),
        }
    }
}

/// The object of market/books: levels are `[px, sz, "0", orders]`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BookRow {
    asks: Vec<[String; 4]>,
    bids: Vec<[String; 4]>,
    ts: String,
    seq_id: i64,
}

impl BookRow {
    pub(crate) fn new(bids: &[Level], asks: &[Level], now: i64) -> Self {
        let row = |l: &Level| [num(l.px), num(l.sz), "0".to_owned(), l.orders.to_string()];
        Self {
            asks: asks.iter().map(row).collect(),
            bids: bids.iter().map(row).collect(),
            ts: now.to_string(),
            // The synthetic book changes with the clock; its sequence follows it.
            seq_id: now,
        }
    }
}

/// A candle row: `[ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm]`.
pub(crate) fn candle_row(candle: &Candle) -> [String; 9] {
    let bar = &candle.bar;
    [
        candle.ts.to_string(),
        num(bar.open),
        num(bar.high),
        num(bar.low),
        num(bar.close),
        num(bar.vol),
        num(bar.vol_ccy),
        num(bar.vol_ccy_quote),
        if candle.confirmed { "1" } else { "0" }.to_owned(),
    ]
}

/// One row of market/trades.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TradeRow {
    inst_id: String,
    side: &'static str,
    sz: String,
    px: String,
    source: &'static str,
    trade_id: String,
    ts: String,
}

impl TradeRow {
    pub(crate) fn new(inst: &Instrument, trade: &Trade) -> Self {
        Self {
            inst_id: inst.inst_id.clone(),
            side: trade.side.as_str(),
            sz: num(trade.sz),
            px: num(trade.px),
            source: "0",
            trade_id: trade.trade_id.to_string(),
            ts: trade.ts.to_string(),
        }
    }
}

/// One row of asset/currencies.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CurrencyRow {
    burning_fee_rate: &'static str,
    can_dep: bool,
    can_internal: bool,
    can_wd: bool,
    ccy: String,
    chain: String,
    ct_addr: String,
    dep_est_open_time: &'static str,
    dep_quota_fixed: &'static str,
    dep_quote_daily_layer2: &'static str,
    fee: String,
    logo_link: String,
    main_net: bool,
    max_fee: String,
    max_fee_for_ct_addr: String,
    max_wd: String,
    min_dep: String,
    min_dep_arrival_confirm: String,
    min_fee: String,
    min_fee_for_ct_addr: String,
    min_internal: String,
    min_wd: String,
    min_wd_unlock_confirm: String,
    name: String,
    need_tag: bool,
    used_dep_quota_fixed: &'static str,
    used_wd_quota: &'static str,
    wd_est_open_time: &'static str,
    wd_quota: &'static str,
    wd_tick_sz: String,
}

impl CurrencyRow {
    pub(crate) fn new(c: &Currency) -> Self {
        Self {
            burning_fee_rate: "",
            can_dep: c.can_dep,
            can_internal: c.can_internal,
            can_wd: c.can_wd,
            ccy: c.ccy.clone(),
            chain: c.chain.clone(),
            ct_addr: c.ct_addr.clone(),
            dep_est_open_time: "",
            dep_quota_fixed: "",
            dep_quote_daily_layer2: "",
            fee: num(c.fee),
            logo_link: String::new(),
            main_net: c.main_net,
            max_fee: num(c.fee),
            max_fee_for_ct_addr: num(c.fee),
            max_wd: num(c.max_wd),
            min_dep: num(c.min_dep),
            min_dep_arrival_confirm: c.min_dep_arrival_confirm.to_string(),
            min_fee: num(c.fee),
            min_fee_for_ct_addr: num(c.fee),
            min_internal: num(c.min_wd),
            min_wd: num(c.min_wd),
            min_wd_unlock_confirm: c.min_wd_unlock_confirm.to_string(),
            name: c.name.clone(),
            need_tag: c.need_tag,
            used_dep_quota_fixed: "",
            used_wd_quota: "0",
            wd_est_open_time: "",
            wd_quota: "10000000",
            wd_tick_sz: c.wd_tick_sz.to_string(),
        }
    }
}

/// `{instType, instId, markPx, ts}` of public/mark-price.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MarkPriceRow {
    pub(crate) inst_type: &'static str,
    pub(crate) inst_id: String,
    pub(crate) mark_px: String,
    pub(crate) ts: String,
}

/// `{instType, instId, buyLmt, sellLmt, ts, enabled}` of public/price-limit.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PriceLimitRow {
    pub(crate) inst_type: &'static str,
    pub(crate) inst_id: String,
    pub(crate) buy_lmt: String,
    pub(crate) sell_lmt: String,
    pub(crate) ts: String,
    pub(crate) enabled: bool,
}

/// One row of public/funding-rate.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FundingRateRow {
    pub(crate) formula_type: &'static str,
    pub(crate) funding_rate: String,
    pub(crate) funding_time: String,
    pub(crate) impact_value: &'static str,
    pub(crate) inst_id: String,
    pub(crate) inst_type: &'static str,
    pub(crate) interest_rate: &'static str,
    pub(crate) max_funding_rate: &'static str,
    pub(crate) method: &'static str,
    pub(crate) min_funding_rate: &'static str,
    pub(crate) next_funding_rate: &'static str,
    pub(crate) next_funding_time: String,
    pub(crate) premium: &'static str,
    pub(crate) sett_funding_rate: String,
    pub(crate) sett_state: &'static str,
    pub(crate) ts: String,
}

impl FundingRateRow {
    /// The row of perpetual `inst_id` under `funding` at `now`.
    pub(crate) fn new(inst_id: String, funding: &FundingView, now: i64) -> Self {
        Self {
            formula_type: "withRate",
            funding_rate: num(funding.rate),
            funding_time: funding.funding_time.to_string(),
            impact_value: "",
            inst_id,
            inst_type: "SWAP",
            interest_rate: "0.0001",
            max_funding_rate: "0.0075",
            method: "current_period",
            min_funding_rate: "-0.0075",
            next_funding_rate: "",
            next_funding_time: funding.next_funding_time.to_string(),
            premium: "0",
            sett_funding_rate: num(funding.settled_rate),
            sett_state: "settled",
            ts: now.to_string(),
        }
    }
}

/// `{type, instId, px, sz, unit}` of public/convert-contract-coin.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConvertRow {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) inst_id: String,
    pub(crate) px: String,
    pub(crate) sz: String,
    pub(crate) unit: &'static str,
}

/// `{ts}` of public/time.
#[derive(Serialize)]
pub(crate) struct TimeRow {
    pub(crate) ts: String,
}

/// Whether market/tickers serves this type (OKX has no MARGIN tickers).
pub(crate) fn has_tickers(inst_type: InstType) -> bool {
    inst_type != InstType::Margin
}
