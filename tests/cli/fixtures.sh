#!/usr/bin/env bash
# The databases many end-to-end tests start from, built once per CTest run rather than once
# per case: tests/CMakeLists.txt registers each case here as the setup of a CTest fixture
# (cli.fixtures.template_db, cli.fixtures.demo_db) and gives the tests that require it the
# file's name in QPAN_TEMPLATE_DB or QPAN_DEMO_DB. They copy it (lib.sh's new_db and
# demo_db_at; the browser and DHIS2 client tests through tests/support/qpan_process.mjs), so
# no test changes another's database. Each case first removes the file it writes: a failed
# build leaves nothing stale behind.
#
#   QPAN_TEMPLATE_DB=FILE bash tests/cli/fixtures.sh QPAN_BINARY SOURCE_DIR template_db
#   QPAN_DEMO_DB=FILE bash tests/cli/fixtures.sh QPAN_BINARY SOURCE_DIR demo_db
#
# With QPAN_TEST_STORE=postgresql (cli.pg.fixtures.*) the variables name databases of the
# run's cluster instead, template databases the cases copy with CREATE DATABASE … TEMPLATE.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

# publish BUILT VARIABLE: puts the finished database BUILT where the environment VARIABLE
# says, whole or not at all (copied beside it, then renamed).
publish() {
  local target=${!2:-}
  if on_postgres; then
    pg_admin_unused "ALTER DATABASE $(pg_name "$1") RENAME TO $target" || fail "renaming $(pg_name "$1") to $target failed"
    pass "$2=$target is ready"
    return
  fi
  copy_db "$1" "$target.partial"
  if [ -f "$target.partial-wal" ]; then mv "$target.partial-wal" "$target-wal"; fi
  mv "$target.partial" "$target" || fail "mv $target.partial $target failed"
  pass "$2=$target is ready"
}

# clear_target VARIABLE: the file the environment VARIABLE names, with no database left there.
clear_target() {
  local target=${!1:-}
  [ -n "$target" ] || fail "the environment variable $1 must name the database file to write"
  if on_postgres; then
    pg_admin "DROP DATABASE IF EXISTS $target WITH (FORCE)" >/dev/null || fail "dropping $target failed"
    return
  fi
  mkdir -p "$(dirname "$target")" || fail "mkdir -p $(dirname "$target") failed"
  rm -f "$target" "$target-wal" "$target-shm" "$target.partial" "$target.partial-wal"
}

# lib.sh's new_db template: the units of data/vn-admin and the elements of
# tests/data/elements.json.
case_template_db() {
  clear_target QPAN_TEMPLATE_DB
  local db
  db_at db "$WORK/template.db"
  build_template_db "$db"
  publish "$db" QPAN_TEMPLATE_DB
}

# The demo database, as demo_test.sh's demo_db checks it when it builds its own.
case_demo_db() {
  clear_target QPAN_DEMO_DB
  local db
  db_at db "$WORK/demo.db"
  qok demo --db "$db"
  assert_contains "$(stdout)" "demo database $db is ready" "qpan demo says the database is ready"
  publish "$db" QPAN_DEMO_DB
}

run_cases "$@"
