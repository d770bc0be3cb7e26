#!/usr/bin/env bash
# Load check of a release build: wrk (a separate process, loopback only)
# sends requests across /, /products/:id, /cart, /points and /account, as a
# guest and logged in, on each runtime, and prints requests/s and how many
# requests timed out or failed (both must be 0). Then the same for the
# static files against /healthz. Bounded: SECONDS per run (default 10).
#
#   scripts/load-check.sh [SECONDS]     after the release build (scripts/site.sh)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

secs="${1:-10}"
conns="${LOAD_CONNECTIONS:-64}"
have wrk || { say "installing wrk"; apt_install wrk; }
bin="$(target_dir)/release/server"
[ -x "$bin" ] || { say "no release build: run make run (or build_release in scripts/lib.sh)"; exit 1; }

tmp="$(mktemp -d -t storefront-load.XXXXXX)"
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

cat >"$tmp/pages.lua" <<'LUA'
local paths = {"/", "/products/1", "/cart", "/points", "/account", "/products/7", "/?sort=price_asc"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
LUA

start_server() {
  local threads=$1 port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  DATABASE_URL="sqlite://$tmp/shop-$threads.db" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_OUTPUT_NAME=storefront LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_ENV=PROD RUST_LOG=warn SERVER_THREADS="$threads" "$bin" &
  server=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && return; sleep 0.1; done
  say "the server did not start"; exit 1
}

# A built file's address: release builds put a content hash in the name
# (listed in hash.txt beside the binary).
asset() {
  local hash
  hash="$(awk -v kind="$1:" '$1 == kind { print $2 }' "$(dirname "$bin")/hash.txt" 2>/dev/null)"
  echo "/pkg/storefront${hash:+.$hash}.$1"
}

stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=; }

# wrk's summary as one line: requests/s, p50, p99, timeouts, other errors.
run_wrk() {
  local out
  out="$(wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s --latency "$@")"
  echo "$out" | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    /Socket errors/ { gsub(",", ""); timeouts = $NF; errors = $4 + $6 + $8 }
    /Non-2xx or 3xx/ { bad = $NF }
    END { printf "%10s req/s  p50 %8s  p99 %8s  timeouts %s  errors %s  non-2xx/3xx %s\n",
                 rps, p50, p99, timeouts + 0, errors + 0, bad + 0 }'
}

printf '%s, %s cores, %s connections, %ss per run\n' "$(date -u +%F)" "$(nproc)" "$conns" "$secs"
for threads in 1 "$(nproc)"; do
  start_server "$threads"
  curl -fs -c "$tmp/jar" -H 'content-type: application/json' \
    -d '{"login_id":"loadcheck","password":"correct horse"}' "$base/api/signup" >/dev/null
  # Socks: a product without sizes (the demo shoes and clothes come in sizes).
  curl -fs -b "$tmp/jar" -d 'product_id=5' "$base/api/cart/add" >/dev/null
  cookie="$(awk '$6 == "storefront_session" { print $6 "=" $7 }' "$tmp/jar")"
  label="runtime: $([ "$threads" = 1 ] && echo current-thread || echo "$threads workers")"
  printf '%-28s guest pages    ' "$label"; run_wrk -s "$tmp/pages.lua" "$base"
  printf '%-28s logged-in pages' ""; run_wrk -s "$tmp/pages.lua" -H "Cookie: $cookie" "$base"
  for path in /healthz "$(asset js)" "$(asset css)" "$(asset wasm)"; do
    printf '%-28s %-15s' "" "$path"; run_wrk -H 'Accept-Encoding: br, gzip' "$base$path"
  done
  stop_server
done
