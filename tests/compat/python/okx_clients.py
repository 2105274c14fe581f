"""Client factories shared by the test modules."""

from __future__ import annotations

import ccxt

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
