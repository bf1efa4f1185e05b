#!/usr/bin/env bash
# Benchmarks: (1) 10,000 registrations rushed at one 1,000-seat event on the default SQLite, fired
# from a separate process, with the same server's /healthz throughput for comparison; (2) the
# event page's first-load weight as the server sends it (brotli). Prints the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
count="${COUNT:-10000}"; capacity="${CAPACITY:-1000}"; concurrency="${CONCURRENCY:-100}"; port="${PORT:-3200}"

echo "==> building the release site and the load generator"
cargo leptos build --release >/dev/null
CARGO_TARGET_DIR=target/bench cargo build --release -p server --bin loadbench --quiet

data="$(mktemp -d)"
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$data"' EXIT
target/bench/release/loadbench prepare --database-url "sqlite://$data/atrium.db" --slug rush --capacity "$capacity"
ATRIUM_DEMO=0 ATRIUM_DATA_DIR="$data" LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_ADDR="127.0.0.1:$port" RUST_LOG=warn \
  target/release/server & server_pid=$!
for _ in $(seq 50); do curl -sf "http://localhost:$port/healthz" >/dev/null && break; sleep 0.2; done

echo "==> registration rush"
target/bench/release/loadbench rush --base "http://localhost:$port" --slug rush --count "$count" --concurrency "$concurrency"
sleep 3
echo "emails written to the outbox folder: $(find "$data/outbox" -name '*.eml' | wc -l)"

echo "==> event page first load, as served (Accept-Encoding: br, gzip)"
total=0
page="http://localhost:$port/events/rush"
html="$(curl -s "$page")"
for path in /events/rush $(grep -oE '(href|src)="/[^"]+\.(css|js|wasm|svg)"' <<<"$html" | cut -d'"' -f2 | sort -u); do
  bytes=$(curl -s -H 'Accept-Encoding: br, gzip' -o /dev/null -w '%{size_download}' "http://localhost:$port$path")
  printf '  %-28s %7d bytes\n' "$path" "$bytes"
  total=$((total + bytes))
done
echo "  total                        $total bytes (budget 150000)"
