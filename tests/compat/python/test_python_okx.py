"""python-okx 0.4.4 against okx-mock.

python-okx never raises on API errors: every call returns the parsed body. It
always sends x-simulated-trading ('0' for flag='0', '1' for flag='1'), sends
Content-Type on GETs, and signs the *unencoded* query (``?ccy=BTC,USDT``).
Module/class/method names below were checked against the installed source
(okx/PublicData.py, okx/MarketData.py, okx/Funding.py).
"""

from __future__ import annotations

import time

import okx.Funding as Funding
import okx.MarketData as MarketData
import okx.PublicData as PublicData
import pytest

from world_data import dec, instrument, instruments

LIVE, DEMO = "0", "1"


@pytest.fixture
def public_api(mock):
    api = PublicData.PublicAPI(flag=LIVE, domain=mock.base_url)
    yield api
    api.close()


@pytest.fixture
def market_api(mock):
    api = MarketData.MarketAPI(flag=LIVE, domain=mock.base_url)
    yield api
    api.close()


def funding_api(mock, key, flag, *, passphrase=None):
    return Funding.FundingAPI(
        api_key=key.api_key,
        api_secret_key=key.secret,
        passphrase=passphrase or key.passphrase,
        flag=flag,
        domain=mock.base_url,
    )


# ---------------------------------------------------------------- public

def test_get_instruments_spot(public_api, world):
    r = public_api.get_instruments(instType="SPOT")
    assert r["code"] == "0", r
    rows = {row["instId"]: row for row in r["data"]}
    assert "BTC-USDT" in rows
    assert set(rows) == {i["instId"] for i in instruments(world, "SPOT")}
    btc = rows["BTC-USDT"]
    spec = instrument(world, "SPOT", "BTC-USDT")
    assert btc["instType"] == "SPOT"
    assert (btc["baseCcy"], btc["quoteCcy"]) == ("BTC", "USDT")
    for field in ("tickSz", "lotSz", "minSz", "maxLmtSz", "maxMktSz"):
        assert isinstance(btc[field], str), field
        assert dec(btc[field]) == dec(spec[field]), field
    assert btc["state"] == "live"
    assert type(btc["instIdCode"]) is int and btc["instIdCode"] == spec["instIdCode"]


def test_get_instruments_demo_flag(mock, world):
    api = PublicData.PublicAPI(flag=DEMO, domain=mock.base_url)
    try:
        r = api.get_instruments(instType="SWAP")
    finally:
        api.close()
    assert r["code"] == "0", r
    rows = {row["instId"]: row for row in r["data"]}
    assert set(rows) == {i["instId"] for i in instruments(world, "SWAP")}
    swap = rows["BTC-USDT-SWAP"]
    assert (swap["uly"], swap["settleCcy"], swap["ctType"]) == ("BTC-USDT", "USDT", "linear")
    assert dec(swap["ctVal"]) == dec(instrument(world, "SWAP", "BTC-USDT-SWAP")["ctVal"])
    inv = rows["BTC-USD-SWAP"]
    assert (inv["uly"], inv["settleCcy"], inv["ctType"]) == ("BTC-USD", "BTC", "inverse")


def test_get_ticker(market_api):
    r = market_api.get_ticker(instId="BTC-USDT")
    assert r["code"] == "0", r
    assert len(r["data"]) == 1
    t = r["data"][0]
    assert t["instId"] == "BTC-USDT"
    assert isinstance(t["last"], str) and dec(t["last"]) == 95000
    assert dec(t["bidPx"]) < dec(t["askPx"])
    assert int(t["ts"]) > 0


def test_get_orderbook_raw_shape(market_api, world):
    r = market_api.get_orderbook(instId="BTC-USDT", sz="5")
    assert r["code"] == "0", r
    book = r["data"][0]
    assert len(book["asks"]) == 5 and len(book["bids"]) == 5
    for level in book["asks"] + book["bids"]:
        # [px, sz, "0" (deprecated), numOrders], all strings
        assert len(level) == 4 and all(isinstance(x, str) for x in level), level
        assert level[2] == "0"
    assert type(book["seqId"]) is int
    assert isinstance(book["ts"], str) and int(book["ts"]) > 0
    asks = [dec(a[0]) for a in book["asks"]]
    bids = [dec(b[0]) for b in book["bids"]]
    assert asks == sorted(asks) and bids == sorted(bids, reverse=True)
    assert bids[0] < asks[0]


def test_get_candlesticks_raw_shape(market_api):
    r = market_api.get_candlesticks(instId="BTC-USDT", bar="1m", limit="3")
    assert r["code"] == "0", r
    rows = r["data"]
    assert len(rows) == 3
    for row in rows:
        # [ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm], all strings
        assert len(row) == 9 and all(isinstance(x, str) for x in row), row
        assert row[8] in ("0", "1")
    ts = [int(row[0]) for row in rows]
    assert ts == sorted(ts, reverse=True), "OKX returns candles newest first"
    assert rows[0][8] == "0" and rows[1][8] == "1", "only the newest candle is unconfirmed"


def test_get_ticker_unknown_instrument(market_api):
    r = market_api.get_ticker(instId="NOPE-USDT")
    assert r["code"] == "51001", r


def test_get_system_time(public_api):
    r = public_api.get_system_time()
    assert r["code"] == "0", r
    ts = r["data"][0]["ts"]
    assert isinstance(ts, str)
    assert abs(int(ts) - time.time() * 1000) < 5_000


# ---------------------------------------------------------------- signed

def test_funding_get_currencies_signed(mock, world):
    api = funding_api(mock, mock.live, LIVE)
    try:
        r = api.get_currencies()
    finally:
        api.close()
    assert r.get("code") == "0", r
    assert {row["ccy"] for row in r["data"]} == {c["ccy"] for c in world["currencies"]}
    assert len(r["data"]) == len(world["currencies"])


def test_funding_get_currencies_ccy_filter_unencoded_comma(mock, world):
    # python-okx sends and signs `?ccy=BTC,USDT` (raw comma).
    api = funding_api(mock, mock.live, LIVE)
    try:
        r = api.get_currencies(ccy="BTC,USDT")
    finally:
        api.close()
    assert r.get("code") == "0", r
    want = [c for c in world["currencies"] if c["ccy"] in ("BTC", "USDT")]
    assert sorted((row["ccy"], row["chain"]) for row in r["data"]) == \
        sorted((c["ccy"], c["chain"]) for c in want)


def test_funding_signature_over_decoded_query_is_accepted(mock):
    # python-okx signs `?ccy=BTC, USDT` but httpx sends `?ccy=BTC,%20USDT`: only the
    # percent-decoded target matches the signature (clients.md section 3).
    api = funding_api(mock, mock.live, LIVE)
    try:
        r = api.get_currencies(ccy="BTC, USDT")
    finally:
        api.close()
    assert r.get("code") not in ("50113", "50111", "50112", "50114"), r


def test_funding_demo_key_gets_50038(mock):
    api = funding_api(mock, mock.demo, DEMO)
    try:
        r = api.get_currencies()
    finally:
        api.close()
    assert r.get("code") == "50038", r


def test_funding_live_key_in_demo_gets_50101(mock):
    api = funding_api(mock, mock.live, DEMO)
    try:
        r = api.get_currencies()
    finally:
        api.close()
    assert r.get("code") == "50101", r


def test_funding_wrong_passphrase_gets_50105(mock):
    api = funding_api(mock, mock.live, LIVE, passphrase="not-the-passphrase")
    try:
        r = api.get_currencies()
    finally:
        api.close()
    assert r.get("code") == "50105", r
