#!/usr/bin/env bash
# End-to-end: `qpan elements import|list` with the catalogue fixture tests/data/elements.json
# and the bad files in tests/data/elements-bad/. A bad file exits 1, names the file and the
# JSON path (line:column for a syntax error) and writes nothing.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

EXPECTED_LIST=$(printf '%s\n' \
  $'crime.occurred\tcount\tsum\tcrime_category\tSố vụ phạm tội xảy ra' \
  $'crime.solved\tcount\tsum\t-\tSố vụ phạm tội đã điều tra làm rõ' \
  $'defence.budget\tamount_vnd\tsum\t-\tKinh phí quốc phòng' \
  $'note\ttext\tnone\t-\tGhi chú' \
  $'safe_commune\tboolean\tcount_true\t-\tXã đạt chuẩn an toàn về ANTT' \
  $'security.teams\tcount\tlast\t-\tSố tổ an ninh nhân dân' \
  $'solve_rate\tpercentage\taverage\t-\tTỷ lệ điều tra khám phá')

# The whole catalogue as stored, for "nothing was written".
catalogue() {
  sql "$1" "SELECT 'element', code, name_vi, name_en, value_type, aggregation,
                    coalesce(CAST(disaggregation_id AS TEXT), ''), description FROM data_element ORDER BY code;
            SELECT 'disaggregation', code, name_vi, name_en FROM disaggregation ORDER BY code;
            SELECT 'option', disaggregation_id, code, name_vi, sort_order FROM disaggregation_option
              ORDER BY disaggregation_id, code;"
}

# rejected FILE LOCATION REASON: importing FILE into a database holding the fixture
# catalogue exits 1, prints "LOCATION: ... REASON" and changes nothing.
rejected() {
  local file=$1 location=$2 reason=$3 name
  name=$(basename "$file")
  new_db "rejected"
  local before
  before=$(catalogue "$DB")
  q elements import --db "$DB" "$file"
  assert_exit 1 "$name"
  assert_contains "$(stderr)" "$location" "$name: the message names the file and where ($location)"
  assert_contains "$(stderr)" "$reason" "$name: the message gives the reason ($reason)"
  assert_contains "$(stderr)" "nothing was imported" "$name: says nothing was imported"
  assert_eq "$before" "$(catalogue "$DB")" "$name: the catalogue in the database is unchanged"
  qok elements list --db "$DB"
  assert_eq "$EXPECTED_LIST" "$(stdout)" "$name: elements list shows the catalogue as before"
}

case_import_and_list() {
  local db
  db_at db "$WORK/catalogue.db"
  qok init --db "$db"
  qok elements import --db "$db" "$TEST_DATA/elements.json"
  assert_eq "imported 7 data elements and 1 disaggregations" "$(stdout)" "import reports what it read"
  qok elements list --db "$db"
  assert_eq "$EXPECTED_LIST" "$(stdout)" "elements list: code, type, aggregation, disaggregation, name, sorted by code"
  assert_eq 3 "$(sql "$db" 'SELECT count(*) FROM disaggregation_option')" "the 3 options of crime_category are stored"
  assert_eq "Free text, e.g. the reason a figure changed" \
    "$(sql "$db" "SELECT description FROM data_element WHERE code = 'note'")" "the description is stored"

  local before
  before=$(catalogue "$db")
  qok elements import --db "$db" "$TEST_DATA/elements.json"
  assert_eq "$before" "$(catalogue "$db")" "importing the same file again changes nothing"
  qok elements list --db "$db"
  assert_eq "$EXPECTED_LIST" "$(stdout)" "elements list after the second import is the same"
}

case_names_are_stored_in_nfc() {
  local db
  db_at db "$WORK/nfc.db"
  # "Số vụ" with the circumflex and the hook as combining marks (NFD).
  printf '{"elements": [{"code": "nfd_name", "name_vi": "S\x6f\xcc\x82\xcc\x81 vu\xcc\xa3", "name_en": "Cases", "value_type": "count", "aggregation": "sum"}]}\n' \
    >"$WORK/nfd.json"
  qok init --db "$db"
  qok elements import --db "$db" "$WORK/nfd.json"
  qok elements list --db "$db"
  assert_eq $'nfd_name\tcount\tsum\t-\tSố vụ' "$(stdout)" "a name given in NFD is listed in NFC"
}

case_unknown_value_type() {
  rejected "$TEST_DATA/elements-bad/unknown-value-type.json" \
    'unknown-value-type.json: $.elements[1].value_type: ' 'unknown value type "integr"'
}

case_missing_name_vi() {
  rejected "$TEST_DATA/elements-bad/missing-name-vi.json" \
    'missing-name-vi.json: $.elements[1].name_vi: ' 'missing'
}

case_duplicate_code() {
  rejected "$TEST_DATA/elements-bad/duplicate-code.json" \
    'duplicate-code.json: $.elements[2].code: ' 'duplicate code "dup" (first declared in duplicate-code.json at $.elements[1])'
}

case_unknown_disaggregation() {
  rejected "$TEST_DATA/elements-bad/unknown-disaggregation.json" \
    'unknown-disaggregation.json: $.elements[1].disaggregation: ' 'unknown disaggregation "partner_contry"'
}

case_json_syntax_error() {
  # Line 4: `     "value_type": "count" "aggregation": "sum"}` — a comma is missing before
  # the second key, which starts at column 28.
  rejected "$TEST_DATA/elements-bad/syntax-error.json" 'syntax-error.json:4:28: ' 'invalid JSON'
}

case_invalid_utf8() {
  printf '{\n  "elements": [{"code": "A", "name_vi": "Ch\xff", "name_en": "A",\n    "value_type": "count", "aggregation": "sum"}]\n}\n' \
    >"$WORK/latin1.json"
  rejected "$WORK/latin1.json" 'latin1.json:2' 'invalid UTF-8'
}

case_not_an_object() {
  printf '[1, 2, 3]\n' >"$WORK/array.json"
  rejected "$WORK/array.json" 'array.json: $: ' 'expected an object'
}

run_cases "$@"
