//! Thin REST handlers: OKX parameters in, one call into the venue, OKX rows out.

pub(crate) mod account;
pub(crate) mod algo;
pub(crate) mod asset;
pub(crate) mod funding;
pub(crate) mod market;
pub(crate) mod public;
pub(crate) mod trade;

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::exchange::trading::AccountId;
use crate::exchange::{Exchange, Instrument};
use crate::wire::params::Params;

/// The instrument named by the required parameter `instId`: 50014 when it is
/// missing, 51001 when the venue does not list it.
pub(crate) fn instrument(exchange: &Exchange, params: &Params) -> Result<Instrument, ApiError> {
    let inst_id = params.required("instId")?;
    exchange
        .instruments()
        .by_id(inst_id)
        .cloned()
        .ok_or_else(ApiError::unknown_instrument)
}

/// Whether `inst` belongs to the family or underlying a request filters on
/// (`instFamily`, or the legacy `uly` ccxt still sends).
pub(crate) fn in_family(inst: &Instrument, params: &Params) -> bool {
    params
        .get("instFamily")
        .is_none_or(|f| inst.inst_family() == f)
        && params.get("uly").is_none_or(|u| inst.uly() == u)
}

/// The venue, locked and brought up to exchange time, and the account the
/// request's key trades for: what every private handler starts with.
pub(crate) fn venue<'a>(
    state: &'a crate::state::AppState,
    auth: &Authenticated,
) -> Result<(crate::state::Venue<'a>, AccountId, i64), ApiError> {
    let now = state.clock.now_ms();
    let mut exchange = state.exchange();
    exchange.sync(now);
    let acct = account_of(&exchange, auth)?;
    Ok((exchange, acct, now))
}

/// The account the request's key trades for. The world file guarantees every
/// key names an account, so a miss is an internal fault.
pub(crate) fn account_of(exchange: &Exchange, auth: &Authenticated) -> Result<AccountId, ApiError> {
    exchange.account_id(auth.env, &auth.key.account).ok_or_else(|| {
        tracing::error!(key = %auth.key.label, account = %auth.key.account, "a key names no account");
        ApiError::system_error()
    })
}
