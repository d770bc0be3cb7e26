#!/usr/bin/env bash
# Runs a command (e.g. the wasm's `cargo build` in scripts/site.sh) with the Rust
# that builds the shop's wasm: Debian's rustc-web, building std from source
# so that panics abort at once and carry neither messages nor locations
# (about a fifth off the wasm). The server and the tests keep the default
# toolchain (see README, "Toolchain notes").
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if ! { [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ] && have wasm-ld-22; }; then
  say "no wasm32 toolchain (rustc-web, rust-web-src, lld-22): run scripts/setup.sh first"
  exit 1
fi
export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
  CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-22 \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none"
exec "$@"
