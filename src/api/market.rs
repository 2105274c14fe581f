//! Market-data endpoints: tickers, order books, candles and trades.

use axum::extract::State;

use super::public::inst_type;
use super::{in_family, instrument};
use crate::error::ApiError;
use crate::exchange::{BarSize, CandleQuery};
use crate::state::AppState;
use crate::wire::envelope::{ApiResult, Okx};
use crate::wire::market::{BookRow, TickerRow, TradeRow, candle_row, has_tickers};
use crate::wire::params::Params;

/// GET /api/v5/market/ticker.
pub(crate) async fn ticker(State(state): State<AppState>, params: Params) -> ApiResult<TickerRow> {
    let now = state.clock.now_ms();
    let mut exchange = state.exchange();
    let inst = instrument(&exchange, &params)?;
    let view = exchange.ticker(&inst, now);
    Ok(Okx(vec![TickerRow::new(&inst, &view, now)]))
}

/// GET /api/v5/market/tickers: every instrument of a type (no MARGIN, as OKX).
pub(crate) async fn tickers(State(state): State<AppState>, params: Params) -> ApiResult<TickerRow> {
    let inst_type = inst_type(&params)?;
    if !has_tickers(inst_type) {
        return Err(ApiError::invalid_param("instType"));
    }
    let now = state.clock.now_ms();
    let mut exchange = state.exchange();
    let chosen: Vec<_> = exchange
        .instruments()
        .of_type(inst_type)
        .filter(|inst| in_family(inst, &params))
        .cloned()
        .collect();
    let rows = chosen
        .iter()
        .map(|inst| TickerRow::new(inst, &exchange.ticker(inst, now), now))
        .collect();
    Ok(Okx(rows))
}

/// GET /api/v5/market/books: `sz` levels a side, default 1, at most 400.
pub(crate) async fn books(State(state): State<AppState>, params: Params) -> ApiResult<BookRow> {
    let now = state.clock.now_ms();
    let mut exchange = state.exchange();
    let inst = instrument(&exchange, &params)?;
    let depth = params.count("sz", 1, 400)?;
    let (bids, asks) = exchange.order_book(&inst, depth, now);
    Ok(Okx(vec![BookRow::new(&bids, &asks, now)]))
}

/// GET /api/v5/market/candles: the newest 1 440 bars, `limit` at most 300.
pub(crate) async fn candles(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<[String; 9]> {
    candles_of(state, params, true)
}

/// GET /api/v5/market/history-candles: older bars too (and `1s`), `limit` at most 100.
pub(crate) async fn history_candles(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<[String; 9]> {
    candles_of(state, params, false)
}

fn candles_of(state: AppState, params: Params, recent_only: bool) -> ApiResult<[String; 9]> {
    params.required("instId")?;
    let size = BarSize::parse(params.get("bar").unwrap_or("1m"))
        .filter(|size| !(recent_only && size.is_one_second()))
        .ok_or_else(|| ApiError::invalid_param("bar"))?;
    let now = state.clock.now_ms();
    // Cursors far outside the tape mean "nothing older" / "everything newer";
    // clamping them keeps the bar arithmetic inside the calendar.
    let after: Option<i64> = params.parsed("after")?;
    let before: Option<i64> = params.parsed("before")?;
    if after.is_some_and(|a| a <= 0) {
        return Ok(Okx(Vec::new()));
    }
    let query = CandleQuery {
        after: after.map(|a| a.min(now.saturating_add(1))),
        before: before.map(|b| b.clamp(-1, now)),
        // history-candles pages 100 at most (OKX's docs for that endpoint).
        limit: params.count("limit", 100, if recent_only { 300 } else { 100 })?,
        recent_only,
    };
    let mut exchange = state.exchange();
    let inst = instrument(&exchange, &params)?;
    let candles = exchange.candles(&inst, size, now, query);
    Ok(Okx(candles.iter().map(candle_row).collect()))
}

/// GET /api/v5/market/trades: the newest trades, `limit` at most 500.
pub(crate) async fn trades(State(state): State<AppState>, params: Params) -> ApiResult<TradeRow> {
    let now = state.clock.now_ms();
    let mut exchange = state.exchange();
    let inst = instrument(&exchange, &params)?;
    let limit = params.count("limit", 100, 500)?;
    let trades = exchange.trades(&inst, limit, now);
    Ok(Okx(trades
        .iter()
        .map(|t| TradeRow::new(&inst, t))
        .collect()))
}
