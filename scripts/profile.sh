#!/usr/bin/env bash
# The home page's and a checkout's profile (`make profile`): builds the
# release shop and the bench driver, then samples the server with perf
# while wrk asks for `/` (a guest, then a shopper) and places orders (the
# flash sale, on SQLite and PostgreSQL), counts the statements of one
# order, and writes flamegraphs and the shares to bench/profile/. Installs what is missing first: wrk and perf (Debian),
# inferno (crates.io).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

scripts/setup.sh --test
have wrk || { say "installing wrk"; apt_install wrk; }
have perf || { say "installing perf"; apt_install linux-perf; }
if ! have inferno-flamegraph || ! have inferno-collapse-perf; then
  say "installing inferno (flamegraphs) from crates.io"
  cargo install --locked inferno
fi

say "release build (server and wasm) and the bench driver"
build_release
cargo build --release -p bench

say "starting a throwaway PostgreSQL"
eval "$(scripts/pg.sh start)"
trap 'scripts/pg.sh stop "$PG_TMP"' EXIT

say "profiling the home page and a checkout (a few minutes)"
"$(target_dir)/release/bench" --server "$(target_dir)/release/server" \
  --site "$ROOT/target/site" --profile "$ROOT/bench/profile"
say "written: bench/profile/"
