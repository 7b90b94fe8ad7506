#!/usr/bin/env bash
# End-to-end: the same commands on a PostgreSQL database (`--db postgresql:///qpan?host=…`,
# a private cluster started here: initdb into a temporary folder, Unix socket only) and on a
# SQLite file — units, elements, the qpan-vn pack, values imported in bulk and then changed —
# give the same analytics figures and the same exported values; so does the demo (analytics,
# evaluation, validation, registers, export); three servers on one PostgreSQL database follow
# each other's writes within 100 ms and lose no acknowledged write when one is killed
# (tests/cli/server.sh). Without PostgreSQL 15's
# binaries the script fails saying so, unless QPAN_TEST_POSTGRES=off.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
source "$SRC/tests/cli/server.sh"

PG_BIN=/usr/lib/postgresql/15/bin
if [ "${QPAN_TEST_POSTGRES:-}" = off ]; then
  echo "postgres_test: QPAN_TEST_POSTGRES=off, nothing run"
  exit 0
fi
[ -x "$PG_BIN/initdb" ] || {
  echo "PostgreSQL 15 is not installed ($PG_BIN/initdb): bash scripts/install-deps.sh, or QPAN_TEST_POSTGRES=off" >&2
  exit 1
}

# The cluster's folder is the postgres user's (PostgreSQL refuses to run as root), outside
# $WORK, which only root may enter.
PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/qpan-pg-cli.XXXXXX")
as_postgres() {
  if [ "$EUID" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
stop_pg() {
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$PG_DIR"
}
trap 'stop_all_servers; stop_pg; cd /; rm -rf "$WORK"' EXIT
[ "$EUID" -ne 0 ] || chown postgres: "$PG_DIR"
as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 ||
  { cat "$PG_DIR/initdb.log" >&2; exit 1; }
as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
  -o "-c listen_addresses='' -c unix_socket_directories=$PG_DIR -c fsync=off" start >/dev/null ||
  { cat "$PG_DIR/server.log" >&2; exit 1; }
PG_DATABASES=0

# pg_db: sets DB to the URL of a new, empty PostgreSQL database.
pg_db() {
  PG_DATABASES=$((PG_DATABASES + 1))
  as_postgres "$PG_BIN/createdb" -h "$PG_DIR" -U postgres "qpan$PG_DATABASES" || fail "createdb failed"
  DB="postgresql:///qpan$PG_DATABASES?host=$PG_DIR&user=postgres"
}

# fill DB: units, test elements, the qpan-vn pack, a bulk import, then a second import that
# changes some values, adds others and deletes none.
fill() {
  qok init --db "$1"
  qok units import --db "$1" "$VN_ADMIN"
  qok elements import --db "$1" "$TEST_DATA/elements.json"
  qok pack load --db "$1" "$SRC/packs/qpan-vn"
  qok values import --db "$1" "$WORK/bulk.csv"
  qok values import --db "$1" "$WORK/changes.csv"
}

case_the_same_figures_as_sqlite() {
  # 3 communes × 48 months × 3 elements in bulk; then changes over one year and text values.
  python3 - "$WORK" "$CSV_HEADER" <<'PY'
import sys
work, header = sys.argv[1], sys.argv[2]
with open(f"{work}/bulk.csv", "w") as f:
    print(header, file=f)
    for unit in ("03386", "03397", "03400"):
        for year in range(2016, 2020):
            for month in range(1, 13):
                n = year * 100 + month
                print(f"crime.solved,{n},{unit},,,{n % 97},,2024-01-05T00:00:00,,false", file=f)
                print(f"crime.occurred,{n},{unit},drugs,,{n % 13},,2024-01-05T00:00:00,,false", file=f)
                print(f"defence.budget,{n},{unit},,,{n % 89}.25,,2024-01-05T00:00:00,,false", file=f)
with open(f"{work}/changes.csv", "w") as f:
    print(header, file=f)
    for unit in ("03397", "03400"):
        for month in range(1, 13):
            n = 201800 + month
            print(f"crime.solved,{n},{unit},,,{n % 97 + 5},,2024-02-05T00:00:00,đã sửa,false", file=f)
            print(f"crime.occurred,{n},{unit},drugs,,{n % 13},,2024-01-05T00:00:00,,false", file=f)
            print(f"note,{n},{unit},,,Diễn tập tháng {month},,2024-02-05T00:00:00,,false", file=f)
PY
  fill "$WORK/lite.db"
  local lite=$WORK/lite.db
  pg_db
  fill "$DB"

  local query=(--dx crime.solved,crime.occurred,crime.occurred.drugs,defence.budget --ou 106,12,03386
               --pe 2016,2017,2018,2019,201601..201912,2018Q3 --format csv)
  qok analytics --db "$lite" "${query[@]}"
  local expected
  expected=$(stdout)
  assert_matches "$expected" '^crime\.solved,106,2018,[0-9]+$' "analytics: SQLite has the figures to compare"
  qok analytics --db "$DB" "${query[@]}"
  assert_eq "$expected" "$(stdout)" "analytics: the same figures from PostgreSQL as from SQLite"

  qok values export --db "$lite" -o "$WORK/lite.csv"
  qok values export --db "$DB" -o "$WORK/pg.csv"
  assert_eq 457 "$(wc -l <"$WORK/lite.csv")" "values export: the header, 432 values imported in bulk and 24 notes"
  assert_files_equal "$WORK/lite.csv" "$WORK/pg.csv" "values export: the same values, versions and comments"
}

case_the_demo_gives_the_same_figures() {
  demo_db_at "$WORK/demo.db"
  local lite=$WORK/demo.db
  pg_db
  qok demo --db "$DB"
  local command
  for command in "analytics --dx crime.ttxh.cases,crime.ttxh.solved,mil.recruit.fulfilment --ou 12,10 --pe 201601..201806,2019" \
                 "evaluate --set eval.antt_safe.commune --ou 10 --pe 2019,2020" \
                 "validate --ou 10 --pe 2020" "registry list"; do
    # shellcheck disable=SC2086 # the command's words
    qok $command --db "$lite"
    local expected
    expected=$(stdout)
    # shellcheck disable=SC2086
    qok $command --db "$DB"
    assert_eq "$expected" "$(stdout)" "${command%% *}: the same from PostgreSQL as from SQLite"
  done
  # The values counted from registers are stamped with the time of the run: all else is equal.
  qok values export --db "$lite" -o "$WORK/lite.csv"
  qok values export --db "$DB" -o "$WORK/pg.csv"
  cut -d, -f1-7,9- "$WORK/lite.csv" >"$WORK/lite.cut"
  cut -d, -f1-7,9- "$WORK/pg.csv" >"$WORK/pg.cut"
  assert_files_equal "$WORK/lite.cut" "$WORK/pg.cut" "values export: the demo's values in the same order"
}

case_three_servers_on_one_postgresql_follow_each_other_and_survive_a_kill() {
  pg_db
  server_db three "$DB"
  three_servers_follow_each_other_and_survive_a_kill
}

case_an_absent_database_is_named() {
  q units tree --db "postgresql:///absent?host=$PG_DIR&user=postgres" 12
  assert_exit 1 "units tree on a database that does not exist"
  assert_contains "$(stderr)" "absent" "the message names the database"
}

run_cases "$@"
