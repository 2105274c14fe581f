"""Helpers shared by the WebSocket compatibility tests (test_ws_*.py).

Every wait is bounded (WAIT_S): a push that never comes fails the test with
the frames that did come, instead of hanging the suite.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from decimal import Decimal

import ccxt.pro

from okx_clients import TIMEOUT_MS, admin

WAIT_S = 20.0  # upper bound of any single wait on the socket


async def within(awaitable, seconds: float = WAIT_S, what: str = "reply"):
    """Await with a deadline; a timeout fails the test (not a hang)."""
    try:
        return await asyncio.wait_for(awaitable, seconds)
    except asyncio.TimeoutError:
        raise AssertionError(f"no {what} within {seconds:.0f} s") from None


# ---------------------------------------------------------------- control API

def freeze_clock(mock) -> int:
    """Stop the exchange clock where it is (market data then stops changing)."""
    return int(admin(mock, "/__admin/clock/freeze")["now"])


def move_market(mock, inst_id: str, px: str, ms: int = 120_000) -> int:
    """Set `inst_id`'s price and move the exchange clock `ms` forward so the
    synthetic tape prints there (1-3 trades a minute); returns the new time."""
    admin(mock, "/__admin/prices", {"instId": inst_id, "px": px})
    return int(admin(mock, "/__admin/clock/advance", {"ms": ms})["now"])


# ---------------------------------------------------------------- ccxt.pro

def make_pro(mock, key=None, **extra) -> ccxt.pro.okx:
    """ccxt.pro okx pointed at the mock (REST on base_url, WS on ws://.../ws/v5).
    Build it inside the running event loop (aiohttp)."""
    config = {"timeout": TIMEOUT_MS, "enableRateLimit": False, **extra}
    if key is not None:
        config.update(apiKey=key.api_key, secret=key.secret, password=key.passphrase)
    ex = ccxt.pro.okx(config)
    ex.urls["api"]["rest"] = mock.base_url
    ex.urls["api"]["ws"] = mock.ws_url
    return ex


class Frames:
    """Frames received on a socket, in order, each decoded from JSON (the
    text `pong` stays a string), with a bounded wait for a particular one."""

    def __init__(self):
        self.frames: list[tuple[str, object]] = []  # (URL path, frame)
        self._changed = asyncio.Event()

    def add(self, frame, path: str = "") -> None:
        self.frames.append((path, frame))
        self._changed.set()

    def add_text(self, text: str) -> None:
        """A raw text frame (python-okx hands its callback the text as received)."""
        self.add(text if text == "pong" else json.loads(text))

    def matching(self, pred) -> list:
        return [m for _, m in self.frames if isinstance(m, dict) and pred(m)]

    async def wait(self, pred, what: str, seconds: float = WAIT_S, start: int = 0):
        """The first frame (from index `start`) for which pred(frame) holds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        seen = start
        while True:
            for _, m in self.frames[seen:]:
                if isinstance(m, dict) and pred(m):
                    return m
            seen = len(self.frames)
            self._changed.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                tail = [json.dumps(m)[:300] for _, m in self.frames[-8:]]
                raise AssertionError(f"no {what} within {seconds:.0f} s; last frames: {tail}")
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass


class Tap(Frames):
    """Records every decoded frame ccxt.pro receives (with the URL path it
    came on) before ccxt handles it. Install before the first watch: ccxt
    binds handle_message when it opens a connection."""

    def __init__(self, ex):
        super().__init__()
        self._orig = ex.handle_message
        ex.handle_message = self._handle

    def _handle(self, client, message):
        self.add(message, client.url.split("/ws/v5", 1)[-1])
        return self._orig(client, message)


def acked(channel: str):
    """Predicate: the subscribe ack of `channel`."""
    return lambda m: m.get("event") == "subscribe" and m.get("arg", {}).get("channel") == channel


def push_of(channel: str):
    """Predicate: a data push of `channel`."""
    return lambda m: "data" in m and m.get("arg", {}).get("channel") == channel


async def armed(ex, coro, seconds: float = WAIT_S):
    """Start a watch_* call as a task and return it once ccxt listens for its
    next message (a new future is registered on one of its connections), so a
    push the test triggers next cannot slip by unseen. ccxt resolves a future
    only if it exists when the push arrives: it does not queue pushes."""

    def pending():
        return {(url, h) for url, c in (ex.clients or {}).items() for h in c.futures}

    before = pending()
    task = asyncio.ensure_future(coro)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not task.done() and not (pending() - before):
        if loop.time() > deadline:
            task.cancel()
            raise AssertionError("the watch call never started listening")
        await asyncio.sleep(0)
    return task


# ---------------------------------------------------------------- order books

def okx_checksum(bids: list, asks: list) -> int:
    """OKX's book checksum: CRC32 of bid0px:bid0sz:ask0px:ask0sz:... over the
    first 25 levels a side (one side continues alone when the other runs
    out), as a signed 32-bit integer. Levels are [px, sz] strings."""
    parts = []
    for i in range(25):
        if i < len(bids):
            parts += bids[i][:2]
        if i < len(asks):
            parts += asks[i][:2]
    crc = zlib.crc32(":".join(parts).encode())
    return crc - (1 << 32) if crc >= (1 << 31) else crc


class RawBook:
    """An order book rebuilt from raw `books` frames, strings kept as sent,
    checking OKX's rules on every frame: snapshot prevSeqId -1, each update's
    prevSeqId equal to the seqId before it, checksum of the merged top 25."""

    def __init__(self):
        self.bids: dict[Decimal, list[str]] = {}
        self.asks: dict[Decimal, list[str]] = {}
        self.seq_id: int | None = None
        self.frames = 0

    def apply(self, frame: dict) -> None:
        (row,) = frame["data"]
        if frame["action"] == "snapshot":
            assert row["prevSeqId"] == -1, row["prevSeqId"]
            self.bids, self.asks = {}, {}
        else:
            assert frame["action"] == "update", frame["action"]
            assert self.seq_id is not None, "an update before any snapshot"
            assert row["prevSeqId"] == self.seq_id, (row["prevSeqId"], self.seq_id)
        for side, levels in ((self.bids, row["bids"]), (self.asks, row["asks"])):
            for level in levels:
                assert len(level) == 4, level
                px, sz = Decimal(level[0]), Decimal(level[1])
                if sz == 0:
                    side.pop(px, None)
                else:
                    side[px] = level[:2]
        assert isinstance(row["seqId"], int) and row["seqId"] >= 0, row["seqId"]
        assert isinstance(row["checksum"], int), row["checksum"]
        assert row["checksum"] == okx_checksum(self.sorted_bids(), self.sorted_asks()), \
            f"checksum of seqId {row['seqId']} does not match the merged book"
        self.seq_id = row["seqId"]
        self.frames += 1

    def sorted_bids(self) -> list[list[str]]:
        return [self.bids[p] for p in sorted(self.bids, reverse=True)]

    def sorted_asks(self) -> list[list[str]]:
        return [self.asks[p] for p in sorted(self.asks)]

    def as_floats(self) -> tuple[list, list]:
        """[[px, sz], ...] as ccxt stores them."""
        f = lambda side: [[float(px), float(sz)] for px, sz in side]  # noqa: E731
        return f(self.sorted_bids()), f(self.sorted_asks())
