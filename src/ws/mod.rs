//! OKX's WebSocket API on the REST port: `/ws/v5/public`, `/ws/v5/business`
//! and `/ws/v5/private` (query strings such as `?brokerId=9999` are ignored).
//!
//! Market channels read the venue on each tick of their connection; private
//! channels follow the venue's own events (see `exchange::events`), so an
//! order placed over REST shows up here with the same ids and states.
//! Trading operations go through the same functions as the REST endpoints.

mod book;
mod channels;
mod conns;
mod login;
mod market;
mod ops;
mod private;
mod reply;
mod session;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::routing::get;

use self::channels::Endpoint;
pub(crate) use self::conns::ChannelConns;
use self::session::Handshake;
use crate::auth::Env;
use crate::state::AppState;

/// The three WebSocket URLs.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ws/v5", get(connect))
        .route("/ws/v5/public", get(connect))
        .route("/ws/v5/business", get(connect))
        .route("/ws/v5/private", get(connect))
}

async fn connect(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let endpoint = match uri.path() {
        "/ws/v5/business" => Endpoint::Business,
        "/ws/v5/private" => Endpoint::Private,
        "/ws/v5/public" => Endpoint::Public,
        _ => Endpoint::Combined,
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let handshake = Handshake {
        endpoint,
        region: crate::auth::region_of(
            header("x-okx-mock-region"),
            header("host"),
            &state.config.region_hosts,
        ),
        env: header("x-simulated-trading").map(|v| Env::from_header(Some(v))),
        peer: Some(peer.ip()),
    };
    upgrade
        // Clients offer permessage-deflate; declining it is allowed.
        .on_upgrade(move |socket| session::run(state, handshake, socket))
}
