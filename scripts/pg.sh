#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests.
#   eval "$(scripts/pg.sh start)"   starts one, prints `export TEST_POSTGRES_URL=… PG_TMP=…`
#   scripts/pg.sh createdb NAME     a fresh database on it, prints its URL
#   scripts/pg.sh stop "$PG_TMP"    stops it and deletes its files
set -euo pipefail
source "$(dirname "$0")/lib.sh"

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -n "$bindir" ] || { say "PostgreSQL is not installed (scripts/setup.sh --test)"; exit 1; }

# initdb refuses to run as root: run the server as the postgres user then.
run_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

case "${1:-}" in
  start)
    dir="$(mktemp -d -t storefront-pg.XXXXXX)"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    run_pg "'$bindir/initdb' -D '$dir/data' -A trust -U postgres --no-sync" >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    run_pg "'$bindir/pg_ctl' -D '$dir/data' -l '$dir/log' -w -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=1000\" start" >/dev/null \
      || { cat "$dir/log" >&2; exit 1; }
    echo "export TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/postgres PG_TMP=$dir"
    ;;
  createdb)
    # scripts/pg.sh createdb NAME: a fresh database on TEST_POSTGRES_URL; prints its URL.
    name="${2:?usage: pg.sh createdb NAME}"
    "$bindir/psql" -q "${TEST_POSTGRES_URL:?start one first}" -c "CREATE DATABASE $name" >/dev/null
    echo "${TEST_POSTGRES_URL%/*}/$name"
    ;;
  stop)
    dir="${2:?usage: pg.sh stop DIR}"
    run_pg "'$bindir/pg_ctl' -D '$dir/data' -m fast -w stop" >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | createdb NAME | stop DIR" >&2; exit 2 ;;
esac
