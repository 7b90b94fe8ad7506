# shellcheck shell=bash
# Shared helpers of the end-to-end tests: run the real `qpan` binary on real files and a
# real SQLite database, and assert on exit codes, stdout, stderr and the database.
#
# A test script sources this file, defines its checks as functions named case_<name>, and
# ends with `run_cases "$@"`. Usage of every script:
#
#   bash tests/cli/<area>_test.sh QPAN_BINARY SOURCE_DIR [CASE]
#
# Without CASE every case runs in turn; tests/CMakeLists.txt registers each case as its own
# CTest test. The first failed assertion stops the script with exit status 1 and says what
# was expected and what came; every passed check prints one line.

set -u
set -o pipefail

if [ $# -lt 2 ]; then
  echo "usage: bash $0 QPAN_BINARY SOURCE_DIR [CASE]" >&2
  exit 2
fi
QPAN=$(realpath "$1")
SRC=$(realpath "$2")
ONLY_CASE=${3:-}
[ -x "$QPAN" ] || { echo "not an executable: $QPAN" >&2; exit 2; }
[ -d "$SRC/data/vn-admin" ] || { echo "not the qpan source folder: $SRC" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "the sqlite3 shell is needed" >&2; exit 2; }

VN_ADMIN="$SRC/data/vn-admin"
TEST_DATA="$SRC/tests/data"
SCRIPT_NAME=$(basename "$0" .sh)
CSV_HEADER='dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup'

# A sanitizer report must not pass for a user error (both would exit 1 by default).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86:print_stacktrace=1"
# Messages are compared as written; keep the tools' output stable.
export LC_ALL=C.UTF-8
export USER=e2e-tester

# One fresh temporary folder per script, removed on exit however the script ends
# (QPAN_TEST_KEEP=1 keeps it to look into).
WORK=$(mktemp -d "${TMPDIR:-/tmp}/qpan-$SCRIPT_NAME.XXXXXX")
if [ "${QPAN_TEST_KEEP:-0}" = 1 ]; then
  trap 'echo "kept $WORK"' EXIT
else
  trap 'cd /; rm -rf "$WORK"' EXIT
fi
# Signals end the script through its EXIT trap too.
trap 'exit 130' INT
trap 'exit 143' TERM HUP PIPE
cd "$WORK" || exit 2

PASSED=0
CURRENT_CASE=""
OUT="$WORK/.stdout"
ERR="$WORK/.stderr"
RC=0
LAST_COMMAND=""

# ---- Reporting ------------------------------------------------------------------------

# fail WHAT [EXPECTED ACTUAL]: reports a failed check and ends the script.
fail() {
  {
    echo
    echo "FAIL ${SCRIPT_NAME}${CURRENT_CASE:+ / $CURRENT_CASE}: $1"
    if [ $# -ge 3 ]; then
      echo "  expected: $(printf '%s' "$2" | head -c 4000)"
      echo "  actual:   $(printf '%s' "$3" | head -c 4000)"
    fi
    if [ -n "$LAST_COMMAND" ]; then
      echo "  last command: $LAST_COMMAND (exit $RC)"
      echo "  --- its stdout (first 40 lines) ---"
      head -n 40 "$OUT" 2>/dev/null | sed 's/^/  | /'
      echo "  --- its stderr (first 40 lines) ---"
      head -n 40 "$ERR" 2>/dev/null | sed 's/^/  | /'
    fi
  } >&2
  exit 1
}

pass() {
  PASSED=$((PASSED + 1))
  echo "ok $PASSED - ${CURRENT_CASE:+$CURRENT_CASE: }$1"
}

# ---- Running qpan ----------------------------------------------------------------------

# q ARGS...: runs qpan; stdout in $OUT, stderr in $ERR, exit status in $RC. A sanitizer
# report fails the test whatever the exit status.
q() {
  LAST_COMMAND="qpan $*"
  LAST_COMMAND=${LAST_COMMAND//$WORK\//}
  "$QPAN" "$@" >"$OUT" 2>"$ERR"
  RC=$?
  if grep -qE 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:' "$ERR"; then
    fail "qpan crashed under the sanitizers (exit $RC); first lines of the report follow" \
      "no sanitizer report" "$(grep -m1 -E 'ERROR: |runtime error:' "$ERR")"
  fi
  return 0
}

stdout() { cat "$OUT"; }
stderr() { cat "$ERR"; }

# qok ARGS...: runs qpan and asserts it succeeded.
qok() {
  q "$@"
  assert_exit 0 "qpan ${*//$WORK\//}"
}

# ---- Assertions ------------------------------------------------------------------------

# assert_exit EXPECTED WHAT: the exit status of the last qpan run.
assert_exit() {
  [ "$RC" = "$1" ] || fail "$2: exit status" "$1" "$RC"
  pass "$2: exits $1"
}

assert_eq() {
  [ "$1" == "$2" ] || fail "$3" "$1" "$2"
  pass "$3"
}

# assert_contains HAYSTACK NEEDLE WHAT (fixed string, not a pattern)
assert_contains() {
  case "$1" in
    *"$2"*) ;;
    *) fail "$3: text not found" "to contain: $2" "$1" ;;
  esac
  pass "$3"
}

assert_not_contains() {
  case "$1" in
    *"$2"*) fail "$3: text present that should not be" "not to contain: $2" "$1" ;;
  esac
  pass "$3"
}

# assert_matches TEXT ERE WHAT (extended regular expression, any line)
assert_matches() {
  printf '%s\n' "$1" | grep -qE -- "$2" || fail "$3: no line matches" "a line matching /$2/" "$1"
  pass "$3"
}

# assert_files_equal EXPECTED_FILE ACTUAL_FILE WHAT: byte for byte.
assert_files_equal() {
  if ! cmp -s "$1" "$2"; then
    fail "$3: files differ ($1 vs $2)" "$(head -c 2000 "$1")" \
      "$(diff <(cat -A "$1") <(cat -A "$2") | head -n 20)"
  fi
  pass "$3"
}

# ---- Databases and files -----------------------------------------------------------------

# sql DB STATEMENT: one query through the sqlite3 shell, result on stdout.
sql() {
  sqlite3 -batch "$1" "$2" || fail "sqlite3 $1 \"$2\" failed"
}

value_count() { sql "$1" 'SELECT count(*) FROM data_value'; }

# copy_db FROM TO: a copy of the SQLite database FROM (with its write-ahead log, if any) as
# TO, replacing whatever TO was.
copy_db() {
  rm -f "$2" "$2-wal" "$2-shm"
  cp "$1" "$2" || fail "cp $1 $2 failed"
  if [ -f "$1-wal" ]; then cp "$1-wal" "$2-wal" || fail "cp $1-wal $2-wal failed"; fi
}

# The databases many cases start from are built once per CTest run by tests/cli/fixtures.sh
# (CTest fixtures, see tests/CMakeLists.txt), into the files QPAN_TEMPLATE_DB and
# QPAN_DEMO_DB name; a case copies them (milliseconds) instead of building its own
# (seconds, and about 20 s for the demo under the sanitizers). Run by hand without those
# variables, or with a named file missing, a script builds its own as it always did.

# shared_db VARIABLE TO: copies the database the environment VARIABLE names as TO and
# succeeds, or fails (status 1, nothing copied) when VARIABLE is unset or its file is missing.
shared_db() {
  local from=${!1:-}
  [ -n "$from" ] && [ -f "$from" ] || return 1
  copy_db "$from" "$2"
  echo "# $(basename "$2"): a copy of $from ($1, built and checked once by cli.fixtures)"
}

# build_template_db DB: DB holds the units of data/vn-admin and the elements of
# tests/data/elements.json, built here.
build_template_db() {
  local saved_case=$CURRENT_CASE
  CURRENT_CASE="$saved_case${saved_case:+ }(setup)"
  qok init --db "$1"
  qok units import --db "$1" "$VN_ADMIN"
  qok elements import --db "$1" "$TEST_DATA/elements.json"
  CURRENT_CASE=$saved_case
}

# new_db NAME: sets DB to a fresh NAME.db holding the units of data/vn-admin and the
# elements of tests/data/elements.json. The first call takes the template from
# QPAN_TEMPLATE_DB or builds it; later ones copy it. (Not for use in $(...): a failed setup
# must stop the script.)
DB=""
new_db() {
  local db="$WORK/$1.db"
  if [ ! -f "$WORK/.template.db" ]; then
    shared_db QPAN_TEMPLATE_DB "$WORK/.template.db" || build_template_db "$WORK/.template.db"
  fi
  copy_db "$WORK/.template.db" "$db"
  # shellcheck disable=SC2034 # read by the test scripts
  DB=$db
}

# demo_db_at DB: DB is a demo database (`qpan demo` with demo/demo.json): a copy of
# QPAN_DEMO_DB, or built here when there is none. DEMO_BUILT says which (1: built here, the
# run's output in $OUT).
DEMO_BUILT=0
# shellcheck disable=SC2034 # DEMO_BUILT is read by the test scripts
demo_db_at() {
  if shared_db QPAN_DEMO_DB "$1"; then
    DEMO_BUILT=0
  else
    rm -f "$1" "$1-wal" "$1-shm"
    qok demo --db "$1"
    DEMO_BUILT=1
  fi
}

# csv FILE ROWS...: a values CSV with the standard header and one row per argument. Rows
# are printf formats: escapes such as \xff and \r are honoured (and % must be written %%).
csv() {
  local file=$1
  shift
  {
    printf '%s\n' "$CSV_HEADER"
    local row
    # shellcheck disable=SC2059 # the row is the format, for its escapes
    for row in "$@"; do printf "$row"'\n'; done
  } >"$file"
}

# snapshot DB: everything a values import could change, as text.
snapshot() {
  local db=$1
  {
    echo "values: $(value_count "$db")"
    echo "audit: $(sql "$db" 'SELECT count(*) FROM data_value_audit')"
    echo "batches: $(sql "$db" 'SELECT count(*) FROM import_batch')"
    "$QPAN" values export --db "$db" 2>/dev/null
  }
}

# ---- Cases ---------------------------------------------------------------------------------

# run_cases: runs the case named on the command line, or every case_* function.
run_cases() {
  local cases
  if [ -n "$ONLY_CASE" ]; then
    declare -F "case_$ONLY_CASE" >/dev/null || { echo "no case \"$ONLY_CASE\" in $0" >&2; exit 2; }
    cases="case_$ONLY_CASE"
  else
    cases=$(declare -F | awk '$3 ~ /^case_/ {print $3}')
  fi
  local c
  for c in $cases; do
    CURRENT_CASE=${c#case_}
    LAST_COMMAND=""
    "$c"
  done
  CURRENT_CASE=""
  echo "$SCRIPT_NAME${ONLY_CASE:+ / $ONLY_CASE}: all $PASSED checks passed"
}
