#!/usr/bin/env bash
# Installs what building, running and testing the shop needs, and skips
# whatever is already there. Safe to run again and again, and safe to stop
# half-way: every step checks the finished result, never a leftover.
#
#   scripts/setup.sh                the build tools (wasm32, wasm-bindgen, ...)
#   scripts/setup.sh --test         also Chromium, PostgreSQL, the end2end packages
#                                   and the test OpenID Connect provider
#   scripts/setup.sh --cargo-leptos also cargo-leptos, for `cargo leptos watch`
#                                   (the builds of `make run` and `make test`
#                                   do without it: scripts/site.sh)
#
# Machines differ in their Rust toolchains (see README, "Toolchain notes"):
# each tool is built with a compiler that meets its minimum rustc, chosen
# among every compiler present; the wasm is built with Debian's rustc-web.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

WITH_TEST= WITH_CARGO_LEPTOS=
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TEST=1 ;;
    --cargo-leptos) WITH_CARGO_LEPTOS=1 ;;
    *) say "usage: scripts/setup.sh [--test] [--cargo-leptos]"; exit 2 ;;
  esac
done

# The tools and the oldest rustc each builds with (their locked
# dependencies' rust-version; a fresh resolve would need newer).
CARGO_LEPTOS_VERSION=0.3.11
CARGO_LEPTOS_MIN_RUSTC=1.96

# Every rustc on this machine, one path a line: rustup's toolchains, the
# default on PATH, and Debian's /usr/bin/rustc.
rustc_candidates() {
  if have rustup; then
    rustup toolchain list 2>/dev/null | awk '{print $1}' | while read -r tc; do
      rustup which --toolchain "$tc" rustc 2>/dev/null || true
    done
  fi
  command -v rustc || true
  [ -x /usr/bin/rustc ] && echo /usr/bin/rustc
  return 0
}

rustc_version() { "$1" --version 2>/dev/null | awk '{print $2}' | sed 's/-.*//'; }
version_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$2" ]; }

# The oldest rustc present that is at least $1 (the least surprising one).
find_rustc() {
  local min=$1 best= bestv= r v
  while read -r r; do
    [ -n "$r" ] || continue
    v="$(rustc_version "$r")" || continue
    [ -n "$v" ] && version_ge "$v" "$min" || continue
    if [ -z "$best" ] || version_ge "$bestv" "$v"; then best=$r; bestv=$v; fi
  done < <(rustc_candidates | sort -u)
  [ -n "$best" ] && echo "$best"
}

# A rustc that is at least $1: one present, else Debian's rustc-web.
rustc_at_least() {
  local r
  if r="$(find_rustc "$1")"; then echo "$r"; return; fi
  say "no rustc >= $1 here: installing Debian's rustc-web"
  apt_install rustc-web >&2
  r="$(find_rustc "$1")" || { say "rustc-web is older than $1 too; install a rustc >= $1"; exit 1; }
  echo "$r"
}

# Tools are built quickly: no LTO, many codegen units, no debug info. The
# tool's own lock file first; if the registry no longer has a version it
# pins (yanked), resolve afresh within the tool's stated requirements.
# `cargo install` puts the binary in place only when the build succeeded.
install_tool() {
  local rustc=$1; shift
  say "building $1 with $("$rustc" --version)"
  local env=(env RUSTC="$rustc" CARGO_PROFILE_RELEASE_LTO=false
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=0)
  "${env[@]}" cargo install --locked "$@" || {
    say "cargo install --locked $* failed; trying without the tool's lock file"
    "${env[@]}" cargo install "$@"
  }
}

# 1. wasm-bindgen-cli: exactly the version of the wasm-bindgen crate we
#    lock. The longest step (minutes of compiling), so it runs in the
#    background while the next steps download and unpack.
WB_VERSION="$(locked_version wasm-bindgen)"
wb_pid= wb_log=
if ! have wasm-bindgen || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$WB_VERSION" ]; then
  wb_log="$(mktemp -t wasm-bindgen-install.XXXXXX)"
  say "building wasm-bindgen-cli $WB_VERSION in the background ($wb_log)"
  install_tool "$(command -v rustc)" wasm-bindgen-cli --version "$WB_VERSION" >"$wb_log" 2>&1 &
  wb_pid=$!
fi

# 2. The wasm32 toolchain: Debian's rustc-web with the source of its std,
#    which the wasm is built from (panics abort at once: a smaller wasm),
#    and lld for linking it (scripts/wasm-env.sh); brotli for the site's
#    precompressed files.
if ! { [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ] && have wasm-ld-22 && have brotli; }; then
  say "installing the wasm32 toolchain and brotli: rustc-web, rust-web-src, lld-22, brotli"
  apt_install rustc-web rust-web-src lld-22 brotli
fi
say "wasm32: Debian's $(/usr/bin/rustc --version) building std from source"

# 3. wasm-opt for release builds: binaryen from npm (Debian's is too old).
if ! have wasm-opt || [ "$(wasm-opt --version | grep -oE '[0-9]+' | head -1)" -lt 116 ]; then
  say "installing wasm-opt (binaryen from npm)"
  if [ "$(id -u)" = 0 ]; then npm install -g binaryen >/dev/null
  else npm install -g --prefix "$HOME/.local" binaryen >/dev/null; fi
fi

# 4. The site's own tools (lightningcss, swc's minifier), prebuilt from npm.
npm_ci_once "$ROOT/scripts/site"

if [ -n "$WITH_TEST" ]; then
  # 5. Browser, database server and the Playwright packages for the tests.
  if ! have chromium; then
    say "installing Chromium"
    apt_install chromium
  fi
  # A font with Hangul and the won sign, so the browser tests and screenshots
  # of Korean pages show real glyphs, not boxes.
  if ! { have fc-list && [ -n "$(fc-list ':lang=ko:charset=20a9' family)" ]; }; then
    say "installing a Korean font (fonts-nanum)"
    apt_install fonts-nanum fontconfig
  fi
  # Prometheus and promtool: the metrics test checks /metrics with promtool
  # and scrapes it with a real Prometheus of its own.
  if ! { have promtool && have prometheus; }; then
    say "installing Prometheus and promtool"
    apt_install_no_services prometheus
  fi
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    say "installing PostgreSQL"
    apt_install postgresql
  fi
  # schemathesis (API fuzzing) in a virtual environment of its own. The
  # check runs it, so a half-done install fails it and is done again.
  st="$(schemathesis_bin)"
  if ! "$st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    say "installing schemathesis $SCHEMATHESIS_VERSION (PyPI, in a virtual environment)"
    venv="$(dirname "$(dirname "$st")")"
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv; rm -rf "$venv"; python3 -m venv "$venv"; }
    "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  npm_ci_once "$ROOT/end2end"
  # The OpenID Connect provider the sign-in tests run on loopback
  # (oidc-provider 8.8.1: the newest that supports Node.js 20).
  npm_ci_once "$ROOT/scripts/oidc-provider"
fi

if [ -n "$wb_pid" ]; then
  say "waiting for wasm-bindgen-cli"
  if ! wait "$wb_pid"; then
    cat "$wb_log" >&2
    say "building wasm-bindgen-cli failed (above)"
    exit 1
  fi
  rm -f "$wb_log"
fi

# 6. cargo-leptos, only when asked for, using tools from PATH instead of
#    downloading them.
if [ -n "$WITH_CARGO_LEPTOS" ] && ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  install_tool "$(rustc_at_least "$CARGO_LEPTOS_MIN_RUSTC")" \
    cargo-leptos --version "$CARGO_LEPTOS_VERSION" --features no_downloads
fi

