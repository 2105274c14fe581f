//! The gate as axum middleware, layered on private routes only (`route_layer`,
//! so unknown paths still get OKX's 404 rather than an auth error). Each
//! permission has its own small entry point; trade and withdraw routes add theirs
//! with the endpoints that need them.

use std::net::SocketAddr;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::check::{AuthError, Gate, SignedRequest, authenticate};
use super::keys::Permission;
use crate::error::ApiError;
use crate::state::AppState;

/// Larger bodies than this are refused unread; OKX's biggest (20-order batches) are a few KiB.
const MAX_BODY_BYTES: usize = 1 << 20;

/// Gate for endpoints that need the Read permission.
pub(crate) async fn require_read(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    gate(state, Permission::Read, request, next).await
}

/// Gate for endpoints that need the Trade permission.
pub(crate) async fn require_trade(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    gate(state, Permission::Trade, request, next).await
}

/// Gate for endpoints that need the Withdraw permission.
pub(crate) async fn require_withdraw(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    gate(state, Permission::Withdraw, request, next).await
}

async fn gate(state: AppState, required: Permission, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    // The signature covers the body bytes as sent, so read them before anything parses them.
    let Ok(body) = to_bytes(body, MAX_BODY_BYTES).await else {
        return ApiError::json_syntax().into_response();
    };
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let region = super::keys::region_of(
        parts
            .headers
            .get("x-okx-mock-region")
            .and_then(|v| v.to_str().ok()),
        parts.headers.get("host").and_then(|v| v.to_str().ok()),
        &state.config.region_hosts,
    );
    let method = parts.method.as_str();
    let verdict = authenticate(
        Gate {
            keys: &state.keys,
            now_ms: state.clock.now_ms(),
            window_ms: state.config.auth_window_ms,
        },
        &SignedRequest {
            method,
            target,
            body: &body,
            headers: &parts.headers,
            peer,
            region,
        },
        required,
    );
    let api_key = parts
        .headers
        .get("ok-access-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match verdict {
        Ok(authenticated) => {
            tracing::debug!(
                key = %authenticated.key.label,
                form = ?authenticated.signed_form,
                %target,
                "authenticated a private request"
            );
            let account = authenticated.account_name();
            // Any authenticated private call counts as use (the 14-day rule).
            state
                .keys
                .touch(&authenticated.key.api_key, state.clock.now_ms());
            parts.extensions.insert(authenticated);
            // The rate limiter comes next; called, not layered, to spare every
            // private request a layer's boxing and cloning.
            let request = Request::from_parts(parts, Body::from(body));
            let mut response = crate::ratelimit::limit(State(state), request, next).await;
            response.extensions_mut().insert(Caller {
                api_key,
                account: Some(account),
                explanation: None,
            });
            response
        }
        Err(refusal) => {
            tracing::debug!(?refusal, %target, "refused a private request");
            let explanation = refusal.explain(state.config.auth_window_ms);
            if let (AuthError::KeyExpired { .. }, Some(key)) = (&refusal, &api_key) {
                state.keys.remove(key); // OKX deletes it for good
            }
            let mut response = ApiError::from(refusal).into_response();
            response.extensions_mut().insert(Caller {
                api_key,
                account: None,
                explanation,
            });
            response
        }
    }
}

/// Who a private request came from, attached to its response for the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// `OK-ACCESS-KEY` as sent.
    pub(crate) api_key: Option<String>,
    /// `env/name` of the account, once authenticated.
    pub(crate) account: Option<String>,
    /// Why the gate refused, in more words than the code.
    pub(crate) explanation: Option<String>,
}
