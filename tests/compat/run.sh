#!/usr/bin/env bash
# Real-client compatibility suite for okx-mock.
#
# Runs ccxt + python-okx (pytest, tests/compat/python/) and okx-api + ccxt
# (node --test, tests/compat/node/test/) against the okx-mock binary.
#
#   tests/compat/run.sh            # from any directory
#   OKX_MOCK_BIN=/path/to/okx-mock tests/compat/run.sh
#   tests/compat/run.sh --install-only   # only prepare .venv and node_modules
#
# Needs python3 (>= 3.11, for tomllib), pip, node (>= 20) and npm. Dependencies
# come only from PyPI and the npm registry, pinned in requirements.txt and
# node/package-lock.json. The virtualenv (tests/compat/.venv) and node_modules
# are re-created only when those files change (hash markers). This script does
# not build okx-mock: run `cargo build` first.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/../.." && pwd -P)"
VENV="$SCRIPT_DIR/.venv"
NODE_DIR="$SCRIPT_DIR/node"
REQUIREMENTS="$SCRIPT_DIR/requirements.txt"
LOCKFILE="$NODE_DIR/package-lock.json"
VENV_MARKER="$VENV/.okx-mock-requirements.sha256"
NODE_MARKER="$NODE_DIR/node_modules/.okx-mock-package-lock.sha256"

# Upper bounds for each phase, in seconds (applied when `timeout` exists).
INSTALL_TIMEOUT="${OKX_COMPAT_INSTALL_TIMEOUT:-600}"
TEST_TIMEOUT="${OKX_COMPAT_TEST_TIMEOUT:-600}"

INSTALL_ONLY=0
case "${1:-}" in
  "") ;;
  --install-only) INSTALL_ONLY=1 ;;
  -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) printf 'usage: %s [--install-only]\n' "$0" >&2; exit 2 ;;
esac

log() { printf '[compat] %s\n' "$*" >&2; }
die() { printf '[compat] error: %s\n' "$*" >&2; exit 2; }

with_timeout() {
  local secs="$1"; shift
  if command -v timeout >/dev/null 2>&1; then
    timeout --kill-after=10 "$secs" "$@"
  else
    "$@"
  fi
}

# Content hash of the given files plus a tag string (e.g. the interpreter version).
hash_of() {
  local tag="$1"; shift
  python3 - "$tag" "$@" <<'PY'
import hashlib, sys
h = hashlib.sha256(sys.argv[1].encode())
for path in sys.argv[2:]:
    with open(path, "rb") as fh:
        h.update(b"\0" + fh.read())
print(h.hexdigest())
PY
}

command -v python3 >/dev/null 2>&1 || die "python3 not found"
command -v node >/dev/null 2>&1 || die "node not found"
command -v npm >/dev/null 2>&1 || die "npm not found"
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || die "python3 >= 3.11 is required (tomllib); found $(python3 --version 2>&1)"

# ---------------------------------------------------------------- the binary
check_binary() {
  BIN="${OKX_MOCK_BIN:-$REPO_ROOT/target/debug/okx-mock}"
  case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
  if [[ ! -f "$BIN" || ! -x "$BIN" ]]; then
    die "okx-mock binary not found at $BIN
          build it first:  (cd '$REPO_ROOT' && cargo build)
          or point OKX_MOCK_BIN at an existing binary"
  fi
  export OKX_MOCK_BIN="$BIN"
  log "okx-mock binary: $BIN"
}
# Fail fast, before any download, when the binary is missing.
(( INSTALL_ONLY )) || check_binary

# ---------------------------------------------------------------- python venv
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_DEFAULT_TIMEOUT="${PIP_DEFAULT_TIMEOUT:-60}"
want_py="$(hash_of "$(python3 -c 'import sys; print(sys.version)')" "$REQUIREMENTS")"
if [[ ! -x "$VENV/bin/python" || ! -f "$VENV_MARKER" || "$(cat "$VENV_MARKER")" != "$want_py" ]]; then
  log "creating $VENV (requirements.txt changed or venv missing)"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  with_timeout "$INSTALL_TIMEOUT" "$VENV/bin/python" -m pip install --quiet -r "$REQUIREMENTS" </dev/null
  printf '%s\n' "$want_py" >"$VENV_MARKER"
else
  log "python venv up to date"
fi

# ---------------------------------------------------------------- node_modules
want_node="$(hash_of "$(node --version)" "$LOCKFILE" "$NODE_DIR/package.json")"
if [[ ! -d "$NODE_DIR/node_modules" || ! -f "$NODE_MARKER" || "$(cat "$NODE_MARKER")" != "$want_node" ]]; then
  log "running npm ci in $NODE_DIR (package-lock.json changed or node_modules missing)"
  (cd "$NODE_DIR" && with_timeout "$INSTALL_TIMEOUT" npm ci --no-audit --no-fund --loglevel=error </dev/null)
  printf '%s\n' "$want_node" >"$NODE_MARKER"
else
  log "node_modules up to date"
fi

if (( INSTALL_ONLY )); then
  log "dependencies ready"
  exit 0
fi

# ---------------------------------------------------------------- tests
py_rc=0
log "pytest (ccxt $(grep -i '^ccxt==' "$REQUIREMENTS" | cut -d= -f3), python-okx $(grep -i '^python-okx==' "$REQUIREMENTS" | cut -d= -f3))"
(cd "$SCRIPT_DIR" && with_timeout "$TEST_TIMEOUT" "$VENV/bin/python" -m pytest -c "$SCRIPT_DIR/pytest.ini" \
  --rootdir "$SCRIPT_DIR" "$SCRIPT_DIR/python" </dev/null) || py_rc=$?

node_rc=0
log "node --test (okx-api, ccxt)"
shopt -s nullglob
node_tests=("$NODE_DIR"/test/*.test.js)
shopt -u nullglob
if (( ${#node_tests[@]} == 0 )); then
  log "no node tests found in $NODE_DIR/test"; node_rc=1
else
  (cd "$NODE_DIR" && with_timeout "$TEST_TIMEOUT" node --test --test-reporter=spec --test-timeout=60000 "${node_tests[@]}" </dev/null) || node_rc=$?
fi

log "pytest exit status: $py_rc; node --test exit status: $node_rc"
if (( py_rc != 0 || node_rc != 0 )); then
  log "FAILED"
  exit 1
fi
log "all compatibility tests passed"
