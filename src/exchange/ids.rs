//! Numeric ids (orders, trades, bills, positions): 19 digits, increasing with
//! exchange time like OKX's, unique, and within i64 as C# clients require.

/// Ids per millisecond before the next millisecond's range is borrowed.
const PER_MS: i64 = 1_000_000;

/// A deterministic id source: the same clock readings give the same ids.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ids {
    last: i64,
}

impl Ids {
    /// The last id handed out.
    pub(crate) fn last(&self) -> i64 {
        self.last
    }

    /// Continues after `last` (a restored snapshot's sequence).
    pub(crate) fn resume_after(&mut self, last: i64) {
        self.last = self.last.max(last);
    }

    /// The next id at exchange time `now_ms`: never smaller than the last one.
    pub(crate) fn next(&mut self, now_ms: i64) -> i64 {
        let floor = now_ms.max(0).saturating_mul(PER_MS);
        self.last = floor.max(self.last.saturating_add(1));
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_grow_with_time_and_never_repeat() {
        let mut ids = Ids::default();
        let a = ids.next(1_795_583_862_345);
        let b = ids.next(1_795_583_862_345);
        let c = ids.next(1_795_583_862_000); // the clock went back
        assert_eq!(a, 1_795_583_862_345_000_000);
        assert!(a < b && b < c);
        assert_eq!(a.to_string().len(), 19);
    }
}
