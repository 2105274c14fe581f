//! The control API under `/__admin/` on the same port: JSON in, JSON out (not
//! OKX's envelope: this is okx-mock talking, not OKX). Every operation lives in
//! [`ops`] and is shared with the [`MockOkx`](crate::MockOkx) handle.

mod http;
pub(crate) mod ops;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};

use crate::state::AppState;

/// The control API's routes, behind its token check.
pub(crate) fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/__admin/health", get(http::health))
        .route("/__admin/reset", post(http::reset))
        .route("/__admin/tls/cert", get(http::tls_cert))
        .route(
            "/__admin/state",
            get(http::export_state).put(http::import_state),
        )
        .route("/__admin/clock", get(http::clock))
        .route("/__admin/clock/set", post(http::clock_set))
        .route("/__admin/clock/advance", post(http::clock_advance))
        .route("/__admin/clock/offset", post(http::clock_offset))
        .route("/__admin/clock/freeze", post(http::clock_freeze))
        .route("/__admin/clock/resume", post(http::clock_resume))
        .route("/__admin/prices", get(http::prices).post(http::set_prices))
        .route("/__admin/keys", get(http::keys).post(http::create_key))
        .route(
            "/__admin/keys/{api_key}",
            patch(http::change_key).delete(http::revoke_key),
        )
        .route("/__admin/accounts", get(http::accounts))
        .route(
            "/__admin/accounts/{env}/{name}/settings",
            post(http::account_settings),
        )
        .route(
            "/__admin/accounts/{env}/{name}/balance",
            post(http::adjust_balance),
        )
        .route(
            "/__admin/accounts/{env}/{name}/deposits",
            post(http::deposit),
        )
        .route(
            "/__admin/accounts/{env}/{name}/addresses",
            get(http::address_book)
                .post(http::add_address)
                .delete(http::remove_address),
        )
        .route(
            "/__admin/requests",
            get(http::requests).delete(http::clear_requests),
        )
        .route("/__admin/requests/count", get(http::count_requests))
        .route("/__admin/scenarios", post(http::load_scenario))
        .route(
            "/__admin/faults",
            get(http::faults).delete(http::clear_faults),
        )
        .route("/__admin/faults/{name}/arm", post(http::arm_fault))
        .route("/__admin/faults/{name}/disarm", post(http::disarm_fault))
        .route("/__admin/maintenance", post(http::maintenance))
        .route(
            "/__admin/rate-limits",
            get(http::rate_limits).post(http::set_rate_limits),
        )
        .route_layer(from_fn_with_state(state, require_token))
}

/// With a token configured, every control request must carry it in `x-admin-token`.
async fn require_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(token) = &state.config.admin_token {
        let given = request
            .headers()
            .get("x-admin-token")
            .and_then(|v| v.to_str().ok());
        if given != Some(token.as_str()) {
            return http::error(
                StatusCode::UNAUTHORIZED,
                "the control API requires x-admin-token",
            )
            .into_response();
        }
    }
    next.run(request).await
}
