//! The one layer that applies scenarios: it runs due timeline events, answers
//! 50001 during maintenance, and lets the first matching fault rule replace,
//! delay or follow the normal answer. It sits after routing and before the
//! handlers; no lock is held while it waits.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::faults::{
    ErrorShape, FaultAction, FaultError, FaultRule, FaultRules, RequestFacts, TimelineAction,
    TimelineEvent,
};
use crate::error::json_response;
use crate::serve::ConnFault;
use crate::state::AppState;

/// The scenario state of a running server.
#[derive(Debug)]
pub(crate) struct ScenarioRuntime {
    pub(crate) rules: FaultRules,
    timeline: Vec<TimelineEvent>,
    next_event: usize,
    pub(crate) maintenance: bool,
}

impl ScenarioRuntime {
    pub(crate) fn new(rules: Vec<FaultRule>, timeline: Vec<TimelineEvent>, seed: u64) -> Self {
        Self {
            rules: FaultRules::new(rules, seed),
            timeline,
            next_event: 0,
            maintenance: false,
        }
    }

    /// Adds rules and events (a scenario loaded at run time).
    pub(crate) fn extend(&mut self, rules: Vec<FaultRule>, mut timeline: Vec<TimelineEvent>) {
        self.rules.extend(rules);
        let done = self.timeline.drain(..self.next_event).count();
        let _ = done;
        self.next_event = 0;
        self.timeline.append(&mut timeline);
        self.timeline.sort_by_key(|e| e.at);
    }

    /// Takes the events due at `now`, in time order.
    fn due(&mut self, now: i64) -> Vec<TimelineEvent> {
        let start = self.next_event;
        while self.next_event < self.timeline.len() && self.timeline[self.next_event].at <= now {
            self.next_event += 1;
        }
        self.timeline[start..self.next_event].to_vec()
    }
}

/// A cheap-to-clone handle on the scenario state.
#[derive(Debug, Clone)]
pub(crate) struct Scenario(Arc<Mutex<ScenarioRuntime>>);

impl Scenario {
    pub(crate) fn new(runtime: ScenarioRuntime) -> Self {
        Self(Arc::new(Mutex::new(runtime)))
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, ScenarioRuntime> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Which fault rule shaped a response, for the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FaultNote(pub(crate) String);

/// Bodies larger than this are refused unread (as the gate does).
const BODY_MAX: usize = 1 << 20;

/// Middleware: applies timeline, maintenance and fault rules to OKX requests.
pub(crate) async fn apply(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/__admin") {
        return next.run(request).await;
    }
    let now = state.clock.now_ms();
    run_timeline(&state, now);
    let (maintenance, armed) = {
        let scenario = state.scenario.lock();
        (scenario.maintenance, scenario.rules.any_armed())
    };
    if !maintenance && !armed {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    if maintenance && path != "/api/v5/system/status" {
        let error = FaultError {
            code: "50001".into(),
            msg: "Service temporarily unavailable. Please try again later.".into(),
            status: 503,
            shape: ErrorShape::Envelope,
        };
        return noted(
            error_response(&error, &Value::Null, now),
            "maintenance (timeline)",
        );
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_MAX).await else {
        return crate::error::ApiError::json_syntax().into_response();
    };
    let body_json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let facts = RequestFacts {
        method: parts.method.as_str().to_owned(),
        path,
        inst_id: field(parts.uri.query(), &body_json, "instId"),
        cl_ord_id: field(parts.uri.query(), &body_json, "clOrdId"),
        api_key: parts
            .headers
            .get("ok-access-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let decision = state.scenario.lock().rules.decide(&facts, now);
    let request = Request::from_parts(parts, Body::from(bytes));
    let Some(decision) = decision else {
        return next.run(request).await;
    };
    let wait = Duration::from_millis(decision.delay_ms);
    if decision.action != FaultAction::AnswerLate {
        tokio::time::sleep(wait).await;
    }
    let note = format!("fault rule {:?}", decision.rule);
    let response = match decision.action {
        FaultAction::Pass => next.run(request).await,
        FaultAction::AnswerLate => {
            let response = next.run(request).await;
            tokio::time::sleep(wait).await;
            response
        }
        FaultAction::Error(error) => error_response(&error, &body_json, now),
        FaultAction::ErrorAfterWork(error) => {
            let _ = next.run(request).await;
            error_response(&error, &body_json, now)
        }
        FaultAction::Drop { after_work } => {
            if after_work {
                let _ = next.run(request).await;
            }
            dropped()
        }
        FaultAction::Truncate => {
            let mut response = next.run(request).await;
            response.extensions_mut().insert(ConnFault::Truncate);
            response
        }
        FaultAction::Garbage => garbage(),
        FaultAction::Hang => {
            let mut shutdown = state.shutting_down.clone();
            let _ = shutdown.wait_for(|down| *down).await;
            dropped()
        }
    };
    noted(response, &note)
}

fn noted(mut response: Response, note: &str) -> Response {
    response.extensions_mut().insert(FaultNote(note.to_owned()));
    response
}

/// A response that is never sent: the connection closes instead.
fn dropped() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.extensions_mut().insert(ConnFault::Drop);
    response
}

/// What a broken proxy in front of OKX might send: HTTP 200, not JSON.
fn garbage() -> Response {
    let mut response = (
        StatusCode::OK,
        "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
    )
        .into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/html"),
    );
    response
}

/// The rule's OKX error in its shape; per-item errors answer each order of the body.
fn error_response(error: &FaultError, body: &Value, now: i64) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::OK);
    let text = match error.shape {
        ErrorShape::Envelope => {
            json!({"code": error.code, "data": [], "msg": error.msg}).to_string()
        }
        // Field order as OKX's gateway sends it: msg first, no data.
        ErrorShape::Gateway => format!(
            r#"{{"msg":{},"code":{}}}"#,
            json!(error.msg),
            json!(error.code)
        ),
        ErrorShape::Item => {
            let items: Vec<&Value> = match body {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            let data: Vec<Value> = items
                .iter()
                .map(|item| {
                    json!({
                        "clOrdId": item.get("clOrdId").and_then(Value::as_str).unwrap_or(""),
                        "ordId": "",
                        "sCode": error.code,
                        "sMsg": error.msg,
                        "subCode": "",
                        "tag": item.get("tag").and_then(Value::as_str).unwrap_or(""),
                        "ts": now.to_string(),
                    })
                })
                .collect();
            let micros = (now * 1000).to_string();
            json!({"code": "1", "data": data, "inTime": micros, "msg": "All operations failed", "outTime": micros}).to_string()
        }
    };
    let code = if error.shape == ErrorShape::Item {
        "1"
    } else {
        error.code.as_str()
    };
    json_response(status, text, code)
}

/// A request field from the query, or the JSON body (the first order of a batch).
fn field(query: Option<&str>, body: &Value, name: &str) -> Option<String> {
    if let Some((_, v)) = form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, v)| k == name && !v.is_empty())
    {
        return Some(v.into_owned());
    }
    let object = if body.is_array() { body.get(0)? } else { body };
    object
        .get(name)?
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Applies the timeline events due at `now`, in order.
pub(crate) fn run_timeline(state: &AppState, now: i64) {
    let due = state.scenario.lock().due(now);
    for event in due {
        match event.action {
            TimelineAction::SetPrice { inst_id, px } => {
                let at = event.at.min(now);
                if let Err(error) = state.set_price_at(&inst_id, &px, at) {
                    tracing::warn!(%inst_id, %error, "a timeline price could not be set");
                }
            }
            TimelineAction::Maintenance(on) => state.scenario.lock().maintenance = on,
            TimelineAction::Arm(name) => {
                state.scenario.lock().rules.set_armed(&name, true);
            }
            TimelineAction::Disarm(name) => {
                state.scenario.lock().rules.set_armed(&name, false);
            }
        }
    }
}
