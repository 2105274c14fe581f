#!/usr/bin/env bash
# Runs every test of okx-mock: the Rust unit, integration and doc tests, then
# the real-client compatibility suite (ccxt, python-okx, okx-api) against the
# built binary. The compatibility suite installs its pinned clients itself
# (tests/compat/.venv and tests/compat/node/node_modules) on first run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Builds the binary too: the integration tests start it.
cargo test --locked
OKX_MOCK_BIN="$PWD/target/debug/okx-mock" tests/compat/run.sh
