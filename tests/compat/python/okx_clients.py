"""Client factories shared by the test modules."""

from __future__ import annotations

import datetime
import json
import time
import urllib.request

import ccxt
import okx.utils

TIMEOUT_MS = 10_000


def make_okx(mock, key=None, *, secret=None, sandbox=False, **extra):
    config = {"timeout": TIMEOUT_MS, "enableRateLimit": False, **extra}
    if key is not None:
        config.update(apiKey=key.api_key, secret=secret or key.secret, password=key.passphrase)
    ex = ccxt.okx(config)
    if sandbox:
        # set_sandbox_mode replaces urls['api'] with urls['test']: it must come first.
        ex.set_sandbox_mode(True)
    ex.urls["api"]["rest"] = mock.base_url
    return ex


# ---------------------------------------------------------------- control API
# okx-mock's control API (/__admin/...) lives on the same port as the OKX API
# and speaks plain JSON; no token unless the mock was started with --admin-token.

def admin(mock, path: str, body: dict | None = None, method: str = "POST"):
    """Call the control API and return the decoded JSON reply (HTTP 200 only)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(mock.base_url + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=TIMEOUT_MS / 1000) as resp:
        assert resp.status == 200, (path, resp.status)
        return json.loads(resp.read())


def advance_clock(mock, ms: int) -> int:
    """Move the exchange clock forward by `ms`; returns the exchange time after it.

    Signed requests carry the client's wall-clock timestamp, which the mock checks
    against the exchange clock (30 s window, 50102): after an advance beyond that,
    a client has to sync its clock the way it would against OKX (ccxt:
    load_time_difference(); python-okx: see ExchangeTime in the funding tests)."""
    reply = admin(mock, "/__admin/clock/advance", {"ms": ms})
    return int(reply["now"])


class ExchangeTime:
    """Makes python-okx sign with the exchange's time (wall clock + offset)."""

    def __init__(self, monkeypatch):
        self.offset_ms = 0
        monkeypatch.setattr(okx.utils, "get_timestamp", self.timestamp)

    def timestamp(self) -> str:
        ms = int(time.time() * 1000) + self.offset_ms
        t = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"

    def advance(self, mock, ms: int) -> None:
        now = advance_clock(mock, ms)
        self.offset_ms = now - int(time.time() * 1000)
