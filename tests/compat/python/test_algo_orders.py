"""Stand-alone algo orders (trade/order-algo: conditional, oco, trigger) through
python-okx 0.4.4 and ccxt 4.5.90 against okx-mock.

What the clients send (read in okx/Trade.py and ccxt/okx.py, checked on the wire):
- python-okx place_algo_order posts every optional field as "" and
  attachAlgoOrds as []; cancel_algo_order posts the list it is given;
  order_algos_list / order_algos_history drop "" parameters from the query;
  get_algo_order_details(algoId | algoClOrdId). Nothing raises: a refusal is a
  dict with code "1" and data[0].sCode (per item) or a top-level code.
- ccxt create_order goes to order-algo when params carry triggerPrice
  (ordType trigger, orderPx "-1" for a market order), stopLossPrice or
  takeProfitPrice (conditional; both: oco). For spot conditional orders it
  rewrites tdMode cash to the default margin mode (cross). It sends its broker
  clOrdId and tag along. fetch_open_orders / fetch_order / cancel_order take
  {'trigger': True} (pending ordType defaults to trigger) or an algo
  {'ordType': ...}; fetch_closed_orders / fetch_canceled_orders read
  orders-algo-history with state effective / canceled. fetch_closed_orders
  needs {'trigger': True} besides the ordType: with the ordType alone 4.5.90
  sends state=filled, which no algo order has. Both send instType from the
  market (SPOT for BTC/USDT), while a cross spot algo order is MARGIN.

Last-price triggers watch the synthetic trade tape: after a price is set
through the control API the exchange clock is moved two minutes so a trade
prints there. That puts the exchange clock ahead of the wall clock by more
than the 30 s signature window, so the clients then sign with the exchange's
time (python-okx: ExchangeTime below; ccxt: load_time_difference), as they
would against an exchange whose clock is ahead.

Default world: BTC-USDT 95000, ETH-USDT 3200, BTC-USDT-SWAP 95020 (last and
mark); live account net_mode, acctLv 2, USDT 100000, BTC 2, ETH 20.
Each test has a server of its own (`fresh_mock`).
"""

from __future__ import annotations

import json
from decimal import Decimal

import ccxt
import okx.Account as Account
import okx.Trade as Trade
import pytest

from okx_clients import ExchangeTime, admin, advance_clock, make_okx
from world_data import dec

# httpx 0.28 warns about python-okx's `data=<json text>` on every POST; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes/text content:DeprecationWarning")

SWAP_ID, SPOT_ID, ETH_ID = "BTC-USDT-SWAP", "BTC-USDT", "ETH-USDT"
SWAP, SPOT, ETH = "BTC/USDT:USDT", "BTC/USDT", "ETH/USDT"
TAPE_MS = 2 * 60_000  # enough exchange time for the tape to print at a new price
ALL_FAILED = "All operations failed"
MSG_51279 = "TP trigger price cannot be lower than the last price."
MSG_CANCEL = "Order cancellation failed as the order has been filled, canceled or does not exist."


def set_price(mock, inst_id: str, px: str) -> None:
    admin(mock, "/__admin/prices", {"instId": inst_id, "px": px})


class Apis:
    def __init__(self, mock, key):
        args = dict(api_key=key.api_key, api_secret_key=key.secret, passphrase=key.passphrase,
                    flag="0", domain=mock.base_url)
        self.trade = Trade.TradeAPI(**args)
        self.account = Account.AccountAPI(**args)

    def close(self):
        self.trade.close()
        self.account.close()


@pytest.fixture
def live(fresh_mock):
    apis = Apis(fresh_mock, fresh_mock.live)
    yield apis
    apis.close()


@pytest.fixture
def ex(fresh_mock):
    """ccxt with the live key; adjustForTimeDifference lets a test resync its
    signing clock (load_time_difference) after moving the exchange clock."""
    client = make_okx(fresh_mock, fresh_mock.live, options={"adjustForTimeDifference": True})
    client.load_markets()
    return client


def ok(r: dict) -> list:
    assert r.get("code") == "0", r
    assert r.get("msg") == "", r
    return r["data"]


def placed_algo(r: dict, algo_cl_ord_id: str = "") -> str:
    (item,) = ok(r)
    assert (item["sCode"], item["sMsg"], item["clOrdId"], item["algoClOrdId"]) == \
        ("0", "", "", algo_cl_ord_id), r
    assert item["algoId"].isdigit(), r
    return item["algoId"]


def refused(r: dict, s_code: str, s_msg: str) -> None:
    """A per-item refusal of order-algo: HTTP 200, code "1", no algoId."""
    assert (r["code"], r["msg"]) == ("1", ALL_FAILED), r
    (item,) = r["data"]
    assert (item["sCode"], item["sMsg"], item["algoId"]) == (s_code, s_msg, ""), r


def top_level(r: dict, code: str, msg: str) -> None:
    assert r == {"code": code, "data": [], "msg": msg}, r


def cash(apis, ccy: str) -> Decimal:
    (acct,) = ok(apis.account.get_account_balance())
    (row,) = [d for d in acct["details"] if d["ccy"] == ccy]
    return dec(row["cashBal"])


def body_of(exc: Exception) -> dict:
    """ccxt's message is '<exchange id> <response body>'."""
    text = str(exc)
    assert text.startswith("okx {"), text
    return json.loads(text[len("okx "):])


# ---------------------------------------------------------------- python-okx

def test_place_conditional_oco_and_trigger_then_list_them(live):
    sl_id = placed_algo(live.trade.place_algo_order(
        instId=SWAP_ID, tdMode="cross", side="sell", ordType="conditional", sz="1",
        slTriggerPx="94000", slOrdPx="-1", algoClOrdId="stop1"), "stop1")
    oco_id = placed_algo(live.trade.place_algo_order(
        instId=SWAP_ID, tdMode="cross", side="sell", ordType="oco", sz="2", reduceOnly="true",
        tpTriggerPx="97000", tpOrdPx="-1", slTriggerPx="93000", slOrdPx="92900", slTriggerPxType="mark"))
    trig_id = placed_algo(live.trade.place_algo_order(
        instId=ETH_ID, tdMode="cash", side="buy", ordType="trigger", sz="0.1",
        triggerPx="3300", orderPx="-1"))

    # orders-algo-pending needs an ordType; python-okx drops the empty one.
    top_level(live.trade.order_algos_list(), "50014", "Parameter ordType can not be empty.")

    (sl,) = ok(live.trade.order_algos_list(ordType="conditional"))
    assert sl["algoId"] == sl_id
    assert {k: sl[k] for k in ("instId", "instType", "ordType", "side", "posSide", "tdMode", "sz", "state",
                               "algoClOrdId", "reduceOnly", "last", "ordId", "actualSide")} == {
        "instId": SWAP_ID, "instType": "SWAP", "ordType": "conditional", "side": "sell", "posSide": "net",
        "tdMode": "cross", "sz": "1", "state": "live", "algoClOrdId": "stop1", "reduceOnly": "false",
        "last": "95020", "ordId": "", "actualSide": ""}, sl
    # slTriggerPxType defaults to last; no TP leg.
    assert (sl["slTriggerPx"], sl["slOrdPx"], sl["slTriggerPxType"]) == ("94000", "-1", "last"), sl
    assert (sl["tpTriggerPx"], sl["tpOrdPx"], sl["tpTriggerPxType"]) == ("", "", ""), sl

    (oco,) = ok(live.trade.order_algos_list(ordType="oco"))
    assert (oco["algoId"], oco["sz"], oco["reduceOnly"]) == (oco_id, "2", "true"), oco
    assert (oco["tpTriggerPx"], oco["tpOrdPx"], oco["tpTriggerPxType"]) == ("97000", "-1", "last"), oco
    assert (oco["slTriggerPx"], oco["slOrdPx"], oco["slTriggerPxType"]) == ("93000", "92900", "mark"), oco

    (trig,) = ok(live.trade.order_algos_list(ordType="trigger"))
    assert {k: trig[k] for k in ("algoId", "instId", "instType", "tdMode", "side", "sz", "triggerPx",
                                 "triggerPxType", "ordPx", "state", "last")} == {
        "algoId": trig_id, "instId": ETH_ID, "instType": "SPOT", "tdMode": "cash", "side": "buy", "sz": "0.1",
        "triggerPx": "3300", "triggerPxType": "last", "ordPx": "-1", "state": "live", "last": "3200"}, trig

    # conditional,oco together (OKX's one allowed pair), newest first; filters.
    assert [a["algoId"] for a in ok(live.trade.order_algos_list(ordType="conditional,oco"))] == [oco_id, sl_id]
    assert ok(live.trade.order_algos_list(ordType="trigger", instId=SWAP_ID)) == []
    assert [a["algoId"] for a in ok(live.trade.order_algos_list(ordType="trigger", instType="SPOT"))] == [trig_id]
    assert [a["algoId"] for a in ok(live.trade.order_algos_list(ordType="oco", algoId=oco_id))] == [oco_id]

    # One order by algoId or algoClOrdId; an unknown one is a top-level 51603.
    (by_id,) = ok(live.trade.get_algo_order_details(algoId=trig_id))
    assert (by_id["algoId"], by_id["ordType"]) == (trig_id, "trigger"), by_id
    (by_cl,) = ok(live.trade.get_algo_order_details(algoClOrdId="stop1"))
    assert by_cl["algoId"] == sl_id, by_cl
    top_level(live.trade.get_algo_order_details(algoId="1234567890"), "51603", "Order does not exist")

    # Algo orders hold nothing and are not normal orders.
    assert ok(live.trade.get_order_list()) == []
    assert cash(live, "USDT") == 100000


def test_wrong_side_take_profit_and_stop_loss_are_refused_per_item(live):
    # A sell closes a long: its TP must not be below the last price (95020).
    r = live.trade.place_algo_order(instId=SWAP_ID, tdMode="cross", side="sell", ordType="conditional", sz="1",
                                    tpTriggerPx="94000", tpOrdPx="-1", algoClOrdId="wrongTp")
    refused(r, "51279", MSG_51279)
    assert (r["data"][0]["algoClOrdId"], r["data"][0]["clOrdId"]) == ("wrongTp", ""), r

    cases = [
        ("buy", dict(tpTriggerPx="95100", tpOrdPx="-1"), "51277",
         "TP trigger price cannot be higher than the last price."),
        ("buy", dict(slTriggerPx="94900", slOrdPx="-1"), "51278",
         "SL trigger price cannot be lower than the last price."),
        ("sell", dict(slTriggerPx="95100", slOrdPx="-1"), "51280",
         "SL trigger price cannot be higher than the last price."),
        ("sell", dict(tpTriggerPx="94900", tpOrdPx="-1", tpTriggerPxType="mark"), "51303",
         "TP trigger price cannot be lower than the mark price"),
        ("buy", dict(slTriggerPx="94900", slOrdPx="-1", slTriggerPxType="index"), "51306",
         "SL trigger price cannot be lower than the index price"),
    ]
    for side, legs, code, msg in cases:
        refused(live.trade.place_algo_order(instId=SWAP_ID, tdMode="cross", side=side, ordType="conditional",
                                            sz="1", **legs), code, msg)
    # An oco is checked leg by leg: a right TP does not save a wrong SL.
    refused(live.trade.place_algo_order(instId=SWAP_ID, tdMode="cross", side="sell", ordType="oco", sz="1",
                                        tpTriggerPx="97000", tpOrdPx="-1", slTriggerPx="95100", slOrdPx="-1"),
            "51280", "SL trigger price cannot be higher than the last price.")
    # Spot watches only the last price.
    r = live.trade.place_algo_order(instId=SPOT_ID, tdMode="cash", side="sell", ordType="conditional", sz="0.1",
                                    slTriggerPx="90000", slOrdPx="-1", slTriggerPxType="mark")
    assert (r["code"], r["data"][0]["sCode"]) == ("1", "51415"), r

    # Nothing was booked.
    assert ok(live.trade.order_algos_list(ordType="conditional,oco")) == []
    assert ok(live.trade.order_algos_history(ordType="conditional", state="order_failed")) == []


def test_malformed_algo_orders(live):
    # A trigger price without its order price: top-level 51000, no data.
    top_level(live.trade.place_algo_order(instId=SWAP_ID, tdMode="cross", side="sell", ordType="conditional",
                                          sz="1", tpTriggerPx="97000"),
              "51000", "Parameter tpOrdPx error")
    # An oco needs both legs (per item, trailing space as OKX sends it).
    refused(live.trade.place_algo_order(instId=SWAP_ID, tdMode="cross", side="sell", ordType="oco", sz="1",
                                        tpTriggerPx="97000", tpOrdPx="-1"),
            "51000", "Parameter slTriggerPx error ")
    # A trigger order needs triggerPx and orderPx.
    r = live.trade.place_algo_order(instId=ETH_ID, tdMode="cash", side="buy", ordType="trigger", sz="0.1",
                                    triggerPx="3300")
    assert (r["code"], r["data"]) == ("50014", []), r
    # orders-algo-history needs state or algoId besides ordType.
    top_level(live.trade.order_algos_history(ordType="trigger"), "50014", "Parameter state can not be empty.")
    assert ok(live.trade.order_algos_history(ordType="trigger", state="canceled")) == []


def test_cancel_algo_order_by_algo_id_and_algo_cl_ord_id_then_history(live):
    trig_id = placed_algo(live.trade.place_algo_order(
        instId=ETH_ID, tdMode="cash", side="buy", ordType="trigger", sz="0.1", triggerPx="3300", orderPx="3310"))
    tp_id = placed_algo(live.trade.place_algo_order(
        instId=SWAP_ID, tdMode="cross", side="sell", ordType="conditional", sz="1",
        tpTriggerPx="99000", tpOrdPx="-1", algoClOrdId="tp1"), "tp1")

    # A live algoId named with the wrong instrument is not found.
    r = live.trade.cancel_algo_order([{"instId": SWAP_ID, "algoId": trig_id}])
    assert (r["code"], r["data"][0]["sCode"]) == ("1", "51400"), r

    # One request, one item each way of naming an algo order.
    r = live.trade.cancel_algo_order([{"instId": ETH_ID, "algoId": trig_id},
                                      {"instId": SWAP_ID, "algoClOrdId": "tp1"}])
    items = ok(r)
    assert [(i["algoId"], i["algoClOrdId"], i["sCode"], i["sMsg"]) for i in items] == \
        [(trig_id, "", "0", ""), (tp_id, "tp1", "0", "")], r
    assert ok(live.trade.order_algos_list(ordType="trigger")) == []
    assert ok(live.trade.order_algos_list(ordType="conditional")) == []

    # Again: per item 51400.
    r = live.trade.cancel_algo_order([{"instId": ETH_ID, "algoId": trig_id}])
    assert (r["code"], r["msg"]) == ("1", ALL_FAILED), r
    assert (r["data"][0]["algoId"], r["data"][0]["sCode"], r["data"][0]["sMsg"]) == (trig_id, "51400", MSG_CANCEL), r

    (trig,) = ok(live.trade.order_algos_history(ordType="trigger", state="canceled"))
    assert (trig["algoId"], trig["state"], trig["ordPx"], trig["triggerPx"]) == (trig_id, "canceled", "3310", "3300")
    (tp,) = ok(live.trade.order_algos_history(ordType="conditional", algoId=tp_id))
    assert (tp["state"], tp["algoClOrdId"], tp["tpTriggerPx"]) == ("canceled", "tp1", "99000"), tp
    assert ok(live.trade.order_algos_history(ordType="conditional", state="effective")) == []
    assert ok(live.trade.get_algo_order_details(algoClOrdId="tp1"))[0]["state"] == "canceled"


def test_stop_loss_on_last_price_fires_after_the_tape_trades_through_it(live, fresh_mock, monkeypatch):
    clock = ExchangeTime(monkeypatch)
    (opened,) = ok(live.trade.place_order(instId=SWAP_ID, tdMode="cross", side="buy", ordType="market", sz="1"))
    assert opened["sCode"] == "0", opened
    (pos,) = ok(live.account.get_positions(instId=SWAP_ID))
    assert pos["pos"] == "1", pos

    algo_id = placed_algo(live.trade.place_algo_order(
        instId=SWAP_ID, tdMode="cross", side="sell", ordType="conditional", sz="1", reduceOnly="true",
        slTriggerPx="94000", slOrdPx="-1", algoClOrdId="guard"), "guard")

    # Down, but not through the stop: nothing happens.
    set_price(fresh_mock, SWAP_ID, "94100")
    clock.advance(fresh_mock, TAPE_MS)
    (waiting,) = ok(live.trade.order_algos_list(ordType="conditional"))
    assert (waiting["algoId"], waiting["state"]) == (algo_id, "live"), waiting

    set_price(fresh_mock, SWAP_ID, "93500")
    clock.advance(fresh_mock, TAPE_MS)
    assert ok(live.trade.order_algos_list(ordType="conditional")) == []
    (fired,) = ok(live.trade.order_algos_history(ordType="conditional", state="effective"))
    assert {k: fired[k] for k in ("algoId", "algoClOrdId", "state", "actualSide", "actualSz", "actualPx")} == {
        "algoId": algo_id, "algoClOrdId": "guard", "state": "effective", "actualSide": "sl",
        "actualSz": "1", "actualPx": "-1"}, fired
    assert fired["ordId"] and fired["ordIdList"] == [fired["ordId"]], fired
    assert int(fired["triggerTime"]) > int(fired["cTime"]), fired

    (order,) = ok(live.trade.get_order(instId=SWAP_ID, ordId=fired["ordId"]))
    assert {k: order[k] for k in ("state", "side", "ordType", "posSide", "tdMode", "sz", "accFillSz",
                                  "reduceOnly", "algoId", "algoClOrdId")} == {
        "state": "filled", "side": "sell", "ordType": "market", "posSide": "net", "tdMode": "cross", "sz": "1",
        "accFillSz": "1", "reduceOnly": "true", "algoId": algo_id, "algoClOrdId": "guard"}, order
    # A market stop fills where the market is now, below its trigger.
    assert Decimal("93000") < dec(order["avgPx"]) < Decimal("94000"), order

    assert ok(live.account.get_positions(instId=SWAP_ID)) == []


def test_trigger_order_buys_spot_when_the_last_price_rises_to_it(live, fresh_mock, monkeypatch):
    clock = ExchangeTime(monkeypatch)
    eth0, usdt0 = cash(live, "ETH"), cash(live, "USDT")
    algo_id = placed_algo(live.trade.place_algo_order(
        instId=ETH_ID, tdMode="cash", side="buy", ordType="trigger", sz="0.5", triggerPx="3300", orderPx="-1"))

    set_price(fresh_mock, ETH_ID, "3299")
    clock.advance(fresh_mock, TAPE_MS)
    assert ok(live.trade.get_algo_order_details(algoId=algo_id))[0]["state"] == "live"

    set_price(fresh_mock, ETH_ID, "3305")
    clock.advance(fresh_mock, TAPE_MS)
    (fired,) = ok(live.trade.order_algos_history(ordType="trigger", algoId=algo_id))
    assert (fired["state"], fired["actualSide"], fired["actualSz"], fired["actualPx"]) == \
        ("effective", "buy", "0.5", "-1"), fired

    (order,) = ok(live.trade.get_order(instId=ETH_ID, ordId=fired["ordId"]))
    assert (order["state"], order["side"], order["ordType"], order["accFillSz"], order["algoId"]) == \
        ("filled", "buy", "market", "0.5", algo_id), order
    # The size is in ETH (trigger orders take no tgtCcy), the fee in ETH too.
    assert order["feeCcy"] == "ETH" and dec(order["fee"]) < 0, order
    assert cash(live, "ETH") == eth0 + Decimal("0.5") + dec(order["fee"])
    assert cash(live, "USDT") == usdt0 - Decimal("0.5") * dec(order["avgPx"])
    assert dec(order["avgPx"]) >= Decimal("3300"), order


# ---------------------------------------------------------------- ccxt

def test_ccxt_trigger_order_open_fetch_cancel_and_canceled(ex):
    order = ex.create_order(ETH, "limit", "buy", 0.1, 3310, {"triggerPrice": 3300})
    assert ex.last_request_url.endswith("/api/v5/trade/order-algo"), ex.last_request_url
    sent = json.loads(ex.last_http_response)["data"][0]
    assert (sent["sCode"], sent["algoId"]) == ("0", order["id"]), sent
    assert sent["tag"] == ex.options["brokerId"], sent

    got = ex.fetch_order(order["id"], ETH, {"trigger": True})
    assert "/api/v5/trade/order-algo?" in ex.last_request_url, ex.last_request_url
    assert (got["id"], got["symbol"], got["type"], got["side"], got["status"]) == \
        (order["id"], ETH, "trigger", "buy", "open"), got
    assert (got["triggerPrice"], got["price"], got["amount"]) == (3300, 3310, 0.1), got
    # ccxt sends tgtCcy=base_ccy with spot trigger orders; the algo keeps it.
    assert got["info"]["tgtCcy"] == "base_ccy", got["info"]

    # {'trigger': True} reads orders-algo-pending with ordType=trigger.
    opened = ex.fetch_open_orders(ETH, params={"trigger": True})
    assert "ordType=trigger" in ex.last_request_url, ex.last_request_url
    assert [o["id"] for o in opened] == [order["id"]], opened
    assert ex.fetch_open_orders(ETH) == []  # not a normal order

    canceled = ex.cancel_order(order["id"], ETH, {"trigger": True})
    assert ex.last_request_url.endswith("/api/v5/trade/cancel-algos"), ex.last_request_url
    assert canceled["id"] == order["id"] and canceled["info"]["sCode"] == "0", canceled
    assert ex.fetch_open_orders(ETH, params={"trigger": True}) == []

    (gone,) = ex.fetch_canceled_orders(ETH, params={"trigger": True, "ordType": "trigger"})
    assert (gone["id"], gone["status"], gone["triggerPrice"]) == (order["id"], "canceled", 3300), gone
    assert ex.fetch_closed_orders(ETH, params={"trigger": True}) == []

    with pytest.raises(ccxt.OrderNotFound) as err:
        ex.cancel_order(order["id"], ETH, {"trigger": True})
    body = body_of(err.value)
    assert (body["code"], body["data"][0]["sCode"], body["data"][0]["sMsg"]) == ("1", "51400", MSG_CANCEL), body


def test_ccxt_wrong_side_take_profit_price_raises_invalid_order(ex):
    with pytest.raises(ccxt.InvalidOrder) as err:
        ex.create_order(SWAP, "market", "sell", 1, None, {"takeProfitPrice": 94000})
    assert ex.last_request_url.endswith("/api/v5/trade/order-algo"), ex.last_request_url
    body = body_of(err.value)
    assert (body["code"], body["msg"]) == ("1", ALL_FAILED), body
    assert (body["data"][0]["sCode"], body["data"][0]["sMsg"], body["data"][0]["algoId"]) == \
        ("51279", MSG_51279, ""), body
    assert ex.fetch_open_orders(SWAP, params={"ordType": "conditional"}) == []


def test_ccxt_stop_loss_price_fires_and_closes_the_position(ex, fresh_mock):
    ex.create_order(SWAP, "market", "buy", 1)
    (pos,) = ex.fetch_positions([SWAP])
    assert (pos["side"], pos["contracts"]) == ("long", 1), pos

    stop = ex.create_order(SWAP, "market", "sell", 1, None, {"stopLossPrice": 94000, "reduceOnly": True})
    assert ex.last_request_url.endswith("/api/v5/trade/order-algo"), ex.last_request_url
    (listed,) = ex.fetch_open_orders(SWAP, params={"ordType": "conditional"})
    assert "orders-algo-pending" in ex.last_request_url, ex.last_request_url
    assert (listed["id"], listed["type"], listed["side"], listed["status"]) == \
        (stop["id"], "conditional", "sell", "open"), listed
    assert (listed["stopLossPrice"], listed["takeProfitPrice"], listed["reduceOnly"]) == (94000, None, True), listed
    assert listed["info"]["slTriggerPxType"] == "last"

    set_price(fresh_mock, SWAP_ID, "93500")
    advance_clock(fresh_mock, TAPE_MS)
    ex.load_time_difference()

    assert ex.fetch_open_orders(SWAP, params={"ordType": "conditional"}) == []
    (done,) = ex.fetch_closed_orders(SWAP, params={"trigger": True, "ordType": "conditional"})
    assert "orders-algo-history" in ex.last_request_url and "state=effective" in ex.last_request_url
    assert (done["id"], done["status"], done["info"]["actualSide"]) == (stop["id"], "closed", "sl"), done

    sold = ex.fetch_order(done["info"]["ordId"], SWAP)
    assert (sold["status"], sold["side"], sold["type"], sold["filled"], sold["reduceOnly"]) == \
        ("closed", "sell", "market", 1, True), sold
    assert sold["info"]["algoId"] == stop["id"], sold["info"]
    assert sold["average"] < 94000, sold
    assert all(p["contracts"] == 0 for p in ex.fetch_positions([SWAP]))


def test_ccxt_take_profit_and_stop_loss_prices_make_an_oco(ex, fresh_mock):
    ex.create_order(SWAP, "market", "buy", 2)
    # Both prices: ccxt 4.5.90 (Python) sends ordType oco to order-algo.
    oco = ex.create_order(SWAP, "market", "sell", 2, None,
                          {"takeProfitPrice": 97000, "stopLossPrice": 93000, "reduceOnly": True})
    assert ex.last_request_url.endswith("/api/v5/trade/order-algo"), ex.last_request_url
    (listed,) = ex.fetch_open_orders(SWAP, params={"ordType": "oco"})
    assert (listed["id"], listed["type"], listed["amount"]) == (oco["id"], "oco", 2), listed
    assert (listed["takeProfitPrice"], listed["stopLossPrice"]) == (97000, 93000), listed

    set_price(fresh_mock, SWAP_ID, "97500")
    advance_clock(fresh_mock, TAPE_MS)
    ex.load_time_difference()

    (done,) = ex.fetch_closed_orders(SWAP, params={"trigger": True, "ordType": "oco"})
    assert (done["id"], done["status"]) == (oco["id"], "closed"), done
    assert (done["info"]["actualSide"], done["info"]["actualSz"]) == ("tp", "2"), done["info"]
    sold = ex.fetch_order(done["info"]["ordId"], SWAP)
    assert (sold["status"], sold["side"], sold["filled"]) == ("closed", "sell", 2), sold
    assert sold["average"] > 97000, sold
    assert all(p["contracts"] == 0 for p in ex.fetch_positions([SWAP]))
    # The stop leg went with it.
    assert ex.fetch_open_orders(SWAP, params={"ordType": "oco"}) == []


def test_ccxt_spot_stop_loss_with_an_algo_client_id(ex):
    # ccxt turns tdMode cash into cross for spot conditional orders; the algo
    # then shows as MARGIN. algoClOrdId passes through params.
    stop = ex.create_order(SPOT, "market", "sell", 0.1, None, {"stopLossPrice": 90000, "algoClOrdId": "spotStop1"})
    assert stop["info"]["algoClOrdId"] == "spotStop1", stop["info"]
    (listed,) = ex.fetch_open_orders(SPOT, params={"ordType": "conditional"})
    assert (listed["id"], listed["stopLossPrice"], listed["amount"]) == (stop["id"], 90000, 0.1), listed
    assert (listed["info"]["tdMode"], listed["info"]["instType"]) == ("cross", "MARGIN"), listed["info"]

    # fetch_order / cancel_order with a clientOrderId name the algoClOrdId.
    got = ex.fetch_order(None, SPOT, {"trigger": True, "clientOrderId": "spotStop1"})
    assert "algoClOrdId=spotStop1" in ex.last_request_url, ex.last_request_url
    assert got["id"] == stop["id"], got
    canceled = ex.cancel_order(None, SPOT, {"trigger": True, "clientOrderId": "spotStop1"})
    assert canceled["id"] == stop["id"] and canceled["info"]["sCode"] == "0", canceled
    assert ex.fetch_open_orders(SPOT, params={"ordType": "conditional"}) == []
    # fetch_canceled_orders sends instType from the market (SPOT): the algo is MARGIN.
    assert ex.fetch_canceled_orders(SPOT, params={"ordType": "conditional"}) == []
    assert "instType=SPOT" in ex.last_request_url, ex.last_request_url
    (gone,) = ex.fetch_canceled_orders(SPOT, params={"ordType": "conditional", "instType": "MARGIN"})
    assert (gone["id"], gone["status"]) == (stop["id"], "canceled"), gone
