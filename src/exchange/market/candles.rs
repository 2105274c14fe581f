//! Candlesticks: OKX's bar sizes, their alignment, and paging over the tape.
//!
//! OKX aligns `1m`..`4H` to UTC, the plain `6H`..`3M` bars to UTC+8 (its home
//! time zone) and the `...utc` variants to UTC. Weeks start on Monday. Months
//! and quarters are calendar months.

use chrono::{Datelike, Months, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

use super::bar::Bar;
use super::{MINUTE_MS, MarketBook};

const SECOND_MS: i64 = 1_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;
const UTC8_MS: i64 = 8 * HOUR_MS;
/// 1970-01-05, the first Monday after the epoch: weeks are counted from it.
const FIRST_MONDAY_MS: i64 = 4 * DAY_MS;
/// `market/candles` serves only the newest 1 440 bars of a size.
const RECENT_BARS: usize = 1_440;

/// A bar size OKX accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BarSize {
    kind: BarKind,
    /// Shift of the bar's time zone from UTC, ms.
    zone_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BarKind {
    /// A fixed length counted from `anchor` (the epoch, or the first Monday for weeks).
    Fixed { len: i64, anchor: i64 },
    /// `n` calendar months, starting in months 1, 1+n, ...
    Months(u32),
}

impl BarSize {
    /// Parses OKX's `bar` parameter (case matters: `1m` is a minute, `1M` a month).
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let (base, zone_ms) = match text.strip_suffix("utc") {
            Some(base) => (base, 0),
            None => (text, UTC8_MS),
        };
        let fixed = |len| BarKind::Fixed { len, anchor: 0 };
        let utc_only = |kind| Some(Self { kind, zone_ms: 0 });
        let zoned = |kind| Some(Self { kind, zone_ms });
        let plain = base == text;
        match base {
            "1s" if plain => utc_only(fixed(SECOND_MS)),
            "1m" | "3m" | "5m" | "15m" | "30m" if plain => utc_only(fixed(
                base.trim_end_matches('m').parse::<i64>().ok()? * MINUTE_MS,
            )),
            "1H" | "2H" | "4H" if plain => utc_only(fixed(
                base.trim_end_matches('H').parse::<i64>().ok()? * HOUR_MS,
            )),
            "6H" | "12H" => zoned(fixed(
                base.trim_end_matches('H').parse::<i64>().ok()? * HOUR_MS,
            )),
            "1D" | "2D" | "3D" => zoned(fixed(
                base.trim_end_matches('D').parse::<i64>().ok()? * DAY_MS,
            )),
            "1W" => zoned(BarKind::Fixed {
                len: 7 * DAY_MS,
                anchor: FIRST_MONDAY_MS,
            }),
            "1M" => zoned(BarKind::Months(1)),
            "3M" => zoned(BarKind::Months(3)),
            _ => None,
        }
    }

    /// Whether this is the one-second bar, which only `history-candles` serves.
    pub(crate) fn is_one_second(self) -> bool {
        matches!(self.kind, BarKind::Fixed { len: SECOND_MS, .. })
    }

    /// The start of the bar containing `t`.
    pub(crate) fn start_of(self, t: i64) -> i64 {
        match self.kind {
            BarKind::Fixed { len, anchor } => {
                let shifted = t + self.zone_ms - anchor;
                shifted.div_euclid(len) * len + anchor - self.zone_ms
            }
            BarKind::Months(n) => {
                let local = local_date(t + self.zone_ms);
                let month0 = (local.month0() / n) * n;
                let first =
                    NaiveDate::from_ymd_opt(local.year(), month0 + 1, 1).expect("valid month");
                midnight_ms(first) - self.zone_ms
            }
        }
    }

    /// The start of the bar after the one starting at `start`.
    pub(crate) fn next(self, start: i64) -> i64 {
        self.step(start, true)
    }

    /// The start of the bar before the one starting at `start`.
    pub(crate) fn previous(self, start: i64) -> i64 {
        self.step(start, false)
    }

    fn step(self, start: i64, forward: bool) -> i64 {
        match self.kind {
            BarKind::Fixed { len, .. } => {
                if forward {
                    start + len
                } else {
                    start - len
                }
            }
            BarKind::Months(n) => {
                let local = local_date(start + self.zone_ms);
                let moved = if forward {
                    local.checked_add_months(Months::new(n))
                } else {
                    local.checked_sub_months(Months::new(n))
                };
                midnight_ms(moved.expect("dates stay in range")) - self.zone_ms
            }
        }
    }
}

fn local_date(ms: i64) -> NaiveDate {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or_default()
        .date_naive()
}

fn midnight_ms(date: NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
        .timestamp_millis()
}

/// One candlestick.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Candle {
    /// Bar start, ms.
    pub ts: i64,
    /// Prices and volumes.
    pub bar: Bar,
    /// Whether the bar has closed (`confirm` `"1"`).
    pub confirmed: bool,
}

/// Which candles a request wants, in OKX's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CandleQuery {
    /// Bars older than this ts (exclusive).
    pub after: Option<i64>,
    /// Bars newer than this ts (exclusive).
    pub before: Option<i64>,
    /// At most this many.
    pub limit: usize,
    /// `market/candles` (the newest 1 440 bars) rather than `history-candles`.
    pub recent_only: bool,
}

/// Candles of `book`, newest first, as OKX pages them.
pub(crate) fn candles(
    book: &mut MarketBook,
    size: BarSize,
    now: i64,
    query: CandleQuery,
) -> Vec<Candle> {
    let current = size.start_of(now);
    let mut start = match query.after {
        Some(after) => size.start_of(after - 1).min(current),
        None => current,
    };
    let oldest = if query.recent_only {
        (1..RECENT_BARS).fold(current, |s, _| size.previous(s))
    } else {
        size.start_of(book.tape_start())
    };
    let mut out = Vec::with_capacity(query.limit.min(300));
    while out.len() < query.limit && start >= oldest && query.before.is_none_or(|b| start > b) {
        let end = size.next(start);
        let bar = match book.aggregate(start, end, now) {
            Some(bar) => Some(bar),
            None => book.close_before(start).map(Bar::flat),
        };
        match bar {
            Some(bar) => out.push(Candle {
                ts: start,
                bar,
                confirmed: end <= now,
            }),
            None => break, // before the first trade: nothing older exists either
        }
        start = size.previous(start);
    }
    out
}

/// The open of the day containing `now`, in UTC (`sodUtc0`) or UTC+8 (`sodUtc8`).
pub(crate) fn start_of_day_open(book: &mut MarketBook, now: i64, zone_ms: i64) -> Option<Decimal> {
    let day = BarSize {
        kind: BarKind::Fixed {
            len: DAY_MS,
            anchor: 0,
        },
        zone_ms,
    }
    .start_of(now);
    // The day's open is its first trade: the open of its first minute, which
    // is cached, rather than an aggregate of the whole day so far.
    book.aggregate(day, day + MINUTE_MS, now)
        .map(|bar| bar.open)
        .or_else(|| book.close_before(day))
}

/// UTC+8, for `sodUtc8`.
pub(crate) const UTC8: i64 = UTC8_MS;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn ms(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn bars_align_as_okx_aligns_them() {
        let t = ms("2026-11-25T05:17:42.123Z");
        let cases = [
            ("1s", "2026-11-25T05:17:42Z"),
            ("1m", "2026-11-25T05:17:00Z"),
            ("15m", "2026-11-25T05:15:00Z"),
            ("4H", "2026-11-25T04:00:00Z"),
            ("6H", "2026-11-25T04:00:00Z"),
            ("6Hutc", "2026-11-25T00:00:00Z"),
            ("1D", "2026-11-24T16:00:00Z"),
            ("1Dutc", "2026-11-25T00:00:00Z"),
            ("1W", "2026-11-22T16:00:00Z"),
            ("1Wutc", "2026-11-23T00:00:00Z"),
            ("1M", "2026-10-31T16:00:00Z"),
            ("1Mutc", "2026-11-01T00:00:00Z"),
            ("3Mutc", "2026-10-01T00:00:00Z"),
        ];
        for (name, start) in cases {
            let size = BarSize::parse(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(size.start_of(t), ms(start), "{name}");
        }
    }

    #[test]
    fn months_step_by_the_calendar() {
        let size = BarSize::parse("1Mutc").unwrap();
        let nov = ms("2026-11-01T00:00:00Z");
        assert_eq!(size.next(nov), ms("2026-12-01T00:00:00Z"));
        assert_eq!(size.previous(nov), ms("2026-10-01T00:00:00Z"));
    }

    #[test]
    fn unknown_or_miscased_bars_are_refused() {
        for bar in ["1h", "1d", "1mutc", "1sutc", "4Hutc", "7m", ""] {
            assert_eq!(BarSize::parse(bar), None, "{bar}");
        }
    }
}
