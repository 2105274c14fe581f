//! Public reference endpoints and the generic error answers.

use serde_json::Value;

use crate::helpers::{NOW, f, get, send, spawn_app};

#[tokio::test]
async fn server_time_is_exchange_time_in_epoch_milliseconds() {
    let server = spawn_app().await;
    let reply = get(&server, "/api/v5/public/time").await;
    assert_eq!(
        reply.body,
        format!(r#"{{"code":"0","data":[{{"ts":"{NOW}"}}],"msg":""}}"#)
    );
}

const INSTRUMENT_FIELDS: [&str; 47] = [
    "alias",
    "auctionEndTime",
    "baseCcy",
    "category",
    "contTdSwTime",
    "ctMult",
    "ctType",
    "ctVal",
    "ctValCcy",
    "expTime",
    "futureSettlement",
    "groupId",
    "instCategory",
    "instFamily",
    "instId",
    "instIdCode",
    "instType",
    "lever",
    "listTime",
    "longPosRemainingQuota",
    "lotSz",
    "maxIcebergSz",
    "maxLmtAmt",
    "maxLmtSz",
    "maxMktAmt",
    "maxMktSz",
    "maxPlatOILmt",
    "maxStopSz",
    "maxTriggerSz",
    "maxTwapSz",
    "minSz",
    "openType",
    "optType",
    "posLmtAmt",
    "posLmtPct",
    "preMktSwTime",
    "quoteCcy",
    "ruleType",
    "seriesId",
    "settleCcy",
    "shortPosRemainingQuota",
    "state",
    "stk",
    "tickSz",
    "tradeQuoteCcyList",
    "uly",
    "upcChg",
];

async fn instruments(query: &str) -> Vec<Value> {
    let server = spawn_app().await;
    let reply = get(&server, &format!("/api/v5/public/instruments?{query}")).await;
    assert_eq!((reply.status, reply.code()), (200, "0"), "{}", reply.body);
    reply.data().clone()
}

#[tokio::test]
async fn spot_instruments_carry_every_field_with_okx_types() {
    let rows = instruments("instType=SPOT").await;
    let btc = rows.iter().find(|r| r["instId"] == "BTC-USDT").unwrap();
    let mut fields: Vec<&str> = btc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, INSTRUMENT_FIELDS);
    assert_eq!(btc["instIdCode"], 10000001, "instIdCode is a JSON integer");
    assert_eq!(btc["futureSettlement"], false);
    assert_eq!(btc["tradeQuoteCcyList"], serde_json::json!(["USDT"]));
    assert_eq!(btc["upcChg"], serde_json::json!([]));
    for (field, value) in [
        ("instType", "SPOT"),
        ("baseCcy", "BTC"),
        ("quoteCcy", "USDT"),
        ("tickSz", "0.1"),
        ("lotSz", "0.00000001"),
        ("minSz", "0.00001"),
        ("state", "live"),
        ("uly", ""),
        ("ctVal", ""),
        ("settleCcy", ""),
        ("lever", "10"),
        ("listTime", "1548133413000"),
    ] {
        assert_eq!(btc[field], value, "{field}");
    }
    assert!(rows.len() >= 5 && rows.iter().all(|r| r["instType"] == "SPOT"));
}

#[tokio::test]
async fn swaps_describe_their_contracts_linear_and_inverse() {
    let rows = instruments("instType=SWAP").await;
    let linear = rows
        .iter()
        .find(|r| r["instId"] == "BTC-USDT-SWAP")
        .unwrap();
    for (field, value) in [
        ("ctType", "linear"),
        ("ctVal", "0.01"),
        ("ctMult", "1"),
        ("ctValCcy", "BTC"),
        ("settleCcy", "USDT"),
        ("uly", "BTC-USDT"),
        ("instFamily", "BTC-USDT"),
        ("baseCcy", ""),
        ("quoteCcy", ""),
        ("lotSz", "0.01"),
        ("lever", "100"),
        ("expTime", ""),
    ] {
        assert_eq!(linear[field], value, "{field}");
    }
    let inverse = rows.iter().find(|r| r["instId"] == "BTC-USD-SWAP").unwrap();
    for (field, value) in [
        ("ctType", "inverse"),
        ("ctVal", "100"),
        ("ctValCcy", "USD"),
        ("settleCcy", "BTC"),
        ("uly", "BTC-USD"),
    ] {
        assert_eq!(inverse[field], value, "{field}");
    }
    let family = instruments("instType=SWAP&instFamily=BTC-USD").await;
    let ids: Vec<&str> = family
        .iter()
        .map(|r| r["instId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["BTC-USD-SWAP"]);
    let legacy = instruments("instType=SWAP&uly=ETH-USDT").await;
    assert_eq!(legacy.len(), 1);
    assert_eq!(legacy[0]["instId"], "ETH-USDT-SWAP");
}

#[tokio::test]
async fn the_quarterly_future_is_named_after_its_delivery_date() {
    let rows = instruments("instType=FUTURES").await;
    let future = rows.iter().find(|r| r["instFamily"] == "BTC-USDT").unwrap();
    // NOW is 2026-11-25; the quarterly contract delivers 2026-12-25 08:00 UTC.
    assert_eq!(future["instId"], "BTC-USDT-261225");
    assert_eq!(future["expTime"], "1798185600000");
    assert_eq!(future["alias"], "quarter");
    assert_eq!(future["uly"], "BTC-USDT");
}

#[tokio::test]
async fn margin_pairs_list_their_underlying() {
    let rows = instruments("instType=MARGIN").await;
    let btc = rows.iter().find(|r| r["instId"] == "BTC-USDT").unwrap();
    assert_eq!(
        (btc["baseCcy"].as_str(), btc["uly"].as_str()),
        (Some("BTC"), Some("BTC-USDT"))
    );
}

#[tokio::test]
async fn options_need_a_family_and_the_world_lists_none() {
    assert!(instruments("instType=OPTION&uly=BTC-USD").await.is_empty());
    assert!(
        instruments("instType=OPTION&instFamily=ETH-USD")
            .await
            .is_empty()
    );
    let server = spawn_app().await;
    let reply = get(&server, "/api/v5/public/instruments?instType=OPTION").await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (
            400,
            r#"{"code":"50015","data":[],"msg":"Either parameter instFamily or uly is required"}"#
        )
    );
}

#[tokio::test]
async fn instrument_parameters_are_validated_as_okx_does() {
    let server = spawn_app().await;
    let cases = [
        (
            "/api/v5/public/instruments",
            400,
            r#"{"code":"50014","data":[],"msg":"Parameter instType can not be empty."}"#,
        ),
        (
            "/api/v5/public/instruments?instType=",
            400,
            r#"{"code":"50014","data":[],"msg":"Parameter instType can not be empty."}"#,
        ),
        (
            "/api/v5/public/instruments?instType=spot",
            400,
            r#"{"code":"51000","data":[],"msg":"Parameter instType error"}"#,
        ),
        (
            "/api/v5/public/instruments?instType=SPOT&instId=NOPE-USDT",
            200,
            r#"{"code":"51001","data":[],"msg":"Instrument ID, Instrument ID code or Spread ID doesn't exist."}"#,
        ),
    ];
    for (path, status, body) in cases {
        let reply = get(&server, path).await;
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (status, body),
            "{path}"
        );
    }
}

#[tokio::test]
async fn mark_prices_cover_a_type_and_refuse_spot() {
    let server = spawn_app().await;
    let reply = get(&server, "/api/v5/public/mark-price?instType=SWAP").await;
    let rows = reply.data();
    assert_eq!(rows.len(), 3);
    let btc = rows
        .iter()
        .find(|r| r["instId"] == "BTC-USDT-SWAP")
        .unwrap();
    assert_eq!(
        (btc["markPx"].as_str(), btc["ts"].as_str()),
        (Some("95020"), Some(NOW.to_string().as_str()))
    );
    let one = get(
        &server,
        "/api/v5/public/mark-price?instType=SWAP&instId=BTC-USD-SWAP",
    )
    .await;
    assert_eq!(one.data().len(), 1);
    assert_eq!(
        get(&server, "/api/v5/public/mark-price?instType=SPOT")
            .await
            .code(),
        "51000"
    );
}

#[tokio::test]
async fn funding_settles_every_eight_hours_from_midnight_utc() {
    let server = spawn_app().await;
    let reply = get(&server, "/api/v5/public/funding-rate?instId=BTC-USDT-SWAP").await;
    let row = &reply.data()[0];
    let funding_time: i64 = row["fundingTime"].as_str().unwrap().parse().unwrap();
    let next: i64 = row["nextFundingTime"].as_str().unwrap().parse().unwrap();
    // NOW is 05:17 UTC: the next settlement is 08:00 UTC the same day.
    assert_eq!(funding_time, 1_795_593_600_000);
    assert_eq!(next - funding_time, 8 * 3_600_000);
    assert_eq!(
        (row["fundingRate"].as_str(), row["method"].as_str()),
        (Some("0.0001"), Some("current_period"))
    );
    let all = get(&server, "/api/v5/public/funding-rate?instId=ANY").await;
    assert_eq!(all.data().len(), 3);
    assert_eq!(
        get(&server, "/api/v5/public/funding-rate?instId=BTC-USDT")
            .await
            .code(),
        "51000"
    );
    assert_eq!(
        get(&server, "/api/v5/public/funding-rate?instId=XYZ-USDT-SWAP")
            .await
            .code(),
        "51001"
    );
}

#[tokio::test]
async fn price_limits_bracket_the_mark_price() {
    let server = spawn_app().await;
    let reply = get(&server, "/api/v5/public/price-limit?instId=BTC-USDT-SWAP").await;
    let row = &reply.data()[0];
    assert_eq!(row["enabled"], true, "enabled is a JSON boolean");
    assert_eq!(
        (row["buyLmt"].as_str(), row["sellLmt"].as_str()),
        (Some("99771"), Some("90269"))
    );
    assert!(f(&row["buyLmt"]) > 95_020.0 && f(&row["sellLmt"]) < 95_020.0);
}

#[tokio::test]
async fn contracts_and_coins_convert_with_okx_s_rounding() {
    let server = spawn_app().await;
    let cases = [
        // OKX's own example: 0.888 BTC at 35000 in 100 USD contracts is 310.8, rounded to 311.
        ("instId=BTC-USD-SWAP&px=35000&sz=0.888", "311"),
        ("instId=BTC-USD-SWAP&px=35000&sz=0.888&opType=open", "310"),
        ("instId=BTC-USDT-SWAP&sz=1.2345", "123.45"),
        ("instId=BTC-USDT-SWAP&sz=1.23456&opType=open", "123.45"),
        ("instId=BTC-USDT-SWAP&sz=95000&px=95000&unit=usds", "100"),
        ("type=2&instId=BTC-USDT-SWAP&sz=311", "3.11"),
        ("type=2&instId=BTC-USD-SWAP&sz=311&px=35000", "0.88857143"),
    ];
    for (query, sz) in cases {
        let reply = get(
            &server,
            &format!("/api/v5/public/convert-contract-coin?{query}"),
        )
        .await;
        assert_eq!(reply.code(), "0", "{query}: {}", reply.body);
        assert_eq!(reply.data()[0]["sz"], sz, "{query}");
    }
    let errors = [
        (
            "instId=BTC-USD-SWAP&sz=1",
            r#"{"code":"50014","data":[],"msg":"Parameter px can not be empty."}"#,
        ),
        (
            "instId=BTC-USD-SWAP&sz=1&px=1&unit=usds",
            r#"{"code":"51000","data":[],"msg":"Parameter unit error"}"#,
        ),
        (
            "instId=BTC-USDT&sz=1",
            r#"{"code":"51000","data":[],"msg":"Parameter instId error"}"#,
        ),
        (
            "instId=BTC-USDT-SWAP",
            r#"{"code":"50014","data":[],"msg":"Parameter sz can not be empty."}"#,
        ),
        (
            "instId=BTC-USDT-SWAP&sz=abc",
            r#"{"code":"51000","data":[],"msg":"Parameter sz error"}"#,
        ),
        (
            "instId=BTC-USDT-SWAP&sz=1&type=3",
            r#"{"code":"51000","data":[],"msg":"Parameter type error"}"#,
        ),
    ];
    for (query, body) in errors {
        let reply = get(
            &server,
            &format!("/api/v5/public/convert-contract-coin?{query}"),
        )
        .await;
        assert_eq!(reply.body, body, "{query}");
    }
}

#[tokio::test]
async fn system_status_reports_no_maintenance() {
    let server = spawn_app().await;
    assert_eq!(
        get(&server, "/api/v5/system/status").await.body,
        r#"{"code":"0","data":[],"msg":""}"#
    );
}

#[tokio::test]
async fn unknown_paths_and_methods_get_okx_s_gateway_answers() {
    let server = spawn_app().await;
    let reply = get(&server, "/api/v5/public/nothing-here").await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json["code"], 404, "the 404 page's code is a number");
    let reply = send(&server, "POST", "/api/v5/public/time", &[], "{}").await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (405, r#"{"msg":"Invalid request method.","code":"50115"}"#)
    );
    let reply = send(
        &server,
        "DELETE",
        "/api/v5/market/ticker?instId=BTC-USDT",
        &[],
        "",
    )
    .await;
    assert_eq!(reply.code(), "50115");
}

#[tokio::test]
async fn absurd_conversion_numbers_are_parameter_errors() {
    let server = spawn_app().await;
    for (query, param) in [
        (
            "instId=BTC-USDT-SWAP&sz=79228162514264337593543950335",
            "sz",
        ),
        (
            "instId=BTC-USD-SWAP&sz=1&px=0.0000000000000000000000000001",
            "sz",
        ),
        ("instId=BTC-USD-SWAP&sz=1&px=-1", "px"),
    ] {
        let reply = get(
            &server,
            &format!("/api/v5/public/convert-contract-coin?{query}"),
        )
        .await;
        assert_eq!(
            reply.body,
            format!(r#"{{"code":"51000","data":[],"msg":"Parameter {param} error"}}"#),
            "{query}"
        );
    }
}
