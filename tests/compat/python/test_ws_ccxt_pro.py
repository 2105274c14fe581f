"""ccxt.pro 4.5.90 (Python, asyncio) against okx-mock's WebSocket API.

ccxt.pro is pointed at the mock with urls['api']['rest'] = http://127.0.0.1:PORT
and urls['api']['ws'] = ws://127.0.0.1:PORT/ws/v5; it appends /public,
/business or /private itself (shared/okx/clients.md sections 2 and 4.4).

What ccxt.pro does here (ccxt/pro/okx.py, checked on the wire):
- watch_* resolve on the next push after the call; a push that arrives while
  no watch_* call is waiting is applied to ccxt's caches but resolves nothing.
  So a test that triggers a push first arms the watch (ws_helpers.armed), and
  waits on the raw frames (ws_helpers.Tap) where it needs a particular one.
- watch_order_book uses the 400-level `books` channel and rejects the book with
  InvalidNonce (and drops the subscription) if an update's prevSeqId is not
  the seqId before it; 4.5.90 no longer checks the checksum, so the test
  rebuilds the book from the raw frames and checks every checksum itself.
- watch_orders / watch_positions log in on /private (timestamp: local unix
  seconds, as a string), wait for the login event, then subscribe with
  instType ANY. The orders channel has no snapshot; positions sends one.
- create_order_ws sends op batch-orders (one element, with clOrdId/tag as on
  REST and instIdCode instead of instId); edit_order_ws amend-order;
  cancel_order_ws cancel-order with instIdCode + ordId. Each resolves with a
  sparse order (id, clientOrderId, info = the reply item). A refused op
  (code "1", msg "" as OKX sends) raises what REST raises (InsufficientFunds
  for 51008, OrderNotFound for 51400): ccxt reads an empty msg as absent and
  maps data[].sCode instead.
- Sandbox mode appends ?brokerId=9999 to every WS URL (the mock ignores it).
- REST fetch_mark_price sends instId without the instType OKX documents as
  required; the tests pass instType themselves.

Market data is compared with REST while the exchange clock is frozen (the
synthetic book changes with every second of exchange time); prices are moved
through the control API and the clock advanced so the tape prints there.
The login is signed with the local clock, so the private tests never move the
exchange clock.

Default world: BTC-USDT last 95000 (best bid 94999.9, ask 95000.1),
BTC-USDT-SWAP 95020 (bid 95019.9, ask 95020.1), live account net_mode.
Every test has a server of its own (`fresh_mock`).
"""

from __future__ import annotations

import asyncio

import ccxt
import pytest

from okx_clients import advance_clock
from ws_helpers import (
    RawBook,
    Tap,
    acked,
    armed,
    freeze_clock,
    make_pro,
    move_market,
    push_of,
    within,
)

SPOT, SWAP = "BTC/USDT", "BTC/USDT:USDT"
BROKER_TAG = "6b9ad766b55dBCDE"  # ccxt's tag and clOrdId prefix
MSG_CANCEL = "Order cancellation failed as the order has been filled, canceled or does not exist."
TEST_TIMEOUT_S = 60


def run(coro) -> None:
    asyncio.run(asyncio.wait_for(coro, TEST_TIMEOUT_S))


def levels(side) -> list[list[float]]:
    return [[float(px), float(sz)] for px, sz, *_ in side]


# ---------------------------------------------------------------- public

def test_watch_ticker_matches_rest(fresh_mock):
    async def main():
        ex = make_pro(fresh_mock)
        tap = Tap(ex)
        try:
            frozen = freeze_clock(fresh_mock)
            ticker = await within(ex.watch_ticker(SPOT), what="ticker push")
            rest = await within(ex.fetch_ticker(SPOT))
            assert ticker["symbol"] == SPOT
            assert ticker["last"] == rest["last"] == 95000
            assert (ticker["bid"], ticker["ask"]) == (rest["bid"], rest["ask"]) == (94999.9, 95000.1)
            # Same instant, same model: the raw objects are identical.
            assert ticker["info"] == rest["info"]
            assert ticker["timestamp"] == rest["timestamp"] == frozen
            for k in ("bidVolume", "askVolume", "open", "high", "low", "baseVolume", "quoteVolume"):
                assert ticker[k] == rest[k], k
            (push,) = tap.matching(push_of("tickers"))
            assert push["arg"] == {"channel": "tickers", "instId": "BTC-USDT"}

            # The price moves: the next push carries the new last, as REST does.
            task = await armed(ex, ex.watch_ticker(SPOT))
            now = move_market(fresh_mock, "BTC-USDT", "90000")
            await tap.wait(lambda m: push_of("tickers")(m) and m["data"][0]["ts"] == str(now),
                           "ticker push at the new exchange time")
            await within(task, what="ticker push after the move")
            ticker = ex.tickers[SPOT]
            rest = await within(ex.fetch_ticker(SPOT))
            assert ticker["last"] == rest["last"] == 90000
            assert (ticker["bid"], ticker["ask"]) == (89999.9, 90000.1)
            assert ticker["info"] == rest["info"]
        finally:
            await ex.close()

    run(main())


def test_watch_order_book_consistent_through_price_moves(fresh_mock):
    async def main():
        ex = make_pro(fresh_mock)
        tap = Tap(ex)
        raw = RawBook()
        try:
            frozen = freeze_clock(fresh_mock)
            ob = await within(ex.watch_order_book(SPOT), what="books snapshot")
            books = tap.matching(push_of("books"))
            assert [f["action"] for f in books] == ["snapshot"], books
            assert books[0]["arg"] == {"channel": "books", "instId": "BTC-USDT"}
            raw.apply(books[0])

            rest = await within(ex.fetch_order_book(SPOT, 400))
            assert levels(ob["bids"]) == levels(rest["bids"])
            assert levels(ob["asks"]) == levels(rest["asks"])
            assert (ob["bids"][0][0], ob["asks"][0][0]) == (94999.9, 95000.1)
            assert len(ob["bids"]) == len(ob["asks"]) == 400
            assert ob["nonce"] == books[0]["data"][0]["seqId"]
            assert ob["timestamp"] == frozen
            assert raw.as_floats() == (levels(ob["bids"]), levels(ob["asks"]))

            async def step(trigger, label: str) -> list[dict]:
                """Arm a watch, trigger a change (returns the new exchange time),
                wait for the update stamped with it; then ccxt's book, the book
                rebuilt from the raw frames (chain and checksum checked on each)
                and REST's 400 levels must all be the same. Returns the new frames."""
                start = len(tap.frames)
                task = await armed(ex, ex.watch_order_book(SPOT))
                now = trigger()
                await tap.wait(lambda m: push_of("books")(m) and m["data"][0]["ts"] == str(now),
                               f"books update at the exchange time after {label}", start=start)
                await within(task, what=f"order book after {label}")  # InvalidNonce would raise here
                new = tap.matching(push_of("books"))[raw.frames:]
                for frame in new:
                    assert frame["action"] == "update", (label, frame["action"])
                    raw.apply(frame)
                ob = ex.orderbooks[SPOT]
                rest = await within(ex.fetch_order_book(SPOT, 400))
                assert levels(ob["bids"]) == levels(rest["bids"]), label
                assert levels(ob["asks"]) == levels(rest["asks"]), label
                assert raw.as_floats() == (levels(ob["bids"]), levels(ob["asks"])), label
                assert ob["nonce"] == raw.seq_id and ob["timestamp"] == now, label
                assert len(ob["bids"]) == len(ob["asks"]) == 400, label
                assert all(a[0] < b[0] for a, b in zip(ob["asks"], ob["asks"][1:])), label
                assert all(a[0] > b[0] for a, b in zip(ob["bids"], ob["bids"][1:])), label
                return new

            for px, bid, ask in (("90000", 89999.9, 90000.1),
                                 ("97000.5", 97000.4, 97000.6),
                                 ("95000", 94999.9, 95000.1)):
                await step(lambda: move_market(fresh_mock, "BTC-USDT", px), f"the move to {px}")
                ob = ex.orderbooks[SPOT]
                assert (ob["bids"][0][0], ob["asks"][0][0]) == (bid, ask), px

            # One second at a steady price: a few levels change and the update
            # carries just those, not the whole book.
            (update,) = await step(lambda: advance_clock(fresh_mock, 1000), "one second")
            changed = len(update["data"][0]["bids"]) + len(update["data"][0]["asks"])
            assert 0 < changed < 800, changed

            assert raw.frames >= 5  # the snapshot and at least one update a step
            client = ex.clients[fresh_mock.ws_url + "/public"]
            assert "books:" + SPOT in client.subscriptions  # ccxt never dropped the book
            assert not client.rejections
        finally:
            await ex.close()

    run(main())


def test_ticker_best_ask_size_matches_the_book(fresh_mock):
    """The ticker's askSz is the size of the book's best ask, whatever depth
    the book is read at (OKX: tickers and books share one order book)."""

    async def main():
        ex = make_pro(fresh_mock)
        try:
            freeze_clock(fresh_mock)
            ob = await within(ex.watch_order_book(SPOT), what="books snapshot")
            ticker = await within(ex.watch_ticker(SPOT), what="ticker push")
            assert [ticker["bid"], ticker["bidVolume"]] == list(ob["bids"][0][:2])
            top5 = await within(ex.fetch_order_book(SPOT, 5))
            top1 = await within(ex.fetch_order_book(SPOT, 1))
            assert levels(top5["bids"]) == levels(ob["bids"][:5])
            assert [ticker["ask"], ticker["askVolume"]] == list(ob["asks"][0][:2])
            assert levels(top1["asks"]) == levels(ob["asks"][:1])
            assert levels(top5["asks"]) == levels(ob["asks"][:5])
        finally:
            await ex.close()

    run(main())


def test_watch_ohlcv_mark_price_and_funding_rate_match_rest(fresh_mock):
    async def main():
        ex = make_pro(fresh_mock)
        tap = Tap(ex)
        try:
            freeze_clock(fresh_mock)
            # Candles live on /business; ccxt routes them there itself.
            candles = await within(ex.watch_ohlcv(SPOT, "1m"), what="candle1m push")
            rest = await within(ex.fetch_ohlcv(SPOT, "1m", limit=3))
            assert candles[-1] == rest[-1], (candles, rest)
            assert candles[-1][1:5] == [95000, 95000, 95000, 95000]
            (path, frame), = [(p, m) for p, m in tap.frames if isinstance(m, dict) and push_of("candle1m")(m)]
            assert path == "/business" and frame["arg"] == {"channel": "candle1m", "instId": "BTC-USDT"}
            (row,) = frame["data"]
            assert len(row) == 9 and all(isinstance(x, str) for x in row) and row[8] == "0", row

            mark = await within(ex.watch_mark_price(SWAP), what="mark-price push")
            # ccxt's fetch_mark_price sends instId alone; OKX documents instType
            # as required there and the mock answers 50014 without it.
            rest = await within(ex.fetch_mark_price(SWAP, {"instType": "SWAP"}))
            assert mark["markPrice"] == rest["markPrice"] == 95020
            assert mark["info"]["markPx"] == rest["info"]["markPx"]

            rate = await within(ex.watch_funding_rate(SWAP), what="funding-rate push")
            rest = await within(ex.fetch_funding_rate(SWAP))
            assert rate["info"] == rest["info"]
            for k in ("fundingRate", "fundingTimestamp", "nextFundingTimestamp", "interestRate"):
                assert rate[k] == rest[k], k
            paths = {p for p, m in tap.frames if isinstance(m, dict) and "data" in m}
            assert paths == {"/business", "/public"}, paths
        finally:
            await ex.close()

    run(main())


def test_watch_trades_match_rest_tape(fresh_mock):
    async def main():
        ex = make_pro(fresh_mock)
        tap = Tap(ex)
        try:
            frozen = freeze_clock(fresh_mock)
            task = asyncio.ensure_future(ex.watch_trades(SPOT))
            await tap.wait(acked("trades"), "trades subscribe ack")
            # No backlog on subscribe: only what prints from now on.
            now = move_market(fresh_mock, "BTC-USDT", "90000")
            trades = await within(task, what="trades push")
            assert trades, trades
            # Everything pushed before the ccxt call returned, in tape order.
            pushed = [t for f in tap.matching(push_of("trades")) for t in f["data"]]
            assert [t["tradeId"] for t in pushed] == [t["id"] for t in trades]
            assert all(frozen < t["timestamp"] <= now for t in trades), (frozen, now, trades)
            assert all(t["price"] == 90000 and t["symbol"] == SPOT for t in trades)
            rest = {t["id"]: t for t in await within(ex.fetch_trades(SPOT, limit=100))}
            for t in trades:
                r = rest[t["id"]]
                assert (t["timestamp"], t["side"], t["price"], t["amount"]) == \
                    (r["timestamp"], r["side"], r["price"], r["amount"]), (t, r)
            # ... and the newest print is REST's last.
            ticker = await within(ex.fetch_ticker(SPOT))
            assert ticker["last"] == 90000 and ticker["info"]["lastSz"] == pushed[-1]["sz"]
        finally:
            await ex.close()

    run(main())


# ---------------------------------------------------------------- private

def test_watch_orders_sees_rest_order_then_its_cancel(fresh_mock):
    async def main():
        ex = make_pro(fresh_mock, fresh_mock.live)
        tap = Tap(ex)
        try:
            await within(ex.load_markets())
            task = asyncio.ensure_future(ex.watch_orders())
            login = await tap.wait(lambda m: m.get("event") == "login", "login event")
            assert (login["code"], login["msg"]) == ("0", ""), login
            ack = await tap.wait(acked("orders"), "orders subscribe ack")
            assert ack["arg"] == {"channel": "orders", "instType": "ANY"}, ack

            placed = await within(ex.create_order(SPOT, "limit", "buy", 0.01, 50000))
            pushed = await within(task, what="orders push of the new order")
            (order,) = [o for o in pushed if o["id"] == placed["id"]]
            assert order["status"] == "open" and order["info"]["state"] == "live"
            assert order["clientOrderId"] == placed["clientOrderId"]
            assert order["clientOrderId"].startswith(BROKER_TAG)
            assert (order["symbol"], order["type"], order["side"]) == (SPOT, "limit", "buy")
            assert (order["price"], order["amount"], order["filled"], order["remaining"]) == (50000, 0.01, 0, 0.01)
            rest = await within(ex.fetch_order(placed["id"], SPOT))
            assert rest["status"] == "open"
            assert order["timestamp"] == rest["timestamp"]
            # The push carries every field of the REST order, with the same values.
            assert {k: order["info"].get(k) for k in rest["info"]} == rest["info"]
            (frame,) = tap.matching(push_of("orders"))
            assert frame["arg"]["instType"] == "ANY" and frame["arg"]["uid"], frame["arg"]

            task = await armed(ex, ex.watch_orders())
            canceled = await within(ex.cancel_order(placed["id"], SPOT))
            assert canceled["id"] == placed["id"]
            pushed = await within(task, what="orders push of the cancel")
            (order,) = [o for o in pushed if o["id"] == placed["id"]]
            assert order["status"] == "canceled" and order["info"]["state"] == "canceled"
            assert order["filled"] == 0
            rest = await within(ex.fetch_order(placed["id"], SPOT))
            assert rest["status"] == "canceled"
            assert {k: order["info"].get(k) for k in rest["info"]} == rest["info"]
        finally:
            await ex.close()

    run(main())


def test_watch_positions_sees_rest_market_order(fresh_mock):
    async def main():
        ex = make_pro(fresh_mock, fresh_mock.live)
        tap = Tap(ex)
        try:
            await within(ex.load_markets())
            task = asyncio.ensure_future(ex.watch_positions())
            await tap.wait(acked("positions"), "positions subscribe ack")
            # OKX sends a snapshot on subscribe: no positions yet.
            snapshot = await tap.wait(push_of("positions"), "positions snapshot")
            assert snapshot["eventType"] == "snapshot" and snapshot["data"] == [], snapshot
            assert await within(task) == []

            task = await armed(ex, ex.watch_positions())
            order = await within(ex.create_order(SWAP, "market", "buy", 1))
            pushed = await within(task, what="positions push after the fill")
            (pos,) = [p for p in pushed if p["symbol"] == SWAP and p["contracts"]]
            assert (pos["side"], pos["contracts"], pos["entryPrice"]) == ("long", 1, 95020.1)
            assert pos["marginMode"] == "cross" and pos["info"]["posSide"] == "net"

            filled = await within(ex.fetch_order(order["id"], SWAP))
            assert filled["status"] == "closed" and filled["average"] == 95020.1
            (rest,) = await within(ex.fetch_positions([SWAP]))
            assert pos["id"] == rest["id"] and pos["id"]
            assert pos["info"] == rest["info"]
            frame = tap.matching(push_of("positions"))[-1]
            assert frame["eventType"] == "event_update", frame
        finally:
            await ex.close()

    run(main())


def test_watch_balance_follows_rest_order(fresh_mock, world):
    acct = next(a for a in world["accounts"] if a["env"] == "live" and a["name"] == "main")
    usdt0 = float(acct["balances"]["USDT"])

    async def main():
        ex = make_pro(fresh_mock, fresh_mock.live)
        tap = Tap(ex)
        try:
            await within(ex.load_markets())
            task = asyncio.ensure_future(ex.watch_balance())
            await tap.wait(acked("account"), "account subscribe ack")
            snapshot = await tap.wait(push_of("account"), "account snapshot")
            assert snapshot.get("eventType") == "snapshot", snapshot
            bal = await within(task, what="balance from the snapshot")
            rest = await within(ex.fetch_balance())
            assert bal["USDT"]["total"] == usdt0 and bal["USDT"]["used"] == 0
            for ccy in ("USDT", "BTC", "ETH"):
                assert bal[ccy] == rest[ccy], ccy

            # A resting buy of 0.01 at 50000 holds 500 USDT.
            task = await armed(ex, ex.watch_balance())
            await within(ex.create_order(SPOT, "limit", "buy", 0.01, 50000))
            bal = await within(task, what="balance push after the order")
            assert (bal["USDT"]["free"], bal["USDT"]["used"], bal["USDT"]["total"]) == \
                (usdt0 - 500, 500, usdt0)
            rest = await within(ex.fetch_balance())
            assert bal["USDT"] == rest["USDT"]
        finally:
            await ex.close()

    run(main())


def test_demo_and_live_sockets_are_separate_worlds(fresh_mock):
    """ccxt sandbox mode (demo key) appends ?brokerId=9999 to the WS URLs; the
    demo account's orders reach the demo socket only, the live ones the live
    socket only."""

    async def main():
        demo = make_pro(fresh_mock, fresh_mock.demo)
        demo.set_sandbox_mode(True)  # replaces urls['api']: override again after it
        demo.urls["api"]["rest"] = fresh_mock.base_url
        demo.urls["api"]["ws"] = fresh_mock.ws_url
        live = make_pro(fresh_mock, fresh_mock.live)
        demo_tap, live_tap = Tap(demo), Tap(live)
        try:
            await within(demo.load_markets())
            await within(live.load_markets())
            demo_task = asyncio.ensure_future(demo.watch_orders())
            live_task = asyncio.ensure_future(live.watch_orders())
            await demo_tap.wait(acked("orders"), "demo orders subscribe ack")
            await live_tap.wait(acked("orders"), "live orders subscribe ack")
            assert fresh_mock.ws_url + "/private?brokerId=9999" in demo.clients, list(demo.clients)

            placed = await within(demo.create_order_ws(SPOT, "limit", "buy", 0.01, 50000))
            pushed = await within(demo_task, what="demo orders push")
            assert [o["id"] for o in pushed] == [placed["id"]]
            got = await within(demo.fetch_order(placed["id"], SPOT))
            assert got["status"] == "open" and got["clientOrderId"] == placed["clientOrderId"]

            # A live order after it: the first (and only) order the live socket
            # sees is the live one.
            live_order = await within(live.create_order(SPOT, "limit", "buy", 0.01, 49000))
            pushed = await within(live_task, what="live orders push")
            assert [o["id"] for o in pushed] == [live_order["id"]]
            assert [o["id"] for o in await within(live.fetch_open_orders(SPOT))] == [live_order["id"]]
            assert [o["id"] for o in await within(demo.fetch_open_orders(SPOT))] == [placed["id"]]
            assert all(placed["id"] not in str(m) for _, m in live_tap.frames)
        finally:
            await demo.close()
            await live.close()

    run(main())


def test_create_edit_cancel_order_ws(fresh_mock):
    async def main():
        ex = make_pro(fresh_mock, fresh_mock.live)
        tap = Tap(ex)
        try:
            await within(ex.load_markets())
            placed = await within(ex.create_order_ws(SPOT, "limit", "buy", 0.01, 50000), what="batch-orders reply")
            assert placed["id"] and placed["clientOrderId"].startswith(BROKER_TAG), placed
            (reply,) = tap.matching(lambda m: m.get("op") == "batch-orders")
            assert (reply["code"], reply["msg"]) == ("0", ""), reply
            assert reply["id"].isdigit()  # ccxt's request id, echoed
            assert isinstance(reply["inTime"], str) and isinstance(reply["outTime"], str)
            (item,) = reply["data"]
            assert (item["sCode"], item["ordId"], item["clOrdId"], item["tag"]) == \
                ("0", placed["id"], placed["clientOrderId"], BROKER_TAG), item

            rest = await within(ex.fetch_order(placed["id"], SPOT))
            assert rest["id"] == placed["id"] and rest["clientOrderId"] == placed["clientOrderId"]
            assert rest["status"] == "open" and rest["info"]["tdMode"] == "cash"
            assert (rest["symbol"], rest["type"], rest["side"], rest["price"], rest["amount"]) == \
                (SPOT, "limit", "buy", 50000, 0.01)

            edited = await within(ex.edit_order_ws(placed["id"], SPOT, "limit", "buy", 0.02, 49000),
                                  what="amend-order reply")
            assert edited["id"] == placed["id"]
            rest = await within(ex.fetch_order(placed["id"], SPOT))
            assert (rest["status"], rest["price"], rest["amount"]) == ("open", 49000, 0.02)

            canceled = await within(ex.cancel_order_ws(placed["id"], SPOT), what="cancel-order reply")
            assert canceled["id"] == placed["id"]
            (reply,) = tap.matching(lambda m: m.get("op") == "cancel-order")
            assert reply["code"] == "0" and reply["data"][0]["sCode"] == "0", reply
            rest = await within(ex.fetch_order(placed["id"], SPOT))
            assert rest["status"] == "canceled" and rest["filled"] == 0
            assert await within(ex.fetch_open_orders(SPOT)) == []
        finally:
            await ex.close()

    run(main())


def test_order_ws_rejections(fresh_mock):
    """Refusals come back as the reply to the request id: code "1", msg "",
    the item's sCode/sMsg/subCode as on REST. ccxt.pro raises what it raises
    on REST (InsufficientFunds, OrderNotFound) with the reply as message; the
    socket stays usable."""

    async def main():
        ex = make_pro(fresh_mock, fresh_mock.live)
        tap = Tap(ex)
        try:
            await within(ex.load_markets())
            with pytest.raises(ccxt.InsufficientFunds) as err:
                await within(ex.create_order_ws(SPOT, "limit", "buy", 1000, 50000))  # 50M USDT
            (reply,) = tap.matching(lambda m: m.get("op") == "batch-orders")
            assert reply["id"] in str(err.value)
            assert (reply["code"], reply["msg"]) == ("1", ""), reply
            (item,) = reply["data"]
            assert (item["sCode"], item["subCode"], item["ordId"]) == ("51008", "1000", ""), item
            assert item["sMsg"] == "Order failed. Insufficient USDT balance in account", item

            with pytest.raises(ccxt.OrderNotFound):
                await within(ex.cancel_order_ws("123", SPOT))
            (reply,) = tap.matching(lambda m: m.get("op") == "cancel-order")
            assert reply["code"] == "1", reply
            (item,) = reply["data"]
            assert (item["sCode"], item["ordId"]) == ("51400", "123"), item
            assert item["sMsg"] == MSG_CANCEL, item

            # The connection and login survive: op "order" (instead of ccxt's
            # default batch-orders) goes through on the same socket.
            placed = await within(ex.create_order_ws(SPOT, "limit", "buy", 0.01, 50000, {"op": "order"}))
            (reply,) = tap.matching(lambda m: m.get("op") == "order")
            assert reply["code"] == "0" and reply["data"][0]["ordId"] == placed["id"], reply
            assert (await within(ex.fetch_order(placed["id"], SPOT)))["status"] == "open"
            assert len(tap.matching(lambda m: m.get("event") == "login")) == 1
        finally:
            await ex.close()

    run(main())
