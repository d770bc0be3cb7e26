#!/usr/bin/env bash
# Builds the release site and server as `cargo leptos build --release
# --precompress` does for this workspace, without cargo-leptos (whose own
# build is the longest step of a fresh machine's set-up):
#
#   1. the wasm: `app` as a library for wasm32 with the `hydrate` feature
#      and the `wasm-release` profile, by the wasm toolchain
#      (scripts/wasm-env.sh), in cargo-leptos' front target directory;
#   2. wasm-bindgen --target=web (its `_bg.wasm` renamed), wasm-opt -Oz;
#   3. the js minified by swc (compress, mangle, module), as cargo-leptos;
#   4. the stylesheet through lightningcss (bundled, minified, for the
#      `browserquery` targets): the same library version cargo-leptos
#      links, so the same bytes;
#   5. `public/` copied into the site root;
#   6. js, wasm and css named by their content (md5, base64url, unpadded),
#      the js's reference to the wasm renamed too, and `hash.txt` beside
#      the server binary;
#   7. every file precompressed: gzip -9 and brotli -q 11;
#   8. the server: `cargo build --release -p server`, with the LEPTOS_*
#      variables cargo-leptos sets (some are read at compile time).
#
# The settings come from [workspace.metadata.leptos] in Cargo.toml; the
# script refuses to run if they say something it does not do (wasm
# splitting, sass, tailwind). `scripts/site-check.sh` compares its output
# with cargo-leptos'.
#
#   scripts/site.sh           the site and the server
#   scripts/site.sh --front   the site only
#   scripts/site.sh --server  the server only
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

FRONT=1 SERVER=1
case "${1:-}" in
  --front) SERVER= ;;
  --server) FRONT= ;;
  "") ;;
  *) say "usage: scripts/site.sh [--front|--server]"; exit 2 ;;
esac

# One setting of [workspace.metadata.leptos] (a quoted string or a list).
setting() {
  awk -v key="$1" '
    /^\[/ { inside = ($0 == "[[workspace.metadata.leptos]]") }
    inside && $1 == key && $2 == "=" { sub(/^[^=]*= */, ""); gsub(/"/, ""); print; exit }
  ' Cargo.toml
}
for unsupported in style-file:'\.css$' tailwind-input-file:'^$' wasm-split:'^$|^false$'; do
  key="${unsupported%%:*}" allowed="${unsupported#*:}"
  if ! [[ "$(setting "$key")" =~ $allowed ]]; then
    say "[workspace.metadata.leptos] $key = $(setting "$key"): scripts/site.sh does not do that; use cargo leptos build"
    exit 1
  fi
done

NAME="$(setting output-name)"
LIB="$(setting lib-package)"
BIN="$(setting bin-package)"
SITE="$ROOT/$(setting site-root)"
PKG="$SITE/$(setting site-pkg-dir)"
TARGET="$(target_dir)"
WASM_PROFILE="$(setting lib-profile-release)"
TOOLS="$ROOT/scripts/site/node_modules/.bin"

# What cargo-leptos sets for both builds (LEPTOS_OUTPUT_NAME is read at
# compile time by leptos' configuration).
export LEPTOS_OUTPUT_NAME="$NAME" \
  LEPTOS_SITE_ROOT="$(setting site-root)" \
  LEPTOS_SITE_PKG_DIR="$(setting site-pkg-dir)" \
  LEPTOS_SITE_ADDR="$(setting site-addr)" \
  LEPTOS_RELOAD_PORT="$(setting reload-port)" \
  LEPTOS_LIB_DIR="$LIB" LEPTOS_BIN_DIR="$BIN" \
  LEPTOS_JS_MINIFY=true LEPTOS_HASH_FILES=true LEPTOS_HASH_FILE_NAME=hash.txt

# md5 of a file, base64url without padding: cargo-leptos' content hash.
content_hash() {
  python3 -c 'import base64, hashlib, sys
print(base64.urlsafe_b64encode(hashlib.md5(open(sys.argv[1], "rb").read()).digest()).decode().rstrip("="))' "$1"
}

build_front() {
  for tool in wasm-bindgen wasm-opt brotli python3 node; do
    have "$tool" || { say "$tool is missing: run scripts/setup.sh"; exit 1; }
  done
  [ -x "$TOOLS/lightningcss" ] || { say "the site tools are missing: run scripts/setup.sh"; exit 1; }

  say "wasm ($WASM_PROFILE profile, the wasm toolchain)"
  scripts/wasm-env.sh cargo build --package="$LIB" --lib --target-dir="$TARGET/front" \
    --target=wasm32-unknown-unknown --no-default-features --features="$(setting lib-features | tr -d '[] ')" \
    --profile="$WASM_PROFILE"

  rm -rf "$SITE"
  mkdir -p "$PKG"
  say "wasm-bindgen, wasm-opt, swc, lightningcss"
  wasm-bindgen --target=web --out-name="$NAME" --out-dir="$PKG" \
    "$TARGET/front/wasm32-unknown-unknown/$WASM_PROFILE/$LIB.wasm"
  mv "$PKG/${NAME}_bg.wasm" "$PKG/$NAME.wasm"
  # TypeScript declarations of the wasm's exports: nothing loads them.
  rm -f "$PKG"/*.d.ts
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$PKG/$NAME.wasm" -o "$PKG/$NAME.wasm"
  NODE_PATH="$ROOT/scripts/site/node_modules" node -e '
    const fs = require("fs"), file = process.argv[1];
    const out = require("@swc/core").minifySync(fs.readFileSync(file, "utf8"),
      { compress: true, mangle: true, module: true });
    fs.writeFileSync(file, out.code);' "$PKG/$NAME.js"
  "$TOOLS/lightningcss" --minify --bundle --targets "$(setting browserquery)" \
    "$(setting style-file)" -o "$PKG/$NAME.css"
  cp -R "$(setting assets-dir)/." "$SITE/"

  say "content hashes and hash.txt"
  local ext hash hashes=()
  for ext in js wasm css; do
    hash="$(content_hash "$PKG/$NAME.$ext")"
    mv "$PKG/$NAME.$ext" "$PKG/$NAME.$hash.$ext"
    hashes+=("$ext: $hash")
  done
  local wasm_hash="${hashes[1]#wasm: }"
  sed -i "s/$NAME\.wasm/$NAME.$wasm_hash.wasm/g" "$PKG/$NAME".*.js
  mkdir -p "$TARGET/release"
  printf '%s\n' "${hashes[@]}" >"$TARGET/release/hash.txt"

  say "precompressing (gzip -9, brotli -q 11)"
  local file
  while IFS= read -r -d '' file; do
    gzip -9 -n -c "$file" >"$file.gz"
    brotli -q 11 -f -o "$file.br" "$file"
  done < <(find "$SITE" -type f ! -name '*.gz' ! -name '*.br' -print0)
}

build_server() {
  say "server (release)"
  cargo build --package="$BIN" --bin="$BIN" --no-default-features --release
}

[ -z "$FRONT" ] || build_front
[ -z "$SERVER" ] || build_server
