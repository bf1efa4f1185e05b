#!/usr/bin/env bash
# Benchmarks: (1) 10,000 registrations rushed at one 1,000-seat event on the default SQLite, fired
# from a separate process, with the same server's /healthz throughput for comparison; (2) the
# event page's first-load weight as the server sends it (brotli); (3) Microsoft mode: a rush at an
# event linked to a Teams webinar (the Microsoft simulator standing in for Graph), with the Graph
# requests it took per registration and how long Teams took to have everyone; (4) appointments:
# the slots endpoint for a month at 5, 10 and 20 staff (100 booked appointments each), and a booking
# rush at one business with a double-booking check. Prints the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
count="${COUNT:-10000}"; capacity="${CAPACITY:-1000}"; concurrency="${CONCURRENCY:-100}"; port="${PORT:-3200}"

echo "==> building the release site and the load generator"
cargo leptos build --release --precompress --split >/dev/null
CARGO_TARGET_DIR=target/bench cargo build --release -p server -p graphsim --bin loadbench --bin bookbench --bin graphsim --quiet

# Data on tmpfs where there is one: 10,000 email files per run otherwise measure the file
# system's inode allocator (ext4 slows down after many recent deletions) more than Atrium.
tmp_root=/tmp; [ -d /dev/shm ] && [ -w /dev/shm ] && tmp_root=/dev/shm
data="$(mktemp -d -p "$tmp_root")"
data2="$(mktemp -d -p "$tmp_root")"; server_pid=""; teams_pid=""; sim_pid=""
data3="$(mktemp -d -p "$tmp_root")"; book_pid=""
trap 'kill $server_pid $teams_pid $sim_pid $book_pid 2>/dev/null || true; rm -rf "$data" "$data2" "$data3"' EXIT
target/bench/release/loadbench prepare --database-url "sqlite://$data/atrium.db" --slug rush --capacity "$capacity"
# Each simulated attendee comes from its own address: loadbench sends X-Forwarded-For, and the
# server trusts it from the loopback "proxy", so the per-address registration limit applies per
# attendee (as behind a real reverse proxy) rather than to the load generator as a whole.
echo "==> trusting X-Forwarded-For from 127.0.0.1 (ATRIUM_TRUSTED_PROXIES): each registration comes from its own address"
ATRIUM_TRUSTED_PROXIES=127.0.0.1 ATRIUM_DEMO=0 ATRIUM_DATA_DIR="$data" LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_ADDR="127.0.0.1:$port" RUST_LOG=warn \
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

echo "==> Microsoft mode: registration rush at an event linked to a Teams webinar"
kill "$server_pid" 2>/dev/null || true
sim_port=$((port + 801)); teams_port=$((port + 2)); teams_count="${TEAMS_COUNT:-2000}"
target/bench/release/graphsim "127.0.0.1:$sim_port" >/dev/null & sim_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$sim_port/_sim/state" >/dev/null && break; sleep 0.2; done
webinar="$(curl -s -X POST "http://127.0.0.1:$sim_port/_sim/webinars" | sed -E 's/.*"id":"([^"]+)".*/\1/')"
target/bench/release/loadbench prepare --database-url "sqlite://$data2/atrium.db" --slug teams --capacity "$capacity" --teams-webinar "$webinar"
ATRIUM_TRUSTED_PROXIES=127.0.0.1 ATRIUM_DEMO=0 ATRIUM_DATA_DIR="$data2" LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_ADDR="127.0.0.1:$teams_port" RUST_LOG=warn \
ATRIUM_GRAPH_TENANT_ID=11111111-2222-3333-4444-555555555555 ATRIUM_GRAPH_CLIENT_ID=sim-client \
ATRIUM_GRAPH_CLIENT_SECRET=sim-secret-value ATRIUM_GRAPH_BASE_URL="http://127.0.0.1:$sim_port" \
ATRIUM_LOGIN_BASE_URL="http://127.0.0.1:$sim_port" ATRIUM_SECRET_KEY=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY= \
  target/release/server & teams_pid=$!
for _ in $(seq 50); do curl -sf "http://localhost:$teams_port/healthz" >/dev/null && break; sleep 0.2; done
before="$(curl -s "http://127.0.0.1:$sim_port/_sim/counts")"
start=$(date +%s.%N)
target/bench/release/loadbench rush --base "http://localhost:$teams_port" --slug teams --count "$teams_count" --concurrency "$concurrency"
confirmed=$(( teams_count < capacity ? teams_count : capacity ))
in_teams=0
for _ in $(seq 600); do
  state="$(curl -s "http://127.0.0.1:$sim_port/_sim/counts")"
  in_teams=$(python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["registrations"].get(sys.argv[1], 0))' "$webinar" <<<"$state")
  [ "$in_teams" -ge "$confirmed" ] && break
  sleep 0.1
done
done_at=$(date +%s.%N)
python3 - "$before" "$state" "$in_teams" "$confirmed" "$start" "$done_at" <<'PY'
import json, sys
before, after = json.loads(sys.argv[1]), json.loads(sys.argv[2])
in_teams, confirmed = int(sys.argv[3]), int(sys.argv[4])
start, done = float(sys.argv[5]), float(sys.argv[6])
graph = after["graphRequests"] - before["graphRequests"]
batches = after["batchRequests"] - before["batchRequests"]
tokens = after["tokenRequests"] - before["tokenRequests"]
print(f"  confirmed registrations in Teams: {in_teams} of {confirmed}, {done - start:.1f} s after the rush began")
print(f"  Graph requests: {graph} ($batch: {batches}), token requests: {tokens}")
print(f"  Graph requests per registration: {graph / max(in_teams, 1):.3f} (target: at most one, off the request path)")
PY

echo "==> appointments: the slots endpoint for a month, and a booking rush"
kill "$teams_pid" "$sim_pid" 2>/dev/null || true
book_port=$((port + 3))
for staff in 5 10 20; do
  target/bench/release/bookbench prepare --database-url "sqlite://$data3/atrium.db" --slug "bench-$staff" --staff "$staff" --appointments $((staff * 100))
done
ATRIUM_TRUSTED_PROXIES=127.0.0.1 ATRIUM_DEMO=0 ATRIUM_DATA_DIR="$data3" LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_ADDR="127.0.0.1:$book_port" RUST_LOG=warn \
  target/release/server & book_pid=$!
for _ in $(seq 50); do curl -sf "http://localhost:$book_port/healthz" >/dev/null && break; sleep 0.2; done
for staff in 5 10 20; do
  printf '  %2d staff, %4d appointments: ' "$staff" $((staff * 100))
  target/bench/release/bookbench slots --base "http://localhost:$book_port" --slug "bench-$staff" --requests "${SLOT_REQUESTS:-200}"
done
target/bench/release/bookbench rush --base "http://localhost:$book_port" --slug bench-20 --count "${BOOKINGS:-2000}" --concurrency "${BOOK_CONCURRENCY:-50}"
