//! The fair-price path of one book: a deterministic function of exchange time.
//!
//! Prices are known at minute knots and interpolated linearly between them, so
//! any instant has one price whatever order it is asked in. A random walk keeps
//! one log-price checkpoint per UTC day and recomputes a day's 1 440 knots from
//! a generator seeded by (world seed, book, day) on demand; memory grows by one
//! number per simulated day, never per request.
//!
//! The control API can impose prices from an instant on (an override): a list
//! of (time, price) points, linear between them. After the last point the path
//! continues from that price: flat when static, and when walking, with the
//! walk's own moves rebased onto it. The past never changes.

use std::collections::BTreeMap;
use std::sync::Arc;

use rand::RngExt;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::{DAY_MINUTES, MINUTE_MS, seed_for};

/// How far before the world's start the walk (and the trade tape) reaches.
pub(crate) const HISTORY_DAYS: i64 = 90;
/// Day vectors kept; candle requests walk days in order, so a few suffice.
const DAY_CACHE: usize = 8;

/// How prices move.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum PriceModel {
    /// Every price stays where the world put it.
    Static,
    /// A seeded random walk; the value is the standard deviation of one minute's log return.
    Walk {
        /// Per-minute volatility.
        vol_per_min: f64,
    },
}

#[derive(Debug)]
pub(crate) struct PricePath {
    start_px: f64,
    model: PriceModel,
    seed: u64,
    origin_day: i64,
    /// Log-price (relative to `start_px`) at the start of each known day.
    checkpoints: BTreeMap<i64, f64>,
    /// Knots of recently used days: 1 441 relative log-prices each.
    days: BTreeMap<i64, Arc<[f64]>>,
    /// Imposed prices, oldest first; each applies from its first point on.
    overrides: Vec<Vec<(i64, f64)>>,
}

impl PricePath {
    pub(crate) fn new(start_px: f64, model: PriceModel, seed: u64, origin_ms: i64) -> Self {
        let origin_day = origin_ms.div_euclid(DAY_MINUTES * MINUTE_MS);
        Self {
            start_px,
            model,
            seed,
            origin_day,
            checkpoints: BTreeMap::from([(origin_day, 0.0)]),
            days: BTreeMap::new(),
            overrides: Vec::new(),
        }
    }

    /// Imposes `points` (time, price; sorted, the first one the instant the
    /// override starts). Later overrides starting no later replace earlier ones.
    pub(crate) fn impose(&mut self, points: Vec<(i64, f64)>) {
        let Some(&(from, _)) = points.first() else {
            return;
        };
        self.overrides.retain(|o| o[0].0 < from);
        self.overrides.push(points);
    }

    /// The price if it cannot change anywhere in `[from, to]`: a static model
    /// with no imposed path reaching into the interval.
    pub(crate) fn constant_between(&self, from: i64, to: i64) -> Option<f64> {
        let static_model = self.model == PriceModel::Static;
        let last_before = self.overrides.iter().rev().find(|o| o[0].0 <= from);
        let changes_inside = self
            .overrides
            .iter()
            .any(|o| o.iter().any(|&(t, _)| t > from && t <= to))
            || last_before.is_some_and(|o| o.last().is_some_and(|&(t, _)| t > from));
        if !static_model || changes_inside {
            return None;
        }
        Some(
            last_before
                .and_then(|o| o.last())
                .map_or(self.start_px, |&(_, px)| px),
        )
    }

    /// The imposed price paths, oldest first.
    pub(crate) fn imposed(&self) -> &[Vec<(i64, f64)>] {
        &self.overrides
    }

    /// Replaces the imposed price paths (a restored snapshot's).
    pub(crate) fn set_imposed(&mut self, overrides: Vec<Vec<(i64, f64)>>) {
        self.overrides = overrides.into_iter().filter(|o| !o.is_empty()).collect();
    }

    /// The fair price at `t_ms`, overrides included.
    pub(crate) fn price_at(&mut self, t_ms: i64) -> f64 {
        let Some(points) = self
            .overrides
            .iter()
            .rev()
            .find(|o| o[0].0 <= t_ms)
            .cloned()
        else {
            return self.base_price_at(t_ms);
        };
        let (last_t, last_px) = *points.last().expect("overrides are not empty");
        if t_ms >= last_t {
            return match self.model {
                PriceModel::Static => last_px,
                PriceModel::Walk { .. } => {
                    last_px * self.base_price_at(t_ms) / self.base_price_at(last_t)
                }
            };
        }
        let next = points
            .iter()
            .position(|&(t, _)| t > t_ms)
            .expect("t_ms is before the last point");
        let ((t0, p0), (t1, p1)) = (points[next - 1], points[next]);
        p0 + (p1 - p0) * (t_ms - t0) as f64 / (t1 - t0) as f64
    }

    /// The first instant the path is defined for; earlier instants read as this one.
    pub(crate) fn start_ms(&self) -> i64 {
        (self.origin_day - HISTORY_DAYS) * DAY_MINUTES * MINUTE_MS
    }

    /// The world's own price at `t_ms`, before any override.
    fn base_price_at(&mut self, t_ms: i64) -> f64 {
        let PriceModel::Walk { .. } = self.model else {
            return self.start_px;
        };
        let t_ms = t_ms.max(self.start_ms());
        let minute = t_ms.div_euclid(MINUTE_MS);
        let frac = (t_ms - minute * MINUTE_MS) as f64 / MINUTE_MS as f64;
        let day = minute.div_euclid(DAY_MINUTES);
        let index = (minute - day * DAY_MINUTES) as usize;
        let base = self.checkpoint(day);
        let knots = self.day_knots(day);
        let log = base + knots[index] + (knots[index + 1] - knots[index]) * frac;
        self.start_px * log.exp()
    }

    fn checkpoint(&mut self, day: i64) -> f64 {
        if let Some(&value) = self.checkpoints.get(&day) {
            return value;
        }
        let (&last_day, &last) = self.checkpoints.last_key_value().expect("origin is known");
        if day > last_day {
            let mut value = last;
            for d in last_day..day {
                value += self.day_knots(d)[DAY_MINUTES as usize];
                self.checkpoints.insert(d + 1, value);
            }
            return value;
        }
        let (&first_day, &first) = self.checkpoints.first_key_value().expect("origin is known");
        let mut value = first;
        for d in (day..first_day).rev() {
            value -= self.day_knots(d)[DAY_MINUTES as usize];
            self.checkpoints.insert(d, value);
        }
        value
    }

    fn day_knots(&mut self, day: i64) -> Arc<[f64]> {
        if let Some(knots) = self.days.get(&day) {
            return knots.clone();
        }
        let vol = match self.model {
            PriceModel::Walk { vol_per_min } => vol_per_min,
            PriceModel::Static => 0.0,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(seed_for(self.seed, 0x57A1, day));
        let mut knots = Vec::with_capacity(DAY_MINUTES as usize + 1);
        let mut log = 0.0;
        knots.push(log);
        for _ in 0..DAY_MINUTES {
            let z: f64 = rng.sample(StandardNormal);
            log += z * vol;
            knots.push(log);
        }
        let knots: Arc<[f64]> = knots.into();
        if self.days.len() >= DAY_CACHE {
            let far = *self
                .days
                .keys()
                .max_by_key(|&&d| (d - day).abs())
                .expect("the cache is full");
            self.days.remove(&far);
        }
        self.days.insert(day, knots.clone());
        knots
    }

    #[cfg(test)]
    pub(crate) fn origin_day(&self) -> i64 {
        self.origin_day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_764_000_000_000;

    #[test]
    fn a_static_path_never_moves() {
        let mut path = PricePath::new(95_000.0, PriceModel::Static, 7, T0);
        assert_eq!(path.price_at(T0), 95_000.0);
        assert_eq!(path.price_at(T0 + 86_400_000 * 3), 95_000.0);
    }

    #[test]
    fn a_walk_is_the_same_whatever_order_it_is_read_in() {
        let model = PriceModel::Walk { vol_per_min: 0.001 };
        let mut forward = PricePath::new(100.0, model, 7, T0);
        let times: Vec<i64> = (-5..5).map(|d| T0 + d * 86_400_000 + 12_345).collect();
        let ahead: Vec<f64> = times.iter().map(|&t| forward.price_at(t)).collect();
        let mut backward = PricePath::new(100.0, model, 7, T0);
        let behind: Vec<f64> = times.iter().rev().map(|&t| backward.price_at(t)).collect();
        let behind: Vec<f64> = behind.into_iter().rev().collect();
        assert_eq!(ahead, behind);
        assert!(ahead.iter().any(|&p| p != 100.0), "the walk moves");
    }

    #[test]
    fn the_walk_starts_at_its_price_at_the_origin_day() {
        let mut path = PricePath::new(100.0, PriceModel::Walk { vol_per_min: 0.01 }, 1, T0);
        let origin = path.origin_day() * DAY_MINUTES * MINUTE_MS;
        assert_eq!(path.price_at(origin), 100.0);
    }

    #[test]
    fn an_imposed_path_moves_linearly_then_holds_and_leaves_the_past_alone() {
        let mut path = PricePath::new(100.0, PriceModel::Static, 1, T0);
        path.impose(vec![(T0 + 1_000, 100.0), (T0 + 11_000, 110.0)]);
        assert_eq!(path.price_at(T0), 100.0);
        assert_eq!(path.price_at(T0 + 6_000), 105.0);
        assert_eq!(path.price_at(T0 + 99_000), 110.0);
        path.impose(vec![(T0 + 5_000, 90.0)]);
        assert_eq!(
            path.price_at(T0 + 3_000),
            102.0,
            "the earlier override still rules before the new one"
        );
        assert_eq!(path.price_at(T0 + 99_000), 90.0);
    }

    #[test]
    fn a_walk_continues_from_an_imposed_price() {
        let model = PriceModel::Walk { vol_per_min: 0.001 };
        let mut path = PricePath::new(100.0, model, 1, T0);
        let later = path.price_at(T0 + 3_600_000) / path.price_at(T0 + 60_000);
        path.impose(vec![(T0 + 60_000, 200.0)]);
        let moved = path.price_at(T0 + 3_600_000);
        assert!((moved - 200.0 * later).abs() < 1e-9);
    }

    #[test]
    fn different_seeds_walk_differently() {
        let model = PriceModel::Walk { vol_per_min: 0.001 };
        let a = PricePath::new(100.0, model, 1, T0).price_at(T0 + 3_600_000);
        let b = PricePath::new(100.0, model, 2, T0).price_at(T0 + 3_600_000);
        assert_ne!(a, b);
    }
}
