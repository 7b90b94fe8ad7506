#!/usr/bin/env bash
# End-to-end: every shell that writes values — `qpan values import`, and the API's PUT
# /api/dataValues, POST /api/dataValueSets and POST /api/imports/dataValues on a real
# `qpan serve` — goes through one write path: a form approved through the API closes it to
# the command line too, and the same bad entry is refused by each with the same reason.
source "$(dirname "$0")/lib.sh"
source "$SRC/tests/cli/server.sh"

# The reasons listed in an error reply, one per line.
reasons() {
  body | python3 -c 'import json, sys; [print(p["reason"]) for p in json.load(sys.stdin)["error"]["details"]["problems"]]'
}
# The reasons `qpan values import` printed (after "file:line:column: field: ").
cli_reasons() {
  grep -E '^[^ ]+:[0-9]+:[0-9]+: ' "$ERR" | sed -E 's/^[^ ]+:[0-9]+:[0-9]+: [a-z]+: //'
}

case_a_form_approved_through_the_api_is_closed_to_the_command_line() {
  server_db approved
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
  server_db shells
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
