#!/usr/bin/env bash
# Serves the release build for the Playwright tests on the port given
# (default 3100), with a fresh database: SQLite in a temporary folder, or
# with `postgres` as the second argument a new database on the throwaway
# PostgreSQL of TEST_POSTGRES_URL (scripts/pg.sh). What a test needs to run
# the server's commands against the same database (the admin test's
# `server staff grant`) is written to target/e2e/<port>.json. Beside it runs
# a real OpenID Connect provider (scripts/oidc-provider, on a free port),
# configured as the shop's provider `testid` ("Test ID"). With `kakaopay`
# as the third argument, points are charged through the KakaoPay sandbox
# (scripts/kakaopay-sandbox, on a free port; its address is in the same
# file, for the tests' fault switches).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

port="${1:-3100}"
backend="${2:-sqlite}"
payments="${3:-demo}"
target="$(target_dir)"
dir="$(mktemp -d -t storefront-e2e.XXXXXX)"
trap 'rm -rf "$dir"' EXIT

cd "$ROOT"
case "$backend" in
  sqlite) export DATABASE_URL="sqlite://$dir/shop.db" ;;
  postgres) DATABASE_URL="$(scripts/pg.sh createdb "e2e_${port}_$$")"; export DATABASE_URL ;;
  *) echo "usage: $0 [PORT] [sqlite|postgres] [demo|kakaopay]" >&2; exit 2 ;;
esac
# The test provider first, so that the shop discovers it as it starts.
secret="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
(cd scripts/oidc-provider && exec node provider.mjs --port 0 --client-id storefront \
   --client-secret "$secret" --callback /auth/testid/callback >"$dir/provider.json" 2>"$dir/provider.log") &
provider=$!
trap 'kill "$provider" 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do [ -s "$dir/provider.json" ] && break; sleep 0.1; done
issuer="$(sed -n 's/.*"issuer":"\([^"]*\)".*/\1/p' "$dir/provider.json")"
[ -n "$issuer" ] || { cat "$dir/provider.log" >&2; echo "the test provider did not start" >&2; exit 1; }
export OIDC_PROVIDERS=testid OIDC_TESTID_ISSUER="$issuer" OIDC_TESTID_CLIENT_ID=storefront \
  OIDC_TESTID_CLIENT_SECRET="$secret" OIDC_TESTID_LABEL="Test ID"
sandbox_pid=""
kakaopay_base=""
case "$payments" in
  demo) ;;
  kakaopay)
    key="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
    (cd scripts/kakaopay-sandbox && exec node sandbox.mjs --port 0 --secret-key "$key" \
       >"$dir/sandbox.json" 2>"$dir/sandbox.log") &
    sandbox_pid=$!
    trap 'kill "$provider" "$sandbox_pid" 2>/dev/null; rm -rf "$dir"' EXIT
    for _ in $(seq 100); do [ -s "$dir/sandbox.json" ] && break; sleep 0.1; done
    kakaopay_base="$(sed -n 's/.*"base":"\([^"]*\)".*/\1/p' "$dir/sandbox.json")"
    [ -n "$kakaopay_base" ] || { cat "$dir/sandbox.log" >&2; echo "the KakaoPay sandbox did not start" >&2; exit 1; }
    export PAYMENTS=kakaopay KAKAOPAY_SECRET_KEY="$key" KAKAOPAY_API_BASE="$kakaopay_base"
    ;;
  *) echo "usage: $0 [PORT] [sqlite|postgres] [demo|kakaopay]" >&2; exit 2 ;;
esac
export LEPTOS_SITE_ADDR="127.0.0.1:$port"
export LEPTOS_SITE_ROOT="$ROOT/target/site"  # site-root in Cargo.toml
export LEPTOS_OUTPUT_NAME=storefront
export LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_ENV=PROD
export RUST_LOG="${RUST_LOG:-warn}"
mkdir -p "$target/e2e"
info="$target/e2e/$port.json"
printf '{"database_url": "%s", "server": "%s", "kakaopay": "%s"}\n' "$DATABASE_URL" \
  "$target/release/server" "$kakaopay_base" >"$info"
# Not exec: the trap must still remove the database when the server stops.
"$target/release/server" &
server=$!
trap 'kill "$server" "$provider" $sandbox_pid 2>/dev/null; wait "$server" "$provider" $sandbox_pid 2>/dev/null; rm -rf "$dir" "$info"' EXIT INT TERM
wait "$server"
