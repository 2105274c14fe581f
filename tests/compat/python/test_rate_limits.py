"""OKX's rate limits as ccxt 4.5.90 meets them.

okx-mock enforces OKX's published per-endpoint limits by default, counted in
fixed windows of exchange time; over a limit it answers HTTP 429
{"msg":"Too Many Requests","code":"50011"}, which ccxt's okx.handle_errors maps
(exceptions['exact']['50011']) to RateLimitExceeded before its generic HTTP-429
mapping (ExchangeNotAvailable) is reached. GET market/ticker: 20 requests per
2 s per IP. `okx-mock --rate-limits off` turns the limits off.

Each test has a server of its own (rate limits on, the default) with its clock
frozen, so every request of a burst falls in the same window.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import ccxt
import pytest

from conftest import spawn_mock
from okx_clients import admin, advance_clock, make_okx

TICKER_LIMIT = 20  # GET /api/v5/market/ticker, per 2 s, per IP
TOO_MANY = {"msg": "Too Many Requests", "code": "50011"}


@pytest.fixture
def public_ex(fresh_mock):
    ex = make_okx(fresh_mock, options={"fetchMarkets": {"types": ["spot"]}})
    ex.load_markets()
    admin(fresh_mock, "/__admin/clock/freeze")
    return ex


def test_ccxt_ticker_burst_raises_rate_limit_exceeded(public_ex, fresh_mock):
    for i in range(TICKER_LIMIT):
        t = public_ex.fetch_ticker("BTC/USDT")
        assert t["last"] == 95000.0, (i, t)
    with pytest.raises(ccxt.RateLimitExceeded) as err:
        public_ex.fetch_ticker("BTC/USDT")
    assert type(err.value) is ccxt.RateLimitExceeded
    text = str(err.value)
    assert text.startswith("okx "), text
    assert json.loads(text[len("okx "):]) == TOO_MANY
    # The limit is per IP, not per instrument.
    with pytest.raises(ccxt.RateLimitExceeded):
        public_ex.fetch_ticker("ETH/USDT")

    # On the wire: HTTP 429 with OKX's body.
    with pytest.raises(urllib.error.HTTPError) as http_err:
        urllib.request.urlopen(fresh_mock.base_url + "/api/v5/market/ticker?instId=BTC-USDT", timeout=10)
    assert http_err.value.code == 429
    assert json.loads(http_err.value.read()) == TOO_MANY

    # Other endpoints count separately.
    assert public_ex.fetch_order_book("BTC/USDT", 5)["bids"][0][0] == 94999.9

    # The next 2-second window of exchange time: allowed again.
    advance_clock(fresh_mock, 2000)
    assert public_ex.fetch_ticker("BTC/USDT")["last"] == 95000.0


def test_ccxt_private_endpoint_limit_counts_per_account(fresh_mock):
    """account/balance: 10 requests per 2 s per account (UID)."""
    ex = make_okx(fresh_mock, fresh_mock.live)
    ex.load_markets()
    admin(fresh_mock, "/__admin/clock/freeze")
    for _ in range(10):
        assert ex.fetch_balance()["USDT"]["total"] == 100000.0
    with pytest.raises(ccxt.RateLimitExceeded):
        ex.fetch_balance()
    # The demo account is another account with its own budget.
    demo = make_okx(fresh_mock, fresh_mock.demo, sandbox=True)
    assert demo.fetch_balance()["BTC"]["total"] == 5.0


def test_rate_limits_off_flag(world):
    """With --rate-limits off the same burst goes through."""
    with spawn_mock(world, extra_args=("--rate-limits", "off")) as m:
        ex = make_okx(m, options={"fetchMarkets": {"types": ["spot"]}})
        ex.load_markets()
        admin(m, "/__admin/clock/freeze")
        for _ in range(TICKER_LIMIT * 2):
            assert ex.fetch_ticker("BTC/USDT")["last"] == 95000.0
