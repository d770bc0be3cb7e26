# Shared helpers for the scripts; sourced, never run.
# shellcheck shell=bash

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=
apt_install() {
  if ! have apt-get; then
    say "please install: $* (no apt-get on this machine)"
    return 1
  fi
  if [ -z "$APT_UPDATED" ]; then
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# apt_install without starting the services the packages bring (the tests
# start their own): a policy-rc.d that refuses, for the install only.
apt_install_no_services() {
  local policy=/usr/sbin/policy-rc.d created= rc=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod +x "$policy"
    created=1
  fi
  apt_install --no-install-recommends "$@" || rc=$?
  if [ -n "$created" ]; then as_root rm -f "$policy"; fi
  return "$rc"
}

# `npm ci` in a folder, redone whenever its lock file changed since the
# last full install (a stamp in node_modules); browsers never downloaded.
npm_ci_once() {
  local stamp="$1/node_modules/.installed-lock"
  if ! cmp -s "$1/package-lock.json" "$stamp"; then
    say "installing the npm packages of ${1#"$ROOT"/}"
    (cd "$1" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
    cp "$1/package-lock.json" "$stamp"
  fi
}

# The version of a crate as locked in Cargo.lock.
locked_version() {
  awk -v name="$1" '
    $0 == "name = \"" name "\"" { found = 1; next }
    found && /^version = / { gsub(/"/, "", $3); print $3; exit }
  ' "$ROOT/Cargo.lock"
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
export PATH="$HOME/.cargo/bin:$HOME/.local/bin:$PATH"

# Where cargo puts its output (honours CARGO_TARGET_DIR).
target_dir() {
  echo "${CARGO_TARGET_DIR:-$ROOT/target}"
}

# Two free consecutive TCP ports on 127.0.0.1 (the first is printed), for
# the Playwright servers: a busy 3100 must not fail the tests.
free_port_pair() {
  python3 - <<'PY'
import socket
for _ in range(200):
    with socket.socket() as a:
        a.bind(("127.0.0.1", 0))
        port = a.getsockname()[1]
        if port >= 65535:
            continue
        with socket.socket() as b:
            try:
                b.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        print(port)
        break
PY
}

# schemathesis, in a virtual environment of its own (scripts/setup.sh --test).
SCHEMATHESIS_VERSION=4.32.5
schemathesis_bin() {
  echo "${XDG_CACHE_HOME:-$HOME/.cache}/storefront/schemathesis-$SCHEMATHESIS_VERSION/bin/schemathesis"
}

# The release site and server (scripts/site.sh, without cargo-leptos).
build_release() {
  "$ROOT/scripts/site.sh" "$@"
}
