#!/usr/bin/env bash
# Installs whatever Atrium's build and tests need and is not yet on this machine. Safe to run
# again: each step checks first. Sourced by run.sh and test.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$root/end2end/node_modules/.bin:$PATH"
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
# Prints how long the step that started at $1 (a $SECONDS value) took.
took() { say "done in $(( (SECONDS - $1) / 60 )) min $(( (SECONDS - $1) % 60 )) s"; }
# The tools are built once per machine. No prebuilt cargo-leptos is reachable from here, so it is
# compiled; building it without its release profile's whole-program LTO and single codegen unit
# shortens that build, and the tool runs just as well (it spends its time waiting on cargo).
fast_install() { CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo install "$@"; }

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing ${need_apt[*]} from Debian"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "0.3.10" ]; then
  say "building cargo-leptos 0.3.10 (once per machine; the longest step of a first run)"
  started=$SECONDS
  fast_install cargo-leptos --version 0.3.10 --locked --features no_downloads
  took "$started"
fi

wbg="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' "$root/Cargo.lock")"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wbg" ]; then
  say "building wasm-bindgen-cli $wbg to match Cargo.lock (once per machine)"
  started=$SECONDS
  fast_install wasm-bindgen-cli --version "$wbg"
  took "$started"
fi

if [ ! -x "$root/end2end/node_modules/.bin/wasm-opt" ] || [ ! -d "$root/end2end/node_modules/@playwright/test" ] \
   || [ "$root/end2end/package-lock.json" -nt "$root/end2end/node_modules/.package-lock.json" ]; then
  say "installing npm packages (Playwright, binaryen)"
  (cd "$root/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
