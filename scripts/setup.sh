#!/usr/bin/env bash
# Installs what building, running and testing the shop needs, and skips
# whatever is already there. Safe to run again and again.
#
#   scripts/setup.sh          build and run tools (wasm32, cargo-leptos, ...)
#   scripts/setup.sh --test   also Chromium, PostgreSQL and the end2end packages
set -euo pipefail
source "$(dirname "$0")/lib.sh"

WITH_TEST=
[ "${1:-}" = "--test" ] && WITH_TEST=1

# Quick installs of build tools: no fat LTO, many codegen units. The
# tool's own lock file first; if the registry no longer has a version it
# pins (yanked), resolve afresh within the tool's stated requirements.
fast_install() {
  local env=(env RUSTC="$(newest_rustc)" CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16)
  "${env[@]}" cargo install --locked "$@" || {
    say "cargo install --locked $* failed; trying without the tool's lock file"
    "${env[@]}" cargo install "$@"
  }
}

# 1. The wasm32 target: rustup where it can download, else Debian's rustc-web.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  if ! rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
    if ! { [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src ] && have wasm-ld-22; }; then
      say "installing rustc-web, rust-web-src and lld-22 (wasm32 std from source)"
      apt_install rustc-web rust-web-src lld-22
    fi
  fi
fi

# cargo-leptos 0.3.11 needs rustc >= 1.96: use Debian's rustc-web when it
# is newer than the default one.
newest_rustc() {
  local default; default="$(command -v rustc)"
  if [ -x /usr/bin/rustc ] && [ "$default" != /usr/bin/rustc ]; then
    local a b
    a="$("$default" --version | awk '{print $2}')"
    b="$(/usr/bin/rustc --version | awk '{print $2}')"
    if [ "$(printf '%s\n%s\n' "$a" "$b" | sort -V | tail -1)" = "$b" ] && [ "$a" != "$b" ]; then
      echo /usr/bin/rustc; return
    fi
  fi
  echo "$default"
}

# 2. cargo-leptos, using tools from PATH instead of downloading them.
if ! have cargo-leptos || ! cargo leptos --version 2>/dev/null | grep -q '0.3.11'; then
  say "installing cargo-leptos 0.3.11 (no_downloads); this takes a few minutes"
  fast_install cargo-leptos --version 0.3.11 --features no_downloads
fi

# 3. wasm-bindgen-cli: exactly the version of the wasm-bindgen crate we lock.
WB_VERSION="$(locked_version wasm-bindgen)"
if ! have wasm-bindgen || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$WB_VERSION" ]; then
  say "installing wasm-bindgen-cli $WB_VERSION"
  fast_install wasm-bindgen-cli --version "$WB_VERSION"
fi

# 4. wasm-opt for release builds: binaryen from npm (Debian's is too old).
if ! have wasm-opt || [ "$(wasm-opt --version | grep -oE '[0-9]+' | head -1)" -lt 116 ]; then
  say "installing wasm-opt (binaryen from npm)"
  if [ "$(id -u)" = 0 ]; then npm install -g binaryen >/dev/null
  else npm install -g --prefix "$HOME/.local" binaryen >/dev/null; export PATH="$HOME/.local/bin:$PATH"; fi
fi

[ -n "$WITH_TEST" ] || exit 0

# 5. Browser, database server and the Playwright packages for the tests.
if ! have chromium; then
  say "installing Chromium"
  apt_install chromium
fi
if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  say "installing PostgreSQL"
  apt_install postgresql
fi
if [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ]; then
  say "installing the end2end packages"
  (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
