"""python-okx 0.4.4 WebSocket clients (okx.websocket.WsPublicAsync /
WsPrivateAsync, on websockets 17.4) against okx-mock's WebSocket API.

What python-okx does here (okx/websocket/*.py, checked on the wire):
- It only speaks wss://: WebSocketFactory always passes an SSL context
  (ssl.create_default_context() plus certifi's bundle), which websockets
  refuses for ws://. So each test starts the mock with a TLS listener
  (`tls_mock`) and trusts its self-signed certificate through SSL_CERT_FILE,
  set before the client builds its context. The certificate is for
  localhost, hence wss://localhost:TLSPORT/ws/v5/....
- A failed connect is only logged: start() then leaves `websocket` None and
  the consume task dies on it, so the tests check the socket first.
- Callbacks get each frame's raw text; nothing is parsed or matched by id.
- WsPrivateAsync.subscribe() sends the login (timestamp a JSON integer of
  local unix seconds, JSON with spaces), sleeps 5 s without reading the
  reply, then subscribes. Passing useServerTime (even False) only warns
  DeprecationWarning. Trading ops (place_order, amend_order, cancel_order,
  batch_cancel_orders) send {"op", "args", "id"} with the args as given: here
  instId, not instIdCode.

The REST side uses python-okx's MarketAPI / TradeAPI with flag='0' (live) on
the plain http:// URL. Market data is compared while the exchange clock is
frozen; the private test never moves the clock (the login is signed with
local time).
"""

from __future__ import annotations

import asyncio

import okx.MarketData as MarketData
import okx.Trade as Trade
import pytest
from okx.websocket.WsPrivateAsync import WsPrivateAsync
from okx.websocket.WsPublicAsync import WsPublicAsync

from ws_helpers import Frames, RawBook, acked, freeze_clock, move_market, push_of, within

# httpx 0.28 warns about python-okx's `data=<json text>` on every POST; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes/text content:DeprecationWarning")

LIVE = "0"
TEST_TIMEOUT_S = 60


def run(coro) -> None:
    asyncio.run(asyncio.wait_for(coro, TEST_TIMEOUT_S))


def ok(r: dict) -> list:
    assert (r.get("code"), r.get("msg")) == ("0", ""), r
    return r["data"]


def book_rows(levels: list) -> list[list[str]]:
    return [lvl[:2] for lvl in levels]


async def started(ws):
    """start() and check python-okx really connected (it only logs a failure)."""
    consumer = await within(ws.start(), what="WebSocket connection")
    assert ws.websocket is not None, "python-okx could not connect (see its log)"
    return consumer


async def stopped(ws, consumer) -> None:
    """Close and let the consume loop end. Whether the server completes the
    closing handshake is test_stop_closes_cleanly's business, so a loop that
    ends on ConnectionClosedError is not this test's failure."""
    await within(ws.stop(), what="close")
    await within(asyncio.gather(consumer, return_exceptions=True), what="end of the consume loop")


def test_public_tickers_and_books_over_wss(tls_mock, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_mock.tls_cert))
    market = MarketData.MarketAPI(flag=LIVE, domain=tls_mock.base_url)

    async def main():
        frames = Frames()
        ws = WsPublicAsync(url=tls_mock.wss_url + "/public")
        consumer = await started(ws)
        try:
            frozen = freeze_clock(tls_mock)
            args = [{"channel": "tickers", "instId": "BTC-USDT"}, {"channel": "books", "instId": "BTC-USDT"}]
            await within(ws.subscribe(args, callback=frames.add_text))
            for arg in args:  # one ack per arg, echoing it
                ack = await frames.wait(acked(arg["channel"]), f"{arg['channel']} subscribe ack")
                assert ack["arg"] == arg and ack["connId"], ack

            push = await frames.wait(push_of("tickers"), "tickers push")
            assert push["arg"] == args[0]
            (tick,) = push["data"]
            (rest,) = ok(market.get_ticker(instId="BTC-USDT"))
            assert tick["last"] == rest["last"] == "95000"
            assert (tick["bidPx"], tick["askPx"]) == ("94999.9", "95000.1")
            assert tick["ts"] == rest["ts"] == str(frozen)
            assert tick == rest  # same instant: the same object

            raw = RawBook()
            snapshot = await frames.wait(push_of("books"), "books snapshot")
            assert snapshot["action"] == "snapshot" and snapshot["arg"] == args[1]
            raw.apply(snapshot)  # checks prevSeqId -1 and the checksum
            (book,) = ok(market.get_orderbook(instId="BTC-USDT", sz="400"))
            assert raw.sorted_bids() == book_rows(book["bids"])
            assert raw.sorted_asks() == book_rows(book["asks"])

            # The price moves: a ticker with the new last, and a books update
            # chained to the snapshot that leaves the same book as REST's.
            start = len(frames.frames)
            now = move_market(tls_mock, "BTC-USDT", "90000")
            at_now = lambda ch: lambda m: push_of(ch)(m) and m["data"][0]["ts"] == str(now)  # noqa: E731
            push = await frames.wait(at_now("tickers"), "tickers push after the move", start=start)
            await frames.wait(at_now("books"), "books update after the move", start=start)
            (tick,) = push["data"]
            (rest,) = ok(market.get_ticker(instId="BTC-USDT"))
            assert tick["last"] == rest["last"] == "90000"
            assert tick == rest
            updates = frames.matching(push_of("books"))[1:]
            assert updates and all(u["action"] == "update" for u in updates)
            for update in updates:
                raw.apply(update)
            (book,) = ok(market.get_orderbook(instId="BTC-USDT", sz="400"))
            assert raw.sorted_bids() == book_rows(book["bids"])
            assert raw.sorted_asks() == book_rows(book["asks"])
            assert (raw.sorted_bids()[0][0], raw.sorted_asks()[0][0]) == ("89999.9", "90000.1")
        finally:
            await stopped(ws, consumer)

    run(main())
    market.close()


def test_private_orders_channel_and_trading_ops_over_wss(tls_mock, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_mock.tls_cert))
    key = tls_mock.live
    trade = Trade.TradeAPI(key.api_key, key.secret, key.passphrase, flag=LIVE, domain=tls_mock.base_url)

    def rest_order(ord_id: str) -> dict:
        (row,) = ok(trade.get_order(instId="BTC-USDT", ordId=ord_id))
        return row

    async def main():
        frames = Frames()
        with pytest.warns(DeprecationWarning, match="useServerTime"):
            ws = WsPrivateAsync(apiKey=key.api_key, passphrase=key.passphrase, secretKey=key.secret,
                                url=tls_mock.wss_url + "/private", useServerTime=False)
        consumer = await started(ws)

        def order_push(ord_id: str, state: str):
            return lambda m: push_of("orders")(m) and any(
                o["ordId"] == ord_id and o["state"] == state for o in m["data"])

        async def pushed(ord_id: str, state: str, what: str) -> dict:
            frame = await frames.wait(order_push(ord_id, state), what)
            assert frame["arg"]["channel"] == "orders" and frame["arg"]["instType"] == "ANY"
            assert frame["arg"]["uid"], frame["arg"]
            (o,) = [o for o in frame["data"] if o["ordId"] == ord_id and o["state"] == state]
            return o

        async def op_reply(op: str, req_id: str) -> dict:
            reply = await frames.wait(lambda m: m.get("op") == op and m.get("id") == req_id, f"{op} reply")
            assert (reply["code"], reply["msg"]) == ("0", ""), reply
            assert isinstance(reply["inTime"], str) and isinstance(reply["outTime"], str), reply
            (item,) = reply["data"]
            assert item["sCode"] == "0", item
            return item

        try:
            # login, 5 s of sleep inside python-okx, then the subscribe.
            await within(ws.subscribe([{"channel": "orders", "instType": "ANY"}], callback=frames.add_text),
                         what="python-okx subscribe (with its 5 s sleep)")
            login = await frames.wait(lambda m: m.get("event") == "login", "login event")
            assert (login["code"], login["msg"]) == ("0", ""), login
            ack = await frames.wait(acked("orders"), "orders subscribe ack")
            assert ack["arg"] == {"channel": "orders", "instType": "ANY"}, ack
            assert not frames.matching(lambda m: m.get("event") == "error")

            # An order placed over REST is pushed with the same ordId and fields.
            (placed,) = ok(trade.place_order(instId="BTC-USDT", tdMode="cash", side="buy", ordType="limit",
                                             sz="0.01", px="50000", clOrdId="pyokxrest1"))
            assert placed["sCode"] == "0", placed
            rest_id = placed["ordId"]
            o = await pushed(rest_id, "live", "orders push of the REST order")
            assert (o["clOrdId"], o["instId"], o["px"], o["sz"], o["side"]) == \
                ("pyokxrest1", "BTC-USDT", "50000", "0.01", "buy"), o
            rest = rest_order(rest_id)
            assert {k: o.get(k) for k in rest} == rest

            # Trading over the socket, instId as python-okx users pass it.
            await ws.place_order([{"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit",
                                   "px": "49000", "sz": "0.01", "clOrdId": "pyokxws1"}], id="42")
            item = await op_reply("order", "42")
            ws_id = item["ordId"]
            assert ws_id and ws_id != rest_id and item["clOrdId"] == "pyokxws1", item
            o = await pushed(ws_id, "live", "orders push of the WS order")
            rest = rest_order(ws_id)
            assert (rest["state"], rest["px"], rest["clOrdId"]) == ("live", "49000", "pyokxws1")
            assert {k: o.get(k) for k in rest} == rest

            start = len(frames.frames)
            await ws.amend_order([{"instId": "BTC-USDT", "ordId": ws_id, "newPx": "48000"}], id="43")
            item = await op_reply("amend-order", "43")
            assert item["ordId"] == ws_id, item
            frame = await frames.wait(lambda m: order_push(ws_id, "live")(m) and m["data"][0]["px"] == "48000",
                                      "orders push of the amend", start=start)
            assert frame["data"][0]["amendResult"] == "0", frame
            assert rest_order(ws_id)["px"] == "48000"

            await ws.cancel_order([{"instId": "BTC-USDT", "ordId": rest_id}], id="44")
            item = await op_reply("cancel-order", "44")
            assert item["ordId"] == rest_id, item
            o = await pushed(rest_id, "canceled", "orders push of the cancel")
            assert rest_order(rest_id)["state"] == "canceled"

            await ws.batch_cancel_orders([{"instId": "BTC-USDT", "clOrdId": "pyokxws1"}], id="45")
            item = await op_reply("batch-cancel-orders", "45")
            assert (item["ordId"], item["clOrdId"]) == (ws_id, "pyokxws1"), item
            await pushed(ws_id, "canceled", "orders push of the batch cancel")
            assert rest_order(ws_id)["state"] == "canceled"
            assert ok(trade.get_order_list(instType="SPOT")) == []
        finally:
            await stopped(ws, consumer)

    run(main())
    trade.close()


def test_stop_closes_cleanly(tls_mock, monkeypatch):
    """stop() sends a close frame (1000); the server must answer it with its
    own close frame (RFC 6455 5.5.1), so websockets reports a clean close and
    python-okx's consume loop ends quietly. Without the answer, websockets
    raises ConnectionClosedError ("sent 1000 (OK); no close frame received",
    close code 1006), which python-okx logs as an ERROR and hands its
    callback as {"event": "error", "code": "ConnClosed", ...}."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_mock.tls_cert))

    async def main():
        frames = Frames()
        ws = WsPublicAsync(url=tls_mock.wss_url + "/public")
        consumer = await started(ws)
        arg = {"channel": "tickers", "instId": "BTC-USDT"}
        await within(ws.subscribe([arg], callback=frames.add_text))
        await frames.wait(push_of("tickers"), "tickers push")
        socket = ws.websocket
        await within(ws.stop(), what="close")
        # The consume loop ends without an exception on a clean close.
        await within(consumer, what="end of the consume loop")
        assert (socket.close_code, socket.close_reason) == (1000, ""), socket.close_code
        assert socket.protocol.close_rcvd is not None, "the server sent no close frame"
        assert not frames.matching(lambda m: m.get("event") == "error"), frames.frames

    run(main())


def test_combined_url_serves_public_channels_private_channels_and_ops(tls_mock, monkeypatch):
    """wss://.../ws/v5 (no suffix) takes every channel and op on one
    connection: a ticker, the orders channel after login, and an order op."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_mock.tls_cert))
    key = tls_mock.live
    trade = Trade.TradeAPI(key.api_key, key.secret, key.passphrase, flag=LIVE, domain=tls_mock.base_url)

    async def main():
        frames = Frames()
        ws = WsPrivateAsync(apiKey=key.api_key, passphrase=key.passphrase, secretKey=key.secret,
                            url=tls_mock.wss_url)
        consumer = await started(ws)
        try:
            args = [{"channel": "tickers", "instId": "BTC-USDT"}, {"channel": "orders", "instType": "SPOT"}]
            await within(ws.subscribe(args, callback=frames.add_text), what="python-okx subscribe (5 s sleep)")
            login = await frames.wait(lambda m: m.get("event") == "login", "login event")
            assert login["code"] == "0", login
            for arg in args:
                ack = await frames.wait(acked(arg["channel"]), f"{arg['channel']} subscribe ack")
                assert ack["arg"] == arg, ack
            push = await frames.wait(push_of("tickers"), "tickers push")
            assert push["data"][0]["instId"] == "BTC-USDT" and push["data"][0]["last"] == "95000"

            await ws.place_order([{"instId": "BTC-USDT", "tdMode": "cash", "side": "sell", "ordType": "limit",
                                   "px": "120000", "sz": "0.01"}], id="7")
            reply = await frames.wait(lambda m: m.get("op") == "order" and m.get("id") == "7", "order reply")
            assert reply["code"] == "0", reply
            ord_id = reply["data"][0]["ordId"]
            frame = await frames.wait(lambda m: push_of("orders")(m) and m["data"][0]["ordId"] == ord_id,
                                      "orders push of the WS order")
            assert frame["arg"]["instType"] == "SPOT"
            o = frame["data"][0]
            assert (o["state"], o["side"], o["px"], o["sz"], o["instType"]) == ("live", "sell", "120000", "0.01", "SPOT")
            (rest,) = ok(trade.get_order(instId="BTC-USDT", ordId=ord_id))
            assert {k: o.get(k) for k in rest} == rest
            assert not frames.matching(lambda m: m.get("event") == "error")
        finally:
            await stopped(ws, consumer)

    run(main())
    trade.close()
