//! The `[[faults]]` and `[[timeline]]` tables of a scenario file, and their
//! translation into runtime rules and events.

use chrono::DateTime;
use serde::Deserialize;

use super::faults::{
    ErrorShape, FaultAction, FaultError, FaultMatch, FaultRule, TimelineAction, TimelineEvent,
};

/// An instant: ms since the epoch, or RFC 3339 text (`2026-11-25T08:00:00Z`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum TimeSpec {
    Ms(i64),
    Text(String),
}

impl TimeSpec {
    pub(crate) fn ms(&self) -> Result<i64, String> {
        match self {
            Self::Ms(ms) => Ok(*ms),
            Self::Text(text) => DateTime::parse_from_rfc3339(text)
                .map(|t| t.timestamp_millis())
                .map_err(|_| {
                    format!("{text:?} is not an RFC 3339 time such as 2026-11-25T08:00:00Z")
                }),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct FaultFile {
    name: String,
    #[serde(default = "armed_by_default")]
    armed: bool,
    method: Option<String>,
    path: Option<String>,
    inst_id: Option<String>,
    cl_ord_id: Option<String>,
    api_key: Option<String>,
    #[serde(default)]
    utc_windows: Vec<[String; 2]>,
    from: Option<TimeSpec>,
    until: Option<TimeSpec>,
    nth: Option<u64>,
    times: Option<u64>,
    probability: Option<f64>,
    delay_ms: Option<u64>,
    delay_max_ms: Option<u64>,
    action: String,
    code: Option<String>,
    msg: Option<String>,
    status: Option<u16>,
    shape: Option<String>,
    after_work: Option<bool>,
}

fn armed_by_default() -> bool {
    true
}

/// `HH:MM` or `HH:MM:SS` as ms of the day.
fn time_of_day(text: &str) -> Result<i64, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let numbers: Option<Vec<i64>> = parts.iter().map(|p| p.parse().ok()).collect();
    match numbers.as_deref() {
        Some([h, m]) if *h < 24 && *m < 60 => Ok((h * 3600 + m * 60) * 1000),
        Some([h, m, s]) if *h < 24 && *m < 60 && *s < 60 => Ok((h * 3600 + m * 60 + s) * 1000),
        _ => Err(format!(
            "{text:?} is not a UTC time of day (HH:MM or HH:MM:SS)"
        )),
    }
}

/// OKX's texts for the preset actions.
const TIMEOUT_MSG: &str = "API endpoint request timeout. (does not mean that the request was successful or failed, please check the request result).";
const OUTCOME_UNKNOWN_MSG: &str = "Order timed out. Please try again. (does not mean that the request was successful or failed, please check the request result)";

fn preset(code: &str, msg: &str, status: u16, shape: ErrorShape) -> FaultError {
    FaultError {
        code: code.into(),
        msg: msg.into(),
        status,
        shape,
    }
}

impl FaultFile {
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn build(self) -> Result<FaultRule, String> {
        let shape = match self.shape.as_deref() {
            None | Some("envelope") => ErrorShape::Envelope,
            Some("gateway") => ErrorShape::Gateway,
            Some("item") => ErrorShape::Item,
            Some(other) => {
                return Err(format!(
                    "shape {other:?}: expected envelope, gateway or item"
                ));
            }
        };
        let after_work = self.after_work.unwrap_or(self.action == "outcome_unknown");
        let custom = |default_status: u16| -> Result<FaultError, String> {
            let code = self.code.clone().ok_or("an error action needs code")?;
            Ok(FaultError {
                code,
                msg: self.msg.clone().unwrap_or_default(),
                status: self.status.unwrap_or(default_status),
                shape,
            })
        };
        let error = match self.action.as_str() {
            "error" => Some(custom(200)?),
            "timeout" => Some(preset("50004", TIMEOUT_MSG, 400, ErrorShape::Envelope)),
            "outcome_unknown" => Some(preset(
                "51149",
                OUTCOME_UNKNOWN_MSG,
                500,
                ErrorShape::Envelope,
            )),
            "maintenance" => Some(preset(
                "50001",
                "Service temporarily unavailable. Please try again later.",
                503,
                ErrorShape::Envelope,
            )),
            "busy" => Some(preset(
                "50013",
                "Systems are busy. Please try again later.",
                429,
                ErrorShape::Envelope,
            )),
            "rate_limit" => Some(preset(
                "50011",
                "Too Many Requests",
                429,
                ErrorShape::Gateway,
            )),
            _ => None,
        };
        let action = match (self.action.as_str(), error) {
            (_, Some(error)) if after_work => FaultAction::ErrorAfterWork(error),
            (_, Some(error)) => FaultAction::Error(error),
            ("delay", None) => {
                if self.delay_ms.is_none() {
                    return Err("a delay action needs delayMs".into());
                }
                if after_work {
                    FaultAction::AnswerLate
                } else {
                    FaultAction::Pass
                }
            }
            ("drop", None) => FaultAction::Drop { after_work },
            ("empty", None) => FaultAction::Drop { after_work: false },
            ("truncate", None) => FaultAction::Truncate,
            ("garbage", None) => FaultAction::Garbage,
            ("hang", None) => FaultAction::Hang,
            (other, None) => {
                return Err(format!(
                    "action {other:?}: expected error, timeout, outcome_unknown, maintenance, busy, rate_limit, delay, drop, empty, truncate, garbage or hang"
                ));
            }
        };
        if self.probability.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
            return Err("probability must be between 0 and 1".into());
        }
        if self.nth == Some(0) {
            return Err("nth counts from 1".into());
        }
        let utc_windows = self
            .utc_windows
            .iter()
            .map(|[from, to]| Ok((time_of_day(from)?, time_of_day(to)?)))
            .collect::<Result<Vec<_>, String>>()?;
        let delay_ms = self
            .delay_ms
            .map(|min| (min, self.delay_max_ms.unwrap_or(min).max(min)));
        Ok(FaultRule {
            name: self.name,
            armed: self.armed,
            matcher: FaultMatch {
                method: self.method,
                path: self.path,
                inst_id: self.inst_id,
                cl_ord_id: self.cl_ord_id,
                api_key: self.api_key,
                utc_windows,
                from: self.from.as_ref().map(TimeSpec::ms).transpose()?,
                until: self.until.as_ref().map(TimeSpec::ms).transpose()?,
            },
            nth: self.nth.unwrap_or(1),
            times: self.times.or(self.nth.map(|_| 1)),
            probability: self.probability,
            delay_ms,
            action,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct TimelineFile {
    at: Option<TimeSpec>,
    after_ms: Option<i64>,
    set_price: Option<SetPriceFile>,
    maintenance: Option<bool>,
    arm: Option<String>,
    disarm: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SetPriceFile {
    inst_id: String,
    px: String,
}

impl TimelineFile {
    /// The event, with `afterMs` counted from `start_ms` (the world's load time).
    pub(crate) fn build(self, start_ms: i64) -> Result<TimelineEvent, String> {
        let at = match (&self.at, self.after_ms) {
            (Some(at), None) => at.ms()?,
            (None, Some(after)) => start_ms + after,
            _ => return Err("a timeline event needs exactly one of at or afterMs".into()),
        };
        let mut actions = Vec::new();
        if let Some(p) = self.set_price {
            actions.push(TimelineAction::SetPrice {
                inst_id: p.inst_id,
                px: p.px,
            });
        }
        if let Some(on) = self.maintenance {
            actions.push(TimelineAction::Maintenance(on));
        }
        if let Some(name) = self.arm {
            actions.push(TimelineAction::Arm(name));
        }
        if let Some(name) = self.disarm {
            actions.push(TimelineAction::Disarm(name));
        }
        match <[TimelineAction; 1]>::try_from(actions) {
            Ok([action]) => Ok(TimelineEvent { at, action }),
            Err(_) => Err(
                "a timeline event does exactly one of setPrice, maintenance, arm or disarm".into(),
            ),
        }
    }
}
