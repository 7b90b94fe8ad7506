#!/usr/bin/env bash
# One PostgreSQL 15 cluster for a whole test run, reached through a Unix socket in DIR only:
# tests/CMakeLists.txt starts it as a CTest fixture (cli.pg.cluster.start, FIXTURES_SETUP)
# and stops it after the last test that needs it (cli.pg.cluster.stop, FIXTURES_CLEANUP).
# The PostgreSQL cases of the API tests and the cli.pg.* tests make their databases in it.
# fsync, synchronous commits and full-page writes are off: a test's data need not survive
# a crash of the machine, and a test run should not wait for the disk.
#
#   bash tests/cli/pg_cluster.sh start DIR    a fresh cluster (one left by a crashed run is
#                                             stopped and removed first)
#   bash tests/cli/pg_cluster.sh stop DIR
set -u
PG_BIN=${QPAN_TEST_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}
[ $# -eq 2 ] && { [ "$1" = start ] || [ "$1" = stop ]; } || { echo "usage: bash $0 start|stop DIR" >&2; exit 2; }
DIR=$2

# PostgreSQL refuses to run as root: as root, its programs run as the postgres user.
as_postgres() {
  if [ "$EUID" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

stop() {
  if [ -f "$DIR/data/postmaster.pid" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1
  fi
  rm -rf "$DIR"
}

if [ "$1" = stop ]; then
  stop
  echo "pg_cluster: the cluster in $DIR is stopped and removed"
  exit 0
fi

if [ "${QPAN_TEST_POSTGRES:-}" = off ]; then
  echo "pg_cluster: QPAN_TEST_POSTGRES=off, no cluster started"
  exit 0
fi
[ -x "$PG_BIN/initdb" ] || {
  echo "PostgreSQL 15 is not installed ($PG_BIN/initdb): bash scripts/install-deps.sh, or QPAN_TEST_POSTGRES=off" >&2
  exit 1
}
stop
mkdir -p "$DIR" || exit 1
[ "$EUID" -ne 0 ] || chown postgres: "$DIR" || exit 1
as_postgres "$PG_BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C >"$DIR/initdb.log" 2>&1 ||
  { cat "$DIR/initdb.log" >&2; exit 1; }
as_postgres "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
  -o "-c listen_addresses='' -c unix_socket_directories=$DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
echo "pg_cluster: PostgreSQL runs with its socket in $DIR"
