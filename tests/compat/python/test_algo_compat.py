"""Algo orders (TP/SL, trigger) through python-okx 0.4.4 and ccxt.

Triggers here watch the mark price, which follows a price set through the
control API at once, so no test moves the exchange clock past the 30 s
signature window.
"""

from __future__ import annotations

import okx.Trade as Trade
import pytest

from okx_clients import admin, make_okx

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes/text content:DeprecationWarning")

SWAP = "BTC-USDT-SWAP"


def trade_api(mock, key):
    return Trade.TradeAPI(api_key=key.api_key, api_secret_key=key.secret, passphrase=key.passphrase,
                          flag="0", domain=mock.base_url)


def set_price(mock, inst_id, px):
    admin(mock, "/__admin/prices", {"instId": inst_id, "px": px})


def test_python_okx_stop_loss_fires_and_closes_the_position(fresh_mock):
    trade = trade_api(fresh_mock, fresh_mock.live)
    opened = trade.place_order(instId=SWAP, tdMode="cross", side="buy", ordType="market", sz="1")
    assert opened["code"] == "0", opened

    wrong = trade.place_algo_order(instId=SWAP, tdMode="cross", side="sell", ordType="conditional", sz="1",
                                   tpTriggerPx="94000", tpOrdPx="-1")
    assert wrong["code"] == "1", wrong
    assert (wrong["data"][0]["sCode"], wrong["data"][0]["sMsg"]) == \
        ("51279", "TP trigger price cannot be lower than the last price."), wrong

    placed = trade.place_algo_order(instId=SWAP, tdMode="cross", side="sell", ordType="conditional", sz="1",
                                    slTriggerPx="94000", slOrdPx="-1", slTriggerPxType="mark", algoClOrdId="stop1")
    assert placed["code"] == "0", placed
    algo_id = placed["data"][0]["algoId"]
    pending = trade.order_algos_list(ordType="conditional")
    assert [a["algoId"] for a in pending["data"]] == [algo_id], pending
    assert pending["data"][0]["slTriggerPxType"] == "mark"

    set_price(fresh_mock, SWAP, "93900")
    done = trade.order_algos_history(ordType="conditional", state="effective")
    assert [a["algoId"] for a in done["data"]] == [algo_id], done
    fired = done["data"][0]
    assert (fired["actualSide"], fired["algoClOrdId"]) == ("sl", "stop1"), fired
    order = trade.get_order(instId=SWAP, ordId=fired["ordId"])["data"][0]
    assert (order["state"], order["side"], order["algoId"]) == ("filled", "sell", algo_id), order
    trade.close()


def test_python_okx_cancels_a_trigger_order_once(fresh_mock):
    trade = trade_api(fresh_mock, fresh_mock.live)
    placed = trade.place_algo_order(instId="ETH-USDT", tdMode="cash", side="buy", ordType="trigger", sz="0.1",
                                    triggerPx="3300", orderPx="-1")
    assert placed["code"] == "0", placed
    algo_id = placed["data"][0]["algoId"]
    first = trade.cancel_algo_order([{"instId": "ETH-USDT", "algoId": algo_id}])
    assert (first["code"], first["data"][0]["sCode"]) == ("0", "0"), first
    again = trade.cancel_algo_order([{"instId": "ETH-USDT", "algoId": algo_id}])
    assert (again["code"], again["data"][0]["sCode"]) == ("1", "51400"), again
    canceled = trade.order_algos_history(ordType="trigger", state="canceled")
    assert [a["algoId"] for a in canceled["data"]] == [algo_id], canceled
    trade.close()


def test_ccxt_trigger_and_stop_orders_go_through_order_algo(fresh_mock):
    ex = make_okx(fresh_mock, fresh_mock.live)
    ex.load_markets()
    trigger = ex.create_order("ETH/USDT", "limit", "buy", 0.1, 3310, {"triggerPrice": 3300})
    open_triggers = ex.fetch_open_orders("ETH/USDT", params={"trigger": True})
    assert [o["id"] for o in open_triggers] == [trigger["id"]], open_triggers
    assert open_triggers[0]["triggerPrice"] == 3300
    ex.cancel_order(trigger["id"], "ETH/USDT", {"trigger": True})
    assert ex.fetch_open_orders("ETH/USDT", params={"trigger": True}) == []

    ex.create_order("BTC/USDT:USDT", "market", "buy", 1)
    stop = ex.create_order("BTC/USDT:USDT", "market", "sell", 1, None,
                           {"stopLossPrice": 94000, "reduceOnly": True})
    fetched = ex.fetch_order(stop["id"], "BTC/USDT:USDT", {"trigger": True})
    assert (fetched["status"], fetched["stopLossPrice"]) == ("open", 94000), fetched


def test_ccxt_stop_loss_and_take_profit_attach_to_the_order(fresh_mock):
    ex = make_okx(fresh_mock, fresh_mock.live)
    ex.load_markets()
    order = ex.create_order("BTC/USDT:USDT", "limit", "buy", 1, 95100,
                            {"stopLoss": {"triggerPrice": 93000}, "takeProfit": {"triggerPrice": 97000}})
    fetched = ex.fetch_order(order["id"], "BTC/USDT:USDT")
    assert fetched["status"] == "closed", fetched
    attached = fetched["info"]["attachAlgoOrds"][0]
    assert (attached["slTriggerPx"], attached["tpTriggerPx"]) == ("93000", "97000"), attached
    protecting = ex.fetch_open_orders("BTC/USDT:USDT", params={"ordType": "oco"})
    assert len(protecting) == 1 and protecting[0]["side"] == "sell", protecting

    wrong = None
    try:
        ex.create_order("BTC/USDT:USDT", "limit", "buy", 1, 94000, {"takeProfit": {"triggerPrice": 93000}})
    except Exception as error:  # noqa: BLE001 - ccxt maps 51046 to a subclass of ExchangeError
        wrong = error
    assert wrong is not None and "51046" in str(wrong), wrong
