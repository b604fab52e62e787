#!/usr/bin/env bash
# A throwaway PostgreSQL cluster (Debian's postgresql package) for the union store's tests and benchmarks.
#   scripts/pg-test-cluster.sh start   initialises a fresh cluster, starts it, prints its URL
#   scripts/pg-test-cluster.sh stop    stops it and removes its files
#   scripts/pg-test-cluster.sh url     prints the URL of the running cluster
# Unix socket only (no TCP port is opened), trust authentication, durability settings off (it is thrown
# away). PostgreSQL refuses to run as root: as root the server runs as the `postgres` user.
# MADOGUCHI_PG_DIR (default /tmp/madoguchi-pg-test) and MADOGUCHI_PG_PORT (default 54329, the socket's
# name) choose where.
set -euo pipefail

DIR="${MADOGUCHI_PG_DIR:-/tmp/madoguchi-pg-test}"
PORT="${MADOGUCHI_PG_PORT:-54329}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"

if [ "$(id -u)" -eq 0 ]; then
  RUN_AS=(runuser -u postgres --)
  DB_USER=postgres
else
  RUN_AS=()
  DB_USER="$(id -un)"
fi

# The socket directory as a percent-encoded host: understood by tokio-postgres and by libpq (pg_dump, psql).
url() { echo "postgresql://${DB_USER}@${DIR//\//%2F}%2Fsock:${PORT}/postgres"; }

need_bin() {
  if [ -z "$BIN" ] || [ ! -x "$BIN/pg_ctl" ]; then
    echo "pg-test-cluster: PostgreSQL is not installed (scripts/install-deps.sh installs it)" >&2
    exit 1
  fi
}

running() { [ -n "$BIN" ] && [ -d "$DIR/data" ] && "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; }

case "${1:-}" in
  start)
    need_bin
    if running; then url; exit 0; fi
    rm -rf "$DIR"
    mkdir -p "$DIR/sock"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$DIR"; fi
    "${RUN_AS[@]}" "$BIN/initdb" -D "$DIR/data" -U "$DB_USER" --auth=trust --encoding=UTF8 \
      --no-locale >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
    "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
      -o "-k $DIR/sock -p $PORT -c listen_addresses='' -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
    url
    ;;
  stop)
    if running; then "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null; fi
    rm -rf "$DIR"
    ;;
  url)
    if running; then url; else echo "pg-test-cluster: not running" >&2; exit 1; fi
    ;;
  *)
    echo "usage: $0 start|stop|url" >&2
    exit 2
    ;;
esac
