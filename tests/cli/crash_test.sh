#!/usr/bin/env bash
# End-to-end: a `qpan values import` killed with SIGKILL in the middle of writing leaves
# the database as it was — it opens, PRAGMA integrity_check is ok, the values are those
# from before — and the next import works. A kill after the commit keeps all the values.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

[ -r /proc/locks ] || fail "this test watches SQLite's locks in /proc/locks (Linux) to kill at the right moment"

# big_file FILE ELEMENTS...: one value per element, month of 2016 and commune in force
# all through 2016 (about 134,000 rows per element).
big_file() {
  local file=$1
  shift
  awk -F, -v elements="$*" -v header="$CSV_HEADER" '
    BEGIN { n = split(elements, element, " "); print header }
    NR > 1 && $1 == "commune" && ($6 == "" || $6 <= "2016-01-01") && ($7 == "" || $7 > "2017-01-01") {
      for (m = 1; m <= 12; m++)
        for (e = 1; e <= n; e++)
          printf "%s,2016%02d,%s,,,%d,,,,\n", element[e], m, $2, (NR * m + e) % 97
    }' "$VN_ADMIN/units-history.csv" >"$file"
}

# holds_lock PID BYTE: PID holds a POSIX write lock on BYTE of a file (SQLite's WAL index:
# byte 120 is the writer's lock, 121 and up the checkpointer's and readers').
holds_lock() {
  awk -v pid="$1" -v byte="$2" '$4 == "WRITE" && $5 == pid && $7 == byte { found = 1 } END { exit !found }' \
    /proc/locks
}

# import_and_kill FILE WHEN: starts an import of FILE into $DB and kills it with SIGKILL as
# soon as WHEN holds ("writing": the write transaction is open; "checkpoint": the commit is
# done and the WAL is being copied into the database). Sets KILLED=1 when the process was
# still running when killed, 0 when it had finished first.
import_and_kill() {
  local file=$1 when=$2 byte
  case "$when" in
    writing) byte=120 ;;
    checkpoint) byte=121 ;;
  esac
  "$QPAN" values import --db "$DB" "$file" >"$OUT" 2>"$ERR" &
  local pid=$!
  LAST_COMMAND="qpan values import --db $(basename "$DB") $(basename "$file") (killed when $when)"
  local waited=0
  while kill -0 "$pid" 2>/dev/null && ! holds_lock "$pid" "$byte"; do
    sleep 0.005
    waited=$((waited + 1))
    [ "$waited" -lt 12000 ] || { kill -KILL "$pid"; fail "the import did not start writing within a minute"; }
  done
  KILLED=0
  if kill -KILL "$pid" 2>/dev/null; then KILLED=1; fi
  wait "$pid" 2>/dev/null
  RC=$?
  if [ "$KILLED" = 1 ] && [ "$RC" != 137 ]; then
    # The signal reached a process that was already exiting.
    KILLED=0
  fi
}

# assert_database_sound WHAT: the database opens, passes the integrity check, and qpan
# reads it.
assert_database_sound() {
  qok values export --db "$DB" --ou 12 --pe 2016
  assert_eq ok "$(sql "$DB" 'PRAGMA integrity_check')" "$1: PRAGMA integrity_check is ok"
  assert_eq ok "$(sql "$DB" 'PRAGMA quick_check')" "$1: PRAGMA quick_check is ok"
}

case_kill_while_writing() {
  new_db crash
  csv "$WORK/before.csv" \
    'crime.solved,201601,03397,,,3,Công an xã,2016-02-01T00:00:00Z,Trước sự cố,false' \
    'security.teams,2016Q1,03400,,,7,,2016-04-01T00:00:00Z,,true'
  qok values import --db "$DB" "$WORK/before.csv"
  local before
  before=$(snapshot "$DB")
  # Values of these types accept any number 0..96; each element adds ~134,000 rows.
  local elements=(crime.solved security.teams defence.budget solve_rate crime.occurred note)
  local attempt
  for attempt in 1 2 3; do
    big_file "$WORK/big.csv" "${elements[@]:0:$((attempt * 2))}"
    import_and_kill "$WORK/big.csv" writing
    [ "$KILLED" = 1 ] && break
    # It finished before it was seen writing: a bigger file gives a longer transaction.
    echo "# attempt $attempt: the import of $(wc -l <"$WORK/big.csv") lines finished before the kill; retrying bigger"
    new_db crash
    qok values import --db "$DB" "$WORK/before.csv"
  done
  [ "$KILLED" = 1 ] || fail "could not kill the import while it was writing (it always finished first)"
  pass "the import of $(($(wc -l <"$WORK/big.csv") - 1)) rows was killed (SIGKILL, exit $RC) while it was writing"
  assert_database_sound "after the kill"
  assert_eq "$before" "$(snapshot "$DB")" "after the kill: the values, audit and import batches are those from before"

  # The database takes the next import.
  csv "$WORK/after.csv" 'crime.solved,201602,03397,,,1,,,,'
  qok values import --db "$DB" "$WORK/after.csv"
  assert_contains "$(stdout)" "1 created" "after the kill: the next import writes"
  assert_eq 3 "$(value_count "$DB")" "after the kill: 2 values from before and 1 new"
}

case_kill_after_commit() {
  new_db committed
  local rows
  big_file "$WORK/big.csv" crime.solved
  rows=$(($(wc -l <"$WORK/big.csv") - 1))
  import_and_kill "$WORK/big.csv" checkpoint
  if [ "$KILLED" = 1 ]; then
    pass "the import was killed (SIGKILL) after its commit, while checkpointing"
  else
    assert_exit 0 "the import (it finished before the checkpoint was seen)"
  fi
  assert_database_sound "after a kill past the commit"
  assert_eq "$rows" "$(value_count "$DB")" "after a kill past the commit: all $rows values are there"
}

run_cases "$@"
