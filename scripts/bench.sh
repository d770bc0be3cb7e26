#!/usr/bin/env bash
# The benchmark (`make bench`): builds the release shop and the bench
# driver, starts a throwaway PostgreSQL, runs every measurement (see
# bench/src/main.rs) and writes bench/RESULTS.md. Installs what is missing
# first (the test set-up: wrk, Chromium, PostgreSQL; then Lighthouse and
# playwright-core from npm into bench/).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

scripts/setup.sh --test
have wrk || { say "installing wrk"; apt_install wrk; }
if ! (cd bench && npm ls --depth=0 >/dev/null 2>&1); then
  say "installing the browser tools of the benchmark (npm ci in bench/)"
  (cd bench && npm ci --no-audit --no-fund)
fi

say "release build (server and wasm) and the bench driver"
build_release
cargo build --release -p bench

say "starting a throwaway PostgreSQL"
eval "$(scripts/pg.sh start)"
trap 'scripts/pg.sh stop "$PG_TMP"' EXIT

say "benchmarking (a few minutes)"
"$(target_dir)/release/bench" --server "$(target_dir)/release/server" \
  --site "$ROOT/target/site" --out "$ROOT/bench/RESULTS.md"
say "written: bench/RESULTS.md"
