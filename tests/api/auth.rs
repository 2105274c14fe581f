//! Every authentication failure with OKX's code, HTTP status and exact body.

use okx_mock::{Clock, Env, MockOkx, prehash, sign};

use crate::helpers::{NOW, auth_headers, get, iso, send, signed_get, spawn_app};

const CURRENCIES: &str = "/api/v5/asset/currencies";

fn without(headers: Vec<(&'static str, String)>, name: &str) -> Vec<(&'static str, String)> {
    headers.into_iter().filter(|(n, _)| *n != name).collect()
}

fn replaced(
    headers: Vec<(&'static str, String)>,
    name: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    let mut headers = without(headers, name);
    headers.push((name, value.to_owned()));
    headers
}

#[tokio::test]
async fn a_correctly_signed_live_request_is_answered() {
    let server = spawn_app().await;
    let reply = signed_get(&server, &server.credentials(Env::Live), CURRENCIES, false).await;
    assert_eq!((reply.status, reply.code()), (200, "0"), "{}", reply.body);
    let btc = reply
        .data()
        .iter()
        .find(|c| c["chain"] == "BTC-Bitcoin")
        .unwrap();
    assert_eq!(btc["canDep"], true);
    assert_eq!(btc["fee"], "0.0001");
}

#[tokio::test]
async fn each_missing_header_gets_its_own_code() {
    let server = spawn_app().await;
    let full = auth_headers(&server.credentials(Env::Live), NOW, CURRENCIES);
    let cases = [
        (
            "OK-ACCESS-KEY",
            r#"{"msg":"Request header “OK_ACCESS_KEY“ can't be empty.","code":"50103"}"#,
        ),
        (
            "OK-ACCESS-PASSPHRASE",
            r#"{"msg":"Request header “OK_ACCESS_PASSPHRASE“ can't be empty.","code":"50104"}"#,
        ),
        (
            "OK-ACCESS-SIGN",
            r#"{"msg":"Request header “OK_ACCESS_SIGN“ can't be empty.","code":"50106"}"#,
        ),
        (
            "OK-ACCESS-TIMESTAMP",
            r#"{"msg":"Request header “OK_ACCESS_TIMESTAMP“ can't be empty.","code":"50107"}"#,
        ),
    ];
    for (header, body) in cases {
        let reply = send(
            &server,
            "GET",
            CURRENCIES,
            &without(full.clone(), header),
            "",
        )
        .await;
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (401, body),
            "without {header}"
        );
        let empty = send(
            &server,
            "GET",
            CURRENCIES,
            &replaced(full.clone(), header_static(header), ""),
            "",
        )
        .await;
        assert_eq!(
            (empty.status, empty.body.as_str()),
            (401, body),
            "empty {header}"
        );
    }
}

fn header_static(name: &str) -> &'static str {
    [
        "OK-ACCESS-KEY",
        "OK-ACCESS-PASSPHRASE",
        "OK-ACCESS-SIGN",
        "OK-ACCESS-TIMESTAMP",
    ]
    .into_iter()
    .find(|h| *h == name)
    .unwrap()
}

#[tokio::test]
async fn a_timestamp_not_in_okx_format_is_invalid() {
    let server = spawn_app().await;
    let creds = server.credentials(Env::Live);
    for ts in [
        "2026-11-25T05:17:42Z",
        "1795583862345",
        "2026-11-25 05:17:42.345Z",
        "2026-11-25T05:17:42.345+00:00",
    ] {
        let headers = replaced(
            auth_headers(&creds, NOW, CURRENCIES),
            "OK-ACCESS-TIMESTAMP",
            ts,
        );
        let reply = send(&server, "GET", CURRENCIES, &headers, "").await;
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (
                401,
                r#"{"msg":"Invalid OK-ACCESS-TIMESTAMP","code":"50112"}"#
            ),
            "{ts}"
        );
    }
}

#[tokio::test]
async fn a_timestamp_more_than_30_seconds_from_exchange_time_has_expired() {
    let clock = Clock::frozen_at(NOW);
    let server = MockOkx::builder()
        .rate_limits(crate::helpers::NO_LIMITS)
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let creds = server.credentials(Env::Live);
    for (skew, expected) in [(-30_001, 401), (30_001, 401), (-30_000, 200), (30_000, 200)] {
        let headers = auth_headers(&creds, NOW + skew, CURRENCIES);
        let reply = send(&server, "GET", CURRENCIES, &headers, "").await;
        assert_eq!(reply.status, expected, "skew {skew}: {}", reply.body);
        if expected == 401 {
            assert_eq!(
                reply.body,
                r#"{"msg":"Timestamp request expired","code":"50102"}"#
            );
        }
    }
    // The same request, once the exchange clock moves on, is too old.
    let headers = auth_headers(&creds, NOW, CURRENCIES);
    clock.advance(31_000);
    let reply = send(&server, "GET", CURRENCIES, &headers, "").await;
    assert_eq!(reply.code(), "50102");
}

#[tokio::test]
async fn unknown_and_malformed_keys_are_told_apart() {
    let server = spawn_app().await;
    let mut creds = server.credentials(Env::Live);
    creds.api_key = "00000000-1111-2222-3333-444444444444".into();
    let reply = signed_get(&server, &creds, CURRENCIES, false).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (401, r#"{"msg":"API key doesn't exist","code":"50119"}"#)
    );
    creds.api_key = "not-a-key".into();
    let reply = signed_get(&server, &creds, CURRENCIES, false).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (401, r#"{"msg":"Invalid OK-ACCESS-KEY","code":"50111"}"#)
    );
}

#[tokio::test]
async fn a_key_used_in_the_other_environment_does_not_match_it() {
    let server = spawn_app().await;
    let expected = r#"{"msg":"APIKey does not match current environment.","code":"50101"}"#;
    let demo_on_live = signed_get(&server, &server.credentials(Env::Demo), CURRENCIES, false).await;
    assert_eq!(
        (demo_on_live.status, demo_on_live.body.as_str()),
        (401, expected)
    );
    let live_on_demo = signed_get(&server, &server.credentials(Env::Live), CURRENCIES, true).await;
    assert_eq!(
        (live_on_demo.status, live_on_demo.body.as_str()),
        (401, expected)
    );
    // python-okx sends `x-simulated-trading: 0` for live.
    let creds = server.credentials(Env::Live);
    let mut headers = auth_headers(&creds, NOW, CURRENCIES);
    headers.push(("x-simulated-trading", "0".into()));
    assert_eq!(
        send(&server, "GET", CURRENCIES, &headers, "").await.code(),
        "0"
    );
}

#[tokio::test]
async fn a_wrong_passphrase_is_refused() {
    let server = spawn_app().await;
    let mut creds = server.credentials(Env::Live);
    creds.passphrase.push('x');
    let reply = signed_get(&server, &creds, CURRENCIES, false).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (
            401,
            r#"{"msg":"Request header \"OK-ACCESS-PASSPHRASE\" incorrect.","code":"50105"}"#
        )
    );
}

#[tokio::test]
async fn an_order_signed_with_the_wrong_secret_is_refused() {
    let server = spawn_app().await;
    let mut creds = server.credentials(Env::Live);
    creds.secret_key = "WRONG".into();
    let reply = signed_get(&server, &creds, CURRENCIES, false).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (401, r#"{"msg":"Invalid Sign","code":"50113"}"#)
    );
}

#[tokio::test]
async fn the_signature_covers_the_raw_query_or_else_the_decoded_one() {
    let server = spawn_app().await;
    let creds = server.credentials(Env::Live);
    let wire = "/api/v5/asset/currencies?ccy=BTC%2CETH";
    // ccxt signs the encoded query it sends.
    let raw = send(&server, "GET", wire, &auth_headers(&creds, NOW, wire), "").await;
    assert_eq!(raw.code(), "0", "{}", raw.body);
    let ccys: Vec<&str> = raw
        .data()
        .iter()
        .map(|c| c["ccy"].as_str().unwrap())
        .collect();
    assert_eq!(ccys, ["BTC", "ETH"]);
    // python-okx and okx-api sign the query before their HTTP library encodes it.
    let decoded = "/api/v5/asset/currencies?ccy=BTC,ETH";
    let reply = send(
        &server,
        "GET",
        wire,
        &auth_headers(&creds, NOW, decoded),
        "",
    )
    .await;
    assert_eq!(reply.code(), "0", "{}", reply.body);
    // Anything else is a bad signature.
    let other = "/api/v5/asset/currencies?ccy=BTC";
    let reply = send(&server, "GET", wire, &auth_headers(&creds, NOW, other), "").await;
    assert_eq!(reply.code(), "50113");
}

#[tokio::test]
async fn a_key_bound_to_other_addresses_is_refused_from_this_one() {
    let world = okx_mock::DEFAULT_WORLD.replace(
        "perms = [\"read_only\", \"trade\", \"withdraw\"]",
        "perms = [\"read_only\", \"trade\", \"withdraw\"]\nips = [\"10.0.0.0/8\", \"192.168.1.7\"]",
    );
    let server = MockOkx::builder()
        .rate_limits(crate::helpers::NO_LIMITS)
        .world_toml(world)
        .clock(Clock::frozen_at(NOW))
        .start()
        .await
        .unwrap();
    let reply = signed_get(&server, &server.credentials(Env::Live), CURRENCIES, false).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (
            401,
            r#"{"msg":"Your IP 127.0.0.1 is not included in your API key's IP whitelist.","code":"50110"}"#
        )
    );
}

#[tokio::test]
async fn demo_trading_does_not_serve_currencies() {
    let server = spawn_app().await;
    let reply = signed_get(&server, &server.credentials(Env::Demo), CURRENCIES, true).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (
            200,
            r#"{"code":"50038","data":[],"msg":"This feature is temporarily unavailable in demo trading"}"#
        )
    );
}

#[tokio::test]
async fn public_endpoints_ignore_auth_headers_even_when_wrong() {
    let server = spawn_app().await;
    let headers = vec![
        ("OK-ACCESS-KEY", "garbage".to_owned()),
        ("OK-ACCESS-SIGN", "garbage".to_owned()),
        ("OK-ACCESS-TIMESTAMP", iso(0)),
        ("x-simulated-trading", "1".to_owned()),
    ];
    let reply = send(&server, "GET", "/api/v5/public/time", &headers, "").await;
    assert_eq!((reply.status, reply.code()), (200, "0"));
}

#[tokio::test]
async fn an_unknown_private_path_is_okx_s_404_not_an_auth_error() {
    let server = spawn_app().await;
    let reply = get(&server, "/api/v5/asset/no-such-thing").await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.body,
        r#"{"code":404,"data":{},"detailMsg":"","error_code":"404","error_message":"Not Found","msg":"Not Found"}"#
    );
}

#[test]
fn the_exported_signer_matches_okx_s_published_vector() {
    let prehash = prehash(
        "2020-12-08T09:08:57.715Z",
        "GET",
        "/api/v5/account/balance?ccy=BTC",
        b"",
    );
    let signature = sign("chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO", &prehash);
    assert_eq!(signature, "ebNz0sDoc3LoFm1hqjP8LDT0fnRlDERj5C+I4ZqB4Cw=");
}
