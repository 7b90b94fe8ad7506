# A `qpan serve` for end-to-end scripts (sourced after lib.sh): start it on a free port over
# $DB, make API tokens, send requests and read the replies.
PW='mat-khau-thu-nghiem-dai'
PACK="$SRC/packs/qpan-vn"
PORT=""
SERVER_PID=""

# http METHOD PATH TOKEN [BODY_FILE]: one request to the running server; the status on the
# first line of $OUT, the body after it.
http() {
  LAST_COMMAND="$1 $2"
  python3 - "$PORT" "$1" "$2" "$3" "${4:-}" >"$OUT" 2>"$ERR" <<'PY'
import http.client, sys
port, method, path, token, body_file = sys.argv[1:6]
body = open(body_file, "rb").read() if body_file else None
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
headers = {"Authorization": "Bearer " + token} if token else {}
if body_file.endswith(".json"):
    headers["Content-Type"] = "application/json"
conn.request(method, path, body=body, headers=headers)
reply = conn.getresponse()
print(reply.status)
sys.stdout.write(reply.read().decode("utf-8"))
PY
  RC=$?
  [ "$RC" = 0 ] || fail "$1 $2: the request failed" "a reply" "$(cat "$ERR")"
}
status() { head -n 1 "$OUT"; }
body() { tail -n +2 "$OUT"; }

# token VAR USER: sets VAR to a new API token of USER.
token() {
  qok users token --db "$DB" "$2" --name e2e
  printf -v "$1" '%s' "$(grep -o 'qpan_[A-Za-z0-9_-]*' "$OUT" | head -n 1)"
}

# server_db NAME [URL]: DB is a new NAME.db (lib.sh's db_at: a PostgreSQL database in its
# PostgreSQL mode), or the empty PostgreSQL database URL, with the units, the qpan-vn pack,
# one commune officer of Xã Tả Lèng (03400), the reviewer of its district (106), a province
# administrator (12) and one value (4 cases in January 2016 at 03400). In lib.sh's
# PostgreSQL mode NAME is a copy of a template database the run's first case builds.
server_db() {
  if [ -z "${2:-}" ] && on_postgres; then
    server_template
    DB=$(pg_url "$(pg_name_for "$WORK/$1.db")")
    copy_db "$(pg_url qpan_server_template)" "$DB"
    return
  fi
  local db=${2:-}
  [ -n "$db" ] || db_at db "$WORK/$1.db"
  fill_server_db "$db"
}

# fill_server_db DB: DB (empty) filled as server_db says; DB is set to it.
fill_server_db() {
  DB=$1
  qok init --db "$1"
  qok units import --db "$1" "$VN_ADMIN"
  qok pack load --db "$1" "$PACK"
  qok users add --db "$1" canbo.xa --role commune_entry --scope 03400 --scope-at 2020-01-01 <<<"$PW"
  qok users add --db "$1" huyen --role district_reviewer --scope 106 --scope-at 2020-01-01 <<<"$PW"
  qok users add --db "$1" tinh --role province_admin --scope 12 --scope-at 2020-01-01 <<<"$PW"
  csv "$WORK/first.csv" 'crime.ttxh.cases,201601,03400,,,4,,,,'
  qok values import --db "$1" "$WORK/first.csv"
}

# server_template: the cluster's database qpan_server_template, filled as server_db says by
# the first case of the run that needs it (cases run side by side: under a lock beside the
# cluster's socket).
server_template() {
  local lock building
  exec {lock}>"$PG_SOCKET/.server_template.lock" && flock "$lock" || fail "cannot lock $PG_SOCKET/.server_template.lock"
  if ! pg_exists qpan_server_template; then
    db_at building "$WORK/server_template.db"
    fill_server_db "$building"
    pg_admin_unused "ALTER DATABASE $(pg_name "$building") RENAME TO qpan_server_template" ||
      fail "renaming $(pg_name "$building") to qpan_server_template failed"
  fi
  exec {lock}>&-
}

# db_sql DB SQL: the rows of a query on a SQLite file or a PostgreSQL URL, "|" between columns.
db_sql() {
  case "$1" in
    postgresql://*|postgres://*) psql "$1" -X -q -A -t -v ON_ERROR_STOP=1 -c "$2" || fail "psql \"$2\" failed" ;;
    *) sql "$1" "$2" ;;
  esac
}

# submit_and_approve XA_TOKEN HUYEN_TOKEN: the commune submits January 2016 of 03400 and the
# district approves it.
submit_and_approve() {
  local xa=$1 huyen=$2
  printf '{"dataSet":"ds.antt.commune.monthly","orgUnit":"03400","period":"201601"}' >"$WORK/form.json"
  http POST /api/approvals/submit "$xa" "$WORK/form.json"
  assert_eq 200 "$(status)" "the commune submits January 2016"
  http POST /api/approvals/approve "$huyen" "$WORK/form.json"
  assert_eq 200 "$(status)" "the district approves it"
}

# launch_server NAME: starts `qpan serve` over $DB on a free port; sets LAUNCHED_PID and
# LAUNCHED_PORT (its output in $WORK/NAME.out and .err).
launch_server() {
  "$QPAN" serve --db "$DB" --listen 127.0.0.1:0 --threads 2 >"$WORK/$1.out" 2>"$WORK/$1.err" &
  LAUNCHED_PID=$!
  SERVER_PIDS+=("$LAUNCHED_PID")
  local i
  for i in $(seq 1 300); do
    LAUNCHED_PORT=$(grep -oE 'on http://127\.0\.0\.1:[0-9]+' "$WORK/$1.out" 2>/dev/null | grep -oE '[0-9]+$')
    [ -n "$LAUNCHED_PORT" ] && return 0
    kill -0 "$LAUNCHED_PID" 2>/dev/null || fail "qpan serve exited" "a server" "$(cat "$WORK/$1.err")"
    sleep 0.1
  done
  fail "qpan serve did not start in 30 s" "a port" "$(cat "$WORK/$1.err")"
}

# start_server: the one server http() talks to.
start_server() {
  launch_server serve
  SERVER_PID=$LAUNCHED_PID
  PORT=$LAUNCHED_PORT
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
}
# three_servers_follow_each_other_and_survive_a_kill: over $DB (made by server_db), three
# servers A, B, C. A write through A is read through B and C within 100 ms; A is killed with
# SIGKILL while it acknowledges writes; B and C carry on, and no acknowledged write is lost.
three_servers_follow_each_other_and_survive_a_kill() {
  token TINH tinh
  local ports=() pids=() name
  for name in a b c; do
    launch_server "$name"
    ports+=("$LAUNCHED_PORT")
    pids+=("$LAUNCHED_PID")
  done
  db_sql "$DB" "SELECT c.code FROM org_unit c JOIN org_unit d ON d.code = c.parent_code
             WHERE c.level = 'commune' AND d.parent_code = '12'
               AND c.valid_from <= '2017-01-01' AND (c.valid_until = '' OR c.valid_until > '2020-01-01')
               AND d.valid_from <= '2017-01-01' AND (d.valid_until = '' OR d.valid_until > '2020-01-01')
             ORDER BY c.code LIMIT 40" >"$WORK/communes.txt"

  # Through A, one write at a time, each a value of its own (commune × month), while A is
  # killed with SIGKILL a little after the writes start. Every write A acknowledged must be
  # in the database and read back through B and C; B and C answer throughout.
  python3 - "$TINH" "${ports[@]}" "${pids[0]}" "$WORK/communes.txt" >"$OUT" 2>"$ERR" <<'PY'
import http.client, json, os, signal, sys, threading, time
token, port_a, port_b, port_c, pid_a, communes_file = sys.argv[1:7]
communes = open(communes_file).read().split()
keys = [(c, f"{y}{m:02d}") for y in (2017, 2018, 2019) for m in range(1, 13) for c in communes]
auth = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}

def figure(port, unit, period):
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
    conn.request("GET", f"/api/analytics?dx=crime.ttxh.cases&ou={unit}&pe={period}&format=csv", headers=auth)
    lines = conn.getresponse().read().decode().strip().splitlines()
    return lines[1].split(",")[3] if len(lines) > 1 else ""

def put(port, unit, period, value):
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
    body = json.dumps({"dataElement": "crime.ttxh.cases", "period": period, "orgUnit": unit, "value": str(value)})
    conn.request("PUT", "/api/dataValues", body=body, headers=auth)
    return conn.getresponse().status

# 1. A write through A is read through B and C within 100 ms.
assert put(port_a, "03400", "201602", 5) == 200
written = time.monotonic()
for port in (port_b, port_c):
    while figure(port, "03400", "201602") != "5":
        if time.monotonic() - written > 10: sys.exit("B or C never saw the write through A")
        time.sleep(0.002)
    print(f"seen {round((time.monotonic() - written) * 1000)}")

# 2. A killed with SIGKILL while it acknowledges writes.
acknowledged = {}
def writer():
    for i, (unit, period) in enumerate(keys):
        try:
            if put(port_a, unit, period, i + 1) == 200: acknowledged[(unit, period)] = i + 1
        except Exception:
            return
threading.Thread(target=writer, daemon=True).start()
time.sleep(1.0)
os.kill(int(pid_a), signal.SIGKILL)
time.sleep(0.3)
print(f"acknowledged {len(acknowledged)}")
if not acknowledged: sys.exit("A acknowledged no write before it was killed")
# B and C carry on: each answers, and a write through B is read through C.
assert put(port_b, "03400", "201603", 7) == 200
deadline = time.monotonic() + 10
while figure(port_c, "03400", "201603") != "7":
    if time.monotonic() > deadline: sys.exit("C never saw the write through B")
    time.sleep(0.002)
lost = [(k, v) for k, v in acknowledged.items() for port in (port_b, port_c) if figure(port, *k) != str(v)]
print(f"lost {len(lost)} {lost[:3]}")
PY
  RC=$?
  LAST_COMMAND="three servers, writes through A, A killed"
  [ "$RC" = 0 ] || fail "the three servers' script" "exit 0" "$(cat "$OUT" "$ERR")"
  local seen
  seen=$(grep '^seen ' "$OUT" | cut -d' ' -f2 | sort -n | tail -n 1)
  echo "# $(tr '\n' ' ' <"$OUT")"
  [ -n "$seen" ] || fail "B and C read the write through A" "seen" "$(cat "$OUT" "$ERR")"
  [ "$seen" -le 100 ] || fail "B and C read the write through A within 100 ms" "<= 100" "$seen"
  pass "B and C read the write through A within 100 ms ($seen ms)"
  assert_matches "$(grep '^acknowledged ' "$OUT")" '^acknowledged [1-9][0-9]*$' "A acknowledged writes before SIGKILL"
  assert_contains "$(cat "$OUT")" "lost 0 []" "no acknowledged write lost, B and C read every one"
  kill -0 "${pids[1]}" && kill -0 "${pids[2]}" || fail "B and C still run" "running" "stopped"
  pass "B and C still run"
}

SERVER_PIDS=()
stop_all_servers() { for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null; done; }
at_exit stop_all_servers
