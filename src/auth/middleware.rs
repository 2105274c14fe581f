//! The gate as axum middleware, layered on private routes only (`route_layer`,
//! so unknown paths still get OKX's 404 rather than an auth error). Each
//! permission has its own small entry point; trade and withdraw routes add theirs
//! with the endpoints that need them.

use std::net::SocketAddr;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::check::{Gate, SignedRequest, authenticate};
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
        },
        required,
    );
    match verdict {
        Ok(authenticated) => {
            tracing::debug!(
                key = %authenticated.key.label,
                form = ?authenticated.signed_form,
                %target,
                "authenticated a private request"
            );
            parts.extensions.insert(authenticated);
            next.run(Request::from_parts(parts, Body::from(body))).await
        }
        Err(refusal) => {
            tracing::debug!(?refusal, %target, "refused a private request");
            ApiError::from(refusal).into_response()
        }
    }
}
