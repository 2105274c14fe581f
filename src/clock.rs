//! The exchange clock: every timestamp okx-mock reads comes from here.
//!
//! It runs on system time by default. Tests shift it (an offset, as when the
//! server's clock is ahead of or behind the client's), freeze it at an instant,
//! set it, and advance it, so time-dependent behaviour (the 30 s auth window,
//! candles, funding times, expiries) is tested without sleeping.
//!
//! The state is two atomics rather than a mutex: the clock is read on every
//! request, and a frozen instant plus an offset are independent words.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Marks "not frozen" in [`Clock::frozen_at`]; no real instant is this far back.
const RUNNING: i64 = i64::MIN;

/// A cheap-to-clone handle on the exchange clock (milliseconds since the Unix epoch).
#[derive(Clone, Debug)]
pub struct Clock {
    inner: Arc<ClockState>,
}

#[derive(Debug)]
struct ClockState {
    /// Added to system time while the clock runs.
    offset_ms: AtomicI64,
    /// The instant the clock stands at while frozen, or [`RUNNING`].
    frozen_at: AtomicI64,
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl Clock {
    /// A clock that follows system time.
    pub fn system() -> Self {
        Self {
            inner: Arc::new(ClockState {
                offset_ms: AtomicI64::new(0),
                frozen_at: AtomicI64::new(RUNNING),
            }),
        }
    }

    /// A clock frozen at `ms`; it moves only when set or advanced.
    pub fn frozen_at(ms: i64) -> Self {
        let clock = Self::system();
        clock.freeze_at(ms);
        clock
    }

    /// The current exchange time in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        match self.inner.frozen_at.load(Ordering::Acquire) {
            RUNNING => system_ms().saturating_add(self.inner.offset_ms.load(Ordering::Acquire)),
            frozen => frozen,
        }
    }

    /// Whether the clock is frozen.
    pub fn is_frozen(&self) -> bool {
        self.inner.frozen_at.load(Ordering::Acquire) != RUNNING
    }

    /// Runs the clock `offset_ms` ahead of (positive) or behind (negative) system time.
    pub fn set_offset(&self, offset_ms: i64) {
        self.inner.offset_ms.store(offset_ms, Ordering::Release);
        self.inner.frozen_at.store(RUNNING, Ordering::Release);
    }

    /// Stops the clock at its current reading.
    pub fn freeze(&self) {
        self.freeze_at(self.now_ms());
    }

    /// Stops the clock at `ms`.
    pub fn freeze_at(&self, ms: i64) {
        self.inner.frozen_at.store(ms, Ordering::Release);
    }

    /// Lets a frozen clock run again from where it stands (as an offset from system time).
    pub fn resume(&self) {
        let now = self.now_ms();
        self.set_offset(now - system_ms());
    }

    /// Moves the clock to `ms`, keeping it frozen or running as it was.
    pub fn set(&self, ms: i64) {
        if self.is_frozen() {
            self.freeze_at(ms);
        } else {
            self.set_offset(ms - system_ms());
        }
    }

    /// Moves the clock forward by `ms` (backward if negative), frozen or running.
    pub fn advance(&self, ms: i64) {
        self.set(self.now_ms().saturating_add(ms));
    }
}

fn system_ms() -> i64 {
    // A system clock before 1970 is a broken machine; read it as the epoch.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_clock_moves_only_when_advanced() {
        let clock = Clock::frozen_at(1_700_000_000_000);
        assert_eq!(clock.now_ms(), 1_700_000_000_000);
        clock.advance(31_000);
        assert_eq!(clock.now_ms(), 1_700_000_031_000);
        clock.set(5);
        assert_eq!(clock.now_ms(), 5);
    }

    #[test]
    fn an_offset_clock_runs_ahead_of_system_time() {
        let clock = Clock::system();
        clock.set_offset(3_600_000);
        let ahead = clock.now_ms() - system_ms();
        assert!((3_599_000..=3_601_000).contains(&ahead), "{ahead}");
    }

    #[test]
    fn resuming_keeps_the_reading_and_lets_it_run() {
        let clock = Clock::frozen_at(system_ms() - 10_000);
        clock.resume();
        assert!(!clock.is_frozen());
        let behind = system_ms() - clock.now_ms();
        assert!((9_000..=11_000).contains(&behind), "{behind}");
    }
}
