//! OKX's JSON shapes and nothing else: the success envelope, lenient request
//! parameters, and the response rows of each endpoint family. Numbers go out as
//! strings, absent values as `""`, and the few native JSON types OKX uses
//! (`instIdCode`, `seqId`, booleans) stay native.

pub(crate) mod account;
pub(crate) mod algo;
pub(crate) mod body;
pub(crate) mod envelope;
pub(crate) mod market;
pub(crate) mod params;
pub(crate) mod reject;
pub(crate) mod trade;

use rust_decimal::Decimal;

/// A decimal as OKX prints it: no trailing zeros, no exponent.
pub(crate) fn num(value: Decimal) -> String {
    value.normalize().to_string()
}

/// An optional decimal; `""` when absent.
pub(crate) fn opt_num(value: Option<Decimal>) -> String {
    value.map(num).unwrap_or_default()
}
