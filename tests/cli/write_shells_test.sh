#!/usr/bin/env bash
# End-to-end: every shell that writes values — `qpan values import`, and the API's PUT
# /api/dataValues, POST /api/dataValueSets and POST /api/imports/dataValues on a real
# `qpan serve` — goes through one write path: a form approved through the API closes it to
# the command line too, and the same bad entry is refused by each with the same reason.
source "$(dirname "$0")/lib.sh"

PACK="$SRC/packs/qpan-vn"
PW='mat-khau-thu-nghiem-dai'
PORT=""
SERVER_PID=""

# http METHOD PATH TOKEN [BODY_FILE]: one request to the running server; the status on the
# first line of $OUT, the body after it.
http() {
  LAST_COMMAND="$1 $2"
  python3 - "$PORT" "$1" "$2" "$3" "${4:-}" >"$OUT" 2>"$ERR" <<'EOF'
import http.client, sys
port, method, path, token, body_file = sys.argv[1:6]
body = open(body_file, "rb").read() if body_file else None
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
headers = {"Authorization": "Bearer " + token}
if body_file.endswith(".json"):
    headers["Content-Type"] = "application/json"
conn.request(method, path, body=body, headers=headers)
reply = conn.getresponse()
print(reply.status)
sys.stdout.write(reply.read().decode("utf-8"))
EOF
  RC=$?
  [ "$RC" = 0 ] || fail "$1 $2: the request failed" "a reply" "$(cat "$ERR")"
}
status() { head -n 1 "$OUT"; }
body() { tail -n +2 "$OUT"; }
# The reasons listed in an error reply, one per line.
reasons() {
  body | python3 -c 'import json, sys; [print(p["reason"]) for p in json.load(sys.stdin)["error"]["details"]["problems"]]'
}
# The reasons `qpan values import` printed (after "file:line:column: field: ").
cli_reasons() {
  grep -E '^[^ ]+:[0-9]+:[0-9]+: ' "$ERR" | sed -E 's/^[^ ]+:[0-9]+:[0-9]+: [a-z]+: //'
}

# A database with the units, the qpan-vn pack, one commune officer of Xã Tả Lèng (03400),
# the reviewer of its district (106) and a province administrator (12), and one value.
setup() {
  local db="$WORK/$1.db"
  DB=$db
  qok init --db "$db"
  qok units import --db "$db" "$VN_ADMIN"
  qok pack load --db "$db" "$PACK"
  qok users add --db "$db" canbo.xa --role commune_entry --scope 03400 --scope-at 2020-01-01 <<<"$PW"
  qok users add --db "$db" huyen --role district_reviewer --scope 106 --scope-at 2020-01-01 <<<"$PW"
  qok users add --db "$db" tinh --role province_admin --scope 12 --scope-at 2020-01-01 <<<"$PW"
  csv "$WORK/first.csv" 'crime.ttxh.cases,201601,03400,,,4,,,,'
  qok values import --db "$db" "$WORK/first.csv"
}

# token VAR USER: sets VAR to a new API token of USER.
token() {
  qok users token --db "$DB" "$2" --name e2e
  printf -v "$1" '%s' "$(grep -o 'qpan_[A-Za-z0-9_-]*' "$OUT" | head -n 1)"
}

start_server() {
  "$QPAN" serve --db "$DB" --listen 127.0.0.1:0 --threads 2 >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVER_PID=$!
  local i
  for i in $(seq 1 300); do
    PORT=$(grep -oE 'on http://127\.0\.0\.1:[0-9]+' "$WORK/serve.out" 2>/dev/null | grep -oE '[0-9]+$')
    [ -n "$PORT" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || fail "qpan serve exited" "a server" "$(cat "$WORK/serve.err")"
    sleep 0.1
  done
  fail "qpan serve did not start in 30 s" "a port" "$(cat "$WORK/serve.err")"
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
}
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; cd /; rm -rf "$WORK"' EXIT

# approve FORM_PERIOD: the commune submits January 2016 and the district approves it.
submit_and_approve() {
  local xa=$1 huyen=$2
  printf '{"dataSet":"ds.antt.commune.monthly","orgUnit":"03400","period":"201601"}' >"$WORK/form.json"
  http POST /api/approvals/submit "$xa" "$WORK/form.json"
  assert_eq 200 "$(status)" "the commune submits January 2016"
  http POST /api/approvals/approve "$huyen" "$WORK/form.json"
  assert_eq 200 "$(status)" "the district approves it"
}

case_a_form_approved_through_the_api_is_closed_to_the_command_line() {
  setup approved
  local xa huyen
  token xa canbo.xa
  token huyen huyen
  start_server
  submit_and_approve "$xa" "$huyen"
  stop_server

  local before
  before=$(snapshot "$DB")
  csv "$WORK/change.csv" 'crime.ttxh.cases,201601,03400,,,9,,,,'
  q values import --db "$DB" "$WORK/change.csv"
  assert_exit 1 "values import into the approved form"
  assert_contains "$(stderr)" "ds.antt.commune.monthly" "the refusal names the form"
  assert_contains "$(stderr)" "03400" "the refusal names the unit"
  assert_contains "$(stderr)" "tháng 1/2016" "the refusal names the period"
  assert_contains "$(stderr)" "change.csv:2:" "the refusal names the line"
  assert_eq "$before" "$(snapshot "$DB")" "nothing was written"
}

# Each shell is given ENTRY (dataElement, period, orgUnit, value) and must refuse it with
# STATUS and the reason the command line gives.
refused_alike() {
  local what=$1 http_status=$2 element=$3 period=$4 unit=$5 value=$6 admin=$7
  local before
  before=$(snapshot "$DB")
  csv "$WORK/bad.csv" "$element,$period,$unit,,,$value,,,,"
  q values import --db "$DB" "$WORK/bad.csv"
  assert_exit 1 "$what: values import"
  local expected
  expected=$(cli_reasons)
  [ -n "$expected" ] || fail "$what: the command line gives a reason" "a reason" "$(stderr)"

  local entry="{\"dataElement\":\"$element\",\"period\":\"$period\",\"orgUnit\":\"$unit\",\"value\":\"$value\"}"
  printf '%s' "$entry" >"$WORK/put.json"
  http PUT /api/dataValues "$admin" "$WORK/put.json"
  assert_eq "$http_status" "$(status)" "$what: PUT status"
  assert_eq "$expected" "$(reasons)" "$what: PUT gives the command line's reason"

  printf '{"dataValues":[%s]}' "$entry" >"$WORK/batch.json"
  http POST /api/dataValueSets "$admin" "$WORK/batch.json"
  assert_eq "$http_status" "$(status)" "$what: batch status"
  assert_eq "$expected" "$(reasons)" "$what: the batch gives the command line's reason"

  http POST /api/imports/dataValues "$admin" "$WORK/bad.csv"
  assert_eq "$http_status" "$(status)" "$what: upload status"
  assert_eq "$expected" "$(reasons)" "$what: the upload gives the command line's reason"
  assert_eq "$before" "$(snapshot "$DB")" "$what: nothing was written by any shell"
}

case_every_shell_refuses_the_same_bad_entry_with_the_same_reason() {
  setup shells
  local xa huyen tinh
  token xa canbo.xa
  token huyen huyen
  token tinh tinh
  start_server
  refused_alike "a count that is not a number" 400 crime.ttxh.cases 201603 03400 many "$tinh"
  refused_alike "an unknown element" 400 crime.unknown 201603 03400 1 "$tinh"
  refused_alike "a unit not in force" 400 crime.ttxh.cases 201603 99999 1 "$tinh"
  submit_and_approve "$xa" "$huyen"
  refused_alike "a value of an approved form" 409 crime.ttxh.cases 201601 03400 9 "$tinh"
  stop_server
}

run_cases "$@"
