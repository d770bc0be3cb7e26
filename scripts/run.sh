#!/usr/bin/env bash
# Builds the shop in release mode and serves it on 127.0.0.1:3000 with the
# embedded SQLite database (./storefront.db) and the demo catalog.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

scripts/setup.sh
say "building (release)"
build_release
say "serving on http://${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_OUTPUT_NAME=storefront LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD
exec "$(target_dir)/release/server"
