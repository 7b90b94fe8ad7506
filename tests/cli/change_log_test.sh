#!/usr/bin/env bash
# End-to-end: the change log. A `qpan serve` follows every commit on its database, also those
# of other processes (a `qpan values import` is in its next answers within 100 ms, /healthz
# says how far it has read); a form approved through the server closes it to the command
# line; and a figure corrected after a report was issued is given as it was known then with
# --as-of and asOf=, and as it is now without.
source "$(dirname "$0")/lib.sh"
source "$SRC/tests/cli/server.sh"

# server_figure PERIOD [AS_OF]: FIGURE is the province's cases over PERIOD through the
# server (empty: no figure).
FIGURE=""
server_figure() {
  http GET "/api/analytics?dx=crime.ttxh.cases&ou=12&pe=$1&format=csv${2:+&asOf=$2}" "$TINH"
  assert_eq 200 "$(status)" "GET /api/analytics pe=$1${2:+ asOf=$2}"
  FIGURE=$(body | tail -n +2 | cut -d, -f4)
}

# A time in Vietnam with seconds, as --as-of takes it (and no later than now).
now_in_vietnam() { TZ=Asia/Ho_Chi_Minh date +%Y-%m-%dT%H:%M:%S%:z; }

case_the_server_sees_another_process_import_within_100_ms() {
  server_db follow
  token TINH tinh
  local xa huyen
  token xa canbo.xa
  token huyen huyen
  start_server
  server_figure 2017
  assert_eq "" "$FIGURE" "no cases in 2017 yet"

  # 1,000 values of another process: one case a month in communes of Lai Châu in force
  # through 2017, twelve months over as many communes as it takes.
  sql "$DB" "SELECT c.code FROM org_unit c JOIN org_unit d ON d.code = c.parent_code
             WHERE c.level = 'commune' AND d.parent_code = '12'
               AND c.valid_from <= '2017-01-01' AND (c.valid_until = '' OR c.valid_until > '2018-01-01')
               AND d.valid_from <= '2017-01-01' AND (d.valid_until = '' OR d.valid_until > '2018-01-01')
             ORDER BY c.code" >"$WORK/communes.txt"
  local rows=() code month
  while read -r code && [ ${#rows[@]} -lt 1000 ]; do
    for month in 01 02 03 04 05 06 07 08 09 10 11 12; do
      [ ${#rows[@]} -lt 1000 ] && rows+=("crime.ttxh.cases,2017$month,$code,,,1,,,,")
    done
  done <"$WORK/communes.txt"
  assert_eq 1000 "${#rows[@]}" "1,000 values to import"
  csv "$WORK/thousand.csv" "${rows[@]}"

  # The import runs as a process of its own; from its exit the server is asked every few
  # milliseconds until the figure includes all 1,000.
  python3 - "$PORT" "$TINH" "$QPAN" "$DB" "$WORK/thousand.csv" >"$OUT" 2>"$ERR" <<'PY'
import http.client, subprocess, sys, time
port, token, qpan, db, csv = sys.argv[1:6]
subprocess.run([qpan, "values", "import", "--db", db, csv], check=True, stdout=subprocess.DEVNULL)
done = time.monotonic()
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
while True:
    conn.request("GET", "/api/analytics?dx=crime.ttxh.cases&ou=12&pe=2017&format=csv",
                 headers={"Authorization": "Bearer " + token})
    reply = conn.getresponse().read().decode()
    if reply.strip().endswith(",1000"):
        print(round((time.monotonic() - done) * 1000))
        break
    if time.monotonic() - done > 10:
        print("never: " + reply)
        break
    time.sleep(0.002)
PY
  LAST_COMMAND="values import from another process, then GET /api/analytics until it has them"
  local elapsed
  elapsed=$(cat "$OUT")
  echo "# the server had the 1,000 values $elapsed ms after the import's process ended"
  assert_matches "$elapsed" '^[0-9]+$' "the server's answer includes the other process's values"
  [ "$elapsed" -le 100 ] || fail "within 100 ms" "<= 100" "$elapsed"
  pass "within 100 ms ($elapsed ms)"

  http GET /healthz ""
  assert_eq 200 "$(status)" "GET /healthz"
  local health
  health=$(body)
  assert_eq "0" "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["log"]["behind"])' "$health")" \
    "/healthz: nothing behind"
  assert_eq "$(sql "$DB" 'SELECT max(seq) FROM change_log')" \
    "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["log"]["position"])' "$health")" \
    "/healthz: the position is the log's last entry"

  # An approval through the server closes the form to the command line.
  submit_and_approve "$xa" "$huyen"
  csv "$WORK/change.csv" 'crime.ttxh.cases,201601,03400,,,9,,,,'
  q values import --db "$DB" "$WORK/change.csv"
  assert_exit 1 "values import into the form the server approved"
  assert_contains "$(stderr)" "ds.antt.commune.monthly" "the refusal names the form"
  # The approval is in the log with who made it.
  assert_eq "huyen|submitted|approved" \
    "$(sql "$DB" "SELECT a.name, c.before, c.after FROM change_log c JOIN actor a ON a.id = c.actor
                  WHERE c.kind = 'approval' ORDER BY c.seq DESC LIMIT 1")" "the approval's entry"
  stop_server
}

case_a_figure_corrected_after_a_report_is_given_as_known_then() {
  server_db correction
  token TINH tinh
  local xa
  token xa canbo.xa
  sleep 1.1
  local issued
  issued=$(now_in_vietnam)
  sleep 1.1
  # The commune corrects January 2016 after the report was issued: 4 → 9.
  start_server
  printf '{"dataValues":[{"dataElement":"crime.ttxh.cases","period":"201601","orgUnit":"03400","value":"9"}]}' \
    >"$WORK/batch.json"
  http POST /api/dataValueSets "$xa" "$WORK/batch.json"
  assert_eq 200 "$(status)" "the commune corrects its figure"

  qok analytics --db "$DB" --dx crime.ttxh.cases --ou 12 --pe 2016 --format csv
  assert_contains "$(stdout)" "crime.ttxh.cases,12,2016,9" "today: the corrected figure"
  qok analytics --db "$DB" --dx crime.ttxh.cases --ou 12 --pe 2016 --format csv --as-of "$issued"
  assert_contains "$(stdout)" "crime.ttxh.cases,12,2016,4" "--as-of the report's date: the figure then"
  server_figure 2016
  assert_eq "9" "$FIGURE" "the server today"
  server_figure 2016 "${issued//+/%2B}"
  assert_eq "4" "$FIGURE" "the server asOf= the report's date"

  # Before the units were imported the structure was another: refused, not answered with
  # today's. Times are checked.
  q analytics --db "$DB" --dx crime.ttxh.cases --ou 12 --pe 2016 --format csv --as-of 2020-01-01
  assert_exit 1 "as of a day before the units were imported"
  assert_contains "$(stderr)" "units or the catalogue changed after that time (unit/" "the refusal names the change"
  q analytics --db "$DB" --dx crime.ttxh.cases --ou 12 --pe 2016 --as-of 15/01/2024
  assert_exit 1 "a time that is not one"
  assert_contains "$(stderr)" "--as-of" "the error names the option"
  http GET "/api/analytics?dx=crime.ttxh.cases&ou=12&pe=2016&asOf=yesterday" "$TINH"
  assert_eq 400 "$(status)" "asOf= that is not a time"
  stop_server

  # explain names the correction: who, when, old → new.
  qok explain --db "$DB" --dx crime.ttxh.cases --ou 03400 --pe 201601 --format json
  assert_eq "update 4 → 9 canbo.xa" \
    "$(python3 -c 'import json,sys; c = json.load(sys.stdin)["series"][0]["parts"][0]["history"][-1]
print(c["action"], c["oldValue"], "→", c["newValue"], c["changedBy"])' <"$OUT")" "explain: the correction and who made it"
  assert_matches "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["series"][0]["parts"][0]["history"][-1]["changedAt"])' <"$OUT")" \
    "^$(date -u +%Y-%m-%d)T" "explain: when"
  qok explain --db "$DB" --dx crime.ttxh.cases --ou 03400 --pe 201601 --format json --as-of "$issued"
  assert_eq "4" "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["value"])' <"$OUT" | sed 's/\.0$//')" \
    "explain --as-of the report's date: the figure then"

  # The log holds the correction with who made it and when, old → new.
  assert_eq "canbo.xa|4|9" \
    "$(sql "$DB" "SELECT a.name, c.before, c.after FROM change_log c JOIN actor a ON a.id = c.actor
                  WHERE c.kind = 'value' ORDER BY c.seq DESC LIMIT 1")" "the correction's entry"
}

case_three_servers_on_one_database_follow_each_other_and_survive_a_kill() {
  server_db three
  token TINH tinh
  local ports=() pids=() name
  for name in a b c; do
    launch_server "$name"
    ports+=("$LAUNCHED_PORT")
    pids+=("$LAUNCHED_PID")
  done
  sql "$DB" "SELECT c.code FROM org_unit c JOIN org_unit d ON d.code = c.parent_code
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

run_cases "$@"
