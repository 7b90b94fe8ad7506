#!/usr/bin/env bash
# End-to-end: what every command shares — `qpan init`, a missing database, exit codes
# (0 success, 1 user error, 2 internal error) and --help everywhere.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

# Every command and subcommand, with the arguments it needs besides --db.
COMMANDS=(
  "units import|$VN_ADMIN"
  "units tree|12"
  "units find|lai chau"
  "elements import|$TEST_DATA/elements.json"
  "elements list|"
  "values import|$WORK/values.csv"
  "values export|"
)

case_init_is_idempotent() {
  local db="$WORK/init.db"
  qok init --db "$db"
  assert_contains "$(stdout)" "init.db is ready" "init says the database is ready"
  [ -f "$db" ] || fail "init created no file $db"
  pass "init created the database file"
  local version
  version=$(sql "$db" 'PRAGMA user_version')
  qok units import --db "$db" "$VN_ADMIN"
  qok elements import --db "$db" "$TEST_DATA/elements.json"
  csv "$WORK/values.csv" 'crime.solved,201801,03397,,,4,,,,'
  qok values import --db "$db" "$WORK/values.csv"
  local before
  before=$(snapshot "$db")

  qok init --db "$db"
  assert_contains "$(stdout)" "init.db is ready" "init again on an existing database"
  assert_eq "$before" "$(snapshot "$db")" "init again keeps the values, audit and imports"
  assert_eq "$version" "$(sql "$db" 'PRAGMA user_version')" "init again keeps the schema version"
  assert_eq 16616 "$(sql "$db" 'SELECT count(*) FROM org_unit')" "init again keeps the units"
  assert_eq 7 "$(sql "$db" 'SELECT count(*) FROM data_element')" "init again keeps the elements"
  assert_eq ok "$(sql "$db" 'PRAGMA integrity_check')" "the database passes PRAGMA integrity_check"
}

case_missing_database() {
  csv "$WORK/values.csv" 'crime.solved,201801,03397,,,4,,,,'
  local entry command args db="$WORK/missing.db"
  for entry in "${COMMANDS[@]}"; do
    command=${entry%%|*}
    args=${entry#*|}
    # shellcheck disable=SC2086 # the command words are meant to split
    q $command --db "$db" ${args:+"$args"}
    assert_exit 1 "$command on a missing database"
    assert_contains "$(stderr)" "missing.db does not exist" "$command on a missing database: says it does not exist"
    assert_contains "$(stderr)" "qpan init --db $db" "$command on a missing database: tells how to create it"
    [ ! -e "$db" ] || fail "$command on a missing database created $db"
    pass "$command on a missing database: creates no file"
  done
}

case_not_a_database() {
  local db="$WORK/notes.txt"
  echo "Báo cáo sơ kết 6 tháng đầu năm" >"$db"
  q values export --db "$db"
  assert_exit 1 "values export on a text file"
  assert_contains "$(stderr)" "notes.txt is not a qpan database" "values export on a text file: says it is not a database"
  q init --db "$db"
  assert_exit 1 "init on a text file"
  assert_eq "Báo cáo sơ kết 6 tháng đầu năm" "$(cat "$db")" "init on a text file leaves it as it was"
}

case_init_in_missing_folder() {
  # A path the user got wrong is the user's error (exit 1), with a message naming it.
  q init --db "$WORK/no/such/folder/x.db"
  assert_exit 1 "init in a folder that does not exist"
  assert_contains "$(stderr)" "no/such/folder/x.db" "init in a missing folder: names the path"
}

case_user_errors_exit_1() {
  new_db usage
  q
  assert_exit 1 "no command"
  assert_contains "$(stderr)" "subcommand is required" "no command: says a command is required"
  q frobnicate --db "$DB"
  assert_exit 1 "unknown command"
  q units
  assert_exit 1 "units without a subcommand"
  q units tree 12
  assert_exit 1 "units tree without --db"
  assert_contains "$(stderr)" "--db" "units tree without --db: names the option"
  q units tree --db "$DB"
  assert_exit 1 "units tree without a code"
  q units tree --db "$DB" 12 --depth -1
  assert_exit 1 "units tree --depth -1"
  q units tree --db "$DB" 12 --bogus-option
  assert_exit 1 "an unknown option"
  q values export --db "$DB" --pe 2022Q5
  assert_exit 1 "values export --pe 2022Q5"
  assert_contains "$(stderr)" "--pe" "values export --pe 2022Q5: names the option"
  q values export --db "$DB" --ou 99999
  assert_exit 1 "values export --ou 99999"
  assert_contains "$(stderr)" "99999" "values export --ou 99999: names the unit"
  q values import --db "$DB" "$WORK/absent.csv"
  assert_exit 1 "values import of a missing file"
  assert_contains "$(stderr)" "absent.csv" "values import of a missing file: names it"
  q values import --db "$DB" "$WORK"
  assert_exit 1 "values import of a folder"
  q elements import --db "$DB" "$WORK/absent.json"
  assert_exit 1 "elements import of a missing file"
  q units import --db "$DB" "$WORK/absent"
  assert_exit 1 "units import of a missing path"
}

case_internal_error_exits_2() {
  # A database whose tables were changed behind qpan's back is not the user's input error:
  # the query fails inside qpan.
  new_db broken
  sql "$DB" 'DROP TABLE data_value' >/dev/null
  q values export --db "$DB"
  assert_exit 2 "values export when the data_value table is gone"
  assert_contains "$(stderr)" "qpan: " "internal error: a message on stderr"
}

case_help_everywhere() {
  local entry command
  q --help
  assert_exit 0 "qpan --help"
  assert_contains "$(stdout)" "init" "qpan --help lists init"
  assert_contains "$(stdout)" "units" "qpan --help lists units"
  assert_contains "$(stdout)" "values" "qpan --help lists values"
  q --version
  assert_exit 0 "qpan --version"
  for command in init units elements values; do
    # shellcheck disable=SC2086
    q $command --help
    assert_exit 0 "qpan $command --help"
    assert_contains "$(stdout)" "Usage" "qpan $command --help prints the usage"
  done
  for entry in "${COMMANDS[@]}"; do
    command=${entry%%|*}
    # shellcheck disable=SC2086
    q $command --help
    assert_exit 0 "qpan $command --help"
    assert_contains "$(stdout)" "--db" "qpan $command --help names --db"
    # -h as well
    # shellcheck disable=SC2086
    q $command -h
    assert_exit 0 "qpan $command -h"
  done
}

run_cases "$@"
