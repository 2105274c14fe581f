//! OKX's delivery schedule for dated futures, so a world can say "the quarterly
//! contract" and never go stale.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};

/// Futures deliver at 08:00 UTC.
const DELIVERY_HOUR: u32 = 8;

/// Which contract of the schedule an instrument is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expiry {
    /// The next quarterly delivery (last Friday of Mar/Jun/Sep/Dec).
    Quarter,
    /// The quarterly delivery after that.
    NextQuarter,
}

impl Expiry {
    /// Parses a world-file name.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "quarter" => Some(Self::Quarter),
            "next_quarter" => Some(Self::NextQuarter),
            _ => None,
        }
    }

    /// OKX's (deprecated but still sent) alias.
    pub(crate) fn alias(self) -> &'static str {
        match self {
            Self::Quarter => "quarter",
            Self::NextQuarter => "next_quarter",
        }
    }

    /// The delivery instant (ms) of this contract as seen at `now_ms`.
    pub(crate) fn delivery_ms(self, now_ms: i64) -> i64 {
        let now = Utc
            .timestamp_millis_opt(now_ms)
            .single()
            .unwrap_or_default();
        let first = next_quarterly_after(now);
        let delivery = match self {
            Self::Quarter => first,
            Self::NextQuarter => next_quarterly_after(first),
        };
        delivery.timestamp_millis()
    }
}

/// The instId suffix OKX uses for a delivery date: `YYMMDD`.
pub(crate) fn inst_id_suffix(delivery_ms: i64) -> String {
    Utc.timestamp_millis_opt(delivery_ms)
        .single()
        .unwrap_or_default()
        .format("%y%m%d")
        .to_string()
}

fn next_quarterly_after(now: DateTime<Utc>) -> DateTime<Utc> {
    let mut year = now.year();
    let mut month = now.month().div_ceil(3) * 3;
    loop {
        let delivery = last_friday(year, month);
        if delivery > now {
            return delivery;
        }
        month += 3;
        if month > 12 {
            month = 3;
            year += 1;
        }
    }
}

fn last_friday(year: i32, month: u32) -> DateTime<Utc> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .expect("a valid calendar month");
    let mut day = first_of_next - Duration::days(1);
    while day.weekday() != Weekday::Fri {
        day -= Duration::days(1);
    }
    Utc.from_utc_datetime(&day.and_hms_opt(DELIVERY_HOUR, 0, 0).expect("08:00 exists"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn the_quarterly_contract_delivers_on_the_last_friday_of_the_quarter() {
        let now = ms("2026-11-25T05:00:00Z");
        assert_eq!(Expiry::Quarter.delivery_ms(now), ms("2026-12-25T08:00:00Z"));
        assert_eq!(
            Expiry::NextQuarter.delivery_ms(now),
            ms("2027-03-26T08:00:00Z")
        );
        assert_eq!(inst_id_suffix(Expiry::Quarter.delivery_ms(now)), "261225");
    }

    #[test]
    fn after_delivery_the_quarter_rolls_to_the_next_one() {
        let after = ms("2026-12-25T08:00:00Z");
        assert_eq!(
            Expiry::Quarter.delivery_ms(after),
            ms("2027-03-26T08:00:00Z")
        );
    }
}
