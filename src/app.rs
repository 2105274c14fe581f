//! The one place routes are assembled: public routes, private routes behind
//! the gate for their permission, and OKX's answers for unknown paths and methods.

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::api::{account, algo, asset, funding, market, public, trade};
use crate::auth::{require_read, require_trade, require_withdraw};
use crate::error::ApiError;
use crate::state::AppState;

/// The full REST router over `state`.
pub(crate) fn app(state: AppState) -> Router {
    let public = Router::new()
        .route("/api/v5/public/time", get(public::time))
        .route("/api/v5/public/instruments", get(public::instruments))
        .route("/api/v5/public/mark-price", get(public::mark_price))
        .route("/api/v5/public/funding-rate", get(public::funding_rate))
        .route("/api/v5/public/price-limit", get(public::price_limit))
        .route(
            "/api/v5/public/convert-contract-coin",
            get(public::convert_contract_coin),
        )
        .route("/api/v5/system/status", get(public::system_status))
        .route("/api/v5/market/ticker", get(market::ticker))
        .route("/api/v5/market/tickers", get(market::tickers))
        .route("/api/v5/market/books", get(market::books))
        .route("/api/v5/market/candles", get(market::candles))
        .route(
            "/api/v5/market/history-candles",
            get(market::history_candles),
        )
        .route("/api/v5/market/trades", get(market::trades))
        .route_layer(from_fn_with_state(state.clone(), crate::ratelimit::limit));

    // route_layer: the gate runs only for requests that matched one of these
    // routes, so an unknown path is a 404 and not an authentication error.
    let private_read = Router::new()
        .route("/api/v5/asset/currencies", get(asset::currencies))
        .route("/api/v5/trade/order", get(trade::get_order))
        .route("/api/v5/trade/orders-pending", get(trade::orders_pending))
        .route("/api/v5/trade/orders-history", get(trade::orders_history))
        .route(
            "/api/v5/trade/orders-history-archive",
            get(trade::orders_history_archive),
        )
        .route("/api/v5/trade/fills", get(trade::fills))
        .route("/api/v5/trade/order-algo", get(algo::get_algo))
        .route(
            "/api/v5/trade/orders-algo-pending",
            get(algo::algos_pending),
        )
        .route(
            "/api/v5/trade/orders-algo-history",
            get(algo::algos_history),
        )
        .route("/api/v5/trade/fills-history", get(trade::fills_history))
        .route("/api/v5/account/balance", get(account::balance))
        .route("/api/v5/account/positions", get(account::positions))
        .route(
            "/api/v5/account/positions-history",
            get(account::positions_history),
        )
        .route("/api/v5/account/config", get(account::config))
        .route("/api/v5/account/leverage-info", get(account::leverage_info))
        .route("/api/v5/account/max-size", get(account::max_size))
        .route(
            "/api/v5/account/max-avail-size",
            get(account::max_avail_size),
        )
        .route("/api/v5/account/trade-fee", get(account::trade_fee))
        .route("/api/v5/account/bills", get(account::bills))
        .route("/api/v5/asset/balances", get(funding::balances))
        .route("/api/v5/asset/transfer-state", get(funding::transfer_state))
        .route(
            "/api/v5/asset/deposit-address",
            get(funding::deposit_address_rows),
        )
        .route(
            "/api/v5/asset/deposit-history",
            get(funding::deposit_history),
        )
        .route(
            "/api/v5/asset/withdrawal-history",
            get(funding::withdrawal_history),
        )
        .route_layer(from_fn_with_state(state.clone(), require_read));

    let private_trade = Router::new()
        .route("/api/v5/trade/order", post(trade::place_order))
        .route("/api/v5/trade/batch-orders", post(trade::batch_orders))
        .route("/api/v5/trade/cancel-order", post(trade::cancel_order))
        .route(
            "/api/v5/trade/cancel-batch-orders",
            post(trade::cancel_batch_orders),
        )
        .route("/api/v5/trade/amend-order", post(trade::amend_order))
        .route(
            "/api/v5/trade/amend-batch-orders",
            post(trade::amend_batch_orders),
        )
        .route("/api/v5/trade/close-position", post(trade::close_position))
        .route("/api/v5/trade/order-algo", post(algo::place_algo))
        .route("/api/v5/trade/cancel-algos", post(algo::cancel_algos))
        .route("/api/v5/trade/amend-algos", post(algo::amend_algos))
        .route(
            "/api/v5/account/set-position-mode",
            post(account::set_position_mode),
        )
        .route("/api/v5/account/set-leverage", post(account::set_leverage))
        .route("/api/v5/asset/transfer", post(funding::transfer))
        .route(
            "/api/v5/asset/cancel-withdrawal",
            post(funding::cancel_withdrawal),
        )
        .route_layer(from_fn_with_state(state.clone(), require_trade));

    let private_withdraw = Router::new()
        .route("/api/v5/asset/withdrawal", post(funding::withdrawal))
        .route_layer(from_fn_with_state(state.clone(), require_withdraw));

    Router::new()
        .merge(crate::admin::routes(state.clone()))
        .merge(private_withdraw)
        .merge(public)
        .merge(private_read)
        .merge(private_trade)
        .merge(crate::ws::routes())
        .fallback(|| async { ApiError::NotFound.into_response() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed().into_response() })
        .layer(from_fn_with_state(state.clone(), crate::journal::record))
        .with_state(state)
}
