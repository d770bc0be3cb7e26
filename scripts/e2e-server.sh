#!/usr/bin/env bash
# Serves the release build for the Playwright tests on the port given
# (default 3100), with a fresh database: SQLite in a temporary folder, or
# with `postgres` as the second argument a new database on the throwaway
# PostgreSQL of TEST_POSTGRES_URL (scripts/pg.sh). What a test needs to run
# the server's commands against the same database (the admin test's
# `server staff grant`) is written to target/e2e/<port>.json.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

port="${1:-3100}"
backend="${2:-sqlite}"
target="$(target_dir)"
dir="$(mktemp -d -t storefront-e2e.XXXXXX)"
trap 'rm -rf "$dir"' EXIT

cd "$ROOT"
case "$backend" in
  sqlite) export DATABASE_URL="sqlite://$dir/shop.db" ;;
  postgres) DATABASE_URL="$(scripts/pg.sh createdb "e2e_${port}_$$")"; export DATABASE_URL ;;
  *) echo "usage: $0 [PORT] [sqlite|postgres]" >&2; exit 2 ;;
esac
export LEPTOS_SITE_ADDR="127.0.0.1:$port"
export LEPTOS_SITE_ROOT="$ROOT/target/site"  # site-root in Cargo.toml
export LEPTOS_OUTPUT_NAME=storefront
export LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_ENV=PROD
export RUST_LOG="${RUST_LOG:-warn}"
mkdir -p "$target/e2e"
info="$target/e2e/$port.json"
printf '{"database_url": "%s", "server": "%s"}\n' "$DATABASE_URL" "$target/release/server" >"$info"
# Not exec: the trap must still remove the database when the server stops.
"$target/release/server" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$dir" "$info"' EXIT INT TERM
wait "$server"
