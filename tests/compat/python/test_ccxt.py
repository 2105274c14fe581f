"""ccxt (Python, sync) against okx-mock.

ccxt's load_markets() with credentials first makes the signed
GET /api/v5/asset/currencies, then fetches instruments SPOT, FUTURES, SWAP and
OPTION (uly=BTC-USD, uly=ETH-USD); in sandbox mode it skips the currencies call
and sends x-simulated-trading: 1 on every request.
"""

from __future__ import annotations

import datetime as dt
import time

import ccxt
import pytest

from okx_clients import make_okx
from world_data import futures_family, instrument, instruments, on_grid


@pytest.fixture(scope="session")
def ccxt_live(mock):
    ex = make_okx(mock, mock.live)
    ex.load_markets()
    return ex


@pytest.fixture(scope="session")
def ccxt_sandbox(mock):
    ex = make_okx(mock, mock.demo, sandbox=True)
    ex.load_markets()
    return ex


# ---------------------------------------------------------------- markets

def check_markets(ex, world):
    markets = ex.markets

    # Every SPOT instrument of the world becomes BASE/QUOTE.
    for inst in instruments(world, "SPOT"):
        base, quote = inst["instId"].split("-")
        symbol = f"{base}/{quote}"
        assert symbol in markets, f"{symbol} missing; have {sorted(markets)}"
        m = markets[symbol]
        assert m["id"] == inst["instId"]
        assert m["spot"] is True and m["type"] == "spot"
        assert m["active"] is True, f"{symbol}: state is not 'live' ({m['info'].get('state')!r})"
        assert m["precision"]["price"] == float(inst["tickSz"])
        assert m["precision"]["amount"] == float(inst["lotSz"])
        assert m["limits"]["amount"]["min"] == float(inst["minSz"])
        assert m["instIdCode"] == inst["instIdCode"]

    spot = markets["BTC/USDT"]
    assert (spot["base"], spot["quote"]) == ("BTC", "USDT")

    # Linear USDT swap.
    swap_inst = instrument(world, "SWAP", "BTC-USDT-SWAP")
    m = markets["BTC/USDT:USDT"]
    assert m["id"] == "BTC-USDT-SWAP"
    assert m["swap"] is True and m["contract"] is True
    assert m["linear"] is True and m["inverse"] is False
    assert m["settle"] == "USDT"
    assert m["contractSize"] == float(swap_inst["ctVal"]) == 0.01
    assert m["precision"]["price"] == float(swap_inst["tickSz"])
    assert m["precision"]["amount"] == float(swap_inst["lotSz"])
    assert m["limits"]["amount"]["min"] == float(swap_inst["minSz"])
    assert m["limits"]["leverage"]["max"] == float(swap_inst["lever"])
    assert m["instIdCode"] == swap_inst["instIdCode"]

    # Inverse coin-margined swap.
    inv_inst = instrument(world, "SWAP", "BTC-USD-SWAP")
    m = markets["BTC/USD:BTC"]
    assert m["id"] == "BTC-USD-SWAP"
    assert m["inverse"] is True and m["linear"] is False
    assert m["settle"] == "BTC"
    assert m["contractSize"] == float(inv_inst["ctVal"]) == 100
    assert m["precision"]["amount"] == float(inv_inst["lotSz"])

    # Every SWAP of the world is there.
    swap_ids = {mk["id"] for mk in markets.values() if mk["swap"]}
    assert swap_ids == {i["instId"] for i in instruments(world, "SWAP")}

    # Futures: one quarterly per family, instId BTC-XXX-YYMMDD matching expTime.
    futures = [mk for mk in markets.values() if mk["future"]]
    assert futures, "no future market loaded"
    now_ms = time.time() * 1000
    for family, settle, linear in (("BTC-USDT", "USDT", True), ("BTC-USD", "BTC", False)):
        spec = futures_family(world, family)
        fams = [mk for mk in futures if mk["id"].startswith(family + "-") and mk["id"].count("-") == 2]
        assert len(fams) == 1, f"expected one {family} future, got {[f['id'] for f in fams]}"
        f = fams[0]
        expiry = f["expiry"]
        assert isinstance(expiry, int), f"{f['id']}: expTime missing ({f['info'].get('expTime')!r})"
        exp = dt.datetime.fromtimestamp(expiry / 1000, tz=dt.timezone.utc)
        assert f["id"] == f"{family}-{exp:%y%m%d}", "instId date does not match expTime"
        assert f["symbol"] == f"BTC/{family.split('-')[1]}:{settle}-{exp:%y%m%d}"
        assert (exp.weekday(), exp.hour, exp.minute, exp.second) == (4, 8, 0, 0), \
            f"{f['id']}: quarterly expiry should be a Friday 08:00 UTC, got {exp.isoformat()}"
        assert exp.month in (3, 6, 9, 12)
        assert (exp + dt.timedelta(days=7)).month != exp.month, "not the last Friday of the month"
        assert now_ms < expiry < now_ms + 200 * 86_400_000
        assert f["linear"] is linear and f["inverse"] is (not linear)
        assert f["contractSize"] == float(spec["ctVal"])
        assert f["precision"]["amount"] == float(spec["lotSz"])
        assert f["instIdCode"] == spec["instIdCode"]

    # OPTION instruments: the mock lists none (empty list with uly).
    assert not [mk for mk in markets.values() if mk["option"]]


def test_load_markets_live_with_credentials(ccxt_live, world):
    # load_markets succeeded, so the signed GET /asset/currencies was accepted.
    check_markets(ccxt_live, world)
    # Currencies from asset/currencies: one entry per ccy, networks per chain.
    expected = {c["ccy"] for c in world["currencies"]}
    assert expected <= set(ccxt_live.currencies), sorted(ccxt_live.currencies)
    usdt = ccxt_live.currencies["USDT"]
    chains = {c["chain"] for c in world["currencies"] if c["ccy"] == "USDT"}
    assert {n["id"] for n in usdt["networks"].values()} == chains


def test_load_markets_sandbox_with_demo_key(ccxt_sandbox, world):
    check_markets(ccxt_sandbox, world)


def test_currencies_call_is_really_signed(mock):
    ex = make_okx(mock, mock.live)
    data = ex.private_get_asset_currencies()
    assert data["code"] == "0"
    rows = data["data"]
    assert len(rows) == len(mock.world["currencies"])
    btc = next(r for r in rows if r["ccy"] == "BTC")
    assert btc["chain"] == "BTC-Bitcoin"
    assert isinstance(btc["canDep"], bool) and isinstance(btc["canWd"], bool)


def test_currencies_signed_percent_encoded_query(mock):
    # ccxt sends and signs `?ccy=BTC%2CUSDT`: the mock must verify the raw target.
    ex = make_okx(mock, mock.live)
    data = ex.private_get_asset_currencies({"ccy": "BTC,USDT"})
    assert data["code"] == "0"
    assert sorted({r["ccy"] for r in data["data"]}) == ["BTC", "USDT"]


# ---------------------------------------------------------------- market data

def test_fetch_ticker(ccxt_live, world):
    t = ccxt_live.fetch_ticker("BTC/USDT")
    px = float(instrument(world, "SPOT", "BTC-USDT")["px"])
    assert t["symbol"] == "BTC/USDT"
    assert t["last"] == px == 95000
    assert t["open"] is not None and t["open"] > 0
    assert t["percentage"] == pytest.approx((t["last"] - t["open"]) / t["open"] * 100, abs=1e-9)
    assert t["bid"] < t["ask"]
    assert t["bid"] <= t["last"] <= t["ask"]
    assert t["low"] <= t["last"] <= t["high"]
    assert abs(t["timestamp"] - time.time() * 1000) < 60_000


def test_fetch_ticker_sandbox(ccxt_sandbox):
    t = ccxt_sandbox.fetch_ticker("BTC/USDT")
    assert t["last"] == 95000


def test_fetch_order_book(ccxt_live, world):
    tick = instrument(world, "SPOT", "BTC-USDT")["tickSz"]
    ob = ccxt_live.fetch_order_book("BTC/USDT", 5)
    bids, asks = ob["bids"], ob["asks"]
    assert len(bids) == 5 and len(asks) == 5
    assert bids[0][0] < asks[0][0]
    assert [b[0] for b in bids] == sorted((b[0] for b in bids), reverse=True)
    assert [a[0] for a in asks] == sorted(a[0] for a in asks)
    assert len({b[0] for b in bids}) == 5 and len({a[0] for a in asks}) == 5
    for price, size, *_ in bids + asks:
        assert size > 0
        assert on_grid(price, tick), f"{price} not on the {tick} tick grid"
    # The best quotes straddle the static last price.
    assert bids[0][0] <= 95000 <= asks[0][0]
    # The ticker's best bid/ask is the book's top of book.
    t = ccxt_live.fetch_ticker("BTC/USDT")
    assert (t["bid"], t["ask"]) == (bids[0][0], asks[0][0])


def test_fetch_ohlcv(ccxt_live):
    rows = ccxt_live.fetch_ohlcv("BTC/USDT", "1m", limit=3)
    assert len(rows) == 3
    ts = [r[0] for r in rows]
    assert ts == sorted(ts)
    assert [b - a for a, b in zip(ts, ts[1:])] == [60_000, 60_000]
    assert all(t % 60_000 == 0 for t in ts)
    now = time.time() * 1000
    assert now - 120_000 < ts[-1] <= now
    for _, o, h, l, c, v in rows:
        assert l <= min(o, c) <= max(o, c) <= h
        assert v >= 0
    # Static price model: every price stays at px.
    assert rows[-1][4] == 95000


def test_fetch_time(ccxt_live):
    server = ccxt_live.fetch_time()
    assert isinstance(server, int)
    assert abs(server - time.time() * 1000) < 5_000


# ---------------------------------------------------------------- auth errors

def test_wrong_secret_raises_authentication_error(mock):
    ex = make_okx(mock, mock.live, secret="0" * len(mock.live.secret))
    with pytest.raises(ccxt.AuthenticationError) as exc:
        ex.load_markets()
    assert "50113" in str(exc.value)


def test_live_key_in_sandbox_raises_authentication_error(mock):
    ex = make_okx(mock, mock.live, sandbox=True)
    with pytest.raises(ccxt.AuthenticationError) as exc:
        ex.private_get_asset_currencies()
    assert "50101" in str(exc.value)


def test_demo_key_without_sandbox_raises_authentication_error(mock):
    ex = make_okx(mock, mock.demo)  # live environment, demo key
    with pytest.raises(ccxt.AuthenticationError) as exc:
        ex.load_markets()
    assert "50101" in str(exc.value)


def test_demo_key_in_sandbox_currencies_unavailable(mock):
    ex = make_okx(mock, mock.demo, sandbox=True)
    with pytest.raises(ccxt.ExchangeError) as exc:
        ex.private_get_asset_currencies()
    assert not isinstance(exc.value, ccxt.AuthenticationError)
    assert "50038" in str(exc.value)
