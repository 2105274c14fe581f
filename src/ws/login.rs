//! WebSocket login: `sign = base64(HMAC-SHA256(secret, timestamp + "GET" +
//! "/users/self/verify"))` with the timestamp in seconds (a string from ccxt
//! and okx-api, a number from python-okx). The key checks are REST's, in
//! REST's order; only the codes differ (60xxx).

use std::net::IpAddr;

use serde_json::Value;

use super::reply::WsError;
use crate::auth::{ApiKey, Env, KeyStore, looks_like_a_key, prehash, sign};

/// What a login is checked against.
pub(crate) struct LoginGate<'a> {
    pub(crate) keys: &'a KeyStore,
    pub(crate) now_ms: i64,
    pub(crate) window_ms: i64,
    /// The site the handshake addressed (`www`, `eea`, `us`).
    pub(crate) region: &'a str,
    /// The environment the handshake asked for, if it sent `x-simulated-trading`.
    pub(crate) env: Option<Env>,
    pub(crate) peer: Option<IpAddr>,
}

/// Checks the first login argument; the key on success.
pub(crate) fn check(gate: &LoginGate<'_>, arg: &Value) -> Result<ApiKey, WsError> {
    let text = |name: &str| match arg.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let (Some(api_key), Some(passphrase), Some(timestamp), Some(signature)) = (
        text("apiKey"),
        text("passphrase"),
        text("timestamp"),
        text("sign"),
    ) else {
        return Err(WsError::LoginFailed);
    };
    // Whole seconds; a fraction (`1538054050.123`) is tolerated as OKX's examples vary.
    let seconds: f64 = timestamp
        .parse()
        .ok()
        .filter(|s: &f64| s.is_finite())
        .ok_or(WsError::InvalidTimestamp)?;
    let sent_ms = (seconds * 1000.0) as i64;
    if (gate.now_ms - sent_ms).abs() > gate.window_ms {
        return Err(WsError::TimestampExpired);
    }
    let key = gate.keys.get(&api_key).ok_or_else(|| {
        if looks_like_a_key(&api_key) {
            WsError::NoSuchKey
        } else {
            WsError::InvalidApiKey
        }
    })?;
    let expired = key.expires_at().is_some_and(|at| gate.now_ms >= at);
    if expired || key.region != gate.region {
        return Err(WsError::NoSuchKey);
    }
    if gate.env.is_some_and(|env| env != key.env) {
        return Err(WsError::WrongEnvironment);
    }
    if key.passphrase != passphrase {
        return Err(WsError::WrongPassphrase);
    }
    if gate.peer.is_some_and(|ip| !key.admits(ip)) {
        return Err(WsError::LoginFailed);
    }
    let expected = sign(
        &key.secret_key,
        &prehash(&timestamp, "GET", "/users/self/verify", b""),
    );
    if expected != signature.trim() {
        return Err(WsError::InvalidSign);
    }
    Ok(key)
}
