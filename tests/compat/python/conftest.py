"""Shared fixtures for the okx-mock real-client compatibility suite.

One okx-mock process is started per pytest session (`okx-mock --port 0`); its
first stdout line announces the URL. The API keys and the expected world come
from scenarios/default.toml, the same file the mock embeds as its default
world, so nothing here hard-codes a key or an instrument list.

The trading engine keeps orders, balances and positions for the life of a
process, so the trading tests do not use that shared server: `fresh_mock` gives
a test a server of its own, and `mock_with_world(extra_toml)` one that serves
default.toml plus extra TOML (more [[accounts]] / [[keys]]) via `--world`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_SCENARIO = REPO_ROOT / "scenarios" / "default.toml"
START_TIMEOUT_S = 20.0
LISTEN_RE = re.compile(r"^okx-mock listening on (http://127\.0\.0\.1:(\d+))$")
# Banner lines of a mock started with --tls-port (they follow the listen line).
TLS_RE = re.compile(r"^TLS: (https://localhost:(\d+)) and wss://", re.M)
CERT_RE = re.compile(r"^certificate: (.+)$", re.M)


@dataclasses.dataclass(frozen=True)
class ApiKey:
    label: str
    env: str  # "live" | "demo"
    api_key: str
    secret: str
    passphrase: str
    perms: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Mock:
    base_url: str
    live: ApiKey
    demo: ApiKey
    world: dict  # the parsed scenario file
    # Only for a mock started with --tls-port (see spawn_mock / tls_mock):
    tls_base_url: str | None = None  # https://localhost:PORT
    tls_cert: Path | None = None  # the PEM clients must trust (SSL_CERT_FILE)

    @property
    def ws_url(self) -> str:
        """ws://127.0.0.1:PORT/ws/v5 (ccxt.pro appends /public, /business, /private)."""
        return "ws" + self.base_url[len("http"):] + "/ws/v5"

    @property
    def wss_url(self) -> str:
        """wss://localhost:TLSPORT/ws/v5 (python-okx needs wss://)."""
        assert self.tls_base_url, "this mock was started without --tls-port"
        return "wss" + self.tls_base_url[len("https"):] + "/ws/v5"


def mock_binary() -> Path:
    override = os.environ.get("OKX_MOCK_BIN")
    return Path(override) if override else REPO_ROOT / "target" / "debug" / "okx-mock"


def load_world() -> dict:
    with DEFAULT_SCENARIO.open("rb") as fh:
        return tomllib.load(fh)


def _key(world: dict, env: str) -> ApiKey:
    keys = [k for k in world.get("keys", []) if k.get("env") == env]
    assert keys, f"{DEFAULT_SCENARIO} has no [[keys]] entry with env = {env!r}"
    k = keys[0]
    return ApiKey(
        label=k["label"],
        env=k["env"],
        api_key=k["apiKey"],
        secret=k["secretKey"],
        passphrase=k["passphrase"],
        perms=tuple(k.get("perms", ())),
    )


def _read_log(path: Path, limit: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-limit:]
    except OSError:
        return "<unreadable>"


@pytest.fixture(scope="session")
def world() -> dict:
    return load_world()


def check_binary() -> Path:
    binary = mock_binary()
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.exit(
            f"okx-mock binary not found or not executable at {binary} "
            "(build it with `cargo build`, or set OKX_MOCK_BIN)",
            returncode=2,
        )
    return binary


@contextlib.contextmanager
def spawn_mock(world: dict, world_file: Path | None = None, extra_args: tuple[str, ...] = ()):
    """Start one okx-mock process (`--port 0`, optionally `--world FILE`, then
    `extra_args`) and yield a Mock for it; the process is stopped on exit.
    `world` is the parsed world the process serves (keys are read from it)."""
    binary = check_binary()
    logdir = Path(tempfile.mkdtemp(prefix="okx-mock-compat-py-"))
    out_path, err_path = logdir / "stdout.log", logdir / "stderr.log"
    # Files, not pipes: the mock can write as much as it likes without ever blocking.
    out_fh, err_fh = out_path.open("wb"), err_path.open("wb")
    args = [str(binary), "--port", "0"]
    if world_file is not None:
        args += ["--world", str(world_file)]
    args += list(extra_args)
    proc = subprocess.Popen(
        args,
        stdin=subprocess.DEVNULL,
        stdout=out_fh,
        stderr=err_fh,
        cwd=REPO_ROOT,
    )
    try:
        base_url = None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            data = out_path.read_bytes()
            if b"\n" in data:
                first = data.split(b"\n", 1)[0].decode(errors="replace").rstrip("\r")
                m = LISTEN_RE.match(first)
                if not m:
                    raise RuntimeError(
                        f"okx-mock's first stdout line is {first!r}, expected "
                        "'okx-mock listening on http://127.0.0.1:PORT'"
                    )
                base_url = m.group(1)
                break
            if proc.poll() is not None:
                raise RuntimeError(
                    f"okx-mock exited with status {proc.returncode} before announcing its port.\n"
                    f"stdout:\n{_read_log(out_path)}\nstderr:\n{_read_log(err_path)}"
                )
            time.sleep(0.02)
        if base_url is None:
            raise RuntimeError(
                f"okx-mock did not print its listen line within {START_TIMEOUT_S:.0f} s.\n"
                f"stdout:\n{_read_log(out_path)}\nstderr:\n{_read_log(err_path)}"
            )
        tls_base_url = tls_cert = None
        if "--tls-port" in extra_args:
            # The TLS listener and its certificate are announced later in the banner.
            while True:
                text = out_path.read_bytes().decode(errors="replace")
                tls, cert = TLS_RE.search(text), CERT_RE.search(text)
                if tls and cert:
                    tls_base_url, tls_cert = tls.group(1), Path(cert.group(1).strip())
                    break
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "okx-mock started with --tls-port did not announce its TLS listener "
                        f"and certificate.\nstdout:\n{_read_log(out_path)}\nstderr:\n{_read_log(err_path)}"
                    )
                time.sleep(0.02)
        print(f"\n[compat] okx-mock at {base_url} (logs in {logdir})", file=sys.stderr)
        yield Mock(base_url=base_url, live=_key(world, "live"), demo=_key(world, "demo"), world=world,
                   tls_base_url=tls_base_url, tls_cert=tls_cert)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        out_fh.close()
        err_fh.close()


@pytest.fixture(scope="session")
def mock(world: dict) -> Mock:
    """The shared server of the read-mostly tests (one per pytest session)."""
    with spawn_mock(world) as m:
        yield m


# ---------------------------------------------------------------- trading servers
# The trading engine keeps state (orders, balances, positions, position mode) for
# the life of a process, so trading tests get servers of their own.


@pytest.fixture
def fresh_mock(world: dict) -> Mock:
    """A new okx-mock with the default world, for one test."""
    with spawn_mock(world) as m:
        yield m


@pytest.fixture
def mock_with_world(world: dict, tmp_path: Path):
    """Factory: start an okx-mock serving default.toml plus `extra_toml` (appended
    TOML text, e.g. more [[accounts]] and [[keys]]). Returns a Mock; the process
    stops when the test ends."""
    stack = contextlib.ExitStack()

    def start(extra_toml: str) -> Mock:
        path = tmp_path / f"world-{len(list(tmp_path.glob('world-*.toml')))}.toml"
        text = DEFAULT_SCENARIO.read_text() + "\n" + extra_toml
        path.write_text(text)
        parsed = tomllib.loads(text)
        return stack.enter_context(spawn_mock(parsed, path))

    with stack:
        yield start


@pytest.fixture
def tls_mock(world: dict, tmp_path: Path) -> Mock:
    """A new okx-mock with the default world and a TLS listener (HTTPS + WSS on a
    port the OS picks, self-signed certificate for localhost written to
    tmp_path/cert.pem): `tls_base_url` and `tls_cert` are set."""
    args = ("--tls-port", "0", "--tls-cert-out", str(tmp_path / "cert.pem"))
    with spawn_mock(world, extra_args=args) as m:
        assert m.tls_cert is not None and m.tls_cert.is_file(), m.tls_cert
        yield m
