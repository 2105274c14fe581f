//! OKX request signing: `base64(HMAC-SHA256(secret, timestamp + METHOD + requestPath + body))`.
//!
//! The server verifies over the bytes it received. ccxt signs its
//! percent-encoded query (`%2C`), python-okx and okx-api sign the unencoded one
//! while their HTTP libraries encode it on the wire, so a signature is accepted
//! if it matches the raw request target, or failing that the decoded one.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::percent_decode_str;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The string OKX signs.
pub fn prehash(timestamp: &str, method: &str, request_path: &str, body: &[u8]) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(timestamp.len() + method.len() + request_path.len() + body.len());
    out.extend_from_slice(timestamp.as_bytes());
    out.extend_from_slice(method.as_bytes());
    out.extend_from_slice(request_path.as_bytes());
    out.extend_from_slice(body);
    out
}

/// Signs `prehash` with `secret` (used as raw UTF-8 bytes, as every SDK does).
pub fn sign(secret: &str, prehash: &[u8]) -> String {
    STANDARD.encode(mac(secret, prehash).finalize().into_bytes())
}

fn mac(secret: &str, message: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(message);
    mac
}

/// Which form of the request target a valid signature covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignedForm {
    /// The target exactly as received.
    Raw,
    /// The percent-decoded target (`+` read as a space in the query).
    Decoded,
}

/// Checks `signature` against the raw target, then the decoded one. On failure
/// returns the prehash of the raw form: what a client should have signed.
pub(super) fn verify(
    secret: &str,
    timestamp: &str,
    method: &str,
    raw_target: &str,
    body: &[u8],
    signature: &str,
) -> Result<SignedForm, String> {
    let raw = prehash(timestamp, method, raw_target, body);
    let Ok(given) = STANDARD.decode(signature.trim()) else {
        return Err(String::from_utf8_lossy(&raw).into_owned());
    };
    if mac(secret, &raw).verify_slice(&given).is_ok() {
        return Ok(SignedForm::Raw);
    }
    let decoded = decode_target(raw_target);
    if decoded != raw_target
        && mac(secret, &prehash(timestamp, method, &decoded, body))
            .verify_slice(&given)
            .is_ok()
    {
        return Ok(SignedForm::Decoded);
    }
    Err(String::from_utf8_lossy(&raw).into_owned())
}

/// The target with its path and query percent-decoded and `+` in the query read as a space.
pub(crate) fn decode_target(raw: &str) -> String {
    let (path, query) = match raw.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (raw, None),
    };
    let mut out = percent_decode_str(path).decode_utf8_lossy().into_owned();
    if let Some(query) = query {
        out.push('?');
        out.push_str(&percent_decode_str(&query.replace('+', " ")).decode_utf8_lossy());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO";
    const TS: &str = "2020-12-08T09:08:57.715Z";

    #[test]
    fn matches_the_published_signature_vectors() {
        let vectors: [(&str, &str, &[u8], &str); 4] = [
            (
                "GET",
                "/api/v5/account/balance",
                b"",
                "PJ61e1nb2F2Qd7D8SPiaIcx2gjdELc+o0ygzre9z33k=",
            ),
            (
                "GET",
                "/api/v5/account/balance?ccy=BTC",
                b"",
                "ebNz0sDoc3LoFm1hqjP8LDT0fnRlDERj5C+I4ZqB4Cw=",
            ),
            (
                "POST",
                "/api/v5/account/set-leverage",
                br#"{"instId":"BTC-USDT","lever":"5","mgnMode":"isolated"}"#,
                "ZBzFZ15GkJsogiz5UBaS4JZZBYbOIMv12rXD/YZR6nw=",
            ),
            (
                "POST",
                "/api/v5/account/set-leverage",
                br#"{"instId": "BTC-USDT", "lever": "5", "mgnMode": "isolated"}"#,
                "m+s5SRH7xbqBc1z6lydk9FoGGwlSKs8Ao9+WVlcZFD4=",
            ),
        ];
        for (method, path, body, expected) in vectors {
            assert_eq!(
                sign(SECRET, &prehash(TS, method, path, body)),
                expected,
                "{path}"
            );
            assert_eq!(
                verify(SECRET, TS, method, path, body, expected),
                Ok(SignedForm::Raw)
            );
        }
    }

    #[test]
    fn matches_the_websocket_login_vector() {
        let signed = sign(SECRET, b"1538054050GET/users/self/verify");
        assert_eq!(signed, "ENpPNQ8mQv8YzDMPhBsB4SrjaKK+FaEh2nozTRW6KU0=");
    }

    #[test]
    fn accepts_an_unencoded_signature_of_an_encoded_query() {
        // okx-api signs `a b:c`; axios sends `a+b:c`.
        let signature = sign(
            SECRET,
            &prehash(TS, "GET", "/api/v5/trade/order?clOrdId=a b:c", b""),
        );
        let result = verify(
            SECRET,
            TS,
            "GET",
            "/api/v5/trade/order?clOrdId=a+b:c",
            b"",
            &signature,
        );
        assert_eq!(result, Ok(SignedForm::Decoded));
    }

    #[test]
    fn a_wrong_signature_reports_what_should_have_been_signed() {
        let result = verify(
            SECRET,
            TS,
            "GET",
            "/api/v5/account/balance",
            b"",
            "bm9wZQ==",
        );
        assert_eq!(result, Err(format!("{TS}GET/api/v5/account/balance")));
        assert!(verify(SECRET, TS, "GET", "/x", b"", "not base64!").is_err());
    }
}
