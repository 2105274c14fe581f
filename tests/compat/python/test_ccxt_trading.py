"""ccxt 4.5.90 (Python, sync) trading against okx-mock's trading engine.

Every test gets a server of its own (`fresh_mock` / `mock_with_world` in
conftest.py): orders, balances, positions and the position mode live as long as
the process does.

What ccxt does here (read in ccxt/okx.py and checked on the wire, see
shared/okx/clients.md section 4.1):
- create_order posts a one-element array to POST /api/v5/trade/batch-orders,
  with a generated clOrdId and tag "6b9ad766b55dBCDE"; swap amounts are
  contracts; `params` are merged last, so {'sz': '1.005'} reaches the server
  unrounded (amount_to_precision would otherwise truncate it to the lot).
- okx.handle_errors raises whenever the body's `code` is not "0"/"2": it first
  maps each data[i].sCode exactly, then the top-level code
  (51000 BadRequest, 51008 InsufficientFunds, 51010 AccountNotEnabled,
  51016/51020/51121/51204 InvalidOrder, 51400/51603 OrderNotFound,
  59000 ExchangeError). code "2" (partial batch) does not raise.

Expected values come from scenarios/default.toml: BTC-USDT last 95000 (best
bid 94999.9, best ask 95000.1), BTC-USDT-SWAP 95020 (bid 95019.9, ask
95020.1), ctVal 0.01, lotSz 0.01; taker fees 0.1 % spot,
0.05 % swap; live balances USDT 100000, BTC 2; demo BTC 5.
"""

from __future__ import annotations

import json
from decimal import Decimal

import ccxt
import pytest

from okx_clients import make_okx
from world_data import dec, instrument

SPOT, SWAP = "BTC/USDT", "BTC/USDT:USDT"
BEST_BID, BEST_ASK = Decimal("94999.9"), Decimal("95000.1")
SWAP_BID, SWAP_ASK = Decimal("95019.9"), Decimal("95020.1")
SPOT_TAKER, SWAP_TAKER = Decimal("0.001"), Decimal("0.0005")
MSG_POS_SIDE = "Parameter posSide error "  # trailing space, as OKX sends it
MSG_LOT = "Order quantity must be a multiple of the lot size."
MSG_MIN = "Your order should meet or exceed the minimum order amount."
MSG_CANCEL = "Order cancellation failed as the order has been filled, canceled or does not exist."
MSG_MODE = "You can't complete this request under your current account mode. "


def body_of(exc: Exception) -> dict:
    """ccxt's message is '<exchange id> <response body>'."""
    text = str(exc)
    assert text.startswith("okx {"), text
    return json.loads(text[len("okx "):])


def rejected(exc: Exception, s_code: str, s_msg: str | None = None, sub_code: str | None = None) -> dict:
    """Check a per-item rejection: HTTP 200, code "1", data[0].sCode/sMsg."""
    body = body_of(exc)
    assert body["code"] == "1", body
    assert body["msg"] == "All operations failed", body
    assert len(body["data"]) == 1, body
    item = body["data"][0]
    assert item["sCode"] == s_code, body
    assert item["ordId"] == "", body
    if s_msg is not None:
        assert item["sMsg"] == s_msg, body
    if sub_code is not None:
        assert item["subCode"] == sub_code, body
    return item


def cash(ex, ccy: str) -> Decimal:
    """cashBal of one currency from the raw account/balance reply."""
    details = ex.fetch_balance()["info"]["data"][0]["details"]
    rows = [d for d in details if d["ccy"] == ccy]
    assert len(rows) == 1, details
    return dec(rows[0]["cashBal"])


@pytest.fixture
def ex(fresh_mock):
    """ccxt with the live key on a server of its own."""
    client = make_okx(fresh_mock, fresh_mock.live)
    client.load_markets()
    return client


def start_balance(world, env: str, ccy: str) -> Decimal:
    acct = next(a for a in world["accounts"] if a["env"] == env and a["name"] == "main")
    return dec(acct["balances"][ccy])


# ---------------------------------------------------------------- spot

def test_spot_limit_rests_then_cancel(ex, world):
    usdt0 = start_balance(world, "live", "USDT")
    order = ex.create_order(SPOT, "limit", "buy", 0.01, 50000)
    assert order["id"], order
    assert order["info"]["sCode"] == "0", order["info"]
    assert order["clientOrderId"].startswith("6b9ad766b55dBCDE"), order

    got = ex.fetch_order(order["id"], SPOT)
    assert got["id"] == order["id"]
    assert got["clientOrderId"] == order["clientOrderId"]
    assert got["status"] == "open" and got["info"]["state"] == "live"
    assert (got["symbol"], got["type"], got["side"]) == (SPOT, "limit", "buy")
    assert got["price"] == 50000 and got["amount"] == 0.01
    assert got["filled"] == 0 and got["remaining"] == 0.01
    assert got["info"]["tdMode"] == "cash" and got["info"]["instType"] == "SPOT"

    assert [o["id"] for o in ex.fetch_open_orders(SPOT)] == [order["id"]]
    assert [o["id"] for o in ex.fetch_open_orders()] == [order["id"]]

    # The resting buy holds 0.01 * 50000 = 500 USDT.
    bal = ex.fetch_balance()
    assert bal["USDT"]["used"] == pytest.approx(500)
    assert bal["USDT"]["free"] == pytest.approx(float(usdt0 - 500))
    assert bal["USDT"]["total"] == pytest.approx(float(usdt0))

    # Amend (POST trade/amend-order): new total size and price.
    ex.edit_order(order["id"], SPOT, "limit", "buy", 0.02, 49000)
    got = ex.fetch_order(order["id"], SPOT)
    assert (got["amount"], got["price"], got["status"]) == (0.02, 49000, "open")
    assert ex.fetch_balance()["USDT"]["used"] == pytest.approx(980)

    canceled = ex.cancel_order(order["id"], SPOT)
    assert canceled["id"] == order["id"]
    assert canceled["info"]["sCode"] == "0"

    got = ex.fetch_order(order["id"], SPOT)
    assert got["status"] == "canceled" and got["info"]["state"] == "canceled"
    assert got["filled"] == 0
    assert ex.fetch_open_orders(SPOT) == []
    bal = ex.fetch_balance()
    assert bal["USDT"]["used"] == 0
    assert bal["USDT"]["free"] == pytest.approx(float(usdt0))

    # Cancelling it again: per-item 51400, which ccxt maps to OrderNotFound.
    with pytest.raises(ccxt.OrderNotFound) as err:
        ex.cancel_order(order["id"], SPOT)
    body = body_of(err.value)
    assert body["code"] == "1" and body["data"][0]["sCode"] == "51400", body
    assert body["data"][0]["sMsg"] == MSG_CANCEL
    assert body["data"][0]["ordId"] == order["id"]


def test_spot_market_buy_and_sell_move_balances(ex, world):
    btc0, usdt0 = start_balance(world, "live", "BTC"), start_balance(world, "live", "USDT")

    buy = ex.create_order(SPOT, "market", "buy", 0.01)
    got = ex.fetch_order(buy["id"], SPOT)
    assert got["status"] == "closed" and got["info"]["state"] == "filled"
    assert got["filled"] == 0.01 and got["remaining"] == 0
    assert dec(got["info"]["avgPx"]) == BEST_ASK
    assert got["info"]["tgtCcy"] == "base_ccy"
    # Spot buy fees are taken in the currency received.
    assert got["fee"]["currency"] == "BTC"
    assert dec(got["info"]["fee"]) == -(Decimal("0.01") * SPOT_TAKER)

    trades = ex.fetch_my_trades(SPOT)
    assert len(trades) == 1, trades
    t = trades[0]
    assert t["order"] == buy["id"]
    assert (t["side"], t["takerOrMaker"]) == ("buy", "taker")
    assert dec(t["info"]["fillPx"]) == BEST_ASK and dec(t["info"]["fillSz"]) == Decimal("0.01")
    assert t["cost"] == pytest.approx(950.001)
    assert t["fee"] == {"currency": "BTC", "cost": pytest.approx(0.00001)}

    fee_btc = -dec(t["info"]["fee"])
    assert cash(ex, "BTC") == btc0 + dec(t["info"]["fillSz"]) - fee_btc
    assert cash(ex, "USDT") == usdt0 - dec(t["info"]["fillSz"]) * dec(t["info"]["fillPx"])
    bal = ex.fetch_balance()
    assert bal["BTC"]["total"] == pytest.approx(2.00999)
    assert bal["USDT"]["total"] == pytest.approx(99049.999)

    # A market sell fills at the best bid (a synthetic level holds at least
    # 0.2 * levelSz = 0.1 BTC, so 0.1 never reaches the second level); the fee is in USDT.
    sell = ex.create_order(SPOT, "market", "sell", 0.1)
    got = ex.fetch_order(sell["id"], SPOT)
    assert got["status"] == "closed" and got["filled"] == 0.1
    assert dec(got["info"]["avgPx"]) == BEST_BID
    proceeds = Decimal("0.1") * BEST_BID
    assert dec(got["info"]["fee"]) == -(proceeds * SPOT_TAKER)
    assert got["info"]["feeCcy"] == "USDT"
    assert cash(ex, "BTC") == btc0 + Decimal("0.01") - fee_btc - Decimal("0.1")
    assert cash(ex, "USDT") == usdt0 - Decimal("950.001") + proceeds * (1 - SPOT_TAKER)

    trades = ex.fetch_my_trades(SPOT)
    assert sorted(t["order"] for t in trades) == sorted([buy["id"], sell["id"]])

    closed = ex.fetch_closed_orders(SPOT)
    assert {o["id"] for o in closed} == {buy["id"], sell["id"]}
    assert all(o["status"] == "closed" for o in closed)


def test_marketable_limit_post_only_and_ioc(ex):
    # A buy priced above the best ask fills at once, at the ask (price improvement).
    taker = ex.create_order(SPOT, "limit", "buy", 0.01, 95100)
    got = ex.fetch_order(taker["id"], SPOT)
    assert got["status"] == "closed" and got["filled"] == 0.01
    assert dec(got["info"]["avgPx"]) == BEST_ASK and got["info"]["px"] == "95100"

    # post_only that would take: accepted (sCode 0), then canceled with cancelSource 31.
    post = ex.create_order(SPOT, "limit", "buy", 0.01, 95100, {"postOnly": True})
    assert post["info"]["sCode"] == "0"
    got = ex.fetch_order(post["id"], SPOT)
    assert got["info"]["ordType"] == "post_only"
    assert (got["status"], got["filled"], got["info"]["cancelSource"]) == ("canceled", 0, "31")

    # IOC below the market: nothing fills, the rest is canceled (cancelSource 14).
    ioc = ex.create_order(SPOT, "limit", "buy", 0.01, 90000, {"timeInForce": "IOC"})
    got = ex.fetch_order(ioc["id"], SPOT)
    assert got["info"]["ordType"] == "ioc"
    assert (got["status"], got["filled"], got["info"]["cancelSource"]) == ("canceled", 0, "14")

    assert ex.fetch_open_orders() == []
    assert {o["id"] for o in ex.fetch_canceled_orders(SPOT)} == {post["id"], ioc["id"]}
    assert [o["id"] for o in ex.fetch_closed_orders(SPOT)] == [taker["id"]]


# ---------------------------------------------------------------- swaps

def test_swap_long_short_mode_positions(ex):
    # A fresh account may switch (nothing open yet).
    r = ex.set_position_mode(True)
    assert r["code"] == "0" and r["data"] == [{"posMode": "long_short_mode"}], r
    assert ex.privateGetAccountConfig()["data"][0]["posMode"] == "long_short_mode"

    # In long/short mode posSide is required.
    with pytest.raises(ccxt.BadRequest) as err:
        ex.create_order(SWAP, "market", "buy", 1)
    rejected(err.value, "51000", MSG_POS_SIDE)

    long_order = ex.create_order(SWAP, "market", "buy", 1, None, {"posSide": "long"})
    got = ex.fetch_order(long_order["id"], SWAP)
    assert got["status"] == "closed" and got["filled"] == 1
    assert got["info"]["posSide"] == "long" and got["info"]["tdMode"] == "cross"
    assert dec(got["info"]["avgPx"]) == SWAP_ASK
    notional = SWAP_ASK * Decimal("0.01")
    assert dec(got["info"]["fee"]) == -(notional * SWAP_TAKER)
    assert got["info"]["feeCcy"] == "USDT"

    positions = ex.fetch_positions([SWAP])
    assert len(positions) == 1, positions
    p = positions[0]
    assert p["symbol"] == SWAP
    assert p["side"] == "long" and p["hedged"] is True
    assert p["contracts"] == 1 and p["contractSize"] == 0.01
    assert p["entryPrice"] == float(SWAP_ASK)
    assert p["marginMode"] == "cross"
    assert p["leverage"] == 10  # the default for a fresh account
    assert p["info"]["posSide"] == "long" and p["info"]["pos"] == "1"
    assert p["notional"] == pytest.approx(950.2)  # mark 95020 * 0.01

    # A short beside it: two rows in long/short mode.
    ex.create_order(SWAP, "market", "sell", 2, None, {"posSide": "short"})
    sides = {p["side"]: p for p in ex.fetch_positions([SWAP])}
    assert set(sides) == {"long", "short"}, sides
    assert sides["short"]["contracts"] == 2
    assert sides["short"]["entryPrice"] == float(SWAP_BID)
    assert sides["short"]["info"]["pos"] == "2"  # positive in long/short mode

    # The position mode cannot change while positions are open (59000).
    with pytest.raises(ccxt.ExchangeError) as err:
        ex.set_position_mode(False)
    body = body_of(err.value)
    assert body["code"] == "59000" and body["data"] == [], body

    # Closing the long: sell with posSide long.
    ex.create_order(SWAP, "market", "sell", 1, None, {"posSide": "long"})
    remaining = ex.fetch_positions([SWAP])
    assert [(p["side"], p["contracts"]) for p in remaining] == [("short", 2)]

    closed = ex.fetch_closed_orders(SWAP)
    assert len(closed) == 3 and all(o["status"] == "closed" for o in closed), closed
    trades = ex.fetch_my_trades(SWAP)
    assert sorted(t["amount"] for t in trades) == [1, 1, 2]
    subtypes = sorted(t["info"]["subType"] for t in trades)
    assert subtypes == ["3", "4", "5"], subtypes  # open long, open short, close long


def test_set_leverage_net_mode(ex):
    r = ex.set_leverage(5, SWAP)
    assert r["code"] == "0", r
    assert r["data"] == [{"instId": "BTC-USDT-SWAP", "lever": "5", "mgnMode": "cross", "posSide": "net"}], r

    lev = ex.fetch_leverage(SWAP, {"marginMode": "cross"})
    assert (lev["longLeverage"], lev["shortLeverage"], lev["marginMode"]) == (5, 5, "cross")
    info = ex.privateGetAccountLeverageInfo({"instId": "BTC-USDT-SWAP", "mgnMode": "cross"})
    assert [(row["lever"], row["posSide"]) for row in info["data"]] == [("5", "net")], info

    ex.create_order(SWAP, "market", "buy", 1)
    (p,) = ex.fetch_positions([SWAP])
    assert p["side"] == "long" and p["hedged"] is False and p["info"]["posSide"] == "net"
    assert p["leverage"] == 5
    assert dec(p["info"]["imr"]) == SWAP_ASK * Decimal("0.01") / 5

    # Above the instrument's maximum (lever 100): 59102.
    with pytest.raises(ccxt.ExchangeError) as err:
        ex.set_leverage(125, SWAP)
    assert body_of(err.value)["code"] == "59102"

    # close-position (net mode, no posSide) flattens it.
    r = ex.close_position(SWAP)
    assert r["info"] == {"clOrdId": "", "instId": "BTC-USDT-SWAP", "posSide": "net", "tag": ""}, r["info"]
    # OKX may list a flat position queried by instId with pos "0"; nothing may be left open.
    assert all(p["contracts"] == 0 for p in ex.fetch_positions([SWAP]))
    assert ex.fetch_positions() == []
    (hist,) = ex.fetch_positions_history([SWAP])
    assert hist["info"]["type"] == "2" and hist["info"]["closeTotalPos"] == "1", hist["info"]
    assert dec(hist["info"]["openAvgPx"]) == SWAP_ASK and dec(hist["info"]["closeAvgPx"]) == SWAP_BID


def test_set_leverage_long_short_mode(ex):
    ex.set_position_mode(True)
    r = ex.set_leverage(5, SWAP)
    assert r["code"] == "0", r
    lev = ex.fetch_leverage(SWAP, {"marginMode": "cross"})
    assert (lev["longLeverage"], lev["shortLeverage"]) == (5, 5), lev["info"]


# ---------------------------------------------------------------- rejections

def test_pos_side_in_net_mode_is_bad_request(ex):
    with pytest.raises(ccxt.BadRequest) as err:
        ex.create_order(SWAP, "market", "buy", 1, None, {"posSide": "long"})
    item = rejected(err.value, "51000", MSG_POS_SIDE)
    assert item["tag"] == "6b9ad766b55dBCDE"
    assert ex.fetch_positions([SWAP]) == []


def test_lot_size_is_invalid_order(ex, world):
    assert instrument(world, "SWAP", "BTC-USDT-SWAP")["lotSz"] == "0.01"
    # ccxt would truncate 1.005 to 1; the 'sz' param goes to the wire unchanged.
    with pytest.raises(ccxt.InvalidOrder) as err:
        ex.create_order(SWAP, "market", "buy", 1, None, {"sz": "1.005"})
    rejected(err.value, "51121", MSG_LOT)

    # A two-order batch with one bad item: code "2", no exception.
    r = ex.privatePostTradeBatchOrders([
        {"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "ordType": "limit", "px": "90000", "sz": "1"},
        {"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "ordType": "limit", "px": "90000", "sz": "1.005"},
    ])
    assert r["code"] == "2", r
    assert [d["sCode"] for d in r["data"]] == ["0", "51121"], r
    assert r["data"][0]["ordId"] and r["data"][1]["ordId"] == ""
    assert [o["id"] for o in ex.fetch_open_orders(SWAP)] == [r["data"][0]["ordId"]]


def test_duplicate_client_order_id_within_a_batch(ex):
    order = {"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit",
             "px": "50000", "sz": "0.01", "clOrdId": "compatBatch1"}
    r = ex.privatePostTradeBatchOrders([order, dict(order)])
    assert r["code"] == "2" and r["msg"] == "Bulk operation partially succeeded.", r
    assert [(d["sCode"], d["clOrdId"]) for d in r["data"]] == [("0", "compatBatch1"), ("51016", "compatBatch1")]


def test_below_min_size_is_invalid_order(ex):
    with pytest.raises(ccxt.InvalidOrder) as err:
        ex.create_order(SPOT, "limit", "buy", 0.000001, 50000)  # minSz 0.00001
    rejected(err.value, "51020", MSG_MIN)


def test_insufficient_funds(ex):
    # 100 BTC at 90000 = 9 000 000 USDT > 100 000.
    with pytest.raises(ccxt.InsufficientFunds) as err:
        ex.create_order(SPOT, "limit", "buy", 100, 90000)
    rejected(err.value, "51008", "Order failed. Insufficient USDT balance in account", sub_code="1000")

    # Margin for 20000 contracts (~190 000 USDT at 10x) exceeds the account.
    with pytest.raises(ccxt.InsufficientFunds) as err:
        ex.create_order(SWAP, "limit", "buy", 20000, 90000)
    rejected(err.value, "51008", "Order failed. Insufficient USDT margin in account", sub_code="1001")

    assert ex.fetch_open_orders() == []
    assert cash(ex, "USDT") == Decimal("100000")


def test_unknown_order_is_order_not_found(ex):
    with pytest.raises(ccxt.OrderNotFound) as err:
        ex.fetch_order("1234567890123", SPOT)
    assert body_of(err.value) == {"code": "51603", "data": [], "msg": "Order does not exist"}


def test_duplicate_client_order_id(ex):
    first = ex.create_order(SPOT, "limit", "buy", 0.01, 50000, {"clientOrderId": "compatDup1"})
    assert first["clientOrderId"] == "compatDup1"
    with pytest.raises(ccxt.InvalidOrder) as err:
        ex.create_order(SPOT, "limit", "buy", 0.01, 50000, {"clientOrderId": "compatDup1"})
    item = rejected(err.value, "51016")
    assert item["clOrdId"] == "compatDup1"
    assert len(ex.fetch_open_orders(SPOT)) == 1


def test_limit_without_price(ex):
    with pytest.raises(ccxt.InvalidOrder) as err:
        ex.privatePostTradeOrder({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "sz": "0.01"})
    rejected(err.value, "51204", "The price for the limit order cannot be empty.")


SPOT_ACCOUNT_TOML = """
[[accounts]]
name = "spotonly"
env = "live"
uid = "448065917583769700"
acctLv = "1"
posMode = "net_mode"
balances = { USDT = "5000" }

[[keys]]
label = "live-spot"
env = "live"
apiKey = "0a1b2c3d-1111-4222-8333-944455556666"
secretKey = "00112233445566778899AABBCCDDEEFF"
passphrase = "Spot-Passphrase-1"
perms = ["read_only", "trade"]
account = "spotonly"
"""


def test_spot_mode_account_cannot_trade_swaps(mock_with_world):
    m = mock_with_world(SPOT_ACCOUNT_TOML)
    spot_key = next(k for k in m.world["keys"] if k["label"] == "live-spot")
    ex = ccxt.okx({
        "apiKey": spot_key["apiKey"], "secret": spot_key["secretKey"], "password": spot_key["passphrase"],
        "timeout": 10_000, "enableRateLimit": False,
    })
    ex.urls["api"]["rest"] = m.base_url
    ex.load_markets()
    assert ex.privateGetAccountConfig()["data"][0]["acctLv"] == "1"
    with pytest.raises(ccxt.AccountNotEnabled) as err:
        ex.create_order(SWAP, "market", "buy", 1)
    rejected(err.value, "51010", MSG_MODE)
    # Spot trading still works, against this account's own 5000 USDT.
    ex.create_order(SPOT, "limit", "buy", 0.01, 50000)
    assert ex.fetch_balance()["USDT"]["used"] == pytest.approx(500)
    assert ex.fetch_balance()["USDT"]["total"] == pytest.approx(5000)


# ---------------------------------------------------------------- demo

def test_sandbox_orders_are_separate_from_live(fresh_mock, world):
    demo = make_okx(fresh_mock, fresh_mock.demo, sandbox=True)
    live = make_okx(fresh_mock, fresh_mock.live)
    demo.load_markets()
    live.load_markets()
    btc0 = start_balance(world, "demo", "BTC")
    assert demo.fetch_balance()["BTC"]["total"] == float(btc0)

    order = demo.create_order(SPOT, "limit", "sell", 0.1, 120000)
    assert [o["id"] for o in demo.fetch_open_orders(SPOT)] == [order["id"]]
    bal = demo.fetch_balance()["BTC"]
    assert (bal["used"], bal["free"]) == (pytest.approx(0.1), pytest.approx(float(btc0) - 0.1))

    # The live account sees nothing of it.
    assert live.fetch_open_orders() == []
    with pytest.raises(ccxt.OrderNotFound):
        live.fetch_order(order["id"], SPOT)

    demo.cancel_order(order["id"], SPOT)
    assert demo.fetch_order(order["id"], SPOT)["status"] == "canceled"

    # A demo short leaves the live account flat.
    demo.create_order(SWAP, "market", "sell", 1)
    assert [(p["side"], p["contracts"], p["entryPrice"]) for p in demo.fetch_positions()] == \
        [("short", 1, float(SWAP_BID))]
    assert live.fetch_positions() == []
