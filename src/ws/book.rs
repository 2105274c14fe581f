//! The `books` channel's arithmetic: the increment between two states of a
//! book, and OKX's CRC32 checksum of the top 25 levels a side.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::exchange::Level;
use crate::wire::num;

/// A level on the wire: `[px, sz, "0", orders]`.
pub(crate) type WireLevel = [String; 4];

/// Levels as sent: canonical decimals (no trailing zeros, no exponent), which
/// clients that rebuild the checksum from parsed floats also produce.
pub(crate) fn wire(levels: &[Level]) -> Vec<WireLevel> {
    levels
        .iter()
        .map(|l| [num(l.px), num(l.sz), "0".into(), l.orders.to_string()])
        .collect()
}

/// What changed on one side between `before` and `after` (both best first):
/// new or resized levels with their size, vanished levels with size "0", in
/// the side's own order (`descending` for bids).
pub(crate) fn side_changes(before: &[Level], after: &[Level], descending: bool) -> Vec<WireLevel> {
    let old: BTreeMap<Decimal, &Level> = before.iter().map(|l| (l.px, l)).collect();
    let new: BTreeMap<Decimal, &Level> = after.iter().map(|l| (l.px, l)).collect();
    let mut changes: Vec<(Decimal, WireLevel)> = Vec::new();
    for (px, level) in &new {
        let same = old
            .get(px)
            .is_some_and(|o| o.sz == level.sz && o.orders == level.orders);
        if !same {
            changes.push((*px, wire(&[**level]).remove(0)));
        }
    }
    for px in old.keys().filter(|px| !new.contains_key(*px)) {
        changes.push((*px, [num(*px), "0".into(), "0".into(), "0".into()]));
    }
    changes.sort_by_key(|(px, _)| *px);
    if descending {
        changes.reverse();
    }
    changes.into_iter().map(|(_, level)| level).collect()
}

/// OKX's checksum: `bid:size:ask:size:…` over the best 25 levels a side,
/// alternating and continuing with the longer side, CRC32 as a signed 32-bit integer.
pub(crate) fn checksum(bids: &[WireLevel], asks: &[WireLevel]) -> i32 {
    let mut parts: Vec<&str> = Vec::with_capacity(100);
    for i in 0..25 {
        for side in [bids, asks] {
            if let Some(level) = side.get(i) {
                parts.push(&level[0]);
                parts.push(&level[1]);
            }
        }
    }
    crc32fast::hash(parts.join(":").as_bytes()) as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn level(px: Decimal, sz: Decimal) -> Level {
        Level { px, sz, orders: 1 }
    }

    fn wl(px: &str, sz: &str) -> WireLevel {
        [px.into(), sz.into(), "0".into(), "0".into()]
    }

    #[test]
    fn the_checksum_matches_okx_s_worked_examples() {
        let bids = [wl("3366.1", "7"), wl("3366", "6")];
        let asks = [wl("3366.8", "9"), wl("3368", "8")];
        assert_eq!(checksum(&bids, &asks), -1881014294);
        let asks = [wl("3366.8", "9"), wl("3368", "8"), wl("3372", "8")];
        assert_eq!(checksum(&bids[..1], &asks), 831078360);
    }

    #[test]
    fn changes_list_resized_new_and_vanished_levels_in_side_order() {
        let before = [level(dec!(100), dec!(1)), level(dec!(99), dec!(2))];
        let after = [level(dec!(101), dec!(3)), level(dec!(100), dec!(1.5))];
        let changes = side_changes(&before, &after, true);
        let prices: Vec<(&str, &str)> = changes
            .iter()
            .map(|l| (l[0].as_str(), l[1].as_str()))
            .collect();
        assert_eq!(prices, [("101", "3"), ("100", "1.5"), ("99", "0")]);
        assert!(side_changes(&after, &after, false).is_empty());
    }
}
