//! Fault rules: which requests a rule matches, when it fires, and what it does
//! instead of (or after) the normal answer. Decisions are deterministic: every
//! probability draws from a generator seeded by (world seed, rule, match count).

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// What a firing rule does.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FaultAction {
    /// Answer with an OKX error instead of doing the work.
    Error(FaultError),
    /// Only wait (`delay`), then answer normally.
    Pass,
    /// Do the work at once but hold the answer back for the rule's delay
    /// (`delay` with `afterWork`): the order's WebSocket push arrives first.
    AnswerLate,
    /// Do the work, then answer with an OKX error anyway (50004 "booked but
    /// reported timeout", 51149 "outcome unknown").
    ErrorAfterWork(FaultError),
    /// Close the connection without an answer; `after_work` does the work first.
    Drop { after_work: bool },
    /// Answer normally but cut the body short.
    Truncate,
    /// Answer HTTP 200 with a body that is not JSON.
    Garbage,
    /// Never answer (until the server shuts down).
    Hang,
}

/// An OKX error a rule answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FaultError {
    pub(crate) code: String,
    pub(crate) msg: String,
    pub(crate) status: u16,
    pub(crate) shape: ErrorShape,
}

/// Where the code goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorShape {
    /// `{"code":..,"data":[],"msg":..}`.
    Envelope,
    /// `{"msg":..,"code":..}` without `data` (auth, rate limits).
    Gateway,
    /// `{"code":"1",..,"data":[{"sCode":..,"sMsg":..}]}`: one failed item per order.
    Item,
}

/// Which requests a rule looks at.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FaultMatch {
    pub(crate) method: Option<String>,
    /// Exact path, or a prefix ending in `*`.
    pub(crate) path: Option<String>,
    pub(crate) inst_id: Option<String>,
    pub(crate) cl_ord_id: Option<String>,
    pub(crate) api_key: Option<String>,
    /// Daily UTC windows, ms of day `[from, to)`; `from > to` wraps midnight.
    pub(crate) utc_windows: Vec<(i64, i64)>,
    /// Absolute exchange-time bounds, ms.
    pub(crate) from: Option<i64>,
    pub(crate) until: Option<i64>,
}

/// A rule of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FaultRule {
    pub(crate) name: String,
    pub(crate) armed: bool,
    pub(crate) matcher: FaultMatch,
    /// Fire from the nth matching request on (1-based).
    pub(crate) nth: u64,
    /// Fire at most this many times.
    pub(crate) times: Option<u64>,
    /// Fire with this probability (seeded).
    pub(crate) probability: Option<f64>,
    /// Wait this long before acting: fixed, or uniform in [min, max] (seeded).
    pub(crate) delay_ms: Option<(u64, u64)>,
    pub(crate) action: FaultAction,
}

/// What the facts of one request are, for matching.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RequestFacts {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) inst_id: Option<String>,
    pub(crate) cl_ord_id: Option<String>,
    pub(crate) api_key: Option<String>,
}

const DAY_MS: i64 = 86_400_000;

impl FaultMatch {
    fn matches(&self, r: &RequestFacts, now: i64) -> bool {
        let path_ok = self
            .path
            .as_deref()
            .is_none_or(|p| match p.strip_suffix('*') {
                Some(prefix) => r.path.starts_with(prefix),
                None => r.path == p,
            });
        let of_day = now.rem_euclid(DAY_MS);
        let window_ok = self.utc_windows.is_empty()
            || self.utc_windows.iter().any(|&(from, to)| {
                if from <= to {
                    (from..to).contains(&of_day)
                } else {
                    of_day >= from || of_day < to
                }
            });
        path_ok
            && window_ok
            && self
                .method
                .as_deref()
                .is_none_or(|m| r.method.eq_ignore_ascii_case(m))
            && self
                .inst_id
                .as_deref()
                .is_none_or(|i| r.inst_id.as_deref() == Some(i))
            && self
                .cl_ord_id
                .as_deref()
                .is_none_or(|c| r.cl_ord_id.as_deref() == Some(c))
            && self
                .api_key
                .as_deref()
                .is_none_or(|k| r.api_key.as_deref() == Some(k))
            && self.from.is_none_or(|f| now >= f)
            && self.until.is_none_or(|u| now < u)
    }
}

/// A rule with its counters.
#[derive(Debug, Clone)]
struct RuleState {
    rule: FaultRule,
    matched: u64,
    fired: u64,
}

/// What to do with one request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decision {
    pub(crate) rule: String,
    pub(crate) delay_ms: u64,
    pub(crate) action: FaultAction,
}

/// The live set of rules.
#[derive(Debug, Clone)]
pub(crate) struct FaultRules {
    rules: Vec<RuleState>,
    seed: u64,
}

impl FaultRules {
    /// Whether any rule could fire now (when none can, requests skip the
    /// fault layer's work entirely).
    pub(crate) fn any_armed(&self) -> bool {
        self.rules.iter().any(|r| r.rule.armed)
    }

    pub(crate) fn new(rules: Vec<FaultRule>, seed: u64) -> Self {
        Self {
            rules: rules
                .into_iter()
                .map(|rule| RuleState {
                    rule,
                    matched: 0,
                    fired: 0,
                })
                .collect(),
            seed,
        }
    }

    /// The first armed rule that matches and fires for this request, counting it.
    pub(crate) fn decide(&mut self, request: &RequestFacts, now: i64) -> Option<Decision> {
        for (index, state) in self.rules.iter_mut().enumerate() {
            let rule = &state.rule;
            if !rule.armed || !rule.matcher.matches(request, now) {
                continue;
            }
            state.matched += 1;
            let mut rng = ChaCha8Rng::seed_from_u64(
                self.seed
                    ^ (index as u64).wrapping_mul(0x9E37_79B9)
                    ^ state.matched.rotate_left(32),
            );
            let due = state.matched >= rule.nth;
            let within = rule.times.is_none_or(|t| state.fired < t);
            let lucky = rule.probability.is_none_or(|p| rng.random::<f64>() < p);
            if due && within && lucky {
                state.fired += 1;
                let delay_ms = match rule.delay_ms {
                    None => 0,
                    Some((min, max)) if max > min => rng.random_range(min..=max),
                    Some((min, _)) => min,
                };
                return Some(Decision {
                    rule: rule.name.clone(),
                    delay_ms,
                    action: rule.action.clone(),
                });
            }
        }
        None
    }

    /// Arms or disarms a rule by name; whether it exists.
    pub(crate) fn set_armed(&mut self, name: &str, armed: bool) -> bool {
        let mut found = false;
        for state in self.rules.iter_mut().filter(|s| s.rule.name == name) {
            state.rule.armed = armed;
            found = true;
        }
        found
    }

    /// Adds rules (a scenario loaded at run time).
    pub(crate) fn extend(&mut self, rules: Vec<FaultRule>) {
        self.rules.extend(rules.into_iter().map(|rule| RuleState {
            rule,
            matched: 0,
            fired: 0,
        }));
    }

    /// Forgets every rule.
    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    /// Name, armed, matched, fired of every rule.
    pub(crate) fn summary(&self) -> Vec<(String, bool, u64, u64)> {
        self.rules
            .iter()
            .map(|s| (s.rule.name.clone(), s.rule.armed, s.matched, s.fired))
            .collect()
    }
}

/// A scheduled change.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TimelineAction {
    SetPrice { inst_id: String, px: String },
    Maintenance(bool),
    Arm(String),
    Disarm(String),
}

/// A change at an exchange time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TimelineEvent {
    pub(crate) at: i64,
    pub(crate) action: TimelineAction,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(nth: u64, times: Option<u64>) -> FaultRule {
        FaultRule {
            name: "r".into(),
            armed: true,
            matcher: FaultMatch {
                path: Some("/api/v5/trade/*".into()),
                inst_id: Some("BTC-USDT-SWAP".into()),
                ..Default::default()
            },
            nth,
            times,
            probability: None,
            delay_ms: None,
            action: FaultAction::Pass,
        }
    }

    fn order(inst: &str) -> RequestFacts {
        RequestFacts {
            method: "POST".into(),
            path: "/api/v5/trade/order".into(),
            inst_id: Some(inst.into()),
            ..Default::default()
        }
    }

    #[test]
    fn the_third_matching_order_fires_once() {
        let mut rules = FaultRules::new(vec![rule(3, Some(1))], 0);
        let fired: Vec<bool> = (0..5)
            .map(|_| rules.decide(&order("BTC-USDT-SWAP"), 0).is_some())
            .collect();
        assert_eq!(fired, [false, false, true, false, false]);
        assert!(
            rules.decide(&order("ETH-USDT-SWAP"), 0).is_none(),
            "other instruments do not match"
        );
    }

    #[test]
    fn daily_windows_wrap_midnight() {
        let matcher = FaultMatch {
            utc_windows: vec![(DAY_MS - 60_000, 60_000)],
            ..Default::default()
        };
        let facts = RequestFacts::default();
        assert!(matcher.matches(&facts, 5 * DAY_MS - 30_000));
        assert!(matcher.matches(&facts, 5 * DAY_MS + 30_000));
        assert!(!matcher.matches(&facts, 5 * DAY_MS + 90_000));
    }

    #[test]
    fn probabilities_are_the_same_for_the_same_seed() {
        let mut r = rule(1, None);
        r.probability = Some(0.5);
        let run = |seed| {
            let mut rules = FaultRules::new(vec![r.clone()], seed);
            (0..64)
                .map(|_| rules.decide(&order("BTC-USDT-SWAP"), 0).is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let fired = run(7).iter().filter(|f| **f).count();
        assert!((16..=48).contains(&fired), "{fired}");
    }
}
