#!/usr/bin/env bash
# Runs every test: formatting, the domain's unit and property tests, the server's integration
# tests against SQLite and a local PostgreSQL, and the browser tests in Chromium with JavaScript
# on and off. Sets up this machine first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
log="$(mktemp)"
trap 'scripts/pg.sh destroy; rm -f "$log"' EXIT
# A one-off build gains nothing from incremental caches, which would double the disk it takes.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

echo "==> cargo fmt --check, clippy (server and browser builds)"
cargo fmt --all --check
cargo clippy -p app -p server -p graphsim --all-targets --features app/ssr --quiet -- -D warnings
cargo clippy -p frontend -p app --target wasm32-unknown-unknown --quiet -- -D warnings

echo "==> starting PostgreSQL for the tests"
ATRIUM_TEST_POSTGRES_URL="$(scripts/pg.sh start)"
export ATRIUM_TEST_POSTGRES_URL

echo "==> Rust tests (domain, store and API on SQLite and PostgreSQL, pages)"
cargo test -p app --features ssr 2>&1 | tee -a "$log"
cargo test -p server 2>&1 | tee -a "$log"

echo "==> building the release site and the Microsoft simulator for the browser tests"
cargo leptos build --release --precompress --split
cargo build -p graphsim

echo "==> browser tests (Chromium, JavaScript on and off, and Microsoft mode against the simulator)"
(cd end2end && npx playwright test) 2>&1 | tee -a "$log"

passed=$(grep -oE 'test result: ok\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
e2e=$(grep -oE '^\s*[0-9]+ passed' "$log" | awk '{s+=$1} END {print s+0}')
echo "all tests: $((passed + e2e)) passed, 0 failed"
