//! HTTP handlers of the control API: decode, call one operation, encode.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::ops::{AccountSettings, AdminError, KeyChange, NewKey, PricePoint};
use crate::journal::JournalFilter;
use crate::state::AppState;

/// A control-API error body: `{"error": "..."}`.
pub(super) fn error(status: StatusCode, message: &str) -> (StatusCode, Json<Value>) {
    (status, Json(json!({ "error": message })))
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let status = match self {
            AdminError::NotFound(_) => StatusCode::NOT_FOUND,
            AdminError::Invalid(_) => StatusCode::BAD_REQUEST,
            AdminError::Conflict(_) => StatusCode::CONFLICT,
        };
        error(status, &self.to_string()).into_response()
    }
}

type Reply = Result<Json<Value>, AdminError>;

fn ok(value: impl serde::Serialize) -> Reply {
    Ok(Json(serde_json::to_value(value).unwrap_or(Value::Null)))
}

/// A JSON body, or 400 with serde's reason.
fn body<T: for<'de> Deserialize<'de> + Default>(bytes: &[u8]) -> Result<T, AdminError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| AdminError::Invalid(format!("body: {e}")))
}

pub(super) async fn health(State(state): State<AppState>) -> Reply {
    ok(state.health())
}

/// `GET /__admin/tls/cert`: the TLS listener's certificate as PEM, for a
/// client to trust (404 when the mock runs without TLS).
pub(super) async fn tls_cert(State(state): State<AppState>) -> Response {
    match &state.config.tls_cert_pem {
        Some(pem) => ([("content-type", "application/x-pem-file")], pem.clone()).into_response(),
        None => AdminError::NotFound("TLS is off (start with --tls-port)".into()).into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResetScope {
    env: Option<String>,
    account: Option<String>,
}

pub(super) async fn reset(State(state): State<AppState>, bytes: axum::body::Bytes) -> Reply {
    let scope: ResetScope = body(&bytes)?;
    match (scope.env, scope.account) {
        (None, None) => state.reset()?,
        (env, Some(name)) => state.reset_account(env.as_deref().unwrap_or("live"), &name)?,
        (Some(_), None) => {
            return Err(AdminError::Invalid(
                "give account (and env) to reset one account".into(),
            ));
        }
    }
    ok(json!({"reset": true}))
}

pub(super) async fn clock(State(state): State<AppState>) -> Reply {
    ok(state.clock_view())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Millis {
    ms: Option<i64>,
}

fn millis(bytes: &[u8]) -> Result<i64, AdminError> {
    body::<Millis>(bytes)?
        .ms
        .ok_or_else(|| AdminError::Invalid("body needs {\"ms\": <number>}".into()))
}

pub(super) async fn clock_set(State(state): State<AppState>, bytes: axum::body::Bytes) -> Reply {
    state.clock.set(millis(&bytes)?);
    ok(state.clock_view())
}

pub(super) async fn clock_advance(
    State(state): State<AppState>,
    bytes: axum::body::Bytes,
) -> Reply {
    state.clock.advance(millis(&bytes)?);
    ok(state.clock_view())
}

pub(super) async fn clock_offset(State(state): State<AppState>, bytes: axum::body::Bytes) -> Reply {
    state.clock.set_offset(millis(&bytes)?);
    ok(state.clock_view())
}

pub(super) async fn clock_freeze(State(state): State<AppState>) -> Reply {
    state.clock.freeze();
    ok(state.clock_view())
}

pub(super) async fn clock_resume(State(state): State<AppState>) -> Reply {
    state.clock.resume();
    ok(state.clock_view())
}

pub(super) async fn prices(State(state): State<AppState>) -> Reply {
    ok(state.prices())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct PriceChange {
    inst_id: String,
    px: Option<String>,
    path: Option<Vec<PricePoint>>,
}

pub(super) async fn set_prices(State(state): State<AppState>, bytes: axum::body::Bytes) -> Reply {
    let change: PriceChange = body(&bytes)?;
    match (change.px, change.path) {
        (Some(px), None) => state.set_price(&change.inst_id, &px)?,
        (None, Some(path)) => state.set_price_path(&change.inst_id, &path)?,
        _ => return Err(AdminError::Invalid("give either px or path".into())),
    }
    ok(state
        .prices()
        .into_iter()
        .find(|p| p.inst_id == change.inst_id))
}

pub(super) async fn keys(State(state): State<AppState>) -> Reply {
    ok(state.keys_view())
}

pub(super) async fn create_key(State(state): State<AppState>, bytes: axum::body::Bytes) -> Reply {
    ok(state.create_key(body::<NewKey>(&bytes)?)?)
}

pub(super) async fn change_key(
    State(state): State<AppState>,
    Path(api_key): Path<String>,
    bytes: axum::body::Bytes,
) -> Reply {
    ok(state.change_key(&api_key, body::<KeyChange>(&bytes)?)?)
}

pub(super) async fn revoke_key(
    State(state): State<AppState>,
    Path(api_key): Path<String>,
) -> Reply {
    state.revoke_key(&api_key)?;
    ok(json!({"revoked": api_key}))
}

pub(super) async fn accounts(State(state): State<AppState>) -> Reply {
    ok(state.accounts_view())
}

pub(super) async fn account_settings(
    State(state): State<AppState>,
    Path((env, name)): Path<(String, String)>,
    bytes: axum::body::Bytes,
) -> Reply {
    state.set_account(&env, &name, body::<AccountSettings>(&bytes)?)?;
    ok(state
        .accounts_view()
        .into_iter()
        .find(|a| a.env == env && a.name == name))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BalanceChange {
    ccy: String,
    amount: String,
    /// `trading` (default) or `funding`.
    account: Option<String>,
}

pub(super) async fn adjust_balance(
    State(state): State<AppState>,
    Path((env, name)): Path<(String, String)>,
    bytes: axum::body::Bytes,
) -> Reply {
    let change: BalanceChange = body(&bytes)?;
    let cash = match change.account.as_deref() {
        None | Some("trading") => state.adjust_balance(&env, &name, &change.ccy, &change.amount)?,
        Some("funding") => state.adjust_funding(&env, &name, &change.ccy, &change.amount)?,
        Some(other) => {
            return Err(AdminError::Invalid(format!(
                "account {other:?}: trading or funding"
            )));
        }
    };
    ok(json!({"ccy": change.ccy, "cashBal": cash}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RequestsQuery {
    #[serde(flatten)]
    filter: JournalFilter,
    limit: Option<usize>,
}

pub(super) async fn requests(
    State(state): State<AppState>,
    Query(query): Query<RequestsQuery>,
) -> Reply {
    let mut entries = state.requests(&query.filter);
    if let Some(limit) = query.limit {
        let skip = entries.len().saturating_sub(limit);
        entries.drain(..skip);
    }
    ok(entries)
}

pub(super) async fn count_requests(
    State(state): State<AppState>,
    Query(filter): Query<JournalFilter>,
) -> Reply {
    ok(json!({"count": state.journal.count(&filter)}))
}

pub(super) async fn clear_requests(State(state): State<AppState>) -> Reply {
    state.journal.clear();
    ok(json!({"cleared": true}))
}

pub(super) async fn load_scenario(
    State(state): State<AppState>,
    bytes: axum::body::Bytes,
) -> Reply {
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| AdminError::Invalid("the scenario is not UTF-8 text".into()))?;
    ok(state.load_scenario(text)?)
}

pub(super) async fn faults(State(state): State<AppState>) -> Reply {
    ok(state.faults())
}

pub(super) async fn clear_faults(State(state): State<AppState>) -> Reply {
    state.clear_faults();
    ok(json!({"cleared": true}))
}

pub(super) async fn arm_fault(State(state): State<AppState>, Path(name): Path<String>) -> Reply {
    state.arm_fault(&name, true)?;
    ok(state.faults())
}

pub(super) async fn disarm_fault(State(state): State<AppState>, Path(name): Path<String>) -> Reply {
    state.arm_fault(&name, false)?;
    ok(state.faults())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Maintenance {
    on: bool,
}

pub(super) async fn maintenance(State(state): State<AppState>, bytes: axum::body::Bytes) -> Reply {
    let change: Maintenance = body(&bytes)?;
    state.set_maintenance(change.on);
    ok(json!({"maintenance": change.on}))
}

pub(super) async fn export_state(State(state): State<AppState>) -> Reply {
    Ok(Json(state.export_state()))
}

pub(super) async fn import_state(State(state): State<AppState>, bytes: axum::body::Bytes) -> Reply {
    let value: Value =
        serde_json::from_slice(&bytes).map_err(|e| AdminError::Invalid(format!("body: {e}")))?;
    state.import_state(value)?;
    ok(json!({"imported": true}))
}

pub(super) async fn deposit(
    State(state): State<AppState>,
    Path((env, name)): Path<(String, String)>,
    bytes: axum::body::Bytes,
) -> Reply {
    ok(state.deposit(&env, &name, body::<super::ops::NewDeposit>(&bytes)?)?)
}

pub(super) async fn address_book(
    State(state): State<AppState>,
    Path((env, name)): Path<(String, String)>,
) -> Reply {
    ok(state.address_book(&env, &name)?)
}

pub(super) async fn add_address(
    State(state): State<AppState>,
    Path((env, name)): Path<(String, String)>,
    bytes: axum::body::Bytes,
) -> Reply {
    let address: super::ops::AddressView =
        serde_json::from_slice(&bytes).map_err(|e| AdminError::Invalid(format!("body: {e}")))?;
    ok(state.add_address(&env, &name, address)?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AddressRef {
    addr: String,
}

pub(super) async fn remove_address(
    State(state): State<AppState>,
    Path((env, name)): Path<(String, String)>,
    bytes: axum::body::Bytes,
) -> Reply {
    let address: AddressRef = body(&bytes)?;
    ok(state.remove_address(&env, &name, &address.addr)?)
}

pub(super) async fn rate_limits(State(state): State<AppState>) -> Reply {
    ok(state.limits.settings())
}

pub(super) async fn set_rate_limits(
    State(state): State<AppState>,
    bytes: axum::body::Bytes,
) -> Reply {
    let settings: crate::ratelimit::RateLimitSettings = body(&bytes)?;
    if !(settings.scale > 0.0 && settings.scale.is_finite()) {
        return Err(AdminError::Invalid(
            "scale must be a positive number".into(),
        ));
    }
    state.limits.set(settings);
    ok(settings)
}
