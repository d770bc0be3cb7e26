#!/usr/bin/env bash
# Every test of the shop: formatting and lints (ssr and hydrate), the Rust
# tests on SQLite and on a throwaway PostgreSQL, then, against a release
# build, schemathesis on the JSON API (both backends) and the Playwright
# suite in Chromium (in Korean on SQLite, in English on PostgreSQL; the
# payment tests against the KakaoPay sandbox, scripts/kakaopay-sandbox).
# Installs what is missing first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

scripts/setup.sh --test

say "cargo fmt --check"
cargo fmt --all -- --check

say "clippy (ssr)"
cargo clippy --workspace --all-targets --features app/ssr -- -D warnings
say "clippy (hydrate)"
cargo clippy -p app --all-targets --features hydrate -- -D warnings

say "the KakaoPay sandbox's own tests (node --test)"
slog="$(mktemp -t storefront-sandbox.XXXXXX)"
(cd scripts/kakaopay-sandbox && node --test) 2>&1 | tee "$slog"
sandbox_passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$slog")
rm -f "$slog"

say "starting a throwaway PostgreSQL"
eval "$(scripts/pg.sh start)"
trap 'scripts/pg.sh stop "$PG_TMP"' EXIT

log="$(mktemp -t storefront-test.XXXXXX)"
say "Rust tests (SQLite and PostgreSQL)"
cargo test --workspace --features app/ssr 2>&1 | tee "$log"
rust_passed=$(grep -E '^test result:' "$log" | awk '{s += $4} END {print s + 0}')
rust_failed=$(grep -E '^test result:' "$log" | awk '{s += $6} END {print s + 0}')

say "release build (server and wasm)"
build_release

say "API fuzzing with schemathesis (release build, SQLite and PostgreSQL)"
scripts/api-fuzz.sh
scripts/api-fuzz.sh "$(scripts/pg.sh createdb api_fuzz)"

say "Playwright (Chromium, release build; Korean on SQLite, English on PostgreSQL)"
# Two free ports for the two servers (Korean and English), whatever else
# listens on this machine.
E2E_PORT="${E2E_PORT:-$(free_port_pair)}"
# And two for the servers that charge through the KakaoPay sandbox.
if [ -z "${E2E_PAY_PORT:-}" ]; then
  E2E_PAY_PORT="$(free_port_pair)"
  while [ "$E2E_PAY_PORT" -ge $((E2E_PORT - 1)) ] && [ "$E2E_PAY_PORT" -le $((E2E_PORT + 1)) ]; do
    E2E_PAY_PORT="$(free_port_pair)"
  done
fi
export E2E_PORT E2E_PAY_PORT
say "Playwright servers on 127.0.0.1:$E2E_PORT, :$((E2E_PORT + 1)) (demo points), :$E2E_PAY_PORT, :$((E2E_PAY_PORT + 1)) (KakaoPay sandbox)"
(cd end2end && npx playwright test) 2>&1 | tee "$log"
e2e_passed=$(grep -oE '^\s+[0-9]+ passed' "$log" | awk '{s += $1} END {print s + 0}')
rm -f "$log"

echo "$((rust_passed + ${sandbox_passed:-0} + e2e_passed)) passed, $rust_failed failed"
