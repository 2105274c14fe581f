//! The one place routes are assembled: public routes, private routes behind
//! the gate for their permission, and OKX's answers for unknown paths and methods.

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::api::{asset, market, public};
use crate::auth::require_read;
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
        .route("/api/v5/market/trades", get(market::trades));

    // route_layer: the gate runs only for requests that matched one of these
    // routes, so an unknown path is a 404 and not an authentication error.
    let private_read = Router::new()
        .route("/api/v5/asset/currencies", get(asset::currencies))
        .route_layer(from_fn_with_state(state.clone(), require_read));

    Router::new()
        .merge(public)
        .merge(private_read)
        .fallback(|| async { ApiError::NotFound.into_response() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed().into_response() })
        .with_state(state)
}
