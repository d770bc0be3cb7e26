#!/usr/bin/env bash
# Builds the shop in release mode and serves it on 127.0.0.1:3000 with the
# embedded SQLite database (./storefront.db) and the demo catalog. The
# server's build needs nothing but cargo, so it starts at once and goes on
# while the tools the wasm needs are installed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

server_log="$(mktemp -t storefront-server-build.XXXXXX)"
say "building the server (release) in the background ($server_log)"
build_release --server >"$server_log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT

scripts/setup.sh
say "building the site (release)"
build_release --front
say "waiting for the server's build"
if ! wait "$server_pid"; then
  cat "$server_log" >&2
  say "the server's build failed (above)"
  exit 1
fi
trap - EXIT
rm -f "$server_log"
say "serving on http://${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_OUTPUT_NAME=storefront LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD
exec "$(target_dir)/release/server"
