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

# The release site and server. The wasm is built with the wasm toolchain
# (scripts/wasm-env.sh), the server with the default one, so neither
# rebuilds the other's dependencies. Files are served precompressed: gzip
# at its best level replaces cargo-leptos' own, a tenth larger.
build_release() {
  (cd "$ROOT" && scripts/wasm-env.sh cargo leptos build --release --precompress --frontend-only)
  (cd "$ROOT" && cargo leptos build --release --server-only)
  # TypeScript declarations of the wasm's exports: nothing loads them.
  find "$ROOT/target/site" -name '*.ts' -o -name '*.ts.gz' -o -name '*.ts.br' | xargs -r rm -f
  local file
  while IFS= read -r -d '' file; do
    gzip -9 -n -c "${file%.gz}" >"$file.tmp" && mv "$file.tmp" "$file"
  done < <(find "$ROOT/target/site" -name '*.gz' -print0)
}
