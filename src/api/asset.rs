//! Funding-account endpoints.

use axum::Extension;
use axum::extract::State;

use crate::auth::{Authenticated, Env};
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::envelope::{ApiResult, Okx};
use crate::wire::market::CurrencyRow;
use crate::wire::params::Params;

/// GET /api/v5/asset/currencies (Read): one row per currency per chain.
///
/// ccxt calls this inside `load_markets` whenever it has credentials and is not
/// in sandbox mode; OKX no longer serves it in demo trading (ccxt skips it there).
pub(crate) async fn currencies(
    State(state): State<AppState>,
    Extension(auth): Extension<Authenticated>,
    params: Params,
) -> ApiResult<CurrencyRow> {
    if auth.env == Env::Demo {
        return Err(ApiError::unavailable_in_demo(true));
    }
    let wanted: Option<Vec<&str>> = params
        .get("ccy")
        .map(|list| list.split(',').map(str::trim).collect());
    let exchange = state.exchange();
    let rows = exchange
        .currencies()
        .iter()
        .filter(|c| wanted.as_ref().is_none_or(|w| w.contains(&c.ccy.as_str())))
        .map(CurrencyRow::new)
        .collect();
    Ok(Okx(rows))
}
