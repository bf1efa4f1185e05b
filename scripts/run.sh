#!/usr/bin/env bash
# Sets up this machine if needed, builds Atrium, and runs it at http://localhost:3000 on SQLite
# with demo content. Data lives in ./data (delete it for a fresh start).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
echo "==> building Atrium (release)"
cargo leptos build --release --precompress --split
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
export ATRIUM_DATA_DIR="${ATRIUM_DATA_DIR:-data}"
# The local demo: sample events and the demo organizer (never seeded beside real accounts or on https).
export ATRIUM_DEMO="${ATRIUM_DEMO:-1}"
echo "==> Atrium is starting at http://localhost:${LEPTOS_SITE_ADDR##*:} (Ctrl-C stops it)"
exec target/release/server
