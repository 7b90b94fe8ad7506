# shellcheck shell=bash
# Shared helpers of the end-to-end tests: run the real `qpan` binary on real files and a
# real database, and assert on exit codes, stdout, stderr and the database.
#
# A test script sources this file, defines its checks as functions named case_<name>, and
# ends with `run_cases "$@"`. Usage of every script:
#
#   bash tests/cli/<area>_test.sh QPAN_BINARY SOURCE_DIR [CASE]
#
# Without CASE every case runs in turn; tests/CMakeLists.txt registers each case as its own
# CTest test. The first failed assertion stops the script with exit status 1 and says what
# was expected and what came; every passed check prints one line.
#
# The databases are SQLite files, or with QPAN_TEST_STORE=postgresql databases of a
# PostgreSQL cluster: the run's (QPAN_TEST_POSTGRES_SOCKET, its socket folder; CTest's
# fixture cli.pg.cluster.start) or one the script starts for itself. Then DB and the other
# databases are postgresql:///NAME?host=… URLs, one database per case, dropped at the end,
# and sql, copy_db, new_db, demo_db_at, value_count and snapshot work on them alike. Cases
# about SQLite files themselves are skipped there, each saying why (PG_SKIPPED below).

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

# at_exit COMMAND: runs COMMAND (a string) when the script ends, however it ends; the last
# registered runs first (servers stop before their databases go).
AT_EXIT=()
at_exit() { AT_EXIT=("$1" "${AT_EXIT[@]}"); }
run_at_exit() {
  local command
  for command in "${AT_EXIT[@]}"; do eval "$command"; done
}
trap run_at_exit EXIT

# One fresh temporary folder per script, removed on exit however the script ends
# (QPAN_TEST_KEEP=1 keeps it to look into).
WORK=$(mktemp -d "${TMPDIR:-/tmp}/qpan-$SCRIPT_NAME.XXXXXX")
if [ "${QPAN_TEST_KEEP:-0}" = 1 ]; then
  at_exit 'echo "kept $WORK"'
else
  at_exit 'cd /; rm -rf "$WORK"'
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

# ---- The store: SQLite files or PostgreSQL databases ---------------------------------------

TEST_STORE=${QPAN_TEST_STORE:-sqlite}
case "$TEST_STORE" in
  sqlite | postgresql) ;;
  *) echo "QPAN_TEST_STORE must be sqlite or postgresql, not \"$TEST_STORE\"" >&2; exit 2 ;;
esac
on_postgres() { [ "$TEST_STORE" = postgresql ]; }

# PostgreSQL mode: the cluster, and the databases of this script (c<pid>_<name>), dropped when
# it ends.
PG_SOCKET=""
PG_PREFIX="c$$_"
if on_postgres && [ "${QPAN_TEST_POSTGRES:-}" = off ]; then
  echo "skip $SCRIPT_NAME on PostgreSQL: QPAN_TEST_POSTGRES=off"
  exit 77
fi
if on_postgres; then
  command -v psql >/dev/null || { echo "psql is needed with QPAN_TEST_STORE=postgresql" >&2; exit 2; }
  PG_SOCKET=${QPAN_TEST_POSTGRES_SOCKET:-}
  if [ -z "$PG_SOCKET" ]; then
    # Run by hand: a cluster of the script's own, outside $WORK (only root may enter it).
    PG_SOCKET=$(mktemp -d "${TMPDIR:-/tmp}/qpan-pg-cli.XXXXXX")
    at_exit 'bash "$SRC/tests/cli/pg_cluster.sh" stop "$PG_SOCKET" >/dev/null'
    bash "$SRC/tests/cli/pg_cluster.sh" start "$PG_SOCKET" >/dev/null || exit 1
  fi
  [ -S "$PG_SOCKET/.s.PGSQL.5432" ] || {
    echo "no PostgreSQL socket in $PG_SOCKET (QPAN_TEST_POSTGRES_SOCKET; CTest starts it with cli.pg.cluster.start)" >&2
    exit 2
  }
  at_exit 'drop_own_databases'
fi

# pg_admin SQL...: statements run one by one on the cluster's postgres database (creating
# and dropping databases, which no transaction may hold).
pg_admin() {
  local statements=(-c "SET client_min_messages = warning") statement
  for statement in "$@"; do statements+=(-c "$statement"); done
  psql "postgresql:///postgres?host=$PG_SOCKET&user=postgres" -X -q -A -t -v ON_ERROR_STOP=1 "${statements[@]}"
}

# pg_admin_unused SQL...: pg_admin for statements that need a database nobody is connected
# to (a template, a rename). The server ends the backend of a qpan that just exited a moment
# later: "being accessed by other users" is waited out (up to 5 s).
pg_admin_unused() {
  local attempt
  for attempt in $(seq 1 50); do
    pg_admin "$@" 2>"$WORK/.pg_admin.err" && return 0
    grep -q "being accessed by other users" "$WORK/.pg_admin.err" || break
    sleep 0.1
  done
  cat "$WORK/.pg_admin.err" >&2
  return 1
}

# pg_recreate NAME [TEMPLATE]: database NAME, new and empty or a copy of database TEMPLATE.
pg_recreate() {
  pg_admin_unused "DROP DATABASE IF EXISTS $1 WITH (FORCE)" "CREATE DATABASE $1${2:+ TEMPLATE $2}" ||
    fail "creating the PostgreSQL database $1${2:+ as a copy of $2} failed"
}

drop_own_databases() {
  psql "postgresql:///postgres?host=$PG_SOCKET&user=postgres" -X -q -A -t >/dev/null 2>&1 <<SQL
SELECT format('DROP DATABASE %I WITH (FORCE)', datname) FROM pg_database WHERE datname LIKE '${PG_PREFIX}%' \gexec
SQL
}

# pg_url NAME: the URL of database NAME of the cluster.
pg_url() { printf 'postgresql:///%s?host=%s&user=postgres' "$1" "$PG_SOCKET"; }

# pg_name URL_OR_NAME: the database name of a URL (a name stays itself).
pg_name() {
  local name=${1#postgresql:///}
  printf '%s' "${name%%\?*}"
}

# pg_exists NAME: whether the cluster has database NAME.
pg_exists() { [ "$(pg_admin "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]; }

# pg_name_for PATH: the name of the database standing for the SQLite file PATH in this
# script: c<pid>_ and the file's name.
pg_name_for() {
  local base name
  base=$(basename "$1" .db | tr 'A-Z' 'a-z' | tr -c 'a-z0-9_\n' '_')
  name="$PG_PREFIX$base"
  # PostgreSQL cuts identifiers at 63 bytes: a long name becomes a digest of itself.
  [ ${#name} -le 63 ] || name="$PG_PREFIX$(printf '%s' "$base" | md5sum | head -c 24)"
  printf '%s' "$name"
}

# db_at VAR PATH: sets VAR to where the database of the SQLite file PATH lives in the store
# tested: PATH itself, or on PostgreSQL the URL of a new, empty database named after PATH's
# file name (replacing one of that name).
db_at() {
  if ! on_postgres; then
    printf -v "$1" '%s' "$2"
    return
  fi
  # (A local name the caller's VAR will not be.)
  local _db_name
  _db_name=$(pg_name_for "$2")
  pg_recreate "$_db_name"
  printf -v "$1" '%s' "$(pg_url "$_db_name")"
}

# sql DB STATEMENT: one query through the sqlite3 shell (or psql), result on stdout, columns
# separated by "|". On PostgreSQL the query may use SQLite's `value` column of data_value and
# data_value_audit, group_concat and sums of truth values (sqlite_compat.sql); truth values
# print as t and f there.
sql() {
  case "$1" in
    # SQLite's value column and aggregates first (sqlite_compat.sql), then the query.
    postgresql://*) psql "$1" -X -q -A -t -v ON_ERROR_STOP=1 -f "$SRC/tests/cli/sqlite_compat.sql" -c "$2" ||
      fail "psql $1 \"$2\" failed" ;;
    *) sqlite3 -batch "$1" "$2" || fail "sqlite3 $1 \"$2\" failed" ;;
  esac
}

value_count() { sql "$1" 'SELECT count(*) FROM data_value'; }

# How sql prints a stored truth value: SQLite's 1 and 0, PostgreSQL's t and f.
if on_postgres; then SQL_TRUE=t SQL_FALSE=f; else SQL_TRUE=1 SQL_FALSE=0; fi

# database_text DB: every byte the database keeps, to search: the SQLite file and its
# write-ahead log, or the PostgreSQL database's rows as pg_dump writes them.
database_text() {
  case "$1" in
    postgresql://*) pg_dump --data-only "$1" || fail "pg_dump $1 failed" ;;
    *) cat "$1" "$1-wal" 2>/dev/null ;;
  esac
}

# copy_db FROM TO: a copy of the SQLite database FROM (with its write-ahead log, if any) as
# TO, replacing whatever TO was; on PostgreSQL, database TO made with FROM as its template
# (nothing may be connected to FROM).
copy_db() {
  if on_postgres; then
    pg_recreate "$(pg_name "$2")" "$(pg_name "$1")"
    return
  fi
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
# On PostgreSQL, VARIABLE names a database of the cluster (cli.pg.fixtures build them).
shared_db() {
  local from=${!1:-}
  [ -n "$from" ] || return 1
  if on_postgres; then pg_exists "$from" || return 1; else [ -f "$from" ] || return 1; fi
  copy_db "$from" "$2"
  echo "# $(basename "$(pg_name "$2")"): a copy of $from ($1, built and checked once by cli.fixtures)"
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
TEMPLATE_DB=""
new_db() {
  if [ -z "$TEMPLATE_DB" ]; then
    if on_postgres && [ -n "${QPAN_TEMPLATE_DB:-}" ] && pg_exists "$QPAN_TEMPLATE_DB"; then
      # The run's template itself: nothing ever connects to it, so it is copied directly.
      TEMPLATE_DB=$(pg_url "$QPAN_TEMPLATE_DB")
      echo "# each database: a copy of $QPAN_TEMPLATE_DB (QPAN_TEMPLATE_DB, built and checked once by cli.pg.fixtures)"
    else
      db_at TEMPLATE_DB "$WORK/.template.db"
      shared_db QPAN_TEMPLATE_DB "$TEMPLATE_DB" || build_template_db "$TEMPLATE_DB"
    fi
  fi
  # shellcheck disable=SC2034 # read by the test scripts
  if on_postgres; then DB=$(pg_url "$(pg_name_for "$1")"); else DB="$WORK/$1.db"; fi
  copy_db "$TEMPLATE_DB" "$DB"
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
    if on_postgres; then pg_recreate "$(pg_name "$1")"; else rm -f "$1" "$1-wal" "$1-shm"; fi
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

# The cases that do not run on PostgreSQL (QPAN_TEST_STORE=postgresql), "script/case" →
# why: they are about SQLite files themselves. The one list; a skipped case says so and
# exits 77, which CTest reports as skipped (tests/CMakeLists.txt).
declare -A PG_SKIPPED=(
  [users_test/accounts_made_before_scope_days_get_their_creation_day]="it rewinds a SQLite file's schema (PRAGMA user_version = 4) to check the file's migration; PostgreSQL's migrations are PostgresStoreTest's"
  [change_log_test/three_servers_on_one_database_follow_each_other_and_survive_a_kill]="on PostgreSQL this is cli.postgres.three_servers_on_one_postgresql_follow_each_other_and_survive_a_kill, the same check"
  [users_test/missing_database]="about a database file that does not exist and must not be created; an absent PostgreSQL database is cli.postgres.an_absent_database_is_named"
)

# run_cases: runs the case named on the command line, or every case_* function.
run_cases() {
  local cases
  if [ -n "$ONLY_CASE" ]; then
    declare -F "case_$ONLY_CASE" >/dev/null || { echo "no case \"$ONLY_CASE\" in $0" >&2; exit 2; }
    cases="case_$ONLY_CASE"
  else
    cases=$(declare -F | awk '$3 ~ /^case_/ {print $3}')
  fi
  local c why
  for c in $cases; do
    CURRENT_CASE=${c#case_}
    LAST_COMMAND=""
    why=${PG_SKIPPED[$SCRIPT_NAME/$CURRENT_CASE]:-}
    if on_postgres && [ -n "$why" ]; then
      echo "skip $SCRIPT_NAME / $CURRENT_CASE on PostgreSQL: $why"
      [ -z "$ONLY_CASE" ] || exit 77
      continue
    fi
    "$c"
  done
  CURRENT_CASE=""
  echo "$SCRIPT_NAME${ONLY_CASE:+ / $ONLY_CASE}: all $PASSED checks passed"
}
