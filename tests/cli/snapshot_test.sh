#!/usr/bin/env bash
# End-to-end: start-up from a snapshot. A `qpan serve` writes its engine's snapshot beside
# the database while serving; the next start reads it and replays the change log after its
# position (a value imported while no server ran is in the answer); a damaged snapshot, or
# one of another database, is not used — the server says why on stderr, builds from the
# database and answers right.
source "$(dirname "$0")/lib.sh"
source "$SRC/tests/cli/server.sh"

# The province's cases over PERIOD through the server.
server_figure() {
  http GET "/api/analytics?dx=crime.ttxh.cases&ou=12&pe=$1&format=csv" "$TINH"
  assert_eq 200 "$(status)" "GET /api/analytics pe=$1"
  FIGURE=$(body | tail -n +2 | cut -d, -f4)
}

# wait_for_snapshot NAME: waits until server NAME's stderr says a snapshot was written; sets
# WRITTEN_AT to its log position.
wait_for_snapshot() {
  local i
  for i in $(seq 1 300); do
    WRITTEN_AT=$(grep -oE 'snapshot at log entry [0-9]+ written' "$WORK/$1.err" | tail -n 1 | grep -oE '[0-9]+')
    [ -n "$WRITTEN_AT" ] && return 0
    sleep 0.1
  done
  fail "no snapshot written in 30 s" "a line 'snapshot at log entry N written'" "$(cat "$WORK/$1.err")"
}

# A server over $DB that has written its snapshot, then stopped; the log's end then.
serve_once_and_stop() {
  start_server
  wait_for_snapshot serve
  assert_eq "$(sql "$DB" 'SELECT max(seq) FROM change_log')" "$WRITTEN_AT" "the snapshot is at the log's end"
  stop_server
  [ -f "$DB.snapshot/engine.snapshot" ] || fail "the snapshot beside the database" "$DB.snapshot/engine.snapshot" \
    "$(ls "$WORK")"
  pass "the first server wrote its snapshot beside the database"
}

case_the_next_start_reads_the_snapshot_and_replays_the_log_after_it() {
  server_db snap
  token TINH tinh
  serve_once_and_stop
  local at=$WRITTEN_AT
  csv "$WORK/later.csv" 'crime.ttxh.cases,201602,03400,,,5,,,,'
  qok values import --db "$DB" "$WORK/later.csv"   # while no server runs

  start_server
  assert_contains "$(cat "$WORK/serve.out")" "read from the snapshot at log entry $at" "the second start reads it"
  server_figure 2016
  assert_eq 9 "$FIGURE" "4 from the snapshot and 5 replayed from the log"
  http GET /healthz ""
  assert_contains "$(body)" "\"position\":$(sql "$DB" 'SELECT max(seq) FROM change_log')" "followed to the log's end"
  # The log moved since the snapshot: a newer one is written for the next start.
  wait_for_snapshot serve
  assert_eq "$(sql "$DB" 'SELECT max(seq) FROM change_log')" "$WRITTEN_AT" "a newer snapshot at the log's end"
}

case_a_damaged_snapshot_is_not_used_and_the_answer_is_right() {
  server_db damaged
  token TINH tinh
  serve_once_and_stop
  # One bit of the body flipped, in the middle of the file.
  python3 - "$DB.snapshot/engine.snapshot" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
data[64 + (len(data) - 64) // 2] ^= 0x10
open(path, "wb").write(data)
PY
  start_server
  assert_contains "$(cat "$WORK/serve.err")" "snapshot not used, building from the database" "the server says so"
  assert_contains "$(cat "$WORK/serve.err")" "body damaged (checksum)" "and why"
  assert_contains "$(cat "$WORK/serve.out")" "built from the database" "it built the engine"
  server_figure 2016
  assert_eq 4 "$FIGURE" "the figure from the database"
  wait_for_snapshot serve
  pass "a good snapshot replaces the damaged one"
}

case_a_snapshot_of_another_database_is_not_used() {
  server_db first
  serve_once_and_stop
  local first_snapshot="$DB.snapshot"
  server_db second   # the same steps: a log as long, other times
  token TINH tinh
  csv "$WORK/more.csv" 'crime.ttxh.cases,201603,03400,,,30,,,,'
  qok values import --db "$DB" "$WORK/more.csv"
  cp -r "$first_snapshot" "$DB.snapshot"
  start_server
  assert_contains "$(cat "$WORK/serve.err")" "another database or history" "the first database's snapshot is refused"
  server_figure 2016
  assert_eq 34 "$FIGURE" "the second database's figure"
}

run_cases "$@"
