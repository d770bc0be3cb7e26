#!/usr/bin/env bash
# Runs a command (e.g. `cargo leptos build`) with a Rust that can build
# wasm32-unknown-unknown: rustup's target where it is installed, else
# Debian's rustc-web, building std from source (see README, "Toolchain").
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  if [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src ] && have wasm-ld-22; then
    export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
      CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
      CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-22
  else
    say "no wasm32 toolchain: run scripts/setup.sh first"
    exit 1
  fi
fi
exec "$@"
