#!/usr/bin/env bash
# End-to-end: the change log. A `qpan serve` follows every commit on its database, also those
# of other processes (a `qpan values import` is in its next answers within 100 ms, /healthz
# says how far it has read; a `qpan pack load`'s indicators and data sets are served without
# a restart); a form approved through the server closes it to the command line; and a figure
# corrected after a report was issued is given as it was known then with --as-of and asOf=,
# and as it is now without.
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

# served_within MS WHAT PATH CHECK COMMAND...: runs COMMAND as a process of its own, then asks
# the server for PATH (as the province's administrator) every 2 ms until the Python
# expression CHECK holds of the reply's body (`reply`, text; `json` is there); passes when
# that was within MS milliseconds of the process's exit, and says how long it took.
served_within() {
  local limit=$1 what=$2 path=$3 check=$4 elapsed
  shift 4
  LAST_COMMAND="$* from another process, then GET $path until it has $what"
  python3 - "$PORT" "$TINH" "$path" "$check" "$@" >"$OUT" 2>"$ERR" <<'PY'
import http.client, json, subprocess, sys, time
port, token, path, check = sys.argv[1:5]
subprocess.run(sys.argv[5:], check=True, stdout=subprocess.DEVNULL)
done = time.monotonic()
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
while True:
    conn.request("GET", path, headers={"Authorization": "Bearer " + token})
    reply = conn.getresponse().read().decode()
    if eval(check, {"json": json, "reply": reply}):
        print(round((time.monotonic() - done) * 1000))
        break
    if time.monotonic() - done > 10:
        print("never: " + reply)
        break
    time.sleep(0.002)
PY
  elapsed=$(cat "$OUT")
  echo "# the server had $what $elapsed ms after the other process ended"
  assert_matches "$elapsed" '^[0-9]+$' "the server's answers have $what"
  [ "$elapsed" -le "$limit" ] || fail "within $limit ms" "<= $limit" "$elapsed"
  pass "within $limit ms ($elapsed ms)"
}

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
  served_within 100 "the 1,000 values" "/api/analytics?dx=crime.ttxh.cases&ou=12&pe=2017&format=csv" \
    'reply.strip().endswith(",1000")' "$QPAN" values import --db "$DB" "$WORK/thousand.csv"

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

case_a_pack_loaded_by_another_process_reaches_the_running_server() {
  server_db pack_reload
  token TINH tinh
  local xa huyen
  token xa canbo.xa
  token huyen huyen
  start_server
  # The pack's next version: an element, an indicator, a validation rule and a data set more.
  cp -r "$PACK" "$WORK/pack-next"
  python3 - "$WORK/pack-next" <<'PY'
import json, os, sys
folder = sys.argv[1]
def edit(name, change):
    path = os.path.join(folder, name)
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    change(doc)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2)
edit("pack.json", lambda doc: doc["pack"].update(version="99.0.0"))
edit("elements/crime.json", lambda doc: doc["elements"].append(
    {"code": "test.patrols", "name_vi": "Số lượt tuần tra", "name_en": "Patrols", "value_type": "count",
     "aggregation": "sum", "area": "crime"}))
edit("indicators.json", lambda doc: doc["indicators"].append(
    {"code": "test.cases_doubled", "name_vi": "Số vụ nhân đôi", "name_en": "Cases doubled",
     "expression": "#{crime.ttxh.cases} * 2", "decimals": 0, "unit": ""}))
edit("validation_rules.json", lambda doc: doc["validation_rules"].append(
    {"code": "vr.test.patrols_at_most_one", "name_vi": "Không quá một lượt tuần tra",
     "name_en": "At most one patrol", "left": "#{test.patrols}", "operator": "<=", "right": "1",
     "importance": "low"}))
def add_data_set(doc):
    monthly = next(d for d in doc["data_sets"] if d["code"] == "ds.antt.commune.monthly")
    doc["data_sets"].append(dict(monthly, code="ds.test.cases.monthly", name_vi="Biểu thử số vụ",
                                 name_en="Test cases form", elements=["crime.ttxh.cases", "test.patrols"]))
edit("data_sets.json", add_data_set)
PY
  http GET "/api/analytics?dx=test.cases_doubled&ou=12&pe=2016&format=csv" "$TINH"
  assert_eq 404 "$(status)" "the indicator is not in the loaded pack yet"
  printf '{"dataValues":[{"dataElement":"test.patrols","period":"201601","orgUnit":"03400","value":"3"}]}' \
    >"$WORK/patrols.json"
  http POST /api/dataValueSets "$xa" "$WORK/patrols.json"
  assert_contains "$(body)" "test.patrols" "nor the element: the server refuses its value, naming it"
  printf '{"dataSet":"ds.test.cases.monthly","orgUnit":"03400","period":"201601"}' >"$WORK/test-form.json"
  http POST /api/approvals/submit "$xa" "$WORK/test-form.json"
  assert_eq 404 "$(status)" "nor is the data set"

  # Another process loads it; from its exit the server is asked every few milliseconds until
  # its pack lists the indicator.
  # A pack load re-reads the units and the catalogue, then the definitions and what the
  # writers check against: more than a value's 100 ms under the sanitizers on a busy machine.
  served_within 5000 "the new pack" /api/pack \
    'any(i["code"] == "test.cases_doubled" for i in json.loads(reply)["indicators"])' \
    "$QPAN" pack load --db "$DB" "$WORK/pack-next"
  http GET /api/pack "$TINH"
  assert_contains "$(body)" '"code":"ds.test.cases.monthly"' "the data set is listed with the indicator"

  # The new element is written through the server and counted; the indicator is computed;
  # the data set's form is read, submitted and approved through the server, and its approval
  # closes the values to the server and to the command line.
  http POST /api/dataValueSets "$xa" "$WORK/patrols.json"
  assert_eq 200 "$(status)" "the server writes a value of the new element"
  assert_contains "$(body)" '"rule":"vr.test.patrols_at_most_one"' \
    "and warns by the new pack's rule (3 patrols, at most 1)"
  http GET "/api/analytics?dx=test.patrols&ou=12&pe=2016&format=csv" "$TINH"
  assert_eq "3" "$(body | tail -n +2 | cut -d, -f4)" "and counts it"
  http GET "/api/analytics?dx=test.cases_doubled&ou=12&pe=2016&format=csv" "$TINH"
  assert_eq 200 "$(status)" "the new indicator"
  assert_eq "8" "$(body | tail -n +2 | cut -d, -f4)" "twice the 4 cases of January 2016"
  http GET "/api/forms/ds.test.cases.monthly?ou=03400&pe=201601" "$xa"
  assert_eq 200 "$(status)" "the new data set's form"
  http POST /api/approvals/submit "$xa" "$WORK/test-form.json"
  assert_eq 200 "$(status)" "the commune submits the new form"
  http POST /api/approvals/approve "$huyen" "$WORK/test-form.json"
  assert_eq 200 "$(status)" "the district approves it"
  printf '{"dataValues":[{"dataElement":"crime.ttxh.cases","period":"201601","orgUnit":"03400","value":"5"}]}' \
    >"$WORK/batch.json"
  http POST /api/dataValueSets "$xa" "$WORK/batch.json"
  assert_contains "$(body)" "ds.test.cases.monthly" "the server refuses the value, naming the approved form"
  csv "$WORK/change.csv" 'crime.ttxh.cases,201601,03400,,,5,,,,'
  q values import --db "$DB" "$WORK/change.csv"
  assert_exit 1 "values import into the form approved through the server"
  assert_contains "$(stderr)" "ds.test.cases.monthly" "the refusal names the new form"
  server_figure 2016
  assert_eq "4" "$FIGURE" "the figure is unchanged"
  stop_server
}

case_three_servers_on_one_database_follow_each_other_and_survive_a_kill() {
  server_db three
  three_servers_follow_each_other_and_survive_a_kill
}

run_cases "$@"
