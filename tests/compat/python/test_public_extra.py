"""The remaining public endpoints of this milestone, through ccxt and python-okx.

ccxt requests observed in clients.md:
  fetch_tickers()              GET /api/v5/market/tickers?instType=SPOT
  fetch_trades()               GET /api/v5/market/trades?instId=BTC-USDT
  fetch_funding_rate()         GET /api/v5/public/funding-rate?instId=BTC-USDT-SWAP
  fetch_status()               GET /api/v5/system/status
  fetch_ohlcv(since=old)       GET /api/v5/market/history-candles?...&before=since-1&after=since+limit*tf
"""

from __future__ import annotations

import time

import okx.PublicData as PublicData
import pytest

from okx_clients import make_okx
from world_data import dec, instrument


@pytest.fixture(scope="module")
def ccxt_public(mock):
    ex = make_okx(mock)  # no credentials: load_markets is public only
    ex.load_markets()
    return ex


@pytest.fixture
def public_api(mock):
    api = PublicData.PublicAPI(flag="0", domain=mock.base_url)
    yield api
    api.close()


def test_fetch_tickers(ccxt_public, world):
    tickers = ccxt_public.fetch_tickers(["BTC/USDT", "ETH/USDT"])
    assert set(tickers) == {"BTC/USDT", "ETH/USDT"}
    assert tickers["BTC/USDT"]["last"] == float(instrument(world, "SPOT", "BTC-USDT")["px"])
    assert tickers["ETH/USDT"]["last"] == float(instrument(world, "SPOT", "ETH-USDT")["px"])


def test_fetch_trades(ccxt_public):
    trades = ccxt_public.fetch_trades("BTC/USDT", limit=5)
    assert 1 <= len(trades) <= 5
    for t in trades:
        assert t["symbol"] == "BTC/USDT"
        assert t["side"] in ("buy", "sell")
        assert t["amount"] > 0
        assert t["price"] == pytest.approx(95000, rel=0.01)
        assert t["id"]
    ts = [t["timestamp"] for t in trades]
    assert ts == sorted(ts)  # ccxt sorts ascending
    assert ts[-1] <= time.time() * 1000 + 1000


def test_fetch_ohlcv_history_window(ccxt_public):
    # Older than 1439 bars: ccxt switches to history-candles and sends both
    # before=since-1 and after=since+limit*60000; the mock must apply both bounds.
    since = (int(time.time() * 1000) // 60_000 - 3 * 1440) * 60_000
    rows = ccxt_public.fetch_ohlcv("BTC/USDT", "1m", since=since, limit=3)
    assert [r[0] for r in rows] == [since, since + 60_000, since + 120_000]


def test_fetch_funding_rate(ccxt_public, public_api):
    fr = ccxt_public.fetch_funding_rate("BTC/USDT:USDT")
    assert fr["symbol"] == "BTC/USDT:USDT"
    assert fr["fundingRate"] is not None
    raw = public_api.get_funding_rate(instId="BTC-USDT-SWAP")
    assert raw["code"] == "0", raw
    row = raw["data"][0]
    assert row["instId"] == "BTC-USDT-SWAP" and row["instType"] == "SWAP"
    now = time.time() * 1000
    ft, nft = int(row["fundingTime"]), int(row["nextFundingTime"])
    assert now < ft <= now + 8 * 3_600_000 + 60_000
    assert ft % 3_600_000 == 0
    assert nft - ft in (3_600_000, 2 * 3_600_000, 4 * 3_600_000, 6 * 3_600_000, 8 * 3_600_000)


def test_fetch_status(ccxt_public):
    assert ccxt_public.fetch_status()["status"] == "ok"


def test_price_limit(public_api):
    r = public_api.get_price_limit(instId="BTC-USDT-SWAP")
    assert r["code"] == "0", r
    row = r["data"][0]
    assert row["instId"] == "BTC-USDT-SWAP"
    assert isinstance(row["enabled"], bool)
    if row["enabled"]:
        assert dec(row["sellLmt"]) < dec(95020) < dec(row["buyLmt"])


def test_mark_price(public_api, world):
    r = public_api.get_mark_price(instType="SWAP", instId="BTC-USDT-SWAP")
    assert r["code"] == "0", r
    assert len(r["data"]) == 1
    row = r["data"][0]
    assert (row["instType"], row["instId"]) == ("SWAP", "BTC-USDT-SWAP")
    px = dec(instrument(world, "SWAP", "BTC-USDT-SWAP")["px"])
    assert abs(dec(row["markPx"]) - px) <= px / 100


@pytest.mark.parametrize(
    "kwargs, want_sz",
    [
        # OKX docs example: inverse, ctVal 100 USD: 0.888 BTC at 35000 -> 310.8 -> "311".
        (dict(type="1", instId="BTC-USD-SWAP", sz="0.888", px="35000"), "311"),
        # Linear, ctVal 0.01 BTC: 1 BTC -> 100 contracts.
        (dict(type="1", instId="BTC-USDT-SWAP", sz="1"), "100"),
        # Contracts -> coin: 100 contracts x 0.01 BTC = 1 BTC.
        (dict(type="2", instId="BTC-USDT-SWAP", sz="100"), "1"),
    ],
)
def test_convert_contract_coin(public_api, kwargs, want_sz):
    r = public_api.get_convert_contract_coin(**kwargs)
    assert r["code"] == "0", r
    row = r["data"][0]
    assert row["instId"] == kwargs["instId"]
    assert dec(row["sz"]) == dec(want_sz), row


def test_option_instruments_empty_with_uly(public_api):
    for kwargs in (dict(uly="BTC-USD"), dict(instFamily="BTC-USD")):
        r = public_api.get_instruments(instType="OPTION", **kwargs)
        assert r["code"] == "0", r
        assert r["data"] == [], r


def test_option_instruments_need_uly_or_family(public_api):
    # OKX: 50015 "Either parameter uly or instFamily is required".
    r = public_api.get_instruments(instType="OPTION")
    assert r["code"] == "50015", r
