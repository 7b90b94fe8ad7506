#!/usr/bin/env bash
# End-to-end: the same commands on a PostgreSQL database (`--db postgresql:///qpan?host=…`,
# a private cluster started here: initdb into a temporary folder, Unix socket only) and on a
# SQLite file — units, elements, the qpan-vn pack, values imported in bulk and then changed —
# give the same analytics figures and the same exported values; so does the demo (analytics,
# evaluation, validation, registers, export); three servers on one PostgreSQL database follow
# each other's writes within 100 ms and lose no acknowledged write when one is killed
# (tests/cli/server.sh); a server over a hot standby (pg_basebackup -R) serves dashboards
# read-only to sessions made on the primary, follows the primary's writes, and refuses
# writes and logins with 503. Without PostgreSQL 15's
# binaries the script fails saying so, unless QPAN_TEST_POSTGRES=off.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
source "$SRC/tests/cli/server.sh"

PG_BIN=${QPAN_TEST_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}
if [ "${QPAN_TEST_POSTGRES:-}" = off ]; then
  echo "postgres_test: QPAN_TEST_POSTGRES=off, nothing run"
  exit 0
fi

# The cluster's folder is the postgres user's (PostgreSQL refuses to run as root), outside
# $WORK, which only root may enter; tests/cli/pg_cluster.sh starts and stops it.
PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/qpan-pg-cli.XXXXXX")
as_postgres() {
  if [ "$EUID" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
stop_pg() {
  if [ -d "$PG_DIR/standby" ]; then as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/standby" -m fast -w stop >/dev/null 2>&1; fi
  bash "$SRC/tests/cli/pg_cluster.sh" stop "$PG_DIR" >/dev/null
}
# The servers stop before their cluster.
at_exit 'stop_all_servers; stop_pg'
bash "$SRC/tests/cli/pg_cluster.sh" start "$PG_DIR" >/dev/null || exit 1
PG_DATABASES=0
# How long a server over a hot standby may take to show a value written through the
# primary's server: the standby's replay plus the store's polling of the log (a few ms).
STANDBY_LAG_BOUND_MS=100

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

# standby_of URL: sets STANDBY to URL's database on a hot standby of the cluster, started
# here from a base backup (-R: it streams from the primary and takes no writes).
standby_of() {
  as_postgres "$PG_BIN/pg_basebackup" --checkpoint=fast --no-sync -R -D "$PG_DIR/standby" -h "$PG_DIR" -U postgres \
    >"$PG_DIR/basebackup.log" 2>&1 || fail "pg_basebackup failed" "a base backup" "$(cat "$PG_DIR/basebackup.log")"
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/standby" -l "$PG_DIR/standby.log" -w \
    -o "-c listen_addresses='' -c port=5433 -c unix_socket_directories=$PG_DIR -c hot_standby=on -c max_connections=200" start >/dev/null ||
    fail "the standby did not start" "a standby" "$(cat "$PG_DIR/standby.log")"
  STANDBY="$1&port=5433"
  assert_eq t "$(db_sql "$STANDBY" 'SELECT pg_is_in_recovery()')" "the standby is in recovery (a hot standby)"
}

# A dashboard server B over a hot standby, beside a server A over the primary: a session
# opened through A reads through B (sessions live in the database and replicate; B writes no
# last use); a value written through A is in B's next analytics answer within a bound; B
# refuses writes and logins with 503, saying it is read-only, in Vietnamese then English.
case_a_standby_serves_dashboards_read_only() {
  pg_db
  # As a production primary commits (the run's cluster defers its WAL flushes, which a
  # standby then waits for): the servers' sessions flush at each commit.
  db_sql "$DB" "ALTER DATABASE qpan$PG_DATABASES SET synchronous_commit = on" >/dev/null
  server_db standby "$DB"
  standby_of "$DB"
  launch_server a
  local port_a=$LAUNCHED_PORT
  local primary=$DB
  DB=$STANDBY
  launch_server b
  local port_b=$LAUNCHED_PORT
  DB=$primary
  assert_contains "$(cat "$WORK/b.out")" "read-only: the database is a hot standby" "B says it serves a standby, read-only"
  assert_eq 0 "$(db_sql "$DB" "SELECT count(*) FROM user_session")" "no session yet"

  python3 - "$port_a" "$port_b" "$PW" >"$OUT" 2>"$ERR" <<'PY'
import http.client, json, sys, time
port_a, port_b, password = sys.argv[1:4]

def call(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers or {})
    reply = conn.getresponse()
    return reply.status, dict(reply.getheaders()), reply.read().decode()

status, headers, body = call(port_a, "POST", "/api/login", {"username": "tinh", "password": password},
                             {"Content-Type": "application/json"})
assert status == 200, f"login through A: {status} {body}"
cookie = headers["Set-Cookie"].split(";")[0]
session = {"Cookie": cookie, "X-CSRF-Token": json.loads(body)["csrfToken"], "Content-Type": "application/json"}

# The session reaches the standby a moment after the login.
started = time.monotonic()
while True:
    status, _, body = call(port_b, "GET", "/api/me", headers=session)
    if status == 200: break
    if time.monotonic() - started > 10: sys.exit(f"B never knew the session: {status} {body}")
    time.sleep(0.005)
print("me " + json.loads(body)["user"]["username"])
for path in ("/api/analytics?dx=crime.ttxh.cases&ou=106&pe=201601&format=csv",
             "/api/analytics/explain?dx=crime.ttxh.cases&ou=106&pe=2016Q1",
             "/api/dataElements?paging=false", "/api/organisationUnits/03400", "/api/pack"):
    status, _, body = call(port_b, "GET", path, headers=session)
    print(f"get {status} {path}")

# Every GET route without a path parameter: none may need a write (a 500 on a standby).
status, _, body = call(port_b, "GET", "/api/openapi.json")
routes = [path for path, ops in json.loads(body)["paths"].items() if "get" in ops and "{" not in path]
failed = []
for path in routes:
    status, _, body = call(port_b, "GET", path, headers=session)
    if status >= 500: failed.append(f"{path} {status}")
print(f"routes {len(routes)} failed {failed}")

def figure(port):
    status, _, body = call(port, "GET", "/api/analytics?dx=crime.ttxh.cases&ou=03400&pe=201602&format=csv", headers=session)
    lines = body.strip().splitlines()
    return lines[1].split(",")[3] if status == 200 and len(lines) > 1 else ""

# A value written through A, read through B: the worst of five writes.
lags = []
for value in range(5, 10):
    status, _, body = call(port_a, "PUT", "/api/dataValues",
                           {"dataElement": "crime.ttxh.cases", "period": "201602", "orgUnit": "03400", "value": str(value)},
                           {**session, "If-Match": "*"})
    assert status == 200, f"write through A: {status} {body}"
    written = time.monotonic()
    while figure(port_b) != str(value):
        if time.monotonic() - written > 10: sys.exit(f"B never saw {value} written through A")
        time.sleep(0.001)
    lags.append(round((time.monotonic() - written) * 1000))
print(f"seen {max(lags)} of {lags}")

# Writes and logins through B are refused.
status, _, body = call(port_b, "PUT", "/api/dataValues",
                       {"dataElement": "crime.ttxh.cases", "period": "201603", "orgUnit": "03400", "value": "1"}, session)
print(f"write {status} " + json.loads(body)["error"]["code"] + " " + json.loads(body)["message"])
status, _, body = call(port_b, "POST", "/api/login", {"username": "tinh", "password": password},
                       {"Content-Type": "application/json"})
print(f"login {status} " + json.loads(body)["error"]["code"] + " " + json.loads(body)["message"])
status, _, body = call(port_b, "POST", "/api/logout", None, session)
print(f"logout {status}")
status, _, body = call(port_b, "GET", "/api/me", headers=session)
print(f"still {status}")
PY
  RC=$?
  LAST_COMMAND="a server over the primary and one over its standby"
  [ "$RC" = 0 ] || fail "the standby script" "exit 0" "$(cat "$OUT" "$ERR")"
  echo "# $(tr '\n' ' ' <"$OUT")"
  assert_contains "$(cat "$OUT")" "me tinh" "the session opened through A reads through B"
  local path
  for path in "/api/analytics?dx=crime.ttxh.cases&ou=106&pe=201601&format=csv" \
              "/api/analytics/explain?dx=crime.ttxh.cases&ou=106&pe=2016Q1" "/api/dataElements?paging=false" \
              "/api/organisationUnits/03400" "/api/pack"; do
    assert_contains "$(cat "$OUT")" "get 200 $path" "B answers GET ${path%%\?*}"
  done
  assert_matches "$(cat "$OUT")" '^routes [0-9]{2,} failed \[\]$' "every GET route without a parameter answers B without a 500"
  local seen
  seen=$(grep '^seen ' "$OUT" | cut -d' ' -f2)
  echo "# lags in ms: $(grep '^seen ' "$OUT" | cut -d' ' -f4-)"
  [ -n "$seen" ] && [ "$seen" -le "$STANDBY_LAG_BOUND_MS" ] ||
    fail "B reads a value written through A within $STANDBY_LAG_BOUND_MS ms" "<= $STANDBY_LAG_BOUND_MS" "$seen"
  pass "B reads a value written through A within $STANDBY_LAG_BOUND_MS ms (the worst of five: $seen ms)"
  local refusal="máy chủ chỉ đọc (bản sao dự phòng của cơ sở dữ liệu)"
  assert_contains "$(grep '^write ' "$OUT")" "write 503 read_only $refusal" "a write through B: 503, read-only, in Vietnamese"
  assert_contains "$(grep '^write ' "$OUT")" "this server is read-only" "… and in English"
  assert_contains "$(grep '^login ' "$OUT")" "login 503 read_only $refusal" "a login through B: 503, read-only"
  assert_contains "$(cat "$OUT")" "logout 503" "a logout through B: 503 (it would delete the session)"
  assert_contains "$(cat "$OUT")" "still 200" "the session still reads through B"
  assert_eq 1 "$(db_sql "$DB" "SELECT count(*) FROM user_session")" "the primary holds the one session, from A"
  qok values export --db "$DB"
  assert_contains "$(stdout)" "crime.ttxh.cases,201602,03400,,,9," "the last write through A is stored on the primary"
  assert_not_contains "$(cat "$WORK/b.err")" '"status":500' "B answered no request with 500"
}

case_an_absent_database_is_named() {
  q units tree --db "postgresql:///absent?host=$PG_DIR&user=postgres" 12
  assert_exit 1 "units tree on a database that does not exist"
  assert_contains "$(stderr)" "absent" "the message names the database"
}

run_cases "$@"
