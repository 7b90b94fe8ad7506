#!/usr/bin/env bash
# End-to-end: `qpan values export` and the way back — export → import into a fresh
# database → export is byte-identical; the --ou and --pe filters; re-imports that update
# values leave the previous state in the audit trail (data_value_audit), identical ones
# change nothing.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

FIXTURE="$TEST_DATA/values-roundtrip.csv"

# sorted_rows FILE: the data lines of a CSV without multi-line fields, sorted.
sorted_rows() { tail -n +2 "$1" | LC_ALL=C sort; }

case_export_import_export_is_identical() {
  new_db first
  local first=$DB
  qok values import --db "$first" "$FIXTURE"
  local rows
  rows=$(($(wc -l <"$FIXTURE") - 1))
  assert_contains "$(stdout)" "$rows rows — $rows created, 0 updated, 0 unchanged" "the fixture imports: $rows values"
  qok values export --db "$first" --output "$WORK/export1.csv"
  assert_eq "" "$(stdout)" "export --output writes nothing on stdout"
  assert_contains "$(stderr)" "exported $rows values" "export says how many values it wrote"
  assert_eq "$CSV_HEADER" "$(head -n 1 "$WORK/export1.csv")" "the export starts with the dataValueSets header"
  assert_eq "$(sorted_rows "$FIXTURE")" "$(sorted_rows "$WORK/export1.csv")" \
    "the export holds exactly the rows of the fixture (elements, options, units, periods, comments, followup)"

  new_db second
  qok values import --db "$DB" "$WORK/export1.csv"
  assert_contains "$(stdout)" "$rows created" "the export imports into a fresh database"
  qok values export --db "$DB" --output "$WORK/export2.csv"
  assert_files_equal "$WORK/export1.csv" "$WORK/export2.csv" "export → import → export is byte-identical"

  # Export to stdout is the same bytes as --output.
  qok values export --db "$DB"
  assert_files_equal "$WORK/export1.csv" "$OUT" "export to stdout equals export --output"

  # Importing the export into the first database again changes nothing.
  qok values import --db "$first" "$WORK/export1.csv"
  assert_contains "$(stdout)" "0 created, 0 updated, $rows unchanged" "re-importing the export: all unchanged"
}

case_filter_district_and_year() {
  new_db filter_ou
  qok values import --db "$DB" "$FIXTURE"
  # The communes of district 106 in 2016, as `units tree` lists them.
  qok units tree --db "$DB" 106 --at 2016-06-30
  local codes
  codes=$(awk '{print $1}' "$OUT" | paste -sd '|')
  assert_contains "|$codes|" "|03397|" "district 106 in 2016 has 03397 Xã Sùng Phài"
  local expected
  expected=$(tail -n +2 "$FIXTURE" | awk -F, -v codes="$codes" \
    'BEGIN { n = split(codes, c, "|"); for (i = 1; i <= n; i++) want[c[i]] = 1 }
     want[$3] && $2 ~ /^2016([0-9QS]|$)/' | LC_ALL=C sort)

  qok values export --db "$DB" --ou 106 --pe 2016
  assert_eq "$CSV_HEADER" "$(head -n 1 "$OUT")" "--ou 106 --pe 2016: header"
  assert_eq "$expected" "$(sorted_rows "$OUT")" \
    "--ou 106 --pe 2016: exactly the 2016 values of 106 and its communes"
  assert_contains "$(stdout)" ",201601,03397," "--ou 106 --pe 2016: commune 03397 of district 106 is in"
  assert_contains "$(stdout)" "solve_rate,2016,106," "--ou 106 --pe 2016: the district's own value is in"
  assert_not_contains "$(stdout)" ",03386," "--ou 106 --pe 2016: commune 03386 of district 105 is out"
  assert_not_contains "$(stdout)" ",105," "--ou 106 --pe 2016: district 105 is out"
  assert_not_contains "$(stdout)" ",12," "--ou 106 --pe 2016: the province's own value is out"
  assert_not_contains "$(stdout)" ",00004," "--ou 106 --pe 2016: a Hà Nội ward is out"
  assert_not_contains "$(stdout)" ",201701," "--ou 106 --pe 2016: 2017 is out"
  assert_not_contains "$(stdout)" ",2017," "--ou 106 --pe 2016: the year 2017 is out"
  assert_not_contains "$(stdout)" ",2016-2020," "--ou 106 --pe 2016: the term 2016-2020 is out"

  # --ou 12 takes everything in Lai Châu, whatever the level.
  qok values export --db "$DB" --ou 12 --pe 2016
  assert_eq "$(tail -n +2 "$FIXTURE" | awk -F, '$2 ~ /^2016([0-9QS]|$)/ && $3 != "00004"' | LC_ALL=C sort)" \
    "$(sorted_rows "$OUT")" "--ou 12 --pe 2016: every 2016 value of the province, its districts and communes"
}

case_filter_moved_commune() {
  # 01366 Xã Cần Yên moved from district 044 to 045 on 2020-02-01: each district gets the
  # values of the months the commune belonged to it.
  new_db moved
  qok values import --db "$DB" "$FIXTURE"
  qok values export --db "$DB" --ou 044
  assert_eq "crime.solved,201912,01366,,,3,Công an xã Cần Yên,2020-01-05T00:00:00Z,Trước khi sáp nhập huyện,false" \
    "$(tail -n +2 "$OUT")" "--ou 044: only the value from before the move"
  qok values export --db "$DB" --ou 045
  assert_eq "crime.solved,202003,01366,,,1,Công an xã Cần Yên,2020-04-05T00:00:00Z,Sau khi sáp nhập huyện,false" \
    "$(tail -n +2 "$OUT")" "--ou 045: only the value from after the move"
}

case_filter_month_range() {
  new_db filter_pe
  qok values import --db "$DB" "$FIXTURE"
  qok values export --db "$DB" --pe 201601..201606
  local expected
  expected=$(tail -n +2 "$FIXTURE" | awk -F, '$2 ~ /^2016(0[1-6]|0[1-6][0-3][0-9]|Q[12]|S1)$/' | LC_ALL=C sort)
  assert_eq "$expected" "$(sorted_rows "$OUT")" \
    "--pe 201601..201606: the months, days, quarters and half-year inside Jan–Jun 2016"
  assert_contains "$(stdout)" "security.teams,2016Q2," "--pe 201601..201606: 2016Q2 is in"
  assert_contains "$(stdout)" "solve_rate,2016S1," "--pe 201601..201606: 2016S1 is in"
  assert_contains "$(stdout)" "note,20160315," "--pe 201601..201606: the day 20160315 is in"
  assert_not_contains "$(stdout)" ",201607," "--pe 201601..201606: July is out"
  assert_not_contains "$(stdout)" ",2016Q3," "--pe 201601..201606: 2016Q3 is out"
  assert_not_contains "$(stdout)" ",2016,"  "--pe 201601..201606: the whole year 2016 is out"
  qok values export --db "$DB" --pe 2016..2020
  assert_contains "$(stdout)" "solve_rate,2016-2020,106," "--pe 2016..2020: the term 2016-2020 is in"
  qok values export --db "$DB" --pe 2016Q1
  assert_eq "$(tail -n +2 "$FIXTURE" | awk -F, '$2 ~ /^2016(0[1-3]|0[1-3][0-3][0-9]|Q1)$/' | LC_ALL=C sort)" \
    "$(sorted_rows "$OUT")" "--pe 2016Q1: the months, days and the quarter of Q1 2016"
}

case_update_keeps_audit_trail() {
  new_db audit
  local file="$WORK/monthly.csv"
  csv "$file" \
    'crime.solved,201803,03400,,,4,Công an xã Tả Lèng,2018-04-02T08:00:00Z,,false' \
    'crime.solved,201803,03405,,,2,Công an xã Giang Ma,2018-04-02T08:00:00Z,,false' \
    'solve_rate,201803,106,,,75.5,Công an huyện,2018-04-03T08:00:00Z,Tạm tính,false'
  qok values import --db "$DB" --user "cán bộ nhập" "$file"
  assert_contains "$(stdout)" "3 rows — 3 created, 0 updated, 0 unchanged" "first import: 3 created"
  assert_eq 0 "$(sql "$DB" 'SELECT count(*) FROM data_value_audit')" "first import: no audit rows"

  # The same values again: nothing changes, nothing is audited.
  qok values import --db "$DB" "$file"
  assert_contains "$(stdout)" "3 rows — 0 created, 0 updated, 3 unchanged" "identical re-import: 3 unchanged"
  assert_eq 0 "$(sql "$DB" 'SELECT count(*) FROM data_value_audit')" "identical re-import: no audit rows"
  assert_eq 1 "$(sql "$DB" 'SELECT max(version) FROM data_value')" "identical re-import: versions stay 1"

  # One value corrected.
  csv "$file" \
    'crime.solved,201803,03400,,,5,Công an xã Tả Lèng,2018-04-09T08:00:00Z,Bổ sung 1 vụ,false' \
    'crime.solved,201803,03405,,,2,Công an xã Giang Ma,2018-04-02T08:00:00Z,,false' \
    'solve_rate,201803,106,,,75.5,Công an huyện,2018-04-03T08:00:00Z,Tạm tính,false'
  qok values import --db "$DB" --user "người duyệt" "$file"
  assert_contains "$(stdout)" "3 rows — 0 created, 1 updated, 2 unchanged" "changed value: 1 updated, 2 unchanged"
  assert_eq 1 "$(sql "$DB" 'SELECT count(*) FROM data_value_audit')" "changed value: one audit row"
  assert_eq "4||update|người duyệt|1" \
    "$(sql "$DB" "SELECT a.value, coalesce(a.comment, ''), a.action, a.changed_by, a.version
                  FROM data_value_audit a")" \
    "the audit row holds the previous value 4, its comment and version, and who replaced it"
  assert_eq "Công an xã Tả Lèng|2018-04-02T08:00:00Z" \
    "$(sql "$DB" "SELECT (SELECT name FROM actor WHERE id = a.stored_by),
                         strftime('%Y-%m-%dT%H:%M:%SZ', a.last_updated, 'unixepoch')
                  FROM data_value_audit a")" \
    "the audit row keeps who stored the previous value and when"
  assert_eq "5|2" "$(sql "$DB" "SELECT value, version FROM data_value WHERE value = 5")" \
    "the current value is 5, version 2"
  qok values export --db "$DB" --ou 03400
  assert_contains "$(stdout)" "crime.solved,201803,03400,,,5,Công an xã Tả Lèng,2018-04-09T08:00:00Z,Bổ sung 1 vụ,false" \
    "the export shows the new value"

  # The corrected file once more: unchanged, no new audit row.
  qok values import --db "$DB" "$file"
  assert_contains "$(stdout)" "0 created, 0 updated, 3 unchanged" "re-import of the corrected file: 3 unchanged"
  assert_eq 1 "$(sql "$DB" 'SELECT count(*) FROM data_value_audit')" "re-import of the corrected file: still one audit row"

  # A changed comment or followup flag is a change too.
  csv "$file" 'solve_rate,201803,106,,,75.5,Công an huyện,2018-04-20T08:00:00Z,Số liệu chính thức,true'
  qok values import --db "$DB" "$file"
  assert_contains "$(stdout)" "1 rows — 0 created, 1 updated, 0 unchanged" "changed comment and followup: 1 updated"
  assert_eq "75.5|Tạm tính|0" \
    "$(sql "$DB" "SELECT value, comment, followup FROM data_value_audit ORDER BY id DESC LIMIT 1")" \
    "the audit row keeps the previous comment and followup"
}

case_same_number_written_differently_is_unchanged() {
  new_db numbers
  csv "$WORK/first.csv" \
    'solve_rate,201803,106,,,100.0,,2018-04-02T08:00:00Z,,false' \
    'solve_rate,201804,106,,,75.50,,2018-05-02T08:00:00Z,,false' \
    'defence.budget,2018,106,,,2500000.00,,2019-01-02T08:00:00Z,,false'
  qok values import --db "$DB" "$WORK/first.csv"
  qok values export --db "$DB" --output "$WORK/export.csv"
  assert_eq "solve_rate,201803,106,,,100|solve_rate,201804,106,,,75.5|defence.budget,2018,106,,,2500000" \
    "$(tail -n +2 "$WORK/export.csv" | cut -d, -f1-6 | paste -sd '|')" "numbers are exported in their shortest form"
  qok values import --db "$DB" "$WORK/export.csv"
  assert_contains "$(stdout)" "0 created, 0 updated, 3 unchanged" \
    "re-importing 100 for 100.0, 75.5 for 75.50, 2500000 for 2500000.00: unchanged"
  assert_eq 0 "$(sql "$DB" 'SELECT count(*) FROM data_value_audit')" "no audit row for a number written differently"
}

case_storedby_defaults_to_user() {
  new_db storedby
  csv "$WORK/anonymous.csv" 'crime.solved,201803,03400,,,4,,2018-04-02T08:00:00Z,,false'
  qok values import --db "$DB" --user "Trần Thị B" "$WORK/anonymous.csv"
  qok values export --db "$DB"
  assert_contains "$(stdout)" "crime.solved,201803,03400,,,4,Trần Thị B,2018-04-02T08:00:00Z,,false" \
    "a row without storedby is stored by the importing --user"
  assert_eq "Trần Thị B" "$(sql "$DB" 'SELECT imported_by FROM import_batch')" "the import batch records the --user"
}

run_cases "$@"
