"""python-okx 0.4.4 trading against okx-mock's trading engine.

python-okx posts JSON with spaces and sends every optional field as "" (and
attachAlgoOrds as null on place_order), and never raises on API errors: every
call returns the parsed body, so a rejection is a dict with code "1" and
data[0].sCode. flag='0' (live) sends x-simulated-trading: 0, flag='1' (demo)
sends 1. Method names and signatures checked in okx/Trade.py and okx/Account.py.

Each test gets its own server (`fresh_mock`): the engine's state lives as long
as the process.
"""

from __future__ import annotations

from decimal import Decimal

import okx.Account as Account
import okx.Trade as Trade
import pytest

from world_data import dec

# httpx 0.28 warns about python-okx's `data=<json text>` on every POST; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes/text content:DeprecationWarning")

LIVE, DEMO = "0", "1"
SWAP_BID, SWAP_ASK = Decimal("95019.9"), Decimal("95020.1")
SWAP_TAKER = Decimal("0.0005")
CT_VAL = Decimal("0.01")


class Apis:
    def __init__(self, mock, key, flag):
        args = dict(api_key=key.api_key, api_secret_key=key.secret, passphrase=key.passphrase,
                    flag=flag, domain=mock.base_url)
        self.trade = Trade.TradeAPI(**args)
        self.account = Account.AccountAPI(**args)

    def close(self):
        self.trade.close()
        self.account.close()


@pytest.fixture
def live(fresh_mock):
    apis = Apis(fresh_mock, fresh_mock.live, LIVE)
    yield apis
    apis.close()


def ok(r: dict) -> list:
    assert r.get("code") == "0", r
    assert r.get("msg") == "", r
    return r["data"]


def placed(r: dict) -> str:
    (item,) = ok(r)
    assert item["sCode"] == "0" and item["ordId"], r
    return item["ordId"]


def detail(apis, ccy: str) -> dict:
    (acct,) = ok(apis.account.get_account_balance())
    rows = [d for d in acct["details"] if d["ccy"] == ccy]
    assert len(rows) == 1, acct["details"]
    return rows[0]


def test_spot_limit_place_amend_get_cancel(live):
    r = live.trade.place_order(instId="BTC-USDT", tdMode="cash", side="buy", ordType="limit",
                               sz="0.01", px="50000")
    (item,) = ok(r)
    assert item["sCode"] == "0" and item["sMsg"] == "Order placed", r
    # python-okx sent clOrdId "" and tag "": both count as absent.
    assert (item["clOrdId"], item["tag"]) == ("", ""), r
    ord_id = item["ordId"]

    (order,) = ok(live.trade.get_order(instId="BTC-USDT", ordId=ord_id))
    assert order["ordId"] == ord_id and order["state"] == "live"
    assert (order["instType"], order["instId"], order["side"], order["ordType"], order["tdMode"]) == \
        ("SPOT", "BTC-USDT", "buy", "limit", "cash")
    assert (order["sz"], order["px"], order["accFillSz"], order["avgPx"]) == ("0.01", "50000", "0", "")
    assert order["reduceOnly"] == "false"  # python-okx sent reduceOnly ""
    pending = ok(live.trade.get_order_list(instType="SPOT"))
    assert [o["ordId"] for o in pending] == [ord_id]

    usdt = detail(live, "USDT")
    assert dec(usdt["cashBal"]) == 100000
    assert dec(usdt["frozenBal"]) == 500 and dec(usdt["availBal"]) == 99500

    # amend_order sends a dozen "" legacy fields besides newSz.
    (amended,) = ok(live.trade.amend_order(instId="BTC-USDT", ordId=ord_id, newSz="0.02"))
    assert amended["sCode"] == "0" and amended["ordId"] == ord_id
    (order,) = ok(live.trade.get_order(instId="BTC-USDT", ordId=ord_id))
    assert (order["sz"], order["px"], order["state"]) == ("0.02", "50000", "live")
    assert dec(detail(live, "USDT")["frozenBal"]) == 1000

    (canceled,) = ok(live.trade.cancel_order(instId="BTC-USDT", ordId=ord_id))
    assert canceled["sCode"] == "0" and canceled["ordId"] == ord_id
    (order,) = ok(live.trade.get_order(instId="BTC-USDT", ordId=ord_id))
    assert order["state"] == "canceled"
    assert ok(live.trade.get_order_list(instType="SPOT")) == []
    usdt = detail(live, "USDT")
    assert dec(usdt["frozenBal"]) == 0 and dec(usdt["availBal"]) == 100000

    # Cancelling a finished order: returned, not raised.
    r = live.trade.cancel_order(instId="BTC-USDT", ordId=ord_id)
    assert r["code"] == "1" and r["msg"] == "All operations failed", r
    assert r["data"][0]["sCode"] == "51400", r
    # An unknown order: top-level 51603.
    r = live.trade.get_order(instId="BTC-USDT", ordId="1234567890123")
    assert r == {"code": "51603", "data": [], "msg": "Order does not exist"}


def test_swap_market_positions_and_position_mode(live, world):
    (cfg,) = ok(live.account.get_account_config())
    acct = next(a for a in world["accounts"] if a["env"] == "live" and a["name"] == "main")
    assert (cfg["uid"], cfg["acctLv"], cfg["posMode"]) == (acct["uid"], "2", "net_mode")

    (fill,) = ok(live.trade.place_order(instId="BTC-USDT-SWAP", tdMode="cross", side="buy",
                                        ordType="market", sz="2"))
    assert fill["sCode"] == "0", fill
    (order,) = ok(live.trade.get_order(instId="BTC-USDT-SWAP", ordId=fill["ordId"]))
    assert (order["state"], order["accFillSz"], order["posSide"]) == ("filled", "2", "net")
    assert dec(order["avgPx"]) == SWAP_ASK
    fee = 2 * CT_VAL * SWAP_ASK * SWAP_TAKER
    assert dec(order["fee"]) == -fee and order["feeCcy"] == "USDT"

    positions = ok(live.account.get_positions(instType="SWAP"))
    assert len(positions) == 1, positions
    p = positions[0]
    assert (p["instId"], p["instType"], p["mgnMode"], p["posSide"], p["pos"]) == \
        ("BTC-USDT-SWAP", "SWAP", "cross", "net", "2")
    assert dec(p["avgPx"]) == SWAP_ASK and p["lever"] == "10" and p["ccy"] == "USDT"
    assert dec(p["imr"]) == 2 * CT_VAL * SWAP_ASK / 10
    assert dec(detail(live, "USDT")["cashBal"]) == 100000 - fee

    # Not while a position is open.
    r = live.account.set_position_mode("long_short_mode")
    assert r["code"] == "59000" and r["data"] == [], r

    # Sell 2 closes it (net mode).
    placed(live.trade.place_order(instId="BTC-USDT-SWAP", tdMode="cross", side="sell",
                                  ordType="market", sz="2"))
    assert ok(live.account.get_positions(instType="SWAP")) == []
    close_fee = 2 * CT_VAL * SWAP_BID * SWAP_TAKER
    pnl = 2 * CT_VAL * (SWAP_BID - SWAP_ASK)
    assert dec(detail(live, "USDT")["cashBal"]) == 100000 - fee - close_fee + pnl

    assert ok(live.account.set_position_mode("long_short_mode")) == [{"posMode": "long_short_mode"}]
    assert ok(live.account.get_account_config())[0]["posMode"] == "long_short_mode"

    # long_short_mode: python-okx's posSide "" counts as missing -> 51000.
    r = live.trade.place_order(instId="BTC-USDT-SWAP", tdMode="cross", side="sell", ordType="market", sz="1")
    assert r["code"] == "1" and r["data"][0]["sCode"] == "51000", r
    assert r["data"][0]["sMsg"] == "Parameter posSide error ", r
    placed(live.trade.place_order(instId="BTC-USDT-SWAP", tdMode="cross", side="sell", ordType="market",
                                  sz="1", posSide="short"))
    (p,) = ok(live.account.get_positions(instType="SWAP"))
    assert (p["posSide"], p["pos"]) == ("short", "1")
    assert dec(p["avgPx"]) == SWAP_BID

    # close-position with python-okx's empty extras (ccy, autoCxl, clOrdId, tag = "").
    (closed,) = ok(live.trade.close_positions(instId="BTC-USDT-SWAP", mgnMode="cross", posSide="short"))
    assert (closed["instId"], closed["posSide"]) == ("BTC-USDT-SWAP", "short"), closed
    assert ok(live.account.get_positions(instType="SWAP")) == []


def test_rejections_come_back_as_dicts(live):
    # Lot size: BTC-USDT-SWAP lotSz is 0.01.
    r = live.trade.place_order(instId="BTC-USDT-SWAP", tdMode="cross", side="buy", ordType="market", sz="1.005")
    assert r["code"] == "1" and r["msg"] == "All operations failed", r
    (item,) = r["data"]
    assert item["sCode"] == "51121" and item["ordId"] == "", r
    assert item["sMsg"] == "Order quantity must be a multiple of the lot size.", r

    # Insufficient funds: 100 BTC at 90000.
    r = live.trade.place_order(instId="BTC-USDT", tdMode="cash", side="buy", ordType="limit", sz="100", px="90000")
    assert r["code"] == "1", r
    assert (r["data"][0]["sCode"], r["data"][0]["subCode"]) == ("51008", "1000"), r

    # posSide long in net mode.
    r = live.trade.place_order(instId="BTC-USDT-SWAP", tdMode="cross", side="buy", ordType="market",
                               sz="1", posSide="long")
    assert r["code"] == "1" and r["data"][0]["sCode"] == "51000", r

    # Limit without px.
    r = live.trade.place_order(instId="BTC-USDT", tdMode="cash", side="buy", ordType="limit", sz="0.01")
    assert r["code"] == "1" and r["data"][0]["sCode"] == "51204", r

    # Nothing was placed, nothing moved.
    assert ok(live.trade.get_order_list()) == []
    assert dec(detail(live, "USDT")["cashBal"]) == 100000


def test_demo_flag_uses_the_demo_account(fresh_mock, world):
    demo = Apis(fresh_mock, fresh_mock.demo, DEMO)
    live = Apis(fresh_mock, fresh_mock.live, LIVE)
    try:
        acct = next(a for a in world["accounts"] if a["env"] == "demo" and a["name"] == "main")
        (bal,) = ok(demo.account.get_account_balance())
        have = {d["ccy"]: dec(d["cashBal"]) for d in bal["details"]}
        assert have == {ccy: dec(v) for ccy, v in acct["balances"].items()}, have

        ord_id = placed(demo.trade.place_order(instId="ETH-USDT", tdMode="cash", side="sell",
                                               ordType="limit", sz="1", px="4000"))
        assert dec(detail(demo, "ETH")["frozenBal"]) == 1
        assert [o["ordId"] for o in ok(demo.trade.get_order_list(instType="SPOT"))] == [ord_id]
        assert ok(live.trade.get_order_list(instType="SPOT")) == []
        assert live.trade.get_order(instId="ETH-USDT", ordId=ord_id)["code"] == "51603"
        assert ok(demo.trade.cancel_order(instId="ETH-USDT", ordId=ord_id))[0]["sCode"] == "0"
    finally:
        demo.close()
        live.close()
